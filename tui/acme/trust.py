"""Which TLS certificates the ACME server may present: the system's trust store, plus the
bundle the user named. Verification is never turned off.

Loading the system store parses every CA certificate in it, about 30 ms on the benchmark
machine, a tenth of a whole headless issuance. OpenSSL does that without holding the GIL, so
the CLI calls `preload` before its heavy imports and the client picks the result up.
"""

from __future__ import annotations

import os
import ssl
import stat
import threading
from pathlib import Path

from tui.acme.errors import InputError


def build_context(ca_bundle: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_bundle is not None:
        try:
            if not stat.S_ISREG(os.stat(ca_bundle).st_mode):  # a FIFO would block for ever
                raise InputError(f"{ca_bundle}: cannot load CA bundle (not a regular file)")
            context.load_verify_locations(cafile=str(ca_bundle))
        except (OSError, ssl.SSLError) as exc:
            raise InputError(f"{ca_bundle}: cannot load CA bundle ({exc})") from None
    return context


class _Preload(threading.Thread):
    def __init__(self, ca_bundle: Path | None) -> None:
        # Not a daemon: a command that ends before it needs the context (a usage error) must
        # not tear the interpreter down under OpenSSL's feet (that crashed, signal 11).
        super().__init__(name="acmedash-trust", daemon=False)
        self.ca_bundle = ca_bundle
        self.context: ssl.SSLContext | None = None
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            self.context = build_context(self.ca_bundle)
        except Exception as exc:
            self.error = exc  # raised again, unchanged, in the thread that needs the context


_preloaded: _Preload | None = None


def preload(ca_bundle: Path | None) -> None:
    """Start building the context for this bundle on a thread; `context` collects it."""
    global _preloaded  # noqa: PLW0603 - one process-wide head start, taken once
    _preloaded = _Preload(ca_bundle)
    _preloaded.start()


def context(ca_bundle: Path | None) -> ssl.SSLContext:
    """A context for this bundle: the preloaded one when it matches, else built now."""
    global _preloaded
    ready, _preloaded = _preloaded, None
    if ready is None or ready.ca_bundle != ca_bundle:
        return build_context(ca_bundle)
    ready.join()
    if ready.context is None:
        raise ready.error or InputError("the TLS trust store did not load")
    return ready.context

"""What every command needs (Context), how the command line answers the account questions
(CliPrompts, the CLI's accounts.Prompts), and the stream everything is printed through.

Everything printed goes through an `Escaped` stream: text from the network (a problem detail,
a status, a URL) cannot drive the terminal. Values that must stay on one line are escaped
with `printable` where they are put into a line.
"""

from __future__ import annotations

import argparse
import getpass
import itertools
import json
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tui import accounts
from tui.acme.errors import InputError
from tui.acme.text import printable
from tui.config import Settings
from tui.contacts import normalise_contact
from tui.endpoints import Endpoint, resolve
from tui.user_paths import user_path

if TYPE_CHECKING:
    # httpx and cryptography load only for commands that need them: the dashboard and plain
    # commands start sooner (benchmarks/first_paint.py).
    from tui.acme.jose import PrivateKey
    from tui.acme.models import Problem
    from tui.acme.traffic import Observer
    from tui.session import Session


class Reported(Exception):
    """`error`, already said on its own line by the command (cert renew's outcome line): the
    exit code is still its own, but it is not said twice."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class Escaped:
    """A terminal stream that escapes control characters on their way out (newline and tab
    kept): the last line of defence, for server text inside a message nobody foresaw."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(printable(text, multiline=True))

    def flush(self) -> None:
        self.stream.flush()


@dataclass
class Context:
    """What every command needs: parsed options, settings, and where to talk to the user."""

    args: argparse.Namespace
    config_path: Path
    settings: Settings
    out: Escaped = field(default_factory=lambda: Escaped(sys.stdout))
    err: Escaped = field(default_factory=lambda: Escaped(sys.stderr))
    observers: list[Observer] = field(default_factory=list)
    # One count for every client of the command (renew --all has one per CA and account key):
    # each numbering from 1 wrote repeated seqs into one --traffic file, read back as new runs.
    sequence: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def interactive(self) -> bool:
        return sys.stdin is not None and sys.stdin.isatty()

    @property
    def prompts(self) -> CliPrompts:
        return CliPrompts(self)

    def endpoint(self) -> Endpoint:
        return resolve(self.args.endpoint or self.settings.endpoint)

    def key_path(self) -> Path:
        value = self.args.key or self.settings.account_key
        if not value:
            raise InputError("no account key: pass --key PATH or set account_key in the config")
        return user_path(value)

    def contacts(self, given: list[str] | None = None) -> list[str]:
        raw = given if given is not None else (self.args.contact or self.settings.contacts)
        return [normalise_contact(c) for c in raw]

    def ask(self, question: str) -> bool:
        self.err.write(f"{question} [y/N] ")
        self.err.flush()
        answer = sys.stdin.readline().strip().lower()
        return answer in ("y", "yes")

    def emit(self, data: Any, text: str) -> None:
        """`--json`: json.dumps with ensure_ascii (its default, said here on purpose) writes
        every non-ASCII character as a \\u escape, C1 controls and U+2028 included, so no
        server text reaches the terminal raw. Otherwise `text`, whose server values the
        caller has passed through `printable`."""
        if getattr(self.args, "json", False):
            self.out.write(json.dumps(data, indent=2, ensure_ascii=True) + "\n")
        else:
            self.out.write(text.rstrip("\n") + "\n")

    def confirm_production(self, action: str) -> None:
        endpoint = self.endpoint()
        if not endpoint.is_production or self.args.yes:
            return
        message = f"{action} on PRODUCTION endpoint {endpoint.title} ({endpoint.url})"
        if not self.interactive:
            raise InputError(f"{message}: pass --yes to confirm")
        if not self.ask(f"About to {message}. Continue?"):
            raise InputError("cancelled")

    def load_key(self, path: Path) -> PrivateKey:
        """accounts.load_key, asking for a passphrase on the terminal when there is one."""

        def ask(key_path: Path) -> str:
            prompt = f"Passphrase for {printable(str(key_path))}: "
            return getpass.getpass(prompt, stream=sys.stderr)

        return accounts.load_key(path, ask if self.interactive else None)

    def session(self, key: PrivateKey | None = None) -> Session:
        """The endpoint and settings of this command, with the account key when given (an
        unsigned client otherwise: the directory, ARI, a revocation by the certificate key)."""
        from tui.session import Session

        return Session(
            self.settings,
            self.endpoint(),
            self.config_path,
            key_path=self.key_path() if key is not None else None,
            key=key,
            ca_bundle=self.args.ca_bundle,
            observers=self.observers,
            sequence=self.sequence,
            save_note=lambda note: self.err.write(f"acmedash: note: {note}\n"),
        )

    def account_session(self) -> Session:
        """A session signing with the account key (--key, else the config's account_key)."""
        return self.session(self.load_key(self.key_path()))


@dataclass
class CliPrompts:
    """accounts.Prompts on the command line: --yes answers yes to every question; otherwise
    the question is asked on the terminal, and without one the error says to pass --yes. The
    CLI takes EAB credentials only from its options, the environment or the config."""

    ctx: Context

    async def agree_to_terms(self, url: str) -> bool:
        shown = printable(url)
        if self.ctx.args.yes:
            return True
        if not self.ctx.interactive:
            raise InputError(f"terms of service not agreed ({shown}); pass --yes to agree")
        return self.ctx.ask(f"Do you agree to the terms of service at {shown}?")

    async def eab_credentials(self) -> tuple[str, str] | None:
        raise InputError(
            "this CA requires External Account Binding: pass --eab-kid and "
            "--eab-hmac-key-file (or see --help for the other ways)"
        )

    async def confirm(self, question: str, *, typed: str = "") -> bool:
        if self.ctx.args.yes:
            return True
        if not self.ctx.interactive:
            raise InputError(f"{question} Not asked (no terminal): pass --yes to answer yes")
        if not typed:
            return self.ctx.ask(question)
        self.ctx.err.write(f"{question} Type `{typed}` to confirm: ")
        self.ctx.err.flush()
        return sys.stdin.readline().strip() == typed


Handler = Callable[[Context], "int | Coroutine[Any, Any, int]"]


def subproblem_lines(problem: Problem) -> list[str]:
    """A problem's subproblems (RFC 8555 §6.7.1), one a line with its identifier, each value
    escaped: the CA's text is untrusted and must neither drive the terminal nor forge a line."""
    p = printable
    return [
        f"{p(sub.type)}{f' [{p(str(sub.identifier))}]' if sub.identifier else ''}: {p(sub.detail)}"
        for sub in problem.subproblems
    ]

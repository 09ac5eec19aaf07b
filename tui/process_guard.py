"""Keeping the secrets acmedash was given in its environment from the programs it starts.

Hooks get an environment without them (tui/acme/hooks.py), but a hook runs as the same user
and could read them from /proc/<acmedash's pid>/environ: the kernel shows there the memory
that holds the environment the process started with, whatever Python does to os.environ
later (unsetting a variable only drops libc's pointer to it). So the secret values are
overwritten in that memory, at start: Python keeps its own copy in os.environ, where the key
and EAB loading read them as often as they need, and hook_environment keeps them from the
hooks. The process is also made non-dumpable (prctl PR_SET_DUMPABLE 0, as ssh-agent does),
which on a stock kernel also closes /proc/<pid>/mem, where Python's copy lives, to other
processes of the user; the cost is no core dump.
"""

from __future__ import annotations

import os
import sys

from tui.acme.hooks import secret_names

_PR_SET_DUMPABLE = 4  # <linux/prctl.h>


def hide_environment() -> bool:
    """Does the above when a secret variable is set (Linux only: elsewhere there is no /proc
    environ). True when it did."""
    names = secret_names()
    if not sys.platform.startswith("linux") or not names:
        return False
    import ctypes  # only here: the common start, without secrets, does not load it

    libc = ctypes.CDLL(None, use_errno=True)
    libc.getenv.restype = ctypes.c_void_p
    libc.getenv.argtypes = [ctypes.c_char_p]
    for name in names:
        value = libc.getenv(os.fsencode(name))
        if value:
            ctypes.memset(value, 0, len(ctypes.string_at(value)))
    return bool(libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) == 0)

"""Keeping the secrets acmedash was given in its environment from the programs it starts.

Hooks get an environment without them (tui/acme/hooks.py), but a hook runs as the same user
and could read them from /proc/<acmedash's pid>/environ, which keeps the environment the
process started with whatever Python does to os.environ later (unsetting a variable changes
only the libc copy). So, when a secret came in through the environment, the process is made
non-dumpable (prctl PR_SET_DUMPABLE 0, as ssh-agent does): the kernel then refuses other
processes of the user its /proc files and ptrace. The variables stay in os.environ, where the
key and EAB loading reads them as often as it needs; the cost is no core dump.
"""

from __future__ import annotations

import os
import sys

from tui.acme.hooks import SECRET_ENVIRONMENT

_PR_SET_DUMPABLE = 4  # <linux/prctl.h>


def hide_environment() -> bool:
    """Makes the process non-dumpable if a secret variable is set (Linux only; elsewhere
    nothing to do: no /proc environ). True when it did."""
    if not sys.platform.startswith("linux") or SECRET_ENVIRONMENT.isdisjoint(os.environ):
        return False
    import ctypes  # only here: the common start, without secrets, does not load it

    libc = ctypes.CDLL(None, use_errno=True)
    return bool(libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) == 0)

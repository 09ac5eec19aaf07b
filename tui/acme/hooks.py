"""Running the user's hook commands (the dns-01 hook, the deploy hook) safely.

The command is a shell command line the user wrote (`--dns-hook "/usr/local/bin/hook --zone x"`),
so a shell runs it. Values that came from the network (a TXT record name, a domain) are never
put into that command line: they reach the hook only as positional arguments ("$@") and
environment variables, which no shell parses. Our own secrets stay out of the hook's
environment: a hook is somebody else's program and needs none of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tui.acme.errors import InputError

# The environment variables through which acmedash takes secrets: named here, where every hook's
# environment is made, so that a new one cannot be read without being kept from the hooks.
PASSPHRASE_ENV = "ACMEDASH_KEY_PASSPHRASE"  # noqa: S105 - the name, not a secret
EAB_KEY_ENV = "ACMEDASH_EAB_HMAC_KEY"
TSIG_SECRET_ENV = "ACMEDASH_TSIG_SECRET"  # noqa: S105 - the name, not a secret
SECRET_ENVIRONMENT = frozenset({PASSPHRASE_ENV, EAB_KEY_ENV, TSIG_SECRET_ENV})
# dns-lexicon reads its provider options, API tokens among them, from LEXICON_* variables
# (LEXICON_CLOUDFLARE_AUTH_TOKEN): all of them are treated as secrets.
SECRET_PREFIX = "LEXICON_"  # noqa: S105 - a name prefix, not a secret
SHELL = "/bin/sh"
# Seconds a hook may run: a DNS provider's API or a service reload takes seconds, and one that
# hangs must end as an error the user can act on, not as the whole command's deadline.
HOOK_DEADLINE = 300.0


def is_secret(name: str) -> bool:
    return name in SECRET_ENVIRONMENT or name.startswith(SECRET_PREFIX)


def secret_names() -> list[str]:
    """The secret variables set in our environment now."""
    return [name for name in os.environ if is_secret(name)]


def hook_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment a hook gets: ours without our secrets, plus `extra`."""
    env = {name: value for name, value in os.environ.items() if not is_secret(name)}
    env.update(extra)
    return env


@dataclass(frozen=True)
class HookResult:
    returncode: int
    last_line: str  # the last line the hook printed (stdout and stderr), for error messages


async def run_hook(
    command: str, name: str, arguments: Sequence[str], extra_env: Mapping[str, str]
) -> HookResult:
    """`sh -c 'COMMAND "$@"' NAME ARG...`: the shell parses only the user's command; each
    argument arrives as one word, whatever characters it holds. `name` is the hook's $0."""
    process = await asyncio.create_subprocess_exec(
        SHELL,
        "-c",
        f'{command} "$@"' if arguments else command,
        name,
        *arguments,
        env=hook_environment(extra_env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # its own process group: ended with everything it started
    )
    try:
        async with asyncio.timeout(HOOK_DEADLINE):
            output, _ = await process.communicate()
    except BaseException as exc:
        # Timed out or cancelled (the command's deadline, Ctrl+C): a hook that hung, or what
        # it left in the background holding its output, was left running after acmedash had
        # ended. Its whole process group is ended, then reaped and its pipes closed.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        await process.communicate()
        if isinstance(exc, TimeoutError):
            raise InputError(f"{name} did not finish within {HOOK_DEADLINE:g} s; stopped") from None
        raise
    lines = output.decode(errors="replace").strip().splitlines()
    return HookResult(process.returncode or 0, lines[-1] if lines else "")

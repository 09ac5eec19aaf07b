"""Running the user's hook commands (the dns-01 hook, the deploy hook) safely.

The command is a shell command line the user wrote (`--dns-hook "/usr/local/bin/hook --zone x"`),
so a shell runs it. Values that came from the network (a TXT record name, a domain) are never
put into that command line: they reach the hook only as positional arguments ("$@") and
environment variables, which no shell parses. Our own secrets stay out of the hook's
environment: a hook is somebody else's program and needs none of them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# The environment variables through which acmedash takes secrets: named here, where every hook's
# environment is made, so that a new one cannot be read without being kept from the hooks.
PASSPHRASE_ENV = "ACMEDASH_KEY_PASSPHRASE"  # noqa: S105 - the name, not a secret
EAB_KEY_ENV = "ACMEDASH_EAB_HMAC_KEY"
TSIG_SECRET_ENV = "ACMEDASH_TSIG_SECRET"  # noqa: S105 - the name, not a secret
SECRET_ENVIRONMENT = frozenset({PASSPHRASE_ENV, EAB_KEY_ENV, TSIG_SECRET_ENV})
SHELL = "/bin/sh"


def hook_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment a hook gets: ours without our secrets, plus `extra`."""
    env = {name: value for name, value in os.environ.items() if name not in SECRET_ENVIRONMENT}
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
    )
    output, _ = await process.communicate()
    lines = output.decode(errors="replace").strip().splitlines()
    return HookResult(process.returncode or 0, lines[-1] if lines else "")

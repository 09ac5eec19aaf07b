"""DNS provider tokens given as LEXICON_* variables (the README's way to pass provider options)
never reach a hook: not in its environment, not in /proc/<acmedash's pid>/environ (attacker
review, finding 2).

The CA is tests/hostile_acme.py, honest here: Pebble cannot validate dns-01 through a hook
that only probes, and the test needs the hook to run, not a certificate."""

from __future__ import annotations

import sys

from tests.conftest import CliRunner
from tests.hostile_acme import HostileAcme

TOKEN = "lexicon-t0ken-value"
# The hook's own environment, then each process above it up to acmedash, read from /proc.
PROBE = f"""\
import os, sys
found, pid = ["{TOKEN}" in repr(dict(os.environ))], os.getpid()
for _ in range(4):
    pid = int(open(f"/proc/{{pid}}/stat").read().rsplit(")", 1)[1].split()[1])
    try:
        found.append(b"{TOKEN}" in open(f"/proc/{{pid}}/environ", "rb").read())
    except OSError as exc:
        found.append(type(exc).__name__)
open(sys.argv[1], "a").write(repr(found) + "\\n")
"""


def test_a_hook_never_sees_lexicon_tokens(cli: CliRunner, hostile: HostileAcme) -> None:
    probe = cli.workdir / "probe.py"
    probe.write_text(PROBE)
    seen = cli.workdir / "seen.txt"
    assert cli("key", "generate", "k.pem").returncode == 0
    hook = f"{sys.executable} {probe} {seen}"
    args = ["--endpoint", hostile.directory_url, "--key", "k.pem", "cert", "issue", "-d", "a.test"]
    env = {"LEXICON_CLOUDFLARE_AUTH_TOKEN": TOKEN, "LEXICON_X_\u00e9": TOKEN}
    result = cli(*args, "--challenge", "dns-01", "--dns-hook", hook, env=env)
    assert result.returncode == 0, result.stderr
    lines = seen.read_text().splitlines()
    assert len(lines) == 2, "set and clear"
    assert all("True" not in line for line in lines), lines
    assert "False, False" in lines[0], "acmedash's own /proc environ was read"

"""DNS provider tokens given as LEXICON_* variables (the README's way to pass provider options)
never reach a hook: not in its environment, not in /proc/<acmedash's pid>/environ (attacker
review, finding 2).

The CA is tests/hostile_acme.py, honest here: Pebble cannot validate dns-01 through a hook
that only probes, and the test needs the hook to run, not a certificate."""

from __future__ import annotations

import sys

from tests.conftest import CliRunner
from tests.hostile_acme import HostileAcme
from tests.test_security_followups import PROC_PROBE

TOKEN = "lexicon-t0ken-value"
# Walks up from the hook to acmedash, reading each one's /proc/<pid>/environ.
PROBE = PROC_PROBE.replace("s3cret-mac-key", TOKEN)


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
    assert lines[0].startswith("[False, False"), "the shell's and acmedash's environ were read"

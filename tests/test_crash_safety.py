"""SIGKILL at random moments (issue 10): during settings saves (tui/config.save_settings, what
every front end calls) and during `acmedash cert renew` against a real validating Pebble. After
every kill each file is the old one or the new one, never empty or partial, and what a killed
process left behind (temp files) never stops the next run. Certificate saves alone are killed
40 times in tests/test_certstore.py."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from pathlib import Path

from cryptography import x509

from tests.conftest import CliRunner, ValidatingPebble, reach
from tests.test_certstore import _key_matches, _temp_entries
from tui.config import Settings, load_settings, save_settings

ROOT = Path(__file__).resolve().parent.parent
# What a child process runs: save two different settings into argv[1] in turn, forever.
SAVER = """
import sys
from pathlib import Path
from tests.test_crash_safety import versions
from tui.config import save_settings
path = Path(sys.argv[1])
first, second = versions()
print("ready", flush=True)
while True:
    save_settings(first, path)
    save_settings(second, path)
"""


def versions() -> tuple[Settings, Settings]:
    """Two settings whose files differ in length and content, so a torn write would show."""
    first = Settings(endpoint="pebble", contacts=["mailto:old@example.org"])
    second = Settings(
        endpoint="letsencrypt-staging",
        contacts=[f"mailto:new{i}@example.org" for i in range(40)],
        keymap={"quit": "ctrl+q"},
    )
    return first, second


def _kill_at_random(
    command: list[str], chance: random.Random, within: float, cwd: Path = ROOT
) -> None:
    """Starts `command`, waits until it says ready (a saver does), SIGKILLs it at a random
    moment within `within` seconds."""
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    if cwd == ROOT:
        assert child.stdout.readline() == "ready\n"
    try:
        child.wait(chance.uniform(0.0, within))
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
    child.wait(10)
    child.stdout.close()


def test_killed_settings_saves_leave_the_old_or_the_new_file(tmp_path: Path) -> None:
    """40 savers SIGKILLed at random: the config is always one whole version, 0600, and the
    next save works whatever temp files the killed ones left. A save edits the file in place
    (config_edit), so a whole version is one that reads back as either settings exactly."""
    path = tmp_path / "config.toml"
    whole = list(versions())
    chance = random.Random(8555)  # noqa: S311 - when to kill, not a secret
    for kill in range(40):
        _kill_at_random([sys.executable, "-c", SAVER, str(path)], chance, 0.05)
        if path.exists():
            assert load_settings(path) in whole, f"kill {kill}: a torn config"
            assert path.stat().st_mode & 0o777 == 0o600
    left = _temp_entries(tmp_path)
    save_settings(Settings(endpoint="zerossl"), path)
    assert load_settings(path).endpoint == "zerossl"
    assert not _temp_entries(tmp_path), f"{len(left)} left by the killed, not swept: {left}"


def test_killed_renewals_leave_the_old_or_the_new_certificate(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """`cert renew` SIGKILLed 12 times at random moments of its order: cert.pem always parses
    and belongs to privkey.pem, the config stays whole, and the next renewal succeeds."""
    http01 = ["--challenge", "http-01", "--listen", "127.0.0.1"]
    http01 += ["--http-port", str(validating.http_port)]
    common = [*reach(validating.pebble), "--key", "account.pem"]
    assert cli(*common, "account", "new", "--yes").returncode == 0
    issued = cli(*common, "cert", "issue", "-d", "killed.renew.test", *http01, "--out", "site")
    assert issued.returncode == 0, issued.stderr
    site, config = cli.workdir / "site", cli.config.read_bytes()
    renew = [sys.executable, "-m", "tui", "--config", str(cli.config), *common, "cert", "renew"]
    renew += [str(site / "cert.pem"), "--force", *http01]  # due or not: renew now
    serials = set()
    chance = random.Random(7)  # noqa: S311 - when to kill, not a secret
    for kill in range(12):
        _kill_at_random(renew, chance, 2.5, cli.workdir)
        certificate = x509.load_pem_x509_certificate((site / "cert.pem").read_bytes())
        serials.add(certificate.serial_number)
        assert _key_matches(site), f"kill {kill}: cert.pem and privkey.pem differ"
        assert cli.config.read_bytes() == config, f"kill {kill}: the config changed"
    renewed = cli(*common, "cert", "renew", str(site / "cert.pem"), "--force", *http01)
    assert renewed.returncode == 0, renewed.stderr
    assert _key_matches(site) and not _temp_entries(site)
    assert len(serials) >= 2, "no kill came late enough to see a renewal through"

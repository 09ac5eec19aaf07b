"""`acmedash schedule` and where the certificate store is: the real command, in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import CliRunner, ValidatingPebble, reach


def test_schedule_prints_a_twice_daily_timer_with_the_config_in_use(cli: CliRunner) -> None:
    shown = cli("schedule")
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert "OnCalendar=*-*-* 00,12:00:00" in text and "RandomizedDelaySec=12h" in text
    assert "Persistent=true" in text and "Type=oneshot" in text
    assert f"--config {cli.config} cert renew --all --quiet" in text
    assert "systemctl --user daemon-reload" in text
    cron = cli("schedule", "--cron")
    assert cron.returncode == 0 and cron.stdout.count("cert renew --all --quiet") == 1
    fields = next(line for line in cron.stdout.splitlines() if "renew" in line).split()
    assert fields[2:5] == ["*", "*", "*"] and int(fields[0]) < 60
    system = cli("schedule", "--system", "--cron")
    assert "/etc/cron.d/acmedash-renew" in system.stdout


def test_schedule_install_writes_the_units_and_never_overwrites(cli: CliRunner) -> None:
    """The units pass `systemd-analyze verify` (system mode: no user manager runs here)."""
    env = {"XDG_CONFIG_HOME": str(cli.workdir / "xdg")}
    folder = cli.workdir / "xdg" / "systemd" / "user"
    installed = cli("schedule", "--install", "--user", env=env)
    assert installed.returncode == 0, installed.stderr
    service, timer = folder / "acmedash-renew.service", folder / "acmedash-renew.timer"
    assert "cert renew --all --quiet" in service.read_text()
    assert "Persistent=true" in timer.read_text()
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze (package systemd) checks the units; it is missing"
    checked = subprocess.run(
        [analyze, "verify", str(service), str(timer)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr
    same = cli("schedule", "--install", "--user", env=env)
    assert same.returncode == 0, same.stderr
    timer.write_text(timer.read_text().replace("12h", "1h"))
    edited = timer.read_text()
    refused = cli("schedule", "--install", "--user", env=env)
    assert refused.returncode == 2 and "not overwritten" in refused.stderr
    assert timer.read_text() == edited
    crontab = cli("schedule", "--install", "--cron", env=env)
    assert crontab.returncode == 2 and "crontab -e" in crontab.stderr


def test_the_default_store_does_not_depend_on_the_current_folder(
    cli: CliRunner, validating: ValidatingPebble, tmp_path: Path
) -> None:
    """With the default config ($XDG_CONFIG_HOME) the store is $XDG_DATA_HOME/acmedash/certs,
    from whatever folder the command runs in (a timer runs in /); `certs_dir` in the config is
    taken from the config's folder."""
    env = {
        "ACMEDASH_CONFIG": "",
        "XDG_CONFIG_HOME": str(tmp_path / "conf"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    key = str(tmp_path / "account.pem")
    args = [*reach(validating.pebble), "--key", key]
    assert cli(*args, "account", "new", "--yes", env=env).returncode == 0
    port = str(validating.http_port)
    http = ["--listen", "127.0.0.1", "--http-port", port]
    issued = cli(*args, "cert", "issue", "-d", "xdg.example.test", *http, env=env)
    assert issued.returncode == 0, issued.stderr
    assert (tmp_path / "data" / "acmedash" / "certs" / "xdg.example.test" / "cert.pem").exists()
    elsewhere = CliRunner(Path("/"), cli.config)
    listed = elsewhere(*args, "cert", "list", env=env)
    assert listed.returncode == 0 and "xdg.example.test" in listed.stdout, listed.stderr
    # The scheduled command, run as cron runs it (in /, no XDG variables), finds this store:
    # it made an empty one beside the config and renewed nothing, without a word.
    cron = cli(*args, "schedule", "--cron", env=env)
    (line,) = [line for line in cron.stdout.splitlines() if "renew --all" in line]
    command = " ".join(line.split(" ")[5:]).replace("\\%", "%")
    bare = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    bare["ACMEDASH_CONFIG"] = ""
    timer = subprocess.run(
        ["/bin/sh", "-c", command.replace("renew --all --quiet", "list")],
        cwd="/",
        env=bare,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "xdg.example.test" in timer.stdout, timer.stdout + timer.stderr

    config = tmp_path / "conf" / "acmedash" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('certs_dir = "../../store"\n')
    moved = cli(*args, "cert", "issue", "-d", "dir.example.test", *http, env=env)
    assert moved.returncode == 0, moved.stderr
    assert (tmp_path / "conf" / "acmedash" / "../../store/dir.example.test/cert.pem").exists()

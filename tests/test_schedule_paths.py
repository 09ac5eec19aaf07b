"""`schedule` with config paths that systemd or cron would read as something else (attacker
review, finding 4): a newline would add unit lines (ExecStartPre=) or cron entries, `%` is a
systemd specifier and a newline to cron, `$` a systemd variable. The real command, in a
subprocess; the units are checked by `systemd-analyze verify`."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

from tests.conftest import CliRunner

ODD = 'pct%d $HOME "q" b\\sl'


def test_a_newline_in_the_config_path_is_refused(cli: CliRunner) -> None:
    for extra in ([], ["--cron"], ["--system", "--cron"]):
        config = cli.workdir / "x\nExecStartPre=/bin/true\n#" / "config.toml"
        run = cli("--config", str(config), "schedule", *extra)
        assert run.returncode == 2, run.stdout
        assert "control character" in run.stderr and len(run.stderr.splitlines()) == 1
        assert "ExecStartPre" not in run.stdout


def test_percent_dollar_quotes_reach_systemd_escaped(cli: CliRunner) -> None:
    folder = cli.workdir / ODD
    folder.mkdir()
    config = folder / "config.toml"
    env = {"XDG_CONFIG_HOME": str(cli.workdir / "xdg")}
    installed = cli("--config", str(config), "schedule", "--install", "--user", env=env)
    assert installed.returncode == 0, installed.stderr
    units = cli.workdir / "xdg" / "systemd" / "user"
    service = (units / "acmedash-renew.service").read_text()
    (exec_start,) = [line for line in service.splitlines() if line.startswith("ExecStart")]
    escaped = str(config).replace("\\", "\\\\").replace('"', '\\"')
    assert f'--config "{escaped.replace("%", "%%").replace("$", "$$")}" cert' in exec_start
    assert "%" not in exec_start.replace("%%", ""), "a lone % is a systemd specifier"
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze (package systemd) checks the units; it is missing"
    paths = [str(units / "acmedash-renew.service"), str(units / "acmedash-renew.timer")]
    checked = subprocess.run(
        [analyze, "verify", *paths], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr


def test_percent_reaches_cron_escaped(cli: CliRunner) -> None:
    """cron turns an unescaped `%` into a newline and drops the backslash of `\\%`; what is
    left is read by /bin/sh, here by shlex, which splits as sh does for these quotes."""
    config = cli.workdir / ODD / "config.toml"
    run = cli("--config", str(config), "schedule", "--cron")
    assert run.returncode == 0, run.stderr
    (line,) = [line for line in run.stdout.splitlines() if "renew" in line]
    command = " ".join(line.split(" ")[5:])
    assert not re.search(r"(?<!\\)%", command), "an unescaped % ends the command for cron"
    argv = shlex.split(command.replace("\\%", "%"))
    assert argv[argv.index("--config") + 1] == str(config)

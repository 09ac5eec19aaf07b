"""`acmedash schedule`: the systemd units or the cron line that run `cert renew --all --quiet`
twice a day with the config in use, for the user or for the system.

The timer follows certbot's: twice a day, a random delay of up to 12 hours so that clients do
not all ask their CA at the same minute, and Persistent=true so a run missed while the machine
was off happens at the next boot. The command is this interpreter running this acmedash with
`--config` as an absolute path, since a timer runs in `/` with a bare environment.

The paths are the user's but end up in files other programs parse: a control character (a
newline would add unit lines or cron entries) is refused, and each line is escaped for its
reader: systemd.service(5) quoting with `%` and `$` doubled (specifiers, variables), and
cron's `%` (a newline to cron) written `\\%`.

--install writes each file atomically and never over a different one: a file already there
with other content is an error naming it (the user's edits are theirs).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from tui.acme.errors import InputError
from tui.acme.fileio import atomic_write

UNIT = "acmedash-renew"
_PLAIN = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


@dataclass(frozen=True)
class Plan:
    files: list[tuple[Path, str]]  # where each file goes, and its content
    next_step: str  # what the user runs after --install

    def text(self) -> str:
        parts = [f"# {path}\n{content}" for path, content in self.files]
        return "\n".join(parts) + f"# then: {self.next_step}\n"


PINNED = ("XDG_CONFIG_HOME", "XDG_DATA_HOME")


def command_argv(config: Path) -> list[str]:
    script = Path(sys.executable).parent / "acmedash"  # the console script of this install
    program = [str(script)] if script.is_file() else [sys.executable, "-m", "tui"]
    argv = [*program, "--config", str(config.absolute()), "cert", "renew", "--all", "--quiet"]
    # A timer starts with neither variable: the store and config folders they name now would
    # be another (empty) store then, and the timer would renew nothing without a word.
    pins = [f"{name}={os.environ[name]}" for name in PINNED if os.environ.get(name)]
    if pins:
        argv = [shutil.which("env") or "/usr/bin/env", *pins, *argv]
    for arg in argv:
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in arg):
            raise InputError(f"{arg!r}: a path with a control character cannot be scheduled")
    return argv


def systemd_exec(argv: list[str]) -> str:
    """`%` and `$` doubled; a word with other than plain path characters double-quoted, its
    `\\` and `"` escaped (systemd.service(5), "Command lines")."""
    words = []
    for arg in argv:
        word = arg.replace("%", "%%").replace("$", "$$")
        if not _PLAIN.fullmatch(arg):
            word = '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
        words.append(word)
    return " ".join(words)


def cron_command(argv: list[str]) -> str:
    """For /bin/sh, with cron's `%` escaped (crontab(5): an unescaped one ends the command)."""
    return shlex.join(argv).replace("%", "\\%")


def _units(command: str, scope: str) -> tuple[str, str]:
    service = f"""[Unit]
Description=Renew the certificates acmedash manages, when due
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart={command}
"""
    timer = f"""[Unit]
Description=Run {UNIT}.service twice a day

[Timer]
OnCalendar=*-*-* 00,12:00:00
RandomizedDelaySec=12h
Persistent=true

[Install]
WantedBy=timers.target
"""
    if scope == "system":
        service += "PrivateTmp=true\n"
    return service, timer


def _user_config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def plan(config: Path, *, cron: bool, scope: str) -> Plan:
    argv = command_argv(config)
    if cron:
        command = cron_command(argv)
        # Minute and hour picked once per machine and config, not 0:00 for everyone.
        seed = sum(command.encode()) % (60 * 12)
        minute, hour = seed % 60, seed // 60
        when = f"{minute} {hour},{hour + 12} * * *"
        if scope == "system":
            user = os.environ.get("USER") or "root"
            line = f"{when} {user} {command}\n"
            return Plan([(Path("/etc/cron.d") / UNIT, line)], "cron reads /etc/cron.d by itself")
        return Plan(
            [(Path("crontab"), f"{when} {command}\n")],
            "add the line with `crontab -e` (acmedash does not edit your crontab)",
        )
    service, timer = _units(systemd_exec(argv), scope)
    if scope == "system":
        folder, ctl = Path("/etc/systemd/system"), "systemctl"
    else:
        folder, ctl = _user_config_home() / "systemd" / "user", "systemctl --user"
    return Plan(
        [(folder / f"{UNIT}.service", service), (folder / f"{UNIT}.timer", timer)],
        f"{ctl} daemon-reload && {ctl} enable --now {UNIT}.timer",
    )


def install(plan: Plan) -> list[Path]:
    """Writes every file of the plan; refuses (before writing any) when one exists with other
    content. A file already identical is left as it is."""
    if any(path == Path("crontab") for path, _ in plan.files):
        raise InputError("a user's crontab is not a file acmedash writes: " + plan.next_step)
    for path, content in plan.files:
        try:
            existing = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
        if existing != content:
            raise InputError(f"{path} exists with other content; not overwritten (remove it first)")
    written: list[Path] = []
    for path, content in plan.files:
        if path.exists():
            continue
        try:
            atomic_write(path, content.encode("utf-8"), mode=0o644, overwrite=False)
        except FileExistsError:
            raise InputError(f"{path} appeared while installing; not overwritten") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot write ({exc.strerror})") from None
        written.append(path)
    return written

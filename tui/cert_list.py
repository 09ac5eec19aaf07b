"""The inventory as rows, for `cert list` and the dashboard's Certificates view: names, issuer,
expiry, days left, the ARI window last heard, when the next renewal is due, the last result.

Offline: it reads the folders only (the ARI window is the one the last `cert renew` was told,
kept in renewal-status.json), so listing hundreds of certificates takes no network round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tui.acme.errors import AcmeError, InputError
from tui.acme.text import printable
from tui.inventory import load_entry
from tui.renewal_due import Clock, ari_window, decide, iso, utc_now
from tui.words import counted


@dataclass(frozen=True)
class Row:
    folder: Path
    record: dict[str, Any]  # what `cert list --json` prints for it

    @property
    def due(self) -> bool:
        return bool(self.record.get("due"))

    @property
    def days_left(self) -> int:
        return int(self.record.get("days_left") or 0)

    @property
    def lifetime_days(self) -> float:
        return float(self.record.get("lifetime_days") or 1.0)

    def block(self) -> str:
        """What `cert list` prints for it: a heading line, then one labelled field a line,
        wrapped under its label so that it reads at 80 columns."""
        r, p = self.record, printable
        if r.get("error"):
            return _wrapped(p(r["name"]), [("unreadable", p(r["error"]))])
        window = r["ari_window"]
        ari = f"{window['start']} to {window['end']}" if window else "none heard"
        rule = "by the ARI window" if r["rule"].startswith("ARI window") else r["rule"]
        last = "none yet"
        if r["last_result"]:
            last = f"{p(r['last_result'])} {r['last_attempt'] or ''}".rstrip()
            if r["last_error"]:
                last += f": {p(r['last_error'])}"
        fields = [
            ("names", p(", ".join(r["names"]))),
            ("issuer", p(r["issuer"])),
            ("expires", f"{r['not_after']} ({counted(r['days_left'], 'day')} left)"),
            ("ARI window", ari),
            ("next renewal", f"{r['next_renewal']} ({rule})"),
            ("last renewal", last),
            ("folder", p(r["folder"])),
        ]
        if not r["remembered"]:
            fields.append(("settings", "no renewal.toml: renews with the defaults"))
        if r["revoked"]:
            fields.insert(0, ("revoked", p(r["revoked"])))
        mark = "REV " if r["revoked"] else "DUE " if r["due"] else ""
        return _wrapped(mark + p(r["name"]), fields)


WIDTH = 80  # an SSH session's terminal
_LABEL = 16


def _wrapped(heading: str, fields: list[tuple[str, str]]) -> str:
    import textwrap

    lines = [heading]
    for label, value in fields:
        lead = f"  {label:<{_LABEL - 2}}"
        lines += textwrap.wrap(
            value, WIDTH, initial_indent=lead, subsequent_indent=" " * _LABEL,
            break_on_hyphens=False, break_long_words=False,  # a path stays whole, to copy
        ) or [lead.rstrip()]  # fmt: skip
    return "\n".join(lines)


def describe_entry(folder: Path, now: datetime) -> Row:
    from tui.acme.certificates import common_name, days_left, names_of

    try:
        entry = load_entry(folder)
    except (AcmeError, InputError) as exc:
        return Row(folder, {"name": folder.name, "folder": str(folder), "error": str(exc)})
    certificate, status = entry.certificate, entry.status
    decision = decide(certificate, status, now)
    serial = f"{certificate.serial_number:x}"
    window = ari_window(status) if status.serial == serial else None
    not_after = certificate.not_valid_after_utc
    lifetime = not_after - certificate.not_valid_before_utc
    return Row(
        folder,
        {
            "name": entry.name,
            "folder": str(folder),
            "names": names_of(certificate),
            "issuer": common_name(certificate.issuer),
            "not_after": iso(not_after),
            "days_left": days_left(certificate, now),
            "lifetime_days": round(lifetime.total_seconds() / 86400, 2),
            "ari_window": {"start": iso(window[0]), "end": iso(window[1])} if window else None,
            "due": decision.due,
            "next_renewal": iso(decision.when),
            "rule": decision.reason,
            "remembered": entry.settings is not None,
            "last_result": status.last_result or None,
            "last_attempt": status.last_attempt or None,
            "last_error": status.last_error or None,
            "revoked": (status.revoked or None) if status.serial == serial else None,
            "error": None,
        },
    )


def describe_entries(folders: list[Path], clock: Clock = utc_now) -> list[Row]:
    now = clock()
    return [describe_entry(folder, now) for folder in folders]

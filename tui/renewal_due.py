"""When a certificate is due for renewal, for `cert renew`, `cert list` and the dashboard.

In order: `--force` (now); `--days N` (N days before expiry, as lego's --days); the CA's ARI
window (RFC 9773 §4.2: a random moment inside the window, picked once per window and kept;
past the window's end, now); else when a third of the lifetime is left (certbot's and
lego's rule for 90-day certificates, which also fits 6-day ones).

ARI is asked no more often than the CA's Retry-After says (kept in the status, RFC 9773
§4.3), and a lookup that fails in any way falls back to the expiry rule, without `replaces`.
The clock is a parameter: tests move time, they never sleep.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tui.acme.errors import AcmeError, InputError
from tui.renewal import Status

if TYPE_CHECKING:
    from cryptography import x509

    from tui.acme.client import AcmeClient

Clock = Callable[[], datetime]
# RFC 9773 §4.3: without Retry-After, ask again in about six hours; a Retry-After is believed
# between a minute and a week (a CA answering "0" or "ten years" does not drive the timer).
DEFAULT_RECHECK = timedelta(hours=6)
MIN_RECHECK, MAX_RECHECK = timedelta(minutes=1), timedelta(days=7)
NO_ARI = "the CA offers no ARI"  # no renewalInfo: not a failure, nothing to report


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Decision:
    due: bool
    when: datetime  # the moment it is (or was) due: `next_renewal`
    reason: str
    replaces: str  # the ARI certificate id for the new order; "" without an ARI answer


def _time(text: str) -> datetime | None:
    """In UTC, or None: the text may be a CA's, and a moment that exists only in another zone
    ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00") overflows on the way to UTC."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def ari_window(status: Status) -> tuple[datetime, datetime, datetime] | None:
    """(start, end, chosen moment) from the status, when it holds a usable window."""
    start, end, chosen = _time(status.ari_start), _time(status.ari_end), _time(status.ari_chosen)
    if start is None or end is None or chosen is None or end < start:
        return None
    return start, end, chosen


def decide(
    certificate: x509.Certificate,
    status: Status,
    now: datetime,
    *,
    days: int | None = None,
    force: bool = False,
) -> Decision:
    """`status` must be this certificate's (see refresh_ari)."""
    from tui.acme.certificates import ari_cert_id

    window = ari_window(status) if status.serial == f"{certificate.serial_number:x}" else None
    replaces = ari_cert_id(certificate) if window else ""
    not_after, not_before = certificate.not_valid_after_utc, certificate.not_valid_before_utc
    if force:
        return Decision(True, now, "forced", replaces)
    if days is not None:
        when = not_after - timedelta(days=days)
        reason = f"{days} days before expiry"
    elif window:
        start, end, chosen = window
        # Never later than a tenth of the lifetime before expiry: a window past the expiry
        # (a CA's mistake, or a hostile one) must not let the certificate lapse.
        when = min(chosen, end, not_after - (not_after - not_before) / 10)
        reason = f"ARI window {iso(start)} to {iso(end)}"
    else:
        when = not_after - (not_after - not_before) / 3
        reason = "a third of the lifetime left"
    return Decision(now >= when, when, reason, replaces)


def _pick(start: datetime, end: datetime) -> datetime:
    """RFC 9773 §4.2: a uniformly random moment in the window, so that clients spread out."""
    return start + timedelta(seconds=random.uniform(0, (end - start).total_seconds()))  # noqa: S311 - spreading load, not a secret


async def refresh_ari(
    client: AcmeClient, certificate: x509.Certificate, status: Status, now: datetime
) -> Status:
    """The status with the CA's current window, asked only when the last answer's
    Retry-After has passed (or the status is another certificate's). A failed lookup, a CA
    without ARI or a window that makes no sense clears the window and records why."""
    serial = f"{certificate.serial_number:x}"
    if status.serial == serial:
        next_check = _time(status.ari_next_check)
        if next_check is not None and now < next_check and (ari_window(status) or status.ari_error):
            return status
    else:
        status = Status(serial=serial, last_attempt=status.last_attempt,
                        last_result=status.last_result, last_error=status.last_error)  # fmt: skip
    cleared = replace(status, ari_start="", ari_end="", ari_chosen="")
    try:
        info = await client.renewal_info(certificate)
    except (AcmeError, InputError) as exc:
        failed = f"ARI lookup failed ({str(exc)[:300]})"
        return replace(cleared, ari_error=failed, ari_next_check=iso(now + MIN_RECHECK))
    if info is None:
        return replace(cleared, ari_error=NO_ARI, ari_next_check=iso(now))
    start, end = _time(info.start), _time(info.end)
    if start is None or end is None or end < start:
        unusable = "ARI lookup failed (the window does not parse)"
        return replace(cleared, ari_error=unusable, ari_next_check="")
    if end < certificate.not_valid_before_utc:
        # A window that closed before the certificate existed would make every run renew a
        # fresh certificate: a CA's mistake or a hostile CA's way to exhaust rate limits.
        nonsense = f"ARI window ignored (it ends at {iso(end)}, before the certificate's notBefore)"
        return replace(cleared, ari_error=nonsense, ari_next_check=iso(now + MIN_RECHECK))
    recheck = DEFAULT_RECHECK
    if info.retry_after is not None:
        recheck = min(max(timedelta(seconds=info.retry_after), MIN_RECHECK), MAX_RECHECK)
    old = ari_window(status)
    chosen = old[2] if old and (old[0], old[1]) == (start, end) else _pick(start, end)
    return replace(
        status,
        ari_start=iso(start),
        ari_end=iso(end),
        ari_chosen=iso(chosen),
        ari_next_check=iso(now + recheck),
        ari_error="",
    )

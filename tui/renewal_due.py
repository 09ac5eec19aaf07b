"""When a certificate is due for renewal, for `cert renew`, `cert list` and the dashboard.

In order: `--force` (now); revoked by acmedash (now, whatever the dates say: a revoked
certificate fails every client that checks, and waiting for its expiry leaves it served for
years); `--days N` (N days before expiry, as lego's --days); the CA's ARI
window (RFC 9773 §4.2: a random moment inside the window, picked once per window and kept;
past the window's end, now; never before a tenth of the lifetime has passed); else when a
third of the lifetime is left (certbot's and lego's rule for 90-day certificates, which also
fits 6-day ones).

ARI is asked no more often than the CA's Retry-After says (kept in the status, RFC 9773
§4.3), and a lookup that fails in any way falls back to the expiry rule, without `replaces`.
A failed lookup is kept as well, for FAILED_RECHECK or the CA's Retry-After: a CA that never
answers made every run wait the whole lookup timeout again, per certificate. Whatever is kept
is kept with what it was asked with (ari_source): under another CA or CA bundle it is asked
again. The clock is a parameter: tests move time, they never sleep.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tui.acme.errors import AcmeError, InputError, ProblemError
from tui.renewal import RenewalSettings, Status
from tui.words import counted

if TYPE_CHECKING:
    from cryptography import x509

    from tui.acme.client import AcmeClient

Clock = Callable[[], datetime]
# RFC 9773 §4.3: without Retry-After, ask again in about six hours; a Retry-After is believed
# between a minute and a week (a CA answering "0" or "ten years" does not drive the timer).
DEFAULT_RECHECK = timedelta(hours=6)
MIN_RECHECK, MAX_RECHECK = timedelta(minutes=1), timedelta(days=7)
FAILED_RECHECK = timedelta(hours=1)  # a failed lookup without Retry-After
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

    this_one = status.serial == f"{certificate.serial_number:x}"
    window = ari_window(status) if this_one else None
    replaces = ari_cert_id(certificate) if window else ""
    not_after, not_before = certificate.not_valid_after_utc, certificate.not_valid_before_utc
    if force:
        return Decision(True, now, "forced", replaces)
    if this_one and status.revoked:
        return Decision(True, now, "revoked", replaces)
    if days is not None:
        when = not_after - timedelta(days=days)
        reason = f"{counted(days, 'day')} before expiry"
    elif window:
        start, end, chosen = window
        # Never later than a tenth of the lifetime before expiry: a window past the expiry
        # (a CA's mistake, or a hostile one) must not let the certificate lapse.
        when = min(chosen, end, not_after - (not_after - not_before) / 10)
        # Never earlier than a tenth of the lifetime after notBefore either: a CA that answers
        # every lookup with a window already past (a hostile one) would otherwise get a new
        # order from each timer run, forever. RFC 9773 §4.2 says a client SHOULD renew at once
        # when its chosen moment is past, a SHOULD that leaves the client its own limits; once
        # the floor is reached it renews, and --force renews at any time.
        when = max(when, not_before + (not_after - not_before) / 10)
        reason = f"ARI window {iso(start)} to {iso(end)}"
    else:
        when = not_after - (not_after - not_before) / 3
        reason = "a third of the lifetime left"
    return Decision(now >= when, when, reason, replaces)


def _pick(start: datetime, end: datetime) -> datetime:
    """RFC 9773 §4.2: a uniformly random moment in the window, so that clients spread out."""
    return start + timedelta(seconds=random.uniform(0, (end - start).total_seconds()))  # noqa: S311 - spreading load, not a secret


def ari_source(settings: RenewalSettings) -> str:
    """What a lookup is asked with: the CA, and the CA bundle trusted besides the system's."""
    return f"{settings.directory} {settings.ca_bundle}"


def cached_ari(certificate: x509.Certificate, status: Status, now: datetime, source: str) -> bool:
    """True when `status` holds this certificate's answer (a window or a failure) asked with
    `source`, and the time to ask again has not come."""
    next_check = _time(status.ari_next_check)
    return (
        status.serial == f"{certificate.serial_number:x}"
        and status.ari_source == source
        and next_check is not None
        and now < next_check
        and bool(ari_window(status) or status.ari_error)
    )


def _recheck(retry_after: float | None, default: timedelta) -> timedelta:
    """The CA's Retry-After within bounds, else `default`."""
    if retry_after is None:
        return default
    return min(max(timedelta(seconds=retry_after), MIN_RECHECK), MAX_RECHECK)


def _asked(certificate: x509.Certificate, status: Status, now: datetime, source: str) -> Status:
    """The status of this certificate, its window cleared, as asked now with `source`."""
    serial = f"{certificate.serial_number:x}"
    if status.serial != serial:
        status = Status(serial=serial, last_attempt=status.last_attempt,
                        last_result=status.last_result, last_error=status.last_error)  # fmt: skip
    return replace(
        status, ari_start="", ari_end="", ari_chosen="", ari_asked=iso(now), ari_source=source
    )


def ari_failed(
    certificate: x509.Certificate,
    status: Status,
    now: datetime,
    source: str,
    why: str,
    *,
    retry_after: float | None = None,
    keep: bool = True,
) -> Status:
    """The status after a failed lookup: no window, `why`, and not asked again before the
    CA's Retry-After (FAILED_RECHECK without one). `keep=False` for a failure of our own (an
    unreadable CA bundle), which the next run tries again."""
    failed = replace(_asked(certificate, status, now, source), ari_error=why, ari_next_check="")
    if keep:
        failed = replace(failed, ari_next_check=iso(now + _recheck(retry_after, FAILED_RECHECK)))
    return failed


def ari_said(status: Status, now: datetime, *, cached: bool) -> str:
    """What a run says of a failed lookup; a kept one as "ARI unavailable (cached, retry
    after HH:MM)", with the time in UTC (a date too when it is not within a day)."""
    if not cached or not status.ari_error or status.ari_error == NO_ARI:
        return status.ari_error
    when = _time(status.ari_next_check)
    if when is None:
        return status.ari_error
    at = f"{when:%H:%M} UTC" if when - now < timedelta(days=1) else iso(when)
    return f"ARI unavailable (cached, retry after {at}): {status.ari_error}"


async def refresh_ari(
    client: AcmeClient,
    certificate: x509.Certificate,
    status: Status,
    now: datetime,
    source: str,
) -> Status:
    """The status with the CA's current window, asked only when what is kept is another
    certificate's, was asked with another `source` (ari_source), or its time to ask again
    has come. A failed lookup, a CA without ARI or a window that makes no sense clears the
    window and records why."""
    if cached_ari(certificate, status, now, source):
        return status
    cleared = _asked(certificate, status, now, source)
    try:
        info = await client.renewal_info(certificate)
    except AcmeError as exc:
        why = f"ARI lookup failed ({str(exc)[:300]})"
        after = exc.retry_after if isinstance(exc, ProblemError) else None
        keep = not isinstance(exc, InputError)
        return ari_failed(certificate, status, now, source, why, retry_after=after, keep=keep)
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
    recheck = _recheck(info.retry_after, DEFAULT_RECHECK)
    old = ari_window(status) if status.serial == cleared.serial else None
    chosen = old[2] if old and (old[0], old[1]) == (start, end) else _pick(start, end)
    return replace(
        cleared,
        ari_start=iso(start),
        ari_end=iso(end),
        ari_chosen=iso(chosen),
        ari_next_check=iso(now + recheck),
        ari_error="",
    )

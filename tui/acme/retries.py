"""The retry ladder every request climbs: which failed attempts are tried again, when, and for
how long. Written once, as mholt/acmez's `acme/http.go` does, with the RFC text that dictates
each rung quoted next to it. The attempts themselves are core.py's `_send`: this module decides,
it sends nothing.
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from tui.acme.errors import (
    BAD_NONCE,
    AcmeError,
    NetworkError,
    NetworkTimeout,
    ProblemError,
    TlsError,
)
from tui.acme.models import Problem
from tui.acme.options import ClientOptions

# Network errors and 5xx answers to requests that may be repeated: two more attempts, 0.1 s
# and 0.2 s later. Short: a reset or a dropped keep-alive connection is over at once, and an
# unreachable CA is reported in well under a second instead of after a long back-off.
TRANSIENT_RETRIES = 2
TRANSIENT_BACKOFF = 0.1
# A Retry-After is believed up to a year; beyond, it is a year (no float('inf') downstream).
RETRY_AFTER_CAP = 365 * 86400.0
_DELAY_SECONDS = re.compile(r"[0-9]+")  # ASCII digits: str.isdigit() takes "²" too

SleepFn = Callable[[float], Awaitable[None]]
Signer = Callable[[str], bytes]
# One recorded attempt with this body, over within this many seconds (core._send).
Send = Callable[[bytes, float], Awaitable[httpx.Response]]


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """RFC 9110 §10.2.3: delay-seconds or an HTTP-date; None for anything else."""
    if not value:
        return None
    value = value.strip()
    if _DELAY_SECONDS.fullmatch(value):
        return min(float(value), RETRY_AFTER_CAP)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    return min(max(0.0, when - (time.time() if now is None else now)), RETRY_AFTER_CAP)


@dataclass
class Pace:
    """One poll's schedule: the resource is asked at most once per `interval`, its badNonce
    and 5xx retries included (a CA answering ten badNonce errors before each `pending` got
    11 requests a second), and no attempt starts after `until` (the polling deadline)."""

    interval: float
    until: float
    earliest: float = -math.inf


@dataclass(frozen=True)
class Ladder:
    """One client's retry ladder: its limits, where its nonces come from, how it reads an error
    answer, and its clock and sleep (injectable, so tests can run retries in no time)."""

    options: ClientOptions
    take_nonce: Callable[[], Awaitable[str]]
    problem: Callable[[httpx.Response], Problem]
    clock: Callable[[], float]
    sleep: SleepFn

    async def climb(
        self,
        send: Send,
        *,
        sign: Signer | None = None,
        idempotent: bool = True,
        pace: Pace | None = None,
    ) -> httpx.Response:
        """One request, signed or not, until a 2xx answer or an error to report. `sign` makes
        the body from a nonce: each attempt is signed anew, with a nonce of its own, so no JWS
        is ever sent twice. `idempotent`: repeating the request cannot do anything twice, so
        a network error or a 5xx answer, after which the server may or may not have acted, is
        tried again (a bounded number of times).

        All attempts share one deadline, options.request_deadline, stretched only by the
        Retry-After waits the server asked for: a body dribbled for 55 s and then reset, tried
        three times, took 166 s. A retry that cannot start before the deadline (or `pace`'s)
        is not made; the error that called for it is raised."""
        budget = self.clock() + self.options.request_deadline
        bad_nonces = waits = transient = 0
        delay = 0.0
        error: AcmeError | None = None
        while True:
            end = budget if pace is None else min(budget, pace.until)
            wait = delay if pace is None else max(delay, pace.earliest - self.clock())
            if error is not None and self.clock() + wait >= end:
                raise error
            if wait > 0:
                await self.sleep(wait)
            if pace is not None:
                pace.earliest = self.clock() + pace.interval
            body = sign(await self.take_nonce()) if sign else b""
            try:
                response = await send(body, end - self.clock())
            except NetworkError as exc:
                # RFC 9110 §9.2.2: "Idempotent methods are distinguished because the request
                # can be repeated automatically if a communication failure occurs before the
                # client is able to read the server's response." A certificate that does not
                # verify stays so; a timeout has already cost the whole deadline.
                if (
                    not idempotent
                    or isinstance(exc, TlsError | NetworkTimeout)
                    or transient == TRANSIENT_RETRIES
                ):
                    raise
                delay, error = TRANSIENT_BACKOFF * 2**transient, exc
                transient += 1
                continue
            if response.is_success:
                return response
            problem = self.problem(response)
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            error = ProblemError(problem, retry_after)
            delay = 0.0
            # RFC 8555 §6.5: "An error response with the "badNonce" error type MUST include a
            # Replay-Nonce header field with a fresh nonce that the server will accept in a
            # retry of the original query [...]. On receiving such a response, a client
            # SHOULD retry the request using the new nonce." That nonce is in the pool now.
            if sign is not None and problem.type == BAD_NONCE:
                bad_nonces += 1
                if bad_nonces <= self.options.bad_nonce_retries:
                    continue
                raise ProblemError(
                    Problem(
                        type=BAD_NONCE,
                        detail=f"server rejected {bad_nonces} nonces in a row; "
                        f"giving up ({problem.detail})",
                        status=problem.status,
                        raw=problem.raw,
                    )
                )
            # RFC 8555 §6.6: "the server SHOULD send a Retry-After header field [RFC7231]
            # indicating when the current request may succeed again"; a 503 with one says
            # the server did not handle the request (RFC 9110 §15.6.4), so any request may
            # be repeated then, if the wait is one we agree to.
            if response.status_code in (429, 503) and retry_after is not None:
                if waits < self.options.retry_after_attempts and (
                    retry_after <= self.options.retry_after_max
                ):
                    waits += 1
                    delay = retry_after
                    budget += retry_after
                    continue
                raise error
            # A 5xx may have come after the server acted: repeated only when that is harmless.
            if response.status_code >= 500 and idempotent and transient < TRANSIENT_RETRIES:
                delay = TRANSIENT_BACKOFF * 2**transient
                transient += 1
                continue
            raise error

"""Polling: asking the CA about a resource until it is done, at a pace the CA can bear.

The requests go through the retry ladder (retries.py) with a Pace, so the once-a-second floor
and the polling deadline bind every attempt, retries included.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from tui.acme.errors import DeadlineExceeded
from tui.acme.retries import Pace, SleepFn, parse_retry_after

# Polling: the first poll shortly after the request that set the CA to work, then never more
# often than once a second per resource, whatever Retry-After says (`Retry-After: 0` on every
# answer made 123,979 requests in 120 s before), backing off to 5 s without one.
POLL_SETTLE = 0.005
POLL_INTERVAL = 1.0
POLL_MAX_DELAY = 5.0


async def poll(
    url: str,
    request: Callable[[Pace], Awaitable[httpx.Response]],
    done: Callable[[httpx.Response], bool],
    *,
    deadline: float,
    clock: Callable[[], float],
    sleep: SleepFn,
) -> httpx.Response:
    """`request` (a POST-as-GET of `url`, paced) until `done(response)`, for at most `deadline`
    seconds, then a DeadlineExceeded.

    RFC 8555 §7.5.1: "In responding to poll requests while the validation is still in
    progress, the server MUST return a 200 (OK) response and MAY include a Retry-After
    header field to suggest a polling interval to the client." Suggested: it is honoured,
    but never below POLL_INTERVAL, and never past the deadline. Without one, the wait
    doubles from POLL_INTERVAL to POLL_MAX_DELAY.

    The first request waits only POLL_SETTLE: polls follow a request that just set the
    server to work, and asked at once, Pebble was still `processing` a finalize 7 times in
    10, costing a request; 5 ms later, 0 in 10.

    The once-a-second floor holds for every attempt, badNonce and 5xx retries included,
    and no retry starts past the deadline (Pace)."""
    limit = clock() + deadline
    pace = Pace(POLL_INTERVAL, limit)
    backoff = POLL_INTERVAL
    await sleep(POLL_SETTLE)
    while True:
        response = await request(pace)
        if done(response):
            return response
        hint = parse_retry_after(response.headers.get("Retry-After"))
        wait = min(max(POLL_INTERVAL, backoff if hint is None else hint), limit - clock())
        if wait < POLL_INTERVAL:
            raise DeadlineExceeded(f"{url} still not done after the polling deadline")
        await sleep(wait)
        backoff = min(backoff * 2, POLL_MAX_DELAY)

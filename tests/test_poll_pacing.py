"""Retries have deadlines and a pace. A CA answering every poll with ten badNonce errors (and
503s with `Retry-After: 0`, and 500s) before `pending` got 12-16 requests a second on one
authorization: the retry counters started afresh for each poll. A body dribbled for 55 s and
then reset was tried three times: 166 s for one request.

Now a polled resource is asked at most once per POLL_INTERVAL, retries included, and a poll's
retries end with the polling deadline; every request's attempts share one deadline.

Against tests/scripted_ca.py and tests/hostile_http.py, our own servers on 127.0.0.1: Pebble
cannot be told to reject every nonce, answer 5xx, or dribble and reset. Polling runs on a clock
that only the client's sleeping moves, so those tests take no time.
"""

from __future__ import annotations

import itertools

import pytest

from tests.hostile_http import Peer, Request, answering, drip_then_reset, reset, serve
from tests.scripted_ca import Answer, ScriptedCa
from tui.acme import keys
from tui.acme.client import AcmeClient, ClientOptions
from tui.acme.errors import AcmeError, NetworkTimeout
from tui.acme.polling import POLL_INTERVAL
from tui.acme.traffic import Exchange

PENDING = Answer(body={"status": "pending", "identifier": {"type": "dns", "value": "a.test"}})
BAD_NONCE = Answer(
    400,
    {"type": "urn:ietf:params:acme:error:badNonce", "detail": "stale"},
    content_type="application/problem+json",
)
BUSY = Answer(503, {}, {"Retry-After": "0"})
BROKEN = Answer(500, {})


async def _poll(
    ca: ScriptedCa, answers: list[Answer], deadline: float
) -> tuple[list[float], float]:
    """Polls /authz/1 until it fails; the (fake) times of the requests to it, and when the
    poll ended."""
    ca.routes["/authz/1"] = answers
    slept: list[float] = []
    times: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    def note(exchange: Exchange) -> None:
        if exchange.url.endswith("/authz/1"):
            times.append(sum(slept))

    async with AcmeClient(
        ca.directory_url,
        key=keys.generate_key("ec256"),
        account_url=f"{ca.base}/acct/1",
        sleep=fake_sleep,
        clock=lambda: sum(slept),
        observers=[note],
    ) as client:
        with pytest.raises(AcmeError):
            await client.wait_authorization(f"{ca.base}/authz/1", deadline)
    return times, sum(slept)


def _closest(times: list[float]) -> float:
    return min(later - earlier for earlier, later in itertools.pairwise(times))


@pytest.mark.parametrize(
    "storm",
    [[BAD_NONCE] * 10, [BUSY] * 3 + [BAD_NONCE] * 10 + [BROKEN] * 2],
    ids=["badnonce", "mix"],
)
async def test_a_polled_resource_is_asked_once_a_second_retries_included(
    ca: ScriptedCa, storm: list[Answer]
) -> None:
    times, ended = await _poll(ca, [*storm, PENDING], deadline=20.0)
    assert len(times) > 10
    assert _closest(times) >= POLL_INTERVAL - 1e-9  # sums of floats
    assert ended <= 20.0


async def test_a_polls_retries_end_with_the_polling_deadline(ca: ScriptedCa) -> None:
    """503 with Retry-After: 2, always: three waits would take 6 s, past the 3 s deadline."""
    times, ended = await _poll(ca, [Answer(503, {}, {"Retry-After": "2"})], deadline=3.0)
    assert ended <= 3.0
    assert len(times) == 2


async def test_a_requests_attempts_share_one_deadline() -> None:
    """The first attempt uses up 9.8 s of the 10 s request deadline and ends in a reset; the
    retry comes 0.1 s later and gets only the 0.1 s left, which ends it before its body (a
    2 s drip, then a reset) does: two requests and a timeout. With a fresh deadline per
    attempt (before), the retry outlived its drip, ended in a reset and was tried a third time.

    The ladder runs on a clock the test moves: the first attempt's 9.8 s is put on it when the
    server resets, so a slow, loaded machine cannot use up the deadline before the retry (on
    the real clock it did: one request instead of two). The retry's timeout and the drip's
    sleeps share one event loop, which runs the earlier one first however late it wakes."""
    now = [0.0]

    async def spend(seconds: float) -> None:
        now[0] += seconds

    async def used_up_then_reset(peer: Peer, request: Request) -> None:
        now[0] += 9.8
        await reset(peer, request)

    async with (
        serve(answering(used_up_then_reset), answering(drip_then_reset(2.0))) as server,
        AcmeClient(
            server.url(),
            options=ClientOptions(request_deadline=10.0),
            sleep=spend,
            clock=lambda: now[0],
        ) as client,
    ):
        with pytest.raises(NetworkTimeout):
            await client.directory()
    assert len(server.requests) == 2

"""AcmeClient against a real Pebble; the few behaviours Pebble cannot produce (a directory with
unknown keys, endless badNonce, 429 with Retry-After) use httpx.MockTransport, said per test."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Coroutine

import httpx
import pytest

from tests.conftest import ValidatingPebble
from tui.acme import __version__, jose, keys
from tui.acme.challenges import Http01Responder
from tui.acme.client import AcmeClient, ClientOptions, parse_retry_after
from tui.acme.errors import (
    DeadlineExceeded,
    InputError,
    NetworkError,
    ProblemError,
    TlsError,
)
from tui.acme.issuance import issue
from tui.acme.models import Identifier
from tui.acme.retries import RETRY_AFTER_CAP, TRANSIENT_RETRIES
from tui.acme.traffic import Exchange
from tui.acme.wire import LIMITS
from tui.pebble import Pebble, free_port

# Requests in flight before one without a nonce waits for theirs: the connection limit.
NONCE_WAIT_IN_FLIGHT = LIMITS.max_connections or 0
_names = itertools.count()


def _client(pebble: Pebble, log: list[Exchange], **kwargs: object) -> AcmeClient:
    return AcmeClient(
        pebble.directory_url,
        options=ClientOptions(ca_bundle=pebble.ca_bundle, language="de", user_agent="tests/1"),
        observers=[log.append],
        **kwargs,  # type: ignore[arg-type]
    )


def _client_with_defaults(pebble: Pebble, log: list[Exchange], key: jose.PrivateKey) -> AcmeClient:
    return AcmeClient(
        pebble.directory_url,
        key=key,
        options=ClientOptions(ca_bundle=pebble.ca_bundle),
        observers=[log.append],
    )


async def test_directory_and_nonce(pebble: Pebble) -> None:
    log: list[Exchange] = []
    async with _client(pebble, log) as client:
        directory = await client.directory()
        assert directory.new_account.endswith("/sign-me-up")
        assert directory.meta.terms_of_service
        assert directory.meta.external_account_required is False
        assert await client.directory() is directory, "directory is fetched once per client"
        nonce = await client.new_nonce()
    assert nonce
    assert [(e.method, e.status) for e in log] == [("GET", 200), ("HEAD", 200)]
    request_headers = dict(log[0].request_headers)
    assert request_headers["user-agent"] == f"acmedash/{__version__} tests/1"
    assert request_headers["accept-language"] == "de"
    assert log[1].nonce_received == nonce


async def test_account_lifecycle_and_traffic(pebble: Pebble) -> None:
    key = keys.generate_key("ec256")
    log: list[Exchange] = []
    async with _client(pebble, log, key=key) as client:
        with pytest.raises(ProblemError) as missing:
            await client.find_account()
        assert missing.value.type == "urn:ietf:params:acme:error:accountDoesNotExist"
        created = await client.new_account(["mailto:one@example.org"], terms_agreed=True)
        assert created.created and created.status == "valid"
        assert created.contact == ["mailto:one@example.org"]
        again = await client.new_account(["mailto:one@example.org"], terms_agreed=True)
        assert not again.created and again.url == created.url
        found = await client.find_account()
        assert found.url == created.url
        fetched = await client.fetch_account()
        assert fetched.url == created.url and fetched.status == "valid"
        updated = await client.update_account(
            ["mailto:two@example.org", "mailto:three@example.org"]
        )
        assert updated.contact == ["mailto:two@example.org", "mailto:three@example.org"]
        assert (await client.fetch_account()).contact == updated.contact
    assert [e.method for e in log].count("HEAD") == 1, "one HEAD newNonce per client, then the pool"
    posts = [e for e in log if e.method == "POST"]
    assert posts
    for exchange in posts:
        assert exchange.jws is not None
        assert (
            exchange.request_body
            and json.loads(exchange.request_body)["signature"] == exchange.jws.signature
        )
        assert jose.verify(json.loads(exchange.request_body), key)
        assert dict(exchange.request_headers)["content-type"] == "application/jose+json"
    # every nonce sent came from an earlier response's Replay-Nonce
    seen: set[str] = set()
    for exchange in log:
        if exchange.nonce_sent:
            assert exchange.nonce_sent in seen
        if exchange.nonce_received:
            seen.add(exchange.nonce_received)


async def test_full_account_flow_with_half_the_nonces_rejected(harsh_pebble: Pebble) -> None:
    """Every badNonce is retried with the nonce it carries, never a HEAD newNonce. With the
    default ten retries a request fails after eleven rejections in a row, one in 2048 at 50%
    (options.py says why ten): over this flow's dozen POSTs the test failed about one run in
    150. Thirty make a failure a one-in-a-billion chance per request, for the same check."""
    key = keys.generate_key("rsa2048")
    log: list[Exchange] = []
    options = ClientOptions(ca_bundle=harsh_pebble.ca_bundle, bad_nonce_retries=30)
    async with AcmeClient(
        harsh_pebble.directory_url, key=key, options=options, observers=[log.append]
    ) as client:
        for _ in range(3):
            account = await client.new_account(["mailto:harsh@example.org"], terms_agreed=True)
            await client.find_account()
            await client.fetch_account()
            await client.update_account(["mailto:harsh2@example.org"])
        assert account.status == "valid"
    bad = [e for e in log if e.problem and e.problem.short_type == "badNonce"]
    assert bad, "with 50% rejection some badNonce answers are expected"
    assert [e.method for e in log].count("HEAD") == 1


async def test_post_without_account_is_an_input_error(pebble: Pebble) -> None:
    async with _client(pebble, [], key=keys.generate_key("ec256")) as client:
        with pytest.raises(InputError, match="no account URL"):
            await client.post_as_get(pebble.directory_url)
        with pytest.raises(ProblemError, match="accountDoesNotExist"):
            await client.fetch_account()  # looks the key's account up first; there is none
    async with _client(pebble, []) as client:
        with pytest.raises(InputError, match="no account key"):
            await client.find_account()


async def test_untrusted_certificate_is_a_tls_error(pebble: Pebble) -> None:
    """Pebble's certificate is signed by a CA only the named bundle contains."""
    log: list[Exchange] = []
    async with AcmeClient(pebble.directory_url, observers=[log.append]) as client:
        with pytest.raises(TlsError, match="did not verify"):
            await client.directory()
    assert log[0].status is None and "did not verify" in log[0].error


async def test_connection_refused_is_a_network_error() -> None:
    """A GET is tried again after a network error, a bounded number of times; each attempt is
    in the log."""
    log: list[Exchange] = []
    async with AcmeClient(f"https://127.0.0.1:{free_port()}/dir", observers=[log.append]) as client:
        with pytest.raises(NetworkError, match="cannot reach"):
            await client.directory()
    assert len(log) == 1 + TRANSIENT_RETRIES
    assert all(e.status is None and "cannot reach" in e.error for e in log)


def _mock(
    handler: Callable[[httpx.Request], httpx.Response]
    | Callable[[httpx.Request], Coroutine[None, None, httpx.Response]],
    log: list[Exchange],
    **kwargs: object,
) -> AcmeClient:
    return AcmeClient(
        "https://ca.test/dir",
        transport=httpx.MockTransport(handler),
        observers=[log.append],
        **kwargs,  # type: ignore[arg-type]
    )


DIRECTORY = {
    "newNonce": "https://ca.test/nonce",
    "newAccount": "https://ca.test/acct",
    "newOrder": "https://ca.test/order",
    "revokeCert": "https://ca.test/revoke",
    "keyChange": "https://ca.test/key-change",
    "renewalInfo": "https://ca.test/ari",
    "Xk3vQ9zL": "https://community.letsencrypt.org/t/adding-random-entries-to-the-directory/33417",
    "meta": {
        "termsOfService": "https://ca.test/tos.pdf",
        "website": "https://ca.test",
        "caaIdentities": ["ca.test"],
        "externalAccountRequired": True,
        "profiles": {"classic": "the old one", "shortlived": "6 days"},
        "somethingNew": {"nested": True},
    },
}


class FakeCa:
    """Mock for what Pebble cannot do: a directory with a random key and extra meta, endless
    badNonce, and 429 answers with Retry-After."""

    def __init__(self, account_answers: list[httpx.Response]) -> None:
        self.account_answers = account_answers
        self.counter = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.counter += 1
        nonce = {"Replay-Nonce": f"nonce-{self.counter}"}
        if request.url.path == "/dir":
            return httpx.Response(200, json=DIRECTORY)
        if request.url.path == "/nonce":
            return httpx.Response(200, headers=nonce)
        answer = self.account_answers.pop(0)
        answer.headers.update(nonce)
        return answer


def _problem(status: int, kind: str, extra: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(
        status,
        headers={"Content-Type": "application/problem+json", **(extra or {})},
        json={
            "type": f"urn:ietf:params:acme:error:{kind}",
            "detail": f"{kind} happened",
            "status": status,
        },
    )


async def test_directory_is_parsed_leniently() -> None:
    async with _mock(FakeCa([]), []) as client:
        directory = await client.directory()
    assert directory.renewal_info == "https://ca.test/ari"
    assert directory.meta.profiles == {"classic": "the old one", "shortlived": "6 days"}
    assert directory.meta.caa_identities == ["ca.test"]
    assert directory.meta.external_account_required is True
    assert directory.raw["Xk3vQ9zL"].startswith("https://")


async def test_not_a_directory_is_an_input_error() -> None:
    """The directory URL is the user's: a web page there means the wrong URL (exit 2)."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, html="<html>hello</html>")

    async with _mock(handler, []) as client:
        with pytest.raises(InputError, match="not return JSON"):
            await client.directory()


async def test_bad_nonce_retries_are_bounded() -> None:
    """Endless badNonce (a fault Pebble cannot be told to produce 100% of the time)."""
    ca = FakeCa([_problem(400, "badNonce") for _ in range(20)])
    log: list[Exchange] = []
    async with _mock(ca, log, key=keys.generate_key("ec256")) as client:
        with pytest.raises(ProblemError, match="rejected 11 nonces in a row"):
            await client.find_account()
    posts = [e for e in log if e.method == "POST"]
    assert len(posts) == 11
    assert [p.nonce_sent for p in posts[1:]] == [p.nonce_received for p in posts[:-1]], (
        "each retry uses the nonce from the previous error"
    )


async def test_retry_after_is_waited_out_then_succeeds() -> None:
    """429 with Retry-After (Pebble has no rate limits)."""
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    ok = httpx.Response(
        200, headers={"Location": "https://ca.test/acct/1"}, json={"status": "valid"}
    )
    ca = FakeCa(
        [
            _problem(429, "rateLimited", {"Retry-After": "2"}),
            _problem(503, "serverInternal", {"Retry-After": "1"}),
            ok,
        ]
    )
    async with _mock(ca, [], key=keys.generate_key("ec256"), sleep=fake_sleep) as client:
        account = await client.find_account()
    assert account.url == "https://ca.test/acct/1"
    assert slept == [2.0, 1.0]


async def test_retry_after_beyond_the_limit_is_reported() -> None:
    """429 with a Retry-After longer than we agree to wait (Pebble has no rate limits)."""
    ca = FakeCa([_problem(429, "rateLimited", {"Retry-After": "3600"})])
    async with _mock(ca, [], key=keys.generate_key("ec256")) as client:
        with pytest.raises(ProblemError) as info:
            await client.find_account()
    assert info.value.type.endswith("rateLimited") and info.value.retry_after == 3600.0


async def test_subproblems_carry_identifiers() -> None:
    body = {
        "type": "urn:ietf:params:acme:error:rejectedIdentifier",
        "detail": "some names were rejected",
        "subproblems": [
            {
                "type": "urn:ietf:params:acme:error:caa",
                "detail": "CAA forbids",
                "identifier": {"type": "dns", "value": "a.example"},
            },
        ],
    }
    answer = httpx.Response(400, headers={"Content-Type": "application/problem+json"}, json=body)
    async with _mock(FakeCa([answer]), [], key=keys.generate_key("ec256")) as client:
        with pytest.raises(ProblemError) as info:
            await client.find_account()
    problem = info.value.problem
    assert problem.status == 400
    assert (
        problem.subproblems[0].identifier is not None
        and str(problem.subproblems[0].identifier) == "dns:a.example"
    )
    assert "caa [dns:a.example]: CAA forbids" in str(info.value)


async def test_a_5xx_is_tried_again_only_where_repeating_does_nothing_twice() -> None:
    """An HTML 502 page (a fault Pebble cannot be told to make): the account lookup is tried
    twice more and reported as a problem; newOrder, which would create a second order, once."""
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    bad_gateway = [httpx.Response(502, html="<h1>bad gateway</h1>") for _ in range(4)]
    log: list[Exchange] = []
    async with _mock(
        FakeCa(bad_gateway), log, key=keys.generate_key("ec256"), sleep=fake_sleep
    ) as client:
        with pytest.raises(ProblemError, match="HTTP 502"):
            await client.find_account()
        assert [e.status for e in log if e.method == "POST"] == [502] * (1 + TRANSIENT_RETRIES)
        assert slept == [0.1, 0.2]
        log.clear()
        client.account_url = "https://ca.test/acct/1"
        with pytest.raises(ProblemError, match="HTTP 502"):
            await client.new_order([Identifier("dns", "a.example")])
        assert [e.status for e in log if e.method == "POST"] == [502]


def test_parse_retry_after() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 7 ") == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    # Not ASCII digits, though str.isdigit() says so; crashed with a ValueError before.
    assert parse_retry_after("\u00b2") is None
    assert parse_retry_after("-5") is None
    assert parse_retry_after("Wed, 32 Oct 2015 07:28:00 GMT") is None
    assert parse_retry_after("9" * 5000) == RETRY_AFTER_CAP


class _StuckOrder:
    """An order that stays `processing`, answering each poll with the next of `retry_after`
    (the last one repeated): what Pebble, which finishes at once, cannot show. It refuses a
    201st poll, so a test of a polling loop that never ends fails instead of hanging."""

    def __init__(self, *retry_after: str | None) -> None:
        self.retry_after = list(retry_after)
        self.polls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/dir":
            return httpx.Response(200, json=DIRECTORY)
        headers = {"Replay-Nonce": f"n{self.polls}"}
        if request.url.path != "/order/1":
            return httpx.Response(200, headers=headers)
        self.polls += 1
        assert self.polls <= 200, "polling does not stop"
        value = self.retry_after.pop(0) if len(self.retry_after) > 1 else self.retry_after[0]
        if value is not None:
            headers["Retry-After"] = value
        return httpx.Response(200, headers=headers, json={"status": "processing"})


async def _poll_stuck_order(order: _StuckOrder, deadline: float) -> list[float]:
    """Polls until DeadlineExceeded; what the client slept, on a clock that only sleeping moves."""
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    async with AcmeClient(
        "https://ca.test/dir",
        key=keys.generate_key("ec256"),
        account_url="https://ca.test/acct/1",
        transport=httpx.MockTransport(order),
        sleep=fake_sleep,
        clock=lambda: sum(slept),
        options=ClientOptions(poll_deadline=deadline),
    ) as client:
        with pytest.raises(DeadlineExceeded, match="still not done"):
            await client.wait_order("https://ca.test/order/1")
    return slept


async def test_polling_honours_retry_after_then_backs_off_to_a_deadline() -> None:
    """Retry-After is used when given, else 1 s doubling to 5 s, after a 5 ms settle before the
    first request; a DeadlineExceeded before a wait would pass the deadline."""
    slept = await _poll_stuck_order(_StuckOrder(None, None, "3", None), deadline=12.0)
    assert slept == [0.005, 1.0, 2.0, 3.0, 5.0]


async def test_retry_after_zero_still_polls_at_most_once_a_second() -> None:
    """`Retry-After: 0` on every answer made 123,979 requests in 120 s before."""
    order = _StuckOrder("0")
    slept = await _poll_stuck_order(order, deadline=120.0)
    assert slept[0] == 0.005 and set(slept[1:]) == {1.0}
    assert order.polls <= 121


async def test_a_huge_retry_after_is_capped_by_the_deadline() -> None:
    """One last poll at the deadline instead of a wait of three years (or an error at once)."""
    order = _StuckOrder("99999999")
    slept = await _poll_stuck_order(order, deadline=120.0)
    assert slept[:2] == [0.005, 119.995]
    assert order.polls == 2


async def test_concurrent_requests_pass_nonces_on_instead_of_each_asking(pebble: Pebble) -> None:
    """40 requests at once: as many as the connection limit fetch a nonce, the others take the
    nonces their responses bring; each nonce is used once."""

    log: list[Exchange] = []
    async with _client_with_defaults(pebble, log, keys.generate_key("ec256")) as client:
        account = await client.new_account([], terms_agreed=True)
        log.clear()
        await asyncio.gather(*(client.post_as_get(account.url) for _ in range(40)))
    heads = [e for e in log if e.method == "HEAD"]
    posts = [e for e in log if e.method == "POST"]
    assert sum(e.status == 200 for e in posts) == 40
    # A badNonce answer's nonce may go to a waiting request; its own retry may then ask.
    rejected = sum(e.status == 400 for e in posts)
    assert len(heads) <= NONCE_WAIT_IN_FLIGHT + rejected < 40
    sent = [e.nonce_sent for e in posts]
    assert len(set(sent)) == len(sent)


@pytest.mark.parametrize("failure", ["no nonce", "no answer"])
async def test_a_request_ending_without_a_nonce_wakes_a_waiting_request(failure: str) -> None:
    """Errors without Replay-Nonce, or no answer at all, while others wait for a nonce (faults
    Pebble does not make): the waiters fetch their own nonce instead of hanging."""

    nonces = itertools.count()

    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)  # keeps requests in flight together
        if request.url.path == "/dir":
            return httpx.Response(200, json=DIRECTORY)
        if request.url.path == "/broken":
            if failure == "no answer":
                raise httpx.ConnectError("connection refused", request=request)
            return httpx.Response(500, text="no nonce here")
        return httpx.Response(200, headers={"Replay-Nonce": f"n{next(nonces)}"}, json={})

    async with _mock(
        handler, [], key=keys.generate_key("ec256"), account_url="https://ca.test/acct/1"
    ) as client:
        await client.directory()
        # Every request sent at first fails, so no nonce comes back to the ones waiting.
        broken = NONCE_WAIT_IN_FLIGHT + 12
        calls = [
            client.post_as_get("https://ca.test/broken" if i < broken else "https://ca.test/ok")
            for i in range(broken + NONCE_WAIT_IN_FLIGHT)
        ]
        results = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 10)
    failed = ProblemError if failure == "no nonce" else NetworkError
    assert sum(isinstance(r, failed) for r in results) == broken
    assert sum(isinstance(r, httpx.Response) for r in results) == NONCE_WAIT_IN_FLIGHT


async def test_concurrent_first_requests_fetch_the_directory_once(pebble: Pebble) -> None:
    log: list[Exchange] = []
    async with _client(pebble, log) as client:
        await asyncio.gather(*(client.directory() for _ in range(20)))
    assert [e.method for e in log] == ["GET"]


async def test_finalizing_again_follows_order_not_ready_to_the_order(
    validating: ValidatingPebble,
) -> None:
    """RFC 8555 §7.4: finalizing an order no longer `ready` is answered with orderNotReady,
    and the client "should then send a POST-as-GET request to the order resource": a finalize
    repeated after its first answer was lost ends with the valid order, not an error."""
    name = f"again-{next(_names)}.example.test"
    csr = keys.make_csr(keys.generate_key("ec256"), [name])
    responder = Http01Responder("127.0.0.1", validating.http_port)
    options = ClientOptions(ca_bundle=validating.pebble.ca_bundle, poll_deadline=60)
    async with AcmeClient(
        validating.pebble.directory_url, key=keys.generate_key("ec256"), options=options
    ) as client:
        await client.new_account([], terms_agreed=True)
        try:
            issued = await issue(client, [name], responder, csr)
        finally:
            await responder.close()
        again = await client.finalize(issued.order, csr)
    assert again.status == "valid" and again.certificate == issued.order.certificate

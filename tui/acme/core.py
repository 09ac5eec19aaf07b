"""The core of AcmeClient: the one path between acmedash and an ACME server.

`_send` is one HTTP attempt, the only code that sends anything, and every attempt becomes an
Exchange handed to the observers (HEAD newNonce, GET directory and every retry included).
`_request` is the retry ladder every request goes through, written once, as mholt/acmez's
`acme/http.go` does; `poll` waits for the CA. Behaviour that RFC 8555 dictates quotes the RFC
next to the code. The HTTP itself is httpx's, configured in wire.py.
"""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import json
import math
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import httpx

from tui.acme import __version__, jose, trust, wire
from tui.acme.errors import (
    BAD_NONCE,
    AcmeError,
    DeadlineExceeded,
    InputError,
    NetworkError,
    NetworkTimeout,
    ProblemError,
    ProtocolError,
    TlsError,
)
from tui.acme.models import Directory, Problem
from tui.acme.nonces import NoncePool
from tui.acme.traffic import PROBLEM_CONTENT_TYPE, Exchange, Observer

JOSE_CONTENT_TYPE = "application/jose+json"
# Polling: the first poll shortly after the request that set the CA to work, then never more
# often than once a second per resource, whatever Retry-After says (`Retry-After: 0` on every
# answer made 123,979 requests in 120 s before), backing off to 5 s without one.
POLL_SETTLE = 0.005
POLL_INTERVAL = 1.0
POLL_MAX_DELAY = 5.0
# Network errors and 5xx answers to requests that may be repeated: two more attempts, 0.1 s
# and 0.2 s later. Short: a reset or a dropped keep-alive connection is over at once, and an
# unreachable CA is reported in well under a second instead of after a long back-off.
TRANSIENT_RETRIES = 2
TRANSIENT_BACKOFF = 0.1
# A Retry-After is believed up to a year; beyond, it is a year (no float('inf') downstream).
RETRY_AFTER_CAP = 365 * 86400.0
_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")
_DELAY_SECONDS = re.compile(r"[0-9]+")  # ASCII digits: str.isdigit() takes "²" too

SleepFn = Callable[[float], Awaitable[None]]
Signer = Callable[[str], bytes]


def _loads(data: bytes) -> Any:
    """json.loads whose every failure is a ValueError: a deeply nested document exhausts the
    interpreter's recursion limit instead (RecursionError)."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    """The body as a JSON object, or a one-line ProtocolError naming what was expected."""
    try:
        body = _loads(response.content)
    except ValueError:
        raise ProtocolError(f"{what} response from {response.url} is not JSON") from None
    if not isinstance(body, dict):
        raise ProtocolError(f"{what} response from {response.url} is not a JSON object")
    return body


def parse_links(response: httpx.Response, rel: str) -> list[str]:
    """Every Link header target with this rel (RFC 8288), in order; relative URLs resolved.
    ACME uses several: `up`, `index`, `alternate` (§7.4.2), `next` (§7.1.2.1)."""
    found = []
    for value in response.headers.get_list("link"):
        for target, params in _LINK.findall(value):
            rels = re.findall(r'rel\s*=\s*"?([^";]+)"?', params)
            if any(rel in r.split() for r in rels):
                found.append(_resolved(response.url, target))
    return found


def _resolved(base: httpx.URL, target: str) -> str:
    try:
        return str(base.join(target))
    except (httpx.InvalidURL, ValueError):
        raise ProtocolError(
            f"the Link target {target[:200]!r} in the answer from {base} is not a URL"
        ) from None


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


def _header_value(what: str, value: str) -> str:
    """A configured header value goes out as given, so it must be one printable ASCII line:
    a line break in it would smuggle header fields of its own."""
    if not (value.isascii() and value.isprintable()):
        raise InputError(f"{what} {value!r} must be printable ASCII on one line")
    return value


@dataclass(frozen=True)
class ClientOptions:
    """What a user may tune. The defaults suit public CAs on ordinary networks."""

    user_agent: str = ""
    # Accept-Language; empty: from the process locale (wire.default_language).
    language: str = ""
    ca_bundle: Path | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    # One attempt, connection to the last byte, however slowly the server trickles.
    request_deadline: float = 60.0
    # 429 / 503 with Retry-After: wait when the server asks for at most this long, this often.
    retry_after_max: float = 60.0
    retry_after_attempts: int = 3
    # How long to keep polling an authorization or order before giving up, in seconds.
    poll_deadline: float = 120.0
    # RFC 8555 §6.5: a badNonce error carries a fresh nonce; retry with it this many times.
    # Ten, not five: against a server rejecting half of all nonces (Pebble's NONCEREJECT=50)
    # five retries still fail one request in 64; ten fail one in 2048.
    bad_nonce_retries: int = 10


@dataclass
class Pace:
    """One poll's schedule: the resource is asked at most once per `interval`, its badNonce
    and 5xx retries included (a CA answering ten badNonce errors before each `pending` got
    11 requests a second), and no attempt starts after `until` (the polling deadline)."""

    interval: float
    until: float
    earliest: float = -math.inf


class ClientCore:
    """Directory, nonces, signed POSTs, retries. The resource operations (account.py,
    orders.py, certificates.py) build on this; client.AcmeClient puts them together."""

    def __init__(
        self,
        directory_url: str,
        *,
        key: jose.PrivateKey | None = None,
        account_url: str | None = None,
        options: ClientOptions | None = None,
        observers: Iterable[Observer] = (),
        transport: httpx.AsyncBaseTransport | None = None,
        sequence: itertools.count[int] | None = None,
        sleep: SleepFn = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory_url = directory_url
        self.key = key
        self.account_url = account_url
        self.options = options or ClientOptions()
        self.observers: list[Observer] = list(observers)
        self._sequence = sequence if sequence is not None else itertools.count(1)
        self._sleep = sleep
        self._clock = clock  # injectable with `sleep`, so tests can run polling in no time
        connections = wire.LIMITS.max_connections or wire.MAX_CONNECTIONS
        self._nonces = NoncePool(wait_in_flight=connections)
        # Requests beyond the connection limit wait here, not in httpcore's pool: there every
        # waiting request is offered each connection that falls idle, all but one are turned
        # away and ask again; 50 concurrent orders took 15% more CPU.
        self._slots = asyncio.Semaphore(connections)
        self._directory: Directory | None = None
        self._directory_lock = asyncio.Lock()
        agent = " ".join(filter(None, [f"acmedash/{__version__}", self.options.user_agent]))
        headers = {
            "User-Agent": _header_value("user agent", agent),
            "Accept": "*/*",
            # The traffic record shows the bytes on the wire: no content coding (wire.py).
            "Accept-Encoding": "identity",
            "Accept-Language": _header_value(
                "language", self.options.language or wire.default_language()
            ),
        }
        self._http = wire.build_client(
            ssl_context=None if transport else trust.context(self.options.ca_bundle),
            timeout=httpx.Timeout(self.options.read_timeout, connect=self.options.connect_timeout),
            headers=headers,
            transport=transport,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- one attempt ------------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        url: str,
        body: bytes = b"",
        resent_from: int | None = None,
        accept: str | None = None,
        *,
        keep_nonce: bool = True,
        timeout: float,
    ) -> httpx.Response:
        """One attempt, recorded as an Exchange whatever happens, within `timeout` from the
        connection to the last byte. The response's nonce goes to a request waiting for one,
        else into the pool (unless `keep_nonce` is false: the caller's)."""
        headers = {"Content-Type": JOSE_CONTENT_TYPE} if body else {}
        if accept:
            headers["Accept"] = accept
        request = self._http.build_request(
            method, self._usable_url(url), headers=headers, content=body or None
        )
        exchange = Exchange(
            seq=next(self._sequence),
            started=datetime.now(UTC),
            endpoint=self.directory_url,
            method=method,
            url=url,
            request_headers=list(request.headers.items()),
            request_body=body,
            resent_from=resent_from,
        )
        start = time.perf_counter()
        nonce: str | None = None
        error: AcmeError | None = None
        self._nonces.started()
        try:
            async with self._slots, asyncio.timeout(max(0.0, timeout)):
                response = await self._http.send(request, stream=True)
                try:
                    nonce = response.headers.get("Replay-Nonce")
                    exchange.status = response.status_code
                    exchange.http_version = response.http_version
                    exchange.response_headers = list(response.headers.items())
                    limit = wire.body_limit(accept)
                    exchange.response_body = await wire.read_body(response, url, limit)
                finally:
                    await response.aclose()
        except httpx.HTTPError as exc:
            error = wire.describe_network_error(exc, url)
        except TimeoutError:
            deadline = self.options.request_deadline
            error = NetworkTimeout(f"no complete answer from {url} within {deadline:g} s")
        except ProtocolError as exc:
            error = exc
        except asyncio.CancelledError:
            self._record(exchange, start, "cancelled")
            raise
        finally:
            # RFC 8555 §6.5: "The server MUST include a Replay-Nonce header field in every
            # successful response to a POST request and SHOULD provide it in error responses
            # as well." Kept for the next request, or handed to one waiting.
            self._nonces.ended(nonce, keep=keep_nonce)
        self._record(exchange, start, str(error or ""))
        if error is not None:
            raise error
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=exchange.response_body,
            request=request,
            extensions={
                "http_version": response.http_version.encode("ascii"),
                "reason_phrase": response.reason_phrase.encode("ascii"),
            },
        )

    def _usable_url(self, url: str) -> httpx.URL:
        """Every URL but the directory's came from the CA (the directory, a Location, a JSON
        field, a Link): one that cannot be sent means the CA broke RFC 8555, not the user."""
        try:
            return wire.usable_url(url)
        except ValueError as exc:
            if url == self.directory_url:
                raise InputError(f"invalid directory URL {url!r}: {exc}") from None
            raise ProtocolError(
                f"the CA gave a URL acmedash cannot use, {url[:200]!r}: {exc}"
            ) from None

    def _record(self, exchange: Exchange, start: float, error: str) -> None:
        """The attempt is over, however it ended: into the log."""
        exchange.elapsed_ms = (time.perf_counter() - start) * 1000
        exchange.error = error
        for observer in self.observers:
            observer(exchange)

    def _problem(self, response: httpx.Response) -> Problem:
        if response.headers.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            try:
                return Problem.from_json(_loads(response.content), response.status_code)
            except ValueError:
                return Problem(
                    type="about:blank",
                    detail="unparseable problem document",
                    status=response.status_code,
                )
        reason = response.reason_phrase or "error"
        content_type = response.headers.get("Content-Type", "no content type")
        return Problem(
            type="about:blank",
            detail=f"HTTP {response.status_code} {reason} ({content_type})",
            status=response.status_code,
        )

    # -- the retry ladder -------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        url: str,
        *,
        sign: Signer | None = None,
        idempotent: bool = True,
        accept: str | None = None,
        resent_from: int | None = None,
        keep_nonce: bool = True,
        pace: Pace | None = None,
    ) -> httpx.Response:
        """Every request, signed or not, until a 2xx answer or an error to report. `sign` makes
        the body from a nonce: each attempt is signed anew, with a nonce of its own, so no JWS
        is ever sent twice. `idempotent`: repeating the request cannot do anything twice, so
        a network error or a 5xx answer, after which the server may or may not have acted, is
        tried again (a bounded number of times).

        All attempts share one deadline, options.request_deadline, stretched only by the
        Retry-After waits the server asked for: a body dribbled for 55 s and then reset, tried
        three times, took 166 s. A retry that cannot start before the deadline (or `pace`'s)
        is not made; the error that called for it is raised."""
        budget = self._clock() + self.options.request_deadline
        bad_nonces = waits = transient = 0
        delay = 0.0
        error: AcmeError | None = None
        while True:
            end = budget if pace is None else min(budget, pace.until)
            wait = delay if pace is None else max(delay, pace.earliest - self._clock())
            if error is not None and self._clock() + wait >= end:
                raise error
            if wait > 0:
                await self._sleep(wait)
            if pace is not None:
                pace.earliest = self._clock() + pace.interval
            body = sign(await self._take_nonce()) if sign else b""
            try:
                response = await self._send(
                    method,
                    url,
                    body,
                    resent_from,
                    accept,
                    keep_nonce=keep_nonce,
                    timeout=end - self._clock(),
                )
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
            problem = self._problem(response)
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

    async def _get(self, url: str, method: str = "GET", keep_nonce: bool = True) -> httpx.Response:
        """GET and HEAD are safe methods (RFC 9110 §9.2.1), so always idempotent."""
        return await self._request(method, url, keep_nonce=keep_nonce)

    async def directory(self) -> Directory:
        """RFC 8555 §7.1.1. Fetched once per client, also when concurrent orders all ask for
        it at once (they made 50 requests before); unknown keys are kept in `.raw`."""
        if self._directory is None:
            async with self._directory_lock:
                if self._directory is None:
                    self._directory = await self._fetch_directory()
        return self._directory

    async def _fetch_directory(self) -> Directory:
        response = await self._get(self.directory_url)
        try:
            obj = _loads(response.content)
        except ValueError:
            raise ProtocolError(
                f"{self.directory_url} did not return JSON: not an ACME directory"
            ) from None
        if not isinstance(obj, dict) or any(
            not isinstance(obj.get(k), str) for k in Directory.REQUIRED
        ):
            raise ProtocolError(
                f"{self.directory_url} is not an ACME directory "
                f"(needs {', '.join(Directory.REQUIRED)})"
            )
        return Directory.from_json(obj)

    async def new_nonce(self, *, keep: bool = True) -> str:
        """RFC 8555 §7.2: HEAD newNonce. With `keep` the nonce goes into the pool as any other
        would; without, it is only the caller's."""
        directory = await self.directory()
        response = await self._get(directory.new_nonce, method="HEAD", keep_nonce=keep)
        nonce: str | None = response.headers.get("Replay-Nonce")
        if not nonce:
            raise ProtocolError("newNonce response has no Replay-Nonce header")
        return nonce

    async def _take_nonce(self) -> str:
        return await self._nonces.take(lambda: self.new_nonce(keep=False))

    def require_key(self) -> jose.PrivateKey:
        if self.key is None:
            raise InputError("no account key loaded")
        return self.key

    async def post(
        self,
        url: str,
        payload: Any,
        *,
        use_jwk: bool = False,
        signer: jose.PrivateKey | None = None,
        accept: str | None = None,
        resent_from: int | None = None,
        idempotent: bool = False,
    ) -> httpx.Response:
        """A signed POST, signed anew on each attempt. `signer` replaces the account key, with a
        `jwk` header (revocation by the certificate's key, §7.6). `resent_from` links the
        exchange to the one a user edited and sent again.

        Idempotent, and so repeated after a network error or a 5xx: every POST-as-GET
        (payload None), since RFC 8555 §6.3 says "the server MUST treat this request as having
        the same semantics as a GET request for the same resource", and the POSTs a caller
        marks `idempotent` because the RFC makes their repetition harmless."""
        return await self._request(
            "POST",
            url,
            sign=self._signer(url, payload, use_jwk=use_jwk, signer=signer),
            idempotent=idempotent or payload is None,
            accept=accept,
            resent_from=resent_from,
        )

    def _signer(
        self, url: str, payload: Any, *, use_jwk: bool = False, signer: jose.PrivateKey | None
    ) -> Signer:
        key = signer or self.require_key()
        use_jwk = use_jwk or signer is not None
        if not use_jwk and self.account_url is None:
            raise InputError(
                "no account URL known for this key and endpoint; create or find the account first"
            )
        kid = None if use_jwk else self.account_url

        def sign(nonce: str) -> bytes:
            jws = jose.sign(key, payload, url=url, nonce=nonce, kid=kid)
            return json.dumps(jws).encode("utf-8")

        return sign

    async def post_as_get(self, url: str, accept: str | None = None) -> httpx.Response:
        return await self.post(url, None, accept=accept)

    async def poll(
        self,
        url: str,
        done: Callable[[httpx.Response], bool],
        *,
        deadline: float | None = None,
    ) -> httpx.Response:
        """POST-as-GET `url` until `done(response)`, for at most `deadline` seconds (default:
        options.poll_deadline), then a DeadlineExceeded.

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
        limit = self._clock() + (self.options.poll_deadline if deadline is None else deadline)
        pace = Pace(POLL_INTERVAL, limit)
        sign = self._signer(url, None, signer=None)
        backoff = POLL_INTERVAL
        await self._sleep(POLL_SETTLE)
        while True:
            response = await self._request("POST", url, sign=sign, pace=pace)
            if done(response):
                return response
            hint = parse_retry_after(response.headers.get("Retry-After"))
            wait = min(max(POLL_INTERVAL, backoff if hint is None else hint), limit - self._clock())
            if wait < POLL_INTERVAL:
                raise DeadlineExceeded(f"{url} still not done after the polling deadline")
            await self._sleep(wait)
            backoff = min(backoff * 2, POLL_MAX_DELAY)

    @property
    def thumbprint(self) -> str:
        return jose.thumbprint(jose.public_jwk(self.require_key()))

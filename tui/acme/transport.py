"""The transport core of AcmeClient: the one path between acmedash and an ACME server.

`_send` is the only code that touches httpx. Every round trip, including HEAD newNonce and GET
directory, becomes an Exchange handed to the observers. Behaviour dictated by RFC 8555 cites the
section next to the code.
"""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import json
import re
import ssl
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self
from urllib.request import getproxies

import httpx

from tui.acme import __version__, jose, trust
from tui.acme.errors import (
    DeadlineExceeded,
    InputError,
    NetworkError,
    ProblemError,
    ProtocolError,
    TlsError,
)
from tui.acme.http11 import MAX_CONNECTIONS, Http11Transport
from tui.acme.models import Directory, Problem
from tui.acme.traffic import PROBLEM_CONTENT_TYPE, Exchange, Observer

JOSE_CONTENT_TYPE = "application/jose+json"
BAD_NONCE = "urn:ietf:params:acme:error:badNonce"
NONCE_POOL_SIZE = 32
# With this many requests in flight, a request that finds no nonce in the pool waits for one of
# their responses' nonces instead of asking newNonce: as many as the transport sends at once.
# 50 concurrent orders made 50 HEAD requests before.
NONCE_WAIT_IN_FLIGHT = MAX_CONNECTIONS
POLL_SETTLE = 0.005
POLL_FIRST_DELAY = 0.05
POLL_MAX_DELAY = 5.0
_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")


def json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    """The body as a JSON object, or a ProtocolError naming what was expected."""
    try:
        body = response.json()
    except ValueError:
        raise ProtocolError(f"{what} response is not JSON") from None
    if not isinstance(body, dict):
        raise ProtocolError(f"{what} response is not a JSON object")
    return body


def parse_links(response: httpx.Response, rel: str) -> list[str]:
    """Every Link header target with this rel (RFC 8288), in order; relative URLs resolved.
    ACME uses several: `up`, `index`, `alternate` (§7.4.2), `next` (§7.1.2.1)."""
    found = []
    for value in response.headers.get_list("link"):
        for target, params in _LINK.findall(value):
            rels = re.findall(r'rel\s*=\s*"?([^";]+)"?', params)
            if any(rel in r.split() for r in rels):
                found.append(str(response.url.join(target)))
    return found


SleepFn = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class ClientOptions:
    """What a user may tune. The defaults suit public CAs on ordinary networks."""

    user_agent: str = ""
    language: str = ""
    ca_bundle: Path | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    # 429 / 503 with Retry-After: wait when the server asks for at most this long, this often.
    retry_after_max: float = 60.0
    retry_after_attempts: int = 3
    # How long to keep polling an authorization or order before giving up, in seconds.
    poll_deadline: float = 120.0
    # RFC 8555 §6.5: a badNonce error carries a fresh nonce; retry with it this many times.
    # Ten, not five: against a server rejecting half of all nonces (Pebble's NONCEREJECT=50)
    # five retries still fail one request in 64; ten fail one in 2048.
    bad_nonce_retries: int = 10


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """RFC 9110 §10.2.3: delay-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _describe_network_error(exc: httpx.HTTPError, url: str) -> NetworkError:
    text = str(exc) or type(exc).__name__
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return TlsError(
                f"TLS certificate of {httpx.URL(url).host} did not verify: {cause.verify_message}"
            )
        cause = cause.__cause__ or cause.__context__
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return TlsError(f"TLS certificate of {httpx.URL(url).host} did not verify: {text}")
    if isinstance(exc, httpx.TimeoutException):
        return NetworkError(f"timed out talking to {url} ({type(exc).__name__})")
    return NetworkError(f"cannot reach {url}: {text}")


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
        self._nonces: deque[str] = deque(maxlen=NONCE_POOL_SIZE)
        self._nonce_waiters: deque[asyncio.Future[str | None]] = deque()
        self._in_flight = 0
        self._directory: Directory | None = None
        self._directory_lock = asyncio.Lock()
        self._headers = {
            "User-Agent": " ".join(
                filter(None, [f"acmedash/{__version__}", self.options.user_agent])
            ),
            "Accept": "*/*",
            "Accept-Encoding": "gzip, deflate",
        }
        if self.options.language:
            self._headers["Accept-Language"] = self.options.language
        timeout = httpx.Timeout(self.options.read_timeout, connect=self.options.connect_timeout)
        self._timeout = timeout.as_dict()
        # Requests go straight to the transport: AsyncClient.send's URL and header merging,
        # cookie jar and redirect handling cost a third of the CPU time per request
        # (benchmarks/issuance.py), and ACME uses none of them.
        self._direct: httpx.AsyncBaseTransport | None = transport
        if transport is not None:
            self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        elif getproxies():
            # httpx honours HTTP(S)_PROXY and NO_PROXY only with its own transports.
            context = trust.context(self.options.ca_bundle)
            self._http = httpx.AsyncClient(verify=context, timeout=timeout)
        else:
            self._direct = Http11Transport(trust.context(self.options.ca_bundle))
            self._http = httpx.AsyncClient(timeout=timeout, transport=self._direct)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- transport core ---------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        url: str,
        body: bytes = b"",
        resent_from: int | None = None,
        accept: str | None = None,
        *,
        keep_nonce: bool = True,
    ) -> httpx.Response:
        """One round trip, recorded as an Exchange whatever happens. The response's nonce goes
        to a request waiting for one, else into the pool (unless `keep_nonce` is false)."""
        headers = dict(self._headers)
        if body:
            headers["Content-Type"] = JOSE_CONTENT_TYPE
        if accept:
            headers["Accept"] = accept
        try:
            request = httpx.Request(
                method,
                url,
                headers=headers,
                content=body or None,
                extensions={"timeout": self._timeout},
            )
        except httpx.InvalidURL as exc:
            raise InputError(f"invalid URL {url!r}: {exc}") from None
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
        self._in_flight += 1
        response: httpx.Response | None = None
        try:
            if self._direct is None:
                response = await self._http.send(request)
            else:
                response = await self._direct.handle_async_request(request)
                response.request = request
                await response.aread()
        except httpx.HTTPError as exc:
            error = _describe_network_error(exc, url)
            exchange.elapsed_ms = (time.perf_counter() - start) * 1000
            exchange.error = str(error)
            self._notify(exchange)
            raise error from None
        finally:
            self._in_flight -= 1
            if response is None:  # no answer, no nonce: a waiting request must ask for its own
                self._hand_on(None)
        exchange.elapsed_ms = (time.perf_counter() - start) * 1000
        exchange.status = response.status_code
        exchange.http_version = response.http_version
        exchange.response_headers = list(response.headers.items())
        exchange.response_body = response.content
        # RFC 8555 §6.5.1: every response may carry a fresh nonce; keep it for the next request.
        nonce = response.headers.get("Replay-Nonce")
        if keep_nonce or not nonce:
            self._hand_on(nonce)
        self._notify(exchange)
        return response

    def _hand_on(self, nonce: str | None) -> None:
        """A request ended: its nonce goes to the first request waiting for one, else into the
        pool. Without a nonce, that waiter is woken all the same, to fetch one itself."""
        while self._nonce_waiters:
            waiter = self._nonce_waiters.popleft()
            if not waiter.done():  # a waiter whose request was cancelled is skipped
                waiter.set_result(nonce)
                return
        if nonce:
            self._nonces.append(nonce)

    def _notify(self, exchange: Exchange) -> None:
        for observer in self.observers:
            observer(exchange)

    def _problem(self, response: httpx.Response) -> Problem:
        if response.headers.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            return Problem.from_body(response.content, response.status_code)
        reason = response.reason_phrase or "error"
        content_type = response.headers.get("Content-Type", "no content type")
        return Problem(
            type="about:blank",
            detail=f"HTTP {response.status_code} {reason} ({content_type})",
            status=response.status_code,
        )

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float | None:
        """How long to wait before retrying a 429/503, or None to give up and report it."""
        if response.status_code not in (429, 503) or attempt >= self.options.retry_after_attempts:
            return None
        delay = parse_retry_after(response.headers.get("Retry-After"))
        if delay is None or delay > self.options.retry_after_max:
            return None
        return delay

    async def _get(self, url: str, method: str = "GET", keep_nonce: bool = True) -> httpx.Response:
        for attempt in itertools.count():
            response = await self._send(method, url, keep_nonce=keep_nonce)
            if response.is_success:
                return response
            delay = self._retry_delay(response, attempt)
            if delay is None:
                raise ProblemError(
                    self._problem(response), parse_retry_after(response.headers.get("Retry-After"))
                )
            await self._sleep(delay)
        raise AssertionError("unreachable")

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
            obj = response.json()
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
        while not self._nonces:
            if self._in_flight < NONCE_WAIT_IN_FLIGHT:
                return await self.new_nonce(keep=False)
            waiter: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
            self._nonce_waiters.append(waiter)
            if nonce := await waiter:
                return nonce
        return self._nonces.pop()

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
    ) -> httpx.Response:
        """A signed POST (payload None = POST-as-GET, RFC 8555 §6.3), signed anew on each retry.
        `signer` replaces the account key, with a `jwk` header (revocation by the certificate's
        key, §7.6). `resent_from` links the exchange to the one a user edited and sent again."""
        key = signer or self.require_key()
        use_jwk = use_jwk or signer is not None
        if not use_jwk and self.account_url is None:
            raise InputError(
                "no account URL known for this key and endpoint; create or find the account first"
            )
        bad_nonces = 0
        for attempt in itertools.count():
            nonce = await self._take_nonce()
            jws = jose.sign(
                key, payload, url=url, nonce=nonce, kid=None if use_jwk else self.account_url
            )
            body = json.dumps(jws).encode("utf-8")
            response = await self._send("POST", url, body, resent_from, accept)
            if response.is_success:
                return response
            problem = self._problem(response)
            # RFC 8555 §6.5: on badNonce the client should retry with the nonce from the error.
            if problem.type == BAD_NONCE:
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
            delay = self._retry_delay(response, attempt - bad_nonces)
            if delay is None:
                raise ProblemError(problem, parse_retry_after(response.headers.get("Retry-After")))
            await self._sleep(delay)
        raise AssertionError("unreachable")

    async def post_as_get(self, url: str, accept: str | None = None) -> httpx.Response:
        return await self.post(url, None, accept=accept)

    async def poll(
        self,
        url: str,
        done: Callable[[httpx.Response], bool],
        *,
        deadline: float | None = None,
    ) -> httpx.Response:
        """POST-as-GET `url` until `done(response)`. RFC 8555 §7.5.1 / §7.4: honour
        Retry-After; without it back off from 50 ms, doubling, to a 5 s cap. Gives up after
        `deadline` seconds (default: options.poll_deadline) with a DeadlineExceeded.

        The first request waits POLL_SETTLE: polls follow a request that just set the server
        to work, and asked at once, Pebble was still `processing` a finalize 7 times in 10,
        costing a request and a 50 ms back-off; 5 ms later, 0 in 10."""
        limit = self._clock() + (self.options.poll_deadline if deadline is None else deadline)
        delay = POLL_FIRST_DELAY
        await self._sleep(POLL_SETTLE)
        while True:
            response = await self.post_as_get(url)
            if done(response):
                return response
            wait = parse_retry_after(response.headers.get("Retry-After"))
            wait = delay if wait is None else wait
            if self._clock() + wait > limit:
                raise DeadlineExceeded(f"{url} still not done after the polling deadline")
            await self._sleep(wait)
            delay = min(delay * 2, POLL_MAX_DELAY)

    @property
    def thumbprint(self) -> str:
        return jose.thumbprint(jose.public_jwk(self.require_key()))

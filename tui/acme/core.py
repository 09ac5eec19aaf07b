"""The core of AcmeClient: the one path between acmedash and an ACME server.

`_send` is one HTTP attempt, the only code that sends anything, and every attempt becomes an
Exchange handed to the observers (HEAD newNonce, GET directory and every retry included).
`_request` sends every request up the retry ladder (retries.py); `poll` waits for the CA
(polling.py). Behaviour that RFC 8555 dictates quotes the RFC next to the code. The HTTP itself
is httpx's, configured in wire.py.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Self

import httpx

from tui.acme import __version__, jose, origins, polling, trust, wire
from tui.acme.bodies import json_loads
from tui.acme.errors import AcmeError, InputError, NetworkTimeout, ProtocolError
from tui.acme.models import Directory, Problem
from tui.acme.nonces import NoncePool
from tui.acme.options import ClientOptions
from tui.acme.retries import Ladder, Pace, Signer, SleepFn
from tui.acme.traffic import PROBLEM_CONTENT_TYPE, Exchange, Observer

JOSE_CONTENT_TYPE = "application/jose+json"


def _header_value(what: str, value: str) -> str:
    """A configured header value goes out as given, so it must be one printable ASCII line:
    a line break in it would smuggle header fields of its own."""
    if not (value.isascii() and value.isprintable()):
        raise InputError(f"{what} {value!r} must be printable ASCII on one line")
    return value


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
        connections = wire.LIMITS.max_connections or wire.MAX_CONNECTIONS
        self._nonces = NoncePool(wait_in_flight=connections)
        # Requests beyond the connection limit wait here, not in httpcore's pool: there every
        # waiting request is offered each connection that falls idle, all but one are turned
        # away and ask again; 50 concurrent orders took 15% more CPU.
        self._slots = asyncio.Semaphore(connections)
        # `clock` is injectable with `sleep`, so tests can run retries and polling in no time.
        self._ladder = Ladder(self.options, self._take_nonce, self._problem, clock, sleep)
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
                return Problem.from_json(json_loads(response.content), response.status_code)
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

    # -- every request: up the retry ladder (retries.py) ------------------------------------

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
        """Every request, signed or not, up the retry ladder (retries.py), each attempt through
        `_send`."""

        async def send(body: bytes, timeout: float) -> httpx.Response:
            return await self._send(
                method, url, body, resent_from, accept, keep_nonce=keep_nonce, timeout=timeout
            )

        return await self._ladder.climb(send, sign=sign, idempotent=idempotent, pace=pace)

    async def _get(self, url: str, method: str = "GET", keep_nonce: bool = True) -> httpx.Response:
        """GET and HEAD are safe methods (RFC 9110 §9.2.1), so always idempotent."""
        return await self._request(method, url, keep_nonce=keep_nonce)

    async def directory(self, *, refresh: bool = False) -> Directory:
        """RFC 8555 §7.1.1. Fetched once per client, also when concurrent orders all ask for
        it at once (they made 50 requests before); unknown keys are kept in `.raw`. `refresh`
        GETs it again: for a person who asks for the directory (the dashboard's `d`), the copy
        fetched earlier looked like a key that did nothing."""
        if self._directory is None or refresh:
            async with self._directory_lock:
                if self._directory is None or refresh:
                    self._directory = await self._fetch_directory()
        return self._directory

    async def _fetch_directory(self) -> Directory:
        response = await self._get(self.directory_url)
        # The directory URL is the one URL the user gave: a document there that is not a
        # directory means a wrong URL (a web page, a typo in the path), an input error as an
        # unusable directory URL is (_usable_url), not a CA breaking RFC 8555.
        try:
            obj = json_loads(response.content)
        except ValueError:
            raise InputError(
                f"{self.directory_url} did not return JSON: not an ACME directory"
            ) from None
        if not isinstance(obj, dict) or any(
            not isinstance(obj.get(k), str) for k in Directory.REQUIRED
        ):
            raise InputError(
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
        await self.check_ca_url(url, "the URL")
        return await self._request(
            "POST",
            url,
            sign=self._signer(url, payload, use_jwk=use_jwk, signer=signer),
            idempotent=idempotent or payload is None,
            accept=accept,
            resent_from=resent_from,
        )

    async def check_ca_url(self, url: str, what: str) -> None:
        """A URL the CA gave, checked to be one signed requests may go to (origins.py)."""
        origins.check(url, self.directory_url, await self.directory(), what)

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
        options.poll_deadline), then a DeadlineExceeded; paced as polling.py says why."""
        await self.check_ca_url(url, "the URL")
        sign = self._signer(url, None, signer=None)
        return await polling.poll(
            url,
            lambda pace: self._request("POST", url, sign=sign, pace=pace),
            done,
            deadline=self.options.poll_deadline if deadline is None else deadline,
            clock=self._ladder.clock,
            sleep=self._ladder.sleep,
        )

    @property
    def thumbprint(self) -> str:
        return jose.thumbprint(jose.public_jwk(self.require_key()))

"""The HTTP layer under the ACME core: httpx's own client and transport, configured, never
rewritten. Everything here treats the server as hostile: bodies are read within a cap, a
response must be framed once and unambiguously, and bytes nobody asked for end the connection.

What httpx/httpcore/h11 already bound, and we rely on: response heads (status line and header
fields) larger than 100 KiB are refused (httpcore raises h11's max_incomplete_event_size from
its 16 KiB default to 100 KiB), so are conflicting Content-Length fields and any
Transfer-Encoding but chunked (h11); chunk-size lines fall under the same 100 KiB.
"""

from __future__ import annotations

import os
import re
import ssl
from collections.abc import AsyncIterator, Callable, Mapping
from functools import partial
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpcore
import httpx

from tui.acme.errors import NetworkError, NetworkTimeout, ProtocolError, TlsError
from tui.acme.hosts import is_loopback_host

# Requests in flight at once per client, which talks to one CA (httpx's limit is per pool, over
# all origins). More would hide more round trips from a CA far away (50 concurrent orders
# against one 50 ms away: 2.2x one order's time with 32 connections), but Debian's Pebble 2.4
# deadlocks on its own locks under that load: 50 concurrent orders hung it in 3 of 8 runs with
# 32 connections and with 20, in none of 8 with 10 (its goroutine dump: every handler waiting
# on the store's RWMutex behind AddCertificate). Against a local Pebble the number made no
# difference to speed.
MAX_CONNECTIONS = 10
LIMITS = httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)

PEM_CHAIN = "application/pem-certificate-chain"
MiB = 1024 * 1024
# JSON resources and problem documents of any real CA are a few KiB; a chain a few certificates.
JSON_LIMIT = 1 * MiB
PEM_LIMIT = 4 * MiB


def body_limit(accept: str | None) -> int:
    return PEM_LIMIT if accept == PEM_CHAIN else JSON_LIMIT


def _size(limit: int) -> str:
    return f"{limit // MiB} MiB"


def build_client(
    *,
    ssl_context: ssl.SSLContext | None,
    timeout: httpx.Timeout,
    headers: Mapping[str, str],
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """One AsyncClient for every request: at most MAX_CONNECTIONS per origin, proxies from the
    environment (trust_env), HTTP/1.1 only, no redirects, no cookies. `transport` is for tests
    that need a mock; production passes none and gets httpx's own transport."""
    client = httpx.AsyncClient(
        verify=ssl_context if ssl_context is not None else True,
        limits=LIMITS,
        timeout=timeout,
        headers=headers,
        trust_env=True,
        transport=transport,
        # ACME uses no cookies; a hostile server could otherwise grow the jar (and every
        # request after) by a few KiB per response.
        cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),
    )
    _refuse_unsolicited_bytes(client)
    return client


async def read_body(response: httpx.Response, url: str, limit: int) -> bytes:
    """The body as it came over the wire (RFC 9112 framing removed, nothing decoded), at most
    `limit` bytes; past that a ProtocolError, and the caller's closing the unfinished response
    closes its connection."""
    coding = response.headers.get("Content-Encoding", "").strip().lower()
    if coding not in ("", "identity"):
        # We sent `Accept-Encoding: identity`; RFC 9110 §12.5.3: "If a non-empty
        # Accept-Encoding header field is present in a request and none of the available
        # representations for the response have a content coding that is listed as
        # acceptable, the origin server SHOULD send a response without any content coding".
        # Refused rather than decoded: the traffic record keeps the bytes on the wire, and a
        # compressed body cannot expand past any cap (a gzip bomb is refused unread).
        raise ProtocolError(f"response from {url} is {coding}-encoded although we asked for none")
    if "Transfer-Encoding" in response.headers and "Content-Length" in response.headers:
        # RFC 9112 §6.1: "A sender MUST NOT send a Content-Length header field in any message
        # that contains a Transfer-Encoding header field." Two framings: a desync attempt.
        raise ProtocolError(f"response from {url} has both Content-Length and Transfer-Encoding")
    # RFC 9110 §9.3.2: a HEAD answer may carry the Content-Length a GET would get, and no body.
    length = "" if response.request.method == "HEAD" else response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > limit:  # h11 checked it is digits, at most 20
        raise ProtocolError(f"response from {url} larger than {_size(limit)} ({length} bytes)")
    body = bytearray()
    async for chunk in _raw_chunks(response):
        body += chunk
        if len(body) > limit:
            raise ProtocolError(f"response from {url} larger than {_size(limit)}")
    return bytes(body)


async def _raw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body as it arrives; a response made in memory (httpx.MockTransport in tests) comes
    already read, whole."""
    if response.is_stream_consumed:
        yield response.content
    else:
        async for chunk in response.aiter_raw():
            yield chunk


def usable_url(url: str) -> httpx.URL:
    """The URL as httpx will send it, or a ValueError saying why it cannot be sent (plain http
    only on loopback, the rule for the endpoint applied to every URL a CA gives): before it
    reaches the connection, where a port past 65535 raised OverflowError and a host `xn--`
    idna.IDNAError, and where a relative URL passed for a network error."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:  # idna.IDNAError is a ValueError
        raise ValueError(str(exc)) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError("not an absolute http:// or https:// URL")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise ValueError(f"port {parsed.port} is not a port to connect to")
    if parsed.scheme == "http" and not is_loopback_host(parsed.host):
        # Every request goes through here: an https directory naming http:// resources (or a
        # Location, a Link) would have signed requests and certificates cross in clear.
        raise ValueError("plain http:// off loopback; ACME needs https")
    return parsed


def describe_network_error(exc: httpx.HTTPError, url: str) -> NetworkError:
    """One line for an error without a usable response. A failed certificate check is found
    anywhere in the chain of causes; the chain is walked once, even if it loops."""
    text = str(exc) or type(exc).__name__
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLCertVerificationError):
            return TlsError(
                f"TLS certificate of {httpx.URL(url).host} did not verify: {cause.verify_message}"
            )
        cause = cause.__cause__ or cause.__context__
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return TlsError(f"TLS certificate of {httpx.URL(url).host} did not verify: {text}")
    if isinstance(exc, httpx.TimeoutException):
        return NetworkTimeout(f"timed out talking to {url} ({type(exc).__name__})")
    if isinstance(exc, httpx.RemoteProtocolError):
        return NetworkError(f"broken HTTP response from {url}: {text}")
    return NetworkError(f"cannot reach {url}: {text}")


_LOCALE = re.compile(r"([A-Za-z]{2,3})(?:_([A-Za-z]{2}|[0-9]{3}))?(?:[.@].*)?")


def default_language(environ: Mapping[str, str] = os.environ) -> str:
    """Accept-Language from the process locale (RFC 8555 §6.1: clients SHOULD send it, so a
    CA can answer problem details in the user's language), English as the fallback:
    `de_DE.UTF-8` -> `de-DE, en;q=0.5`; C, POSIX or unset -> `en`. POSIX order: LC_ALL, then
    LC_MESSAGES, then LANG."""
    value = next((environ[n] for n in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(n)), "")
    match = _LOCALE.fullmatch(value)
    if match is None:
        return "en"
    language, region = match.group(1).lower(), match.group(2)
    tag = f"{language}-{region.upper()}" if region else language
    return "en" if tag == "en" else f"{tag}, en;q=0.5"


class _Guarded(httpcore.AsyncConnectionInterface):
    """A pooled connection that counts as expired while idle with bytes nobody asked for, so
    the pool closes it instead of handing it to the next request."""

    def __init__(
        self,
        connection: httpcore.AsyncConnectionInterface,
        unread: Callable[[httpcore.AsyncConnectionInterface], bool],
    ) -> None:
        self._connection = connection
        self._unread = unread
        self._holds_unread: bool | None = None  # not known for this idle spell yet

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        self._holds_unread = None
        return await self._connection.handle_async_request(request)

    async def aclose(self) -> None:
        await self._connection.aclose()

    def info(self) -> str:
        return self._connection.info()

    def can_handle_request(self, origin: httpcore.Origin) -> bool:
        return self._connection.can_handle_request(origin)

    def is_available(self) -> bool:
        return self._connection.is_available()

    def has_expired(self) -> bool:
        if self._connection.has_expired():
            return True
        if not self._connection.is_idle():
            return False
        # Nothing reads from an idle connection, so what it holds unread cannot change before
        # the next request: looked at once per idle spell, though the pool asks every time
        # any request starts or ends (50 concurrent orders: 14,000 times for 360 requests).
        if self._holds_unread is None:
            self._holds_unread = self._unread(self._connection)
        return self._holds_unread

    def is_idle(self) -> bool:
        return self._connection.is_idle()

    def is_closed(self) -> bool:
        return self._connection.is_closed()


def _refuse_unsolicited_bytes(client: httpx.AsyncClient) -> None:
    """Bytes after a correctly framed response are never read as the answer to the next
    request (as Go's net/http: "Unsolicited response received on idle HTTP channel").

    httpcore already drops an idle connection whose socket is readable, but bytes that came in
    the same read as the response sit in h11's buffer, and h11 parses them as the response to
    the next request on that connection; over TLS, a record that came in the same segment
    waits, undecrypted, in the TLS object's buffer. Either way the socket is not readable.

    THE ONE PLACE THAT RELIES ON INTERNALS (httpx 0.28: `AsyncClient._transport`, `._mounts`,
    `AsyncHTTPTransport._pool`; httpcore 1.0: `._connection` of its connection classes,
    `AsyncHTTP11Connection._h11_state` and `._network_stream`): every pool of the client wraps
    the connections it creates in `_Guarded`. A connection whose state cannot be found counts
    as holding unread bytes: never reused, which is safe but slow, and tests/test_transport.py
    fails on it (connections must be reused) if httpcore changes."""

    def unread(connection: httpcore.AsyncConnectionInterface) -> bool:
        inner: object = connection
        while not isinstance(inner, httpcore.AsyncHTTP11Connection):
            inner = getattr(inner, "_connection", None)
            if inner is None:
                return True
        trailing = getattr(getattr(inner, "_h11_state", None), "trailing_data", None)
        stream = getattr(inner, "_network_stream", None)
        if trailing is None or trailing[0] or stream is None:
            return True
        tls = stream.get_extra_info("ssl_object")
        if tls is None:
            return False
        try:  # the connection is idle: whatever this reads is unsolicited, and ends it
            tls.read(1)
        except ssl.SSLWantReadError:
            return False
        except ssl.SSLError:
            pass
        return True

    for transport in (client._transport, *client._mounts.values()):
        pool = getattr(transport, "_pool", None)
        if isinstance(pool, httpcore.AsyncConnectionPool):
            # An instance attribute shadows the method the pool calls for each new connection.
            setattr(pool, "create_connection", partial(_guard, pool.create_connection, unread))  # noqa: B010


def _guard(
    create: Callable[[httpcore.Origin], httpcore.AsyncConnectionInterface],
    unread: Callable[[httpcore.AsyncConnectionInterface], bool],
    origin: httpcore.Origin,
) -> httpcore.AsyncConnectionInterface:
    return _Guarded(create(origin), unread)

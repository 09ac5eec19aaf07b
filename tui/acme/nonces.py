"""Anti-replay nonces (RFC 8555 §6.5, §7.2): a small pool of the nonces responses brought, and
requests waiting for the next one.

"Before sending a POST request to the server, an ACME client needs to have a fresh anti-replay
nonce to put in the "nonce" header of the JWS. In most cases, the client will have gotten a
nonce from a previous request." (§7.2) So every Replay-Nonce is kept, and a request that finds
none waits for one of the responses still on their way, as long as enough are: 50 concurrent
orders made 50 HEAD newNonce requests before.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

POOL_SIZE = 32


class NoncePool:
    """Nonces kept for the next requests. `wait_in_flight` is how many requests must be on
    their way before one without a nonce waits for theirs rather than asking newNonce: as many
    as the HTTP client sends at once (its connection limit), since requests beyond it only
    queue for a connection."""

    def __init__(self, wait_in_flight: int, size: int = POOL_SIZE) -> None:
        self.wait_in_flight = wait_in_flight
        self._nonces: deque[str] = deque(maxlen=size)
        self._waiters: deque[asyncio.Future[str | None]] = deque()
        self._in_flight = 0

    def started(self) -> None:
        """A request went out; its response may bring a nonce."""
        self._in_flight += 1

    def ended(self, nonce: str | None, *, keep: bool = True) -> None:
        """A request ended with this nonce (None: no answer, or none in it). Without `keep` the
        caller uses the nonce itself; a request ending without one still wakes a waiter, which
        then fetches its own instead of hanging."""
        self._in_flight -= 1
        if keep or not nonce:
            self._hand_on(nonce)

    def _hand_on(self, nonce: str | None) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # a waiter whose request was cancelled is skipped
                waiter.set_result(nonce)
                return
        if nonce:
            self._nonces.append(nonce)

    async def take(self, fetch: Callable[[], Awaitable[str]]) -> str:
        """A nonce from the pool, else one a response in flight brings, else `fetch`ed."""
        while not self._nonces:
            if self._in_flight < self.wait_in_flight:
                return await fetch()
            waiter: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            if nonce := await waiter:
                return nonce
        return self._nonces.pop()

"""ClientOptions: what a user may tune, apart from the client that uses it, so that the retry
ladder (retries.py) can read its limits without importing the client (core.py) back."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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

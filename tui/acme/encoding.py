"""base64url and JWS part decoding (RFC 7515 §2): no cryptography needed, so the traffic
inspector can decode requests without loading it (start-up time)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from tui.acme.errors import InputError

Jwk = dict[str, str]
Jws = dict[str, str]


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url; tolerate missing padding, reject anything else."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"not valid base64url: {exc}") from None


def decode_part(part: str) -> Any:
    """Decode a protected header or payload to JSON; "" stays "" (POST-as-GET)."""
    if part == "":
        return ""
    raw = b64url_decode(part)
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError("JWS part is not JSON") from None

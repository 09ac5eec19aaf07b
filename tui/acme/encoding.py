"""base64url and JWS part decoding (RFC 7515 §2): no cryptography needed, so the traffic
inspector can decode requests without loading it (start-up time)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from tui.acme.errors import InputError

Jwk = dict[str, str]
Jws = dict[str, str]


def b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def b64url_decode(text: object) -> bytes:
    """Decode base64url; tolerate missing padding, reject anything else (a character outside
    the alphabet, a length no encoding has, a value that is not a string), with InputError.
    The message never quotes the text: it may be a MAC key."""
    if not isinstance(text, str):
        raise InputError(f"not valid base64url: not a string ({type(text).__name__})")
    data = text.rstrip("=")
    if not _ALPHABET.fullmatch(data):
        raise InputError("not valid base64url: a character outside A-Z a-z 0-9 - _")
    padding = len(text) - len(data)
    if len(data) % 4 == 1 or (padding and (len(text) % 4 or padding > 2)):
        raise InputError("not valid base64url: wrong length or padding")
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def decode_part(part: object) -> Any:
    """Decode a protected header or payload to JSON; "" stays "" (POST-as-GET)."""
    if part == "":
        return ""
    raw = b64url_decode(part)
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError("JWS part is not JSON") from None
    except RecursionError:
        raise InputError("JWS part is JSON nested too deeply") from None

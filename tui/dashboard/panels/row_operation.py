"""The ACME operation an exchange is, for the traffic list's path column: authz, chall,
finalize and cert URLs differ only in their random tails, and cut to the list's width they
looked alike. Named from what was sent and what came back (RFC 8555 §7), not from the URL's
shape, which every CA spells its own way; "" when neither tells.

A display label only: nothing here decides anything, and a hostile answer can at worst give
a row a wrong name. Bodies are parsed only when small, and only for POST-as-GET."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from tui.acme.traffic import Exchange, header

SMALL = 64 * 1024  # bytes of response body worth parsing for a name
_INNER_JWS = {"protected", "payload", "signature"}


def _from_payload(payload: dict[str, Any], signed_with_jwk: bool) -> str:
    """What a request asks for, by its payload (RFC 8555 §7.3-7.6)."""
    if "csr" in payload:
        return "finalize"
    if "identifiers" in payload:
        return "newOrder"
    if "certificate" in payload:
        return "revokeCert"
    if payload.keys() >= _INNER_JWS:
        return "keyChange"
    if payload.get("status") == "deactivated":
        return "deactivate"
    if signed_with_jwk:
        return "newAccount"
    if "contact" in payload:
        return "account"
    return "chall" if not payload else ""


def _from_answer(exchange: Exchange) -> str:
    """What a POST-as-GET (or GET) fetched, by the resource that came back (RFC 8555 §7.1)."""
    content_type = header(exchange.response_headers, "content-type") or ""
    if "pem-certificate-chain" in content_type:
        return "cert"
    if not content_type.startswith("application/json") or len(exchange.response_body) > SMALL:
        return ""
    try:
        body = json.loads(exchange.response_body)
    except (ValueError, RecursionError):
        return ""
    if not isinstance(body, dict):
        return ""
    if "orders" in body:  # an account holds their URL; the list of its orders, them
        return "orders" if isinstance(body["orders"], list) else "account"
    for key, name in (
        ("newNonce", "directory"),
        ("suggestedWindow", "renewalInfo"),
        ("challenges", "authz"),
        ("finalize", "order"),
        ("token", "chall"),
    ):
        if key in body:
            return name
    return ""


@lru_cache(maxsize=4096)
def operation(exchange: Exchange) -> str:
    """newNonce, directory, newAccount, account, newOrder, order, authz, chall, finalize,
    cert, revokeCert, keyChange, deactivate, renewalInfo, orders; or "". Kept for the rows
    seen last: a row is drawn again at each cursor move over it, and a JSON body parsed each
    time cost a key press milliseconds (an exchange is hashed by identity)."""
    if exchange.method == "HEAD":
        return "newNonce"
    jws = exchange.jws
    if jws is not None and isinstance(jws.payload, dict):
        return _from_payload(jws.payload, "jwk" in jws.protected)
    return _from_answer(exchange) if exchange.status is not None else ""

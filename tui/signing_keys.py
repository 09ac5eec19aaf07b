"""Which public key each account signed with, from which exchange on, learnt from the traffic
itself: the inspector checks a kid-signed JWS with the key its account had when it was sent,
across key rollovers (RFC 8555 §7.3.5). Part of the traffic model (tui/traffic_log.py)."""

from __future__ import annotations

import bisect
import json
from typing import Any

from tui.acme.encoding import Jwk, decode_part
from tui.acme.errors import InputError
from tui.acme.traffic import Exchange, signature_valid


def _jws_part(body: bytes, name: str) -> Any:
    """One part of a flattened JWS, decoded; None when the body is no JWS."""
    try:
        jws = json.loads(body)
        return decode_part(jws[name]) if isinstance(jws, dict) else None
    except (ValueError, KeyError, TypeError, InputError, RecursionError):
        return None


def _rolled_over_to(payload: Any) -> tuple[str, Jwk] | None:
    """(account URL, new key) when `payload` is a key rollover's inner JWS (RFC 8555 §7.3.5:
    signed by the new key, which its `jwk` header carries; the payload names the account)."""
    if not isinstance(payload, dict):
        return None
    try:
        protected = decode_part(payload["protected"])
        inner = decode_part(payload["payload"])
    except (KeyError, TypeError, InputError):
        return None
    if not isinstance(protected, dict) or not isinstance(inner, dict):
        return None
    jwk, account = protected.get("jwk"), inner.get("account")
    if isinstance(jwk, dict) and isinstance(account, str) and "oldKey" in inner:
        return account, jwk
    return None


def _revocation(body: bytes) -> bool:
    """A revokeCert request (RFC 8555 §7.6): signed with the certificate's own key when jwk,
    which is no account's key, whatever Location the CA answers with. Taken as one, a hostile
    CA's Location made every later request of that account read "signature DOES NOT verify"."""
    payload = _jws_part(body, "payload")
    return isinstance(payload, dict) and "certificate" in payload


class SigningKeys:
    """Which public key each account had, from which exchange on: a kid-signed JWS is checked
    with the key its account had when it was sent, not with whichever key is current.

    An account's key is learnt from a jwk-signed request the CA answered with the account's
    Location (newAccount, account lookup) and from every key rollover the CA accepted; the
    session adds the key it signs with for an account it remembers from an earlier run."""

    def __init__(self) -> None:
        self._history: dict[str, list[tuple[int, Jwk]]] = {}  # URL -> [(from after seq, key)]

    def add(self, account_url: str, jwk: Jwk, after_seq: int) -> None:
        """From the exchange after `after_seq` on, `account_url` signs with `jwk`."""
        history = self._history.setdefault(account_url, [])
        bisect.insort(history, (after_seq, jwk), key=lambda entry: entry[0])

    def learn(self, exchange: Exchange, position: int, location: str | None) -> None:
        """`position`: the exchange's place in the log (its seq in a live session); `location`:
        its response's Location header. Decodes only what can change a key, and without
        caching it on the exchange: this runs for each of the 100,000 exchanges a file may
        hold."""
        status = exchange.status
        if status is None or not 200 <= status < 300 or not exchange.request_body:
            return  # only what the CA accepted changes an account's key
        if location:
            protected = _jws_part(exchange.request_body, "protected")
            if isinstance(protected, dict) and isinstance(protected.get("jwk"), dict):
                if not _revocation(exchange.request_body):
                    self.add(location, protected["jwk"], position)
                return
        if b'"payload":""' in exchange.request_body.replace(b" ", b""):
            return  # POST-as-GET: no rollover
        if rolled := _rolled_over_to(_jws_part(exchange.request_body, "payload")):
            self.add(*rolled, position)

    def key_for(self, account_url: str, position: int) -> Jwk | None:
        """The key `account_url` had when the exchange at `position` was sent; None when not
        known."""
        history = self._history.get(account_url, [])
        before = bisect.bisect_left(history, position, key=lambda entry: entry[0])
        return history[before - 1][1] if before else None

    def verdict(self, exchange: Exchange, position: int) -> bool | None:
        """True / False when the signature can be checked: with the `jwk` the JWS carries, or
        the key its `kid` account had then. None when that key is unknown: not checked."""
        if exchange.jws is None:
            return None
        kid = exchange.jws.protected.get("kid")
        key = self.key_for(kid, position) if isinstance(kid, str) else None
        return signature_valid(exchange, {kid: key} if key and isinstance(kid, str) else {})

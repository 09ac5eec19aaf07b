"""The traffic model, UI-free: every exchange of the session in arrival order, the filter that
picks the rows shown, where each nonce came from, and which key signed for which account.

The dashboard's list widget only walks and renders this (as Textualize/toolong's LogLines over
its LogFile, or mitmproxy's flow list over its view); anything that wants to know about the
traffic asks here, not a widget.

Filter language: words match anywhere in a row; `method:`, `status:` (200, 4xx), `problem:`
(badNonce, or `problem:any`) narrow by field. All terms must match.
"""

from __future__ import annotations

import bisect
import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tui.acme.encoding import Jwk, decode_part
from tui.acme.errors import InputError
from tui.acme.traffic import Exchange, header, signature_valid

NO_RESPONSE = ("error", "none", "-")
FREEZE_EVERY = 1000  # exchanges appended between two gc.freeze() calls


def _statuses(pattern: str) -> frozenset[int | None]:
    """Every status a pattern like `4xx` or `201` matches, worked out once per filter so that
    matching 10,000 rows is a set lookup each (benchmarks/traffic_keys.py)."""
    if pattern in NO_RESPONSE:
        return frozenset({None})
    return frozenset(
        code
        for code in range(100, 600)
        if len(pattern) == 3 and all(p in ("x", c) for p, c in zip(pattern, str(code), strict=True))
    )


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...] = ()
    method: str = ""
    status: str = ""
    problem: str = ""
    statuses: frozenset[int | None] = field(default=frozenset(), compare=False)

    @classmethod
    def parse(cls, text: str) -> Query:
        words: list[str] = []
        fields = {"method": "", "status": "", "problem": ""}
        for token in text.lower().split():
            name, colon, value = token.partition(":")
            if colon and name in fields and value:
                fields[name] = value
            else:
                words.append(token)
        return cls(tuple(words), **fields, statuses=_statuses(fields["status"]))

    def __bool__(self) -> bool:
        return bool(self.words or self.method or self.status or self.problem)

    def matches(self, exchange: Exchange, text: str | None = None) -> bool:
        """`text` is the exchange's row_text(), when the caller keeps it; else computed here."""
        if self.method and exchange.method.lower() != self.method:
            return False
        if self.status and exchange.status not in self.statuses:
            return False
        if self.problem:
            problem = exchange.problem
            if problem is None:
                return False
            if self.problem != "any" and self.problem not in problem.type.lower():
                return False
        if self.words:
            haystack = row_text(exchange) if text is None else text
            return all(word in haystack for word in self.words)
        return True


def row_text(exchange: Exchange) -> str:
    """What a traffic row says, lower-cased: what free words are matched against."""
    path = urlsplit(exchange.url).path or "/"
    status = str(exchange.status) if exchange.status is not None else "ERR"
    problem = exchange.problem.short_type if exchange.problem else exchange.error
    return f"{exchange.method} {path} {status} {problem}".lower()


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

    def learn(self, exchange: Exchange) -> None:
        jws, status = exchange.jws, exchange.status
        if jws is None or status is None or not 200 <= status < 300:
            return  # only what the CA accepted changes an account's key
        location = header(exchange.response_headers, "location")
        jwk = jws.protected.get("jwk")
        if location and isinstance(jwk, dict):
            self.add(location, jwk, exchange.seq)
        elif rolled := _rolled_over_to(jws.payload):
            self.add(*rolled, exchange.seq)

    def key_for(self, account_url: str, seq: int) -> Jwk | None:
        """The key `account_url` had when exchange `seq` was sent; None when not known."""
        history = self._history.get(account_url, [])
        before = bisect.bisect_left(history, seq, key=lambda entry: entry[0])
        return history[before - 1][1] if before else None

    def verdict(self, exchange: Exchange) -> bool | None:
        """True / False when the signature can be checked: with the `jwk` the JWS carries, or
        the key its `kid` account had then. None when that key is unknown: not checked."""
        if exchange.jws is None:
            return None
        kid = exchange.jws.protected.get("kid")
        key = self.key_for(kid, exchange.seq) if isinstance(kid, str) else None
        return signature_valid(exchange, {kid: key} if key and isinstance(kid, str) else {})


class TrafficLog:
    """The exchanges, the filtered row indices, and the indexes kept up to date as exchanges
    arrive, so that selecting a row never rescans the log."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.rows: list[int] = []  # indices into `exchanges` that the filter lets through
        self.query_text = ""
        self.keys = SigningKeys()
        self._query = Query()
        self._texts: list[str] = []  # row_text() of each exchange, for filtering
        self._nonce_source: dict[str, Exchange] = {}

    @property
    def last_seq(self) -> int:
        return self.exchanges[-1].seq if self.exchanges else 0

    def _settle(self) -> None:
        """Move what the log holds out of the garbage collector's sight. Exchanges live until
        the app ends; with 10,000 of them a full collection took 50-60 ms, a visible stall in
        the middle of a key press (benchmarks/traffic_keys.py)."""
        gc.freeze()

    def _index(self, exchange: Exchange) -> None:
        self._texts.append(row_text(exchange))
        if exchange.nonce_received:
            self._nonce_source[exchange.nonce_received] = exchange
        self.keys.learn(exchange)

    def append(self, exchange: Exchange) -> bool:
        """Records one exchange; True when the filter shows it (it is the last row then)."""
        self.exchanges.append(exchange)
        if len(self.exchanges) % FREEZE_EVERY == 0:
            self._settle()
        self._index(exchange)
        if self._query.matches(exchange, self._texts[-1]):
            self.rows.append(len(self.exchanges) - 1)
            return True
        return False

    def extend(self, exchanges: Iterable[Exchange]) -> None:
        for exchange in exchanges:
            self.exchanges.append(exchange)
            self._index(exchange)
        self._settle()
        self.apply_filter(self.query_text)

    def apply_filter(self, text: str) -> None:
        self.query_text = text
        self._query = Query.parse(text)
        matches = self._query.matches
        self.rows = [i for i, e in enumerate(self.exchanges) if matches(e, self._texts[i])]

    def shown(self) -> list[Exchange]:
        """The exchanges the filter lets through, in order (what export writes)."""
        return [self.exchanges[i] for i in self.rows]

    def nonce_origin(self, exchange: Exchange) -> Exchange | None:
        """The earlier exchange whose response supplied the nonce this request sent."""
        nonce = exchange.nonce_sent
        origin = self._nonce_source.get(nonce) if nonce else None
        return origin if origin is not None and origin.seq < exchange.seq else None

    def signature_valid(self, exchange: Exchange) -> bool | None:
        return self.keys.verdict(exchange)

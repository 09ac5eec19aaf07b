"""The traffic model, UI-free: every exchange of the session in arrival order, the filter that
picks the rows shown, where each nonce came from, and which key signed for which account.

The dashboard's list widget only walks and renders this (as Textualize/toolong's LogLines over
its LogFile, or mitmproxy's flow list over its view); anything that wants to know about the
traffic asks here, not a widget.

Filter language: words match anywhere in a row; `method:`, `status:` (200, 4xx), `problem:`
(badNonce, or `problem:any`) narrow by field. All terms must match.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tui.acme.encoding import Jwk
from tui.acme.traffic import Exchange, signature_valid, signing_keys

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


class TrafficLog:
    """The exchanges, the filtered row indices, and the indexes kept up to date as exchanges
    arrive, so that selecting a row never rescans the log."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.rows: list[int] = []  # indices into `exchanges` that the filter lets through
        self.query_text = ""
        self._query = Query()
        self._texts: list[str] = []  # row_text() of each exchange, for filtering
        self._nonce_source: dict[str, Exchange] = {}
        self._signing_keys: dict[str, Jwk] = {}

    def _settle(self) -> None:
        """Move what the log holds out of the garbage collector's sight. Exchanges live until
        the app ends; with 10,000 of them a full collection took 50-60 ms, a visible stall in
        the middle of a key press (benchmarks/traffic_keys.py)."""
        gc.freeze()

    def _index(self, exchange: Exchange) -> None:
        self._texts.append(row_text(exchange))
        if exchange.nonce_received:
            self._nonce_source[exchange.nonce_received] = exchange
        self._signing_keys.update(signing_keys([exchange]))

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

    def signature_valid(
        self, exchange: Exchange, session_key: tuple[str, Jwk] | None = None
    ) -> bool | None:
        """True / False when the signature can be checked; None when the key is unknown.
        `session_key` is (account URL, public JWK) of the key this session signs with."""
        known = dict(self._signing_keys)
        if session_key is not None:
            known.setdefault(*session_key)
        return signature_valid(exchange, known)

"""The traffic model, UI-free: every exchange of the session in arrival order, the filter that
picks the rows shown, where each nonce came from, and which key signed for which account.

The dashboard's list widget only walks and renders this (as Textualize/toolong's LogLines over
its LogFile, or mitmproxy's flow list over its view); anything that wants to know about the
traffic asks here, not a widget.

The filter language itself is tui/traffic_filter.py. `TrafficLog.status()` is the read API for
a status line (N of M, follow, filter); `add_listener` says when to read it again.
"""

from __future__ import annotations

import bisect
import gc
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tui.acme.encoding import Jwk, decode_part
from tui.acme.errors import InputError
from tui.acme.traffic import Exchange, Headers, signature_valid
from tui.traffic_filter import Query, row_text

FREEZE_EVERY = 1000  # exchanges appended between two gc.freeze() calls


def _picked(headers: Headers) -> tuple[str | None, str | None]:
    """(Replay-Nonce, Location) in one pass over the headers: header() twice, once per name,
    took most of the time 100,000 exchanges took to index."""
    nonce = location = None
    for name, value in headers:
        lowered = name.lower()
        if lowered == "replay-nonce" and nonce is None:
            nonce = value
        elif lowered == "location" and location is None:
            location = value
    return nonce, location


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


@dataclass(frozen=True)
class TrafficStatus:
    """What a status line says about the traffic: `total` exchanges held (M), `shown` by the
    filter (N), whether the list follows new ones, the filter as typed, how many are marked."""

    total: int
    shown: int
    follow: bool
    filter: str
    marked: int

    def __str__(self) -> str:
        parts = [f"{self.shown} of {self.total}", f"follow {'on' if self.follow else 'off'}"]
        if self.filter:
            parts.append(f"filter: {self.filter}")
        if self.marked:
            parts.append(f"{self.marked} marked")
        return " · ".join(parts)


Listener = Callable[[], None]


class TrafficLog:
    """The exchanges, the filtered row indices, the marks, and the indexes kept up to date as
    exchanges arrive, so that selecting a row never rescans the log.

    An exchange has an index (into `exchanges`, what `rows` and `marked` hold) and a position
    (its place among every exchange this log has taken, never reused: what the signing keys
    are ordered by, so they survive `clear`). A file may hold several runs, each numbering its
    exchanges from 1: a new run starts wherever `seq` does not grow, and then `label` names an
    exchange `run:seq`."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.rows: list[int] = []  # indices into `exchanges` that the filter lets through
        self.marked: set[int] = set()  # indices into `exchanges`
        self.query_text = ""
        self.follow = True
        self.history: list[str] = []  # filters applied, oldest first, no repeats
        self.keys = SigningKeys()
        self._query = Query()
        # row_text() of each exchange, for filtering; computed for the first filter with free
        # words, not at open: 100,000 of them took a second (benchmarks/traffic_100k.py).
        self._texts: list[str] = []
        self._nonce_source: dict[str, int] = {}  # nonce -> index of the response carrying it
        self._index_of: dict[int, int] = {}  # id(exchange) -> index
        self._cleared = 0  # exchanges dropped by clear(): position = _cleared + index + 1
        self._run_starts: list[int] = []  # the position where each run starts
        self._previous_seq: int | None = None
        self._seq_digits = 1  # of the longest seq taken
        self._listeners: list[Listener] = []

    # -- the read API for a status line ---------------------------------------------------

    def status(self) -> TrafficStatus:
        """Total M, shown N, follow on/off, the active filter's text, marked count."""
        return TrafficStatus(
            total=len(self.exchanges),
            shown=len(self.rows),
            follow=self.follow,
            filter=self.query_text,
            marked=len(self.marked),
        )

    def add_listener(self, listener: Listener) -> None:
        """`listener()` runs after every change status() would show (an exchange appended, a
        filter applied, follow switched, a mark, a clear); it reads status() itself."""
        self._listeners.append(listener)

    def changed(self) -> None:
        for listener in self._listeners:
            listener()

    def set_follow(self, follow: bool) -> None:
        if follow != self.follow:
            self.follow = follow
            self.changed()

    # -- names that stay unambiguous across runs ------------------------------------------

    @property
    def last_seq(self) -> int:
        """The position of the last exchange taken: what SigningKeys.add's `after_seq` means
        (positions are seqs in a live session, which never restarts its count)."""
        return self._cleared + len(self.exchanges)

    @property
    def runs(self) -> int:
        return len(self._run_starts)

    def index(self, exchange: Exchange) -> int:
        """Index of an exchange this log holds (KeyError when it does not)."""
        return self._index_of[id(exchange)]

    def label(self, index: int) -> str:
        """The row's name for an exchange: its seq, or `run:seq` when the log holds more than
        one run (seq 1 would be several exchanges otherwise)."""
        exchange = self.exchanges[index]
        return self._named(exchange.seq, index)

    def _named(self, seq: int, index: int) -> str:
        if self.runs <= 1:
            return str(seq)
        run = bisect.bisect_right(self._run_starts, self._cleared + index + 1)
        return f"{run}:{seq}"

    def reference(self, exchange: Exchange) -> str:
        """`#label` of an exchange this log holds, for the detail pane's cross references."""
        return f"#{self.label(self.index(exchange))}"

    def resent_reference(self, exchange: Exchange) -> str:
        """`#label` of the exchange `exchange` was edited from (same run)."""
        if exchange.resent_from is None:
            return ""
        return f"#{self._named(exchange.resent_from, self.index(exchange))}"

    def run_starts(self) -> list[int]:
        """Indices (into `exchanges`) where each run after the first begins, of those held:
        where the list draws a line between runs."""
        return [p - self._cleared - 1 for p in self._run_starts[1:] if p > self._cleared + 1]

    @property
    def label_width(self) -> int:
        """Columns the widest label may take: the list's first column."""
        run = len(str(self.runs)) + 1 if self.runs > 1 else 0
        return max(5, self._seq_digits + run)

    # -- taking exchanges -----------------------------------------------------------------

    def _settle(self) -> None:
        """Move what the log holds out of the garbage collector's sight. Exchanges live until
        the app ends; with 10,000 of them a full collection took 50-60 ms, a visible stall in
        the middle of a key press (benchmarks/traffic_keys.py)."""
        gc.freeze()

    def _index(self, exchange: Exchange) -> None:
        index = len(self.exchanges) - 1
        position = self._cleared + index + 1
        if self._previous_seq is None or exchange.seq <= self._previous_seq:
            self._run_starts.append(position)
        self._previous_seq = exchange.seq
        self._seq_digits = max(self._seq_digits, len(str(exchange.seq)))
        self._index_of[id(exchange)] = index
        nonce, location = _picked(exchange.response_headers)
        if nonce:
            self._nonce_source[nonce] = index
        self.keys.learn(exchange, position, location)

    def _texts_for(self, query: Query) -> list[str]:
        return self._row_texts() if query.needs_row else [""] * len(self.exchanges)

    def _row_texts(self) -> list[str]:
        texts = self._texts
        if len(texts) < len(self.exchanges):
            texts += [row_text(e) for e in self.exchanges[len(texts) :]]
        return texts

    def append(self, exchange: Exchange) -> bool:
        """Records one exchange; True when the filter shows it (it is the last row then)."""
        self.exchanges.append(exchange)
        if len(self.exchanges) % FREEZE_EVERY == 0:
            self._settle()
        self._index(exchange)
        shown = self._query.matches(
            exchange, self._row_texts()[-1] if self._query.needs_row else ""
        )
        if shown:
            self.rows.append(len(self.exchanges) - 1)
        if self._listeners:
            self.changed()
        return shown

    def extend(self, exchanges: Iterable[Exchange]) -> None:
        for exchange in exchanges:
            self.exchanges.append(exchange)
            self._index(exchange)
        self._settle()
        self.apply_filter(self.query_text)

    def clear(self) -> int:
        """Drops every exchange from the log (what a traffic file holds stays on disk) and
        returns how many. The signing keys learnt stay: a request sent after the clear is still
        checked with the key its account had."""
        dropped = len(self.exchanges)
        self._cleared += dropped
        self.exchanges, self.rows, self._texts = [], [], []
        self.marked.clear()
        self._nonce_source.clear()
        self._index_of.clear()
        gc.unfreeze()  # what was frozen is garbage now; what stays is frozen again later
        self.changed()
        return dropped

    # -- filter and marks -----------------------------------------------------------------

    def apply_filter(self, text: str) -> None:
        """Shows what `text` lets through; a FilterError (one line, for the user) leaves the
        filter as it was."""
        query = Query.parse(text)
        self.query_text = text
        self._query = query
        if text and text in self.history:
            self.history.remove(text)
        if text:
            self.history.append(text)
        exchanges = self.exchanges
        if not query:
            self.rows = list(range(len(exchanges)))
        elif len(query.terms) == 1:  # the usual filter: one call a row, not three
            hit, negated, texts = query.terms[0].hit, query.terms[0].negated, self._texts_for(query)
            self.rows = [i for i, e in enumerate(exchanges) if hit(e, texts[i]) != negated]
        else:
            matches, texts = query.matches, self._texts_for(query)
            self.rows = [i for i, e in enumerate(exchanges) if matches(e, texts[i])]
        self.changed()

    def shown(self) -> list[Exchange]:
        """The exchanges the filter lets through, in order."""
        return [self.exchanges[i] for i in self.rows]

    def toggle_mark(self, index: int) -> bool:
        """Marks the exchange at `index`, or unmarks it; True when it is marked now."""
        marked = index not in self.marked
        if marked:
            self.marked.add(index)
        else:
            self.marked.discard(index)
        self.changed()
        return marked

    def marked_exchanges(self) -> list[Exchange]:
        """The marked exchanges in arrival order (what `x` / `X` export when any is marked)."""
        return [self.exchanges[i] for i in sorted(self.marked)]

    # -- what the detail pane asks -------------------------------------------------------

    def nonce_origin(self, exchange: Exchange) -> Exchange | None:
        """The earlier exchange whose response supplied the nonce this request sent."""
        nonce = exchange.nonce_sent
        origin = self._nonce_source.get(nonce) if nonce else None
        if origin is None or origin >= self._index_of.get(id(exchange), len(self.exchanges)):
            return None
        return self.exchanges[origin]

    def signature_valid(self, exchange: Exchange) -> bool | None:
        index = self._index_of.get(id(exchange))
        position = self._cleared + index + 1 if index is not None else self.last_seq + 1
        return self.keys.verdict(exchange, position)

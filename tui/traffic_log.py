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
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from tui.acme.traffic import Exchange, Headers
from tui.signing_keys import SigningKeys
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


@dataclass(frozen=True)
class TrafficStatus:
    """What a status line says about the traffic: `total` exchanges held (M), `shown` by the
    filter (N), whether the list follows new ones, the filter as typed, how many are marked."""

    total: int
    shown: int
    follow: bool
    filter: str
    marked: int
    filtering: bool = False  # `filter` is still being matched: `shown` is the previous count
    too_slow: int = 0  # exchanges a regular expression of the filter gave up on (not shown)

    def __str__(self) -> str:
        shown = "filtering…" if self.filtering else f"{self.shown} of {self.total}"
        parts = [shown, f"follow {'on' if self.follow else 'off'}"]
        if self.filter:
            parts.append(f"filter: {self.filter}")
        if self.marked:
            parts.append(f"{self.marked} marked")
        if self.too_slow:
            parts.append(f"{self.too_slow} not searched (a regular expression too slow on them)")
        return " · ".join(parts)


Listener = Callable[[], None]

SLICE_SECONDS = 0.012  # a filter run holds the UI thread at most about this long at a time
CHECK_EVERY = 512  # rows matched between two looks at the clock


def _narrows(new: Query, old: Query) -> bool:
    """True when every exchange `new` lets through, `old` lets through too, so that `new` only
    needs to look at `old`'s rows: all terms are ANDed, so it holds when each term of `old` is
    in `new` as it is, or as a longer plain text (typing on: `post my` after `post m`)."""
    return all(any(term.implies(before) for term in new.terms) for before in old.terms)


class FilterRun:
    """One filter being matched, a slice of rows at a time (TrafficLog.start_filter): with
    100,000 exchanges a body search takes a second, and the UI thread must answer keys in the
    meantime. `step()` until it says done, then TrafficLog.finish_filter."""

    def __init__(self, log: TrafficLog, text: str, query: Query, candidates: Sequence[int]) -> None:
        self.text = text
        self.query = query
        self.rows: list[int] = []
        self._log = log
        self.candidates = candidates
        self._done = 0  # candidates matched so far
        self.generation = log.generation
        self.end = len(log.exchanges)  # exchanges from this index on arrived during the run

    def step(self, seconds: float = SLICE_SECONDS) -> bool:
        """Matches candidates for about `seconds` (at least CHECK_EVERY of them); True when
        every candidate has been matched, or when a clear or a newer run made this one void."""
        if self.generation != self._log.generation or self._log.pending is not self:
            return True
        deadline = time.perf_counter() + seconds
        candidates, total = self.candidates, len(self.candidates)
        every = 1 if self.query.costly else CHECK_EVERY  # one 1 MiB body can take 100 ms
        while self._done < total:
            chunk = candidates[self._done : self._done + every]
            self.rows += self._log.matching(self.query, chunk)
            self._done += len(chunk)
            if time.perf_counter() >= deadline:
                break
        return self._done >= total


class TrafficLog:
    """The exchanges, the filtered row indices, the marks, and the indexes kept up to date as
    exchanges arrive, so that selecting a row never rescans the log.

    An exchange has an index (into `exchanges`, what `rows` and `marked` hold) and a position
    (its place among every exchange this log has taken, never reused: what the signing keys
    are ordered by, so they survive `clear`). A file may hold several runs, each numbering its
    exchanges from 1: a new run starts where `seq` repeats one of the run, or drops on a request
    started later (a new command's count), and then `label` names an exchange `run:seq`.
    Requests sent at once finish out of order (one issuance's challenges): a lower seq started
    earlier is the same run, later in the list than its number says."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []
        self.rows: list[int] = []  # indices into `exchanges` that the filter lets through
        self.marked: set[int] = set()  # indices into `exchanges`
        self.query_text = ""
        self.follow = True
        self.history: list[str] = []  # filters applied, oldest first, no repeats
        self.keys = SigningKeys()
        self._query = Query()
        self.pending: FilterRun | None = None  # the filter being matched, not applied yet
        self.generation = 0  # counts clears: a filter run started before one is void
        # row_text() of each exchange, for filtering; computed for the first filter with free
        # words, not at open: 100,000 of them took a second (benchmarks/traffic_100k.py).
        self._texts: list[str] = []
        self._nonce_source: dict[str, int] = {}  # nonce -> index of the response carrying it
        self._index_of: dict[int, int] = {}  # id(exchange) -> index
        self._cleared = 0  # exchanges dropped by clear(): position = _cleared + index + 1
        self._run_starts: list[int] = []  # the position where each run starts
        self._previous: Exchange | None = None
        self._run_seqs: set[int] = set()  # the seqs of the last run
        self._seq_digits = 1  # of the longest seq taken
        self._listeners: list[Listener] = []

    # -- the read API for a status line ---------------------------------------------------

    def status(self) -> TrafficStatus:
        """Total M, shown N, follow on/off, the active filter's text, marked count."""
        pending = self.pending
        return TrafficStatus(
            total=len(self.exchanges),
            shown=len(self.rows),
            follow=self.follow,
            filter=self.query_text if pending is None else pending.text,
            marked=len(self.marked),
            filtering=pending is not None,
            too_slow=len((self._query if pending is None else pending.query).too_slow),
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
        the middle of a key press (benchmarks/traffic_keys.py). Python 3.11 gives an instance
        its __dict__ object only when something asks for it (a cached property, row_text()):
        those come later, and are frozen after the work that made them."""
        gc.freeze()

    def _index(self, exchange: Exchange) -> None:
        index = len(self.exchanges) - 1
        position = self._cleared + index + 1
        if self._starts_a_run(exchange):
            self._run_starts.append(position)
            self._run_seqs = set()
        self._run_seqs.add(exchange.seq)
        self._previous = exchange
        self._seq_digits = max(self._seq_digits, len(str(exchange.seq)))
        self._index_of[id(exchange)] = index
        nonce, location = _picked(exchange.response_headers)
        if nonce:
            self._nonce_source[nonce] = index
        self.keys.learn(exchange, position, location)

    def _starts_a_run(self, exchange: Exchange) -> bool:
        previous = self._previous
        if previous is None or exchange.seq in self._run_seqs:
            return True
        return exchange.seq < previous.seq and exchange.started > previous.started

    def prepare(self, seconds: float = SLICE_SECONDS) -> bool:
        """Works out the row texts of about `seconds`' worth of exchanges not done yet, so that
        the first word filter over a file just opened finds them made (100,000 took 0.7 s);
        True when all are. For a caller with time to spare: between key presses."""
        deadline = time.perf_counter() + seconds
        while not self.prepared:
            self._row_texts(len(self._texts) + CHECK_EVERY)
            if time.perf_counter() >= deadline:
                break
        self._settle()  # row_text() gave each exchange its own __dict__ object: 100,000 of them
        return self.prepared

    @property
    def prepared(self) -> bool:
        return len(self._texts) >= len(self.exchanges)

    def _row_texts(self, upto: int | None = None) -> list[str]:
        """row_text() of the exchanges up to index `upto` (all by default), made as needed."""
        texts, end = self._texts, len(self.exchanges) if upto is None else upto
        if len(texts) < end:
            texts += [row_text(e) for e in self.exchanges[len(texts) : end]]
        return texts

    def append(self, exchange: Exchange) -> bool:
        """Records one exchange; True when the filter shows it (it is the last row then)."""
        self.exchanges.append(exchange)
        if len(self.exchanges) % FREEZE_EVERY == 0:
            self._settle()
        self._index(exchange)
        shown = bool(self.matching(self._query, [len(self.exchanges) - 1]))
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
        self.generation += 1
        self.pending = None
        self.marked.clear()
        self._nonce_source.clear()
        self._index_of.clear()
        gc.unfreeze()  # what was frozen is garbage now; what stays is frozen again later
        self.changed()
        return dropped

    # -- filter and marks -----------------------------------------------------------------

    def apply_filter(self, text: str) -> None:
        """Shows what `text` lets through; a FilterError (one line, for the user) leaves the
        filter as it was. All at once: the dashboard runs start_filter's steps instead."""
        run = self.start_filter(text)
        while not run.step(seconds=float("inf")):
            pass
        self.finish_filter(run)

    def start_filter(self, text: str) -> FilterRun:
        """A run of `text` over the rows it can let through; FilterError when it is no filter.
        It replaces a run not finished yet; the rows shown stay until finish_filter. Listeners
        are not told: a run that finishes in its first step is never seen as pending."""
        query = Query.parse(text)
        candidates: Sequence[int] = range(len(self.exchanges))
        if query and _narrows(query, self._query):
            candidates = self.rows[:]  # typing on narrows what is shown already
            query.too_slow.extend(self._query.too_slow)  # left out, unsearched, still
        self.pending = FilterRun(self, text, query, candidates)
        return self.pending

    def finish_filter(self, run: FilterRun) -> bool:
        """Shows the rows of a finished run; False (nothing changed) when a clear or a newer
        run made it void. Exchanges appended while it ran are matched here."""
        if run is not self.pending or run.generation != self.generation:
            return False
        self.pending = None
        run.rows += self.matching(run.query, range(run.end, len(self.exchanges)))
        self.rows, self._query, self.query_text = run.rows, run.query, run.text
        if run.text in self.history:
            self.history.remove(run.text)
        if run.text:
            self.history.append(run.text)
        self._settle()  # as prepare(): a row text or a parsed problem gives an exchange a __dict__
        self.changed()
        return True

    def matching(self, query: Query, indices: Iterable[int]) -> list[int]:
        """The indices among `indices` (ascending) whose exchange `query` lets through."""
        indices = list(indices)
        if not query or not indices:
            return indices
        exchanges = self.exchanges
        texts = self._row_texts(indices[-1] + 1) if query.needs_row else None
        if len(query.terms) == 1 and not query.costly:  # the usual filter: one call a row
            hit, negated = query.terms[0].hit, query.terms[0].negated
            if texts is None:
                return [i for i in indices if hit(exchanges[i], "") != negated]
            return [i for i in indices if hit(exchanges[i], texts[i]) != negated]
        matches = query.matches
        if texts is None:
            return [i for i in indices if matches(exchanges[i], "")]
        return [i for i in indices if matches(exchanges[i], texts[i])]

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

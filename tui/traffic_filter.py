"""The traffic filter language, UI-free: what a person types into the dashboard's filter box,
parsed once into terms that each exchange is matched against.

A filter is terms separated by spaces; all must match. A term is a word (matched in the row:
method, path, status, problem), or `field:value`, where field is `method`, `status` (200, 4xx,
error), `problem` (badNonce, or `any`), `body` (the request's decoded JWS, header and payload,
and the response body) or `header` (request and response headers as `name: value`). mitmproxy's
`~b VALUE`, `~h VALUE`, `~m VALUE` and `~c VALUE` are the same as body:, header:, method: and
status:. `!` before a term negates it. A value written `/between slashes/` is a regular
expression; any other value a plain text. Case never matters. "Double quotes" keep spaces in a
value. Anything else is a FilterError with a one-line message, never an exception from a parser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tui.acme.encoding import decode_part
from tui.acme.errors import InputError
from tui.acme.traffic import Exchange

if TYPE_CHECKING:
    from tui.acme.models import Problem

_PROBLEM: cached_property[Problem | None] = Exchange.__dict__["problem"]
NO_RESPONSE = ("error", "none", "-")
FIELDS = ("method", "status", "problem", "body", "header")
TILDE = {"~b": "body", "~h": "header", "~m": "method", "~c": "status"}
MAX_FILTER = 1000  # characters: a filter is typed, not pasted megabytes


class FilterError(ValueError):
    """A filter that cannot be used; the message is one line, for the filter box."""


def url_path(url: str) -> str:
    """urlsplit(url).path or "/", at a fraction of its cost: it runs for every exchange a
    100,000-line file holds (benchmarks/traffic_100k.py)."""
    _, colon, rest = url.partition("://")
    if not colon:
        return urlsplit(url).path or "/"
    end = len(rest)
    for stop in "?#":
        found = rest.find(stop)
        if 0 <= found < end:
            end = found
    slash = rest.find("/", 0, end)
    return rest[slash:end] if slash >= 0 else "/"


def row_text(exchange: Exchange) -> str:
    """What a traffic row says, lower-cased: what free words are matched against. The problem
    is read from the body when the exchange has not parsed it yet, without keeping it (the
    cached Exchange.problem would hold one Problem per problem row)."""
    status = str(exchange.status) if exchange.status is not None else "ERR"
    cached = exchange.__dict__
    problem = cached["problem"] if "problem" in cached else _PROBLEM.func(exchange)
    short = problem.short_type if problem else exchange.error
    return f"{exchange.method} {url_path(exchange.url)} {status} {short}".lower()


def body_text(exchange: Exchange) -> str:
    """Request and response bodies as a person reads them, lower-cased: a signed request's
    protected header and payload decoded (its body is base64url), then the response. Not cached
    and not the cached `Exchange.jws`: with 100,000 exchanges one body search must not keep
    100,000 decoded copies alive."""
    parts = [exchange.request_body.decode("utf-8", "replace")]
    try:
        jws = json.loads(exchange.request_body) if exchange.request_body else None
        if isinstance(jws, dict):
            for name in ("protected", "payload"):
                parts.append(json.dumps(decode_part(jws[name]), ensure_ascii=False))
    except (ValueError, KeyError, TypeError, InputError, RecursionError):
        pass
    parts.append(exchange.response_body.decode("utf-8", "replace"))
    return "\n".join(parts).lower()


def header_text(exchange: Exchange) -> str:
    """`name: value` per line, request headers then response headers, lower-cased."""
    pairs = exchange.request_headers + exchange.response_headers
    return "\n".join(f"{name}: {value}" for name, value in pairs).lower()


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


Test = Callable[[str], bool]  # does a text hold the value

# One regular expression search of one exchange's text, at most (the regex module checks its
# clock as it goes; a 1 MiB text still overshoots to 130 ms). Matched on the UI's turn, between
# keys: `a.*z` over a 1 MiB body from a hostile CA ran for an hour in Python's re, which cannot
# be stopped, and `(a+)+$` takes seconds over 27 characters.
REGEX_SECONDS = 0.02


class TooSlow(Exception):
    """A regular expression given up on after REGEX_SECONDS: whether it matches is unknown."""


def _is_regex(value: str) -> bool:
    return len(value) >= 2 and value.startswith("/") and value.endswith("/")


def _text_test(value: str) -> Test:
    """A `/regex/` value searches, for at most REGEX_SECONDS (else TooSlow); any other value
    is a plain substring. Texts and values are lower-cased (the escapes excepted: _lowered)."""
    if _is_regex(value):
        import regex  # the filter's regexes only: not at start-up

        try:
            pattern = regex.compile(value[1:-1])
        except regex.error as exc:
            raise FilterError(f"not a regular expression: {value} ({exc})") from None
        except (RecursionError, OverflowError):
            raise FilterError(f"regular expression too complex: {value}") from None

        def search(text: str) -> bool:
            try:
                return pattern.search(text, timeout=REGEX_SECONDS) is not None
            except TimeoutError:
                raise TooSlow from None

        return search
    return lambda text: value in text


def _lowered(text: str) -> str:
    """`text` lower-cased but for the character after each backslash: `\\S` (not space) in a
    regular expression became `\\s` (space)."""
    return _ESCAPED.sub(lambda m: m[0] if m[0].startswith("\\") else m[0].lower(), text)


_ESCAPED = re.compile(r"\\.|[^\\]+|\\$", re.DOTALL)


Hit = Callable[[Exchange, str], bool]  # (exchange, its row text) -> does the term match


@dataclass(frozen=True)
class Term:
    """One term: which part of the exchange it looks at, and the test on it, chosen once when
    the filter is parsed (a test per part, not a dispatch per row: 100,000 rows a filter)."""

    part: str  # "" for the row, else one of FIELDS
    value: str
    negated: bool
    hit: Hit = field(compare=False)

    def matches(self, exchange: Exchange, row: str) -> bool:
        return self.hit(exchange, row) != self.negated

    def implies(self, other: Term) -> bool:
        """Whatever this term lets through, `other` lets through: the same term, or the same
        plain text search for a longer text (`my-acc` holds `my-a`). Not for a negated term
        (`!my-acc` lets through what `!my-a` does not), a regex or `problem:any`."""
        if (self.part, self.value, self.negated) == (other.part, other.value, other.negated):
            return True
        plain = self.part in ("", "body", "header") and not self.negated and not other.negated
        return (
            plain
            and self.part == other.part
            and not _is_regex(self.value)
            and not _is_regex(other.value)
            and other.value in self.value
        )


def _hit(part: str, value: str) -> Hit:
    if part == "status":
        statuses = _statuses(value)
        if not statuses:
            raise FilterError(f"status:{value}: give a code (201), a class (4xx) or error")
        return lambda exchange, row: exchange.status in statuses
    if part == "method":
        return lambda exchange, row: exchange.method.lower() == value
    test = _text_test(value)
    if part == "":
        return lambda exchange, row: test(row)
    if part == "problem":
        return lambda exchange, row: (
            exchange.problem is not None and (value == "any" or test(exchange.problem.type.lower()))
        )
    if part == "body":
        return lambda exchange, row: test(body_text(exchange))
    return lambda exchange, row: test(header_text(exchange))


def _tokens(text: str) -> list[str]:
    """Words split on spaces; "double quotes" keep spaces in a word, also after a field
    (`body:"a b"`). An unclosed quote runs to the end of the filter, as a person half-way
    through typing means."""
    return [token.replace('"', "") for token in _TOKEN.findall(text)]


_TOKEN = re.compile(r'(?:[^\s"]|"[^"]*"?)+')


def _term(name: str, value: str, negated: bool) -> Term:
    if not value:
        raise FilterError(f"{name}: needs a value, as in {name}:{_EXAMPLE[name]}")
    return Term(name, value, negated, hit=_hit(name, value))


_EXAMPLE = {
    "method": "POST",
    "status": "4xx",
    "problem": "badNonce",
    "body": "/pending|processing/",
    "header": "retry-after",
}


@dataclass(frozen=True)
class Query:
    """A parsed filter; the empty filter lets every exchange through. An exchange a regular
    expression gave up on (TooSlow) is not let through, whatever the term's negation, and is
    kept in `too_slow`: the dashboard says how many it could not search."""

    terms: tuple[Term, ...] = ()
    needs_row: bool = False  # a term looks at row_text()
    too_slow: list[Exchange] = field(default_factory=list, compare=False)

    @property
    def costly(self) -> bool:
        """A term that may take long on one exchange: a body or header search (a 1 MiB body
        decoded), or a regular expression (REGEX_SECONDS). Time is looked at after each."""
        return any(term.part in ("body", "header") or _is_regex(term.value) for term in self.terms)

    @classmethod
    def parse(cls, text: str) -> Query:
        """Raises FilterError (one line) for what cannot be a filter; nothing else."""
        if len(text) > MAX_FILTER:
            raise FilterError(f"a filter of at most {MAX_FILTER} characters")
        tokens = _tokens(_lowered(text))
        terms: list[Term] = []
        while tokens:
            token = tokens.pop(0)
            negated = token.startswith("!")
            token = token[1:] if negated else token
            if token in TILDE:
                if not tokens:
                    raise FilterError(f"{token} needs a value after it, as in {token} something")
                terms.append(_term(TILDE[token], tokens.pop(0), negated))
                continue
            name, colon, value = token.partition(":")
            if colon and name in FIELDS:
                terms.append(_term(name, value, negated))
            elif token:
                terms.append(Term("", token, negated, hit=_hit("", token)))
            elif negated:
                raise FilterError("! needs a term after it, as in !status:2xx")
        return cls(tuple(terms), any(term.part == "" for term in terms))

    def __bool__(self) -> bool:
        return bool(self.terms)

    def matches(self, exchange: Exchange, text: str | None = None) -> bool:
        """`text` is the exchange's row_text(), when the caller keeps it; else computed here."""
        row = (row_text(exchange) if text is None else text) if self.needs_row else ""
        try:
            return all(term.hit(exchange, row) != term.negated for term in self.terms)
        except TooSlow:
            self.too_slow.append(exchange)
            return False

"""The traffic filter language: words match anywhere in a row; `method:`, `status:` (200, 4xx),
`problem:` (badNonce, or `problem:any`) narrow by field. All terms must match."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tui.acme.traffic import Exchange

NO_RESPONSE = ("error", "none", "-")


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

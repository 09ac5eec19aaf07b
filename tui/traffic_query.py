"""The traffic filter language: words match anywhere in a row; `method:`, `status:` (200, 4xx),
`problem:` (badNonce, or `problem:any`) narrow by field. All terms must match."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tui.acme.traffic import Exchange


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...] = ()
    method: str = ""
    status: str = ""
    problem: str = ""

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
        return cls(tuple(words), **fields)

    def __bool__(self) -> bool:
        return bool(self.words or self.method or self.status or self.problem)

    def matches(self, exchange: Exchange) -> bool:
        if self.method and exchange.method.lower() != self.method:
            return False
        if self.status and not _status_matches(exchange.status, self.status):
            return False
        if self.problem:
            problem = exchange.problem
            if problem is None:
                return False
            if self.problem != "any" and self.problem not in problem.type.lower():
                return False
        if self.words:
            haystack = row_text(exchange).lower()
            return all(word in haystack for word in self.words)
        return True


def _status_matches(status: int | None, pattern: str) -> bool:
    if status is None:
        return pattern in ("error", "none", "-")
    text = str(status)
    return len(text) == len(pattern) and all(
        p in ("x", c) for p, c in zip(pattern, text, strict=True)
    )


def row_text(exchange: Exchange) -> str:
    """What a traffic row says; also what free words are matched against."""
    path = urlsplit(exchange.url).path or "/"
    status = str(exchange.status) if exchange.status is not None else "ERR"
    problem = exchange.problem.short_type if exchange.problem else exchange.error
    return f"{exchange.method} {path} {status} {problem}"

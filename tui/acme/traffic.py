"""Exchanges: one HTTP round trip each, kept as the exact bytes, decoded on demand.

The record format (one JSON object per line) is defined in shared/DESIGN.md. `AcmeClient._send`
creates every Exchange and hands it to observers; the CLI's `--traffic FILE` and the dashboard's
traffic panel are both observers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tui.acme.encoding import Jwk, decode_part
from tui.acme.errors import InputError

if TYPE_CHECKING:
    from tui.acme.models import Problem

Headers = list[tuple[str, str]]
Observer = Callable[["Exchange"], None]

PROBLEM_CONTENT_TYPE = "application/problem+json"


def headers_to_dict(headers: Headers) -> dict[str, str]:
    """Repeated headers (Link comes several times) are joined with ", " as RFC 9110 §5.3 allows."""
    merged: dict[str, str] = {}
    for name, value in headers:
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


def header(headers: Headers, name: str) -> str | None:
    name = name.lower()
    return next((v for k, v in headers if k.lower() == name), None)


@dataclass(frozen=True)
class DecodedJws:
    protected: dict[str, Any]
    payload: Any
    signature: str

    def to_json(self) -> dict[str, Any]:
        return {"protected": self.protected, "payload": self.payload, "signature": self.signature}


@dataclass(eq=False)
class Exchange:
    """One round trip. `status is None` means no response arrived; `error` says why."""

    seq: int
    started: datetime
    endpoint: str
    method: str
    url: str
    request_headers: Headers
    request_body: bytes
    elapsed_ms: float = 0.0
    status: int | None = None
    response_headers: Headers = field(default_factory=list)
    response_body: bytes = b""
    http_version: str = ""
    error: str = ""
    resent_from: int | None = None

    @cached_property
    def jws(self) -> DecodedJws | None:
        """The request's JWS decoded; None when the request carries none (GET, HEAD)."""
        if not self.request_body:
            return None
        try:
            obj = json.loads(self.request_body)
            return DecodedJws(
                protected=decode_part(obj["protected"]),
                payload=decode_part(obj["payload"]),
                signature=obj["signature"],
            )
        except (ValueError, KeyError, TypeError, InputError):
            return None

    @cached_property
    def problem(self) -> Problem | None:
        content_type = header(self.response_headers, "content-type") or ""
        if not content_type.startswith(PROBLEM_CONTENT_TYPE):
            return None
        from tui.acme.models import Problem  # its dataclasses cost the dashboard's first paint

        return Problem.from_body(self.response_body, self.status)

    @property
    def nonce_sent(self) -> str | None:
        return self.jws.protected.get("nonce") if self.jws else None

    @property
    def nonce_received(self) -> str | None:
        return header(self.response_headers, "replay-nonce")

    def to_record(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "seq": self.seq,
            "started": self.started.astimezone(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "elapsed_ms": round(self.elapsed_ms, 3),
            "endpoint": self.endpoint,
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": headers_to_dict(self.request_headers),
                "body": self.request_body.decode("utf-8", "replace"),
                "jws": self.jws.to_json() if self.jws else None,
            },
            "response": None,
        }
        if self.status is not None:
            record["response"] = {
                "status": self.status,
                "http_version": self.http_version,
                "headers": headers_to_dict(self.response_headers),
                "body": self.response_body.decode("utf-8", "replace"),
                "problem": self.problem.raw if self.problem else None,
            }
        if self.error:
            record["error"] = self.error
        if self.resent_from is not None:
            record["resent_from"] = self.resent_from
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Exchange:
        """Rebuild from a traffic record, for offline inspection (`acmedash inspect`)."""
        try:
            request = record["request"]
            response = record.get("response") or {}
            return cls(
                seq=int(record["seq"]),
                started=moment(record["started"]),
                endpoint=str(record.get("endpoint", "")),
                method=str(request["method"]),
                url=str(request["url"]),
                request_headers=list(request.get("headers", {}).items()),
                request_body=str(request.get("body", "")).encode("utf-8"),
                elapsed_ms=float(record.get("elapsed_ms", 0.0)),
                status=response.get("status"),
                response_headers=list(response.get("headers", {}).items()),
                response_body=str(response.get("body", "")).encode("utf-8"),
                http_version=str(response.get("http_version", "")),
                error=str(record.get("error", "")),
                resent_from=record.get("resent_from"),
            )
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            # OverflowError: a number JSON reads as infinity (`Infinity`, `1e400`) for an int
            raise InputError(f"not a traffic record: {exc}") from None


def moment(text: object) -> datetime:
    """A traffic record's or HAR entry's start time: ISO 8601 with its time zone (`Z` or an
    offset), as both formats write it. One without a zone is refused (ValueError): beside the
    others it ended `acmedash inspect` with "can't compare offset-naive and offset-aware
    datetimes", and which zone it meant is unknown."""
    started = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    if started.tzinfo is None:
        raise ValueError(f"start time {str(text)[:40]!r} has no time zone")
    return started


class JsonlWriter:
    """Observer that appends one JSON line per exchange and flushes, so a crash loses nothing."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def __call__(self, exchange: Exchange) -> None:
        self._stream.write(json.dumps(exchange.to_record(), ensure_ascii=False) + "\n")
        self._stream.flush()


def read_jsonl(path: Path) -> Iterator[Exchange]:
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    yield Exchange.from_record(json.loads(line))
                except (ValueError, InputError) as exc:
                    raise InputError(f"{path}:{number}: {exc}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def to_har(exchanges: Iterable[Exchange], creator_version: str) -> dict[str, Any]:
    """HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): what browsers' dev tools and
    proxies import. Bodies are text; the JWS stays as sent."""

    def pairs(headers: Headers) -> list[dict[str, str]]:
        return [{"name": k, "value": v} for k, v in headers]

    entries = []
    for exchange in exchanges:
        request_type = header(exchange.request_headers, "content-type") or ""
        response_type = header(exchange.response_headers, "content-type") or ""
        body = exchange.request_body.decode("utf-8", "replace")
        entries.append(
            {
                "startedDateTime": exchange.started.astimezone(UTC).isoformat(
                    timespec="milliseconds"
                ),
                "time": round(exchange.elapsed_ms, 3),
                "request": {
                    "method": exchange.method,
                    "url": exchange.url,
                    "httpVersion": exchange.http_version or "HTTP/1.1",
                    "cookies": [],
                    "headers": pairs(exchange.request_headers),
                    "queryString": [],
                    **({"postData": {"mimeType": request_type, "text": body}} if body else {}),
                    "headersSize": -1,
                    "bodySize": len(exchange.request_body),
                },
                "response": {
                    "status": exchange.status or 0,
                    "statusText": exchange.error,
                    "httpVersion": exchange.http_version or "HTTP/1.1",
                    "cookies": [],
                    "headers": pairs(exchange.response_headers),
                    "content": {
                        "size": len(exchange.response_body),
                        "mimeType": response_type,
                        "text": exchange.response_body.decode("utf-8", "replace"),
                    },
                    "redirectURL": header(exchange.response_headers, "location") or "",
                    "headersSize": -1,
                    "bodySize": len(exchange.response_body),
                },
                "cache": {},
                "timings": {"send": 0, "wait": round(exchange.elapsed_ms, 3), "receive": 0},
                "comment": f"seq {exchange.seq}",
            }
        )
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "acmedash", "version": creator_version},
            "entries": entries,
        }
    }


def signature_valid(exchange: Exchange, known: dict[str, Jwk]) -> bool | None:
    """True / False when it can be checked; None when the signing key is unknown, or its
    algorithm one acmedash does not check (jose.checked)."""
    if not exchange.jws:
        return None
    jwk = exchange.jws.protected.get("jwk") or known.get(exchange.jws.protected.get("kid", ""))
    if not isinstance(jwk, dict):
        return None
    from tui.acme.jose import checked, public_key_from_jwk, verify  # cryptography: now only

    if not checked(exchange.jws.protected.get("alg")):
        return None  # an algorithm acmedash does not check: not a verdict on the signature
    try:
        return verify(json.loads(exchange.request_body), public_key_from_jwk(jwk))
    except (InputError, ValueError, KeyError, TypeError):
        return False

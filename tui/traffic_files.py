"""Traffic files for offline inspection (`acmedash inspect FILE`): the JSONL records that
`--traffic` and the dashboard's `x` write, and the HAR 1.2 that `X` exports (other tools' HAR
too). A file is someone else's text: whatever is wrong with it becomes one InputError line that
names the file and the place, never a parser's traceback or message about "char 1234"."""

from __future__ import annotations

import base64
import binascii
import gc
import json
from pathlib import Path
from typing import Any

from tui.acme.errors import InputError
from tui.acme.traffic import Exchange, Headers, moment

WHAT = "a traffic file (JSONL from --traffic or x, or HAR from X)"


def read_traffic(path: Path) -> list[Exchange]:
    """The exchanges in `path`, JSONL or HAR, told apart by content."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not {WHAT}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    document = _whole_json(text)
    if isinstance(document, dict) and "log" in document:
        return _har(path, document)
    return _jsonl(path, text)


def _whole_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _jsonl(path: Path, text: str) -> list[Exchange]:
    """Without the cyclic garbage collector while it runs: records make no cycles, and the
    collections that 100,000 new objects each set off took a third of the time to open such
    a file (benchmarks/traffic_100k.py)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _records(path, text)
    finally:
        if enabled:
            gc.enable()


def _records(path: Path, text: str) -> list[Exchange]:
    exchanges = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            raise InputError(f"{path}: not {WHAT}: line {number} is not JSON") from None
        try:
            exchanges.append(_checked(Exchange.from_record(record)))
        except InputError as exc:
            raise InputError(f"{path}: line {number}: {_short(str(exc))}") from None
    return exchanges


def _checked(exchange: Exchange) -> Exchange:
    """What from_record takes as it comes but the dashboard computes with: a status that is a
    number, headers that are text."""
    status = exchange.status
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
        raise InputError("not a traffic record: the response status is not a number")
    for name, value in exchange.request_headers + exchange.response_headers:
        if not isinstance(value, str):
            raise InputError(f"not a traffic record: header {name!r} is not text")
    return exchange


def _short(reason: str) -> str:
    return reason if len(reason) <= 200 else reason[:199] + "…"


def _har(path: Path, document: dict[str, Any]) -> list[Exchange]:
    log = document["log"]
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise InputError(f"{path}: a HAR file without log.entries")
    exchanges = []
    for number, entry in enumerate(entries, 1):
        try:
            exchanges.append(_har_entry(entry, number))
        except (
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
            OverflowError,  # a number JSON reads as infinity, for an int
            binascii.Error,
        ) as exc:
            reason = f"{exc} missing" if isinstance(exc, KeyError) else str(exc)
            raise InputError(f"{path}: HAR entry {number}: {_short(reason)}") from None
    directory = next((e.url for e in exchanges if _is_directory(e)), "")
    for exchange in exchanges:
        exchange.endpoint = directory
    return exchanges


def _har_entry(entry: dict[str, Any], number: int) -> Exchange:
    """The inverse of tui.acme.traffic.to_har; a status of 0 is HAR's "no response"."""
    request, response = entry["request"], entry["response"]
    status = int(response["status"])
    comment = str(entry.get("comment", ""))
    seq = int(comment[4:]) if comment.startswith("seq ") and comment[4:].isdigit() else number
    post = request.get("postData") or {}
    return Exchange(
        seq=seq,
        started=moment(entry["startedDateTime"]),
        endpoint="",
        method=str(request["method"]),
        url=str(request["url"]),
        request_headers=_headers(request.get("headers", [])),
        request_body=str(post.get("text", "")).encode("utf-8"),
        elapsed_ms=float(entry.get("time", 0.0)),
        status=status or None,
        response_headers=_headers(response.get("headers", [])),
        response_body=_content(response.get("content") or {}),
        http_version=str(response.get("httpVersion", "")) if status else "",
        error="" if status else str(response.get("statusText") or "no response"),
    )


def _headers(pairs: list[dict[str, Any]]) -> Headers:
    return [(str(pair["name"]), str(pair["value"])) for pair in pairs]


def _content(content: dict[str, Any]) -> bytes:
    text = str(content.get("text", ""))
    if content.get("encoding") == "base64":
        return base64.b64decode(text, validate=True)
    return text.encode("utf-8")


def _is_directory(exchange: Exchange) -> bool:
    """The GET whose answer is an ACME directory (RFC 8555 §7.1.1): HAR does not say which
    endpoint the traffic was for, and the dashboard's bar should."""
    if exchange.method != "GET" or exchange.status != 200:
        return False
    try:
        body = json.loads(exchange.response_body)
    except ValueError:
        return False
    return isinstance(body, dict) and "newNonce" in body and "newAccount" in body

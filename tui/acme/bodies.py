"""Reading an ACME server's answers: JSON objects and Link headers, each failure one line
that names what was expected (a ProtocolError), never a parser's traceback."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from tui.acme.errors import ProtocolError

_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")


def json_loads(data: bytes) -> Any:
    """json.loads whose every failure is a ValueError: a deeply nested document exhausts the
    interpreter's recursion limit instead (RecursionError)."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    """The body as a JSON object, or a one-line ProtocolError naming what was expected."""
    try:
        body = json_loads(response.content)
    except ValueError:
        raise ProtocolError(f"{what} response from {response.url} is not JSON") from None
    if not isinstance(body, dict):
        raise ProtocolError(f"{what} response from {response.url} is not a JSON object")
    return body


def parse_links(response: httpx.Response, rel: str) -> list[str]:
    """Every Link header target with this rel (RFC 8288), in order; relative URLs resolved.
    ACME uses several: `up`, `index`, `alternate` (§7.4.2), `next` (§7.1.2.1)."""
    found = []
    for value in response.headers.get_list("link"):
        for target, params in _LINK.findall(value):
            rels = re.findall(r'rel\s*=\s*"?([^";]+)"?', params)
            if any(rel in r.split() for r in rels):
                found.append(_resolved(response.url, target))
    return found


def _resolved(base: httpx.URL, target: str) -> str:
    try:
        return str(base.join(target))
    except (httpx.InvalidURL, ValueError):
        raise ProtocolError(
            f"the Link target {target[:200]!r} in the answer from {base} is not a URL"
        ) from None

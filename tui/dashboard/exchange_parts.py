"""The parts of one exchange a person copies out of the inspector (a header, the body, the
nonce, the payload) and "copy as curl" for an unsigned request.

A signed request has no curl form: its nonce is single-use, so the same bytes sent again only
earn a badNonce; `r` (edit and resend) signs it anew instead. Every value in a curl command is
shell-quoted, and a value holding a control character refuses the command altogether: what the
CA sent must never become something a pasted command line runs or a terminal interprets. The
command trusts what acmedash trusted (`--cacert` with the configured `ca_bundle`: a private CA
or Pebble fails without it) and carries no credential header."""

from __future__ import annotations

import contextlib
import json
import re
import shlex
from pathlib import Path

from tui.acme.text import UNSAFE
from tui.acme.traffic import Exchange
from tui.user_paths import user_path

SKIPPED_HEADERS = {"host", "content-length", "connection", "accept-encoding"}
SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie"}
_CONTROL = re.compile(f"[{UNSAFE}]")


class NoCurl(ValueError):
    """Why this exchange has no curl form (one line)."""


def _pretty(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def parts(exchange: Exchange, ca_bundle: Path | None = None) -> dict[str, str]:
    """Name -> text of the parts the exchange has, in the order a picker shows them;
    `ca_bundle`: the CA bundle the dashboard trusts besides the system's, for the curl
    command."""
    found: dict[str, str] = {"URL": exchange.url}
    jws = exchange.jws
    if jws is not None:
        nonce = jws.protected.get("nonce")
        if isinstance(nonce, str):
            found["nonce sent"] = nonce
        found["JWS payload"] = _pretty(jws.payload)
        found["JWS protected header"] = _pretty(jws.protected)
    else:
        with contextlib.suppress(NoCurl):
            found["copy as curl"] = curl(exchange, ca_bundle)
    if exchange.request_body:  # a GET or HEAD has none: an empty part is no part
        found["request body (as sent)"] = exchange.request_body.decode("utf-8", "replace")
    for name, value in exchange.request_headers:
        found.setdefault(f"request header {name}", value)
    if exchange.response_body:
        found["response body"] = exchange.response_body.decode("utf-8", "replace")
    if exchange.status is not None:
        for name, value in exchange.response_headers:
            found.setdefault(f"response header {name}", value)
    if exchange.nonce_received:
        found["nonce received"] = exchange.nonce_received
    return found


def _safe(value: str, what: str) -> str:
    if _CONTROL.search(value):
        raise NoCurl(f"the {what} holds a control character: no command line made of it")
    return shlex.quote(value)


def curl(exchange: Exchange, ca_bundle: Path | None = None) -> str:
    """The curl command that sends this unsigned request again (GET, HEAD), trusting
    `ca_bundle` too when there is one."""
    if exchange.jws is not None or exchange.request_body:
        raise NoCurl("a signed request's nonce is single-use: resend it with r instead")
    words = ["curl", "-sS", "-i", "--globoff"]  # the URL's [1-9] and {a,b} are not curl's
    if ca_bundle is not None:
        words += ["--cacert", _safe(str(user_path(ca_bundle).absolute()), "CA bundle path")]
    if exchange.method == "HEAD":
        words.append("--head")
    elif exchange.method != "GET":
        words += ["-X", _safe(exchange.method, "method")]
    for name, value in exchange.request_headers:
        if name.lower() not in SKIPPED_HEADERS | SECRET_HEADERS:
            words += ["-H", _safe(f"{name}: {value}", "header")]
    if not exchange.url.lower().startswith(("https://", "http://")):
        raise NoCurl("the URL is not http(s): no command line made of it")
    words += ["--url", _safe(exchange.url, "URL")]  # never read as an option, whatever it holds
    return " ".join(words)

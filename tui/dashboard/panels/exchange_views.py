"""The selected exchange as text to read: Request (JWS parts, signature check, nonce origin,
the inner JWS of a key rollover and of an External Account Binding), Response (headers that
matter picked out, body, problem with subproblems), Raw bytes, Timing.

Each view is a list of Text blocks the detail pane lays out line by line (wrap, scroll, search).
JSON objects and arrays deeper than `fold` levels show as `{… 3 keys}` / `[… 2 items]`. Every
string that came from the network or a traffic file goes through untrusted.py first."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rich.text import Text

from tui.acme.encoding import decode_part
from tui.acme.errors import InputError
from tui.acme.traffic import Exchange, headers_to_dict
from tui.dashboard.panels.json_fold import Folding, json_block
from tui.dashboard.untrusted import inert, printable
from tui.words import counted

if TYPE_CHECKING:
    from tui.acme.models import Problem

KEY_HEADERS = ("replay-nonce", "location", "link", "retry-after", "content-type")
# What the Response and Raw tabs show of the headers: a hostile CA's 3,000 headers with a 2 MB
# value took the inspector to 370 MB RSS once laid out. The whole of each stays in the exchange,
# for y (copy, save) and the exports.
SHOWN_HEADERS = 200
SHOWN_HEADER_BYTES = 4096


@dataclass(frozen=True)
class Context:
    """What the log knows about the exchange shown: the signature verdict, the exchange that
    supplied its nonce, and the names (#seq or #run:seq) to refer to exchanges by."""

    valid: bool | None = None
    nonce_from: Exchange | None = None
    nonce_from_name: str = ""
    resent_from_name: str = ""
    folding: Folding = field(default_factory=Folding)  # which JSON objects show folded


def _heading(text: str) -> Text:
    return Text(text, style="bold underline")


VERDICT = {
    True: Text("signature verifies", style="bold green"),
    False: Text("signature DOES NOT verify", style="bold red"),
    None: Text(
        "signature: key unknown, not checked (no key known for this kid at this point)",
        style="yellow",
    ),
}


def _inner_jws(value: Any) -> tuple[Any, Any] | None:
    """(protected, payload) of a JWS carried inside a payload, decoded; None if it is none."""
    if not isinstance(value, dict):
        return None
    try:
        return decode_part(value["protected"]), decode_part(value["payload"])
    except (KeyError, TypeError, InputError):
        return None


def _inner_verdict(inner: dict[str, Any], alg: object) -> bool | None:
    """The key rollover's inner JWS is signed by the NEW key, which its own `jwk` carries.
    None: signed with an algorithm acmedash does not check."""
    from tui.acme.jose import checked, verify  # cryptography: only when shown

    if not checked(alg):
        return None
    try:
        return verify(inner)
    except (InputError, ValueError, KeyError, TypeError):
        return False


def _verdict(valid: bool | None, alg: object) -> Text:
    if valid is None:
        from tui.acme.jose import checked

        if not checked(alg):
            return _unchecked(alg)
    return VERDICT[valid]


def _unchecked(alg: object) -> Text:
    from tui.acme.jose import CHECKED_ALGS

    return Text(
        f"signature not checked: signed with {printable(str(alg))[:40]}; acmedash checks "
        f"{', '.join(CHECKED_ALGS)}",
        style="yellow",
    )


def rollover_view(exchange: Exchange, fold: Folding) -> list[Text]:
    """RFC 8555 §7.3.5: the payload of a keyChange request is itself a JWS, signed by the new
    key over {account, oldKey}; its `url` must be the outer one's."""
    jws = exchange.jws
    decoded = _inner_jws(jws.payload) if jws is not None else None
    if jws is None or decoded is None or not isinstance(decoded[1], dict):
        return []
    protected, payload = decoded
    if "oldKey" not in payload:
        return []
    parts = [_heading("Key rollover: inner JWS (signed by the NEW key)")]
    alg = protected.get("alg") if isinstance(protected, dict) else None
    verdict = _inner_verdict(jws.payload, alg)
    parts.append(
        Text("inner signature verifies with the new key (its jwk)", style="bold green")
        if verdict
        else _unchecked(alg)
        if verdict is None
        else Text("inner signature DOES NOT verify with the new key", style="bold red")
    )
    if isinstance(protected, dict) and protected.get("url") != jws.protected.get("url"):
        parts.append(Text("inner url differs from the outer url (RFC 8555 §7.3.5)", "bold red"))
    parts += [
        _heading("Inner protected header (the new key)"),
        json_block(protected, fold, "inner protected"),
        _heading("Inner payload"),
        json_block(payload, fold, "inner payload"),
        _heading("Inner signature"),
        inert(str(jws.payload.get("signature", ""))),
    ]
    return parts


def _binding_view(payload: Any, fold: Folding) -> list[Text]:
    """The EAB is a JWS inside the payload (RFC 8555 §7.3.4): show its parts decoded too. Its
    signature is an HMAC; the MAC key itself is never sent."""
    binding = payload.get("externalAccountBinding") if isinstance(payload, dict) else None
    decoded = _inner_jws(binding)
    if decoded is None:
        return []
    return [
        _heading("External Account Binding: protected header"),
        json_block(decoded[0], fold, "eab protected"),
        _heading("External Account Binding: payload (the account key)"),
        json_block(decoded[1], fold, "eab payload"),
    ]


def request_view(exchange: Exchange, context: Context) -> list[Text]:
    parts = [inert(f"{exchange.method} {exchange.url}", "bold")]
    if context.resent_from_name:
        parts.append(inert(f"edited and resent from {context.resent_from_name}", "magenta"))
    jws = exchange.jws
    if jws is None:
        parts.append(Text("no JWS (unsigned request)", style="dim"))
        return parts
    nonce = jws.protected.get("nonce", "")
    origin = context.nonce_from
    parts += [
        _verdict(context.valid, jws.protected.get("alg")),
        inert(
            f"nonce {nonce} came from {context.nonce_from_name} {origin.method} {origin.url}"
            if origin
            else f"nonce {nonce}: no earlier response in this log supplied it",
            "" if origin else "dim",
        ),
        _heading("Protected header"),
        json_block(jws.protected, context.folding, "protected"),
        _heading("Payload"),
        json_block(jws.payload, context.folding, "payload"),
        _heading("Signature"),
        inert(str(jws.signature)),
    ]
    folding = context.folding
    return parts + rollover_view(exchange, folding) + _binding_view(jws.payload, folding)


def problem_view(problem: Problem) -> Text:
    lines = Text()
    lines.append("Problem: ", style="bold red")
    lines.append(printable(problem.type), style="red")
    if problem.status is not None:
        lines.append(f" ({problem.status})")
    if problem.detail:
        lines.append(f"\n  {printable(problem.detail, lines=True)}")
    for sub in problem.subproblems:
        lines.append("\n  • ", style="red")
        lines.append(printable(sub.short_type), style="bold red")
        if sub.identifier:
            lines.append(f" [{printable(str(sub.identifier))}]", style="bold")
        lines.append(f": {printable(sub.detail, lines=True)}")
    return lines


def _cut(value: str) -> str:
    """The value up to SHOWN_HEADER_BYTES (UTF-8), with how much of it is not shown."""
    shown = value.encode()[:SHOWN_HEADER_BYTES].decode("utf-8", "ignore")
    rest = len(value.encode()) - len(shown.encode())
    return f"{shown}… {rest:,} bytes more (y copies it whole)" if rest else value


def _shown_headers(headers: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], str]:
    """At most SHOWN_HEADERS headers, each value cut to SHOWN_HEADER_BYTES; and the line that
    says how many more there are ("" when none)."""
    kept = [(str(name), _cut(str(value))) for name, value in headers[:SHOWN_HEADERS]]
    more = len(headers) - len(kept)
    return kept, f"… {more:,} more headers (y copies them, x exports them)" if more else ""


def response_view(exchange: Exchange, context: Context) -> list[Text]:
    if exchange.status is None:
        return [inert(f"no response: {exchange.error}", "bold red", lines=True)]
    parts = [inert(f"{exchange.http_version} {exchange.status}", "bold")]
    if exchange.problem:
        parts.append(problem_view(exchange.problem))
    picked = Text()
    headers, more = _shown_headers(list(headers_to_dict(exchange.response_headers).items()))
    for name, value in headers:
        important = name.lower() in KEY_HEADERS
        picked.append(f"{printable(name)}: ", style="bold cyan" if important else "dim")
        picked.append(f"{printable(value)}\n", style="" if important else "dim")
    if more:
        picked.append(f"{more}\n", style="italic")
    parts += [_heading("Headers"), picked, _heading("Body")]
    body = exchange.response_body.decode("utf-8", "replace")
    try:
        answer = json_block(json.loads(body), context.folding, "body") if body else None
        parts.append(answer or Text("(empty)", "dim"))
    except (ValueError, RecursionError):
        parts.append(inert(body, lines=True))
    return parts


def _raw_headers(headers: list[tuple[str, str]]) -> str:
    kept, more = _shown_headers(headers)
    return "".join(f"{name}: {value}\n" for name, value in kept) + (f"{more}\n" if more else "")


def raw_view(exchange: Exchange, context: Context) -> list[Text]:
    sent = f"{exchange.method} {exchange.url}\n{_raw_headers(exchange.request_headers)}\n"
    sent += exchange.request_body.decode("utf-8", "replace")
    received = ""
    if exchange.status is not None:
        status_line = f"{exchange.http_version} {exchange.status}"
        received = f"{status_line}\n{_raw_headers(exchange.response_headers)}\n"
        received += exchange.response_body.decode("utf-8", "replace")
    return [
        _heading("Sent"),
        inert(sent, lines=True),
        _heading("Received"),
        inert(received or exchange.error, lines=True),
    ]


def timing_view(exchange: Exchange, context: Context) -> list[Text]:
    return [
        inert(
            f"started   {exchange.started.isoformat(timespec='milliseconds')}\n"
            f"elapsed   {exchange.elapsed_ms:.1f} ms\n"
            f"request   {counted(len(exchange.request_body), 'byte')}\n"
            f"response  {counted(len(exchange.response_body), 'byte')}\n"
            f"protocol  {exchange.http_version or '-'}\n"
            f"endpoint  {exchange.endpoint}",
            lines=True,
        )
    ]

"""The selected exchange, decoded: Request (JWS parts, signature check, nonce origin), Response
(headers that matter picked out, body, problem with subproblems), Raw bytes, Timing. Every
string that came from the network or a traffic file goes through untrusted.py first."""

from __future__ import annotations

import json
from typing import Any

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from tui.acme.encoding import decode_part
from tui.acme.errors import InputError
from tui.acme.models import Problem
from tui.acme.traffic import Exchange, headers_to_dict
from tui.dashboard.panels.pane import Pane
from tui.dashboard.panels.tabs import TabbedPanes
from tui.dashboard.untrusted import inert, json_text, printable

KEY_HEADERS = ("replay-nonce", "location", "link", "retry-after", "content-type")


def _json(value: Any) -> RenderableType:
    if value == "":
        return Text('"" (empty payload: POST-as-GET)', style="italic")
    return json_text(value)


def _heading(text: str) -> Text:
    return Text(text, style="bold underline")


def request_view(
    exchange: Exchange, valid: bool | None, nonce_from: Exchange | None
) -> RenderableType:
    parts: list[RenderableType] = [inert(f"{exchange.method} {exchange.url}", "bold")]
    if exchange.resent_from is not None:
        parts.append(inert(f"edited and resent from #{exchange.resent_from}", "magenta"))
    jws = exchange.jws
    if jws is None:
        parts.append(Text("no JWS (unsigned request)", style="dim"))
        return Group(*parts)
    verdict = {
        True: Text("signature verifies", style="bold green"),
        False: Text("signature DOES NOT verify", style="bold red"),
        None: Text(
            "signature: key unknown, not checked (no key known for this kid at this point)",
            style="yellow",
        ),
    }[valid]
    nonce = jws.protected.get("nonce", "")
    origin = (
        inert(f"nonce {nonce} came from #{nonce_from.seq} {nonce_from.method} {nonce_from.url}")
        if nonce_from
        else inert(f"nonce {nonce}: no earlier response in this log supplied it", "dim")
    )
    parts += [
        verdict,
        origin,
        _heading("Protected header"),
        _json(jws.protected),
        _heading("Payload"),
        _json(jws.payload),
        _heading("Signature"),
        Text(printable(str(jws.signature)), overflow="fold"),
    ]
    binding = jws.payload.get("externalAccountBinding") if isinstance(jws.payload, dict) else None
    if isinstance(binding, dict):
        # The EAB is a JWS inside the payload (RFC 8555 §7.3.4): show its parts decoded too.
        # Its signature is an HMAC; the MAC key itself is never sent.
        try:
            inner = [decode_part(binding["protected"]), decode_part(binding["payload"])]
        except (KeyError, TypeError, InputError):
            inner = []
        if inner:
            parts += [
                _heading("External Account Binding: protected header"),
                _json(inner[0]),
                _heading("External Account Binding: payload (the account key)"),
                _json(inner[1]),
            ]
    return Group(*parts)


def problem_view(problem: Problem) -> RenderableType:
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


def response_view(exchange: Exchange) -> RenderableType:
    if exchange.status is None:
        return inert(f"no response: {exchange.error}", "bold red", lines=True)
    status_line = f"{exchange.http_version} {exchange.status}"
    parts: list[RenderableType] = [inert(status_line, "bold")]
    if exchange.problem:
        parts.append(problem_view(exchange.problem))
    headers = headers_to_dict(exchange.response_headers)
    picked = Text()
    for name, value in headers.items():
        important = name.lower() in KEY_HEADERS
        picked.append(f"{printable(str(name))}: ", style="bold cyan" if important else "dim")
        picked.append(f"{printable(str(value))}\n", style="" if important else "dim")
    parts += [_heading("Headers"), picked, _heading("Body")]
    body = exchange.response_body.decode("utf-8", "replace")
    try:
        parts.append(_json(json.loads(body)) if body else Text("(empty)", style="dim"))
    except ValueError:
        parts.append(inert(body, lines=True))
    return Group(*parts)


def _raw_headers(headers: list[tuple[str, str]]) -> str:
    return "".join(f"{name}: {value}\n" for name, value in headers)


def raw_view(exchange: Exchange) -> RenderableType:
    sent = f"{exchange.method} {exchange.url}\n{_raw_headers(exchange.request_headers)}\n"
    sent += exchange.request_body.decode("utf-8", "replace")
    received = ""
    if exchange.status is not None:
        status_line = f"{exchange.http_version} {exchange.status}"
        received = f"{status_line}\n{_raw_headers(exchange.response_headers)}\n"
        received += exchange.response_body.decode("utf-8", "replace")
    return Group(
        _heading("Sent"),
        Text(printable(sent, lines=True), overflow="fold"),
        _heading("Received"),
        Text(printable(received or exchange.error, lines=True), overflow="fold"),
    )


def timing_view(exchange: Exchange) -> RenderableType:
    return inert(
        f"started   {exchange.started.isoformat(timespec='milliseconds')}\n"
        f"elapsed   {exchange.elapsed_ms:.1f} ms\n"
        f"request   {len(exchange.request_body)} bytes\n"
        f"response  {len(exchange.response_body)} bytes\n"
        f"protocol  {exchange.http_version or '-'}\n"
        f"endpoint  {exchange.endpoint}",
        lines=True,
    )


def _wrapped(renderable: RenderableType, wrap: bool) -> int | None:
    """Folds every line at the pane's width (`wrap`), or keeps it whole for a sideways
    scroll, so no character of a long line is out of reach. Returns the widest line's width
    when kept whole (a Static would measure itself no wider than its pane), else None."""
    parts = renderable.renderables if isinstance(renderable, Group) else [renderable]
    widest = 0
    for part in parts:
        if isinstance(part, Text):
            part.no_wrap = not wrap
            part.overflow = "fold" if wrap else "ignore"
            widest = max([widest, *(cell_len(line) for line in part.plain.split("\n"))])
    return None if wrap else widest


class ExchangeDetail(Vertical):
    """Tabs for one exchange; rendered when selected, not when recorded. The hidden tabs mount
    after the first paint (`mount_hidden`); their Statics exist from the start, so `show` can
    fill them either way."""

    DEFAULT_CSS = """
    ExchangeDetail.-no-wrap Pane { overflow-x: auto; }
    """
    TABS = ("Request", "Response", "Raw", "Timing")

    wrap: reactive[bool] = reactive(True, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[Exchange, bool | None, Exchange | None] | None = None
        hint = Text("Select an exchange in the traffic list.", style="dim")
        self._views = {tab: Static(hint, id=f"detail-{tab.lower()}") for tab in self.TABS}
        panes: dict[str, tuple[str, Widget]] = {
            f"tab-{tab.lower()}": (tab, Pane(view)) for tab, view in self._views.items()
        }
        self._tabs = TabbedPanes(panes)

    def compose(self) -> ComposeResult:
        yield self._tabs

    def mount_hidden(self) -> None:
        self._tabs.mount_hidden()

    def show(self, exchange: Exchange, valid: bool | None, nonce_from: Exchange | None) -> None:
        self._shown = (exchange, valid, nonce_from)
        views = {
            "Request": request_view(exchange, valid, nonce_from),
            "Response": response_view(exchange),
            "Raw": raw_view(exchange),
            "Timing": timing_view(exchange),
        }
        for tab, renderable in views.items():
            view = self._views[tab]
            view.styles.width = _wrapped(renderable, self.wrap)
            view.update(renderable)

    def watch_wrap(self, wrap: bool) -> None:
        self.set_class(not wrap, "-no-wrap")
        if self._shown is not None:
            self.show(*self._shown)

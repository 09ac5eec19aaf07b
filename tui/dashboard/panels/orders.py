"""Orders panel: a new-order form, the live progress of every authorization, and the
certificate that came out of it. Progress lines and certificate fields carry the CA's text
(URLs, statuses, names): they are made printable and shown as Text, never as markup."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static

from tui.acme.key_types import DEFAULT_KEY_TYPE, KEY_TYPES
from tui.dashboard.panels.text_box import TextBox
from tui.dashboard.untrusted import IN_A_LOG_LINE, printable


@dataclass(frozen=True)
class OrderForm:
    names: list[str]
    challenge: str
    key_type: str
    profile: str
    http_port: int | None  # None: the responder's default
    tls_port: int | None
    out: str


class Outcome(Static, can_focus=True):
    """The progress log or the certificate: a Tab stop once it shows something, so a result
    longer than the tab (at 80x24) is reached and scrolled with keys, the panel's arrow and
    page keys acting from it (no field is below it to scroll from). Empty, it is no stop."""

    DEFAULT_CSS = """
    Outcome { border-left: blank; }
    Outcome:focus { border-left: outer $accent; }
    """

    shown = False

    def allow_focus(self) -> bool:
        return self.shown

    def show(self, text: Text) -> None:
        self.shown = True
        self.update(text)


class OrdersPanel(VerticalScroll, can_focus=False):
    """Not focusable itself: Tab from the tab strip goes straight into the names box (a stop on
    the panel before it looked like the box, and the letters typed there ran commands). Its
    fields scroll it as focus moves, the arrow and page keys scroll it from any field, and
    progress and the certificate scroll into view as they arrive."""

    DEFAULT_CSS = """
    OrdersPanel Input, OrdersPanel Select { margin: 0; }
    OrdersPanel .label { color: $text-muted; }
    OrdersPanel #order-progress { margin-top: 1; }
    OrdersPanel #certificate-view { margin-top: 1; }
    """

    class Submitted(Message):
        """Enter in the names box: issue."""

    def __init__(
        self, *, ports: tuple[int, int] = (80, 443), offline: bool = False, id: str | None = None
    ) -> None:
        """`ports`: where the dashboard's http-01 and tls-alpn-01 responders listen unless a
        port is typed (the demo's are Pebble's, not 80 and 443): shown in the fields' labels.
        `offline`: a traffic file inspected, where the form issues nothing (its hint says so)."""
        super().__init__(id=id)
        self._ports = ports
        self._offline = offline
        self._lines: list[str] = []
        self._progress = Outcome(id="order-progress")
        self._certificate = Outcome(id="certificate-view")

    def compose(self) -> ComposeResult:
        # Imported here: this tab mounts after the first paint, and start-up is counted.
        from tui.dashboard.panels.choice import Choice
        from tui.workflow import CHALLENGES

        http, tls = self._ports
        yield Static("Names (space or comma separated)", classes="label")
        yield TextBox(placeholder="example.org www.example.org", id="order-names")
        yield Static("Challenge type", classes="label")
        yield Choice(
            [(c, c) for c in CHALLENGES], value="http-01", allow_blank=False, id="order-challenge"
        )
        yield Static("Certificate key type", classes="label")
        yield Choice(
            [(k, k) for k in KEY_TYPES],
            value=DEFAULT_KEY_TYPE,
            allow_blank=False,
            id="order-key-type",
        )
        yield Static("Profile (default: the CA's)", classes="label")
        yield TextBox(placeholder="none", id="order-profile")
        yield Static(f"http-01 responder port (default {http})", classes="label")
        # Filled in when not the usual port, so the demo's (Pebble's) is seen, not assumed.
        yield TextBox("" if http == 80 else str(http), placeholder=str(http), id="order-port")
        yield Static(f"tls-alpn-01 responder port (default {tls})", classes="label")
        yield TextBox("" if tls == 443 else str(tls), placeholder=str(tls), id="order-tls-port")
        yield Static("Save to (default certs/<first name>)", classes="label")
        yield TextBox(placeholder="certs/<first name>", id="order-out")
        hint = (
            "Inspecting a traffic file offline:\nnothing is issued here"
            if self._offline
            else "Enter/I issue  Esc leave field\nthen R renew  V revoke"
        )
        yield Static(hint, classes="label", id="order-hint")
        yield self._progress
        yield self._certificate

    def form(self) -> OrderForm:
        from tui.dashboard.panels.choice import Choice

        names = self.query_one("#order-names", Input).value.replace(",", " ").split()
        return OrderForm(
            names=names,
            challenge=self.query_one("#order-challenge", Choice).chosen,
            key_type=self.query_one("#order-key-type", Choice).chosen,
            profile=self.query_one("#order-profile", Input).value.strip(),
            http_port=self._port("#order-port", "http-01"),
            tls_port=self._port("#order-tls-port", "tls-alpn-01"),
            out=self.query_one("#order-out", Input).value.strip(),
        )

    def _port(self, field: str, challenge: str) -> int | None:
        text = self.query_one(field, Input).value.strip()
        if text and not (text.isdigit() and 0 < int(text) < 65536):
            raise ValueError(f"the {challenge} port must be a number from 1 to 65535, not {text!r}")
        return int(text) if text else None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted())

    def start(self, title: str) -> None:
        self._lines = [title]
        self._render_progress()

    def add_progress(self, line: str) -> None:
        self._lines.append(line)
        self._render_progress()

    def _render_progress(self) -> None:
        text = Text()
        for index, line in enumerate(self._lines):
            style = "bold" if index == 0 else ("green" if line.endswith(": valid") else "")
            text.append(f"{printable(line, limit=IN_A_LOG_LINE)}\n", style=style)
        self._progress.show(text)
        self._show(self._progress)

    def show_certificate(self, info: dict[str, object], path: str) -> None:
        """`info` as certificates.describe gives it; with `revoked` (the reason) for one this
        session revoked: marked on its first line, and no ARI window (the CA has no window for
        it; renewal_due makes it due at once)."""
        text = Text()
        text.append(f"{printable(path)}\n", style="bold")
        revoked = info.get("revoked")
        if revoked:
            text.append(f"{'REVOKED':<11}", style="bold reverse")
            text.append(f" reason: {printable(str(revoked))}\n", style="bold")
        for key in ("names", "issuer", "serial", "not_before", "not_after", "days_left", "chain"):
            if key in info:
                value = info[key]
                shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
                text.append(f"{key:<11}", style="dim")
                text.append(f"{printable(shown)}\n")
        if not revoked:
            ari = info.get("ari")
            text.append(f"{'ARI':<11}", style="dim")
            text.append(f"{printable(str(ari))}\n" if ari else "not offered by this CA\n")
        self._certificate.show(text)
        self._show(self._certificate)

    def _show(self, widget: Outcome) -> None:
        if widget.is_mounted:
            self.call_after_refresh(self._reveal, widget)

    def _reveal(self, widget: Outcome) -> None:
        """Progress and the certificate scroll into view, but a field with focus stays in view:
        at 60x20 the issuance's lines scrolled the names box away while it had focus, and
        what was typed next went into a box no one could see."""
        self.scroll_to_widget(widget, animate=False)
        focused = self.screen.focused
        if focused is not None and self in focused.ancestors:
            # After the scroll above is laid out: measured before it, the field looked in view.
            self.call_after_refresh(self.scroll_to_widget, focused, animate=False)

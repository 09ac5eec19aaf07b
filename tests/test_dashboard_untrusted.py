"""Server text in the dashboard (security item 10): a hostile CA's control characters never
reach the terminal, and its text is never read as Rich/Textual markup.

Pebble answers honestly, so this CA is our own: a plain-HTTP server bound to 127.0.0.1 (the
dashboard allows http:// on loopback only) whose every string carries escape sequences, C1
controls and markup. What is checked is what the terminal would be sent: the screen's
composed lines."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.conftest import fill_the_orders_form, settle, wait_for_screen, wait_until
from tui.acme import keys
from tui.acme.encoding import decode_part
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.tabs import TabbedPanes
from tui.dashboard.panels.traffic_list import TrafficList
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.dns_instructions import DnsInstructions

# What a hostile CA puts in its strings: an OSC title change ended by BEL, a CSI clear
# screen, a C1 CSI (0x9b), DEL, a right-to-left override, and markup that would bold text,
# make a link, or bind a click to an action.
EVIL = (
    "\x1b]0;owned\x07\x1b[2J\x9b31m\x7f\u202e"
    " [b]bold[/b] [link=https://evil.test]x[/link] [@click=app.quit]q[/]"
)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SIZE = (120, 40)


class HostileCa(BaseHTTPRequestHandler):
    """Just enough ACME for the dashboard's d, a, l and I (dns-01), every answer hostile."""

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def _answer(
        self,
        status: int,
        body: object = None,
        *,
        location: str = "",
        problem: bool = False,
    ) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Replay-Nonce", f"nonce{threading.get_ident()}{id(data)}")
        kind = "application/problem+json" if problem else "application/json"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(data)

    def do_HEAD(self) -> None:
        self._answer(200)

    def do_GET(self) -> None:
        base = self._base()
        if self.path == "/dir":
            self._answer(
                200,
                {
                    "newNonce": f"{base}/nonce",
                    "newAccount": f"{base}/new-acct",
                    "newOrder": f"{base}/new-order",
                    "revokeCert": f"{base}/revoke",
                    "keyChange": f"{base}/key-change",
                    "evil": f"{base}/{EVIL}",
                    "meta": {
                        "termsOfService": f"https://ca.test/tos{EVIL}",
                        "website": f"https://ca.test/{EVIL}",
                        "caaIdentities": [f"ca.test{EVIL}"],
                        "profiles": {f"p{EVIL}": EVIL},
                    },
                },
            )
        else:
            self._answer(200)

    def do_POST(self) -> None:
        base = self._base()
        length = int(self.headers.get("Content-Length", "0"))
        payload = decode_part(json.loads(self.rfile.read(length))["payload"])
        if self.path == "/new-acct" and isinstance(payload, dict):
            if payload.get("onlyReturnExisting"):
                self._answer(
                    400,
                    {
                        "type": f"urn:ietf:params:acme:error:{EVIL.replace('https://', '')}",
                        "detail": f"lookup refused {EVIL}",
                        "subproblems": [
                            {
                                "type": f"urn:ietf:params:acme:error:caa{EVIL}",
                                "detail": EVIL,
                                "identifier": {"type": "dns", "value": EVIL},
                            }
                        ],
                    },
                    problem=True,
                )
                return
            account = {
                "status": f"valid{EVIL}",
                "contact": [f"mailto:a@ca.test{EVIL}"],
                "orders": f"{base}/orders/{EVIL}",
                "createdAt": EVIL,
            }
            self._answer(201, account, location=f"{base}/acct/1")
        elif self.path == "/new-order":
            order = {
                "status": "pending",
                "identifiers": [{"type": "dns", "value": "dash.example.test"}],
                "authorizations": [f"{base}/authz/1"],
                "finalize": f"{base}/finalize/1",
            }
            self._answer(201, order, location=f"{base}/order/1[b]x[/b][@click=app.quit]")
        elif self.path == "/authz/1":
            self._answer(
                200,
                {
                    "status": "pending",
                    "identifier": {"type": "dns", "value": f"evil{EVIL}.example.test"},
                    "challenges": [
                        {
                            "type": "dns-01",
                            "url": f"{base}/chall/1",
                            "token": "aGVsbG8td29ybGQtdG9rZW4",
                            "status": "pending",
                        }
                    ],
                },
            )
        else:
            self._answer(404, {"type": "about:blank", "detail": EVIL}, problem=True)


@pytest.fixture
def hostile_ca() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostileCa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}/dir"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _screen(app: AcmeDashApp) -> str:
    """The lines the terminal would be sent for the screen on top, as text, then the text of
    each notification on it (a toast wraps its lines beside the panels' lines)."""
    strips = app.screen._compositor.render_strips()
    lines = ["".join(segment.text for segment in strip) for strip in strips]
    toasts = [str(toast.render()).replace("\n", " ") for toast in app.screen.query("Toast")]
    return "\n".join(lines + toasts)


async def _check(pilot: Pilot[None], *literal: str) -> None:
    """No control character on screen, and each `literal` shown as typed (not as markup)."""
    await pilot.pause()
    text = _screen(pilot.app)  # type: ignore[arg-type]
    assert not CONTROL.findall(text), CONTROL.findall(text)
    flat = text.replace("\n", "")
    for expected in literal:
        assert expected in flat, f"{expected!r} not shown literally in:\n{text}"


async def test_hostile_server_text_is_shown_inert(hostile_ca: str, tmp_path: Path) -> None:
    key_path = tmp_path / "k.pem"
    keys.save_key(keys.generate_key("ec256"), key_path)
    settings = Settings(endpoint=hostile_ca, account_key=str(key_path))
    app = AcmeDashApp(settings, config_path=None)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("d")  # the directory, on the CA tab
        await settle(app)
        await _check(pilot, "[b]bold[/b]", "[@click=app.quit]q[/]")

        await pilot.press("a")  # the terms of service dialog shows the URL as sent
        await wait_for_screen(pilot, ConfirmScreen)
        await _check(pilot, "https://ca.test/tos", "[link=https://evil.test]x[/link]")
        await pilot.click("#confirm")
        await settle(app)
        app.query_one("#side", TabbedPanes).active = "pane-account"
        await wait_until(pilot, lambda: app.account is not None, "the account shown")
        await _check(pilot, "valid", "[@click=app.quit]q[/]")

        await pilot.press("l")  # refused with a hostile problem document
        await settle(app)
        await _check(pilot, "lookup refused", "[b]bold[/b]")  # notification, traffic row
        traffic = app.query_one(TrafficList)
        assert traffic.selected is not None and traffic.selected.status == 400
        detail = app.query_one("#exchange-detail TabbedPanes", TabbedPanes)
        for tab in ("tab-response", "tab-raw"):
            detail.active = tab
            await _check(pilot, "[@click=app.quit]q[/]")
        assert app.is_running, "no markup action ran"

        await fill_the_orders_form(app, pilot, challenge="dns-01", names="dash.example.test")
        app.query_one("#traffic-list").focus()
        await pilot.press("I")
        # The CA's authorization names something that was not ordered: refused before any
        # dialog or solver sees it (security item 1), and the refusal shows the name inert.
        await settle(app)
        await wait_until(pilot, lambda: "did not ask for" in _screen(app), "the refusal shown")
        assert not isinstance(app.screen, DnsInstructions)
        await _check(pilot, "did not ask for", "[b]bold[/b]")  # progress, notification
        assert app.is_running


async def test_a_dialog_title_and_the_busy_title_are_made_printable() -> None:
    """The status line names the dialog on top by its title, and the top bar the operation in
    flight; both can carry a CA's text (a name, a URL) and went to the screen unfiltered."""
    from textual.app import App

    from tui.dashboard.navigation import dialog_name
    from tui.dashboard.panels.top_bar import TopBar
    from tui.dashboard.screens.prompt import PromptScreen
    from tui.endpoints import resolve

    async with App().run_test():  # widgets need an active app
        assert not CONTROL.search(dialog_name(PromptScreen(f"Renew {EVIL}\nsecond line")))
        bar = TopBar()
        bar.show(resolve("pebble"), offline=False, busy=f"Renewing {EVIL}")
        shown = str(bar.content)
        assert "Renewing" in shown and not CONTROL.search(shown), repr(shown)


def test_fitted_cuts_to_the_width_with_an_ellipsis() -> None:
    from tui.dashboard.untrusted import fitted

    assert fitted("status", 6) == "status"
    assert fitted("status", 4) == "sta…"
    assert fitted("status", 1) == "" and fitted("status", 0) == ""

"""The exchange detail pane: nothing the CA sent is out of reach, however long its lines.
Driven with Pilot on hand-made exchanges, no network."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from textual.widget import Widget

from tui.acme.traffic import Exchange
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.document import Document
from tui.dashboard.panels.tabs import TabbedPanes

SIZE = (80, 24)
LONG = "https://ca.test/acme/cert/" + "0123456789abcdef" * 8 + "/END-OF-LINE"


def _exchange() -> Exchange:
    body = json.dumps({"status": "valid", "certificate": LONG, "expires": "2026-12-26T00:00:00Z"})
    return Exchange(
        seq=1,
        started=datetime(2026, 11, 26, tzinfo=UTC),
        endpoint="https://ca.test/dir",
        method="POST",
        url="https://ca.test/acme/order/1",
        request_headers=[],
        request_body=b"",
        status=200,
        response_headers=[("content-type", "application/json")],
        response_body=body.encode(),
    )


def _shown(app: AcmeDashApp, widget: Widget) -> str:
    region = widget.scrollable_content_region
    strips = app.screen._compositor.render_strips()
    rows = strips[region.y : region.bottom]
    return "\n".join(s.text[region.x : region.right].rstrip() for s in rows)


async def test_long_lines_wrap_and_w_turns_them_into_a_sideways_scroll() -> None:
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None, offline=[_exchange()])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tabs = app.query_one("#exchange-detail TabbedPanes", TabbedPanes)
        tabs.active = "tab-response"
        await pilot.pause()
        pane = app.query_one("#detail-response", Document)
        pane.scroll_end(animate=False)
        await pilot.pause()
        shown = _shown(app, pane)
        assert "END-OF-LINE" in shown.replace("\n", ""), "wrapped: every character on screen"
        assert '"status": "valid",\n' in shown, "the JSON keeps its lines"

        await pilot.press("w")  # no wrap: one JSON line per line, scrolled sideways
        await pilot.pause()
        assert pane.max_scroll_x > 0
        assert "END-OF-LINE" not in _shown(app, pane)
        pane.focus()
        await pilot.press("end", "right", "right", "right")  # to the bottom, then sideways
        pane.scroll_to(x=pane.max_scroll_x, animate=False)
        await pilot.pause()
        assert "END-OF-LINE" in _shown(app, pane)

        await pilot.press("w")
        await pilot.pause()
        assert pane.max_scroll_x == 0

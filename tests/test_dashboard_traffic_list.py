"""The traffic list's rows: the status column is whole and in one place on every row, at every
size, scrolled or not. Hand-made exchanges, no server."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tui.acme.traffic import Exchange
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.traffic_list import TrafficList, format_row


def _exchange(seq: int, status: int | None, problem: str = "", elapsed: float = 3.0) -> Exchange:
    body = json.dumps({"type": f"urn:ietf:params:acme:error:{problem}", "detail": "d"})
    return Exchange(
        seq=seq,
        started=datetime(2026, 11, 26, tzinfo=UTC),
        endpoint="https://ca.test/dir",
        method="POST" if seq % 3 else "HEAD",
        url=f"https://ca.test/acme/a-rather-long/path/segment/{seq}",
        request_headers=[],
        request_body=b"",
        elapsed_ms=elapsed,
        status=status,
        response_headers=[("content-type", "application/problem+json")] if problem else [],
        response_body=body.encode() if problem else b"{}",
        error="" if status is not None else "cannot reach https://ca.test: connection refused",
    )


def _traffic(count: int = 60) -> list[Exchange]:
    """Mostly 200s, with a badNonce, an unauthorized, a failed round trip, a slow one."""
    exchanges = [_exchange(seq, 200) for seq in range(1, count + 1)]
    exchanges[-2] = _exchange(count - 1, 400, "badNonce")
    exchanges[-3] = _exchange(count - 2, 403, "unauthorized")
    exchanges[-4] = _exchange(count - 3, None, elapsed=30000.0)
    exchanges[-5] = replace(_exchange(count - 4, 201), elapsed_ms=123456.0)
    return exchanges


STATUSES = {"200", "201", "400", "403", "ERR"}


@pytest.mark.parametrize("width", [18, 22, 24, 30, 44, 63, 64, 82, 120, 200])
def test_rows_of_one_width_have_their_status_in_one_column(width: int) -> None:
    rows = [format_row(e, width) for e in _traffic()[-6:]]
    assert all(len(row) <= width for row in rows), rows
    columns = set()
    for row, exchange in zip(rows, _traffic()[-6:], strict=True):
        status = str(exchange.status) if exchange.status is not None else "ERR"
        at = row.find(f" {status}", 5)
        assert at > 0, (status, row)
        columns.add(at)
    assert len(columns) == 1, rows


def _screen_rows(app: AcmeDashApp, widget: TrafficList) -> list[str]:
    region = widget.content_region
    strips = app.screen._compositor.render_strips()
    return [strip.text[region.x : region.right] for strip in strips[region.y : region.bottom]]


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)])
async def test_the_status_column_is_whole_on_screen_when_the_list_scrolls(
    size: tuple[int, int],
) -> None:
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None, offline=_traffic())
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        assert traffic.max_scroll_y > 0, "enough rows to scroll"
        assert not traffic.show_horizontal_scrollbar, "nothing to scroll sideways"
        shown = [row for row in _screen_rows(app, traffic) if row.strip()]
        statuses = [word for row in shown for word in row.split() if word in STATUSES]
        assert len(statuses) == len(shown), shown
        assert {"400", "403", "ERR"} <= set(statuses), shown
        columns = {row.index(f" {s} ") for row, s in zip(shown, statuses, strict=True)}
        assert len(columns) == 1, shown


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)])
async def test_inspect_opens_with_the_selected_last_row_in_sight(size: tuple[int, int]) -> None:
    """`acmedash inspect FILE` selects the last exchange: that row must be on screen, not under
    the (horizontal) scrollbar."""
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None, offline=_traffic())
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        assert traffic.cursor == len(traffic.rows) - 1
        shown = _screen_rows(app, traffic)
        assert any(row.startswith("   60 ") for row in shown), shown


def _row_colour(app: AcmeDashApp, traffic: TrafficList, status: str) -> tuple[int, int, int]:
    """The foreground colour of the first row on screen with this status."""
    region = traffic.content_region
    for strip in app.screen._compositor.render_strips()[region.y : region.bottom]:
        row = strip.crop(region.x, region.right)
        if f" {status} " in row.text and not any(s.style and s.style.reverse for s in row):
            segment = next(s for s in row if s.text.strip())
            assert segment.style is not None and segment.style.color is not None
            return segment.style.color.get_truecolor()
    raise AssertionError(f"no unselected {status} row on screen")


async def test_rows_take_the_theme_s_colours_and_follow_a_theme_switch() -> None:
    """Rows already drawn are drawn again in the new theme's success / warning / error (they
    stayed in the old colours, cached; and were green / yellow / red whatever the theme)."""
    from textual.color import Color

    app = AcmeDashApp(
        Settings(endpoint="pebble", theme="acme-dark"), config_path=None, offline=_traffic(12)
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        for theme_name in ("acme-dark", "acme-light", "acme-dark"):
            app.theme = theme_name
            await pilot.pause()
            theme = app.get_theme(theme_name)
            assert theme is not None
            for status, colour in (
                ("200", theme.success),
                ("403", theme.warning),
                ("ERR", theme.error),
            ):
                expected = Color.parse(colour or "").rich_color.get_truecolor()
                shown = _row_colour(app, traffic, status)
                assert all(abs(a - b) <= 2 for a, b in zip(shown, expected, strict=True)), (
                    theme_name,
                    status,
                    shown,
                    expected,
                )

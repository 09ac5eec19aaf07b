"""The traffic list's rows: the status column is whole and in one place on every row, at every
size, scrolled or not. Hand-made exchanges, no server."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Button, Input

from tests.conftest import wait_for_screen, wait_until
from tui.acme.traffic import Exchange
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.exchange_detail import ExchangeDetail
from tui.dashboard.panels.filter_box import FilterBox
from tui.dashboard.panels.status_line import StatusLine
from tui.dashboard.panels.traffic_list import TrafficList, format_row
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.prompt import PromptScreen
from tui.dashboard.workspace_screen import WorkspaceScreen


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


def _app(exchanges: list[Exchange]) -> AcmeDashApp:
    return AcmeDashApp(Settings(endpoint="pebble"), config_path=None, offline=exchanges)


async def test_space_marks_rows_visibly_and_x_exports_only_the_marked(tmp_path: Path) -> None:
    app = _app(_traffic(12))
    target = tmp_path / "marked.jsonl"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        traffic.focus()
        await pilot.press("space", "up", "up", "space", "up", "space", "space")  # 12, 10 marked
        await pilot.pause()
        assert [traffic.exchanges[i].seq for i in sorted(traffic.model.marked)] == [10, 12]
        marked_rows = [row for row in _screen_rows(app, traffic) if row[5:6] == "*"]
        assert [row[:6].strip() for row in marked_rows] == ["10*", "12*"], marked_rows
        await pilot.press("x")
        await wait_for_screen(pilot, PromptScreen)
        title = app.screen.query("Vertical > Static").first()
        assert "the 2 marked exchanges" in str(title.render())
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_until(pilot, target.exists, "the export written")
    assert [json.loads(line)["seq"] for line in target.read_text().splitlines()] == [10, 12]


async def test_shift_c_clears_the_list_after_asking_and_the_detail_with_it() -> None:
    app = _app(_traffic(12))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        traffic.focus()
        await pilot.press("C")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.press("escape")  # cancelled: nothing cleared
        await pilot.pause()
        assert len(traffic.rows) == 12
        await pilot.press("C")
        await wait_for_screen(pilot, ConfirmScreen)
        app.screen.query_one("#confirm", Button).press()
        await wait_until(pilot, lambda: not traffic.rows, "the list cleared")
        assert traffic.model.status().total == 0 and traffic.selected is None
        detail = app.query_one(ExchangeDetail)
        assert "cleared" in detail.documents["Request"].plain
        assert not any(row.strip() for row in _screen_rows(app, traffic))


async def test_z_in_the_traffic_list_hides_and_shows_the_left_panel_as_everywhere() -> None:
    """One key, one meaning: `z` hid the left panel elsewhere but cleared the list here, so a
    panel hidden from another pane could not be shown again from the list."""
    app = _app(_traffic(12))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        side = app.screen.query_one("#side")
        traffic.focus()
        await pilot.press("z")
        await pilot.pause()
        assert not side.display and len(app.screen_stack) == 1
        await pilot.press("z")
        await pilot.pause()
        assert side.display and len(app.screen_stack) == 1 and len(traffic.rows) == 12


async def _filter(pilot: Pilot[None], text: str) -> None:
    await pilot.press("slash")
    await pilot.pause()
    box = pilot.app.query_one(FilterBox)
    box.value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_a_bad_filter_is_told_in_one_line_and_changes_nothing() -> None:
    app = _app(_traffic(12))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        await _filter(pilot, "status:4xx")
        assert len(traffic.rows) == 2
        await _filter(pilot, "body:/[unclosed/")
        assert app.is_running and len(traffic.rows) == 2
        assert isinstance(app.focused, FilterBox), "the box keeps the text to correct"
        messages = [str(n.message) for n in app._notifications]
        assert any("not a regular expression: /[unclosed/" in m for m in messages), messages
        await pilot.press("escape")
        await _filter(pilot, "~b badnonce")
        assert [traffic.exchanges[i].seq for i in traffic.rows] == [11]
        await _filter(pilot, "!status:2xx !~h problem")
        assert [traffic.exchanges[i].seq for i in traffic.rows] == [9]


async def test_up_in_the_filter_box_brings_back_earlier_filters() -> None:
    app = _app(_traffic(12))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _filter(pilot, "status:4xx")
        await _filter(pilot, "method:head")
        await pilot.press("slash")
        await pilot.pause()
        box = app.query_one(FilterBox)
        box.value = "draft"
        await pilot.press("up")
        assert box.value == "method:head"
        await pilot.press("up", "up")
        assert box.value == "status:4xx"
        await pilot.press("down", "down")
        assert box.value == "draft"


async def test_letters_typed_in_the_filter_box_are_text() -> None:
    """space (mark), z (hide left), C (clear), y (copy), F (follow), - (fold) must not act from
    the box."""
    app = _app(_traffic(12))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        await pilot.press("slash", *"zCyF-", "space")
        await pilot.pause()
        assert app.query_one(FilterBox).value == "zCyF- "
        assert len(app.screen_stack) == 1 and not traffic.model.marked
        assert traffic.follow and len(traffic.rows) == 12


async def test_text_typed_in_one_burst_after_ctrl_u_is_kept() -> None:
    """ctrl+u then letters arriving in one read (as tmux send-keys or a slow SSH link deliver
    them): ctrl+u ran after the letters and wiped them. Keys posted without waiting between
    them, as a terminal's one read is."""
    app = _app(_traffic(12))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _filter(pilot, "status:4xx")
        await pilot.press("slash")
        await pilot.pause()
        box = app.query_one(FilterBox)
        assert box.value == "status:4xx"
        for key, character in [("ctrl+u", None), ("x", "x"), ("y", "y"), ("backspace", None)]:
            app.post_message(events.Key(key, character))
        app.post_message(events.Key("z", "z"))
        await pilot.pause(0.2)
        assert box.value == "xz"


async def test_two_runs_in_one_file_are_told_apart_on_every_row() -> None:
    """Each run numbers from 1: rows show run:seq, the status column still lines up."""
    app = _app(_traffic(6) + _traffic(6))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        traffic.cursor = 0
        await pilot.pause()
        lines = [row for row in _screen_rows(app, traffic) if row.strip()]
        assert lines[6].startswith("── run 2 ──"), "a line between the runs names the second"
        rows = lines[:6] + lines[7:]
        expected = [f"{run}:{seq}" for run in (1, 2) for seq in range(1, 7)]
        assert len(rows) >= 8 and [row.split()[0] for row in rows] == expected[: len(rows)]
        columns = {row.index(f" {s} ") for row in rows for s in STATUSES if f" {s} " in row}
        assert len(columns) == 1, rows


async def test_runs_stay_apart_when_filtered_and_the_cursor_walks_across_the_line() -> None:
    """Three runs; the filter hides each run's first rows: the line goes before the first row
    still shown of each run, Up and Down step over it, and a run's first row, selected, comes
    into sight with the line naming its run."""
    app = _app(_traffic(30) + _traffic(30) + _traffic(30))
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        assert traffic.virtual_size.height == 92
        await _filter(pilot, "status:4xx")  # 28 and 29 of each run
        lines = [row for row in _screen_rows(app, traffic) if row.strip()]
        heads = [line.split()[0] for line in lines]
        assert heads == ["1:28", "1:29", "──", "2:28", "2:29", "──", "3:28", "3:29"], lines
        traffic.focus()
        traffic.cursor = 1
        await pilot.press("down")
        assert traffic.model.label(traffic.rows[traffic.cursor]) == "2:28"
        await pilot.press("up")
        assert traffic.model.label(traffic.rows[traffic.cursor]) == "1:29"
        await _filter(pilot, "")
        traffic.focus()
        traffic.follow = False
        traffic.cursor = 30  # the second run's first row, far below the top
        await pilot.pause()
        lines = _screen_rows(app, traffic)
        at = next(i for i, line in enumerate(lines) if line.split()[:1] == ["2:1"])
        assert lines[at - 1].startswith("── run 2"), lines


async def test_the_status_api_follows_the_list() -> None:
    app = _app(_traffic(12))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        seen: list[str] = []
        traffic.model.add_listener(lambda: seen.append(str(traffic.model.status())))
        traffic.focus()
        await pilot.press("F")
        await _filter(pilot, "status:4xx")
        assert seen[-1] == "2 of 12 · follow off · filter: status:4xx"


def _acme(seq: int, url: str, payload: object, answer: object, kind: str = "json") -> Exchange:
    """A signed request to Pebble-shaped URLs (the same long prefix, random tails)."""
    from tui.acme.encoding import b64url

    protected = b64url(json.dumps({"alg": "ES256", "kid": "https://ca.test/my-account/1"}).encode())
    body = json.dumps(
        {
            "protected": protected,
            "payload": "" if payload == "" else b64url(json.dumps(payload).encode()),
            "signature": "c2ln",
        }
    )
    content_type = "application/pem-certificate-chain" if kind == "pem" else "application/json"
    return replace(
        _exchange(seq, 200),
        method="POST",
        url=url,
        request_body=body.encode(),
        response_headers=[("content-type", content_type)],
        response_body=answer.encode() if isinstance(answer, str) else json.dumps(answer).encode(),
    )


def _issuance() -> list[Exchange]:
    prefix = "https://ca.test/acme/long/prefix/every/resource/shares"
    return [
        _acme(1, f"{prefix}/new-order", {"identifiers": []}, {"finalize": "x"}),
        _acme(2, f"{prefix}/authz/Q2hhbGxlbmdl", "", {"challenges": []}),
        _acme(3, f"{prefix}/chall/Q2hhbGxlbmdl", {}, {"type": "http-01", "token": "t"}),
        _acme(4, f"{prefix}/finalize/T3JkZXI", {"csr": "MII"}, {"finalize": "x"}),
        _acme(5, f"{prefix}/order/T3JkZXI", "", {"finalize": "x"}),
        _acme(6, f"{prefix}/cert/Q2VydA", "", "-----BEGIN CERTIFICATE-----", "pem"),
    ]


@pytest.mark.parametrize("width", [30, 44, 63, 82])
def test_rows_name_the_acme_operation_and_keep_the_status_whole(width: int) -> None:
    """Cut from the left, the authz, chall and finalize rows of one CA looked alike."""
    rows = [format_row(e, width) for e in _issuance()]
    names = ["newOrder", "authz", "chall", "finalize", "order", "cert"]
    for row, name in zip(rows, names, strict=True):
        assert f" {name} " in row, (name, row)
    assert len({row.index(" 200") for row in rows}) == 1, rows
    assert all(row.rstrip().endswith("200") or "200 " in row for row in rows), rows


async def test_the_border_and_the_status_line_count_the_same_as_exchanges_arrive() -> None:
    """The border's `(N of M)` was counted when the filter applied: an exchange arriving later
    (filtered out or shown) left it one behind the status line."""
    app = _app(_traffic(12))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        await _filter(pilot, "status:4xx")
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        for exchange in (_exchange(13, 200), _exchange(14, 404, "malformed")):
            screen.record(exchange)
            await pilot.pause()
            status = app.query_one(StatusLine).render().plain
            counts = f"{len(traffic.rows)} of {exchange.seq}"
            assert f"({counts})" in str(traffic.border_title), traffic.border_title
            assert status.rstrip().endswith(counts), status


async def test_the_export_box_at_60_columns_shows_the_whole_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The box showed the end of the path (the cursor's), and not which folder it named."""
    folder = tmp_path / "a-folder-with-a-name-long-enough-to-push-the-box-sideways"
    folder.mkdir()
    monkeypatch.chdir(folder)  # where inspect's files go (Workspace.place)
    app = _app(_traffic(12))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        app.query_one(TrafficList).focus()
        await pilot.press("x")
        await wait_for_screen(pilot, PromptScreen)
        await pilot.pause()
        where = app.screen.query_one("#folder")
        assert str(where.render()) == f"in {folder}"
        assert app.screen.region.contains_region(where.region)
        await pilot.press(*"sub/")
        await pilot.pause()
        assert str(where.render()) == f"in {folder}/sub"


async def test_s_names_the_exchange_as_the_list_does_when_the_file_holds_two_runs() -> None:
    """`s` offered "Save exchange #3" and a file `…-3.json` for the row `1:3`, which run 2's
    seq 3 would have taken too."""
    app = _app(_traffic(6) + _traffic(6))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        traffic.focus()
        traffic.cursor = 2
        await pilot.press("s")
        await wait_for_screen(pilot, PromptScreen)
        title = app.screen.query("Vertical > Static").first()
        assert "Save exchange #1:3 as JSON" in str(title.render())
        assert app.screen.query_one(Input).value.endswith("-1-3.json")


async def test_a_tilde_user_with_no_home_in_a_path_box_is_shown_as_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`~qz` (no such user) in the export box raised RuntimeError from Path.expanduser and
    ended the dashboard with a traceback."""
    monkeypatch.chdir(tmp_path)
    app = _app(_traffic(12))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.query_one(TrafficList).focus()
        await pilot.press("x")
        await wait_for_screen(pilot, PromptScreen)
        await pilot.press("ctrl+u", *"~qz-nobody/sub/")
        await pilot.pause()
        assert app.is_running
        assert str(app.screen.query_one("#folder").render()) == f"in {tmp_path}/~qz-nobody/sub"


async def test_the_selected_row_stays_in_sight_through_a_resize() -> None:
    """New-user review: resized from 80x24 to 60x20, to 120x40 and back, the list showed
    older rows while following the newest one (the status line said follow on)."""
    app = _app(_traffic(40))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        traffic = app.query_one(TrafficList)
        for size in [(60, 20), (120, 40), (80, 24)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
            line = traffic.run_lines.line_of(traffic.cursor)
            top, height = traffic.scroll_offset.y, traffic.scrollable_content_region.height
            assert traffic.follow and traffic.cursor == len(traffic.rows) - 1
            assert top <= line < top + height, (size, top, line, height)

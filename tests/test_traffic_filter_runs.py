"""A filter over a big log runs in slices (TrafficLog.start_filter / FilterRun.step) so that the
dashboard answers keys while it matches, and typing on narrows from the rows shown. Hand-made
exchanges, no server: the model is pure; the dashboard test runs the real App headless."""

from __future__ import annotations

import gc
import time
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.screen import Screen

import tests.json_strategies  # noqa: F401 - the project's hypothesis profile
from tests.conftest import wait_until
from tests.test_dashboard_traffic_list import _app, _exchange, _filter, _traffic
from tui.acme.traffic import Exchange
from tui.dashboard.panels.filter_box import FilterBox
from tui.dashboard.panels.status_line import StatusLine
from tui.dashboard.panels.traffic_list import ENTER_SLICE_SECONDS, TrafficList
from tui.traffic_filter import FilterError, Query
from tui.traffic_log import CHECK_EVERY, SLICE_SECONDS, FilterRun, TrafficLog


def _log(count: int) -> TrafficLog:
    log = TrafficLog()
    log.extend(_traffic(count))
    return log


def _every(log: TrafficLog, text: str) -> list[int]:
    """The rows `text` lets through, one exchange at a time, as the filter language says."""
    query = Query.parse(text)
    return [i for i, e in enumerate(log.exchanges) if query.matches(e)]


@pytest.mark.parametrize(
    "text", ["", "head", "status:4xx !method:post", "~b /nonce|unauth/", "header:problem 2"]
)
def test_a_run_in_slices_finds_what_one_pass_finds(text: str) -> None:
    log = _log(3 * CHECK_EVERY + 7)
    run = log.start_filter(text)
    steps = 1
    while not run.step(seconds=0):  # the least a slice does: CHECK_EVERY rows, or one row
        steps += 1  # for a body, header or regex search (one 1 MiB body can take 100 ms)
    assert steps == (len(log.exchanges) if run.query.costly else 4)
    assert log.status().filtering and log.rows == list(range(len(log.exchanges)))
    assert log.finish_filter(run) and not log.status().filtering
    assert log.rows == _every(log, text) and log.query_text == text


def test_exchanges_arriving_during_a_run_are_matched_and_a_clear_voids_it() -> None:
    log = _log(2 * CHECK_EVERY)
    run = log.start_filter("status:2xx")
    run.step(seconds=0)
    log.append(_exchange(9001, 200))
    log.append(_exchange(9002, 500))
    while not run.step(seconds=0):
        pass
    assert log.finish_filter(run)
    assert log.rows == _every(log, "status:2xx") and log.exchanges[log.rows[-1]].seq == 9001
    older = log.start_filter("method:head")
    run = log.start_filter("head")  # a newer filter: the older run stops where it is
    assert older.step(seconds=0) and not log.finish_filter(older)
    log.clear()
    assert run.step() and not log.finish_filter(run)
    assert log.rows == [] and log.query_text == "status:2xx"


def test_typing_on_narrows_from_the_rows_shown() -> None:
    log = _log(300)
    log.apply_filter("post")
    shown = len(log.rows)
    run = log.start_filter("post segment/2")
    assert len(run.candidates) == shown < len(log.exchanges)
    assert len(log.start_filter("post !segment").candidates) == shown  # one more term
    for wider in ("!post", "pos", "/post/ segment", "head"):
        log.apply_filter("post")
        assert len(log.start_filter(wider).candidates) == len(log.exchanges)


def test_prepare_makes_the_row_texts_a_slice_at_a_time() -> None:
    log = _log(2 * CHECK_EVERY + 1)
    assert not log.prepared and not log.prepare(seconds=0) and not log.prepare(seconds=0)
    assert log.prepare(seconds=0) and log.prepared
    log.apply_filter("head segment/1")
    assert log.rows == _every(log, "head segment/1")
    log.apply_filter("status:2xx")  # looks at no row text: one arriving now gets none yet
    log.append(_exchange(9001, 200))
    assert not log.prepared and log.prepare() and log.prepared


@pytest.mark.parametrize("work", ["prepare", "problem:any", "words"])
def test_what_a_filter_or_prepare_makes_is_out_of_the_collector_s_sight(work: str) -> None:
    """row_text() and the cached Exchange.problem give each exchange a __dict__ object (Python
    3.11 makes it on first use): left to the collector, 100,000 of them made one full
    collection take 50 ms in the middle of a scroll key (benchmarks/traffic_100k.py)."""
    log = _log(3000)
    if work == "prepare":
        while not log.prepare():
            pass
    else:
        log.apply_filter(work)
    dicts = {id(vars(exchange)) for exchange in log.exchanges}
    assert not [o for o in gc.get_objects() if id(o) in dicts]


async def test_inspect_prepares_the_row_texts_after_opening() -> None:
    app = _app(_traffic(5000))
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.main_screen.workspace.log
        await wait_until(pilot, lambda: log.prepared, "the row texts made")


WORDS = st.sampled_from(["post", "head", "se", "segment/1", "2", "!", "~b", "nonce", "/2$/"])


@given(st.lists(WORDS, max_size=4), st.lists(WORDS, max_size=3), st.text("12 /!x", max_size=3))
def test_narrowing_never_changes_what_a_filter_shows(
    first: list[str], more: list[str], tail: str
) -> None:
    """Property: the filter typed on from another shows what it shows typed into a new log."""
    log = _log(80)
    before = " ".join(first)
    after = " ".join(first + more) + tail
    try:
        log.apply_filter(before)
        log.apply_filter(after)
    except FilterError:
        return
    assert log.rows == _every(log, after)


async def test_a_long_filter_runs_while_keys_are_answered() -> None:
    """With 20,000 exchanges a body search takes more than one slice: the status line says
    filtering..., a cursor move queued then runs before the filter ends, and then the rows are
    those of the filter."""
    signed = (
        b'{"protected":"eyJhbGciOiJFUzI1NiIsIm5vbmNlIjoiYWJjIn0","payload":"","signature":"c2ln"}'
    )
    app = _app([replace(e, request_body=signed) for e in _traffic(20_000)])
    async with app.run_test(size=(80, 24)) as pilot:
        traffic = app.query_one(TrafficList)
        log = app.main_screen.workspace.log
        lines: list[str] = []
        moved_while_filtering: list[bool] = []

        def move() -> None:
            moved_while_filtering.append(log.status().filtering)
            traffic.action_cursor(-1)

        def seen() -> None:
            lines.append(str(app.query_one(StatusLine).render()))
            if log.status().filtering and not moved_while_filtering:
                app.call_later(move)

        log.add_listener(seen)
        await pilot.press("slash")
        await pilot.pause()
        app.query_one(FilterBox).value = "~b /unauthorized|badnonce/"
        await pilot.press("enter")
        await wait_until(pilot, lambda: not log.status().filtering, "the filter's end")
        assert any("filtering…" in line for line in lines)
        assert moved_while_filtering == [True]
        assert log.rows == _every(log, "~b /unauthorized|badnonce/") and len(log.rows) == 2
        assert traffic.cursor == 1 and "2 of 20000" in lines[-1]


async def test_a_long_filter_is_answered_on_screen_before_it_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Over 100,000 exchanges the Enter matched a 12 ms slice, then the worker matched another
    before the screen's next update: the answer (focus on the list, `filtering…`) waited for
    both, 25-35 ms of the 50 a key may take. Now the Enter matches a short slice, and the
    worker's slices wait until a frame has been drawn. Frames are counted where the App hands
    them to the terminal driver (App._display), which a headless run also passes through."""
    signed = (
        b'{"protected":"eyJhbGciOiJFUzI1NiIsIm5vbmNlIjoiYWJjIn0","payload":"","signature":"c2ln"}'
    )
    app = _app([replace(e, request_body=signed) for e in _traffic(20_000)])
    frames: list[object] = []
    steps: list[tuple[int, float]] = []  # (frames drawn before the step, its time)
    step = FilterRun.step

    def counted_step(run: FilterRun, seconds: float = SLICE_SECONDS) -> bool:
        steps.append((len(frames), seconds))
        return step(run, seconds)

    monkeypatch.setattr(FilterRun, "step", counted_step)
    async with app.run_test(size=(80, 24)) as pilot:
        display = app._display

        def drawn(screen: Screen[object], renderable: object) -> None:
            if renderable is not None:
                frames.append(renderable)
            display(screen, renderable)  # type: ignore[arg-type]

        monkeypatch.setattr(app, "_display", drawn)
        log = app.main_screen.workspace.log
        await pilot.press("slash")
        await pilot.pause()
        app.query_one(FilterBox).value = "~b /unauthorized|badnonce/"
        await pilot.pause()
        frames.clear()
        await pilot.press("enter")
        await wait_until(pilot, lambda: not log.status().filtering, "the filter's end")
        assert len(steps) >= 3, steps
        (before_enter_slice, enter_slice), (before_next, _) = steps[0], steps[1]
        assert enter_slice <= ENTER_SLICE_SECONDS < SLICE_SECONDS
        assert before_enter_slice == 0 and before_next >= 1, steps
        assert log.rows == _every(log, "~b /unauthorized|badnonce/")


def _hostile(seq: int) -> Exchange:
    """A 1 MiB answer of `a`s: what a hostile CA may send (the client keeps up to 1 MiB)."""
    return replace(_exchange(seq, 200), response_body=b"a" * (1 << 20))


def test_a_regex_too_slow_on_a_hostile_body_is_given_up_on_and_said() -> None:
    """`body:/a.*z/` over a 1 MiB body ran for an hour in Python's re, on the UI's turn, with
    no key answered (attacker review). Each search now stops after REGEX_SECONDS (the regex
    module overshoots to about 0.13 s on 1 MiB); the exchange is not shown, negated or not,
    and the status counts it as not searched. A slice looks at the clock after every row."""
    log = TrafficLog()
    log.extend([*_traffic(5), _hostile(6)])
    for text in ("body:/a.*z/", "!body:/a.*z/"):
        run = log.start_filter(text)
        longest = 0.0
        while True:
            start = time.perf_counter()
            done = run.step()
            longest = max(longest, time.perf_counter() - start)
            if done:
                break
        assert log.finish_filter(run)
        assert longest < 1.0, f"{text}: one slice held the UI thread {longest:.2f} s"
        assert 5 not in log.rows, text
        assert log.status().too_slow == 1 and "1 not searched" in str(log.status())
    assert log.rows == [0, 1, 3, 4], "!body:/a.*z/ shows those it searched (not #3: unauthorized)"
    start = time.perf_counter()
    log.append(_hostile(7))  # arriving live, matched against the filter at once
    assert time.perf_counter() - start < 1.0 and 6 not in log.rows
    assert log.status().too_slow == 2
    log.apply_filter("!body:/a.*z/ post")  # typing on narrows: those two are still unsearched
    assert log.status().too_slow == 2


def test_a_regex_keeps_its_escapes_case() -> None:
    r"""The filter is lower-cased, and `\S` (not a space) became `\s` (a space)."""
    log = TrafficLog()
    spaced = replace(_exchange(1, 200), response_body=b"key value")
    joined = replace(_exchange(2, 200), response_body=b"KEY:value")
    log.extend([spaced, joined])
    log.apply_filter(r"body:/KEY\Svalue/")
    assert log.rows == [1]


async def test_the_dashboard_says_which_exchanges_a_regex_did_not_search() -> None:
    """The count alone ("5 of 7") claimed a full search: the status line says how many were
    not searched, and a notification names the first."""
    app = _app([*_traffic(5), _hostile(6), _hostile(7)])
    async with app.run_test(size=(80, 24)) as pilot:
        await _filter(pilot, "body:/a.*z/")
        log = app.main_screen.workspace.log
        await wait_until(pilot, lambda: not log.status().filtering, "the filter's end")
        await pilot.pause()
        line = str(app.query_one(StatusLine).render())
        assert "2 not searched" in line, line
        said = [n for n in app._notifications if n.title == "2 exchanges not searched"]
        assert said and "#6 and 1 more" in said[0].message, [n.message for n in said]

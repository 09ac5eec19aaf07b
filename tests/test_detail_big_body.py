"""A hostile body within the 1 MiB cap must not freeze the detail pane: a JSON array of
524,000 tiny items (or 174,000 nested ones) took 14-24 s and 490-807 MB to show, with no key
answered meanwhile. The exchanges are built here, as a live CA could send them: no network.
The time bound is CPU time (time.process_time), loose, so a loaded machine does not fail it:
the whole body laid out took several seconds of CPU, the bounded preview a fraction of one."""

from __future__ import annotations

import json
import time
import tracemalloc
from dataclasses import replace

import pytest

from tests.test_dashboard_detail import SIZE, _app, _exchange, _open, _shown, _styles
from tui.dashboard.panels.json_fold import SHOWN_LINES, JsonText, json_block

CPU_SECONDS = 2.5  # the preview takes ~0.2 s here; the whole body took 5+ s of CPU
ONES = "[" + ",".join(["1"] * 524000) + "]"  # the attacker's two bodies, 1 MiB each at most
NESTED = "[" + ",".join(["[[1]]"] * 174000) + "]"


@pytest.mark.parametrize("body", [ONES, NESTED], ids=["ones", "nested"])
async def test_a_1_mib_body_of_tiny_items_shows_its_first_lines_at_once(body: str) -> None:
    assert len(body) <= 1 << 20
    exchange = replace(_exchange(), response_body=body.encode())
    app = _app(exchange)
    async with app.run_test(size=SIZE) as pilot:
        started = time.process_time()
        document = await _open(pilot)
        assert time.process_time() - started < CPU_SECONDS
        assert "Body\n[\n  1," in _shown(app, document) or "Body\n[\n  [\n" in _shown(app, document)

        started = time.process_time()
        await pilot.press("end")  # keys are answered: the cursor goes to the last line
        await pilot.pause()
        shown = _shown(app, document).replace("\n", " ")
        assert "… the rest of this JSON not shown, and it does not fold" in shown, shown
        assert "y, then s, saves the whole part to a file" in shown
        await pilot.press("w", "minus", "slash", *"1", "enter")  # unwrap, fold, search
        await pilot.pause()
        assert not document.wrap and document.matches
        assert time.process_time() - started < CPU_SECONDS


async def test_a_text_body_of_many_lines_says_how_many_are_not_shown() -> None:
    """The Raw tab (and a body that is not JSON) is cut the same way, with the count."""
    body = "".join(f"line {n}\n" for n in range(SHOWN_LINES * 4))
    exchange = replace(_exchange(), response_body=body.encode())
    app = _app(exchange)
    async with app.run_test(size=SIZE) as pilot:
        document = await _open(pilot, "tab-raw")
        await pilot.press("end")
        await pilot.pause()
        head = 3  # the Received block's status line, its one header, the blank line
        last = SHOWN_LINES - head - 1  # the body's last line shown
        more = head + SHOWN_LINES * 4 + 1 - SHOWN_LINES  # the body ends with a newline
        shown = _shown(app, document).replace("\n", " ")
        assert f"line {last} " in shown and f"line {last + 1} " not in document.plain
        assert f"… {more:,} more lines not shown: the first {SHOWN_LINES:,} are." in shown


def test_json_up_to_the_limit_is_shown_whole_and_folds() -> None:
    """A long but ordinary answer keeps everything: colours aside, the same as before."""
    fits = json_block(list(range(SHOWN_LINES - 2)), block="body")  # brackets: SHOWN_LINES lines
    assert isinstance(fits, JsonText) and fits.whole
    assert fits.containers == [(0, SHOWN_LINES - 1, ())]
    assert fits.plain == json.dumps(list(range(SHOWN_LINES - 2)), indent=2)
    cut = json_block(list(range(SHOWN_LINES - 1)), block="body")
    assert isinstance(cut, JsonText) and not cut.whole and not cut.containers
    assert cut.plain.count("\n") == SHOWN_LINES


async def test_searching_a_1_mib_line_draws_only_the_matches_in_sight() -> None:
    """The Raw tab holds the body as one 1 MiB line with 524,000 matches of `1`: each drawn
    row restyled every match of the line, 9 s for the search and 24 s for n n PageDown."""
    app = _app(replace(_exchange(), response_body=ONES.encode()))
    async with app.run_test(size=SIZE) as pilot:
        document = await _open(pilot, "tab-raw")
        started = time.process_time()
        await pilot.press("slash", "1", "enter", "n", "n", "pagedown")
        await pilot.pause()
        assert len(document.matches) >= ONES.count("1") and document.current > 0
        assert time.process_time() - started < CPU_SECONDS


async def test_a_match_cut_by_the_wrap_is_highlighted_on_both_rows() -> None:
    line = "ab" * 60  # `ba` at every odd offset: a row edge (at an even width) cuts one
    app = _app(replace(_exchange(), response_body=line.encode()))
    async with app.run_test(size=SIZE) as pilot:
        document = await _open(pilot)
        await pilot.press("slash", "b", "a", "enter")
        await pilot.pause()
        assert len(document.matches) == 59 and document.max_scroll_y == 0
        lit = "".join(text for text, _ in _styles(app, document))
        assert lit == line[1:-1], "every character of every match, and nothing else"


async def test_a_tab_filled_before_it_is_sized_does_not_fold_at_one_column() -> None:
    """The Raw tab is filled as it is chosen, before it has a width: its 1 MiB line was
    folded at one column, a million rows (128 MB for a moment, the app at 190 MB RSS).
    tracemalloc counts what Python allocates, so the bound does not depend on the machine."""
    app = _app(replace(_exchange(), response_body=ONES.encode()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tracemalloc.start()
        try:
            document = await _open(pilot, "tab-raw")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 40 * 2**20, f"{peak / 2**20:.0f} MiB allocated at the peak"
        assert "[1,1,1," in _shown(app, document)


@pytest.mark.parametrize("tab", ["tab-response", "tab-raw"])
async def test_thousands_of_headers_and_a_2_mb_value_are_shown_cut_and_copied_whole(
    tab: str,
) -> None:
    """A traffic file's exchange with 3,000 response headers, one of them 2 MB (attacker review,
    finding F5): `acmedash inspect` laid all of it out, 370 MB RSS. The tab shows the first
    SHOWN_HEADERS headers, each cut at SHOWN_HEADER_BYTES; y still offers the whole value."""
    from tui.dashboard.exchange_parts import parts
    from tui.dashboard.panels.exchange_views import SHOWN_HEADER_BYTES, SHOWN_HEADERS

    big = "A" * (2 << 20)
    headers = [("x-big", big)] + [(f"x-h{n}", f"value {n}") for n in range(3000)]
    exchange = replace(_exchange(), response_headers=headers)
    app = _app(exchange)
    async with app.run_test(size=SIZE) as pilot:
        document = await _open(pilot, tab)
        assert len(document.plain) < 64 * 1024, f"{len(document.plain):,} characters laid out"
        rest = len(big) - SHOWN_HEADER_BYTES
        assert f"x-big: {'A' * SHOWN_HEADER_BYTES}… {rest:,} bytes more" in document.plain
        assert f"… {3001 - SHOWN_HEADERS:,} more headers" in document.plain
    assert parts(exchange)["response header x-big"] == big

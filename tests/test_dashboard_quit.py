"""ctrl+c and the operation in flight: driven with Pilot, no network (the operations here are
coroutines of the test that wait on an event; the endpoint is a local URL nothing listens on).

In a terminal tool over SSH ctrl+c means quit. Textual binds it to a hint instead ("Press ctrl+q
to quit", and once the dashboard made notifications inert, "Press [b]q[/b]" word for word)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Button, Input

from tests.conftest import wait_for_screen, wait_until
from tui.acme.client import AcmeClient
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.screens.confirm import ConfirmScreen

SIZE = (80, 24)


def _app(tmp_path: Path) -> AcmeDashApp:
    return AcmeDashApp(Settings(endpoint="https://127.0.0.1:9/dir"), config_path=None)


def _slow(started: asyncio.Event, release: asyncio.Event) -> object:
    async def operation(client: AcmeClient) -> str:
        started.set()
        await release.wait()
        return "slow thing done"

    return operation


async def test_ctrl_c_quits_at_once_when_nothing_runs(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app._exit, [n.message for n in app._notifications]


async def test_ctrl_c_quits_from_a_text_box_too(tmp_path: Path) -> None:
    """Input binds ctrl+c to copy (to a clipboard an SSH session does not have)."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app._exit


async def test_ctrl_c_asks_while_an_operation_runs_and_keeps_it_running(tmp_path: Path) -> None:
    app = _app(tmp_path)
    started, release = asyncio.Event(), asyncio.Event()
    async with app.run_test(size=SIZE) as pilot:
        app.main_screen.run("Slow thing", _slow(started, release))  # type: ignore[arg-type]
        await asyncio.wait_for(started.wait(), 10)
        await pilot.press("ctrl+c")
        await wait_for_screen(pilot, ConfirmScreen)
        assert "Slow thing" in str(app.screen.query_one("#message").render())
        assert app.screen.focused is app.screen.query_one("#cancel", Button)
        await pilot.press("enter")  # Cancel: stay
        await wait_until(pilot, lambda: len(app.screen_stack) == 1, "the question closed")
        assert not app._exit
        assert app.main_screen.busy == "Slow thing"

        await pilot.press("d")  # another operation is refused, the running one kept
        await pilot.pause()
        assert app.main_screen.busy == "Slow thing"
        assert any("still running" in n.message for n in app._notifications)
        release.set()
        await wait_until(pilot, lambda: not app.main_screen.busy, "the operation finished")
        assert any("slow thing done" in n.message for n in app._notifications)


@pytest.mark.parametrize("key", ["ctrl+c", "q"])
async def test_the_key_that_asked_quits_when_pressed_again(tmp_path: Path, key: str) -> None:
    """Asked already, a second ctrl+c quits; q, which asks too, did nothing there, while the
    question said "ctrl+c again quits too"."""
    app = _app(tmp_path)
    started, release = asyncio.Event(), asyncio.Event()
    async with app.run_test(size=SIZE) as pilot:
        app.main_screen.run("Slow thing", _slow(started, release))  # type: ignore[arg-type]
        await asyncio.wait_for(started.wait(), 10)
        await pilot.press(key)
        await wait_for_screen(pilot, ConfirmScreen)
        assert "q or ctrl+c again quits" in str(app.screen.query_one("#message").render())
        await pilot.press(key)
        await pilot.pause()
        assert app._exit


async def test_keys_typed_right_after_q_do_nothing() -> None:
    """`questionquestion` typed in one burst (a paste into the wrong window): q began to quit,
    the keys after it still ran while it did, t asked about PRODUCTION, and that dialog, never
    composed in a closing App, ended it with a NoMatches traceback."""
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in "questionquestion":
            app.post_message(events.Key(key, key))
        await wait_until(pilot, lambda: not app.is_running, "quitting")
    assert app.return_code == 0
    assert not any(isinstance(screen, ConfirmScreen) for screen in app.screen_stack)


async def test_the_quit_question_follows_the_operation_ending(tmp_path: Path) -> None:
    """The question said "Slow thing is running" after it had finished; the status line
    below named the dialog under it (the workspace learnt of the first dialog only)."""
    from tui.dashboard.screens.prompt import PromptScreen

    app = _app(tmp_path)
    started, release = asyncio.Event(), asyncio.Event()
    async with app.run_test(size=SIZE) as pilot:
        app.main_screen.run("Slow thing", _slow(started, release))  # type: ignore[arg-type]
        await asyncio.wait_for(started.wait(), 10)
        app.push_screen(PromptScreen("A name for it"))
        await wait_for_screen(pilot, PromptScreen)
        await pilot.pause()
        assert "A name for it" in str(app.main_screen.status.render())
        await pilot.press("ctrl+c")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.pause()
        assert "Slow thing is running" in str(app.main_screen.status.render())
        release.set()
        await wait_until(pilot, lambda: not app.main_screen.busy, "the operation finished")
        await pilot.pause()
        question = app.screen
        assert isinstance(question, ConfirmScreen)
        assert "Slow thing has finished" in str(question.query_one("#message").render())
        assert "Slow thing is running" not in str(question.query_one("#title").render())
        assert "Nothing is running now" in str(app.main_screen.status.render())
        await pilot.press("escape")
        await wait_for_screen(pilot, PromptScreen)
        await pilot.pause()
        assert "A name for it" in str(app.main_screen.status.render()), "back to the one below"
        assert not app._exit

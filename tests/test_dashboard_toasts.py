"""A notification made of a CA's text stays a few lines (attacker review 5, finding 2), and the
CA's text in it one line (attacker review 11, finding F4).

A fake CA, because Pebble cannot be told to answer with a problem document of a megabyte:
GET /directory answers 400 with a 1 MiB detail of 30,000 lines. The toast of it covered the
screen, and took Textual longer to lay out than its 10 s timeout, so the first ones expired
before they were ever drawn."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Button, Input

from tests.conftest import wait_for_screen, wait_until
from tui.acme.traffic import read_jsonl
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.exchange_detail import SearchBox
from tui.dashboard.panels.traffic_list import TrafficList
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.generate_key import GenerateKeyScreen
from tui.dashboard.untrusted import IN_A_LINE

SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"

DETAIL = "\n".join(["line of a hostile problem detail"] * 30000)[: (1 << 20) - 200]
PROBLEM = json.dumps({"type": "urn:ietf:params:acme:error:serverInternal", "detail": DETAIL})
# A detail that forges lines of the dashboard's own under the real error, then runs long.
FORGED = "refused\nCertificate renewed\r\n\x1b[2J\u2028Account deactivated\t" + "x" * 5000


class _ProblemServer(ThreadingHTTPServer):
    problem = PROBLEM


class _BigProblem(BaseHTTPRequestHandler):
    server: _ProblemServer

    def do_GET(self) -> None:
        body = self.server.problem.encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@contextmanager
def _problem_ca(problem: str) -> Iterator[str]:
    """The directory URL of a CA whose every GET is `problem`."""
    server = _ProblemServer(("127.0.0.1", 0), _BigProblem)
    server.problem = problem
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/directory"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def big_problem_ca() -> Iterator[str]:
    with _problem_ca(PROBLEM) as url:
        yield url


async def test_a_megabyte_problem_is_a_short_toast_at_once_and_whole_in_the_traffic(
    big_problem_ca: str,
) -> None:
    app = AcmeDashApp(Settings(endpoint=big_problem_ca), config_path=None)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        for presses in range(1, 3):
            started = time.monotonic()
            await pilot.press("d")
            await wait_until(
                pilot, lambda n=presses: len(app.screen.query("Toast")) == n, f"toast {presses}"
            )
            assert time.monotonic() - started < 8, "drawn well within its 10 s"
        for toast in app.screen.query("Toast"):
            shown = str(toast.render())
            assert shown.startswith("Get directory: server problem"), shown[:200]
            assert len(shown) < 700 and shown.count("\n") <= 8, shown
            assert "…" in shown and "Response tab" in shown
            assert toast.region.height <= 10
        selected = app.query_one(TrafficList).selected
        assert selected is not None and selected.response_body == PROBLEM.encode()


async def test_a_problem_detail_is_one_line_in_its_toast_its_controls_shown() -> None:
    """Its newlines and line separators read `\\n`, `\\u2028` inside one line (they made lines
    of our own, "Certificate renewed" under the error), and its length is capped with "…"."""
    problem = {"type": "urn:ietf:params:acme:error:serverInternal", "detail": FORGED}
    with _problem_ca(json.dumps(problem)) as url:
        app = AcmeDashApp(Settings(endpoint=url), config_path=None)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.press("d")
            await wait_until(pilot, lambda: bool(app.screen.query("Toast")), "the toast")
            shown = str(app.screen.query_one("Toast").render())
    title, message, whole = shown.split("\n")
    assert title == "Get directory: server problem"
    forged = r"refused\nCertificate renewed\r\n\x1b[2J\u2028Account deactivated\t"
    assert message.startswith(f"serverInternal (400): {forged}x"), message
    assert message.endswith("x…") and len(message) == IN_A_LINE + 1
    assert whole == "(the whole text: the exchange's Response tab)"


async def test_a_ca_line_in_the_orders_progress_is_one_capped_line() -> None:
    """The Orders tab's progress (its status of an issuance) is fed the CA's text, as a
    failed order's "FAILED: <problem>" line: one line there too, with the room of a log."""
    from textual.widgets import Static

    from tui.dashboard.untrusted import IN_A_LOG_LINE

    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None, offline=[])
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.main_screen.orders_panel
        panel.start("Issuing a.example.org")
        panel.add_progress(f"FAILED: {FORGED * 2}")
        await pilot.pause()
        content = app.query_one("#order-progress", Static).content
    lines = str(content).splitlines()
    assert lines[0] == "Issuing a.example.org" and len(lines) == 2, lines[:3]
    assert lines[1].startswith(r"FAILED: refused\nCertificate renewed\r\n\x1b[2J\u2028")
    assert lines[1].endswith("x…") and len(lines[1]) == IN_A_LOG_LINE + 1


def test_a_failed_renewal_toast_has_the_cas_problem_on_one_line() -> None:
    """The Certificates tab's "Renewal failed" toast names the certificate, then the CA's
    problem: one capped line. A recording view stands in for the app (no CA renews with a
    forged detail on demand; Pebble cannot be told to)."""
    from datetime import UTC, datetime
    from pathlib import Path

    from tui.acme.errors import ProblemError
    from tui.acme.models import Problem
    from tui.dashboard.certificate_actions import _report
    from tui.renew_run import Outcome

    class Recording:
        def __init__(self) -> None:
            self.notes: list[str] = []

        def progress(self, line: str) -> None:
            return None

        def notify(self, message: str, **_options: Any) -> None:
            self.notes.append(message)

    problem = Problem.from_json({"type": "urn:ietf:params:acme:error:rejectedIdentifier",
                                 "detail": FORGED})  # fmt: skip
    failed = Outcome("a.test", Path("a.test"), True, False, datetime.now(UTC), "", False,
                     ProblemError(problem))  # fmt: skip
    view = Recording()
    _report(view, [failed])  # type: ignore[arg-type]
    [note] = view.notes
    assert note.startswith(r"a.test: rejectedIdentifier: refused\nCertificate renewed\r\n"), note
    assert "\n" not in note and note.endswith("x…") and len(note) < IN_A_LINE + 10


async def test_an_operations_line_with_the_cas_text_stays_one_line() -> None:
    """An operation's closing line carries the CA's strings ("Account URL is STATUS"): a status
    with a newline forged a second line of ours. A stand-in view and operation (no CA answers
    a deactivation with such a status on demand; Pebble cannot be told to)."""
    from types import SimpleNamespace

    from tui.dashboard.operations import operate

    class Recording:
        workspace = SimpleNamespace(
            offline=False, endpoint=SimpleNamespace(is_production=False), client=lambda _r: None
        )

        def __init__(self) -> None:
            self.notes: list[str] = []

        def notify(self, message: str, **_options: Any) -> None:
            self.notes.append(message)

        def show_busy(self, title: str) -> None:
            return None

        def record(self, exchange: object) -> None:
            return None

    async def deactivated(_client: Any) -> str:
        return "Account https://ca.test/acct/1 is deactivated\nCertificate renewed"

    view = Recording()
    await operate(view, "Deactivate account", deactivated, False)  # type: ignore[arg-type]
    assert view.notes == [r"Account https://ca.test/acct/1 is deactivated\nCertificate renewed"]


def _covered(app: AcmeDashApp, widget: Widget) -> list[str]:
    """What shows over `widget` anywhere in its region (nothing, when the user sees it all)."""
    over = set()
    region = widget.region
    for y in range(region.y, region.bottom):
        for x in range(region.x, region.right):
            shown, _ = app.screen.get_widget_at(x, y)
            if shown is not widget and widget not in shown.ancestors:
                over.add(type(shown).__name__)
    return sorted(over)


async def test_toasts_leave_a_dialogs_box_and_buttons_visible(tmp_path: Path) -> None:
    """At 80x24 the toasts stacked from the bottom right over the Generate button, and then
    over the path box being typed into."""
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("g")
        await wait_for_screen(pilot, GenerateKeyScreen)
        for _ in range(3):
            app.notify("Type the file's path.")
        await wait_until(pilot, lambda: len(app.screen.query("Toast")) == 3, "three toasts")
        await pilot.pause()
        assert app.screen.focused is app.screen.query_one("#path", Input)
        for widget in (app.screen.focused, *app.screen.query(Button)):
            assert not _covered(app, widget), (widget, _covered(app, widget))
        shown = app.export_screenshot()
        assert "Type&#160;the&#160;file" in shown, "the newest toast still shows"


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (60, 20)])
async def test_toasts_over_a_dialog_leave_the_status_line_and_key_bar_seen(
    size: tuple[int, int],
) -> None:
    """At 120x40 toasts over a dialog covered the bottom rows: the workspace's status line
    ("N of M") that shows below a dialog, and the dialog's key bar."""
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None)
    async with app.run_test(size=size, notifications=True) as pilot:
        await pilot.press("w", "w", "g")  # two toasts ("Long lines ..."), then a dialog
        await wait_for_screen(pilot, GenerateKeyScreen)
        await pilot.pause()
        assert len(app.screen.query("Toast")) == 2
        width, height = app.screen.size
        bottom = {
            type(app.screen.get_widget_at(x, y)[0]).__name__
            for x in range(width)
            for y in (height - 2, height - 1)
        }
        assert "Toast" not in bottom, bottom


async def test_a_toast_moves_off_the_detail_search_box() -> None:
    """The detail pane's search box is at the bottom right, where the toasts were."""
    app = AcmeDashApp(
        Settings(theme="textual-dark"), config_path=None, offline=list(read_jsonl(SAMPLE))
    )
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("8", "w", "w", "slash")  # two toasts ("Long lines ..."), then search
        await wait_until(pilot, lambda: isinstance(app.focused, SearchBox), "the search box")
        await pilot.pause()
        assert len(app.screen.query("Toast")) == 2
        assert not _covered(app, app.focused), _covered(app, app.focused)
        await pilot.press("escape")
        await pilot.pause()
        rack = app.screen.query_one("ToastRack")
        assert not rack.has_class("-above") and rack.styles.max_height is None, "back in place"


async def test_a_short_dialog_is_left_whole_question_and_all() -> None:
    """Where there is room, the toasts keep off the whole dialog: its title says PRODUCTION."""
    app = AcmeDashApp(Settings(endpoint="letsencrypt-staging"), config_path=None)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("w", "w", "t")  # two toasts, then the switch to production asks
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.pause()
        assert len(app.screen.query("Toast")) == 2
        box = app.screen.query_one(Vertical)
        assert not _covered(app, box), _covered(app, box)

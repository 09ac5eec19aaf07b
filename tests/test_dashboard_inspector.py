"""What the status line, the key bar and `?` tell a new user, driven at 80x24 with Pilot: the
status line names what is shown, stays readable under a notification; the key bar and help
speak in key and pane names, never in widget class names. No network: a sample traffic file."""

from __future__ import annotations

from pathlib import Path

from tui.acme.traffic import read_jsonl
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp

SIZE = (80, 24)
SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"


def _lines(app: AcmeDashApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _inspect() -> AcmeDashApp:
    return AcmeDashApp(Settings(endpoint="pebble"), config_path=None, offline=read_jsonl(SAMPLE))


async def test_a_notification_leaves_the_status_line_count_readable() -> None:
    app = _inspect()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        app.notify("Wrote /tmp/acmedash-20261128-040000.jsonl", title="Export")
        await pilot.pause(0.3)
        lines = _lines(app)
        assert lines[-2].rstrip().endswith("4 of 4"), lines[-4:]
        assert any("Wrote" in line for line in lines[:-2]), "the toast is shown, above"

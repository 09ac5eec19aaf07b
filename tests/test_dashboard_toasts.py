"""A notification made of a CA's text stays a few lines (attacker review 5, finding 2).

A fake CA, because Pebble cannot be told to answer with a problem document of a megabyte:
GET /directory answers 400 with a 1 MiB detail of 30,000 lines. The toast of it covered the
screen, and took Textual longer to lay out than its 10 s timeout, so the first ones expired
before they were ever drawn."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import wait_until
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.traffic_list import TrafficList

DETAIL = "\n".join(["line of a hostile problem detail"] * 30000)[: (1 << 20) - 200]
PROBLEM = json.dumps({"type": "urn:ietf:params:acme:error:serverInternal", "detail": DETAIL})


class _BigProblem(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = PROBLEM.encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def big_problem_ca() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BigProblem)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/directory"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


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

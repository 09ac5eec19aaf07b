"""Traffic panel: time to append an exchange, with 10,000 of them in the list.

Run: python benchmarks/traffic_panel.py [N]
Appends N exchanges through the same path as live traffic (MainScreen.record) in a headless run at
80x24 and reports the mean time per append. Key-press latency and memory in a real terminal:
benchmarks/traffic_keys.py.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime

from tui.acme.traffic import Exchange
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp


def make(seq: int) -> Exchange:
    """A plausible exchange; every seventh is a badNonce problem."""
    problem = seq % 7 == 0
    return Exchange(
        seq=seq,
        started=datetime.now(UTC),
        endpoint="https://127.0.0.1:14000/dir",
        method="POST" if seq % 3 else "HEAD",
        url=f"https://127.0.0.1:14000/my-account/{seq}",
        request_headers=[("content-type", "application/jose+json")],
        request_body=b'{"protected":"eyJhbGciOiJFUzI1NiJ9","payload":"","signature":"c2ln"}',
        elapsed_ms=3.0,
        status=400 if problem else 200,
        response_headers=[
            ("content-type", "application/problem+json" if problem else "application/json"),
            ("replay-nonce", f"nonce-{seq}"),
        ],
        response_body=(
            b'{"type":"urn:ietf:params:acme:error:badNonce","detail":"x"}' if problem else b"{}"
        ),
    )


async def main(count: int) -> None:
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None)
    async with app.run_test(size=(80, 24)) as pilot:
        exchanges = [make(seq) for seq in range(1, count + 1)]
        start = time.perf_counter()
        for exchange in exchanges:
            app.main_screen.record(exchange)
        append_us = (time.perf_counter() - start) / count * 1e6
        await pilot.pause()
    print(f"exchanges: {count}")
    print(f"append (index, filter check, list update): {append_us:.1f} us per exchange")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))

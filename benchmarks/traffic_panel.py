"""Traffic panel with 10,000 exchanges: resident memory, append time, key-press latency.

Run: python benchmarks/traffic_panel.py [N]
Measures in a headless Textual run (App.run_test) at 80x24 on this machine; goals from issue 3:
RSS <= 150 MiB for the process, <= 50 ms per key press when scrolling and filtering.
Pilot's own press/pause round trip costs about 100 ms whatever the list holds, so the same run
with 10 exchanges is the baseline, and the difference is what the rows cost.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import sys
import time
from datetime import UTC, datetime

from tui.acme.traffic import Exchange
from tui.app import AcmeDashApp
from tui.config import Settings
from tui.panels.traffic_list import TrafficList


def make(seq: int) -> Exchange:
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
        response_body=b'{"type":"urn:ietf:params:acme:error:badNonce","detail":"x"}'
        if problem
        else b"{}",
    )


async def measure(count: int) -> tuple[float, list[float], list[float]]:
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None)
    async with app.run_test(size=(80, 24)) as pilot:
        traffic = app.query_one(TrafficList)
        start = time.perf_counter()
        for seq in range(1, count + 1):
            app._record(make(seq))
        append_us = (time.perf_counter() - start) / count * 1e6
        await pilot.pause()
        presses = []
        traffic.focus()
        for key in ["up"] * 20 + ["pageup"] * 10 + ["home", "end"] + ["pagedown"] * 5:
            t0 = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            presses.append((time.perf_counter() - t0) * 1000)
        filters = []
        for text in ("problem:badnonce", "method:head", "status:2xx", ""):
            t0 = time.perf_counter()
            traffic.apply_filter(text)
            await pilot.pause()
            filters.append((time.perf_counter() - t0) * 1000)
    return append_us, presses, filters


async def main(count: int) -> None:
    _, base_presses, base_filters = await measure(10)
    append_us, presses, filters = await measure(count)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    press_cost = statistics.median(presses) - statistics.median(base_presses)
    filter_cost = statistics.median(filters) - statistics.median(base_filters)
    print(f"exchanges: {count}")
    print(f"append: {append_us:.1f} us per exchange")
    print(
        f"key press (scroll), pilot round trip: median {statistics.median(presses):.1f} ms "
        f"(10 rows: {statistics.median(base_presses):.1f} ms); cost of the rows {press_cost:.1f} ms"
    )
    print(
        f"filter over all rows, pilot round trip: median {statistics.median(filters):.1f} ms "
        f"(10 rows: {statistics.median(base_filters):.1f} ms); "
        f"cost of the rows {filter_cost:.1f} ms"
    )
    print(f"peak RSS of the process: {rss_mib:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))

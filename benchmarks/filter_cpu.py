"""CPU time of the traffic filter in the dashboard, in-process (headless at 80x24): what a load
average of 4-15 from other work does to the tmux figures of traffic_keys.py, it does far less
to these.

Run (from inside benchmarks/): python filter_cpu.py [N]
For each filter: the CPU time its Enter holds the UI thread (TrafficList.apply_filter, before
anything is drawn), and the CPU time until its rows are drawn (slices run between other events
when the first does not finish the filter). Goal (issue 11): <= 50 ms a key with 100,000.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from traffic_keys import QUERIES
from traffic_panel import make

from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.traffic_list import TrafficList

FILTERS = (*QUERIES, "body:badnonce")
ROUNDS = 3


async def main(count: int) -> None:
    exchanges = [make(seq) for seq in range(1, count + 1)]
    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None, offline=exchanges)
    held: dict[str, list[float]] = {text: [] for text in FILTERS}
    shown: dict[str, list[float]] = {text: [] for text in FILTERS}
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.main_screen.workspace.log
        while not log.prepared:  # as a person looking at the screen for a moment would let it
            await pilot.pause(0.05)
        traffic = app.query_one(TrafficList)
        for _ in range(ROUNDS):
            for text in FILTERS:
                start = time.process_time()
                traffic.apply_filter(text)
                held[text].append((time.process_time() - start) * 1000)
                await pilot.pause()
                while log.pending is not None:
                    await pilot.pause(0.005)
                shown[text].append((time.process_time() - start) * 1000)
    print(f"exchanges: {count}, CPU ms, median of {ROUNDS} (the first round's in brackets)")
    for text in FILTERS:
        first_held, first_shown = held[text][0], shown[text][0]
        print(
            f"{text or chr(34) * 2:>20}: UI thread held {statistics.median(held[text]):5.1f} "
            f"({first_held:.0f}), until its rows are drawn {statistics.median(shown[text]):6.1f} "
            f"({first_shown:.0f})"
        )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))

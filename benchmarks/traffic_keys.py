"""Key-press latency in a real terminal: `acmedash inspect` on 10,000 exchanges in an 80x24
tmux pane.

Run: python benchmarks/traffic_keys.py [N]
Each press is timed from `tmux send-keys` until `capture-pane` shows a changed screen (polled
every 2 ms), so it includes tmux's own round trip. Also reports how long the inspector took to
open (from starting the command until the last exchange's row is on screen) and the resident
memory of the acmedash process holding N exchanges. Goals (issue 3): <= 50 ms per key press
when scrolling and filtering; <= 150 MiB for the process. With 100,000: traffic_100k.py.
"""

from __future__ import annotations

import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from traffic_panel import make

SESSION = f"traffic-keys-{os.getpid()}"
QUERIES = ("method:head", "problem:badnonce", "status:2xx", "post my-account/99", "method:head", "")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_for(predicate: object, timeout: float = 30.0) -> str:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        text = screen()
        if predicate(text):  # type: ignore[operator]
            return text
        time.sleep(0.002)
    raise RuntimeError(f"screen did not change as expected:\n{screen()}")


def timed(*keys: str) -> float:
    """Milliseconds from sending the keys until the screen differs."""
    return timed_filter(*keys)[0]


def timed_filter(*keys: str) -> tuple[float, float]:
    """Milliseconds from sending the keys until the screen differs (the key was answered), and
    until it differs with no "filtering…" on it (a filter's rows are shown: a long one runs in
    slices between keys and says filtering… meanwhile)."""
    before = screen()
    start = time.perf_counter()
    tmux("send-keys", "-t", SESSION, *keys)
    text = wait_for(lambda text: text != before)
    answered = (time.perf_counter() - start) * 1000
    if "filtering…" in text:
        wait_for(lambda text: text != before and "filtering…" not in text)
    return answered, (time.perf_counter() - start) * 1000


def pid_of(pattern: str) -> str:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True, check=False)
    return found.stdout.split()[-1]


def cpu_seconds(pid: str) -> float:
    """User + system CPU time the process has used: on a machine shared with other work the
    wall-clock figures grow with the load, this much less."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main(count: int) -> None:
    compileall.compile_dir(str(Path(__file__).parent.parent / "tui"), quiet=1)
    acmedash = Path(sys.executable).with_name("acmedash")
    with tempfile.TemporaryDirectory() as folder:
        traffic = Path(folder) / "traffic.jsonl"
        with traffic.open("w") as handle:
            for seq in range(1, count + 1):
                handle.write(json.dumps(make(seq).to_record()) + "\n")
        env = f"TERM=xterm-256color ACMEDASH_CONFIG={folder}/c.toml XDG_DATA_HOME={folder}"
        command = f"{env} {acmedash} inspect {traffic}"
        started = time.perf_counter()
        tmux("new-session", "-d", "-s", SESSION, "-x", "80", "-y", "24", command)
        try:
            wait_for(lambda text: f"{count} " in text and "Filter" in text, timeout=120)
            opened = time.perf_counter() - started
            pid = pid_of(f"inspect {traffic}")
            opened_cpu = cpu_seconds(pid)
            time.sleep(1.0)  # let the lazily mounted panes settle
            memory = rss_mib(pid)
            scroll = [timed("Up") for _ in range(30)]
            scroll += [timed("PageUp") for _ in range(10)]
            scroll += [timed("Home"), timed("End")]
            filters, results = [], []
            for query in QUERIES:
                tmux("send-keys", "-t", SESSION, "/")
                # The filter box has focus (the status line says typing): it stays shown after
                # a filter, and Textual moves focus one message later, so letters sent at once
                # could still reach the list (`s` saved an exchange into the folder).
                wait_for(lambda text: "▔▔▔▔" in text and "typing" in text)
                tmux("send-keys", "-t", SESSION, "C-u")
                if query:
                    tmux("send-keys", "-t", SESSION, "-l", query)
                time.sleep(0.2)
                answered, shown = timed_filter("Enter")
                filters.append(answered)
                results.append(shown)
        finally:
            subprocess.run(
                ["tmux", "kill-session", "-t", SESSION], capture_output=True, check=False
            )
    print(f"exchanges: {count}, 80x24 tmux pane")
    print(
        f"opened (command start to the last row on screen): {opened:.2f} s wall, "
        f"{opened_cpu:.2f} s CPU; load average then {os.getloadavg()[0]:.1f}"
    )
    print(
        f"scroll key press: median {statistics.median(scroll):.1f} ms, "
        f"p90 {sorted(scroll)[int(len(scroll) * 0.9)]:.1f} ms, max {max(scroll):.1f} ms"
    )
    print(
        f"filter (Enter) answered: median {statistics.median(filters):.1f} ms, "
        f"max {max(filters):.1f} ms; its rows shown: median {statistics.median(results):.1f} "
        f"ms, max {max(results):.1f} ms"
    )
    print(f"resident memory of acmedash: {memory:.0f} MiB")
    print(
        "filters (answered / rows shown):",
        ", ".join(
            f"{q or chr(34) * 2}: {a:.0f} / {r:.0f} ms"
            for q, a, r in zip(QUERIES, filters, results, strict=True)
        ),
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)

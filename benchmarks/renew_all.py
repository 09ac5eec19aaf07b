"""`acmedash cert renew --all` over a store of 200 certificates: none due, and 50 due.

Run: python benchmarks/renew_all.py [ROUNDS]   (needs: apt-get install pebble)
A local Pebble (PEBBLE_VA_ALWAYS_VALID=1, no nonce rejection, as benchmarks/issuance.py) with
tests/ari_front.py in front of it for ARI (Pebble 2.4 has none): every certificate has a
window, asked for concurrently. Wall time is the whole command, interpreter start included,
acmedash installed from its wheel (benchmarks/installed.py).

- none due, ARI asked: renewal-status.json removed first, so all 200 windows are fetched;
- none due, ARI cached: the windows kept from the run before (Retry-After not over);
- one renewal: `cert renew NAME --force`, the whole command;
- 50 due: the ARI front puts 50 windows in the past; the run renews those 50 and asks the
  other 150 windows; its CPU time (acmedash's, user + system) is printed beside it;
- for scale, `cert issue --each` with 50 new names: the same 50 orders without the store.

Goals (issue 12): none due <= 2 s; 50 due <= 3x one renewal.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from installed import install  # noqa: E402

from tests.ari_front import AriFront, ari_front  # noqa: E402
from tui.acme.certificates import ari_cert_id, load_certificate  # noqa: E402
from tui.pebble import Pebble, free_port  # noqa: E402

STORE_SIZE, DUE = 200, 50
PEBBLE_ENV = {"PEBBLE_VA_ALWAYS_VALID": "1", "PEBBLE_WFE_NONCEREJECT": "0"}
FUTURE = {"start": "2099-01-01T00:00:00Z", "end": "2099-01-02T00:00:00Z"}


@dataclass
class Measure:
    """Wall and CPU seconds (acmedash's, user + system) of each run of one command."""

    name: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def run(self, acmedash: Path, args: list[str], cwd: Path) -> str:
        """The config is cwd/c.toml, so the store is cwd/certs. Returns stdout."""
        env = {**os.environ, "ACMEDASH_CONFIG": str(cwd / "c.toml")}
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(
            [str(acmedash), *args], cwd=cwd, capture_output=True, text=True, check=False, env=env
        )
        self.wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu.append(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime)
        if result.returncode != 0:
            raise SystemExit(f"{self.name}: exit {result.returncode}: {result.stderr[-800:]}")
        return result.stdout

    def line(self, extra: str = "") -> str:
        med = statistics.median
        return (
            f"  {self.name:<44} {med(self.wall):5.2f} s ({min(self.wall):.2f}-"
            f"{max(self.wall):.2f}), CPU {med(self.cpu):.2f} s{extra}"
        )


def set_windows(front: AriFront, store: Path, due: set[str]) -> None:
    # Ended by now, not before the certificates' notBefore (such a window is ignored).
    now = datetime.now(UTC)
    window = {"start": (now - timedelta(days=1)).isoformat(), "end": now.isoformat()}
    for folder in store.iterdir():
        if (folder / "cert.pem").exists():
            leaf = load_certificate((folder / "cert.pem").read_bytes(), "cert")
            front.windows[ari_cert_id(leaf)] = window if folder.name in due else FUTURE


def forget_ari(store: Path) -> None:
    for status in store.glob("*/renewal-status.json"):
        status.unlink()


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        acmedash = install(work / "install")
        pebble = Pebble(work / "pebble", env=PEBBLE_ENV).start()
        try:
            with ari_front(pebble) as front:
                measure(acmedash, work, pebble, front, rounds)
        finally:
            pebble.stop()


def measure(acmedash: Path, work: Path, pebble: Pebble, front: AriFront, rounds: int) -> None:
    reach = ["--endpoint", front.directory_url, "--ca-bundle", str(pebble.ca_bundle)]
    reach += ["--key", str(work / "account.pem")]
    setup = Measure("setup")
    setup.run(acmedash, [*reach, "account", "new", "--yes"], work)
    names = [f"r{i:03}.bench.test" for i in range(STORE_SIZE)]
    http = ["--listen", "127.0.0.1", "--http-port", str(free_port())]
    setup.run(acmedash, [*reach, "cert", "issue", "--each", *_each(names), *http], work)
    store = work / "certs"
    set_windows(front, store, set())
    other = work / "each"  # another config, another store: --each's folders stay out of ours
    other.mkdir()
    setup.run(acmedash, [*reach, "account", "new", "--yes"], other)
    cold = Measure(f"none due, ARI asked for all {STORE_SIZE}")
    warm = Measure("none due, ARI windows cached")
    one = Measure("one renewal (cert renew NAME --force)")
    due50 = Measure(f"{DUE} due (and {STORE_SIZE - DUE} ARI lookups)")
    each = Measure(f"for scale: cert issue --each, {DUE} new names")
    for index in range(rounds):
        forget_ari(store)
        front.lookups.clear()
        cold.run(acmedash, [*reach, "cert", "renew", "--all", "--quiet"], work)
        if len(front.lookups) != STORE_SIZE:
            raise SystemExit(f"{len(front.lookups)} ARI lookups, not {STORE_SIZE}")
        warm.run(acmedash, [*reach, "cert", "renew", "--all", "--quiet"], work)
        one.run(acmedash, [*reach, "cert", "renew", names[-1 - index], "--force"], work)
        due = set(names[index * DUE : (index + 1) * DUE])
        set_windows(front, store, due)
        forget_ari(store)
        out = due50.run(acmedash, [*reach, "cert", "renew", "--all", "--json"], work)
        renewed = {r["name"] for r in json.loads(out) if r["renewed"]}
        if renewed != due:
            raise SystemExit(f"{len(renewed)} renewed, not the {DUE} due")
        set_windows(front, store, set())
        fresh = [f"e{index}-{i}.bench.test" for i in range(DUE)]
        each.run(acmedash, [*reach, "cert", "issue", "--each", *_each(fresh), *http], other)
    ratio = statistics.median(due50.wall) / statistics.median(one.wall)
    print(f"store of {STORE_SIZE}, {rounds} rounds, medians (min-max), whole commands:")
    print(cold.line("  goal <= 2 s"))
    print(warm.line())
    print(one.line())
    print(due50.line(f"  = {ratio:.2f}x one, goal <= 3x"))
    print(each.line(f"  = {statistics.median(each.wall) / statistics.median(one.wall):.2f}x one"))


def _each(names: list[str]) -> list[str]:
    return [arg for name in names for arg in ("-d", name)]


if __name__ == "__main__":
    main()

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


def command(acmedash: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The config is cwd/c.toml, so the store is cwd/certs."""
    env = {**os.environ, "ACMEDASH_CONFIG": str(cwd / "c.toml")}
    return subprocess.run(
        [str(acmedash), *args], cwd=cwd, capture_output=True, text=True, check=False, env=env
    )


def run(acmedash: Path, args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    result = command(acmedash, args, cwd)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[-4:])}: exit {result.returncode}: {result.stderr}")
    return elapsed


def set_windows(front: AriFront, store: Path, due: set[str]) -> None:
    past = datetime.now(UTC) - timedelta(days=1)
    window = {"start": (past - timedelta(days=1)).isoformat(), "end": past.isoformat()}
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
    reach += ["--key", "account.pem"]
    run(acmedash, [*reach, "account", "new", "--yes"], work)
    names = [f"r{i:03}.bench.test" for i in range(STORE_SIZE)]
    http = ["--listen", "127.0.0.1", "--http-port", str(free_port())]
    each = [arg for name in names for arg in ("-d", name)]
    run(acmedash, [*reach, "cert", "issue", "--each", *each, *http], work)
    store = work / "certs"
    set_windows(front, store, set())
    other = work / "each"  # another config, another store: --each's folders stay out of ours
    other.mkdir()
    run(acmedash, [*reach[:-1], str(work / "account.pem"), "account", "new", "--yes"], other)
    cold, warm, one, due50, cpu, each = [], [], [], [], [], []
    for index in range(rounds):
        forget_ari(store)
        front.lookups.clear()
        cold.append(run(acmedash, [*reach, "cert", "renew", "--all", "--quiet"], work))
        if len(front.lookups) != STORE_SIZE:
            raise SystemExit(f"{len(front.lookups)} ARI lookups, not {STORE_SIZE}")
        warm.append(run(acmedash, [*reach, "cert", "renew", "--all", "--quiet"], work))
        one.append(run(acmedash, [*reach, "cert", "renew", names[-1 - index], "--force"], work))
        due = set(names[index * DUE : (index + 1) * DUE])
        set_windows(front, store, due)
        forget_ari(store)
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = command(acmedash, [*reach, "cert", "renew", "--all", "--json"], work)
        due50.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime)
        renewed = {r["name"] for r in json.loads(out.stdout) if r["renewed"]}
        if out.returncode != 0 or renewed != due:
            raise SystemExit(f"exit {out.returncode}, {len(renewed)} renewed: {out.stderr[-500:]}")
        set_windows(front, store, set())
        fresh = [arg for i in range(DUE) for arg in ("-d", f"e{index}-{i}.bench.test")]
        each.append(
            run(acmedash, [*reach[:-1], str(work / "account.pem"), "cert", "issue", "--each",
                           *fresh, *http], other)
        )  # fmt: skip
    med = statistics.median
    print(f"store of {STORE_SIZE}, {rounds} rounds, medians (min-max), whole command:")
    print(f"  none due, ARI asked for all {STORE_SIZE}: {med(cold):.2f} s "
          f"({min(cold):.2f}-{max(cold):.2f})  goal <= 2 s")  # fmt: skip
    print(f"  none due, ARI cached:               {med(warm):.2f} s "
          f"({min(warm):.2f}-{max(warm):.2f})")  # fmt: skip
    print(f"  one renewal (cert renew NAME --force): {med(one):.2f} s "
          f"({min(one):.2f}-{max(one):.2f})")  # fmt: skip
    print(f"  {DUE} due (and {STORE_SIZE - DUE} ARI lookups): {med(due50):.2f} s "
          f"({min(due50):.2f}-{max(due50):.2f}) = {med(due50) / med(one):.2f}x one  goal <= 3x; "
          f"acmedash CPU {med(cpu):.2f} s")  # fmt: skip
    print(f"  for scale: cert issue --each, {DUE} new names: {med(each):.2f} s "
          f"= {med(each) / med(one):.2f}x one renewal")  # fmt: skip


if __name__ == "__main__":
    main()

"""Long run (issue 10): many issuances in one process against Pebble rejecting 30% of nonces
(PEBBLE_WFE_NONCEREJECT=30) and validating http-01 for real (names resolve to 127.0.0.1
through pebble-challtestsrv; acmedash's own responder answers). Every issuance must succeed,
and resident memory after warm-up must grow by less than 10%: a leak per order (a traffic
record, a nonce, a task) shows up over a thousand of them, not over one.

Run: python benchmarks/long_run.py [--sequential 1000] [--concurrent 200] [--warm-up 50]
(needs: apt-get install pebble). Exits 1 when an issuance failed or memory grew 10% or more.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from tui.acme import keys
from tui.acme.challenges import Http01Responder
from tui.acme.client import AcmeClient, ClientOptions
from tui.acme.issuance import issue
from tui.pebble import ChallTestSrv, Pebble, free_port

PEBBLE_ENV = {"PEBBLE_WFE_NONCEREJECT": "30", "PEBBLE_AUTHZREUSE": "0"}
GROWTH_LIMIT = 0.10


def rss_kib() -> int:
    """Resident set size now (VmRSS), not the peak: growth is what a leak shows."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


async def run(pebble: Pebble, port: int, sequential: int, concurrent: int, warm_up: int) -> int:
    # Fifty orders in flight at once against a 2-core machine: polling must not give up early.
    options = ClientOptions(ca_bundle=pebble.ca_bundle, poll_deadline=600.0)
    failures = 0
    async with AcmeClient(pebble.directory_url, key=keys.generate_key(), options=options) as acme:
        await acme.new_account([], terms_agreed=True)
        responder = Http01Responder("127.0.0.1", port)
        key = keys.generate_key()

        async def one(name: str) -> bool:
            try:
                await issue(acme, [name], responder, keys.make_csr(key, [name]))
            except Exception as exc:  # counted and shown; the run goes on
                print(f"FAILED {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                return False
            return True

        try:
            for i in range(warm_up):
                failures += not await one(f"w{i}.long.test")
            baseline = rss_kib()
            start = time.perf_counter()
            for i in range(sequential):
                failures += not await one(f"s{i}.long.test")
            seq_time = time.perf_counter() - start
            after_seq = rss_kib()
            start = time.perf_counter()
            results = await asyncio.gather(*(one(f"c{i}.long.test") for i in range(concurrent)))
            conc_time = time.perf_counter() - start
            failures += results.count(False)
            after_conc = rss_kib()
        finally:
            await responder.close()
    growth = (after_conc - baseline) / baseline
    print(f"warm-up: {warm_up} issuances; RSS after warm-up {baseline / 1024:.1f} MiB")
    print(
        f"sequential: {sequential} issuances in {seq_time:.1f} s "
        f"({seq_time / max(sequential, 1) * 1000:.0f} ms each); RSS {after_seq / 1024:.1f} MiB"
    )
    print(
        f"concurrent: {concurrent} issuances in {conc_time:.1f} s; RSS {after_conc / 1024:.1f} MiB"
    )
    print(f"failures: {failures}; RSS growth after warm-up: {growth * 100:+.1f}%")
    return 1 if failures or growth >= GROWTH_LIMIT else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sequential", type=int, default=1000)
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--warm-up", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        dns = ChallTestSrv().start()
        port = free_port()
        pebble = Pebble(
            Path(folder) / "pebble",
            env=PEBBLE_ENV,
            extra_config={"httpPort": port},
            dns_server=dns.dns_server,
        )
        try:
            pebble.start()
            code = asyncio.run(run(pebble, port, args.sequential, args.concurrent, args.warm_up))
        finally:
            pebble.stop()
            dns.stop()
    sys.exit(code)


if __name__ == "__main__":
    main()

"""Single-name issuance against a local Pebble, acmedash beside lego and certbot (Debian's
packages), and 50 names issued as 50 concurrent orders in one acmedash process against one.

Run: python benchmarks/issuance.py [ROUNDS] [--parts ...]   (--help; needs: apt-get install
pebble lego; certbot is compared too when installed)
Every tool has an existing account (registered in a warm-up), validates http-01 with its own
responder on loopback, and Pebble runs with PEBBLE_VA_ALWAYS_VALID=1 (allowed for this
benchmark), no nonce rejection and no authorization reuse, so all three do the same work.
Wall time is the whole command, interpreter start included; the tools run alternately, so
machine noise hits all of them alike. acmedash runs as a user has it, installed from its wheel
(benchmarks/installed.py), as lego and certbot run from their packages. HTTP requests are
counted for every tool alike, from the lines Pebble logs per request it handles.

Concurrency is measured twice: as whole commands (`acmedash cert issue --each` with 50 names
against `acmedash cert issue` with one), and inside one process with the library, start-up
excluded, where Pebble's own CPU time is reported too: on a 2-core machine it bounds what any
client can reach.

Goals (issue 4): acmedash's median at most 0.5x lego's; the protocol's minimum of requests;
50 concurrent orders in at most 3x the time of one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from delay_proxy import DelayProxy
from installed import install

from tui.acme import keys
from tui.acme.challenges import Http01Responder
from tui.acme.client import AcmeClient, ClientOptions
from tui.acme.errors import AcmeError
from tui.acme.issuance import issue
from tui.pebble import ChallTestSrv, Pebble, free_port

PEBBLE_ENV = {
    "PEBBLE_VA_ALWAYS_VALID": "1",
    "PEBBLE_WFE_NONCEREJECT": "0",
    "PEBBLE_AUTHZREUSE": "0",
}
EMAIL = "bench@example.org"
CONCURRENT = 50
# lego checks the authorization right after answering the challenge; when Pebble has not yet
# marked it valid, lego sleeps (about 500 ms) before asking again. Runs above this took that.
LEGO_SLEPT = 0.3
SETTLE = 1.0
FAR_AWAY = 0.05  # round-trip time to the CA in the far-away run


def pebble_requests(pebble: Pebble) -> int:
    """Requests Pebble has handled so far: it logs one line per request, whoever sent it."""
    log = (pebble.folder / "pebble.log").read_text(errors="replace")
    return log.count("-> calling handler()")


def pebble_cpu(pebble: Pebble) -> float:
    """Pebble's CPU seconds so far (user + system), from /proc."""
    if pebble.process is None:
        raise RuntimeError("pebble is not running")
    fields = Path(f"/proc/{pebble.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(
            f"{command[0]} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )
    return elapsed


class Tools:
    def __init__(
        self, pebble: Pebble, folder: Path, acmedash: Path, directory_url: str = ""
    ) -> None:
        self.pebble = pebble
        self.directory_url = directory_url or pebble.directory_url
        self.folder = folder
        self.env = {
            **os.environ,
            "LEGO_CA_CERTIFICATES": str(pebble.ca_bundle),
            "REQUESTS_CA_BUNDLE": str(pebble.ca_bundle),
            "ACMEDASH_CONFIG": str(folder / "acmedash.toml"),
        }
        self.acmedash_path = str(acmedash)
        # certbot is optional: compared when installed.
        self.names = ["acmedash", "lego", *(["certbot"] if shutil.which("certbot") else [])]
        self.requests: dict[str, list[int]] = {tool: [] for tool in self.names}

    def run(self, tool: str, name: str) -> float:
        """One issuance of `name` by `tool`; its wall time, its request count recorded."""
        before = pebble_requests(self.pebble)
        issue: Callable[[list[str], int], float] = getattr(self, tool)
        elapsed = issue([name], free_port())
        self.requests[tool].append(pebble_requests(self.pebble) - before)
        return elapsed

    def acmedash_command(self, *args: str) -> list[str]:
        """acmedash against this Pebble with the benchmark's account key."""
        return [
            self.acmedash_path,
            "--endpoint",
            self.directory_url,
            "--ca-bundle",
            str(self.pebble.ca_bundle),
            "--key",
            "account.pem",
            *args,
        ]

    def acmedash(self, names: list[str], port: int) -> float:
        return timed(
            self.acmedash_command(
                "cert",
                "issue",
                *(["--each"] if len(names) > 1 else []),
                *(arg for name in names for arg in ("-d", name)),
                "--listen",
                "127.0.0.1",
                "--http-port",
                str(port),
                "--out",
                f"out/{names[0]}",
            ),
            self.env,
            self.folder,
        )

    def lego(self, names: list[str], port: int) -> float:
        return timed(
            [
                "lego",
                "--accept-tos",
                "--email",
                EMAIL,
                "--server",
                self.directory_url,
                "--path",
                str(self.folder / "lego"),
                "--http",
                "--http.port",
                f"127.0.0.1:{port}",
                *(arg for name in names for arg in ("--domains", name)),
                "run",
            ],
            self.env,
            self.folder,
        )

    def certbot(self, names: list[str], port: int) -> float:
        base = self.folder / "certbot"
        return timed(
            [
                "certbot",
                "certonly",
                "--standalone",
                "--non-interactive",
                "--agree-tos",
                "-m",
                EMAIL,
                "--server",
                self.directory_url,
                "--http-01-port",
                str(port),
                "--http-01-address",
                "127.0.0.1",
                *(arg for name in names for arg in ("-d", name)),
                "--config-dir",
                str(base / "config"),
                "--work-dir",
                str(base / "work"),
                "--logs-dir",
                str(base / "logs"),
            ],
            self.env,
            self.folder,
        )

    def register(self) -> None:
        """An account for each tool, and one issuance each to warm up."""
        self.register_acmedash()
        for tool in self.names[1:]:
            getattr(self, tool)([f"warmup-{tool}.bench.test"], free_port())

    def register_acmedash(self) -> None:
        subprocess.run(
            self.acmedash_command("account", "new", "--yes"),
            env=self.env,
            cwd=self.folder,
            check=True,
            capture_output=True,
        )


@dataclass(frozen=True)
class InProcess:
    """One order, then CONCURRENT concurrent orders, in one process and client."""

    single: float  # seconds for the one order
    many: float  # seconds for the concurrent orders
    client_cpu: float  # this process's CPU seconds for them (all threads)
    pebble_cpu: float  # Pebble's CPU seconds for them
    requests: int  # requests Pebble handled for them


async def in_process(pebble: Pebble, count: int, port: int, directory_url: str = "") -> InProcess:
    """`count` concurrent orders all answered by one shared http-01 responder on `port`, after
    one order alone, with the CPU both sides spent on them: on a 2-core machine shared with
    Pebble, the client's CPU is what the wall time follows, and the steadier figure."""
    options = ClientOptions(ca_bundle=pebble.ca_bundle)
    url = directory_url or pebble.directory_url
    async with AcmeClient(url, key=keys.generate_key(), options=options) as acme:
        await acme.new_account([], terms_agreed=True)
        responder = Http01Responder("127.0.0.1", port)
        try:

            async def one(name: str) -> None:
                key = keys.generate_key()
                await issue(acme, [name], responder, keys.make_csr(key, [name]))

            start = time.perf_counter()
            await one("single.concurrent.test")
            single = time.perf_counter() - start
            pebble_before, client_before = pebble_cpu(pebble), time.process_time()
            requests = pebble_requests(pebble)
            start = time.perf_counter()
            await asyncio.gather(*(one(f"c{i}.concurrent.test") for i in range(count)))
            many = time.perf_counter() - start
            client = time.process_time() - client_before
            pebble_spent = pebble_cpu(pebble) - pebble_before
            requests = pebble_requests(pebble) - requests
        finally:
            await responder.close()
    return InProcess(single, many, client, pebble_spent, requests)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def single_name(tools: Tools, rounds: int) -> None:
    times: dict[str, list[float]] = {tool: [] for tool in tools.names}
    for i in range(rounds):
        for tool, values in times.items():
            values.append(tools.run(tool, f"{tool[0]}{i}.bench.test"))
    medians = {tool: statistics.median(values) for tool, values in times.items()}
    print(f"single-name issuance, existing account, median of {rounds} (min; HTTP requests):")
    for tool, median in medians.items():
        counts = sorted(set(tools.requests[tool]))
        print(f"  {tool:<9}{ms(median):>8}  ({ms(min(times[tool]))}; requests {counts})")
    slept = sum(t > LEGO_SLEPT for t in times["lego"])
    print(f"  lego slept before its second authorization check in {slept} of {rounds} runs")
    print(f"  acmedash / lego: {medians['acmedash'] / medians['lego']:.2f}x (goal <= 0.5x)")
    if "certbot" in medians:
        print(f"  acmedash / certbot: {medians['acmedash'] / medians['certbot']:.2f}x")
    print("  protocol minimum: 8 requests, 9 when finalize answers `processing` (see README)")


def children_cpu() -> float:
    """CPU seconds (user + system) of the commands this process has waited for so far."""
    times = os.times()
    return times.children_user + times.children_system


def concurrency_commands(tools: Tools, rounds: int, label: str, port: int = 0) -> None:
    """Whole commands, alternately: one name, then CONCURRENT names with --each. `port`: the
    http-01 port a validating Pebble connects to; any free one when it validates nothing.
    Their CPU is reported too: on a machine shared with other work it moves less than the
    wall time. Requests are counted from Pebble's log, as for the single-name runs."""
    one: list[float] = []
    many: list[float] = []
    cpu: dict[str, list[float]] = {"one": [], "many": []}
    requests: list[int] = []
    for i in range(rounds):
        # A pause before each: right after 50 orders, Pebble and the disk were still busy and a
        # one-name command took 80 ms longer, which flattered the ratio.
        time.sleep(SETTLE)
        before = children_cpu()
        one.append(tools.acmedash([f"one{i}.{label}.test"], port or free_port()))
        cpu["one"].append(children_cpu() - before)
        time.sleep(SETTLE)
        names = [f"m{i}-{n}.{label}.test" for n in range(CONCURRENT)]
        before, handled = children_cpu(), pebble_requests(tools.pebble)
        many.append(tools.acmedash(names, port or free_port()))
        cpu["many"].append(children_cpu() - before)
        requests.append(pebble_requests(tools.pebble) - handled)
    ratio = statistics.median(many) / statistics.median(one)
    print(
        f"  whole commands, median of {rounds}: {CONCURRENT} names with --each "
        f"{ms(statistics.median(many))} vs one name {ms(statistics.median(one))}: "
        f"{ratio:.1f}x (goal <= 3x); CPU {ms(statistics.median(cpu['many']))} vs "
        f"{ms(statistics.median(cpu['one']))}; requests per order "
        f"{sorted({round(r / CONCURRENT, 2) for r in requests})}"
    )


def report_in_process(run: InProcess) -> None:
    cores = os.cpu_count() or 1
    print(
        f"  in one process, start-up excluded: {ms(run.many)} vs {ms(run.single)} for one: "
        f"{run.many / run.single:.1f}x; client CPU {ms(run.client_cpu)}; Pebble's own CPU "
        f"{ms(run.pebble_cpu)} (at least {ms(run.pebble_cpu / cores)} of wall time on {cores} "
        f"cores); {run.requests / CONCURRENT:.2f} requests per order"
    )


PARTS = {
    "single": "single-name issuance beside lego (and certbot)",
    "each": f"{CONCURRENT} names with --each vs one, and {CONCURRENT} orders in one process",
    "far": f"the same against a CA {FAR_AWAY * 1000:.0f} ms away",
    "validating": "the same with real http-01 validation",
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n", 1)[0],
        epilog="parts: " + "; ".join(f"{name}: {what}" for name, what in PARTS.items()),
    )
    parser.add_argument("rounds", nargs="?", type=int, default=5, help="runs per figure")
    parser.add_argument(
        "--parts", nargs="+", choices=PARTS, default=list(PARTS), help="what to measure"
    )
    args = parser.parse_args()
    if shutil.which("lego") is None:
        sys.exit("lego is not installed: apt-get install lego")
    rounds, parts = args.rounds, set(args.parts)
    with tempfile.TemporaryDirectory(prefix="acmedash-bench-") as name:
        folder = Path(name)
        acmedash = install(folder / "installed")
        pebble = Pebble(folder / "pebble", env=PEBBLE_ENV).start()
        try:
            tools = Tools(pebble, folder, acmedash)
            tools.register()
            if "single" in parts:
                single_name(tools, rounds)
            if "each" in parts:
                print(f"{CONCURRENT} names as {CONCURRENT} concurrent orders, always valid:")
                with reported(pebble):
                    concurrency_commands(tools, max(3, rounds // 2), "valid")
                    report_in_process(asyncio.run(in_process(pebble, CONCURRENT, free_port())))
            if "far" in parts:
                with reported(pebble):
                    far_away(pebble, folder / "far", rounds, acmedash)
        finally:
            pebble.stop()
        if "validating" in parts:
            print("the same with real http-01 validation (names resolved by pebble-challtestsrv):")
            validating(folder / "validating", rounds, acmedash)


@contextlib.contextmanager
def reported(pebble: Pebble) -> Iterator[None]:
    """A concurrency section that fails is reported and the benchmark goes on. Debian's Pebble
    2.4 can deadlock on its own locks under many concurrent orders (README); acmedash then
    reports read timeouts, and the tail of Pebble's log shows where it stopped."""
    try:
        yield
    except (RuntimeError, AcmeError) as exc:
        log = (pebble.folder / "pebble.log").read_text(errors="replace").splitlines()[-3:]
        print(f"  FAILED: {str(exc).strip().splitlines()[-1]}")
        print("  last lines of Pebble's log:", *log, sep="\n    ")


def far_away(pebble: Pebble, folder: Path, rounds: int, acmedash: Path) -> None:
    """The same Pebble behind DelayProxy, as a CA 50 ms away: where concurrency pays off, since
    the time goes into round trips rather than CPU."""
    with DelayProxy(pebble.port, FAR_AWAY / 2) as proxy:
        url = f"https://127.0.0.1:{proxy.port}/dir"
        print(f"the same against a CA {FAR_AWAY * 1000:.0f} ms away (benchmarks/delay_proxy.py):")
        tools = Tools(pebble, folder, acmedash, directory_url=url)
        folder.mkdir()
        tools.register_acmedash()
        concurrency_commands(tools, max(3, rounds // 2), "far")
        report_in_process(asyncio.run(in_process(pebble, CONCURRENT, free_port(), url)))


def validating(folder: Path, rounds: int, acmedash: Path) -> None:
    """Pebble validating for real: each order now waits for its validation, as it would at a
    real CA."""
    dns = ChallTestSrv().start()
    port = free_port()
    pebble = Pebble(
        folder / "pebble",
        env={"PEBBLE_WFE_NONCEREJECT": "0", "PEBBLE_AUTHZREUSE": "0"},
        extra_config={"httpPort": port},
        dns_server=dns.dns_server,
    )
    try:
        pebble.start()
        tools = Tools(pebble, folder, acmedash)
        tools.register_acmedash()
        with reported(pebble):
            concurrency_commands(tools, max(3, rounds // 2), "validating", port)
            report_in_process(asyncio.run(in_process(pebble, CONCURRENT, port)))
    finally:
        pebble.stop()
        dns.stop()


if __name__ == "__main__":
    main()

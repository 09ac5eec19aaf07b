"""Single-name issuance against a local Pebble, acmedash beside lego and certbot (Debian's
packages), plus 50 concurrent orders in one acmedash process against one.

Run: python benchmarks/issuance.py [ROUNDS]      (needs: apt-get install pebble lego certbot)
Every tool has an existing account (registered in a warm-up), validates http-01 with its own
responder on loopback, and Pebble runs with PEBBLE_VA_ALWAYS_VALID=1 (allowed for this
benchmark), no nonce rejection and no authorization reuse, so all three do the same work.
Wall time is the whole command, interpreter start included; the tools run alternately, so
machine noise hits all of them alike. HTTP requests are counted from acmedash's --traffic log;
lego and certbot print no such log, so theirs are not counted here.

Goals (issue 4): acmedash's median at most 0.5x lego's; the protocol's minimum of requests;
50 concurrent orders in at most 3x the time of one.
"""

from __future__ import annotations

import asyncio
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tui.acme import keys
from tui.acme.challenges import Http01Responder
from tui.acme.client import AcmeClient, ClientOptions
from tui.acme.issuance import issue
from tui.pebble import Pebble, free_port

PEBBLE_ENV = {
    "PEBBLE_VA_ALWAYS_VALID": "1",
    "PEBBLE_WFE_NONCEREJECT": "0",
    "PEBBLE_AUTHZREUSE": "0",
}
EMAIL = "bench@example.org"


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
    def __init__(self, pebble: Pebble, folder: Path) -> None:
        self.pebble = pebble
        self.folder = folder
        self.env = {
            **os.environ,
            "LEGO_CA_CERTIFICATES": str(pebble.ca_bundle),
            "REQUESTS_CA_BUNDLE": str(pebble.ca_bundle),
            "ACMEDASH_CONFIG": str(folder / "acmedash.toml"),
        }
        self.acmedash = str(Path(sys.executable).with_name("acmedash"))
        self.requests: list[int] = []

    def acmedash_issue(self, name: str, port: int) -> float:
        traffic = self.folder / f"{name}.jsonl"
        elapsed = timed(
            [
                self.acmedash,
                "--endpoint",
                self.pebble.directory_url,
                "--ca-bundle",
                str(self.pebble.ca_bundle),
                "--key",
                "account.pem",
                "--traffic",
                str(traffic),
                "cert",
                "issue",
                "-d",
                name,
                "--listen",
                "127.0.0.1",
                "--http-port",
                str(port),
                "--out",
                f"out/{name}",
            ],
            self.env,
            self.folder,
        )
        self.requests.append(len(traffic.read_text().splitlines()))
        return elapsed

    def lego_issue(self, name: str, port: int) -> float:
        return timed(
            [
                "lego",
                "--accept-tos",
                "--email",
                EMAIL,
                "--server",
                self.pebble.directory_url,
                "--path",
                str(self.folder / "lego"),
                "--http",
                "--http.port",
                f"127.0.0.1:{port}",
                "--domains",
                name,
                "run",
            ],
            self.env,
            self.folder,
        )

    def certbot_issue(self, name: str, port: int) -> float:
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
                self.pebble.directory_url,
                "--http-01-port",
                str(port),
                "--http-01-address",
                "127.0.0.1",
                "-d",
                name,
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


async def concurrent(pebble: Pebble, count: int, port: int) -> tuple[float, float]:
    """Seconds for one order, then for `count` concurrent orders, in one process and client,
    all answered by one shared http-01 responder on `port`."""
    options = ClientOptions(ca_bundle=pebble.ca_bundle)
    async with AcmeClient(pebble.directory_url, key=keys.generate_key(), options=options) as acme:
        await acme.new_account([], terms_agreed=True)
        responder = Http01Responder("127.0.0.1", port)
        try:

            async def one(name: str) -> None:
                key = keys.generate_key()
                await issue(acme, [name], responder, keys.make_csr(key, [name]))

            start = time.perf_counter()
            await one("single.concurrent.test")
            single = time.perf_counter() - start
            start = time.perf_counter()
            await asyncio.gather(*(one(f"c{i}.concurrent.test") for i in range(count)))
            many = time.perf_counter() - start
        finally:
            await responder.close()
    return single, many


def main(rounds: int) -> None:
    # As installed code would: pip writes bytecode, PYTHONDONTWRITEBYTECODE (set on some
    # machines) keeps an editable install from ever getting it.
    compileall.compile_dir(str(Path(__file__).parent.parent / "tui"), quiet=1)
    for tool in ("lego", "certbot"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed: apt-get install {tool}")
    with tempfile.TemporaryDirectory(prefix="acmedash-bench-") as name:
        folder = Path(name)
        pebble = Pebble(folder / "pebble", env=PEBBLE_ENV).start()
        try:
            tools = Tools(pebble, folder)
            subprocess.run(
                [
                    tools.acmedash,
                    "--endpoint",
                    pebble.directory_url,
                    "--ca-bundle",
                    str(pebble.ca_bundle),
                    "--key",
                    "account.pem",
                    "account",
                    "new",
                    "--yes",
                ],
                env=tools.env,
                cwd=folder,
                check=True,
                capture_output=True,
            )
            tools.lego_issue("warmup-lego.bench.test", free_port())
            tools.certbot_issue("warmup-certbot.bench.test", free_port())
            times: dict[str, list[float]] = {"acmedash": [], "lego": [], "certbot": []}
            for i in range(rounds):
                times["acmedash"].append(tools.acmedash_issue(f"a{i}.bench.test", free_port()))
                times["lego"].append(tools.lego_issue(f"l{i}.bench.test", free_port()))
                times["certbot"].append(tools.certbot_issue(f"c{i}.bench.test", free_port()))
            single, many = asyncio.run(concurrent(pebble, 50, free_port()))
        finally:
            pebble.stop()
        validated = validating_concurrency(folder)
    medians = {tool: statistics.median(values) for tool, values in times.items()}
    print(f"single-name issuance, existing account, median of {rounds} (min):")
    for tool, median in medians.items():
        print(f"  {tool:<9}{median * 1000:7.0f} ms  ({min(times[tool]) * 1000:.0f} ms)")
    print(f"  acmedash / lego: {medians['acmedash'] / medians['lego']:.2f}x (goal <= 0.5x)")
    print(f"  acmedash / certbot: {medians['acmedash'] / medians['certbot']:.2f}x")
    print(
        f"acmedash HTTP requests per issuance: {sorted(set(tools.requests))} "
        "(protocol minimum: 8, see benchmarks/README)"
    )
    print(
        f"50 concurrent orders in one process: {many:.2f} s vs {single:.2f} s for one: "
        f"{many / single:.1f}x (goal <= 3x)"
    )
    v_single, v_many = validated
    print(
        f"  the same with real http-01 validation: {v_many:.2f} s vs {v_single:.2f} s: "
        f"{v_many / v_single:.1f}x"
    )


def validating_concurrency(folder: Path) -> tuple[float, float]:
    """Pebble validating for real (names resolve through pebble-challtestsrv): each order
    now waits for its validation, as it would at a real CA."""
    from tui.pebble import ChallTestSrv

    dns = ChallTestSrv().start()
    port = free_port()
    pebble = Pebble(
        folder / "pebble-va",
        env={"PEBBLE_WFE_NONCEREJECT": "0", "PEBBLE_AUTHZREUSE": "0"},
        extra_config={"httpPort": port},
        dns_server=dns.dns_server,
    )
    try:
        pebble.start()
        return asyncio.run(concurrent(pebble, 50, port))
    finally:
        pebble.stop()
        dns.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)

"""Resident memory while tests/hostile_http.py (127.0.0.1, a server of our own: Pebble sends
nothing hostile) answers with 1 GiB bodies, an endless chunked body and a 1 GiB gzip bomb. The
client runs in a subprocess of its own, which reports its peak resident set size, so what the
server and pytest hold does not count: VmHWM, the peak of the process's own memory, not
getrusage's ru_maxrss, which Linux carries over from the parent through fork and exec (in the
full suite pytest had grown to 330 MiB, and the child reported that before doing anything)."""

from __future__ import annotations

import asyncio
import json
import sys

from tests.hostile_http import answering, bomb_answer, endless_chunked, huge_body, serve

CLIENT = """
import asyncio, json, sys
from tui.acme.client import AcmeClient
from tui.acme.errors import AcmeError

def peak_mib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status")

async def main(url, count):
    async with AcmeClient(url):
        pass  # every module imported, a TLS context built: the baseline
    before = peak_mib()
    errors = []
    for _ in range(count):
        async with AcmeClient(url) as client:
            try:
                await client.directory()
                errors.append("no error")
            except AcmeError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
    print(json.dumps({"before": before, "after": peak_mib(), "errors": errors}))

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


async def test_no_response_makes_the_client_grow_past_a_few_mib() -> None:
    answers = [
        huge_body(length=True),
        huge_body(length=False),
        endless_chunked(),
        bomb_answer(),
    ]
    async with serve(*(answering(a) for a in answers)) as server:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            CLIENT,
            server.url(),
            str(len(answers)),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, stderr.decode()
    report = json.loads(stdout)
    assert [e.split(":")[0] for e in report["errors"]] == ["ProtocolError"] * len(answers)
    assert "larger than 1 MiB" in report["errors"][2]
    assert "gzip-encoded" in report["errors"][3]
    assert report["after"] < 300, report
    assert report["after"] - report["before"] < 16, report

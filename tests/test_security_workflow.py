"""An unwritable --out is found before ordering, not after issuance (the save that still fails
after issuance is tests/test_issuance.py's). Against real Pebble: a local fault, the CA behaves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRunner, reach
from tui.pebble import Pebble, free_port


def _orders_sent(traffic: Path) -> int:
    records = [json.loads(line) for line in traffic.read_text().splitlines()]
    return sum(
        1
        for r in records
        if isinstance(((r["request"] or {}).get("jws") or {}).get("payload"), dict)
        and "identifiers" in r["request"]["jws"]["payload"]
    )


@pytest.mark.parametrize("out", ["a-file", "a-file/below", "/proc/acmedash/site"])
def test_an_unwritable_out_is_refused_before_ordering(
    cli: CliRunner, pebble: Pebble, out: str
) -> None:
    """Exit 2 (the user's input), one line, and no newOrder on the wire."""
    (cli.workdir / "a-file").write_text("not a folder")
    args = [*reach(pebble), "--key", "account.pem", "--traffic", "t.jsonl"]
    assert cli(*args, "account", "new", "--yes").returncode == 0
    local = ["--listen", "127.0.0.1", "--http-port", str(free_port())]
    run = cli(*args, "cert", "issue", "-d", "out.example.test", *local, "--out", out)
    assert run.returncode == 2, run.stderr
    assert "cannot create or write the certificate folder" in run.stderr
    assert "nothing was ordered" in run.stderr
    assert "Traceback" not in run.stderr
    assert _orders_sent(cli.workdir / "t.jsonl") == 0
    assert (cli.workdir / "a-file").read_text() == "not a folder"

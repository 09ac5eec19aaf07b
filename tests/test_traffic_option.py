"""`--traffic FILE`: every exchange as a JSON line, from a command and from the dashboard, in a
file only its owner reads. The dashboard opened the file and left it empty (attacker review,
session 8), and the file was made with the umask's 0644."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.conftest import CliRunner, account_settings, wait_until
from tui.acme.traffic import Exchange, read_jsonl
from tui.dashboard.app import AcmeDashApp
from tui.pebble import Pebble


def test_a_command_records_into_a_file_only_its_owner_reads(cli: CliRunner, pebble: Pebble) -> None:
    done = cli(
        "--endpoint", pebble.directory_url, "--ca-bundle", str(pebble.ca_bundle),
        "--traffic", "t.jsonl", "directory",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    recorded = cli.workdir / "t.jsonl"
    assert stat.S_IMODE(recorded.stat().st_mode) == 0o600
    assert [e.url for e in read_jsonl(recorded)] == [pebble.directory_url]


async def test_the_dashboard_sends_every_exchange_to_its_recorders(
    pebble: Pebble, tmp_path: Path
) -> None:
    recorded: list[Exchange] = []
    app = AcmeDashApp(
        account_settings(pebble, tmp_path), config_path=None, recorders=[recorded.append]
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7", "d")
        await wait_until(pilot, lambda: bool(recorded), "the directory GET recorded")
        assert [e.url for e in recorded] == [pebble.directory_url]
        assert app.workspace.log.exchanges == recorded, "the same exchanges as the list"


def test_the_dashboard_command_hands_its_traffic_file_to_the_dashboard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wiring from the option to the App: its run() replaced by one exchange recorded."""
    from tui.cli.command import run
    from tui.dashboard import app as app_module

    def run_once(app: AcmeDashApp) -> None:
        for recorder in app.workspace.recorders:
            recorder(Exchange.from_record(_RECORD))

    monkeypatch.setattr(app_module.AcmeDashApp, "run", run_once)
    config, traffic = tmp_path / "c.toml", tmp_path / "t.jsonl"
    config.write_text('endpoint = "pebble"\n')
    assert run(["--config", str(config), "--traffic", str(traffic)]) == 0
    assert [json.loads(line)["seq"] for line in traffic.read_text().splitlines()] == [7]


_RECORD = {
    "seq": 7,
    "started": "2026-11-26T17:40:01Z",
    "request": {"method": "GET", "url": "https://x.test/dir", "headers": {}, "body": ""},
    "response": {"status": 200, "headers": {}, "body": ""},
}

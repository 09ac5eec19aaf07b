"""`acmedash inspect FILE`: the JSONL records and the HAR that the dashboard exports both open,
and a bad file is one line naming the file, never a parser's message. Files made here; the
dashboard part runs offline with Pilot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tui.acme.errors import InputError
from tui.acme.traffic import read_jsonl, to_har
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.traffic_list import TrafficList
from tui.traffic_files import read_traffic

SAMPLE = Path(__file__).parent / "data" / "sample.jsonl"


def _har_file(tmp_path: Path) -> Path:
    """What X writes (traffic_tools.export_har)."""
    path = tmp_path / "export.har"
    path.write_text(json.dumps(to_har(list(read_jsonl(SAMPLE)), "test"), indent=2))
    return path


def test_a_har_export_reads_back_as_the_same_exchanges(tmp_path: Path) -> None:
    original = list(read_jsonl(SAMPLE))
    again = read_traffic(_har_file(tmp_path))
    assert len(again) == len(original)
    for before, after in zip(original, again, strict=True):
        assert (after.seq, after.method, after.url, after.status) == (
            before.seq,
            before.method,
            before.url,
            before.status,
        )
        assert after.request_body == before.request_body
        assert after.response_body == before.response_body
        assert after.request_headers == before.request_headers
        assert after.response_headers == before.response_headers
        assert after.started == before.started
        assert after.jws == before.jws
        assert (after.problem and after.problem.type) == (before.problem and before.problem.type)
    assert {e.endpoint for e in again} == {original[0].endpoint}, "found from the directory GET"


def test_jsonl_reads_as_before(tmp_path: Path) -> None:
    assert [e.to_record() for e in read_traffic(SAMPLE)] == [
        e.to_record() for e in read_jsonl(SAMPLE)
    ]


async def test_the_dashboard_opens_a_har_export(tmp_path: Path) -> None:
    app = AcmeDashApp(Settings(), config_path=None, offline=read_traffic(_har_file(tmp_path)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert len(app.query_one(TrafficList).rows) == 4


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "binary": b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe",
        "empty json object": b"{}\n",
        "broken line": SAMPLE.read_bytes() + b'{"seq": 9, "request": \n',
        "not json": b"hello, world\n",
        "record without request": json.dumps({"seq": 1}).encode() + b"\n",
        "status as text": json.dumps(
            {**json.loads(SAMPLE.read_text().splitlines()[0]), "response": {"status": "ok"}}
        ).encode(),
        "deep nesting": b"[" * 100_000 + b"]" * 100_000,
        "har without entries": json.dumps({"log": {"version": "1.2"}}).encode(),
        "har entry without request": json.dumps({"log": {"entries": [{"response": {}}]}}).encode(),
        "har entry bad time": json.dumps(
            {
                "log": {
                    "entries": [
                        {
                            "startedDateTime": "yesterday",
                            "request": {"method": "GET", "url": "https://ca.test/dir"},
                            "response": {"status": 200},
                        }
                    ]
                }
            }
        ).encode(),
        "har bad base64": json.dumps(
            {
                "log": {
                    "entries": [
                        {
                            "startedDateTime": "2026-11-26T00:00:00Z",
                            "request": {"method": "GET", "url": "https://ca.test/dir"},
                            "response": {
                                "status": 200,
                                "content": {"text": "!!!", "encoding": "base64"},
                            },
                        }
                    ]
                }
            }
        ).encode(),
    }
    paths = {}
    for name, content in files.items():
        path = tmp_path / (name.replace(" ", "-") + ".jsonl")
        path.write_bytes(content)
        paths[name] = path
    paths["a folder"] = tmp_path
    return paths


@pytest.mark.parametrize(
    "name",
    [
        "binary",
        "empty json object",
        "broken line",
        "not json",
        "record without request",
        "status as text",
        "deep nesting",
        "har without entries",
        "har entry without request",
        "har entry bad time",
        "har bad base64",
        "a folder",
    ],
)
def test_a_bad_file_is_one_line_naming_the_file(tmp_path: Path, name: str) -> None:
    path = _bad_files(tmp_path)[name]
    with pytest.raises(InputError) as caught:
        read_traffic(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message, message
    assert "Expecting" not in message and "char " not in message, message


def test_inspect_says_what_is_wrong_in_one_line(cli: CliRunner, tmp_path: Path) -> None:
    """The real command: exit 2 and one line on stderr, for a file that is not traffic at
    all and for one that breaks half way."""
    for name in ("not json", "broken line", "binary", "deep nesting"):
        path = _bad_files(tmp_path)[name]
        result = cli("inspect", str(path))
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0], result.stderr
        assert "Expecting" not in lines[0], result.stderr

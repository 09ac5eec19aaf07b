"""The CLI's edges (input refused before any request: tests/test_hostile_input.py): server
text escaped on the way to the terminal, hostile JSON answered with one line, and the
unexpected with its own exit code.

The server here is tests/scripted_ca.py, not Pebble: Pebble never sends control characters
or malformed objects, and these tests are about what a hostile CA sends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CliRunner
from tests.scripted_ca import Answer, ScriptedCa
from tui.cli import command as cli

# What a terminal obeys: ESC, BEL, C1 CSI. None of them may reach stdout or stderr raw.
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\x00", "\u2028")
TITLE_AND_CLEAR = "\x1b]0;pwned\x07\x1b[2J"


def _assert_no_raw_controls(*texts: str) -> None:
    for text in texts:
        assert not any(c in text for c in RAW_CONTROLS), repr(text)


def test_directory_text_is_escaped_and_json_stays_exact(cli: CliRunner, ca: ScriptedCa) -> None:
    hostile = ca.directory(
        **{
            f"x{TITLE_AND_CLEAR}": f"https://ca.test/{TITLE_AND_CLEAR}",
            "meta": {
                "termsOfService": "https://ca.test/tos\u009b2J\u2028",
                "website": "\x07",
                "caaIdentities": [TITLE_AND_CLEAR],
                "profiles": {"\x1b[31mclassic": "x"},
            },
        }
    )
    ca.routes["/dir"] = Answer(body=hostile)
    text = cli("--endpoint", ca.directory_url, "directory")
    assert text.returncode == 0, text.stderr
    _assert_no_raw_controls(text.stdout, text.stderr)
    assert r"x\x1b]0;pwned\x07\x1b[2J: https://ca.test/\x1b]0;pwned\x07" in text.stdout
    assert r"termsOfService: https://ca.test/tos\u009b2J\u2028" in text.stdout
    as_json = cli("--endpoint", ca.directory_url, "directory", "--json")
    assert as_json.returncode == 0, as_json.stderr
    assert as_json.stdout.isascii()
    assert json.loads(as_json.stdout) == hostile


def test_problem_document_cannot_drive_the_terminal_or_forge_lines(
    cli: CliRunner, ca: ScriptedCa
) -> None:
    ca.routes["/dir"] = Answer(
        403,
        {
            "type": f"urn:ietf:params:acme:error:unauthorized{TITLE_AND_CLEAR}",
            "detail": f"{TITLE_AND_CLEAR}\nacmedash: account created",
            "subproblems": [
                {
                    "type": "urn:ietf:params:acme:error:rejectedIdentifier",
                    "detail": "\u009b31mred\r",
                    "identifier": {"type": "dns", "value": "a\x1b[8m.test"},
                }
            ],
        },
        content_type="application/problem+json",
    )
    result = cli("--endpoint", ca.directory_url, "directory")
    assert result.returncode == 1
    _assert_no_raw_controls(result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].endswith(r"\x1b]0;pwned\x07\x1b[2J\nacmedash: account created")
    assert (
        lines[1]
        == r"  urn:ietf:params:acme:error:rejectedIdentifier [dns:a\x1b[8m.test]: \u009b31mred\r"
    )


def _account_routes(ca: ScriptedCa, body: object, tos: str = "") -> None:
    meta = {"termsOfService": tos} if tos else {}
    ca.routes["/dir"] = Answer(body=ca.directory(meta=meta))
    location = {"Location": f"{ca.base}/acct/1"}
    ca.routes["/acct"] = Answer(201, body, headers=location)
    ca.routes["/acct/1"] = Answer(200, body)


def test_account_fields_and_terms_url_are_escaped(cli: CliRunner, ca: ScriptedCa) -> None:
    _account_routes(
        ca,
        {
            "status": f"valid{TITLE_AND_CLEAR}",
            "contact": ["mailto:a@example.test\n  forged: line"],
            "orders": f"{ca.base}/orders\u009b",
        },
        tos=f"https://ca.test/tos{TITLE_AND_CLEAR}",
    )
    assert cli("key", "generate", "k.pem").returncode == 0
    args = ["--endpoint", ca.directory_url, "--key", "k.pem", "--contact", "a@example.test"]
    refused = cli(*args, "account", "new")
    assert refused.returncode == 2 and len(refused.stderr.splitlines()) == 1
    _assert_no_raw_controls(refused.stderr)
    assert r"tos\x1b]0;pwned\x07\x1b[2J" in refused.stderr
    created = cli(*args, "account", "new", "--yes")
    assert created.returncode == 0, created.stderr
    _assert_no_raw_controls(created.stdout, created.stderr)
    assert r"status:  valid\x1b]0;pwned\x07\x1b[2J" in created.stdout
    assert r"contact: mailto:a@example.test\n  forged: line" in created.stdout
    assert "\nforged" not in created.stdout and "\n  forged" not in created.stdout


@pytest.mark.parametrize(
    "body",
    [[1, 2], "valid", 5, {"status": 5, "contact": "mailto:x", "orders": ["a"], "key": {"kty": 5}}],
)
def test_hostile_account_objects_give_one_line_or_a_result(
    cli: CliRunner, ca: ScriptedCa, body: object
) -> None:
    _account_routes(ca, body)
    assert cli("key", "generate", "k.pem").returncode == 0
    args = ["--endpoint", ca.directory_url, "--key", "k.pem", "--yes"]
    result = cli(*args, "account", "new")
    assert "Traceback" not in result.stderr
    if isinstance(body, dict):
        assert result.returncode == 0, result.stderr
        assert "status:  \n" in result.stdout and "contact: (none)" in result.stdout
    else:
        assert result.returncode == 1 and len(result.stderr.splitlines()) == 1, result.stderr
        assert "not a JSON object" in result.stderr


def test_hostile_orders_are_listed_escaped(cli: CliRunner, ca: ScriptedCa) -> None:
    _account_routes(ca, {"status": "valid", "orders": f"{ca.base}/orders"})
    ca.routes["/orders"] = Answer(body={"orders": [f"{ca.base}/o1", f"{ca.base}/o2", 5, None]})
    ca.routes["/o1"] = Answer(body={"status": 5, "identifiers": 7, "authorizations": "x"})
    ca.routes["/o2"] = Answer(
        body={
            "status": TITLE_AND_CLEAR,
            "identifiers": [1, {"type": ["dns"], "value": {"x": 1}}, {"value": "a\x1b.test"}],
            "challenges": 5,
        }
    )
    assert cli("key", "generate", "k.pem").returncode == 0
    result = cli("--endpoint", ca.directory_url, "--key", "k.pem", "account", "orders")
    assert result.returncode == 0, result.stderr
    _assert_no_raw_controls(result.stdout, result.stderr)
    assert r"\x1b]0;pwned\x07\x1b[2J" in result.stdout and r"a\x1b.test" in result.stdout


def _raise(error: BaseException) -> cli.Handler:
    def handler(_ctx: cli.Context) -> int:
        raise error

    return handler


def test_the_unexpected_is_one_line_with_its_own_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Not exit 1 (a server problem) and no traceback, unless --debug asks for it."""
    monkeypatch.setenv("ACMEDASH_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setitem(
        cli.handlers(), ("key", "show"), _raise(RuntimeError(f"boom{TITLE_AND_CLEAR}"))
    )
    assert cli.run(["key", "show", "k.pem"]) == cli.EXIT_SOFTWARE == 70
    err = capsys.readouterr().err
    assert err.splitlines() == [
        r"acmedash: internal error: RuntimeError: boom\x1b]0;pwned\x07\x1b[2J "
        "(a bug in acmedash; --debug shows where)"
    ]
    assert cli.run(["key", "show", "k.pem", "--debug"]) == 70
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "RuntimeError" in err
    _assert_no_raw_controls(err)
    monkeypatch.setitem(cli.handlers(), ("key", "show"), _raise(KeyboardInterrupt()))
    assert cli.run(["key", "show", "k.pem"]) == 130
    assert capsys.readouterr().err == "acmedash: interrupted\n"


def test_help_documents_the_exit_codes(cli: CliRunner) -> None:
    result = cli("--help")
    assert result.returncode == 0
    assert "70  internal error" in result.stdout and "130 interrupted" in result.stdout


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--endpoint", "pebble"],
        ["--endpoint=le-staging", "--key", "k.pem", "--debug"],
        ["--contact", "mailto:a@example.org", "--ca-bundle", "ca.pem", "--traffic", "t.jsonl"],
        ["--endpoint", "cert"],
    ],
)
def test_the_dashboards_quick_parse_reads_what_the_whole_parser_reads(argv: list[str]) -> None:
    """Plain `acmedash [global options]` skips building every command's parser (first paint):
    what it reads must be exactly what the whole parser would."""
    quick = cli._dashboard_args(argv)
    assert quick is not None
    assert vars(quick) == vars(cli.build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv", [["cert", "list"], ["demo"], ["--help"], ["--version"], ["--bogus"], ["--endpoint"]]
)
def test_a_command_help_or_mistake_goes_to_the_whole_parser(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli._dashboard_args(argv) is None
    assert capsys.readouterr() == ("", ""), "the whole parser alone speaks"

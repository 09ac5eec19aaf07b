"""The real `acmedash` command (a subprocess) against a real Pebble."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CliRunner, reach
from tui.acme import jose, keys
from tui.pebble import Pebble, free_port


def _secrets(key_path: Path) -> list[str]:
    """Strings that must never be printed: the PEM body lines and the private scalar."""
    pem = key_path.read_text()
    body = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    key = keys.load_key(key_path)
    numbers = key.private_numbers()  # type: ignore[union-attr]
    private = getattr(numbers, "private_value", None) or numbers.d  # type: ignore[union-attr]
    scalar = jose.b64url(private.to_bytes((private.bit_length() + 7) // 8, "big"))
    return [*body, scalar]


def test_judged_flow_with_half_the_nonces_rejected(cli: CliRunner, harsh_pebble: Pebble) -> None:
    """The issue's acceptance run: each command with --traffic, every JWS verifying."""
    common = [
        *reach(harsh_pebble),
        "--traffic",
        "t.jsonl",
        "--key",
        "account.pem",
    ]
    outputs: list[str] = []
    steps = [
        ["key", "generate", "account.pem"],
        [*common, "--contact", "mailto:judge@example.org", "account", "new", "--yes"],
        [*common, "account", "show", "--json"],
        [*common, "account", "update", "--contact", "mailto:new@example.org"],
        [*common, "directory", "--json"],
    ]
    processes_sending_head: list[int] = []
    for step in steps:
        before = _line_count(cli.workdir / "t.jsonl")
        result = cli(*step)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        outputs += [result.stdout, result.stderr]
        records = _records(cli.workdir / "t.jsonl")[before:]
        processes_sending_head.append(sum(r["request"]["method"] == "HEAD" for r in records))
    assert max(processes_sending_head) <= 1, processes_sending_head

    shown = json.loads(outputs[4])
    assert {"url", "status", "contact"} <= shown.keys()
    assert shown["status"] == "valid" and shown["contact"] == ["mailto:judge@example.org"]
    directory = json.loads(outputs[8])
    assert directory["newAccount"].startswith(harsh_pebble.directory_url.rsplit("/", 1)[0])

    key = keys.load_key(cli.workdir / "account.pem")
    records = _records(cli.workdir / "t.jsonl")
    assert records
    signed = 0
    for record in records:
        assert set(record) >= {"seq", "started", "elapsed_ms", "endpoint", "request", "response"}
        assert record["started"].endswith("Z")
        request, response = record["request"], record["response"]
        assert set(request) >= {"method", "url", "headers", "body", "jws"}
        assert set(response) >= {"status", "headers", "body", "problem"}
        if request["method"] == "POST":
            body = json.loads(request["body"])
            assert jose.verify(body, key), record
            assert request["jws"]["protected"] == jose.decode_part(body["protected"])
            assert request["jws"]["signature"] == body["signature"]
            signed += 1
        else:
            assert request["jws"] is None
        if response["status"] >= 400:
            assert response["problem"]["type"].startswith("urn:ietf:params:acme:error:")
    assert signed >= 4
    text = "\n".join(outputs) + (cli.workdir / "t.jsonl").read_text() + cli.config.read_text()
    for secret in _secrets(cli.workdir / "account.pem"):
        assert secret not in text
    config = cli.config.read_text()
    assert shown["url"] in config and jose.thumbprint(jose.public_jwk(key)) in config


def _line_count(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def _records(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_account_new_offers_to_generate_a_missing_key(cli: CliRunner, pebble: Pebble) -> None:
    args = [
        *reach(pebble),
        "--key",
        "new.pem",
    ]
    refused = cli(*args, "account", "new")
    assert refused.returncode == 2 and "does not exist" in refused.stderr
    assert not (cli.workdir / "new.pem").exists()
    created = cli(*args, "account", "new", "--yes", "--json")
    assert created.returncode == 0, created.stderr
    assert stat.S_IMODE((cli.workdir / "new.pem").stat().st_mode) == 0o600
    account = json.loads(created.stdout)
    assert account["created"] is True and account["status"] == "valid"


def test_key_generate_says_which_folder_it_created(cli: CliRunner) -> None:
    """A typo in the folder made a new tree without a word; now the output names it."""
    made = cli("key", "generate", "keys/new/k.pem")
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("created folders keys, keys/new (they did not exist)\n")
    again = cli("key", "generate", "keys/new/k2.pem")
    assert again.returncode == 0 and "created" not in again.stdout
    once = cli("key", "generate", "keys/other/k.pem")
    assert once.stdout.startswith("created folder keys/other (it did not exist)\n")


def test_terms_must_be_agreed(cli: CliRunner, pebble: Pebble) -> None:
    assert cli("key", "generate", "k.pem", "--type", "ec384").returncode == 0
    args = [
        *reach(pebble),
        "--key",
        "k.pem",
    ]
    result = cli(*args, "account", "new")
    assert result.returncode == 2
    assert "terms of service not agreed (data:text/plain" in result.stderr
    assert cli(*args, "account", "show").returncode == 1, "no account was created"


def test_account_show_without_account_is_a_problem(cli: CliRunner, pebble: Pebble) -> None:
    assert cli("key", "generate", "k.pem").returncode == 0
    result = cli(
        *reach(pebble),
        "--key",
        "k.pem",
        "account",
        "show",
    )
    assert result.returncode == 1
    assert "urn:ietf:params:acme:error:accountDoesNotExist" in result.stderr


def test_production_needs_confirmation(cli: CliRunner) -> None:
    """Refused before any network traffic: no --yes and no terminal to ask on."""
    assert cli("key", "generate", "k.pem").returncode == 0
    result = cli(
        "--endpoint", "letsencrypt", "--key", "k.pem", "--traffic", "t.jsonl", "account", "new"
    )
    assert result.returncode == 2
    assert "PRODUCTION" in result.stderr and "--yes" in result.stderr
    assert (cli.workdir / "t.jsonl").read_text() == ""
    assert not cli.config.exists()


def test_key_show_json_and_mode_warning(cli: CliRunner) -> None:
    assert cli("key", "generate", "k.pem", "--type", "rsa2048").returncode == 0
    shown = json.loads(cli("key", "show", "k.pem", "--json").stdout)
    assert shown["type"] == "rsa2048" and shown["alg"] == "RS256" and shown["mode"] == "0600"
    assert shown["thumbprint"] == jose.thumbprint(shown["jwk"])
    (cli.workdir / "k.pem").chmod(0o644)
    text = cli("key", "show", "k.pem").stdout
    assert "readable by group or others" in text
    for secret in _secrets(cli.workdir / "k.pem"):
        assert secret not in text


def test_network_errors_give_one_line(cli: CliRunner, pebble: Pebble) -> None:
    """Exit 3 and one line for a CA that is not there or whose certificate does not verify
    (input errors, exit 2: tests/test_hostile_input.py)."""
    cases = [
        (["--endpoint", f"https://127.0.0.1:{free_port()}/dir", "directory"], None),
        (["--endpoint", pebble.directory_url, "directory"], "did not verify"),
    ]
    for args, expected in cases:
        result = cli("--config", str(cli.workdir / "good.toml"), *args)
        assert result.returncode == 3, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
        if expected:
            assert expected in result.stderr
    assert not (cli.workdir / "good.toml").exists()


def test_config_import_ini(cli: CliRunner) -> None:
    (cli.workdir / "acme.ini").write_text(
        "[acme-neoprime]\nACMEDirectory = https://acme-v02.api.letsencrypt.org/directory\n"
        "AccountKeyFile = account.key\nContacts = a@example.org;b@example.org\n"
    )
    result = cli("config", "import-ini", "acme.ini")
    assert result.returncode == 0, result.stderr
    config = cli.config.read_text()
    assert 'endpoint = "letsencrypt"' in config and "mailto:b@example.org" in config
    missing = cli("config", "import-ini", "nope.ini")
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_python_dash_m_and_version(cli: CliRunner) -> None:
    result = cli("--version")
    assert result.returncode == 0 and result.stdout.startswith("acmedash ")


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
def test_a_reader_that_went_away_is_not_an_internal_error(tmp_path: Path, unbuffered: bool) -> None:
    """`acmedash key show K | head -0`: the pipe is closed before acmedash writes to it. Output
    to a pipe is buffered, so the closed pipe showed only in the last flush, which ignored it:
    exit 0, or 141 where PYTHONUNBUFFERED=1 made the write itself fail. Both ways now."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    key_file = tmp_path / "k.pem"
    subprocess.run(
        [sys.executable, "-m", "tui", "key", "generate", str(key_file)],
        check=True,
        capture_output=True,
    )
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tui", "key", "show", str(key_file)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
            env=env,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 141, result.stderr
    assert "internal error" not in result.stderr
    assert "Traceback" not in result.stderr


def test_questions_are_asked_on_a_terminal(cli: CliRunner, pebble: Pebble) -> None:
    """accounts.Prompts as the CLI implements them: y/N, and a typed word for deactivation."""
    args = [*reach(pebble), "--key", "tty.pem"]
    declined = cli.on_a_terminal("n\n", *args, "account", "new")
    assert declined.returncode == 2, declined.stderr
    assert "Generate a new ec256 key at tty.pem, which does not exist? [y/N]" in declined.stderr
    assert not (cli.workdir / "tty.pem").exists()
    created = cli.on_a_terminal("y\ny\n", *args, "account", "new")
    assert created.returncode == 0, created.stderr
    assert "Do you agree to the terms of service at data:text/plain" in created.stderr
    assert stat.S_IMODE((cli.workdir / "tty.pem").stat().st_mode) == 0o600
    kept = cli.on_a_terminal("yes\n", *args, "account", "deactivate")
    assert kept.returncode == 2 and "Type `deactivate` to confirm" in kept.stderr
    assert "not deactivated" in kept.stderr
    gone = cli.on_a_terminal("deactivate\n", *args, "account", "deactivate")
    assert gone.returncode == 0 and "is deactivated" in gone.stdout, gone.stderr

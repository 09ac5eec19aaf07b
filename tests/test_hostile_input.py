"""Hostile and mistaken input (issue 10), one table (tests/hostile_inputs.py): each case is
what a person might type or have on disk, the one-line reason acmedash must give, and the
promise for all of them: exit 2,
that one line and no traceback, no file written or changed, and nothing sent to the CA that
could change anything there (no POST).

The CA is tests/scripted_ca.py (Pebble cannot serve a directory that is not JSON, and every
other case must be refused before Pebble would matter). The dashboard meets the same names,
key files and revocation reasons through its own fields and dialogs, below."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.conftest import (
    CliRunner,
    ValidatingPebble,
    fill_the_orders_form,
    order_from_the_orders_tab,
    reach,
    settle,
    wait_for_screen,
    wait_until,
)
from tests.hostile_inputs import (
    CASES,
    DASHBOARD_KEYS,
    DASHBOARD_ORDERS,
    DIRECTORY_CASES,
)
from tests.scripted_ca import ScriptedCa
from tui.acme import jose, keys
from tui.config import Settings, load_settings, save_settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.tabs import TabbedPanes
from tui.dashboard.screens.prompt import PromptScreen


def _with_account(folder: Path, ca: ScriptedCa) -> None:
    """An account key at k.pem whose account the config remembers: a person who has one, so
    a command gets as far as the input lets it, with no lookup to make."""
    key = keys.generate_key("ec256")
    keys.save_key(key, folder / "k.pem")
    settings = Settings()
    thumbprint = jose.thumbprint(jose.public_jwk(key))
    settings.remember_account(ca.directory_url, thumbprint, f"{ca.base}/acct/1")
    save_settings(settings, folder / "config.toml")


def _files(folder: Path) -> dict[str, bytes | None]:
    """Every path under `folder`, with the bytes of each regular file."""
    return {
        str(path.relative_to(folder)): (
            path.read_bytes() if path.is_file() and not path.is_symlink() else None
        )
        for path in sorted(folder.rglob("*"))
    }


def _refused(result: subprocess.CompletedProcess[str], reason: str) -> None:
    err = result.stderr
    assert result.returncode == 2, err
    assert len(err.splitlines()) == 1, err
    assert reason in err and "Traceback" not in err, err


@pytest.mark.parametrize("name", list(CASES))
def test_cli_refuses(name: str, cli: CliRunner, ca: ScriptedCa) -> None:
    case = CASES[name]
    _with_account(cli.workdir, ca)
    case.setup(cli.workdir)
    before = _files(cli.workdir)
    result = cli(
        "--endpoint", ca.directory_url, "--key", "k.pem", "--config", "config.toml",
        *case.args, env=dict(case.env),
    )  # fmt: skip
    _refused(result, case.reason)
    assert _files(cli.workdir) == before, "a file was written or changed"
    assert [r for r in ca.requests if r[0] == "POST"] == []


@pytest.mark.parametrize("name", list(DIRECTORY_CASES))
def test_cli_refuses_what_is_not_a_directory(name: str, cli: CliRunner, ca: ScriptedCa) -> None:
    """A URL that answers, but not with a directory: the wrong URL (a web page, a typo in the
    path) is the user's input, as an unusable directory URL is."""
    answer, reason = DIRECTORY_CASES[name]
    ca.routes["/dir"] = answer
    keys.save_key(keys.generate_key("ec256"), cli.workdir / "k.pem")
    before = _files(cli.workdir)
    result = cli("--endpoint", ca.directory_url, "--key", "k.pem", "account", "show")
    _refused(result, reason)
    assert _files(cli.workdir) == before
    assert ca.requests == [("GET", "/dir")]


def test_the_table_has_forty_cases() -> None:
    assert len(CASES) + len(DIRECTORY_CASES) >= 40


def _dashboard(folder: Path, ca: ScriptedCa, key: str = "k.pem") -> AcmeDashApp:
    settings = load_settings(folder / "config.toml")
    settings.endpoint = ca.directory_url
    settings.account_key = str(folder / key)
    save_settings(settings, folder / "config.toml")
    return AcmeDashApp(load_settings(folder / "config.toml"), config_path=folder / "config.toml")


def _errors(app: AcmeDashApp) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


@pytest.mark.parametrize("name", list(DASHBOARD_ORDERS))
async def test_dashboard_refuses_names(
    name: str, ca: ScriptedCa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed into the Orders tab: one error notification with the CLI's reason, no file, no
    POST, and the dashboard still there."""
    names, challenge, out = DASHBOARD_ORDERS[name]
    _with_account(tmp_path, ca)
    monkeypatch.chdir(tmp_path)
    app = _dashboard(tmp_path, ca)
    async with app.run_test(size=(100, 40)) as pilot:
        await fill_the_orders_form(app, pilot, challenge=challenge, out=out)
        before = _files(tmp_path)
        await order_from_the_orders_tab(app, pilot, names)
        await settle(app)
        said = [n.message for n in app._notifications]
        reason = "Type the names" if name == "no identifiers" else CASES[name].reason
        assert len(said) == 1 and reason in said[0], said
        assert "unexpected" not in said[0] and "\n" not in said[0]
        assert _errors(app) == ([] if name == "no identifiers" else said)
        assert app.is_running
    assert _files(tmp_path) == before
    assert [r for r in ca.requests if r[0] == "POST"] == []


@pytest.mark.parametrize("name", DASHBOARD_KEYS)
async def test_dashboard_refuses_key_files(
    name: str, ca: ScriptedCa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The config names a bad key file: the Key tab says why in the CLI's words, `l` (find the
    account) asks for a key instead of sending anything, and no file changes."""
    case = CASES[name]
    _with_account(tmp_path, ca)
    case.setup(tmp_path)
    for variable, value in case.env:
        monkeypatch.setenv(variable, value)
    app = _dashboard(tmp_path, ca, case.args[1])
    before = _files(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        app.query_one("#side", TabbedPanes).active = "pane-key"
        await wait_until(pilot, lambda: bool(app.query("#key-info")), "the Key tab")
        info = app.query_one("#key-info", Static)
        await wait_until(pilot, lambda: case.reason in str(info.content), f"{case.reason} shown")
        await pilot.press("l")
        await settle(app)
        assert not _errors(app), _errors(app)
        assert app.workspace.key is None
    assert _files(tmp_path) == before
    assert ca.requests == []


async def test_dashboard_refuses_an_unknown_revocation_reason(
    ca: ScriptedCa, tmp_path: Path
) -> None:
    _with_account(tmp_path, ca)
    CASES["unknown revocation reason"].setup(tmp_path)
    app = _dashboard(tmp_path, ca)
    before = _files(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("V")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one(Input).value = str(tmp_path / "tls" / "cert.pem")
        await pilot.press("enter")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one(Input).value = "bored"
        await pilot.press("enter")
        await settle(app)
        errors = _errors(app)
        assert len(errors) == 1 and "bored" in errors[0], errors
    assert _files(tmp_path) == before
    assert [r for r in ca.requests if r[0] == "POST"] == []


def test_a_failing_deploy_hook_is_said_in_one_line(
    cli: CliRunner, validating: ValidatingPebble
) -> None:
    """The one case where something is written: the certificate is issued and saved before the
    hook runs, so the line says where it is, and the exit code says the hook (the user's
    command) failed."""
    common = [*reach(validating.pebble), "--key", "k.pem"]
    assert cli(*common, "account", "new", "--yes").returncode == 0
    http01 = ["--challenge", "http-01", "--listen", "127.0.0.1"]
    http01 += ["--http-port", str(validating.http_port)]
    hook = ["--deploy-hook", "echo reload refused; exit 4"]
    result = cli(*common, "cert", "issue", "-d", "hook.input.test", *http01, "--out", "s", *hook)
    said = [line for line in result.stderr.splitlines() if line.startswith("acmedash: ")]
    assert result.returncode == 2, result.stderr
    assert said == [
        "acmedash: certificate saved in s, but the deploy hook exited 4: reload refused"
    ], result.stderr
    assert "Traceback" not in result.stderr
    assert (cli.workdir / "s" / "cert.pem").exists()

"""The dashboard's Orders tab and account end of life, driven with Pilot against a Pebble that
really validates (conftest.ValidatingPebble): http-01 through the app's own responder, dns-01
through the manual-instructions modal (the test publishes the record it shows)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static

from tests.conftest import (
    ValidatingPebble,
    account_settings,
    fill_the_orders_form,
    hidden_panes_mounted,
    new_account_from_the_dashboard,
    order_from_the_orders_tab,
    settle,
    wait_for_screen,
)
from tui.acme.certificates import load_certificate, names_of
from tui.acme.encoding import decode_part
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.row_operation import operation
from tui.dashboard.panels.traffic_list import TrafficList
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.dns_instructions import DnsInstructions
from tui.dashboard.screens.prompt import PromptScreen
from tui.dashboard.screens.typed_confirm import TypedConfirmScreen
from tui.traffic_log import TrafficLog

SIZE = (100, 40)


def _app(validating: ValidatingPebble, tmp_path: Path) -> AcmeDashApp:
    settings = account_settings(validating.pebble, tmp_path, contacts=["mailto:orders@example.org"])
    return AcmeDashApp(
        settings,
        config_path=tmp_path / "c.toml",
        responder_address="127.0.0.1",
        http_port=validating.http_port,
        tls_port=validating.tls_port,
    )


async def test_issue_renew_revoke_from_the_orders_tab(
    validating: ValidatingPebble, tmp_path: Path, monkeypatch: object
) -> None:
    app = _app(validating, tmp_path)
    out = tmp_path / "site"
    async with app.run_test(size=SIZE) as pilot:
        await new_account_from_the_dashboard(app, pilot)
        await fill_the_orders_form(app, pilot)
        assert app.query_one("#order-port", Input).value == str(validating.http_port)
        names = "dash-a.example.test, dash-b.example.test"
        await order_from_the_orders_tab(app, pilot, names, out=str(out))
        await settle(app)
        certificate = load_certificate((out / "cert.pem").read_bytes(), "cert")
        assert names_of(certificate) == ["dash-a.example.test", "dash-b.example.test"]
        assert app.last_certificate == out / "cert.pem"
        progress = str(app.query_one("#order-progress").content)
        assert "dash-a.example.test: valid" in progress and "dash-b.example.test: valid" in progress
        assert "not offered by this CA" in str(app.query_one("#certificate-view").content)
        posts = [e for e in app.query_one("TrafficList").exchanges if e.method == "POST"]  # type: ignore[attr-defined]
        assert any(e.url.endswith("/finalize") or "finalize" in e.url for e in posts)
        _one_run_whatever_order_the_challenges_finished_in(app.query_one(TrafficList).model)

        await pilot.press("escape")  # out of the names box: letters are keys again
        assert app.focused is app.query_one("#traffic-list")
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("enter")  # the last certificate is the default
        await settle(app)
        renewed = load_certificate((out / "cert.pem").read_bytes(), "cert")
        notes = [n.message for n in app._notifications]
        assert renewed.serial_number != certificate.serial_number, notes
        assert list((out / "archive").iterdir())

        await pilot.press("V")
        await pilot.pause()
        await pilot.press("enter")  # the last certificate
        await wait_for_screen(pilot, PromptScreen)
        reason = app.screen.query_one("#value", Input)
        reason.value = ""
        await pilot.press(*"super", "right", "enter")  # completes to `superseded`
        await wait_for_screen(pilot, ConfirmScreen)
        assert "(superseded)" in str(app.screen.query_one("#message", Static).content)
        await pilot.click("#confirm")
        await settle(app)
        revoke = [e for e in app.query_one("TrafficList").exchanges if "revoke" in e.url]  # type: ignore[attr-defined]
        assert revoke and revoke[-1].status == 200
        payload = decode_part(json.loads(revoke[-1].request_body)["payload"])
        assert payload["reason"] == 4
        shown = str(app.query_one("#certificate-view").content)
        assert "REVOKED" in shown and "superseded" in shown, shown
        assert f"{renewed.serial_number:x}" in shown


def _one_run_whatever_order_the_challenges_finished_in(log: TrafficLog) -> None:
    """One issuance is one run. Its two challenge POSTs run at once and may finish in either
    order; a second log takes the recorded exchanges with the two swapped, the order the
    reviewer saw (`1:10 chall`, `── run 2 ──`, `2:9 chall`)."""
    assert log.runs == 1, [log.label(i) for i in range(len(log.exchanges))]
    exchanges = list(log.exchanges)
    answered = [
        i
        for i, e in enumerate(exchanges)
        if operation(e) == "chall" and e.jws and e.status == 200  # not a badNonce before a resend
    ]
    assert len(answered) == 2, [(log.label(i), exchanges[i].status) for i in answered]
    first, second = answered
    exchanges[first], exchanges[second] = exchanges[second], exchanges[first]
    swapped = TrafficLog()
    swapped.extend(exchanges)
    assert swapped.runs == 1
    assert [swapped.label(i) for i in range(len(exchanges))] == [str(e.seq) for e in exchanges]


async def test_an_order_into_a_folder_whose_archive_is_a_link_is_refused(
    validating: ValidatingPebble, tmp_path: Path
) -> None:
    """Attacker round 7 from the dashboard: an out folder holding `archive -> elsewhere` had
    the certificate and its key written into elsewhere/. Refused before the order, and said."""
    app = _app(validating, tmp_path)
    out, victim = tmp_path / "site", tmp_path / "victim"
    victim.mkdir()
    out.mkdir()
    (out / "archive").symlink_to(victim)
    async with app.run_test(size=SIZE) as pilot:
        await new_account_from_the_dashboard(app, pilot)
        await order_from_the_orders_tab(app, pilot, "dash-link.example.test", out=str(out))
        await settle(app)
        said = [n.message for n in app._notifications]
        assert any(f"{out}/archive is a symbolic link" in m for m in said), said
        urls = [e.url for e in app.query_one("TrafficList").exchanges]  # type: ignore[attr-defined]
        assert not any("order" in url for url in urls), urls
    assert list(victim.iterdir()) == [] and [p.name for p in out.iterdir()] == ["archive"]


async def _order_by_hand(
    app: AcmeDashApp,
    pilot: Pilot[None],
    name: str,
    out: Path,
    until: type[Screen[Any]] = DnsInstructions,
) -> None:
    """Orders `name` with dns-01 from the Orders tab, up to the TXT record dialog (or `until`,
    the dialog that comes first when the config names a dns-01 method)."""
    await order_from_the_orders_tab(app, pilot, name, challenge="dns-01", out=str(out))
    await wait_for_screen(pilot, until)


async def test_dns01_by_hand_then_rollover_and_deactivate(
    validating: ValidatingPebble, tmp_path: Path
) -> None:
    app = _app(validating, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_account_from_the_dashboard(app, pilot)
        await _order_by_hand(app, pilot, "*.dashwild.example.test", tmp_path / "wild")
        screen = app.screen
        assert isinstance(screen, DnsInstructions)
        assert screen.record_name == "_acme-challenge.dashwild.example.test"
        validating.dns.set_txt(screen.record_name, screen.record_value)
        await pilot.click("#published")
        await settle(app)
        validating.dns.clear_txt(screen.record_name)
        assert (tmp_path / "wild" / "cert.pem").exists()

        app.query_one("#traffic-list").focus()
        await pilot.press("K")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one(Input).value = str(tmp_path / "next.pem")
        await pilot.press("enter")
        await settle(app)
        assert app.key_path == tmp_path / "next.pem" and (tmp_path / "next.pem").exists()
        assert app.settings.account_key == str(tmp_path / "next.pem")

        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, TypedConfirmScreen)
        app.screen.query_one(Input).value = "yes"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TypedConfirmScreen), "only the exact word confirms"
        app.screen.query_one(Input).value = "deactivate"
        await pilot.press("enter")
        await settle(app)
        assert app.account is not None and app.account.status == "deactivated"


async def test_a_failed_issuance_ends_the_orders_log_with_the_failure(
    validating: ValidatingPebble, tmp_path: Path
) -> None:
    """Found by a new user: after a failed renewal the log ended with the last step and the old
    certificate was still shown under it, read as renewed. The log now ends with the failure."""
    app = _app(validating, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_account_from_the_dashboard(app, pilot)
        await _order_by_hand(app, pilot, "never.example.test", tmp_path / "never")
        await pilot.click("#cancel")
        await settle(app)
        progress = str(app.query_one("#order-progress").content)
        assert progress.strip().splitlines()[-1].startswith("FAILED: "), progress
        assert not (tmp_path / "never" / "cert.pem").exists()


async def test_bad_order_forms_are_refused_with_a_message(
    validating: ValidatingPebble, tmp_path: Path
) -> None:
    """No names, a wildcard over http-01, a port that is not a number: a notification each,
    no request, and the app keeps running."""
    app = _app(validating, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("I")  # the Orders tab is opened for the user
        await hidden_panes_mounted(pilot)
        app.query_one("#traffic-list").focus()
        await pilot.press("I")
        await pilot.pause()
        assert app.focused is app.query_one("#order-names"), "empty names: the names box is focused"
        app.query_one("#order-names", Input).value = "*.wild.example.test"
        app.query_one("#traffic-list").focus()
        await pilot.press("I")
        await pilot.pause()
        app.query_one("#order-names", Input).value = "ok.example.test"
        app.query_one("#order-port", Input).value = "eighty"
        app.query_one("#traffic-list").focus()
        await pilot.press("I")
        await pilot.pause()
        notes = [n.message for n in app._notifications]
        assert any("Type the names to certify" in n for n in notes), notes
        assert any("wildcard names can only be validated with dns-01" in n for n in notes), notes
        assert any("port must be a number" in n for n in notes), notes
        assert app.query_one("TrafficList").exchanges == []  # type: ignore[attr-defined]
        assert app.is_running


async def test_a_relative_output_folder_is_in_the_session_s_folder(
    validating: ValidatingPebble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Orders form's output folder was relative to the shell's folder while every path box
    is relative to the session's (a demo's own): `site` typed in a demo started elsewhere put
    the certificate and its key beside the user's files."""
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    demo = tmp_path / "demo"
    demo.mkdir()
    settings = account_settings(validating.pebble, tmp_path, contacts=[])
    app = AcmeDashApp(
        settings,
        config_path=None,
        responder_address="127.0.0.1",
        http_port=validating.http_port,
        tls_port=validating.tls_port,
        files_dir=demo,
    )
    async with app.run_test(size=SIZE) as pilot:
        await new_account_from_the_dashboard(app, pilot)
        await order_from_the_orders_tab(app, pilot, "relative-out.example.test", out="site")
        await settle(app)
        assert (demo / "site" / "cert.pem").exists(), [n.message for n in app._notifications]
        assert not (tmp_path / "cwd" / "site").exists()

"""One test per operation, driving both front ends the same way against Pebble: the CLI (the
real `acmedash` command in a subprocess, through tests/conftest.CliRunner) and the dashboard
(AcmeDashApp through Pilot). Each starts from a config file that says the same thing, and each
test checks that both asked the same questions, sent the same requests, refused the same
things and left the same settings and files behind: the rule of DESIGN.md that a front end
holds no protocol or policy decision the other needs.

ARI, which Debian's Pebble 2.4 lacks, comes from tests/ari_front.py in front of Pebble; a
production endpoint is only ever reached to be cancelled, so nothing is sent to it."""

from __future__ import annotations

import asyncio
import json
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.ari_front import ari_front
from tests.conftest import (
    EAB_KID,
    EAB_MAC,
    CliRunner,
    ValidatingPebble,
    fill_the_orders_form,
    order_from_the_orders_tab,
    settle,
    wait_for_screen,
    wait_until,
)
from tests.scripted_prompts import ScriptedPrompts
from tui import accounts, workflow
from tui.acme import jose, keys
from tui.acme.challenges import Http01Responder
from tui.acme.encoding import decode_part
from tui.acme.hooks import EAB_KEY_ENV, PASSPHRASE_ENV
from tui.acme.traffic import Exchange, read_jsonl
from tui.config import Settings, load_settings, save_settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.traffic_list import TrafficList
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.prompt import PromptScreen
from tui.dashboard.screens.typed_confirm import TypedConfirmScreen
from tui.endpoints import resolve
from tui.pebble import Pebble
from tui.session import Session

SIZE = (100, 40)
CONTACTS = ["mailto:both@example.org"]


# -- the two front ends over the same settings ------------------------------------------------


def _new_key(path: Path, passphrase: bytes | None = None) -> str:
    """A fresh ec256 key in `path`; its thumbprint."""
    key = keys.generate_key("ec256")
    keys.save_key(key, path, passphrase)
    return jose.thumbprint(jose.public_jwk(key))


def _thumbprint(path: Path) -> str:
    return jose.thumbprint(jose.public_jwk(keys.load_key(path)))


@dataclass
class Fronts:
    """The CLI's config and key, and the dashboard's, side by side in one folder."""

    cli: CliRunner
    cli_key: Path
    dash_config: Path
    dash_key: Path

    def configure(self, endpoint: str, ca_bundle: Path | None = None, **more: Any) -> None:
        """Both config files say the same, each with its own key."""
        for config, key in ((self.cli.config, self.cli_key), (self.dash_config, self.dash_key)):
            settings = Settings(
                endpoint=endpoint,
                ca_bundle=str(ca_bundle or ""),
                account_key=str(key),
                contacts=CONTACTS,
                **more,
            )
            save_settings(settings, config)


@pytest.fixture
def fronts(cli: CliRunner) -> Fronts:
    made = Fronts(cli, cli.workdir / "cli.pem", cli.workdir / "d.toml", cli.workdir / "dash.pem")
    _new_key(made.cli_key)
    _new_key(made.dash_key)
    return made


def _dashboard(config: Path, validating: ValidatingPebble | None = None) -> AcmeDashApp:
    """The dashboard as `acmedash` starts it: the settings read from `config`, saved there."""
    responder: dict[str, Any] = {}
    if validating is not None:
        responder = {
            "responder_address": "127.0.0.1",
            "http_port": validating.http_port,
            "tls_port": validating.tls_port,
        }
    return AcmeDashApp(load_settings(config), config_path=config, **responder)


async def _settled(app: AcmeDashApp) -> None:
    """conftest.settle, bounded: a worker left waiting on a dialog nobody answers fails the
    test instead of hanging it."""
    await asyncio.wait_for(settle(app), 30)


def _notes(app: AcmeDashApp) -> str:
    return "\n".join(n.message for n in app._notifications)


def _exchanges(app: AcmeDashApp) -> list[Exchange]:
    return app.query_one(TrafficList).exchanges


def _payloads(exchanges: Iterable[Exchange], path: str) -> list[dict[str, Any]]:
    """The decoded payloads of the POSTs to Pebble's `path` that the CA accepted."""
    return [
        decode_part(json.loads(e.request_body)["payload"])
        for e in exchanges
        if e.method == "POST" and e.url.endswith(path) and e.status in (200, 201)
    ]


def _remembered(config: Path) -> list[tuple[str, str]]:
    """(thumbprint, account URL) of every account the saved config remembers."""
    return [(a.thumbprint, a.url) for a in load_settings(config).accounts]


async def _make_account(config: Path) -> str:
    """An account for the config's key, made through the library (setup, not under test)."""
    settings = load_settings(config)
    key_path = Path(settings.account_key)
    session = Session(
        settings, resolve(settings.endpoint), config, key_path, keys.load_key(key_path)
    )
    async with session.client() as client:
        return (await accounts.new_account(session, client, ScriptedPrompts(), [])).url


async def _make_certificate(config: Path, validating: ValidatingPebble, name: str) -> Path:
    """An account and a certificate for `name` beside the config (setup, not under test)."""
    await _make_account(config)
    settings = load_settings(config)
    key_path = Path(settings.account_key)
    session = Session(
        settings, resolve(settings.endpoint), config, key_path, keys.load_key(key_path)
    )
    responder = Http01Responder("127.0.0.1", validating.http_port)
    async with session.client() as client:
        options = workflow.IssueOptions([name], config.parent / f"{config.stem}-site")
        return (await workflow.issue(client, responder, options)).cert


def _asked(app: AcmeDashApp, default: str) -> bool:
    """A prompt is showing, with `default` as its answer so far."""
    screen = app.screen
    return isinstance(screen, PromptScreen) and screen.query_one(Input).value == default


def _http01(validating: ValidatingPebble) -> list[str]:
    return ["--listen", "127.0.0.1", "--http-port", str(validating.http_port)]


async def _open_orders(app: AcmeDashApp, pilot: Any) -> None:
    await fill_the_orders_form(app, pilot)


# -- accounts ---------------------------------------------------------------------------------


async def test_new_account_terms_refused_then_agreed(fronts: Fronts, pebble: Pebble) -> None:
    """Refused: nothing is created or remembered, and both say so in the policy's words.
    Agreed: the same newAccount payload (contacts, termsOfServiceAgreed), remembered under
    the endpoint and the key in each config file."""
    cli, traffic = fronts.cli, ["--traffic", "cli.jsonl"]
    fronts.configure(pebble.directory_url, pebble.ca_bundle)

    refused = cli.on_a_terminal("n\n", *traffic, "account", "new")
    assert refused.returncode == 2, refused.stderr
    assert "terms of service not agreed" in refused.stderr
    app = _dashboard(fronts.dash_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#cancel")
        await _settled(app)
        assert app.account is None
        assert "terms of service not agreed" in _notes(app)
        assert _payloads(_exchanges(app), "/sign-me-up") == []
    assert _payloads(read_jsonl(cli.workdir / "cli.jsonl"), "/sign-me-up") == []
    assert _remembered(cli.config) == _remembered(fronts.dash_config) == []

    agreed = cli.on_a_terminal("y\n", *traffic, "account", "new")
    assert agreed.returncode == 0, agreed.stderr
    app = _dashboard(fronts.dash_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#confirm")
        await _settled(app)
        assert app.account is not None and app.account.status == "valid", _notes(app)
        dash_payloads = _payloads(_exchanges(app), "/sign-me-up")
    cli_payloads = _payloads(read_jsonl(cli.workdir / "cli.jsonl"), "/sign-me-up")
    assert cli_payloads == dash_payloads == [{"contact": CONTACTS, "termsOfServiceAgreed": True}]
    [(cli_thumbprint, _)] = _remembered(cli.config)
    assert cli_thumbprint == _thumbprint(fronts.cli_key)
    assert _remembered(fronts.dash_config) == [(_thumbprint(fronts.dash_key), app.account.url)]


async def test_eab_mac_key_from_the_environment(
    fronts: Fronts, eab_pebble: Pebble, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The config names the key id and $ACMEDASH_EAB_HMAC_KEY holds the MAC key: both bind
    the account with them and ask for neither (before, the dashboard ignored the variable
    and asked for the MAC key). A key id without any MAC key is refused by both, before any
    request."""
    cli, traffic = fronts.cli, ["--traffic", "cli.jsonl"]
    fronts.configure(eab_pebble.directory_url, eab_pebble.ca_bundle, eab_kid=EAB_KID)

    half = cli(*traffic, "account", "new", "--yes")
    assert half.returncode == 2 and "needs both a key id and a MAC key" in half.stderr
    app = _dashboard(fronts.dash_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await _settled(app)
        assert not isinstance(app.screen, PromptScreen), "nothing is asked"
        assert "needs both a key id and a MAC key" in _notes(app)
        assert _exchanges(app) == [], "refused before any request"
    assert list(read_jsonl(cli.workdir / "cli.jsonl")) == []

    monkeypatch.setenv(EAB_KEY_ENV, EAB_MAC)
    bound = cli(*traffic, "account", "new", "--yes", env={EAB_KEY_ENV: EAB_MAC})
    assert bound.returncode == 0, bound.stderr
    app = _dashboard(fronts.dash_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await wait_for_screen(pilot, ConfirmScreen)  # the terms of service, and only them
        await pilot.click("#confirm")
        await _settled(app)
        assert app.account is not None and app.account.status == "valid", _notes(app)
        dash_payloads = _payloads(_exchanges(app), "/sign-me-up")
    cli_payloads = _payloads(read_jsonl(cli.workdir / "cli.jsonl"), "/sign-me-up")
    for payloads in (cli_payloads, dash_payloads):
        [payload] = payloads
        binding = decode_part(payload["externalAccountBinding"]["protected"])
        assert binding["kid"] == EAB_KID and binding["alg"] == "HS256"
    assert len(_remembered(cli.config)) == len(_remembered(fronts.dash_config)) == 1


async def test_find_and_fetch_remember_an_account_made_elsewhere(
    fronts: Fronts, pebble: Pebble
) -> None:
    """`account show` and the dashboard's l / i: the key's account is found and remembered
    in the config under the endpoint and the key."""
    cli = fronts.cli
    fronts.configure(pebble.directory_url, pebble.ca_bundle)
    cli_url, dash_url = await _make_account(cli.config), await _make_account(fronts.dash_config)
    for config in (cli.config, fronts.dash_config):
        settings = load_settings(config)
        settings.accounts.clear()  # as if made on another machine
        save_settings(settings, config)

    shown = cli("account", "show", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["url"] == cli_url
    app = _dashboard(fronts.dash_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await _settled(app)
        assert app.account is not None and app.account.url == dash_url, _notes(app)
        await pilot.press("i")
        await _settled(app)
        assert app.account.status == "valid"
    assert _remembered(cli.config) == [(_thumbprint(fronts.cli_key), cli_url)]
    assert _remembered(fronts.dash_config) == [(_thumbprint(fronts.dash_key), dash_url)]


async def _dashboard_rollover(app: AcmeDashApp, pilot: Pilot[None], new_key: Path) -> None:
    await pilot.press("K")
    await wait_for_screen(pilot, PromptScreen)
    app.screen.query_one(Input).value = str(new_key)
    await pilot.press("enter")


async def test_rollover_to_a_missing_key(fronts: Fronts, pebble: Pebble) -> None:
    """The missing key is generated (0600) and the account moves to it; the config remembers
    it under the new key only and its account_key follows. A key with no account is refused
    by both, and then no key file is left behind (before, both generated it first)."""
    cli, folder = fronts.cli, fronts.cli.workdir
    fronts.configure(pebble.directory_url, pebble.ca_bundle)

    orphan = cli("account", "rollover", str(folder / "cli-orphan.pem"))
    assert orphan.returncode == 1 and "accountDoesNotExist" in orphan.stderr, orphan.stderr
    assert "`acmedash account new` creates one" in orphan.stderr
    app = _dashboard(fronts.dash_config)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard_rollover(app, pilot, folder / "dash-orphan.pem")
        await _settled(app)
        assert "accountDoesNotExist" in _notes(app)
        assert "a (new account) creates one" in _notes(app)  # the hint the CLI gives, too
        assert app.key_path == fronts.dash_key
    assert not (folder / "cli-orphan.pem").exists()
    assert not (folder / "dash-orphan.pem").exists()

    cli_url, dash_url = await _make_account(cli.config), await _make_account(fronts.dash_config)
    rolled = cli("account", "rollover", str(folder / "cli-next.pem"))
    assert rolled.returncode == 0, rolled.stderr
    app = _dashboard(fronts.dash_config)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard_rollover(app, pilot, folder / "dash-next.pem")
        await _settled(app)
        assert app.key_path == folder / "dash-next.pem", _notes(app)
    for config, url, new in (
        (cli.config, cli_url, folder / "cli-next.pem"),
        (fronts.dash_config, dash_url, folder / "dash-next.pem"),
    ):
        assert stat.S_IMODE(new.stat().st_mode) == 0o600
        assert _remembered(config) == [(_thumbprint(new), url)]
        assert load_settings(config).account_key == str(new)


async def test_a_key_without_an_account_each_front_end_names_its_own_way(
    fronts: Fronts, pebble: Pebble
) -> None:
    """An issuance by a key with no account: the dashboard said "create one first
    (`acmedash account new`, ...)", a command that runs with the user's real config, key and
    CA, not the dashboard's (`acmedash demo`'s above all). Each says its own way only."""
    fronts.configure(pebble.directory_url, pebble.ca_bundle)
    issued = fronts.cli("cert", "issue", "-d", "none.example.test")
    assert issued.returncode == 2, issued.stderr
    assert "no account at this CA: `acmedash account new` creates one" in issued.stderr
    app = _dashboard(fronts.dash_config)
    async with app.run_test(size=SIZE) as pilot:
        await order_from_the_orders_tab(app, pilot, "none.example.test")
        await _settled(app)
        assert "no account at this CA: a (new account) creates one" in _notes(app)
        assert "acmedash account new" not in _notes(app)


async def test_rollover_cancelled_at_the_production_question_leaves_no_key(
    fronts: Fronts,
) -> None:
    """Nothing is sent (the production endpoint is never reached): the question comes before
    the new key is made, so a cancelled rollover leaves no file (before, the dashboard
    generated the key before it asked)."""
    cli, folder = fronts.cli, fronts.cli.workdir
    fronts.configure("letsencrypt")
    refused = cli("account", "rollover", str(folder / "cli-next.pem"))
    assert refused.returncode == 2 and "PRODUCTION" in refused.stderr, refused.stderr
    app = _dashboard(fronts.dash_config)
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard_rollover(app, pilot, folder / "dash-next.pem")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#cancel")
        await _settled(app)
        assert _exchanges(app) == []
    assert not (folder / "cli-next.pem").exists()
    assert not (folder / "dash-next.pem").exists()


async def test_deactivation_needs_the_typed_word_and_is_forgotten(
    fronts: Fronts, pebble: Pebble
) -> None:
    """A wrong word keeps the account; the right one deactivates it, and the saved config
    forgets it (before, the dashboard forgot it in memory only)."""
    cli = fronts.cli
    fronts.configure(pebble.directory_url, pebble.ca_bundle)
    await _make_account(cli.config)
    await _make_account(fronts.dash_config)

    kept = cli.on_a_terminal("yes\n", "account", "deactivate")
    assert kept.returncode == 2 and "not deactivated" in kept.stderr, kept.stderr
    gone = cli.on_a_terminal("deactivate\n", "account", "deactivate")
    assert gone.returncode == 0 and "is deactivated" in gone.stdout, gone.stderr
    app = _dashboard(fronts.dash_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("D")
        await wait_for_screen(pilot, TypedConfirmScreen)
        app.screen.query_one(Input).value = "yes"
        await pilot.press("enter")
        await pilot.press("escape")
        await _settled(app)
        assert "not deactivated" in _notes(app)
        await pilot.press("i")
        await _settled(app)
        assert app.account is not None and app.account.status == "valid"
        await pilot.press("D")
        await wait_for_screen(pilot, TypedConfirmScreen)
        app.screen.query_one(Input).value = "deactivate"
        await pilot.press("enter")
        await _settled(app)
        assert app.account.status == "deactivated", _notes(app)
    assert _remembered(cli.config) == _remembered(fronts.dash_config) == []


@pytest.mark.parametrize("passphrase", ["s3cret", "wrong"])
async def test_an_encrypted_key_opens_with_the_passphrase_from_the_environment(
    fronts: Fronts, monkeypatch: pytest.MonkeyPatch, passphrase: str
) -> None:
    """$ACMEDASH_KEY_PASSPHRASE opens the key without a question (before, the dashboard
    ignored it and asked); a wrong one is an error, not followed by a question. No network."""
    key = fronts.cli.workdir / "locked.pem"
    thumbprint = _new_key(key, b"s3cret")
    save_settings(Settings(endpoint="pebble", account_key=str(key)), fronts.dash_config)
    shown = fronts.cli("key", "show", str(key), "--json", env={PASSPHRASE_ENV: passphrase})
    monkeypatch.setenv(PASSPHRASE_ENV, passphrase)
    app = _dashboard(fronts.dash_config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app._key_loaded, "the key loaded")
        await _settled(app)
        assert not isinstance(app.screen, PromptScreen), "no passphrase is asked"
        key_panel = str(app.query_one("#key-info", Static).content)
    if passphrase == "s3cret":
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["thumbprint"] == thumbprint
        assert app.key is not None and thumbprint in key_panel
    else:
        assert shown.returncode == 2 and "wrong passphrase" in shown.stderr
        assert app.key is None and "wrong passphrase" in key_panel


# -- certificates -----------------------------------------------------------------------------


async def test_issue_orders_the_names_as_the_ca_will_spell_them(
    fronts: Fronts, validating: ValidatingPebble, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names in another case, with a trailing dot, given twice: both order one identifier
    each, spelt the same, into the same default folder (before, the dashboard sent the names
    as typed and named the folder after the first spelling)."""
    cli = fronts.cli
    fronts.configure(validating.pebble.directory_url, validating.pebble.ca_bundle)
    await _make_account(cli.config)
    await _make_account(fronts.dash_config)
    monkeypatch.chdir(cli.workdir.parent)  # the default folder does not depend on this
    typed = ["Both-Issue.Example.TEST", "both-issue.example.test.", "www.both-issue.example.test"]

    domains = [arg for name in typed for arg in ("-d", name)]
    issued = cli("--traffic", "cli.jsonl", "cert", "issue", *domains, *_http01(validating))
    assert issued.returncode == 0, issued.stderr
    app = _dashboard(fronts.dash_config, validating)
    async with app.run_test(size=SIZE) as pilot:
        await _open_orders(app, pilot)
        names = app.query_one("#order-names", Input)
        names.value = " ".join(typed)
        names.focus()
        await pilot.press("enter")
        await _settled(app)
        dash_orders = _payloads(_exchanges(app), "/order-plz")
    cli_orders = _payloads(read_jsonl(cli.workdir / "cli.jsonl"), "/order-plz")
    expected = [
        {"type": "dns", "value": "both-issue.example.test"},
        {"type": "dns", "value": "www.both-issue.example.test"},
    ]
    assert [o["identifiers"] for o in cli_orders] == [expected], cli_orders
    assert [o["identifiers"] for o in dash_orders] == [expected], _notes(app)
    # The default folder is STORE/<name>, the store beside the configs (both in one folder
    # here): the CLI's certificate, then the dashboard's, as two versions of one folder.
    folder = cli.workdir / "certs" / "both-issue.example.test"
    assert (folder / "cert.pem").exists()
    assert len(list((folder / "archive").iterdir())) == 2


@pytest.mark.parametrize("mode", ["fail", "window"])
async def test_renew_decides_on_ari_the_same_way(
    fronts: Fronts, validating: ValidatingPebble, mode: str
) -> None:
    """A failed ARI lookup renews without `replaces`, and both say so; a suggested window
    names the certificate replaced. Before, the dashboard said nothing of a failed lookup."""
    cli = fronts.cli
    with ari_front(validating.pebble) as front:
        front.mode = mode
        fronts.configure(front.directory_url, validating.pebble.ca_bundle)
        cli_cert = await _make_certificate(cli.config, validating, f"cli-{mode}.renew.test")
        dash_cert = await _make_certificate(
            fronts.dash_config, validating, f"dash-{mode}.renew.test"
        )

        traffic = ["--traffic", "cli.jsonl"]
        renew = ["cert", "renew", str(cli_cert), *_http01(validating), "--force", "--json"]
        renewed = cli(*traffic, *renew)
        assert renewed.returncode == 0, renewed.stderr
        app = _dashboard(fronts.dash_config, validating)
        async with app.run_test(size=SIZE) as pilot:
            await _open_orders(app, pilot)
            app.query_one("#traffic-list").focus()
            await pilot.press("R")
            await wait_for_screen(pilot, PromptScreen)
            app.screen.query_one(Input).value = str(dash_cert)
            await pilot.press("enter")
            await _settled(app)
            progress = str(app.query_one("#order-progress").content)
            dash_orders = _payloads(_exchanges(app), "/order-plz")
    cli_orders = _payloads(read_jsonl(cli.workdir / "cli.jsonl"), "/order-plz")
    assert len(cli_orders) == len(dash_orders) == 1, _notes(app)
    if mode == "fail":
        for said in (renewed.stderr, progress):
            assert "ARI lookup failed" in said and "renewing without `replaces`" in said, said
        assert "replaces" not in cli_orders[0] and "replaces" not in dash_orders[0]
    else:
        window = "ARI suggests renewing between 2026-12-01T00:00:00Z and 2026-12-03T00:00:00Z"
        assert window in renewed.stderr and window in progress
        assert cli_orders[0]["replaces"] == json.loads(renewed.stdout)["replaces"]
        assert dash_orders[0]["replaces"] in front.lookups


async def test_revoke_then_revoke_again(fronts: Fronts, validating: ValidatingPebble) -> None:
    """The same revocation request (reason superseded, signed by the account) and, the
    second time, the same refusal from the CA."""
    cli, traffic = fronts.cli, ["--traffic", "cli.jsonl"]
    fronts.configure(validating.pebble.directory_url, validating.pebble.ca_bundle)
    cli_cert = await _make_certificate(cli.config, validating, "cli.revoke.test")
    dash_cert = await _make_certificate(fronts.dash_config, validating, "dash.revoke.test")

    revoked = cli(*traffic, "cert", "revoke", str(cli_cert), "--reason", "superseded")
    assert revoked.returncode == 0, revoked.stderr
    again = cli(*traffic, "cert", "revoke", str(cli_cert), "--reason", "superseded")
    assert again.returncode == 1 and "alreadyRevoked" in again.stderr
    app = _dashboard(fronts.dash_config, validating)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(2):
            await pilot.press("V")
            await wait_for_screen(pilot, PromptScreen)
            app.screen.query_one(Input).value = str(dash_cert)
            await pilot.press("enter")
            await wait_until(pilot, lambda: _asked(app, "unspecified"), "the reason asked")
            app.screen.query_one(Input).value = "superseded"
            await pilot.press("enter")
            await wait_for_screen(pilot, ConfirmScreen)
            await pilot.click("#confirm")
            await _settled(app)
        assert "alreadyRevoked" in _notes(app)
        dash_revocations = _payloads(_exchanges(app), "/revoke-cert")
    cli_revocations = _payloads(read_jsonl(cli.workdir / "cli.jsonl"), "/revoke-cert")
    assert len(cli_revocations) == len(dash_revocations) == 1
    assert cli_revocations[0].keys() == dash_revocations[0].keys() == {"certificate", "reason"}
    assert cli_revocations[0]["reason"] == dash_revocations[0]["reason"] == 4

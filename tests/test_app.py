"""The dashboard driven with Pilot, against a real Pebble."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, Static

from tests.conftest import new_account_from_the_dashboard, settle, wait_for_screen, wait_until
from tui.acme import keys
from tui.acme.client import AcmeClient, ClientOptions
from tui.acme.traffic import read_jsonl
from tui.config import Settings, load_settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.account import AccountPanel
from tui.dashboard.panels.document import Document
from tui.dashboard.panels.tabs import TabbedPanes
from tui.dashboard.panels.traffic_list import TrafficList
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.generate_key import GenerateKeyScreen
from tui.dashboard.screens.help import HelpScreen
from tui.dashboard.screens.prompt import PromptScreen
from tui.dashboard.screens.resend import ResendScreen
from tui.pebble import Pebble

SIZE = (80, 24)


def _settings(pebble: Pebble, key: Path | None = None) -> Settings:
    return Settings(
        endpoint=pebble.directory_url,
        ca_bundle=str(pebble.ca_bundle),
        account_key=str(key) if key else "",
        contacts=["mailto:pilot@example.org"],
    )


def _text(widget: Static) -> str:
    """What a Static shows, as plain text (Rich renderables printed wide)."""
    console = Console(width=300, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


async def test_generate_key_create_account_and_inspect(pebble: Pebble, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    app = AcmeDashApp(_settings(pebble), config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GenerateKeyScreen)
        path_input = app.screen.query_one("#path", Input)
        path_input.value = str(tmp_path / "keys" / "pilot.pem")  # a folder that is not there
        await pilot.press("enter")
        await pilot.pause()
        assert app.key is not None
        assert stat.S_IMODE((tmp_path / "keys" / "pilot.pem").stat().st_mode) == 0o600
        said = [n.message for n in app._notifications]
        assert any(f"created folder {tmp_path / 'keys'} (it did not exist)" in m for m in said)
        assert "thumbprint:" in _text(app.query_one("#key-info", Static))

        await pilot.press("a")
        await wait_for_screen(pilot, ConfirmScreen)  # the terms of service are shown first
        assert app.screen.focused is not None and app.screen.focused.id == "cancel"
        await pilot.click("#confirm")
        await settle(app)
        assert app.account is not None and app.account.status == "valid"
        assert "valid" in _text(app.query_one(AccountPanel))

        traffic = app.query_one(TrafficList)
        methods = [e.method for e in traffic.exchanges]
        assert methods[:2] == ["GET", "HEAD"] and "POST" in methods
        await pilot.press("F")  # follow off, then walk up to the newAccount POST
        post = next(
            i for i, e in enumerate(traffic.exchanges) if e.method == "POST" and e.status == 201
        )
        traffic.cursor = post
        await pilot.pause()
        request_view = app.query_one("#detail-request", Document).plain
        assert "signature verifies" in request_view
        # Its nonce came from the HEAD, or from a badNonce answer (Pebble rejects 5%).
        sent = traffic.exchanges[post].nonce_sent
        origin = next(e for e in traffic.exchanges if e.nonce_received == sent)
        assert origin.seq < traffic.exchanges[post].seq
        assert f"came from #{origin.seq} {origin.method}" in request_view
        assert "termsOfServiceAgreed" in request_view
    saved = load_settings(config)
    assert saved.account_key == str(tmp_path / "keys" / "pilot.pem")
    assert saved.accounts and saved.accounts[0].url == app.account.url


async def test_contacts_are_pushed_to_the_server(pebble: Pebble, tmp_path: Path) -> None:
    key_path = tmp_path / "k.pem"
    key = keys.generate_key("ec256")
    keys.save_key(key, key_path)
    async with AcmeClient(
        pebble.directory_url, key=key, options=ClientOptions(ca_bundle=pebble.ca_bundle)
    ) as c:
        await c.new_account(["mailto:old@example.org"], terms_agreed=True)
    app = AcmeDashApp(_settings(pebble, key_path), config_path=tmp_path / "c.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await settle(app)
        assert app.account is not None
        app.query_one("#side", TabbedPanes).active = "pane-contacts"
        await pilot.pause()
        app.query_one("#contact-input", Input).focus()
        await pilot.press(*"second@example.org", "enter")
        await settle(app)
        assert app.account.contact == ["mailto:pilot@example.org", "mailto:second@example.org"]
        bad = app.query_one("#contact-input", Input)
        bad.value = "mailto:not-an-address"
        await pilot.press("enter")
        await pilot.pause()
        assert app.settings.contacts == ["mailto:pilot@example.org", "mailto:second@example.org"]
    async with AcmeClient(
        pebble.directory_url, key=key, options=ClientOptions(ca_bundle=pebble.ca_bundle)
    ) as c:
        await c.find_account()
        assert (await c.fetch_account()).contact == [
            "mailto:pilot@example.org",
            "mailto:second@example.org",
        ]


async def test_switch_to_production_needs_confirmation(tmp_path: Path) -> None:
    """Cancelled before anything is sent: no request reaches Let's Encrypt."""
    key_path = tmp_path / "k.pem"
    keys.save_key(keys.generate_key("ec256"), key_path)
    settings = Settings(endpoint="letsencrypt-staging", account_key=str(key_path))
    app = AcmeDashApp(settings, config_path=tmp_path / "c.toml")
    async with app.run_test(size=SIZE) as pilot:
        assert "STAGING" in _text(app.query_one("#bar", Static))
        # `t` towards production asks first, Cancel focused: a stray `t` changes nothing.
        await pilot.press("t")
        await wait_for_screen(pilot, ConfirmScreen)
        assert "PRODUCTION" in _text(app.screen.query_one("#title", Static))
        await pilot.press("enter")
        await settle(app)
        assert app.endpoint.name == "letsencrypt-staging"
        assert "STAGING" in _text(app.query_one("#bar", Static))
        assert not (tmp_path / "c.toml").exists()
        await pilot.press("t")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#confirm")
        await settle(app)
        assert app.endpoint.name == "letsencrypt"
        assert "PRODUCTION" in _text(app.query_one("#bar", Static))
        assert app.query_one("#bar").has_class("-production")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "PRODUCTION" in _text(app.screen.query_one("#title", Static))
        await pilot.press("enter")  # the focused default is Cancel
        await settle(app)
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.query_one(TrafficList).exchanges == []
        await pilot.press("t")
        assert app.endpoint.name == "letsencrypt-staging"
    assert load_settings(tmp_path / "c.toml").endpoint == "letsencrypt-staging"


async def test_filter_export_resend_and_inspect(pebble: Pebble, tmp_path: Path) -> None:
    key_path = tmp_path / "k.pem"
    keys.save_key(keys.generate_key("ec384"), key_path)
    app = AcmeDashApp(_settings(pebble, key_path), config_path=None)
    export = tmp_path / "out.jsonl"
    async with app.run_test(size=SIZE) as pilot:
        await new_account_from_the_dashboard(app, pilot)
        await pilot.press("i")
        await settle(app)
        traffic = app.query_one(TrafficList)
        total = len(traffic.exchanges)

        await pilot.press("slash")
        await pilot.press(*"method:post", "enter")
        await pilot.pause()
        assert traffic.rows and all(traffic.exchanges[i].method == "POST" for i in traffic.rows)
        assert len(traffic.rows) < total

        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one(Input).value = str(export)
        await pilot.press("enter")
        await settle(app)
        exported = list(read_jsonl(export))
        assert [e.seq for e in exported] == [traffic.exchanges[i].seq for i in traffic.rows]

        traffic.cursor = len(traffic.rows) - 1  # the POST-as-GET of account info
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ResendScreen)
        await pilot.press("ctrl+r")
        await settle(app)
        resent = [e for e in traffic.exchanges if e.resent_from is not None]
        assert resent and resent[-1].status == 200
        assert resent[-1].nonce_sent != traffic.exchanges[traffic.rows[-2]].nonce_sent

        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)

    offline = AcmeDashApp(Settings(), config_path=None, offline=exported)
    async with offline.run_test(size=SIZE) as pilot:
        assert len(offline.query_one(TrafficList).exchanges) == len(exported)
        assert "OFFLINE" in _text(offline.query_one("#bar", Static))
        await pilot.press("d")
        await settle(offline)
        assert len(offline.query_one(TrafficList).exchanges) == len(exported), (
            "offline sends nothing"
        )


async def test_broken_theme_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    themes = tmp_path / "data" / "acmedash" / "themes"
    themes.mkdir(parents=True)
    (themes / "broken.toml").write_text('name = "broken"\nprimary = "not-a-colour"\n')
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = AcmeDashApp(Settings(endpoint="pebble", theme="broken"), config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme != "broken"
        assert {"acme-dark", "acme-light", "acme-contrast"} <= set(app.available_themes)
        notes = [n.message for n in app._notifications]
        assert any("broken.toml" in n for n in notes)


async def test_an_unknown_theme_or_keymap_id_is_named_at_start() -> None:
    """Both were ignored without a word: the default colours, a key that did nothing."""
    settings = Settings(
        endpoint="pebble", theme="acme-drak", keymap={"new_acount": "ctrl+n", "nonce": "N"}
    )
    app = AcmeDashApp(settings, config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        theme = [n.message for n in app._notifications if n.title == "Theme"]
        keymap = [n.message for n in app._notifications if n.title == "Keymap"]
        assert len(theme) == 1 and "'acme-drak'" in theme[0], theme
        assert "acme-contrast, acme-dark, acme-light" in theme[0]
        assert len(keymap) == 1 and "new_acount" in keymap[0], "the valid entry is not named"
        assert "Did you mean new_account?" in keymap[0] and "F1" in keymap[0]
        assert app.theme == "textual-dark", "running on the default"
        bound = {key: active.binding.id for key, active in app.active_bindings.items()}
        assert bound.get("N") == "nonce", "the valid entry still applies"


@pytest.mark.parametrize("theme", ["acme-dark", "acme-light", "acme-contrast"])
async def test_the_screen_behind_a_dialog_stays_visible(theme: str) -> None:
    """acme-contrast's background is an ANSI colour, which Textual cannot mix into the screen
    behind a dialog: it painted it whole, text and all, and the screen went blank."""
    app = AcmeDashApp(Settings(endpoint="pebble", theme=theme), config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == theme
        await pilot.press("g")
        await wait_for_screen(pilot, GenerateKeyScreen)
        await pilot.pause()
        shown = app.export_screenshot()
        assert "LOCAL" in shown and "follow" in shown, "the top bar and the status line show"


def test_inspect_command_rejects_a_bad_file(tmp_path: Path) -> None:
    from tui.cli import run

    bad = tmp_path / "t.jsonl"
    bad.write_text(json.dumps({"seq": 1}) + "\n")
    assert run(["--config", str(tmp_path / "c.toml"), "inspect", str(bad)]) == 2


async def test_reopening_restores_settings(tmp_path: Path) -> None:
    """No network: endpoint, key, contacts, theme and keymap survive a restart."""
    config = tmp_path / "c.toml"
    key_path = tmp_path / "k.pem"
    keys.save_key(keys.generate_key("ec256"), key_path)
    settings = Settings(
        endpoint="google-staging", account_key=str(key_path), keymap={"directory": "D"}
    )
    app = AcmeDashApp(settings, config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await wait_for_screen(pilot, ConfirmScreen)  # google: production, asked first
        await pilot.click("#confirm")
        await settle(app)
        app.theme = "acme-light"
        app.query_one("#side", TabbedPanes).active = "pane-contacts"
        await pilot.pause()
        app.query_one("#contact-input", Input).focus()
        await pilot.press(*"ops@example.org", "enter")
        await pilot.pause()
    reopened = AcmeDashApp(load_settings(config), config_path=config)
    async with reopened.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert reopened.endpoint.name == "google"
        assert reopened.key is not None and reopened.key_path == key_path
        assert reopened.settings.contacts == ["mailto:ops@example.org"]
        assert reopened.theme == "acme-light"
        bound = {key: active.binding.id for key, active in reopened.active_bindings.items()}
        assert bound.get("D") == "directory" and bound.get("d") != "directory"


async def test_endpoint_picker_stops_at_its_ends(tmp_path: Path) -> None:
    """No wrapping: Down on the last row wrapped to the first, Let's Encrypt PRODUCTION, and Up
    on the first to the last, where the production rows of a longer list are."""
    from textual.widgets import OptionList

    from tui.dashboard.screens.endpoint_picker import EndpointPicker

    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=tmp_path / "c.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await wait_for_screen(pilot, EndpointPicker)
        presets = app.screen.query_one("#presets", OptionList)
        last = presets.option_count - 1
        await pilot.press("end", "down", "down")
        assert presets.highlighted == last
        await pilot.press("home", "up", "up")
        assert presets.highlighted == 0
        await pilot.press("down")
        assert presets.highlighted == 1, "moving within the list still works"


async def test_endpoint_picker_presets_and_custom_urls(tmp_path: Path) -> None:
    """No network: choosing endpoints only changes state and settings."""
    from textual.widgets import OptionList

    from tui.dashboard.screens.endpoint_picker import EndpointPicker
    from tui.endpoints import PRESETS

    app = AcmeDashApp(Settings(endpoint="letsencrypt-staging"), config_path=tmp_path / "c.toml")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EndpointPicker)
        presets = app.screen.query_one("#presets", OptionList)
        assert presets.highlighted == list(PRESETS).index("letsencrypt-staging")
        presets.highlighted = list(PRESETS).index("google-staging")
        await pilot.press("enter")
        await pilot.pause()
        assert app.endpoint.name == "google-staging"

        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#url", Input).value = "http://acme.example.net/dir"
        app.screen.query_one("#url", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.endpoint.name == "google-staging", "plain http off loopback is refused"
        assert any("refusing plain http" in n.message for n in app._notifications)

        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#url", Input).value = "https://127.0.0.1:14000/dir"
        app.screen.query_one("#url", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.endpoint.url == "https://127.0.0.1:14000/dir"
        assert "LOCAL" in _text(app.query_one("#bar", Static))
    assert load_settings(tmp_path / "c.toml").endpoint == "https://127.0.0.1:14000/dir"


async def test_the_trust_store_loads_off_the_ui_thread(
    pebble: Pebble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client's TLS trust store is parsed on a thread after the first paint, so the first
    action (here a directory fetch) does not stall the screen for it."""
    import threading

    from tui.acme import trust

    threads: list[str] = []
    build = trust.build_context

    def recording(ca_bundle: Path | None) -> object:
        threads.append(threading.current_thread().name)
        return build(ca_bundle)

    monkeypatch.setattr(trust, "build_context", recording)
    app = AcmeDashApp(_settings(pebble), config_path=tmp_path / "config.toml")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app._key_loaded, "the key loaded after the first paint")
        await pilot.press("d")
        await settle(app)
        assert any(e.url == pebble.directory_url for e in app.query_one(TrafficList).exchanges)
    assert threads == ["acmedash-trust"]


async def test_every_d_fetches_the_directory_and_says_so(pebble: Pebble) -> None:
    """The second `d` answered from the client's copy: no request, no word, as if the key did
    nothing."""
    app = AcmeDashApp(_settings(pebble), config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(2):
            await pilot.press("d")
            await settle(app)
        fetched = [e for e in app.query_one(TrafficList).exchanges if e.url == pebble.directory_url]
        assert len(fetched) == 2
        said = [n.message for n in app._notifications if n.title == "Get directory"]
        assert len(said) == 2 and all(pebble.directory_url in m for m in said), said


async def test_signatures_after_a_key_rollover_are_checked_with_the_new_key(
    pebble: Pebble, tmp_path: Path
) -> None:
    """K (rollover), then i and a resend (r, ctrl+r): each request is signed by whichever key
    the account had when it was sent, and the inspector must say each one verifies: before
    the fix the new key's requests were checked against the old key."""
    old = tmp_path / "old.pem"
    keys.save_key(keys.generate_key("ec256"), old)
    app = AcmeDashApp(_settings(pebble, old), config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await new_account_from_the_dashboard(app, pilot)
        await pilot.press("i")
        await settle(app)
        await pilot.press("K")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one(Input).value = str(tmp_path / "new.pem")
        await pilot.press("enter")
        await settle(app)
        assert app.key_path == tmp_path / "new.pem"
        await pilot.press("i")
        await settle(app)
        traffic = app.query_one(TrafficList)
        traffic.cursor = len(traffic.rows) - 1  # the account fetch signed by the new key
        await pilot.press("r")
        await wait_for_screen(pilot, ResendScreen)
        await pilot.press("ctrl+r")
        await settle(app)

        signed = [i for i, e in enumerate(traffic.exchanges) if e.jws and e.status is not None]
        # The rollover's payload is the inner JWS (RFC 8555 §7.3.5), signed by the new key.
        rollover = next(i for i in signed if "signature" in traffic.exchanges[i].jws.payload)
        assert any(i > rollover and traffic.exchanges[i].resent_from for i in signed)
        verdicts = {}
        for index in signed:
            traffic.cursor = traffic.rows.index(index)
            await pilot.pause()
            text = app.query_one("#detail-request", Document).plain
            lines = [line.strip() for line in text.splitlines()]
            verdicts[traffic.exchanges[index].seq] = next(v for v in lines if "signature" in v)
        assert set(verdicts.values()) == {"signature verifies"}, verdicts


async def test_a_remembered_account_is_checked_with_the_key_the_session_signs_with(
    pebble: Pebble, tmp_path: Path
) -> None:
    """An account from an earlier run, remembered in the config: this traffic has no
    newAccount to learn its key from, so the inspector uses the key the session signs with."""
    from tui.acme import jose

    key_path = tmp_path / "k.pem"
    key = keys.generate_key("ec256")
    keys.save_key(key, key_path)
    async with AcmeClient(
        pebble.directory_url, key=key, options=ClientOptions(ca_bundle=pebble.ca_bundle)
    ) as c:
        url = (await c.new_account([], terms_agreed=True)).url
    settings = _settings(pebble, key_path)
    settings.remember_account(pebble.directory_url, jose.thumbprint(jose.public_jwk(key)), url)
    app = AcmeDashApp(settings, config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await settle(app)
        traffic = app.query_one(TrafficList)
        fetch = traffic.selected
        assert fetch is not None and fetch.url == url and fetch.status == 200
        assert "kid" in fetch.jws.protected  # type: ignore[union-attr]
        assert "signature verifies" in app.query_one("#detail-request", Document).plain


async def test_settings_that_cannot_be_saved_are_shown_and_nothing_is_lost(
    pebble: Pebble, tmp_path: Path
) -> None:
    """The config's folder is a file: every save fails. Each failure is shown, and the
    operation that caused it still ends as it would have: the new account is shown and
    remembered in memory, the rolled-over key is the one in use."""
    (tmp_path / "blocked").write_text("a file where the config's folder should be")
    key_path = tmp_path / "k.pem"
    keys.save_key(keys.generate_key("ec256"), key_path)
    app = AcmeDashApp(_settings(pebble, key_path), config_path=tmp_path / "blocked" / "c.toml")
    async with app.run_test(size=SIZE) as pilot:
        await new_account_from_the_dashboard(app, pilot)
        assert app.account is not None and app.account.status == "valid"
        assert [a.url for a in app.settings.accounts] == [app.account.url]
        await pilot.press("K")
        await wait_for_screen(pilot, PromptScreen)
        app.screen.query_one(Input).value = str(tmp_path / "new.pem")
        await pilot.press("enter")
        await settle(app)
        assert app.key_path == tmp_path / "new.pem"
        assert app.settings.account_key == str(tmp_path / "new.pem")
        failures = [n for n in app._notifications if n.title == "Settings not saved"]
        assert failures and all("cannot save config" in n.message for n in failures)
        assert not [n for n in app._notifications if "failed" in n.title], [
            (n.title, n.message) for n in app._notifications
        ]

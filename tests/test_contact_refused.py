"""A contact the CA refuses leaves the config as it was: settings change only once the CA took
the new contacts, in the CLI and in the dashboard alike; a CA that answers with other contacts
than those sent is said to have. Pebble refuses any contact that is not
`mailto:` (unsupportedContact), which acmedash's own check lets through, as it should: other
CAs may take other schemes."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.widgets import Input

from tests.conftest import CliRunner, account_settings, settle, wait_until
from tests.hostile_acme import HostileAcme
from tui.acme import keys
from tui.acme.client import AcmeClient, ClientOptions
from tui.config import Settings, save_settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.panels.contacts import ContactsPanel
from tui.dashboard.panels.tabs import TabbedPanes
from tui.pebble import Pebble

REFUSED = "tel:+15555550100"


def test_cli_update_refused_keeps_the_config(cli: CliRunner, pebble: Pebble) -> None:
    cli.config.write_text(
        "# my settings\n"
        f'endpoint = "{pebble.directory_url}"\n'
        f'ca_bundle = "{pebble.ca_bundle}"\naccount_key = "account.pem"\n'
        'contacts = ["mailto:old@example.test"]  # who gets mail\n'
    )
    assert cli("account", "new", "--yes").returncode == 0
    before = cli.config.read_bytes()
    refused = cli("account", "update", "--contact", REFUSED)
    assert refused.returncode != 0
    assert "unsupportedContact" in refused.stderr or "not supported" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert cli.config.read_bytes() == before


async def _with_an_account(pebble: Pebble, folder: Path) -> Settings:
    """Settings whose key has an account at `pebble`, with the contact mailto:old@example.org
    (in the settings and at the CA)."""
    settings = account_settings(pebble, folder, contacts=["mailto:old@example.org"])
    key = keys.load_key(Path(settings.account_key))
    async with AcmeClient(
        pebble.directory_url, key=key, options=ClientOptions(ca_bundle=pebble.ca_bundle)
    ) as c:
        await c.new_account(["mailto:old@example.org"], terms_agreed=True)
    return settings


async def test_dashboard_push_refused_keeps_the_config(pebble: Pebble, tmp_path: Path) -> None:
    settings = await _with_an_account(pebble, tmp_path)
    config = tmp_path / "c.toml"
    save_settings(settings, config)
    app = AcmeDashApp(settings, config_path=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(app)
        assert app.account is not None
        before = config.read_bytes()  # with the account found (`l`) remembered
        app.query_one("#side", TabbedPanes).active = "pane-contacts"
        await pilot.pause()
        app.query_one("#contact-input", Input).focus()
        await pilot.press(*REFUSED, "enter")
        await settle(app)
        await wait_until(
            pilot,
            lambda: any("not supported" in n.message for n in app._notifications),
            "the CA's refusal shown",
        )
        assert app.settings.contacts == ["mailto:old@example.org"]
        assert app.screen.query_one(ContactsPanel).contacts == ["mailto:old@example.org"]
    assert config.read_bytes() == before


async def test_dashboard_push_over_a_dead_network_keeps_the_config(tmp_path: Path) -> None:
    """The account is remembered for a CA that no longer answers (a closed loopback port: the
    connection is refused): the push fails and the config stays byte-identical."""
    from tui.acme.jose import public_jwk, thumbprint
    from tui.pebble import free_port

    directory = f"https://127.0.0.1:{free_port()}/dir"
    key_path = tmp_path / "account.pem"
    key = keys.generate_key("ec256")
    keys.save_key(key, key_path)
    settings = Settings(
        endpoint=directory, account_key=str(key_path), contacts=["mailto:old@example.org"]
    )
    settings.remember_account(directory, thumbprint(public_jwk(key)), f"{directory}/acct/1")
    config = tmp_path / "c.toml"
    save_settings(settings, config)
    before = config.read_bytes()
    app = AcmeDashApp(settings, config_path=config)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.main_screen.workspace.key_loaded, "the key loaded")
        app.query_one("#side", TabbedPanes).active = "pane-contacts"
        await pilot.pause()
        app.query_one("#contact-input", Input).focus()
        await pilot.press(*"new@example.org", "enter")
        await settle(app)
        await wait_until(
            pilot,
            lambda: any(n.severity == "error" for n in app._notifications),
            "the failure shown",
        )
        assert app.settings.contacts == ["mailto:old@example.org"]
        assert app.screen.query_one(ContactsPanel).contacts == ["mailto:old@example.org"]
    assert config.read_bytes() == before


async def test_a_contact_added_while_an_operation_runs_is_kept_for_u(
    pebble: Pebble, tmp_path: Path
) -> None:
    """Enter in the add box while another operation ran: "still running", and the box was put
    back to the settings' contacts, the new one lost. Now the list stays as edited, unsent,
    and `u` at the list (its help line says so) sends it to Pebble. The operation in flight is
    the test's own coroutine, held till the edit is made."""
    import asyncio

    settings = await _with_an_account(pebble, tmp_path)
    release = asyncio.Event()

    async def slow(client: AcmeClient) -> str:
        await release.wait()
        return ""

    app = AcmeDashApp(settings, config_path=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(app)
        assert app.account is not None
        app.main_screen.run("Slow thing", slow)
        app.query_one("#side", TabbedPanes).active = "pane-contacts"
        await pilot.pause()
        app.query_one("#contact-input", Input).focus()
        await pilot.press(*"new@example.org", "enter")
        await wait_until(
            pilot, lambda: any("press u" in n.message for n in app._notifications), "warned"
        )
        panel = app.screen.query_one(ContactsPanel)
        wanted = ["mailto:old@example.org", "mailto:new@example.org"]
        assert panel.contacts == wanted
        assert app.settings.contacts == ["mailto:old@example.org"], "not kept before the CA"
        release.set()
        await wait_until(pilot, lambda: not app.main_screen.busy, "the slow thing done")
        app.query_one("#contacts-list").focus()
        await pilot.press("u")
        await settle(app)
        assert app.settings.contacts == wanted
        assert app.account is not None and app.account.contact == wanted


def test_cli_update_answered_with_other_contacts_says_so(
    cli: CliRunner, hostile: HostileAcme
) -> None:
    """The CA answered the update with contacts of its own and the CLI said "account updated;
    contacts saved", nothing more. The fake CA, since Pebble echoes what it took. The settings
    keep what the user typed: the CA's list is never sent on from there."""
    hostile.hostility.account_contact = ["mailto:someone-else@example.test"]
    args = ["--endpoint", hostile.directory_url, "--key", "account.pem"]
    assert cli(*args, "account", "new", "--yes").returncode == 0
    updated = cli(*args, "account", "update", "--contact", "mailto:new@example.test")
    assert updated.returncode == 0, updated.stderr
    assert (
        "warning: the CA answered with mailto:someone-else@example.test, not the contacts sent "
        "(mailto:new@example.test)"
    ) in updated.stderr, updated.stderr
    assert tomllib.loads(cli.config.read_text())["contacts"] == ["mailto:new@example.test"]


async def test_dashboard_push_answered_with_other_contacts_says_so(
    hostile: HostileAcme, tmp_path: Path
) -> None:
    """The same in the dashboard: "Contacts updated on the server." was all it said."""
    hostile.hostility.account_contact = []
    key_path = tmp_path / "account.pem"
    keys.save_key(keys.generate_key("ec256"), key_path)
    async with AcmeClient(hostile.directory_url, key=keys.load_key(key_path)) as acme:
        await acme.new_account([], terms_agreed=True)
    settings = Settings(endpoint=hostile.directory_url, account_key=str(key_path))
    app = AcmeDashApp(settings, config_path=tmp_path / "c.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await settle(app)
        app.main_screen.side.active = "pane-contacts"
        await pilot.pause()
        app.main_screen.contacts_panel.set_contacts(["mailto:new@example.test"])
        app.main_screen.action_update_contacts()
        await settle(app)
        warned = [n for n in app._notifications if n.title == "Check the contacts"]
        assert warned and "the CA answered with no contacts, not the contacts sent" in (
            warned[0].message
        ), [n.message for n in app._notifications]

"""The workspace's forms (issue 11, forms and layout): letters at a list act on the list or do
nothing, every field says what it is, focus stays in view, the contact box says it pushes.
Driven with Pilot; no request is sent (the endpoint is a local URL nothing listens on) unless
a test says otherwise."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from textual.errors import NoWidget
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, Select, Static

from tests.conftest import hidden_panes_mounted, wait_for_screen, wait_until
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.keymap import SIDE_PANES
from tui.dashboard.layout import SIDE_MIN, STEP

LOCAL = "https://127.0.0.1:9/dir"  # the discard port: nothing answers, nothing is sent


def _app(tmp_path: Path, **settings: object) -> AcmeDashApp:
    return AcmeDashApp(
        Settings(endpoint=LOCAL, **settings),  # type: ignore[arg-type]
        config_path=tmp_path / "config.toml",
    )


async def _all_panes_mounted(app: AcmeDashApp, pilot: Pilot[None]) -> None:
    await hidden_panes_mounted(pilot)
    await wait_until(pilot, lambda: bool(app.query(DataTable)), "the certificates table mounted")


async def test_letters_at_every_list_and_select_act_on_it_or_do_nothing(tmp_path: Path) -> None:
    """`d` at the Contacts list fetched the directory. For every list, table and select of the
    workspace: no letter is bound anywhere above the list's own panel, and typing the
    screen's command letters there starts no request and opens no dialog."""
    app = _app(tmp_path, contacts=["mailto:a@example.org"])
    async with app.run_test(size=(80, 24)) as pilot:
        await _all_panes_mounted(app, pilot)
        screen = app.main_screen
        lists = [w for w in screen.query("*") if isinstance(w, OptionList | DataTable | Select)]
        assert {w.id for w in lists} >= {"contacts-list", "order-challenge", "order-key-type"}
        assert any(isinstance(w, DataTable) for w in lists)
        for widget in lists:
            pane = next(a for a in widget.ancestors if a.parent is screen.side.switcher)
            screen.side.active = pane.id or ""
            await pilot.pause()
            widget.focus()
            await pilot.pause()
            loud = [
                key
                for key, active in app.screen.active_bindings.items()
                if key in string.ascii_letters
                and (isinstance(active.node, Screen) or active.node is app)
                and active.binding.action != "quit"  # q quits from everywhere but a text box
            ]
            assert loud == [], f"{widget.id}: {loud} would run a command"
            await pilot.press("d", "t", "n", "x")
            await pilot.pause()
            assert app.is_running and len(app.screen_stack) == 1, widget.id
            assert not screen.busy and not [w for w in screen.workers if w.group == "acme"]
            assert not list(app._notifications), f"{widget.id}: {list(app._notifications)}"


async def test_q_quits_from_a_list_as_the_key_table_says(tmp_path: Path) -> None:
    """At the Certificates table `q` did nothing, and the user, believing the shell was back,
    typed `clear; acmedash demo` into the dashboard: `a` renewed every due certificate."""
    app = _app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _all_panes_mounted(app, pilot)
        app.main_screen.side.active = "pane-certificates"
        await pilot.pause()
        app.query_one(DataTable).focus()
        await pilot.pause()
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running, "the app quit")


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)], ids=["60x20", "80x24", "120x40"])
async def test_every_tab_stays_on_its_strip_at_every_split(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """`<` down to the narrowest split cut "Cer" off the strip (20 columns for 23 of labels).
    At every width the split takes, each tab shows (a name or its jump key) and a click on it
    opens it."""
    app = _app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.main_screen
        strip = screen.side.strip
        widths = set()
        for _ in range(2):  # down to the narrowest, then back up to the widest
            key = "less_than_sign" if not widths else "greater_than_sign"
            for _ in range(size[0] // STEP + 1):
                await pilot.press(key)
                await pilot.pause()
                widths.add(strip.region.width)
                for index, pane in enumerate(SIDE_PANES):
                    row = app.screen._compositor.render_strips()[strip.region.y].text
                    row = row[: strip.region.width]
                    tabs = list(re.finditer(r"\S+", row))
                    assert len(tabs) == len(SIDE_PANES), (strip.region.width, row)
                    await pilot.click(strip, offset=(tabs[index].start(), 0))
                    assert screen.side.active == pane, (strip.region.width, row, index)
        assert min(widths) == SIDE_MIN - 1  # the split line takes one column


def _fully_visible(app: AcmeDashApp, widget: Widget) -> bool:
    """Whether every cell of `widget` is on the screen, not scrolled or clipped away."""
    try:
        geometry = app.screen.find_widget(widget)
    except NoWidget:
        return False
    return geometry.region.intersection(geometry.clip) == geometry.region


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40)], ids=["60x20", "80x24", "120x40"])
async def test_the_focused_field_stays_in_view_as_an_issuance_reports(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """A7: at 60x20 the progress lines and the certificate of an issuance scrolled the Orders
    form, and the names box, which had focus, went out of view. The panel is fed what an
    issuance feeds it (start, a line per authorization, the certificate)."""
    app = _app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await _all_panes_mounted(app, pilot)
        screen = app.main_screen
        await pilot.press("5")
        await pilot.pause()
        names = app.query_one("#order-names", Input)
        assert app.focused is names
        panel = screen.orders_panel
        panel.start("Issuing a.example.org")
        for n in range(12):
            panel.add_progress(f"https://127.0.0.1:9/authz/{n}: pending")
            await pilot.pause()
        panel.show_certificate({"names": ["a.example.org"], "serial": "01"}, "certs/a")
        await pilot.pause()
        await pilot.pause()
        assert app.focused is names and _fully_visible(app, names)
        for field in ("#order-out", "#order-port", "#order-tls-port"):
            app.query_one(field, Input).focus()
            panel.add_progress("more")
            await pilot.pause()
            await pilot.pause()
            assert _fully_visible(app, app.query_one(field, Input)), field


async def test_every_field_of_the_orders_form_says_what_it_is_and_its_default(
    tmp_path: Path,
) -> None:
    """The demo's port fields showed a bare number. Every Input and select of the form has a
    label right above it; the ports' labels give the default, which is the responder's."""
    app = AcmeDashApp(
        Settings(endpoint=LOCAL),
        config_path=tmp_path / "config.toml",
        http_port=5002,
        tls_port=5001,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await _all_panes_mounted(app, pilot)
        panel = app.main_screen.orders_panel
        fields = [w for w in panel.children if isinstance(w, Input | Select)]
        assert len(fields) == 7
        for field in fields:
            above = panel.children[panel.children.index(field) - 1]
            assert isinstance(above, Static) and above.has_class("label"), field.id
        label = {f.id: str(panel.children[panel.children.index(f) - 1].render()) for f in fields}
        assert label["order-port"] == "http-01 responder port (default 5002)"
        assert label["order-tls-port"] == "tls-alpn-01 responder port (default 5001)"
        panel.query_one("#order-tls-port", Input).value = "6001"
        form = panel.form()
        assert (form.http_port, form.tls_port) == (5002, 6001)


async def test_the_picker_shows_every_preset_and_the_custom_urls_at_80x24(
    tmp_path: Path,
) -> None:
    """At 80x24 the picker's list was cut to 14 rows and scrolled to the endpoint in use, so
    Let's Encrypt (production) was above its top. With the current URL, four used in this
    session and one the config remembers an account for: every preset and those custom URLs on
    the screen at once, each PRODUCTION badge marked."""
    from tui.config import RememberedAccount
    from tui.dashboard.screens.endpoint_picker import EndpointPicker
    from tui.endpoints import PRESETS, resolve

    used = [f"https://127.0.0.{n}:9/dir" for n in range(2, 6)]
    remembered = "https://acme.internal.example/directory"
    settings = Settings(
        endpoint=LOCAL, accounts=[RememberedAccount(remembered, "t", remembered + "/acct/7")]
    )
    app = AcmeDashApp(settings, config_path=None)
    async with app.run_test(size=(80, 24)) as pilot:
        for url in used:
            app.main_screen.use_endpoint(resolve(url))
        app.main_screen.use_endpoint(resolve(LOCAL))
        await pilot.press("e")
        await wait_for_screen(pilot, EndpointPicker)
        await pilot.pause()
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        shown = "\n".join(lines)
        for preset in PRESETS.values():
            assert preset.title in shown, (preset.title, shown)
        assert f"{LOCAL}  (in use)" in shown, shown
        assert used[-1] in shown and used[0] in shown, shown
        production = [
            segment
            for strip in app.screen._compositor.render_strips()
            for segment in strip
            if segment.text.startswith("PRODUCTION")
        ]
        wanted = sum(p.is_production for p in PRESETS.values())
        assert len(production) == wanted
        assert all(s.style and s.style.reverse and s.style.bold for s in production)


def _keyed_app(tmp_path: Path, endpoint: str) -> AcmeDashApp:
    """A dashboard whose key has an account remembered at `endpoint` (nothing is sent)."""
    from tui.acme import jose, keys
    from tui.config import RememberedAccount
    from tui.endpoints import resolve

    key = keys.generate_key("ec256")
    key_path = tmp_path / "account.pem"
    keys.save_key(key, key_path)
    url = resolve(endpoint).url
    thumbprint = jose.thumbprint(jose.public_jwk(key))
    settings = Settings(
        endpoint=endpoint,
        account_key=str(key_path),
        accounts=[RememberedAccount(url, thumbprint, url.replace("/directory", "/acct/1"))],
    )
    return AcmeDashApp(settings, config_path=tmp_path / "config.toml")


async def _add_contact(app: AcmeDashApp, pilot: Pilot[None], contact: str) -> None:
    await pilot.press("3")
    await pilot.pause()
    box = app.query_one("#contact-input", Input)
    box.focus()
    box.value = contact
    await pilot.press("enter")


async def test_the_contact_box_says_that_enter_updates_the_account(tmp_path: Path) -> None:
    """Enter in the add-contact box pushed the list to the account without a word; the label
    above the box says what Enter does, with an account and without one."""
    from tui.dashboard.panels.contacts import ContactsPanel

    app = _app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _all_panes_mounted(app, pilot)
        label = app.query_one("#contact-label", Static)
        assert str(label.render()) == ContactsPanel.SAVED_ONLY.format(kept="in your settings")
    app = _keyed_app(tmp_path, LOCAL)
    async with app.run_test(size=(80, 24)) as pilot:
        await _all_panes_mounted(app, pilot)
        await wait_until(pilot, lambda: app.main_screen.workspace.key_loaded, "the key loaded")
        label = app.query_one("#contact-label", Static)
        assert "updates your account" in str(label.render())


async def test_in_a_demo_no_text_promises_to_save_the_settings() -> None:
    """`acmedash demo` runs without a config file (config_path=None, as demo_world passes it):
    the contact box's label and the production switch said the settings keep what the user
    chose, which a demo throws away."""
    from tui.dashboard.screens.confirm import ConfirmScreen
    from tui.dashboard.screens.endpoint_picker import EndpointPicker

    app = AcmeDashApp(Settings(endpoint=LOCAL), config_path=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await _all_panes_mounted(app, pilot)
        label = str(app.query_one("#contact-label", Static).render())
        assert "for this session only" in label and "your settings" not in label, label
        await pilot.press("e")
        await wait_for_screen(pilot, EndpointPicker)
        await pilot.press("home", "enter")  # Let's Encrypt, PRODUCTION
        await wait_for_screen(pilot, ConfirmScreen)
        message = str(app.screen.query_one("#message", Static).render())
        assert "for this session only" in message and "settings" not in message, message


@pytest.mark.parametrize("asked_before", [False, True], ids=["first", "after-confirmed"])
async def test_enter_in_the_contact_box_asks_before_updating_a_production_account(
    tmp_path: Path, asked_before: bool
) -> None:
    """On a production CA, Enter in the box asks before the account is updated: the session's
    first production question, or, once that was answered, its own. The settings keep the
    contact only once the CA took it, so Cancel sends nothing and changes nothing."""
    from tui.dashboard.panels.contacts import ContactsPanel
    from tui.dashboard.screens.confirm import ConfirmScreen

    app = _keyed_app(tmp_path, "letsencrypt")
    async with app.run_test(size=(80, 24)) as pilot:
        await _all_panes_mounted(app, pilot)
        await wait_until(pilot, lambda: app.main_screen.workspace.key_loaded, "the key loaded")
        workspace = app.main_screen.workspace
        if asked_before:
            workspace.confirmed_production.add(workspace.endpoint.url)
        label = app.query_one("#contact-label", Static)
        assert "PRODUCTION" in str(label.render())
        await _add_contact(app, pilot, "ops@example.org")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#cancel")
        await pilot.pause()
        assert workspace.log.last_seq == 0, "nothing sent"
        assert len(app.screen_stack) == 1
        assert workspace.settings.contacts == []
        assert app.query_one(ContactsPanel).contacts == []


async def test_the_focused_field_stays_in_view_when_the_terminal_shrinks(tmp_path: Path) -> None:
    """Focus on the last field of the Orders form at 120x40, then the terminal becomes 60x20:
    the form scrolls to keep that field on screen."""
    app = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _all_panes_mounted(app, pilot)
        await pilot.press("5")
        await pilot.pause()
        out = app.query_one("#order-out", Input)
        out.focus()
        await pilot.pause()
        assert _fully_visible(app, out)
        await pilot.resize_terminal(60, 20)
        for _ in range(3):
            await pilot.pause()
        assert app.focused is out and _fully_visible(app, out)


@pytest.mark.parametrize("size", [(60, 20), (80, 24)], ids=["60x20", "80x24"])
async def test_jumping_to_the_orders_tab_shows_its_focused_names_box(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """newuser7: at 60x20, after an issuance and a renewal had filled the Orders tab with
    progress lines (focus elsewhere), `5` focused the names box but left the tab scrolled to the
    progress: "typing" with no text box on screen. The panel is fed what they feed it."""
    app = _app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await _all_panes_mounted(app, pilot)
        screen = app.main_screen
        panel = screen.orders_panel
        await pilot.press("5")
        await pilot.pause()
        await pilot.press("escape")  # out of the names box: to the traffic list
        await pilot.pause()
        for title in ("Issuing a.example.org", "Renewing a.example.org"):
            panel.start(title)
            for n in range(12):
                panel.add_progress(f"https://127.0.0.1:9/authz/{n}: valid")
                await pilot.pause()
        panel.show_certificate({"names": ["a.example.org"], "serial": "01"}, "certs/a")
        await pilot.pause()
        await pilot.press("6")
        await pilot.pause()
        await pilot.press("5")
        for _ in range(3):
            await pilot.pause()
        names = app.query_one("#order-names", Input)
        assert app.focused is names and _fully_visible(app, names)
        await pilot.press("z", "z")
        await pilot.pause()
        assert names.value == "zz" and _fully_visible(app, names)


async def test_a_contact_removed_while_it_was_edited_ends_the_edit(tmp_path: Path) -> None:
    """New-user review, session 8: `e` on a contact, Esc, Delete (the list empty), then a new
    contact and Enter: the edit still pointed at index 0, and the dashboard ended with an
    IndexError. And `e` / Delete, offered in the key bar, did nothing right after `3` (no row
    was highlighted)."""
    from tui.dashboard.panels.contacts import ContactsPanel

    app = _app(tmp_path, contacts=["mailto:a@example.org", "mailto:b@example.org"])
    async with app.run_test(size=(80, 24)) as pilot:
        await _all_panes_mounted(app, pilot)
        panel = app.screen.query_one(ContactsPanel)
        await pilot.press("3", "e")  # no arrow first: the first contact
        await wait_until(pilot, lambda: isinstance(app.focused, Input), "editing")
        assert app.query_one("#contact-input", Input).value == "mailto:a@example.org"
        await pilot.press("escape", "3", "delete")
        await wait_until(pilot, lambda: len(panel.contacts) == 1, "a removed")
        assert panel.contacts == ["mailto:b@example.org"]
        box = app.query_one("#contact-input", Input)
        box.focus()
        await pilot.pause()
        box.value = ""
        await pilot.press(*"c@example.org", "enter")
        await wait_until(pilot, lambda: len(panel.contacts) == 2, "c added")
        assert panel.contacts == ["mailto:b@example.org", "mailto:c@example.org"], "b kept"
        assert box.placeholder == "you@example.org"
        assert app.is_running

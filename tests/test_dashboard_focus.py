"""Where focus is, and what a key press does there: driven with Pilot, no network (the endpoint is
a local URL nothing listens on, and nothing here sends a request).

Operators type into the Orders form believing they are in a text box; a letter that reaches the
screen instead runs a command (`e` opened the endpoint picker, whose Enter then switched the
session to production). So every focusable widget must look different when focused, letters
typed at a form field never run a command, and a dialog never opens on top of itself."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from rich.segment import Segment
from textual.app import App
from textual.pilot import Pilot
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, Input, Select, TextArea

from tests.conftest import account_settings, hidden_panes_mounted, wait_for_screen, wait_until
from tui.config import Settings
from tui.dashboard.app import AcmeDashApp
from tui.dashboard.keymap import SIDE_PANES
from tui.dashboard.layout import RIGHT_MIN, SIDE_MIN, STEP
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.dns_instructions import DnsInstructions
from tui.dashboard.screens.endpoint_picker import EndpointPicker
from tui.dashboard.screens.generate_key import GenerateKeyScreen
from tui.dashboard.screens.help import HelpScreen
from tui.dashboard.screens.prompt import PromptScreen
from tui.dashboard.screens.resend import ResendScreen
from tui.dashboard.screens.typed_confirm import TypedConfirmScreen
from tui.endpoints import resolve
from tui.pebble import Pebble

SIZE = (80, 24)
LOCAL = "https://127.0.0.1:9/dir"  # the discard port: nothing answers, nothing is sent


def _app(tmp_path: Path, endpoint: str = LOCAL) -> AcmeDashApp:
    return AcmeDashApp(Settings(endpoint=endpoint), config_path=tmp_path / "config.toml")


def _look(app: App[None], widget: Widget) -> list[list[Segment]]:
    """What the screen shows over `widget` and the row above it (where a pane's title or a
    border sits), segments with their styles."""
    region = widget.region
    top = max(0, region.y - 1)
    strips = app.screen._compositor.render_strips()
    return [list(strip.crop(region.x, region.right)) for strip in strips[top : region.bottom]]


async def _unmarked(app: App[None], pilot: Pilot[None], screen: Screen[object]) -> list[str]:
    """The focusable widgets of `screen` that look the same focused and not focused."""
    unmarked = []
    for widget in list(screen.focus_chain):
        screen.set_focus(None)
        await pilot.pause()
        blurred = _look(app, widget)
        screen.set_focus(widget)
        await pilot.pause()
        if _look(app, widget) == blurred:
            unmarked.append(f"{type(widget).__name__}#{widget.id}")
    return unmarked


async def test_tab_from_the_orders_tab_lands_in_the_names_box_and_letters_stay_there(
    tmp_path: Path,
) -> None:
    """The reported sequence: shift+Tab twice (to the side tab strip), Right x4 (Orders), Tab,
    type a name, Enter. The name must be in the names box, no dialog opened, the endpoint the
    same (it went to PRODUCTION / Let's Encrypt before the fix)."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await hidden_panes_mounted(pilot)
        await pilot.press("shift+tab", "shift+tab", "right", "right", "right", "right", "tab")
        await pilot.pause()
        assert app.focused is app.query_one("#order-names", Input)
        await pilot.press(*"demo.example.org", "enter")
        await pilot.pause()
        assert app.query_one("#order-names", Input).value == "demo.example.org"
        assert app.endpoint.url == LOCAL
        assert len(app.screen_stack) == 1, app.screen_stack


async def test_letters_typed_at_a_select_run_no_command(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await hidden_panes_mounted(pilot)
        app.main_screen.side.active = "pane-orders"
        await pilot.pause()
        app.query_one("#order-challenge", Select).focus()
        await pilot.press(*"egoq")
        await pilot.pause()
        assert len(app.screen_stack) == 1, app.screen_stack
        assert app.is_running
        bound = app.screen.active_bindings
        assert "e" not in bound and "g" not in bound, "the key bar offers no letter here either"


async def test_every_focusable_widget_of_the_workspace_shows_its_focus(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await hidden_panes_mounted(pilot)
        unmarked: list[str] = []
        for pane in ("pane-endpoint", "pane-key", "pane-contacts", "pane-account", "pane-orders"):
            app.main_screen.side.active = pane
            await pilot.pause()
            unmarked += await _unmarked(app, pilot, app.main_screen)
        assert not unmarked, f"focus not shown on {sorted(set(unmarked))}"


def _dialogs() -> list[ModalScreen[object]]:
    return [
        ConfirmScreen("Sure?", "Really?", "Yes"),
        PromptScreen("A path"),
        TypedConfirmScreen("Deactivate?", "deactivate"),
        EndpointPicker(resolve("letsencrypt-staging")),
        GenerateKeyScreen("account.pem", Path.cwd()),
        HelpScreen([("d", "Directory", "directory")] * 60),
        ResendScreen("https://127.0.0.1:9/acct/1", {"contact": []}, use_jwk=False),
        DnsInstructions("_acme-challenge.example.org", "value"),
    ]


async def test_every_focusable_widget_of_every_dialog_shows_its_focus(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        unmarked: list[str] = []
        for dialog in _dialogs():
            await app.push_screen(dialog)
            await pilot.pause()
            unmarked += [
                f"{type(dialog).__name__}: {name}" for name in await _unmarked(app, pilot, dialog)
            ]
            app.pop_screen()
            await pilot.pause()
        assert not unmarked, f"focus not shown on {unmarked}"


async def test_a_dialog_key_pressed_again_before_its_dialog_shows_opens_one_dialog(
    tmp_path: Path,
) -> None:
    """Fast typing: each key press starts the dialog's worker before the first one has pushed
    its screen (four endpoint pickers were stacked)."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(4):
            app.main_screen.action_choose_endpoint()
            app.main_screen.action_open_key()
        await wait_for_screen(pilot, ModalScreen)  # type: ignore[type-abstract]
        await pilot.pause(0.2)
        kinds = [type(screen).__name__ for screen in app.screen_stack[1:]]
        assert len(kinds) == 1, kinds


async def test_the_picker_asks_before_switching_to_production(tmp_path: Path) -> None:
    from textual.widgets import OptionList

    from tui.endpoints import PRESETS

    app = _app(tmp_path, "letsencrypt-staging")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await wait_for_screen(pilot, EndpointPicker)
        presets = app.screen.query_one("#presets", OptionList)
        presets.highlighted = list(PRESETS).index("letsencrypt")
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmScreen)
        assert "PRODUCTION" in str(app.screen.query_one("#title").render())
        assert app.screen.focused is app.screen.query_one("#cancel", Button)
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(app.screen_stack) == 1, "the dialog closed")
        assert app.endpoint.name == "letsencrypt-staging"

        await pilot.press("e")
        await wait_for_screen(pilot, EndpointPicker)
        app.screen.query_one("#presets", OptionList).highlighted = list(PRESETS).index(
            "letsencrypt"
        )
        await pilot.press("enter")
        await wait_for_screen(pilot, ConfirmScreen)
        await pilot.click("#confirm")
        await wait_until(pilot, lambda: app.endpoint.name == "letsencrypt", "the switch")
        assert app.query_one("#bar").has_class("-production")


async def test_the_picker_lists_the_current_and_recently_used_endpoints(tmp_path: Path) -> None:
    """A custom URL in use (the demo's Pebble) was missing from the list, and so were the
    URLs used before: this session's, and those the config remembers an account for."""
    from textual.widgets import OptionList

    from tui.config import RememberedAccount

    earlier = "https://acme.internal.example/directory"
    settings = Settings(
        endpoint=LOCAL, accounts=[RememberedAccount(earlier, "thumbprint", earlier + "/acct/7")]
    )
    app = AcmeDashApp(settings, config_path=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await wait_for_screen(pilot, EndpointPicker)
        options = app.screen.query_one("#presets", OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert LOCAL in ids and earlier in ids, ids
        assert options.highlighted == ids.index(LOCAL), "the one in use is highlighted"
        options.highlighted = ids.index("letsencrypt-staging")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.endpoint.name == "letsencrypt-staging", "switch")

        await pilot.press("e")
        await wait_for_screen(pilot, EndpointPicker)
        options = app.screen.query_one("#presets", OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert LOCAL in ids, "used earlier in this session"
        options.highlighted = ids.index(LOCAL)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.endpoint.url == LOCAL, "back to the local URL")


PRINTABLE = string.digits + string.ascii_letters + string.punctuation + " "


async def _type_everything(app: AcmeDashApp, pilot: Pilot[None], box: Input | TextArea) -> str:
    """Types every printable key into `box` (emptied first); what went wrong, or ""."""
    screen, stack = app.screen, list(app.screen_stack)
    if isinstance(box, Input):
        box.value = ""
    else:
        box.text = ""
    box.focus()
    await pilot.pause()
    await pilot.press(*PRINTABLE)
    await pilot.pause()
    name = f"{type(screen).__name__} #{box.id}"
    value = box.value if isinstance(box, Input) else box.text
    if list(app.screen_stack) != stack or not app.is_running:
        return f"{name}: the screens changed to {app.screen_stack}"
    if app.focused is not box:
        return f"{name}: focus moved to {app.focused}"
    if value != PRINTABLE:
        return f"{name}: holds {value!r}"
    if app.endpoint.url != LOCAL:
        return f"{name}: the endpoint changed to {app.endpoint.url}"
    running = [w.group for w in app.main_screen.workers if w.group in ("dialog", "acme")]
    if running:
        return f"{name}: started {running}"
    return ""


async def test_every_printable_key_typed_into_every_text_box_stays_text(tmp_path: Path) -> None:
    """Issue 11 item 1 and 3: in every text field of the workspace (found by query, so a new
    one is covered too) and of every dialog, each printable key is text and nothing else: no
    dialog, no jump, no endpoint switch, no help, no quit."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await hidden_panes_mounted(pilot)
        await pilot.press("slash")  # the filter box mounts when first wanted
        await pilot.press("escape", "8", "slash")  # and the detail's search box
        await pilot.pause()
        problems: list[str] = []
        boxes = list(app.main_screen.query(Input))
        assert {"order-names", "contact-input", "traffic-filter"} <= {b.id for b in boxes}
        assert any(type(box).__name__ == "SearchBox" for box in boxes), boxes
        for box in boxes:
            pane = next((a for a in box.ancestors if a.id in SIDE_PANES), None)
            if pane is not None:
                app.main_screen.side.active = str(pane.id)
                await pilot.pause()
            problems.append(await _type_everything(app, pilot, box))
        for dialog in _dialogs():
            await app.push_screen(dialog)
            await pilot.pause()
            for box in list(dialog.query(Input)) + list(dialog.query(TextArea)):
                problems.append(await _type_everything(app, pilot, box))
            app.pop_screen()
            await pilot.pause()
        assert not [p for p in problems if p], problems


async def test_jump_keys_reach_each_pane_and_the_status_line_names_it(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await hidden_panes_mounted(pilot)
        screen = app.main_screen
        for number, (pane, (name, _)) in enumerate(SIDE_PANES.items(), 1):
            await pilot.press(str(number))
            await pilot.pause()
            assert screen.side.active == pane
            focused = app.focused
            assert focused is not None and screen.side in focused.ancestors, (name, focused)
            assert str(screen.status.render()).startswith(f" {number} {name}"), name
            await pilot.press("escape")  # out of a text box (Orders): digits are keys again
        await pilot.press("8")
        await pilot.pause()
        assert app.focused is not None and screen.detail in app.focused.ancestors
        assert str(screen.status.render()).startswith(" 8 Detail")
        await pilot.press("7")
        await pilot.pause()
        assert app.focused is screen.traffic
        assert str(screen.status.render()).startswith(" 7 Traffic")


async def test_the_pane_with_focus_is_marked_on_its_frame(tmp_path: Path) -> None:
    """Not only the focused widget: the split line beside the left panel and the detail's top
    border change colour while focus is anywhere inside them."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await hidden_panes_mounted(pilot)
        screen = app.main_screen
        await pilot.press("2", "7")  # the Key tab shown, focus in the traffic list
        await pilot.pause()
        side_before, detail_before = _look(app, screen.side), _look(app, screen.detail)
        await pilot.press("2")
        await pilot.pause()
        assert _look(app, screen.side) != side_before
        assert _look(app, screen.detail) == detail_before
        await pilot.press("8")
        await pilot.pause()
        assert _look(app, screen.detail) != detail_before
        assert _look(app, screen.side) == side_before


@pytest.mark.parametrize(
    ("size", "side"), [((60, 20), 24), ((80, 24), 37), ((120, 40), 37), ((170, 40), 57)]
)
async def test_the_split_gives_the_traffic_room_and_moves_with_keys(
    tmp_path: Path, size: tuple[int, int], side: int
) -> None:
    """At 60 columns the left panel gives way (it was 36 of 60, the traffic list got 24);
    `<` `>` move the split within its limits, `z` hides the left panel and 1-6 bring it back."""
    app = _app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.main_screen
        right = app.query_one("#right")
        assert screen.side.outer_size.width == side
        assert right.outer_size.width == size[0] - side
        await pilot.press("less_than_sign")
        await pilot.pause()
        narrower = screen.side.outer_size.width
        assert narrower == max(SIDE_MIN, side - STEP)
        await pilot.press("greater_than_sign", "greater_than_sign")
        await pilot.pause()
        assert screen.side.outer_size.width == min(narrower + 2 * STEP, size[0] - RIGHT_MIN)
        assert right.outer_size.width >= RIGHT_MIN
        await pilot.press("2", "z")  # hidden while focus is in it: focus goes to the traffic
        await pilot.pause()
        assert not screen.side.display and right.outer_size.width == size[0]
        assert app.focused is screen.traffic
        await pilot.press("5")
        await pilot.pause()
        assert screen.side.display and screen.side.active == "pane-orders"


async def test_every_left_tab_stays_on_its_strip_at_60_columns(tmp_path: Path) -> None:
    """At 60 columns the left panel has 23 for its tabs: the labels shorten rather than lose
    Account, Orders and Certificates past the edge (they showed as `Ac…`); at 80 the short
    names fit."""
    app = _app(tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        strip = app.main_screen.side.strip
        row = app.screen._compositor.render_strips()[strip.region.y].text[: strip.region.width]
        assert row.split() == ["CA", "Key", "Con", "Acc", "Ord", "Cer"], row
        await pilot.click(strip, offset=(row.index("Ord") + 1, 0))
        assert app.main_screen.side.active == "pane-orders"
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        row = app.screen._compositor.render_strips()[strip.region.y].text[: strip.region.width]
        assert row.split() == ["CA", "Key", "Cont", "Acct", "Orders", "Certs"], row


def test_a_choice_read_before_it_is_mounted_gives_its_value() -> None:
    """Select's value is NULL until it mounts; a renew key pressed while the Orders tab was
    still mounting ordered with challenge type 'Select.NULL' (seen in a loaded full test run)."""
    from tui.dashboard.panels.choice import Choice

    choice = Choice([("http-01", "http-01"), ("dns-01", "dns-01")], value="http-01")
    assert choice.value is Select.NULL
    assert choice.chosen == "http-01"


async def test_the_status_line_says_follow_filter_and_how_many_are_shown() -> None:
    from tui.acme.traffic import read_jsonl

    sample = Path(__file__).parent / "data" / "sample.jsonl"
    app = AcmeDashApp(Settings(), config_path=None, offline=list(read_jsonl(sample)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        status = app.main_screen.status
        assert str(status.render()).split() == ["7", "Traffic", "follow", "on", "4", "of", "4"]
        await pilot.press("slash", *"method:POST", "enter")
        await pilot.pause()
        said = str(status.render())
        assert "filter: method:POST" in said and said.rstrip().endswith("2 of 4"), said
        await pilot.press("F")
        await pilot.pause()
        assert "follow OFF" in str(status.render())
        await pilot.press("slash", "ctrl+u", "enter")
        await pilot.pause()
        said = str(status.render())
        assert "filter" not in said and said.rstrip().endswith("4 of 4"), said


async def test_the_status_line_names_the_dialog_up_and_says_when_its_box_takes_letters(
    pebble: Pebble, tmp_path: Path
) -> None:
    """It named the pane behind a dialog (`7 Traffic`) and never said typing while the
    dialog's text box took the letters. At 60 columns a long title is cut, never the counts."""
    app = AcmeDashApp(account_settings(pebble, tmp_path), config_path=tmp_path / "config.toml")
    async with app.run_test(size=(60, 20)) as pilot:
        status = app.main_screen.status
        await pilot.press("7", "d")
        await wait_until(pilot, lambda: bool(app.main_screen.traffic.rows), "the directory")
        for key, kind, said in (
            ("a", ConfirmScreen, " Terms of service  follow"),
            ("K", PromptScreen, " New account key file (generat… · typing  follow"),
            ("x", PromptScreen, " Export the shown exchanges as… · typing  follow"),
        ):
            await pilot.press(key)
            await wait_for_screen(pilot, kind)
            await pilot.pause()
            shown = str(status.render())
            total = len(app.main_screen.traffic.rows)
            assert shown.startswith(said) and shown.rstrip().endswith(f"of {total}"), shown
            await pilot.press("escape")
            await pilot.pause()
            assert str(status.render()).startswith(" 7 Traffic  follow"), key


async def test_focus_starts_in_the_traffic_list_and_nowhere_before_it() -> None:
    """Where a person's first keys go. It is Textual's auto-focus that puts it there: a
    focus() in on_mount had first let the tab strip take it, restyling the left panel twice
    before the first frame."""
    from textual import events
    from textual.message import Message

    focus_went_to: list[str] = []

    def hook(message: Message) -> None:
        if isinstance(message, events.DescendantFocus):  # each ancestor is told once
            focus_went_to.append(type(message.widget).__name__)

    app = AcmeDashApp(Settings(endpoint="pebble"), config_path=None)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.pause()
        assert app.focused is app.screen.query_one("#traffic-list")
    assert set(focus_went_to) == {"TrafficList"}, focus_went_to


async def test_keys_typed_before_the_first_paint_wait_for_it(tmp_path: Path) -> None:
    """In a terminal the App reads keys before its screen is painted (typed ahead while it
    starts): `5abc` ran `a`, New account, instead of typing `abc` into the Orders tab's Names
    box. They wait for the first paint and then act in order. The first paint is held here
    (the screen's after-paint step called by the test) so that the keys come before it."""
    app = _app(tmp_path)
    screen = app.main_screen
    first_paint = screen._after_first_paint
    screen._after_first_paint = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"5abc")
        assert app.holding, "keys typed before the first paint must wait for it"
        first_paint()

        def typed() -> bool:
            found = app.screen.query("#order-names").results(Input)
            return any(names.value == "abc" for names in found)

        await wait_until(pilot, typed, "abc typed into the Names box")
        names = app.screen.query_one("#order-names", Input)
        assert app.screen is screen, "no dialog opened (a: New account)"
        assert app.focused is names
        assert not app.holding
        assert not app._notifications, [n.message for n in app._notifications]


async def test_ctrl_c_before_the_first_paint_quits(tmp_path: Path) -> None:
    """Keys wait for the first paint, but for ctrl+c: quitting must never wait."""
    app = _app(tmp_path)
    app.main_screen._after_first_paint = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app._exit, "the App quit")

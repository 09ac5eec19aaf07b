"""The App: global keys (F1, q), colour themes, the command palette. The workspace itself is
main_screen.py's MainScreen over a Workspace (as posting's App and MainScreen)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, SystemCommand
from textual.color import Color
from textual.screen import Screen
from textual.theme import BUILTIN_THEMES
from textual.widget import AwaitMount

from tui.acme.text import shortened
from tui.acme.traffic import Exchange, Observer
from tui.config import Settings, default_data_dir
from tui.dashboard.keymap import (
    GLOBAL_BINDINGS,
    WORKSPACE_BINDINGS,
    bindings,
    displaced,
    key_names,
)
from tui.dashboard.main_screen import MainScreen
from tui.dashboard.panels.contacts import ContactsPanel
from tui.dashboard.panels.document import Document
from tui.dashboard.panels.exchange_detail import ExchangeDetail
from tui.dashboard.panels.text_box import HeldKeys
from tui.dashboard.panels.traffic_list import TrafficList
from tui.dashboard.screens.confirm import ConfirmScreen, QuitQuestion
from tui.dashboard.screens.dialog import Dialog
from tui.dashboard.untrusted import printable
from tui.dashboard.workspace import Responder, Workspace
from tui.dashboard.workspace_screen import WorkspaceScreen
from tui.endpoints import Endpoint
from tui.themes import parse_theme, theme_files

if TYPE_CHECKING:
    from collections.abc import Mapping

    from textual.actions import ActionParseResult
    from textual.dom import DOMNode
    from textual.notifications import SeverityLevel

    from tui.acme.jose import PrivateKey
    from tui.acme.models import Account


# Each list is one place keys are looked up in: the App, the workspace, the traffic list, the
# contacts panel (F1 lists them all; a remap clashes only within one).
KEY_CONTEXTS = (
    GLOBAL_BINDINGS,
    WORKSPACE_BINDINGS,
    TrafficList.BINDINGS,
    ExchangeDetail.BINDINGS,
    Document.BINDINGS,
    ContactsPanel.BINDINGS,
)


class AcmeDashApp(HeldKeys, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "acmedash"
    BINDINGS = GLOBAL_BINDINGS

    def __init__(
        self,
        settings: Settings,
        *,
        config_path: Path | None,
        ca_bundle: str | None = None,
        offline: Iterable[Exchange] | None = None,
        responder_address: str = "0.0.0.0",  # noqa: S104 - the CA connects from outside
        http_port: int = 80,
        tls_port: int = 443,
        files_dir: Path | None = None,
        recorders: Iterable[Observer] = (),
        for_this_run: dict[str, tuple[object, object]] | None = None,
    ) -> None:
        """`config_path=None` keeps settings in memory only (demo, inspect). The responder
        address and ports are where http-01 / tls-alpn-01 answers listen by default.
        `files_dir`: where files the user does not name go (Workspace.place).
        `for_this_run`: settings a flag set for this run only (Session.for_this_run)."""
        super().__init__()
        self.settings = settings
        self.workspace = Workspace(
            settings,
            config_path=config_path,
            ca_bundle=ca_bundle,
            offline=offline,
            responder=Responder(responder_address, http_port, tls_port),
            files_dir=files_dir,
            recorders=recorders,
            for_this_run=for_this_run,
        )
        self.main_screen = MainScreen(self.workspace)
        self._theme_error = ""
        self._started = False
        self._quit_question: ConfirmScreen | None = None  # up while an operation runs
        self._quitting = False
        # Keys typed before the workspace is painted wait for it (WorkspaceScreen releases
        # them): read by a screen not yet mounted, `5abc` ran `a` (New account) instead of
        # typing it into the Orders tab's Names box, and `/abc` lost `abc`.
        self.hold_keys()

    async def on_event(self, event: events.Event) -> None:
        """A key read while keys are held (HeldKeys: a jump on its way, the first paint) is
        kept, but for the App's priority keys: ctrl+c quits at once, as it does elsewhere."""
        if (
            self.holding
            and isinstance(event, events.Key)
            and not event.is_forwarded
            and await self._check_bindings(event.key, priority=True)
        ):
            return
        if not self.holds(event):
            await super().on_event(event)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Once quitting has begun, a key's action does nothing: keys typed after q (a paste
        into the wrong window) still ran while the App closed, and `t` opened a dialog there
        that ended it with a traceback."""
        if self._quitting:
            return True
        return await super().run_action(action, default_namespace, namespaces)

    def get_default_screen(self) -> MainScreen:
        return self.main_screen

    async def on_mount(self) -> None:
        self._load_themes()
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        elif self.settings.theme:
            self._unknown_theme(self.settings.theme)
        if self.settings.keymap:
            self.call_after_refresh(self._unknown_key_ids, self.settings.keymap)
            self.set_keymap(self.settings.keymap)
            for binding_id, key in displaced(self.settings.keymap, *KEY_CONTEXTS):
                self.notify(
                    f"[keymap] gave {key} to another action: {binding_id} has no key now",
                    title="Keymap",
                    severity="warning",
                )
        if self.is_headless:
            # A script or a test (run_test, snapshots) queries the workspace as soon as the App
            # is ready: wait for the default screen, which composes in its own task. Not in a
            # terminal: the App holds every repaint until its on_mount returns, so the screen
            # was drawn once unseen and again after, 25-30 ms of CPU before the first frame.
            await AwaitMount(self.main_screen, [self.main_screen])
        else:
            self._end_on_kill()
        if self._theme_error:
            self.notify(self._theme_error, title="Theme", severity="warning")
        self._started = True

    def _end_on_kill(self) -> None:
        """A kill (SIGTERM: a service manager, `kill`) ends the App as `q` does, so that what
        runs after it does too: Python's default ended the process on the spot, and `acmedash
        demo` left its folder behind. Not SIGHUP: with the terminal gone, Textual's exit then
        waited forever on its output thread."""
        import asyncio
        import signal

        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self._killed)

    def _killed(self) -> None:
        self._quitting = True  # keys still read run nothing
        self.call_later(self._quit)

    # -- themes ---------------------------------------------------------------------------

    def _load_themes(self) -> None:
        for path in theme_files(default_data_dir() / "themes"):
            try:
                self.register_theme(parse_theme(path))
            except ValueError as exc:
                self._theme_error = f"{exc}; using the default theme"

    def _unknown_theme(self, theme: str) -> None:
        """Textual keeps its default for a name it does not know, without a word: the user
        saw the wrong colours and no reason."""
        ours = sorted(set(self.available_themes) - set(BUILTIN_THEMES))
        self.notify(
            f"theme = {theme!r} in the config is no theme here; using {self.theme}. "
            f"Valid: {', '.join(ours)}, or Textual's own (ctrl+p: Theme).",
            title="Theme",
            severity="warning",
            timeout=15,
        )

    def _unknown_key_ids(self, keymap: dict[str, str]) -> None:
        """Textual ignores a [keymap] id that names no binding, without a word: the user's key
        did nothing and nothing said why (a typo, or an id from another version). Run after the
        first paint: the dialogs it imports for their bindings cost 17 ms at start-up."""
        import difflib

        from tui.dashboard.screens.dns_instructions import DnsInstructions
        from tui.dashboard.screens.resend import ResendScreen

        known = {
            b.id
            for b in bindings(*KEY_CONTEXTS, ResendScreen.BINDINGS, DnsInstructions.BINDINGS)
            if b.id
        }
        for binding_id in sorted(set(keymap) - known):
            near = difflib.get_close_matches(binding_id, sorted(known), n=1)
            hint = f" Did you mean {near[0]}?" if near else ""
            self.notify(
                f"[keymap] {binding_id} = {keymap[binding_id]!r} in the config: no key has that "
                f"id, so it changes nothing.{hint} F1 lists every valid id.",
                title="Keymap",
                severity="warning",
                timeout=15,
            )

    def watch_theme(self, theme: str) -> None:
        # A dialog's backdrop is the theme's background at 60% over the screen behind; an ANSI
        # colour cannot be mixed, so it was painted whole (text and all) and acme-contrast
        # blanked the screen behind every dialog. app.tcss makes it transparent then.
        background = self.current_theme.background  # None: one derived from the others
        self.set_class(bool(background) and Color.parse(background).ansi is not None, "-ansi-theme")
        if self._started and self.settings.theme != theme:
            self.settings.theme = theme
            self.main_screen.save_settings()

    # -- help, palette, quit ----------------------------------------------------------------

    def action_help(self) -> None:
        from tui.dashboard.navigation import every_key
        from tui.dashboard.screens.help import HelpScreen

        rows = every_key(self, self.settings.keymap, KEY_CONTEXTS)
        self.push_screen(HelpScreen(rows))

    def action_keys_here(self) -> None:
        """`?`: the keys that act where focus is, on whichever screen is on top."""
        from tui.dashboard.navigation import keys_here, keys_here_title
        from tui.dashboard.screens.help import HelpScreen

        title = keys_here_title(self.screen)
        self.push_screen(HelpScreen(keys_here(self.screen), title=title, third="acts in"))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own commands (themes, keys, quit), then every workspace key that works
        here (offline, none that talks to a CA)."""
        yield from super().get_system_commands(screen)
        for binding in bindings(WORKSPACE_BINDINGS):
            if not self.main_screen.check_action(binding.action, ()):
                continue
            tooltip = f": {binding.tooltip}" if binding.tooltip else ""
            yield SystemCommand(
                binding.description + tooltip,
                f"key: {key_names(self, binding.key)}",
                lambda action=binding.action: self.run_action(action, self.main_screen),
            )

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification passes here (a widget's notify calls the App's), and many carry
        the CA's text (problem details, URLs, statuses): shown printable, never as markup."""
        super().notify(
            shortened(printable(message, lines=True), lines=8, chars=600),
            title=shortened(printable(title), lines=1, chars=100),
            severity=severity,
            timeout=timeout,
            markup=False,
        )
        self._place_toasts()

    def _place_toasts(self) -> None:
        """toasts.py: off the focused text box and a dialog's buttons, once the screen's new
        layout (the toast, the focused widget) is done."""
        self.call_after_refresh(self._place_toasts_now)

    def _place_toasts_now(self) -> None:
        from tui.dashboard import toasts

        if self.screen_stack:  # none left while the App closes
            toasts.place(self.screen)

    def on_descendant_focus(self) -> None:
        self._place_toasts()

    def on_resize(self) -> None:
        self._place_toasts()

    def on_dialog_shown(self, message: Dialog.Shown) -> None:
        self.main_screen.follow_dialog(message.dialog)

    async def action_quit(self) -> None:
        """q, ctrl+c, ctrl+q: at once when nothing is in flight; while an operation runs, ask
        first (Cancel focused). Asked already, another one quits."""
        busy = self.main_screen.busy
        if busy and self._quit_question is None:
            self._quit_question = QuitQuestion(busy)
            self.push_screen(self._quit_question, self._quit_answered)
            return
        await self._quit()

    def on_workspace_screen_idle(self, message: WorkspaceScreen.Idle) -> None:
        """The quit question said an operation was running after it had finished."""
        if self._quit_question is not None:
            self._quit_question.restate(
                "Nothing is running now", f"{message.title} has finished.\n\nQuit?"
            )
            self.main_screen.update_status()

    async def _quit_answered(self, quit: bool | None) -> None:
        self._quit_question = None
        if quit:
            await self._quit()

    async def _quit(self) -> None:
        self._quitting = True
        for mounting in self.main_screen.mounting:
            await mounting  # a pane half mounted when the screen goes raised an error
        await self.workspace.aclose()
        self.exit()

    # -- the workspace's state, read through the App (scripts, Pilot tests) -----------------

    @property
    def endpoint(self) -> Endpoint:
        return self.workspace.endpoint

    @property
    def key_path(self) -> Path | None:
        return self.workspace.key_path

    @property
    def key(self) -> PrivateKey | None:
        return self.workspace.key

    @property
    def _key_loaded(self) -> bool:
        return self.workspace.key_loaded

    @property
    def account(self) -> Account | None:
        return self.workspace.account

    @property
    def last_certificate(self) -> Path | None:
        return self.workspace.last_certificate

"""The workspace screen's machinery: its panels composed (hidden tabs after the first paint),
the state shown, the traffic recorded, operations run one at a time in a worker (the UI thread
never waits on the network), dialogs one key at a time, the account key loaded. What each key
does is main_screen.py's MainScreen, built on this; moving around (jump keys, the split, the
status line) is navigation.py's NavigableScreen, which this is."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widget import AwaitMount

from tui import accounts, collector
from tui.acme.errors import InputError, PassphraseRequired
from tui.acme.traffic import Exchange
from tui.dashboard import key_actions
from tui.dashboard.keymap import ONLINE_ONLY, SIDE_PANES
from tui.dashboard.navigation import NavigableScreen, Navigator
from tui.dashboard.operations import operate
from tui.dashboard.panels.account import AccountPanel
from tui.dashboard.panels.certificates import CertificatesPanel
from tui.dashboard.panels.contacts import ContactsPanel
from tui.dashboard.panels.endpoint import EndpointPanel
from tui.dashboard.panels.exchange_detail import ExchangeDetail
from tui.dashboard.panels.key import KeyPanel
from tui.dashboard.panels.key_bar import KeyBar
from tui.dashboard.panels.orders import OrdersPanel
from tui.dashboard.panels.status_line import StatusLine
from tui.dashboard.panels.tabs import TabbedPanes
from tui.dashboard.panels.text_box import HeldKeys
from tui.dashboard.panels.top_bar import TopBar
from tui.dashboard.panels.traffic_list import TrafficList
from tui.dashboard.view import Operation, ResultT
from tui.dashboard.workspace import Workspace
from tui.endpoints import Endpoint

if TYPE_CHECKING:
    from tui.acme.client import AcmeClient
    from tui.acme.models import Directory
    from tui.config import ConfigError


PREPARE_PAUSE = 0.01  # seconds between two slices of a traffic file's preparation


class WorkspaceScreen(NavigableScreen):
    # Focus starts in the traffic list. Textual's own auto-focus, not a focus() in on_mount:
    # that first focused the tab strip and moved on, restyling the left panel twice before
    # the first frame.
    AUTO_FOCUS = "#traffic-list"

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.busy = ""  # the title of the operation in flight, "" when none
        # Kept, not queried: an operation that ends while the App quits still updates it.
        self._bar = TopBar(id="bar")
        workspace.session.save_failed = self._save_failed
        workspace.session.save_note = lambda note: self.notify(
            note, title="Settings saved", severity="warning", timeout=10
        )
        # Hidden panes mount after the first paint; the screen talks to the panel objects,
        # which accept updates before they are mounted.
        self.endpoint_panel = EndpointPanel(id="endpoint-panel")
        self.key_panel = KeyPanel(id="key-panel")
        self.contacts_panel = ContactsPanel(id="contacts-panel")
        self.account_panel = AccountPanel(id="account-panel")
        responder = workspace.responder
        self.orders_panel = OrdersPanel(
            ports=(responder.http_port, responder.tls_port),
            offline=workspace.offline,
            id="orders-panel",
        )
        self.certificates_panel = CertificatesPanel(id="certificates-panel")
        self.traffic = TrafficList(workspace.log, id="traffic-list")
        self.detail = ExchangeDetail(workspace.log, id="exchange-detail")
        panels = {
            "pane-endpoint": self.endpoint_panel,
            "pane-key": self.key_panel,
            "pane-contacts": self.contacts_panel,
            "pane-account": self.account_panel,
            "pane-orders": self.orders_panel,
            "pane-certificates": self.certificates_panel,
        }
        side = {pane: (name, panels[pane]) for pane, (name, _) in SIDE_PANES.items()}
        short = {pane: short for pane, (_, short) in SIDE_PANES.items()}
        self.side = TabbedPanes(side, short=short, id="side")
        self.status = StatusLine(id="status")
        self.navigator = Navigator(self.side, self.traffic, self.detail)
        self.mounting: list[AwaitMount] = []  # the hidden panes, mounting after the first paint

    def compose(self) -> ComposeResult:
        yield self._bar
        with Horizontal(id="main"):
            yield self.side
            with Vertical(id="right"):
                yield self.traffic
                yield self.detail
        yield self.status
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.contacts_panel.set_contacts(self.workspace.settings.contacts)
        self._show_endpoint()
        # Counted from the App, not from this screen: this screen composes while the App is
        # still starting (App.on_mount waits for it), and a refresh then paints nothing.
        self.app.call_after_refresh(self._after_first_paint)
        self.workspace.log.add_listener(self.update_status)

    def on_resize(self) -> None:
        """Besides NavigableScreen's (the split): a smaller terminal must not leave the focused
        field scrolled out of view, once the new layout is done."""
        if self.focused is not None:
            self.call_after_refresh(self.focused.scroll_visible, animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offline, the keys that would talk to a CA are neither offered nor run."""
        return not (self.workspace.offline and action in ONLINE_ONLY)

    def _after_first_paint(self) -> None:
        if not self.is_attached:
            return  # quit (ctrl+c) before the first paint: nothing left to mount into
        if isinstance(self.app, HeldKeys):
            self.app.release_keys()  # those typed before this paint (AcmeDashApp.__init__)
        collector.resume()
        self.mounting = self.side.mount_hidden()
        self.detail.mount_hidden()
        self._ensure_key_loaded()
        if self.workspace.offline:
            self.run_worker(self._prepare_traffic(), group="prepare")
        else:
            self.run_worker(Workspace.import_client, thread=True, group="warm-up")

    async def _prepare_traffic(self) -> None:
        """A traffic file's row texts, a slice at a time while the user looks at the screen:
        the first word filter over 100,000 exchanges then takes milliseconds, not a second.
        Begun after the first paint: begun with the App, before this screen was shown, it put
        0.2-0.3 s of CPU on opening 100,000 exchanges."""
        log = self.workspace.log
        while not log.prepare():
            await asyncio.sleep(PREPARE_PAUSE)

    # -- showing the state ----------------------------------------------------------------

    def show_busy(self, busy: str = "") -> None:
        self._bar.show(self.workspace.endpoint, offline=self.workspace.offline, busy=busy)

    def _show_endpoint(self) -> None:
        self.endpoint_panel.show_endpoint(self.workspace.endpoint, offline=self.workspace.offline)
        self.show_busy()
        self.show_account()

    def show_account(self) -> None:
        workspace = self.workspace
        self.account_panel.show_account(workspace.account, workspace.remembered_url())
        has_account = workspace.account is not None or bool(workspace.remembered_url())
        self.contacts_panel.show_push(has_account, workspace.endpoint.is_production, workspace.kept)

    def show_directory(self, directory: Directory) -> None:
        self.endpoint_panel.show_directory(directory)

    def start_progress(self, title: str) -> None:
        self.orders_panel.start(title)

    def progress(self, line: str) -> None:
        self.orders_panel.add_progress(line)

    def show_certificate(self, info: dict[str, object], path: str) -> None:
        self.orders_panel.show_certificate(info, path)

    def save_settings(self) -> None:
        self.workspace.session.save()

    def _save_failed(self, problem: ConfigError) -> None:
        """The session's save_failed: shown; the settings stay in memory, saved next time."""
        self.notify(str(problem), title="Settings not saved", severity="error")

    def _close(self, client: AcmeClient | None) -> None:
        if client is not None:
            self.run_worker(client.aclose(), group="close")

    # -- traffic ----------------------------------------------------------------------------

    def record(self, exchange: Exchange) -> None:
        """The client's observer: every exchange goes to the log, then the list shows it."""
        self.traffic.appended(self.workspace.log.append(exchange))

    def on_traffic_list_selected(self, message: TrafficList.Selected) -> None:
        exchange, log = message.exchange, self.workspace.log
        self.detail.show(exchange, log.signature_valid(exchange), log.nonce_origin(exchange))

    def on_traffic_list_cleared(self) -> None:
        self.detail.clear()

    def selected(self) -> Exchange | None:
        exchange = self.traffic.selected
        if exchange is None:
            self.notify("Select an exchange first.", severity="warning")
        return exchange

    def copy_to_clipboard(self, text: str) -> None:
        self.app.copy_to_clipboard(text)

    # -- running ACME operations -----------------------------------------------------------

    async def ask(self, screen: Screen[ResultT]) -> ResultT:
        return await self.app.push_screen_wait(screen)

    def _dialog(self, flow: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Starts the dialogs of a key (a path, a reason, a confirmation), unless those of a key
        are already under way: a dialog shows one event-loop turn after its key, and keys typed
        fast in that gap stacked one dialog on another."""
        if any(w.group == "dialog" and not w.is_finished for w in self.workers):
            return
        self.run_worker(flow(), group="dialog")

    def run(self, title: str, operation: Operation, *, changes_state: bool = False) -> None:
        """One operation at a time: another key is refused while one runs (it used to cancel the
        running one, an issuance half done included)."""
        if self.busy:
            self.notify(f"{self.busy} is still running.", severity="warning")
            return
        self.busy = title
        # The saved key loads after the first paint; loaded later, it would replace (and
        # close) the client under an operation already running: `n` pressed at once got
        # "client has been closed" between its directory GET and its HEAD.
        self._ensure_key_loaded()
        self._run(title, operation, changes_state)

    class Idle(Message):
        """The operation in flight (`title`) has ended: nothing runs now."""

        def __init__(self, title: str) -> None:
            super().__init__()
            self.title = title

    @work(group="acme")
    async def _run(self, title: str, operation: Operation, changes_state: bool) -> None:
        try:
            await operate(self, title, operation, changes_state)
        finally:
            self.busy = ""
            self.post_message(self.Idle(title))

    def need_key(self) -> bool:
        """Every action that talks to a CA asks this first. Offline (a traffic file inspected)
        it says so: the Orders form's Enter and the Certificates tab's keys reach here without
        the keymap's ONLINE_ONLY, and "load a key (o / g)" sent the user to keys that are off."""
        if self.workspace.offline:
            self.notify(
                "Inspecting a traffic file offline: issuing, renewing and revoking are not "
                "available here. Run `acmedash` (without inspect) for them.",
                title="Offline",
                severity="warning",
            )
            return False
        self._ensure_key_loaded()
        if self.workspace.key is None:
            self.notify("Load or generate an account key first (o / g).", severity="warning")
            self.side.active = "pane-key"
            return False
        return True

    # -- endpoint and key -------------------------------------------------------------------

    def use_endpoint(self, endpoint: Endpoint) -> None:
        self.workspace.settings.endpoint = endpoint.name
        self.save_settings()
        self._close(self.workspace.set_endpoint(endpoint))
        self._show_endpoint()
        self.notify(f"{endpoint.environment.badge}: {endpoint.title}", timeout=3)

    def _ensure_key_loaded(self) -> None:
        """The saved key loads right after the first paint, or sooner if an action needs it."""
        if not self.workspace.key_loaded:
            self.load_key(self.workspace.key_path)

    def load_key(self, path: Path | None, passphrase: str | None = None) -> None:
        problem, old_client = self.workspace.load_key(path, passphrase)
        if isinstance(problem, PassphraseRequired) and path is not None:
            self._ask_passphrase(path, self.load_key, "" if passphrase is None else str(problem))
        self._key_changed(old_client, str(problem or ""))

    def _key_changed(self, old_client: AcmeClient | None, problem: str = "") -> None:
        self._close(old_client)
        self.key_panel.show_key(self.workspace.key_path, self.workspace.key, problem)
        self.show_account()

    @work(group="passphrase")
    async def _ask_passphrase(
        self, path: Path, opened: Callable[[Path, str], None], wrong: str = ""
    ) -> None:
        await key_actions.ask_passphrase(self, path, opened, wrong)

    def use_key_file(self, path: Path, passphrase: str | None = None) -> None:
        """The key at `path` becomes the account key, in the settings too, once it loads: a
        path that held no key was saved all the same, and the key that worked was dropped;
        an encrypted one was, before its passphrase was typed (and after it was cancelled).
        Until then the key in use stays; a refusal says why."""
        self.side.active = "pane-key"
        typed = None if passphrase is None else (lambda _path: passphrase)
        try:
            key = accounts.load_key(path, typed)
        except InputError as exc:
            if isinstance(exc, PassphraseRequired) and accounts.passphrase_may_be_asked():
                wrong = "" if passphrase is None else str(exc)
                self._ask_passphrase(path, self.use_key_file, wrong)
                return
            now = self.workspace.key_path if self.workspace.key is not None else None
            kept = f"; the key in use is still {now}" if now is not None else ""
            self.notify(f"{exc}{kept}", title="Key not changed", severity="error")
            return
        self._key_changed(self.workspace.use_key(path, key))
        self.workspace.settings.account_key = str(path)
        self.save_settings()

    def certificates_changed(self) -> None:
        self.certificates_panel.action_reload()

"""The workspace screen: panels on the left (CA, key, contacts, account, orders), the live
traffic list and the selected exchange on the right, the key bar at the bottom.

Every network action runs in one worker (`run`), one at a time, that calls AcmeClient; the UI
thread never waits on the network. A key's dialogs run in a worker of their own (`_dialog`).
The state is the Workspace's; the panels only show it or report what the user changed. The
actions themselves live in account_actions.py, endpoint_actions.py, key_actions.py, orders.py
and traffic_tools.py and reach this screen through the protocols in view.py; an operation's run
is operations.py's, moving around (jump keys, the split, the status line) navigation.py's
NavigableScreen, which this screen is.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.widgets import Input

from tui.acme.errors import PassphraseRequired
from tui.acme.traffic import Exchange
from tui.dashboard import (
    account_actions,
    contact_actions,
    endpoint_actions,
    key_actions,
    orders,
    traffic_tools,
)
from tui.dashboard.keymap import ONLINE_ONLY, SIDE_PANES, WORKSPACE_BINDINGS
from tui.dashboard.navigation import NavigableScreen, Navigator
from tui.dashboard.operations import operate
from tui.dashboard.panels.account import AccountPanel
from tui.dashboard.panels.certificates import CertificatesPanel
from tui.dashboard.panels.contacts import ContactsPanel
from tui.dashboard.panels.endpoint import EndpointPanel
from tui.dashboard.panels.exchange_detail import ExchangeDetail
from tui.dashboard.panels.filter_box import FilterBox
from tui.dashboard.panels.key import KeyPanel
from tui.dashboard.panels.key_bar import KeyBar
from tui.dashboard.panels.orders import OrderForm, OrdersPanel
from tui.dashboard.panels.status_line import StatusLine
from tui.dashboard.panels.tabs import TabbedPanes
from tui.dashboard.panels.top_bar import TopBar
from tui.dashboard.panels.traffic_list import TrafficList
from tui.dashboard.view import Operation, ResultT
from tui.dashboard.workspace import Workspace
from tui.endpoints import Endpoint

if TYPE_CHECKING:
    from tui.acme.client import AcmeClient
    from tui.acme.models import Directory
    from tui.config import ConfigError


class MainScreen(NavigableScreen):
    BINDINGS = WORKSPACE_BINDINGS

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
            ports=(responder.http_port, responder.tls_port), id="orders-panel"
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
        self.traffic.focus()

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
        self.mounting = self.side.mount_hidden()
        self.detail.mount_hidden()
        self._ensure_key_loaded()
        if not self.workspace.offline:
            self.run_worker(Workspace.import_client, thread=True, group="warm-up")

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
        self.contacts_panel.show_push(has_account, workspace.endpoint.is_production)

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

    @work(group="acme")
    async def _run(self, title: str, operation: Operation, changes_state: bool) -> None:
        try:
            await operate(self, title, operation, changes_state)
        finally:
            self.busy = ""

    def need_key(self) -> bool:
        self._ensure_key_loaded()
        if self.workspace.key is None:
            self.notify("Load or generate an account key first (o / g).", severity="warning")
            self.side.active = "pane-key"
            return False
        return True

    # -- directory and account --------------------------------------------------------------

    def action_directory(self) -> None:
        account_actions.directory(self)

    def action_nonce(self) -> None:
        account_actions.nonce(self)

    def action_new_account(self) -> None:
        account_actions.new_account(self)

    def action_find_account(self) -> None:
        account_actions.find_account(self)

    def action_account_info(self) -> None:
        account_actions.account_info(self)

    def action_update_contacts(self) -> None:
        account_actions.update_contacts(self, self.workspace.settings.contacts)

    def push_contacts(self, contacts: list[str]) -> None:
        account_actions.update_contacts(self, contacts)

    def on_contacts_panel_changed(self, message: ContactsPanel.Changed) -> None:
        """Pushed to the account if there is one, and saved only once the CA took them; else
        saved (the box's label says which)."""
        if self.workspace.account is not None or self.workspace.remembered_url():
            self._dialog(lambda: contact_actions.push(self, message.contacts))
            return
        self.workspace.settings.contacts = message.contacts
        self.save_settings()

    def show_contacts(self) -> None:
        self.contacts_panel.set_contacts(self.workspace.settings.contacts)

    # -- endpoint and key -------------------------------------------------------------------

    def use_endpoint(self, endpoint: Endpoint) -> None:
        self.workspace.settings.endpoint = endpoint.name
        self.save_settings()
        self._close(self.workspace.set_endpoint(endpoint))
        self._show_endpoint()
        self.notify(f"{endpoint.environment.badge}: {endpoint.title}", timeout=3)

    def action_switch_twin(self) -> None:
        self._dialog(lambda: endpoint_actions.switch_twin(self))

    def action_choose_endpoint(self) -> None:
        self._dialog(lambda: endpoint_actions.choose_endpoint(self))

    def _ensure_key_loaded(self) -> None:
        """The saved key loads right after the first paint, or sooner if an action needs it."""
        if not self.workspace.key_loaded:
            self.load_key(self.workspace.key_path)

    def load_key(self, path: Path | None, passphrase: str | None = None) -> None:
        problem, old_client = self.workspace.load_key(path, passphrase)
        self._close(old_client)
        if isinstance(problem, PassphraseRequired) and path is not None:
            self._ask_passphrase(path)
        self.key_panel.show_key(path, self.workspace.key, str(problem or ""))
        self.show_account()

    @work(group="passphrase")
    async def _ask_passphrase(self, path: Path) -> None:
        await key_actions.ask_passphrase(self, path)

    def use_key_file(self, path: Path) -> None:
        self.workspace.settings.account_key = str(path)
        self.save_settings()
        self.load_key(path)
        self.side.active = "pane-key"

    def action_open_key(self) -> None:
        self._dialog(lambda: key_actions.open_key(self))

    def action_generate_key(self) -> None:
        self._dialog(lambda: key_actions.generate_key(self))

    def action_fix_key_mode(self) -> None:
        key_actions.fix_key_mode(self)

    # -- traffic tools ----------------------------------------------------------------------

    async def action_filter(self) -> None:
        """The filter box is mounted the first time it is wanted, not at start-up; it takes
        focus at once, so the keys typed right after `/` are its text (InOrder)."""
        found = self.query("#traffic-filter")
        if found:
            box = found.first(Input)
        else:
            box = FilterBox(self.workspace.log, id="traffic-filter")
            await self.query_one("#right").mount(box, before=0)
        box.add_class("-visible")
        self.set_focus(box)

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if message.input.id == "traffic-filter":
            if not self.traffic.apply_filter(message.value):
                return  # told why; the box keeps the text to correct
            if not message.value:
                message.input.remove_class("-visible")
            self.traffic.focus()

    def action_export_jsonl(self) -> None:
        self._dialog(lambda: traffic_tools.export_jsonl(self))

    def action_export_har(self) -> None:
        self._dialog(lambda: traffic_tools.export_har(self))

    def action_copy_exchange(self) -> None:
        traffic_tools.copy_exchange(self)

    def action_save_exchange(self) -> None:
        self._dialog(lambda: traffic_tools.save_exchange(self))

    def action_resend(self) -> None:
        self._dialog(lambda: traffic_tools.resend(self))

    def action_toggle_wrap(self) -> None:
        self.detail.wrap = not self.detail.wrap
        how = "folded at the pane's edge" if self.detail.wrap else "whole: scroll sideways"
        self.notify(f"Long lines {how}", timeout=2)

    def action_leave_field(self) -> None:
        """Escape out of a form field: typed letters no longer go into it, so R, V, ... act."""
        self.set_focus(self.traffic)

    # -- certificates (Orders tab) and the account's end of life ----------------------------

    def _order_form(self) -> OrderForm | None:
        try:
            return self.orders_panel.form()
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return None
        except NoMatches:
            self.notify("Open the Orders tab and fill in the names first.", severity="warning")
            self.side.active = "pane-orders"
            return None

    def on_orders_panel_submitted(self) -> None:
        self.action_issue()

    def action_issue(self) -> None:
        form = self._order_form()
        if form is None or not self.need_key():
            return
        if not form.names:
            self.side.active = "pane-orders"
            self.query_one("#order-names", Input).focus()
            self.notify("Type the names to certify, then Enter.", title="Issue certificate")
            return
        orders.issue(self, form)

    def action_renew(self) -> None:
        from tui.dashboard import certificate_actions

        self._dialog(lambda: certificate_actions.renew_named(self, self.certificates_panel))

    def action_revoke(self) -> None:
        self._dialog(lambda: orders.revoke(self))

    # -- the Certificates tab (certificate_actions loads with it, not at start-up) ----------

    def on_certificates_panel_reload(self) -> None:
        from tui.dashboard import certificate_actions

        self.run_worker(certificate_actions.reload(self, self.certificates_panel), group="list")

    def on_certificates_panel_renew(self, message: CertificatesPanel.Renew) -> None:
        from tui.dashboard import certificate_actions

        panel, folders = self.certificates_panel, message.folders
        certificate_actions.renew(self, panel, folders, force=message.force)

    def certificates_changed(self) -> None:
        self.certificates_panel.action_reload()

    def on_certificates_panel_open(self, message: CertificatesPanel.Open) -> None:
        from tui.dashboard import certificate_actions

        certificate_actions.open_certificate(self, message.folder)
        self.side.active = "pane-orders"

    def action_rollover(self) -> None:
        self._dialog(lambda: key_actions.rollover(self))

    def action_deactivate(self) -> None:
        orders.deactivate(self)  # its typed confirmation is asked inside the operation

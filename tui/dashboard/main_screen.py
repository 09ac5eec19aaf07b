"""The workspace screen (panels on the left; the live traffic list and the selected exchange
on the right; the status line and key bar at the bottom): what each key and each panel's
message does. The actions themselves live in account_actions.py, contact_actions.py,
endpoint_actions.py, key_actions.py, orders.py, certificate_actions.py and traffic_tools.py and
reach this screen through the protocols in view.py; the screen's machinery (composition,
showing the state, running operations) is workspace_screen.py's WorkspaceScreen.

Each action module is imported by the methods that use it, so it loads with its first key: at
start-up they, and the workflow, account and prompt modules under them, cost the first paint
12-15 ms (benchmarks/first_paint.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.css.query import NoMatches
from textual.widgets import Input

from tui.dashboard.keymap import WORKSPACE_BINDINGS
from tui.dashboard.panels.certificates import CertificatesPanel
from tui.dashboard.panels.contacts import ContactsPanel
from tui.dashboard.workspace_screen import WorkspaceScreen

if TYPE_CHECKING:
    from tui.dashboard.panels.orders import OrderForm


class MainScreen(WorkspaceScreen):
    BINDINGS = WORKSPACE_BINDINGS

    # -- directory and account --------------------------------------------------------------

    def action_directory(self) -> None:
        from tui.dashboard import account_actions

        account_actions.directory(self)

    def action_nonce(self) -> None:
        from tui.dashboard import account_actions

        account_actions.nonce(self)

    def action_new_account(self) -> None:
        from tui.dashboard import account_actions

        account_actions.new_account(self)

    def action_find_account(self) -> None:
        from tui.dashboard import account_actions

        account_actions.find_account(self)

    def action_account_info(self) -> None:
        from tui.dashboard import account_actions

        account_actions.account_info(self)

    def action_update_contacts(self) -> None:
        from tui.dashboard import account_actions

        account_actions.update_contacts(self, self.contacts_panel.contacts)

    def push_contacts(self, contacts: list[str]) -> None:
        from tui.dashboard import account_actions

        account_actions.update_contacts(self, contacts)

    def on_contacts_panel_changed(self, message: ContactsPanel.Changed) -> None:
        """Pushed to the account if there is one, and saved only once the CA took them; else
        saved (the box's label says which)."""
        from tui.dashboard import contact_actions

        if self.workspace.account is not None or self.workspace.remembered_url():
            self._dialog(lambda: contact_actions.push(self, message.contacts))
            return
        self.workspace.settings.contacts = message.contacts
        self.save_settings()

    def show_contacts(self) -> None:
        self.contacts_panel.set_contacts(self.workspace.settings.contacts)

    # -- endpoint and key -------------------------------------------------------------------

    def action_switch_twin(self) -> None:
        from tui.dashboard import endpoint_actions

        self._dialog(lambda: endpoint_actions.switch_twin(self))

    def action_choose_endpoint(self) -> None:
        from tui.dashboard import endpoint_actions

        self._dialog(lambda: endpoint_actions.choose_endpoint(self))

    def action_open_key(self) -> None:
        from tui.dashboard import key_actions

        self._dialog(lambda: key_actions.open_key(self))

    def action_generate_key(self) -> None:
        from tui.dashboard import key_actions

        self._dialog(lambda: key_actions.generate_key(self))

    def action_fix_key_mode(self) -> None:
        from tui.dashboard import key_actions

        key_actions.fix_key_mode(self)

    # -- traffic tools ----------------------------------------------------------------------

    async def action_filter(self) -> None:
        """The filter box is mounted the first time it is wanted, not at start-up; it takes
        focus at once, so the keys typed right after `/` are its text (InOrder)."""
        from tui.dashboard.panels.filter_box import FilterBox

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
        from tui.dashboard import traffic_tools

        self._dialog(lambda: traffic_tools.export_jsonl(self))

    def action_export_har(self) -> None:
        from tui.dashboard import traffic_tools

        self._dialog(lambda: traffic_tools.export_har(self))

    def action_copy_exchange(self) -> None:
        from tui.dashboard import traffic_tools

        traffic_tools.copy_exchange(self)

    def action_save_exchange(self) -> None:
        from tui.dashboard import traffic_tools

        self._dialog(lambda: traffic_tools.save_exchange(self))

    def action_resend(self) -> None:
        from tui.dashboard import traffic_tools

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
        from tui.dashboard import orders

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
        from tui.dashboard import orders

        self._dialog(lambda: orders.revoke(self))

    # -- the Certificates tab (certificate_actions loads with it, not at start-up) ----------

    def on_certificates_panel_reload(self) -> None:
        from tui.dashboard import certificate_actions

        self.run_worker(certificate_actions.reload(self, self.certificates_panel), group="list")

    def on_certificates_panel_renew(self, message: CertificatesPanel.Renew) -> None:
        from tui.dashboard import certificate_actions

        panel, folders = self.certificates_panel, message.folders
        certificate_actions.renew(self, panel, folders, force=message.force)

    def on_certificates_panel_revoke(self, message: CertificatesPanel.Revoke) -> None:
        from tui.dashboard import orders

        self._dialog(lambda: orders.revoke(self, message.folder / "cert.pem"))

    def on_certificates_panel_open(self, message: CertificatesPanel.Open) -> None:
        from tui.dashboard import certificate_actions

        certificate_actions.open_certificate(self, message.folder)
        self.side.active = "pane-orders"

    def action_rollover(self) -> None:
        from tui.dashboard import key_actions

        self._dialog(lambda: key_actions.rollover(self))

    def action_deactivate(self) -> None:
        from tui.dashboard import orders

        orders.deactivate(self)  # its typed confirmation is asked inside the operation

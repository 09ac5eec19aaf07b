"""The dashboard's directory, nonce and account keys (d n a l i u) as operations for View.run.
The account policy (terms of service, External Account Binding, remembering the account under
its endpoint and key) is tui/accounts.py's, the same as the CLI's; its questions are asked as
dialogs (prompts.DialogPrompts), in the network worker, only when the policy asks them."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

from tui import accounts
from tui.acme.errors import AcmeError
from tui.acme.hooks import EAB_KEY_ENV
from tui.config import configured_eab_mac_key
from tui.dashboard.prompts import DialogPrompts
from tui.dashboard.view import View

if TYPE_CHECKING:
    from tui.acme.client import AcmeClient
    from tui.acme.models import Account, Directory


class AccountView(View, Protocol):
    def show_directory(self, directory: Directory) -> None: ...


def _show(view: View, account: Account) -> None:
    """The account as the CA has it now (accounts.* has remembered it in the session)."""
    view.workspace.account = account
    view.show_account()


def directory(view: AccountView) -> None:
    """GET every time, and said: with the copy the client had, a second `d` did nothing visible."""

    async def operation(client: AcmeClient) -> str:
        view.show_directory(await client.directory(refresh=True))
        return f"{client.directory_url} fetched {time.strftime('%H:%M:%S')}: on the CA tab (1)"

    view.run("Get directory", operation)


def nonce(view: View) -> None:
    async def operation(client: AcmeClient) -> str:
        return f"nonce {await client.new_nonce()}"

    view.run("New nonce", operation)


def new_account(view: View) -> None:
    """newAccount as accounts.new_account decides it. The configured EAB pair (key id from the
    config, MAC key from $ACMEDASH_EAB_HMAC_KEY or the config, as for the CLI) is checked
    here, before any request; without one, it is asked for if the CA requires it."""
    if not view.need_key():
        return
    workspace = view.workspace
    settings = workspace.settings
    try:
        eab = accounts.external_account_binding(
            settings.eab_kid,
            configured_eab_mac_key(settings),
            where=f"eab_kid in the config, and ${EAB_KEY_ENV} or the config's eab_hmac_key_file",
        )
    except AcmeError as exc:
        view.notify(str(exc), title="New account", severity="error")
        return

    async def operation(client: AcmeClient) -> str:
        account = await accounts.new_account(
            workspace.session, client, DialogPrompts(view), settings.contacts, eab
        )
        _show(view, account)
        return "Account created." if account.created else "This key already had an account."

    view.run("New account", operation, changes_state=True)


def find_account(view: View) -> None:
    if not view.need_key():
        return

    async def operation(client: AcmeClient) -> str:
        _show(view, await accounts.find_account(view.workspace.session, client))
        return "Account found."

    view.run("Find account", operation)


def account_info(view: View) -> None:
    if not view.need_key():
        return

    async def operation(client: AcmeClient) -> str:
        _show(view, await accounts.fetch_account(view.workspace.session, client))
        return ""

    view.run("Account info", operation)


class ContactsShownView(View, Protocol):
    busy: str  # the operation in flight, "" when none

    def show_contacts(self) -> None: ...


def update_contacts(view: ContactsShownView, contacts: list[str]) -> None:
    """Replaces the account's contacts with `contacts` (RFC 8555 §7.3.2), kept in the settings
    only once the CA took them: a refusal, a network failure or a cancelled production question
    leaves the config as it was. Till then the Contacts panel shows the settings' contacts.
    While another operation runs, the panel keeps the list as edited (it was put back to the
    settings' contacts, and the edit lost, under a "still running" warning): `u` pushes it."""
    if view.busy:
        view.notify(
            f"{view.busy} is still running: the contacts stay as you edited them, not sent; "
            "press u in the Contacts tab once it is done.",
            severity="warning",
        )
        return
    view.show_contacts()
    if not view.need_key():
        return
    workspace = view.workspace
    wanted = list(contacts)

    async def operation(client: AcmeClient) -> str:
        account = await accounts.update_contacts(workspace.session, client, wanted)
        _show(view, account)
        accounts.keep_contacts(workspace.session, wanted)
        view.show_contacts()
        if note := accounts.contacts_not_taken(account, wanted):
            view.notify(f"Sent, but {note}.", title="Check the contacts", severity="warning")
            return "Contacts sent; the CA's answer differs (see the Account tab)."
        return "Contacts updated on the server."

    view.run("Update contacts", operation, changes_state=True)

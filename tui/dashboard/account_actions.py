"""The dashboard's directory, nonce and account keys (d n a l i u) as operations for View.run.
The questions a new account needs (terms of service, External Account Binding) are asked
through the view, in the network worker, only when the directory says they are needed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.prompt import PromptScreen
from tui.dashboard.view import View

if TYPE_CHECKING:
    from tui.acme.client import AcmeClient
    from tui.acme.models import Account, Directory


class AccountView(View, Protocol):
    def show_directory(self, directory: Directory) -> None: ...


def _account_changed(view: View, client: AcmeClient, account: Account) -> None:
    view.workspace.account_changed(client, account)
    view.save_settings()
    view.show_account()


def directory(view: AccountView) -> None:
    async def operation(client: AcmeClient) -> str:
        view.show_directory(await client.directory())
        return ""

    view.run("Get directory", operation)


def nonce(view: View) -> None:
    async def operation(client: AcmeClient) -> str:
        return f"nonce {await client.new_nonce()}"

    view.run("New nonce", operation)


def new_account(view: View) -> None:
    """newAccount, after the terms of service are agreed in a dialog (default Cancel)."""
    if not view.need_key():
        return
    settings = view.workspace.settings

    async def operation(client: AcmeClient) -> str:
        directory = await client.directory()
        eab = None
        if directory.meta.external_account_required:
            eab = await _external_account_binding(view)
            if eab is None:
                return "This CA requires External Account Binding; no account created."
        agreed: bool | None = None
        if directory.meta.terms_of_service:
            agreed = await view.ask(
                ConfirmScreen(
                    "Terms of service",
                    f"Creating an account means agreeing to the CA's terms of service:\n\n"
                    f"{directory.meta.terms_of_service}\n\nDo you agree?",
                    "I agree",
                    alarm=False,
                )
            )
            if not agreed:
                return "Terms not agreed; no account created."
        account = await client.new_account(settings.contacts, terms_agreed=agreed, eab=eab)
        _account_changed(view, client, account)
        return "Account created." if account.created else "This key already had an account."

    view.run("New account", operation, changes_state=True)


async def _external_account_binding(view: View) -> tuple[str, str] | None:
    """RFC 8555 §7.3.4: the key id and MAC key the CA issued, from the config or asked for.
    The MAC key is typed into a password box and used once; it is never shown or saved."""
    settings = view.workspace.settings
    kid, mac_key = settings.eab_kid, settings.eab_hmac_key
    if not kid:
        title = "This CA requires External Account Binding. Key id (EAB KID):"
        answer = await view.ask(PromptScreen(title))
        kid = answer or ""
    if kid and not mac_key:
        title = f"MAC key for {kid} (base64url; not shown, not saved)"
        answer = await view.ask(PromptScreen(title, password=True))
        mac_key = answer or ""
    return (kid, mac_key) if kid and mac_key else None


def find_account(view: View) -> None:
    if not view.need_key():
        return

    async def operation(client: AcmeClient) -> str:
        _account_changed(view, client, await client.find_account())
        return "Account found."

    view.run("Find account", operation)


def account_info(view: View) -> None:
    if not view.need_key():
        return

    async def operation(client: AcmeClient) -> str:
        _account_changed(view, client, await client.fetch_account())
        return ""

    view.run("Account info", operation)


def update_contacts(view: View) -> None:
    """Replaces the account's contacts with the settings' (RFC 8555 §7.3.2)."""
    if not view.need_key():
        return
    settings = view.workspace.settings

    async def operation(client: AcmeClient) -> str:
        _account_changed(view, client, await client.update_account(settings.contacts))
        return "Contacts updated on the server."

    view.run("Update contacts", operation, changes_state=True)

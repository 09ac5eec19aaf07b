"""The contacts' push to the account (the add-contact box's Enter; the settings keep them once
the CA took them): a push to a production account asks first, every time, since Enter in a text
box is an easy key to press."""

from __future__ import annotations

from typing import Protocol

from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.view import View


class ContactsView(View, Protocol):
    def push_contacts(self, contacts: list[str]) -> None:
        """Replaces the account's contacts with `contacts` (an operation)."""
        ...

    def show_contacts(self) -> None:
        """The Contacts panel shows the settings' contacts again (a change not made)."""
        ...


async def push(view: ContactsView, contacts: list[str]) -> None:
    """When the session's first production question is still to come (operations.py), that
    one asks instead: one question, not two."""
    workspace = view.workspace
    endpoint = workspace.endpoint
    if endpoint.is_production and endpoint.url in workspace.confirmed_production:
        listed = "\n".join(contacts) or "(none)"
        sure = await view.ask(
            ConfirmScreen(
                f"Update your PRODUCTION account: {endpoint.title}",
                f"The account at {endpoint.url} gets these contacts:\n{listed}\n\n"
                f"They are kept {workspace.kept} once the CA has taken them. Update the account?",
                "Yes, update the account",
            )
        )
        if not sure:
            view.show_contacts()
            view.notify("Nothing changed: neither the account nor the contacts kept here.")
            return
    view.push_contacts(contacts)

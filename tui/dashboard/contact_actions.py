"""The contacts' push to the account (the add-contact box's Enter, after the settings are
saved): a push to a production account asks first, every time, since Enter in a text box is an
easy key to press."""

from __future__ import annotations

from typing import Protocol

from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.view import View


class ContactsView(View, Protocol):
    def action_update_contacts(self) -> None:
        """Replaces the account's contacts with the settings' (an operation)."""
        ...


async def push(view: ContactsView) -> None:
    """When the session's first production question is still to come (operations.py), that
    one asks instead: one question, not two."""
    workspace = view.workspace
    endpoint = workspace.endpoint
    if endpoint.is_production and endpoint.url in workspace.confirmed_production:
        contacts = "\n".join(workspace.settings.contacts) or "(none)"
        sure = await view.ask(
            ConfirmScreen(
                f"Update your PRODUCTION account: {endpoint.title}",
                f"The account at {endpoint.url} gets these contacts:\n{contacts}\n\n"
                f"They are kept {workspace.kept} either way. Update the account?",
                "Yes, update the account",
            )
        )
        if not sure:
            view.notify(f"Kept {workspace.kept}, not on the account; u updates it.")
            return
    view.action_update_contacts()

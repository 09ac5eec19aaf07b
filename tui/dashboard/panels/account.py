"""Account panel: the account of the current key at the current endpoint."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.acme.models import Account


class AccountPanel(Static):
    def show_account(self, account: Account | None, remembered_url: str | None = None) -> None:
        if account is None:
            if remembered_url:
                self.update(Text(f"remembered: {remembered_url}\ni: fetch it   l: look it up"))
            else:
                self.update(
                    "No account for this key here.\na: create one   l: look up an existing one"
                )
            return
        colour = "green" if account.status == "valid" else "red"
        self.update(
            Text.assemble(
                f"url:     {account.url}\nstatus:  ",
                (account.status, colour),
                f"\ncreated: {account.created_at or '-'}\n"
                f"contact: {', '.join(account.contact) or '-'}\n"
                f"orders:  {account.orders or '-'}\n"
                "K: key rollover   D: deactivate",
            )
        )

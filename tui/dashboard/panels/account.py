"""Account panel: the account of the current key at the current endpoint, as the CA sent it
(made printable: every field is the server's text)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from tui.dashboard.untrusted import printable

if TYPE_CHECKING:
    from tui.acme.models import Account


class AccountPanel(Static):
    def show_account(self, account: Account | None, remembered_url: str | None = None) -> None:
        if account is None:
            if remembered_url:
                shown = printable(remembered_url)
                self.update(Text(f"remembered: {shown}\ni: fetch it   l: look it up"))
            else:
                self.update(
                    "No account for this key here.\na: create one   l: look up an existing one"
                )
            return
        colour = "green" if account.status == "valid" else "red"
        self.update(
            Text.assemble(
                f"url:     {printable(account.url)}\nstatus:  ",
                (printable(account.status), colour),
                f"\ncreated: {printable(account.created_at or '-')}\n"
                f"contact: {printable(', '.join(account.contact) or '-')}\n"
                f"orders:  {printable(account.orders or '-')}\n"
                "K: key rollover   D: deactivate",
            )
        )

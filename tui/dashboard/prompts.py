"""accounts.Prompts as the dashboard asks them: each question a modal, awaited in the network
worker that runs the account operation. What to ask, and when, is tui/accounts.py's decision,
the same as for the CLI; this module only decides how a question looks."""

from __future__ import annotations

from dataclasses import dataclass

from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.prompt import PromptScreen
from tui.dashboard.view import View


@dataclass
class DialogPrompts:
    view: View

    async def agree_to_terms(self, url: str) -> bool:
        """The terms of service URL is the CA's text: ConfirmScreen shows it inert."""
        return await self.view.ask(
            ConfirmScreen(
                "Terms of service",
                "Creating an account means agreeing to the CA's terms of service:\n\n"
                f"{url}\n\nDo you agree?",
                "I agree",
                alarm=False,
            )
        )

    async def eab_credentials(self) -> tuple[str, str] | None:
        """RFC 8555 §7.3.4: the key id, then the MAC key in a password box; the MAC key is
        used for this request only, never shown or saved. Either left empty: None."""
        title = "This CA requires External Account Binding. Key id (EAB KID):"
        kid = (await self.view.ask(PromptScreen(title)) or "").strip()
        if not kid:
            return None
        title = f"MAC key for {kid} (base64url; not shown, not saved)"
        mac_key = (await self.view.ask(PromptScreen(title, password=True)) or "").strip()
        return (kid, mac_key) if mac_key else None

    async def confirm(self, question: str, *, typed: str = "") -> bool:
        """With `typed`, the word must be typed (Enter alone does nothing); otherwise a yes/no
        whose default is No."""
        from tui.dashboard.screens.typed_confirm import TypedConfirmScreen

        if typed:
            return await self.view.ask(TypedConfirmScreen(question, typed))
        return await self.view.ask(ConfirmScreen("Confirm", question, "Yes"))

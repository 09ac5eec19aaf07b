"""What the dashboard's actions need from the screen that runs them, as a small protocol: the
actions (account_actions.py, orders.py, traffic_tools.py, prompts.py) depend on this, not on
the App or on a concrete Screen, so none of them imports the module that imports them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.screen import Screen

    from tui.acme.client import AcmeClient
    from tui.dashboard.workspace import Workspace

Operation = Callable[["AcmeClient"], Awaitable[str]]
"""Network work for View.run: takes the client, returns the line to notify ("" for none)."""

ResultT = TypeVar("ResultT")


class View(Protocol):
    @property
    def workspace(self) -> Workspace: ...

    async def ask(self, screen: Screen[ResultT]) -> ResultT:
        """Shows a modal and waits for its answer (only from a worker)."""
        ...

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...

    def run(self, title: str, operation: Operation, *, changes_state: bool = False) -> None:
        """Runs `operation` in the network worker: production confirmation, busy bar, errors
        shown as notifications. Refused, with a notification, while another one runs."""
        ...

    def need_key(self) -> bool:
        """True when an account key is loaded; else the user is told how to get one."""
        ...

    def show_account(self) -> None:
        """The workspace's account changed: show it."""
        ...

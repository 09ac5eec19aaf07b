"""One network operation from a key to its end: the production question, the busy bar, the
client, and every way it can fail shown as a notification, never as a crash (a bug must not take
the session and its traffic log down with it). MainScreen.run calls it in its one worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from textual import log

from tui.accounts import CREATE_BY_KEY, problem_hint
from tui.acme.errors import AcmeError, ProblemError
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.untrusted import IN_A_LINE, printable
from tui.dashboard.view import Operation, View

if TYPE_CHECKING:
    from tui.acme.traffic import Exchange


class OperationView(View, Protocol):
    def show_busy(self, title: str) -> None:
        """The top bar names the operation in flight ("" when none)."""
        ...

    def record(self, exchange: Exchange) -> None:
        """The client's observer: the exchange goes to the traffic log and list."""
        ...


async def _production_confirmed(view: View, title: str) -> bool:
    """The first state-changing request to a production endpoint in a session asks first."""
    workspace = view.workspace
    endpoint = workspace.endpoint
    if not endpoint.is_production or endpoint.url in workspace.confirmed_production:
        return True
    confirmed = await view.ask(
        ConfirmScreen(
            f"PRODUCTION: {endpoint.title}",
            f"{title} on the PRODUCTION endpoint\n{endpoint.url}\n\n"
            "This changes real state at a real CA. Continue?",
            "Yes, use production",
        )
    )
    if not confirmed:
        view.notify("Cancelled.", severity="warning")
        return False
    workspace.confirmed_production.add(endpoint.url)
    return True


def _from_ca(text: str) -> str:
    """A CA's text as one line for a notification: a problem detail's own newlines read as
    lines of ours (a forged "renewed" line under the real error). The traffic keeps it whole."""
    cut = printable(text, limit=IN_A_LINE)
    whole = "(the whole text: the exchange's Response tab)"
    return cut if cut == printable(text) else f"{cut}\n{whole}"


async def operate(
    view: OperationView, title: str, operation: Operation, changes_state: bool
) -> None:
    workspace = view.workspace
    if workspace.offline:
        view.notify("Offline inspection: no requests are sent.", severity="warning")
        return
    if changes_state and not await _production_confirmed(view, title):
        return
    view.show_busy(title)
    try:
        message = await operation(workspace.client(view.record))
    except ProblemError as exc:
        hint = problem_hint(exc, CREATE_BY_KEY)
        view.notify(
            "\n".join(filter(None, [_from_ca(str(exc)), hint])),
            title=f"{title}: server problem",
            severity="error",
            timeout=10,
        )
    except AcmeError as exc:
        view.notify(_from_ca(str(exc)), title=f"{title} failed", severity="error", timeout=10)
    except Exception as exc:
        log.error(f"{title}: {exc!r}")
        view.notify(
            f"unexpected {type(exc).__name__}: {printable(str(exc), limit=IN_A_LINE)}",
            title=f"{title} failed",
            severity="error",
        )
    else:
        if message:  # one line, which may carry the CA's text (an account's status)
            view.notify(printable(message), title=title)
    finally:
        view.show_busy("")

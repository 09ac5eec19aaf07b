"""What the dashboard does with recorded traffic: export the marked exchanges, or the shown
ones when none is marked (JSONL, HAR 1.2), copy or save one or a part of one, and resend one
with an edited payload. A resend goes through the client
like any other request: new nonce, signed anew, recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tui.acme.fileio import atomic_write, created_folders, missing_folders
from tui.dashboard.screens.confirm import ConfirmScreen
from tui.dashboard.screens.prompt import PromptScreen
from tui.dashboard.untrusted import printable
from tui.dashboard.view import View
from tui.words import counted

if TYPE_CHECKING:
    from tui.acme.client import AcmeClient
    from tui.acme.traffic import Exchange


class TrafficView(View, Protocol):
    def selected(self) -> Exchange | None:
        """The exchange under the cursor; None (and the user told) when there is none."""
        ...

    def copy_to_clipboard(self, text: str) -> None: ...


def _default_name(view: View, suffix: str) -> str:
    return str(view.workspace.place(f"acmedash-{datetime.now():%Y%m%d-%H%M%S}{suffix}"))


async def _write_file(view: View, title: str, suffix: str, render: Callable[[], str]) -> None:
    """Asks where (a file that exists is replaced only after a confirmation), then writes
    atomically with mode 0600: traffic holds account URLs and orders."""
    path = await view.ask(
        PromptScreen(title, _default_name(view, suffix), file_in=view.workspace.folder)
    )
    if not path:
        return
    target = Path(path)
    if target.exists():
        overwrite = await view.ask(
            ConfirmScreen("File exists", f"{target} exists. Replace it?", "Replace", alarm=False)
        )
        if not overwrite:
            return
    created = missing_folders(target)
    try:
        atomic_write(target, render().encode("utf-8"), mode=0o600)
    except OSError as exc:
        # "X: No such file or directory" read as a file to open, not one that could not be
        # made (a path in /proc, a read-only or full disk)
        why = exc.strerror or str(exc)
        view.notify(f"{target} was not written: {why}", title="Not saved", severity="error")
        return
    made = f"; created {created_folders(created)}" if created else ""
    view.notify(f"Wrote {target}{made}", markup=False)


def _exported(view: View) -> tuple[list[Exchange], str]:
    """The marked exchanges when any is, else the shown ones; and what to call them."""
    log = view.workspace.log
    marked = log.marked_exchanges()
    if marked:
        return marked, f"the {counted(len(marked), 'marked exchange')}"
    return log.shown(), "the shown exchanges"


async def export_jsonl(view: View) -> None:
    exchanges, which = _exported(view)
    await _write_file(
        view,
        f"Export {which} as JSONL",
        ".jsonl",
        lambda: "".join(json.dumps(e.to_record(), ensure_ascii=False) + "\n" for e in exchanges),
    )


async def export_har(view: View) -> None:
    from tui.acme import __version__
    from tui.acme.traffic import to_har

    exchanges, which = _exported(view)
    await _write_file(
        view,
        f"Export {which} as HAR 1.2",
        ".har",
        lambda: json.dumps(to_har(exchanges, __version__), indent=2),
    )


async def copy_part(view: TrafficView, exchange: Exchange) -> None:
    """One part (a header, the body, the nonce, curl for an unsigned request) to the clipboard
    through OSC 52, or to a file: over SSH OSC 52 is the only way to the local clipboard, and
    only when the terminal (and tmux's set-clipboard) let it through, so a file is offered."""
    from tui.dashboard.exchange_parts import parts
    from tui.dashboard.screens.copy_part import CopyPartScreen

    workspace = view.workspace
    found = parts(exchange, workspace.settings.ca_bundle_path(workspace.session.ca_bundle))
    name = view.workspace.log.reference(exchange)
    answer = await view.ask(CopyPartScreen(f"Copy from exchange {name}", list(found)))
    if answer is None:
        return
    part, where = answer
    text = found[part]
    if where == "clipboard":
        view.copy_to_clipboard(text)
        view.notify(
            f"{printable(part)} ({len(text)} characters) sent to the clipboard with OSC 52; a "
            "terminal or tmux that does not pass OSC 52 on drops it: y, then s, writes a file.",
            title=f"Copied from {name}",
            markup=False,
        )
        return
    suffix = "-curl.sh" if part == "copy as curl" else ".txt"
    await _write_file(view, f"Save {part} of {name}", f"-{_tag(name)}{suffix}", lambda: text)


def _tag(reference: str) -> str:
    """`#2:9` as a file name takes it: `2-9` (seq 9 alone names one exchange per run)."""
    return reference.removeprefix("#").replace(":", "-")


def copy_exchange(view: TrafficView) -> None:
    exchange = view.selected()
    if exchange is not None:
        view.copy_to_clipboard(json.dumps(exchange.to_record(), indent=2))
        view.notify(
            "Sent to the clipboard with OSC 52; not every terminal (or tmux) passes it on. "
            "Press s to save it to a file instead.",
            title=f"Exchange {view.workspace.log.reference(exchange)}",
        )


async def save_exchange(view: TrafficView) -> None:
    exchange = view.selected()
    if exchange is not None:
        name = view.workspace.log.reference(exchange)
        await _write_file(
            view,
            f"Save exchange {name} as JSON",
            f"-{_tag(name)}.json",
            lambda: json.dumps(exchange.to_record(), indent=2) + "\n",
        )


async def resend(view: TrafficView) -> None:
    """Edit the payload, then the client signs it anew (fresh nonce) and sends it; a byte-for-
    byte replay cannot work, nonces being single-use."""
    exchange = view.selected()
    if exchange is None:
        return
    if exchange.jws is None:
        view.notify("Only signed POSTs can be edited and resent.", severity="warning")
        return
    if not view.need_key():
        return
    from tui.dashboard.screens.resend import ResendScreen  # TextArea: not at start-up

    use_jwk = "jwk" in exchange.jws.protected
    answer = await view.ask(ResendScreen(exchange.url, exchange.jws.payload, use_jwk))
    if answer is None:
        return
    payload, use_jwk = answer

    async def operation(client: AcmeClient) -> str:
        await client.post(exchange.url, payload, use_jwk=use_jwk, resent_from=exchange.seq)
        return f"Resent #{exchange.seq}."

    view.run("Resend", operation, changes_state=True)

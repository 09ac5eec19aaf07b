"""The status line above the key bar: where focus is, follow on/off, the active filter, how many
exchanges the list shows of how many there are, and how many are marked. One line, always there,
at every width: what would not fit is cut from the filter text, never from the counts. What it
says of the traffic is the traffic model's status() (tui/traffic_log.py)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.dashboard.untrusted import fitted, printable
from tui.traffic_log import TrafficStatus

TYPING = " · typing"  # after the focus's name when keys go into a text box


def status_text(focus: str, traffic: TrafficStatus, width: int) -> Text:
    """`width` columns of: focus, follow, filter, [marked], [not searched], "N of M"."""
    marked = f"{traffic.marked} marked  " if traffic.marked else ""
    # The filter's regular expression gave up on these: "N of M" alone claimed a full search.
    unsure = f"{traffic.too_slow} not searched  " if traffic.too_slow else ""
    shown = "filtering…" if traffic.filtering else f"{traffic.shown} of"
    tail = f"  {marked}{unsure}{shown} {traffic.total} "
    follow = "on" if traffic.follow else "OFF"
    room = width - len(tail) - len(f"   follow {follow}")
    typing = TYPING if focus.endswith(TYPING) else ""
    name = focus.removesuffix(typing)  # a dialog's title can be long: cut before "typing"
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f" {fitted(name, room - len(typing))}{typing} ", style="bold reverse")
    text.append(" follow ")
    text.append(follow, style="bold" if traffic.follow else "bold reverse")
    if traffic.filter:
        room = width - len(text.plain) - len(tail) - len("  filter: ")
        text.append("  filter: ")
        text.append(fitted(printable(traffic.filter), room), style="bold")
    text.append(" " * max(0, width - len(text.plain) - len(tail)))
    text.append(tail, style="bold")
    return text


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $panel; color: $foreground; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._state = ("", TrafficStatus(0, 0, True, "", 0))

    def show(self, focus: str, traffic: TrafficStatus) -> None:
        if (focus, traffic) != self._state:
            self._state = (focus, traffic)
            self.refresh()

    def render(self) -> Text:
        focus, traffic = self._state
        return status_text(focus, traffic, self.size.width)

"""The `acmedash` console script: the garbage collector paused (tui/collector.py) before
anything else loads."""

from tui import collector

collector.pause()

from tui.cli.command import main  # noqa: E402  (after the pause: that is the point)

__all__ = ["main"]

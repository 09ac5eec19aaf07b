"""The `acmedash` command line. The console script is `tui.launch:main` (it pauses the garbage
collector before this loads); the parser, exit codes and run() are in command.py (not main.py:
the name would be shadowed by the function here)."""

from tui.cli.command import main, run

__all__ = ["main", "run"]

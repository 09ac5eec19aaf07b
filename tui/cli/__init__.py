"""The `acmedash` command line. `tui.cli:main` is the console script; the parser, exit codes
and run() are in command.py (not main.py: the name would be shadowed by the function here)."""

from tui.cli.command import main, run

__all__ = ["main", "run"]

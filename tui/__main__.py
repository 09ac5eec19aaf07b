"""`python -m tui` runs the same entry point as the `acmedash` script."""

from tui.cli import main

main()

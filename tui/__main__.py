"""`python -m tui` runs the same entry point as the `acmedash` script."""

from tui.launch import main

main()

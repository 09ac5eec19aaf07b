"""`python -m tui` runs the same entry point as the `acmedash` script."""

import sys

from tui.cli import main

sys.exit(main())

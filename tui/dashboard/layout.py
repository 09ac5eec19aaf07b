"""How the width is shared between the left panel (CA, key, contacts, account, orders) and the
traffic list with the exchange detail: the rule, as numbers, without widgets.

The left panel used to be 36 columns at every width: at 60 columns the traffic list got 24, too
few for a row. Now the right side keeps at least RIGHT_MIN columns, the left panel gives way
down to SIDE_MIN, and what a wide terminal has on top goes to the traffic and the detail (the
left panel grows only from 160 columns on). `<` and `>` move the split by STEP columns, `z`
hides the left panel (the jump keys 1-6 bring it back).
"""

from __future__ import annotations

from dataclasses import dataclass

SIDE = 37  # the left panel, 80 to 159 columns: 36 for its texts, 1 for the split's line
SIDE_WIDE = 57  # from WIDE columns on
WIDE = 160
SIDE_MIN = 20  # narrower, the order form's labels and the key panel's text no longer fit
RIGHT_MIN = 36  # a traffic row: seq, method, a path worth reading, status
STEP = 4


@dataclass
class Split:
    """The user's choice: a width for the left panel (None: the default for the terminal's
    width), or the left panel hidden."""

    side: int | None = None
    collapsed: bool = False

    def side_width(self, total: int) -> int:
        """The left panel's columns in a terminal `total` columns wide (0: hidden)."""
        if self.collapsed:
            return 0
        wanted = self.side if self.side is not None else SIDE_WIDE if total >= WIDE else SIDE
        return max(min(SIDE_MIN, total), min(wanted, total - RIGHT_MIN))

    def resize(self, total: int, step: int) -> bool:
        """Wider (step > 0) or narrower by `step` columns, within the limits; False when it
        is at the limit already (or hidden: `z` shows it first)."""
        if self.collapsed:
            return False
        now = self.side_width(total)
        wanted = max(SIDE_MIN, min(now + step, total - RIGHT_MIN))
        if wanted == now:
            return False
        self.side = wanted
        return True

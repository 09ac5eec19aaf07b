"""The traffic inspector with 100,000 exchanges (issue 11): `acmedash inspect` on a file of
100,000 records in an 80x24 tmux pane, measured as traffic_keys.py measures 10,000.

Run (from inside benchmarks/): python traffic_100k.py
Goals: opened in <= 3 s, <= 50 ms per key press, <= 300 MiB resident. The list stays virtual:
only the rows on screen are drawn, whatever the count.
"""

from __future__ import annotations

from traffic_keys import main

if __name__ == "__main__":
    main(100_000)

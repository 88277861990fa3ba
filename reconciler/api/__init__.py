"""The only code that speaks HTTP: the Admin API client, pacing, where to connect, fetching
live state, applying a plan, request logging, and the one seam to the simulator."""

import sys

# httpx imports its own command-line tool on import when rich and pygments are installed
# (40 ms, on every streaks command); streaks never uses it, so that import is declined, as
# httpx allows (it falls back to a stub when the import fails).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

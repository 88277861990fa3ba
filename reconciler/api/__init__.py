"""The only code that speaks HTTP: the Admin API client, pacing, where to connect, fetching
live state, applying a plan, request logging, and the one seam to the simulator."""

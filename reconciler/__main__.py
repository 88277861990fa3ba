"""Allow ``python -m reconciler``."""

from __future__ import annotations

from reconciler.cli import run

if __name__ == "__main__":
    run()

"""``streaks sim serve``: the simulator on a real socket, served by uvicorn."""

from __future__ import annotations

import logging

from reconciler.sim.app import SimConfig, create_app
from reconciler.sim.middleware import DroppedConnection


class _QuietDrops(logging.Filter):
    """Injected drops are expected: keep their tracebacks out of the server log."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


def serve(config: SimConfig, host: str, port: int, log_level: str = "warning") -> None:
    """Run the simulator until interrupted."""
    import uvicorn

    logging.getLogger("uvicorn.error").addFilter(_QuietDrops())
    uvicorn.run(create_app(config), host=host, port=port, log_level=log_level,
                access_log=log_level in ("info", "debug"))

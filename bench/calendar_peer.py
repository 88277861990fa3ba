"""The calendar's peer: what any tool in Python must do for `streaks calendar --format json
--days 365`: read every file with PyYAML's C loader, expand each schedule window with
dateutil over the year, and write every status change as indented JSON. Prints seconds.

    python bench/calendar_peer.py STREAKS_DIR
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo


def main(root: Path) -> None:
    start = time.perf_counter()
    import yaml
    from dateutil.rrule import rrulestr

    now = datetime.now(UTC)
    until = now + timedelta(days=365)
    changes = []
    for path in sorted(root.rglob("*.yaml")):
        data = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        if not isinstance(data, dict) or not data.get("schedule"):
            continue
        config = data.get("config") or {}
        zone_name = (config.get("window") or {}).get("timezone", "UTC")
        status = data.get("status", "active")
        for window in data["schedule"]:
            if window["status"] == status:
                continue  # no change: the status is that already
            zone = ZoneInfo(window.get("timezone") or zone_name)
            first = datetime.fromisoformat(window["start"]).replace(tzinfo=zone)
            if window.get("rrule"):
                amount, unit = int(window["duration"][:-1]), window["duration"][-1]
                length = timedelta(**{{"h": "hours", "d": "days", "m": "minutes"}[unit]: amount})
                rule = rrulestr(window["rrule"], dtstart=first.replace(tzinfo=None))
                opens = [o.replace(tzinfo=zone) for o in rule.between(
                    (now - length).astimezone(zone).replace(tzinfo=None),
                    until.astimezone(zone).replace(tzinfo=None), inc=True)]
                spans = [(o, o + length) for o in opens]
            else:
                spans = [(first, datetime.fromisoformat(window["end"]).replace(tzinfo=zone))]
            for opened, closed in spans:
                for at, before, after in ((opened, status, window["status"]),
                                          (closed, window["status"], status)):
                    if now <= at.astimezone(UTC) < until:
                        changes.append({
                            "tenant": path.parent.name, "name": data.get("name"),
                            "at": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                            "local": at.strftime("%Y-%m-%dT%H:%M%z"),
                            "timezone": str(zone), "from": before, "to": after,
                            "note": window.get("note", "")})
    changes.sort(key=lambda c: (c["at"], c["tenant"], c["name"]))
    text = json.dumps({"format_version": 1, "changes": changes}, indent=2)
    sys.stdout.write(f"{time.perf_counter() - start:.3f} {len(changes)} {len(text)}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

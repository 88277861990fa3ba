"""A realistic desired-state tree for the benchmark, and the floor it is measured against.

The tree: 25 time zones, calendar and rolling windows, every expression operator, 0 to 6
milestones, 5% paused, 3% with ``renamed_from``, 3% with ``ignore:``, block, flow and
commented styles mixed, about 1% with a lint warning. Deterministic (seeded).

The floor (``python bench/realistic.py floor DIR ANSWER``): a process that starts Python,
reads the same files, parses them with PyYAML's C loader, validates each with pydantic and
requests (ANSWER a URL) and decodes the API's list answer - the least any tool in Python
must do for a plan.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import time
from pathlib import Path

ZONES = ["UTC", "Europe/Paris", "Europe/London", "Europe/Berlin", "Europe/Madrid",
         "Europe/Warsaw", "Europe/Istanbul", "America/New_York", "America/Chicago",
         "America/Denver", "America/Los_Angeles", "America/Sao_Paulo", "America/Mexico_City",
         "America/Toronto", "Asia/Tokyo", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore",
         "Asia/Kolkata", "Asia/Dubai", "Asia/Jakarta", "Australia/Sydney", "Pacific/Auckland",
         "Africa/Johannesburg", "Africa/Lagos"]
OPERATORS = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in"]
EVENTS = ["user.login", "game.completed", "workout.completed", "challenge.completed",
          "purchase.made", "level.up", "quest.finished", "*"]


def _definition(rng: random.Random, i: int) -> tuple[str, str]:
    """One file's name and text."""
    name = f"Streak {i:06d}"
    lines = [f"# Streak {i}: generated for the benchmark"] if rng.random() < 0.3 else []
    lines.append(f"name: {name}")
    lines.append(f"description: Keep going, day after day (variant {i % 97})")
    if rng.random() < 0.05:
        lines.append("status: paused")
    if rng.random() < 0.03:
        lines.append(f"renamed_from: [Old Streak {i:06d}]")
    if rng.random() < 0.03:
        lines.append("ignore: [description]")
    flow = rng.random() < 0.25
    events = sorted(set(rng.sample(EVENTS[:-1], rng.randint(1, 3))))
    lines.append("config:")
    lines.append(f"  event_types: [{', '.join(events)}]" if flow else "  event_types:")
    if not flow:
        lines.extend(f"    - {e}" for e in events)
    if rng.random() < 0.5:
        op = rng.choice(OPERATORS)
        value = "[tutorial, practice]" if op in ("in", "not_in") else (
            "tutorial" if op in ("eq", "ne") else str(rng.randint(1, 100)))
        field = "attrs.game_mode" if op in ("eq", "ne", "in", "not_in") else "attrs.score"
        lines += ["  expression:", "    condition:", f"      field: {field}",
                  f"      operator: {op}", f"      value: {value}"]
    if rng.random() < 0.7:
        zone = rng.choice(ZONES)
        period = rng.choice(["daily", "daily", "weekly", "monthly"])
        reset = rng.choice(['"00:00"', '"04:00"', '"06:30"'])
        if flow:
            lines.append(f"  window: {{type: calendar, period: {period}, timezone: {zone},"
                         f" reset_time: {reset}}}")
        else:
            lines += ["  window:", "    type: calendar", f"    period: {period}",
                      f"    timezone: {zone}", f"    reset_time: {reset}"]
        length = {"daily": 86400, "weekly": 604800, "monthly": 2419200}[period]
    else:
        length = rng.choice([3600, 43200, 86400, 172800])
        lines += ["  window:", "    type: rolling", f"    duration_seconds: {length}"]
    if rng.random() < 0.7:
        lines += ["  condition:", "    type: count", f"    min: {rng.randint(1, 5)}"]
    else:
        lines += ["  condition:", "    type: sum", "    field: attrs.points",
                  f"    min: {rng.randint(10, 1000)}"]
    count = rng.randint(0, 6)
    thresholds = sorted(rng.sample(range(1, 400), count))
    if rng.random() < 0.01 and len(thresholds) > 1:
        thresholds.reverse()  # a lint warning: milestones out of order
    if thresholds:
        lines.append("  milestones:")
        for t in thresholds:
            reward = f"reward-{t}" if rng.random() < 0.3 else "null"
            lines += [f"    - threshold: {t}", f"      reward_item_id: {reward}",
                      f"      repeatable: {'true' if rng.random() < 0.1 else 'false'}"]
    if rng.random() < 0.5:
        lines.append(f"  at_risk_seconds: {min(3600, length // 2)}")
    return f"streak-{i:06d}.yaml", "\n".join(lines) + "\n"


def generate_realistic(root: Path, count: int, tenants: int, seed: int = 17) -> list[str]:
    """``count`` realistic definitions over ``tenants`` tenant folders; the tenant ids."""
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(seed)
    ids = [f"tenant-{t:05d}" for t in range(tenants)]
    for t in ids:
        (root / t).mkdir(parents=True)
    for i in range(count):
        name, text = _definition(rng, i)
        (root / ids[i % tenants] / name).write_text(text)
    return ids


SCHEDULES = [
    ["  - start: \"2026-01-06T02:00\"", "    rrule: FREQ=WEEKLY;BYDAY=TU", "    duration: 2h",
     "    status: paused", "    note: Weekly maintenance"],
    ["  - start: \"2026-12-01T00:00\"", "    end: \"2027-01-06T00:00\"", "    status: active",
     "    note: Winter event"],
    ["  - start: \"2026-01-03T00:00\"", "    rrule: FREQ=WEEKLY;BYDAY=SA", "    duration: 2d",
     "    status: active", "    note: Weekend"],
    ["  - start: \"2026-01-01T06:00\"", "    rrule: FREQ=MONTHLY;BYMONTHDAY=1",
     "    duration: 1d", "    timezone: Europe/Paris", "    status: paused"],
]


def generate_shaped(root: Path, count: int, tenants: int, seed: int = 29) -> list[str]:
    """Another shape than :func:`generate_realistic`'s: 8 % of definitions with a schedule
    (status active outside it), shared bases taken and overlaid in 15 % of tenants, 30 % in
    flow style, half of those with an unquoted ``reset_time: 06:00`` inside a flow mapping.
    ``count`` effective definitions over ``tenants`` folders; the tenant ids."""
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(seed)
    ids = [f"tenant-{t:05d}" for t in range(tenants)]
    (root / "_base").mkdir(parents=True)
    bases = [f"shared-{b}" for b in range(10)]
    for b, name in enumerate(bases):
        (root / "_base" / f"{name}.yaml").write_text(
            f"name: Shared {b}\ndescription: Shared across tenants\nconfig:\n"
            f"  event_types: [user.login]\n  window: {{type: calendar, period: daily,"
            f" timezone: UTC, reset_time: 06:00}}\n  condition: {{type: count, min: 1}}\n")
    per_tenant = max(1, count // tenants)
    made = 0
    for t, tenant in enumerate(ids):
        folder = root / tenant
        folder.mkdir()
        own = per_tenant
        if rng.random() < 0.15:
            (folder / "_tenant.yaml").write_text("include: [shared-*]\n")
            (folder / "shared-0.yaml").write_text(
                "base: shared-0\nconfig:\n  window: {timezone: Europe/Paris}\n")
            own = max(0, per_tenant - len(bases))
        for _ in range(own if t < tenants - 1 else max(0, count - made)):
            if made >= count:
                break
            name, text = _definition(rng, made)
            lines = text.splitlines()
            if rng.random() < 0.3:
                lines = _flow(lines, unquoted=rng.random() < 0.5)
            if rng.random() < 0.08:
                lines = [ln for ln in lines if ln != "status: paused"]
                lines += ["schedule:", *rng.choice(SCHEDULES)]
            (folder / name).write_text("\n".join(lines) + "\n")
            made += 1
        made += len(bases) if (folder / "_tenant.yaml").exists() else 0
    return ids


def _flow(lines: list[str], *, unquoted: bool) -> list[str]:
    """``lines`` with the window written as one flow mapping (its reset time unquoted when
    ``unquoted``)."""
    out: list[str] = []
    window: list[str] | None = None
    for line in lines:
        if line == "  window:":
            window = []
            continue
        if window is not None and line.startswith("    "):
            window.append(line.strip())
            continue
        if window is not None:
            parts = [w.replace('"', "") if unquoted else w for w in window]
            out.append(f"  window: {{{', '.join(parts)}}}")
            window = None
        out.append(line)
    return out


def floor(root: Path, answer: str) -> None:
    """Read, parse (PyYAML's C loader), validate (pydantic) and decode the list answer: from
    a file, or (``answer`` a URL) requested over HTTP with httpx, the key from
    ``PHOENIX_ADMIN_API_KEY``, as a plan requests it. Prints the seconds."""
    start = time.perf_counter()
    import yaml

    from reconciler.model.definition import Definition

    for path in sorted(root.rglob("*.yaml")):
        data = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        if path.name != "_tenant.yaml" and "base" not in data:  # settings, overlays: parsed
            Definition.model_validate(data)
    if answer.startswith("http"):
        import os

        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # as streaks
        import httpx

        body = httpx.get(answer, timeout=600, headers={
            "X-API-Key": os.environ.get("PHOENIX_ADMIN_API_KEY", "")}).content
    else:
        body = Path(answer).read_bytes()
    json.loads(body)
    print(f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if sys.argv[1:2] == ["floor"]:
        floor(Path(sys.argv[2]), sys.argv[3])
    elif sys.argv[1:2] == ["generate"]:
        generate_realistic(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1:2] == ["shaped"]:
        generate_shaped(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))

"""A realistic desired-state tree for the benchmark, and the floor it is measured against.

The tree: 25 time zones, calendar and rolling windows, every expression operator, 0 to 6
milestones, 5% paused, 3% with ``renamed_from``, 3% with ``ignore:``, block, flow and
commented styles mixed, about 1% with a lint warning. Deterministic (seeded).

The floor (``python bench/realistic.py floor DIR ANSWER``): a process that starts Python,
reads the same files, parses them with PyYAML's C loader, validates each with pydantic and
decodes the API's list answer - the least any tool in Python must do for a plan.
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


def floor(root: Path, answer: Path) -> None:
    """Read, parse (PyYAML's C loader), validate (pydantic) and decode: print the seconds."""
    start = time.perf_counter()
    import yaml

    from reconciler.model.definition import Definition

    for path in sorted(root.rglob("*.yaml")):
        data = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        Definition.model_validate(data)
    json.loads(answer.read_bytes())
    print(f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if sys.argv[1:2] == ["floor"]:
        floor(Path(sys.argv[2]), Path(sys.argv[3]))
    elif sys.argv[1:2] == ["generate"]:
        generate_realistic(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))

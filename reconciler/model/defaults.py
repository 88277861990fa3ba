"""Server-filled defaults, in the one place the code keeps them.

They follow the table "Where the guide is silent" of the Phoenix Admin API guide. The model
uses them for omitted fields, the simulator fills them in, and the planner compares records
only after both sides have them, so a default never shows as a diff.
"""

from __future__ import annotations

from typing import Final

STATUS: Final = "active"
DESCRIPTION: Final = ""
TIMEZONE: Final = "UTC"
RESET_TIME: Final = "00:00"
REWARD_ITEM_ID: Final = None
REPEATABLE: Final = False
AT_RISK_SECONDS: Final = None
# milestones default to an empty list and expression to "absent" (None in the model).

STATUSES: Final = ("active", "paused", "archived")
CALENDAR_PERIODS: Final = ("daily", "weekly", "monthly")
EXPRESSION_OPERATORS: Final = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in")
NAME_MAX_LENGTH: Final = 255
NAME_PATTERN: Final = r"^[A-Za-z0-9 _-]+$"
RESET_TIME_PATTERN: Final = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
TENANT_ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$"

# Seconds in each calendar period, for lint checks that compare against a window length.
PERIOD_SECONDS: Final = {"daily": 86_400, "weekly": 7 * 86_400, "monthly": 28 * 86_400}

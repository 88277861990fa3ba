"""Planning without side effects: operation and plan types, the planner, field changes,
PR scoping, drift, and the plan's JSON and saved-file forms."""

"""The streaks.d tree on disk: its layout, YAML reading and writing, loading, lint, fmt,
export's writing and git refs."""

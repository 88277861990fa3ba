"""Values only: the definition format and its rules, API bodies, desired and live state.

Nothing here reads files, speaks HTTP or writes to a terminal; every other layer builds on it.
"""

"""The hostile-repository suite: pull-request-shaped changes to streaks.toml, _tenant.yaml,
schedules and plan artifacts, each run with a canary key that must appear in no byte of
output and reach no server but the configured one."""

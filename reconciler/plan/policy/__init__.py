"""The policy step: every refusal in one place.

After planning, :func:`reconciler.plan.policy.check.evaluate` runs every rule over the plan,
the desired and the live state and returns all the results at once: the built-in rules
(:mod:`.builtin`: prune limit, archive-all, ``adopt: never``, a rename onto a live name, the
freeze) and the repository's own (``policies/*.yaml``, CEL expressions: :mod:`.cel`). Each
rule has a level: ``advisory`` warns, ``soft`` blocks unless overridden with a reason (or by
an owner's approval), ``hard`` blocks. Planning itself refuses nothing, and drift runs no
policy.
"""

"""What merges is what was reviewed: the plan made at the merge against the plan a reviewer
saw on the pull request, operation by operation.

Two plans agree when their fingerprints do (:func:`reconciler.plan.codec.fingerprint`): the
same API calls, with the same bodies, in the same order, over the same live values. When they
do not, every difference is named: an operation that is new since the review, one that is
gone, or one that changed, field by field: what the reviewer saw of it and what it is now (a
console edit since the review shows as a live value the merge would overwrite).

A status change a schedule makes is the schedule's, reviewed with it: one that came due (or
went) between review and merge is never a difference.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from reconciler.plan.codec import fingerprint, seen
from reconciler.plan.operations import Change, ChangeKind, Operation, Plan, kept_operations


@dataclass(frozen=True, kw_only=True)
class FieldDifference:
    """One field of an operation as reviewed and as it is now (None: not changed then, or
    not changed now)."""

    path: str
    reviewed: Change | None
    now: Change | None


@dataclass(frozen=True, kw_only=True)
class Difference:
    """One operation that is not as it was reviewed."""

    kind: str  # "new" | "gone" | "changed"
    operation: Operation
    fields: tuple[FieldDifference, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Review:
    """The comparison of the reviewed plan with the plan made now."""

    reviewed: str  # fingerprints, of what each plan does besides its schedules' changes
    current: str
    differences: tuple[Difference, ...]

    @property
    def agrees(self) -> bool:
        """Whether applying the current plan does exactly what was reviewed (and what the
        schedules make due)."""
        return self.reviewed == self.current


def _identity(op: Operation) -> tuple[str, str, str]:
    return (op.tenant, op.id or f"name:{op.name}", op.action.value)


def _without_order(op: Operation) -> tuple[Any, ...]:
    whole = seen(op)
    return whole[:-2] + whole[-1:]  # all but depends_on


def _key(c: Change) -> tuple[str, str]:
    """A change's place: its path, and for an item added to or removed from a list (an event
    type) the item."""
    item = {ChangeKind.ADDED: c.after, ChangeKind.REMOVED: c.before}.get(c.kind)
    return c.path, "" if item is None else repr(item)


def _fields(old: Operation, new: Operation) -> tuple[FieldDifference, ...]:
    """Each field whose change is not what the reviewer saw."""
    before = {_key(c): c for c in old.changes}
    now = {_key(c): c for c in new.changes}
    return tuple(FieldDifference(path=key[0], reviewed=before.get(key), now=now.get(key))
                 for key in [*now, *(k for k in before if k not in now)]
                 if before.get(key) != now.get(key))


def unscheduled(plan: Plan) -> Plan:
    """``plan`` without the status changes its schedules make (the others' dependencies
    renumbered, so that two plans differing only there compare alike)."""
    kept = [i for i, op in enumerate(plan.operations) if not op.scheduled]
    return replace(plan, operations=kept_operations(plan.operations, kept))


def compare(reviewed: Plan, current: Plan) -> Review:
    """Name every operation that differs between the reviewed and the current plan (the
    status changes schedules make aside)."""
    # What is applied, not the policy step's verdict (an approval may come after the review).
    reviewed = replace(unscheduled(reviewed), policy=None)
    current = replace(unscheduled(current), policy=None)
    before = {_identity(op): op for op in reviewed.operations}
    now = {_identity(op): op for op in current.operations}
    differences: list[Difference] = []
    for key, op in now.items():
        old = before.get(key)
        if old is None:
            differences.append(Difference(kind="new", operation=op))
        elif _without_order(old) != _without_order(op):
            differences.append(Difference(kind="changed", operation=op,
                                          fields=_fields(old, op)))
    differences.extend(Difference(kind="gone", operation=op)
                       for key, op in before.items() if key not in now)
    review = Review(reviewed=fingerprint(reviewed), current=fingerprint(current),
                    differences=tuple(differences))
    if not review.agrees and not differences:  # same calls, another order
        return Review(reviewed=review.reviewed, current=review.current, differences=tuple(
            Difference(kind="changed", operation=op) for op in current.operations))
    return review

"""What merges is what was reviewed: the plan made at the merge against the plan a reviewer
saw on the pull request, operation by operation.

Two plans agree when their fingerprints do (:func:`reconciler.plan.codec.fingerprint`): the
same API calls, with the same bodies, in the same order. When they do not, every difference
is named: an operation that is new since the review, one that is gone, or one whose body or
order changed (with its field changes as they are now).
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.plan.codec import effect, fingerprint
from reconciler.plan.operations import Operation, Plan


@dataclass(frozen=True, kw_only=True)
class Difference:
    """One operation that is not as it was reviewed."""

    kind: str  # "new" | "gone" | "changed"
    operation: Operation


@dataclass(frozen=True, kw_only=True)
class Review:
    """The comparison of the reviewed plan with the plan made now."""

    reviewed: str  # fingerprints
    current: str
    differences: tuple[Difference, ...]

    @property
    def agrees(self) -> bool:
        """Whether applying the current plan does exactly what was reviewed."""
        return self.reviewed == self.current


def _identity(op: Operation) -> tuple[str, str, str]:
    return (op.tenant, op.id or f"name:{op.name}", op.action.value)


def compare(reviewed: Plan, current: Plan) -> Review:
    """Name every operation that differs between the reviewed and the current plan."""
    before = {_identity(op): op for op in reviewed.operations}
    now = {_identity(op): op for op in current.operations}
    differences: list[Difference] = []
    for key, op in now.items():
        old = before.get(key)
        if old is None:
            differences.append(Difference(kind="new", operation=op))
        elif effect(old)[:-1] != effect(op)[:-1]:
            differences.append(Difference(kind="changed", operation=op))
    differences.extend(Difference(kind="gone", operation=op)
                       for key, op in before.items() if key not in now)
    review = Review(reviewed=fingerprint(reviewed), current=fingerprint(current),
                    differences=tuple(differences))
    if not review.agrees and not differences:  # same calls, another order
        return Review(reviewed=review.reviewed, current=review.current, differences=tuple(
            Difference(kind="changed", operation=op) for op in current.operations))
    return review

"""What reading one file's bytes gives: parsed data and, for a definition file, the
checked definition and its warnings, computed in one pass (in a worker process when many
files are read, see :mod:`reconciler.files.documents`) and kept by the file cache
(:mod:`reconciler.files.cache`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from reconciler.files.yamlio import Document, YamlProblem, decode, load
from reconciler.model.desired import Checked

Warning_ = tuple[int, int, str, str]  # line, col, dotted path, message
Row = tuple[str, int, str | None, str | None, str | None]  # data, checked, head, dump, api


@dataclass(frozen=True)
class Valid:
    """A definition file that validated on its own: its data, and its lint warnings (None
    when they depend on the day, as a schedule's do: lint it again)."""

    checked: Checked
    warnings: tuple[Warning_, ...] | None


@dataclass(frozen=True)
class Reading:
    """What reading one file's bytes gives: its data (or the YAML problem that stopped it)
    and, when it was checked as a definition and is one, :class:`Valid`. From the cache the
    data comes as JSON text, decoded only if it is used (a valid definition's is not)."""

    data: Any = None
    problem: YamlProblem | None = None
    valid: Valid | None = None
    checked: bool = False  # validation was tried (a failed one leaves ``valid`` None)
    data_json: str | None = None

    def document(self, text: str) -> Document:
        """The document of the file this was read from."""
        return Document(text, self.data, data_json=self.data_json)

    def as_row(self) -> Row | None:
        """The cache columns, or None when the data does not survive JSON (a date, for
        one)."""
        if self.problem is not None:
            return None
        data = self.data_json if self.data_json is not None else _json(self.data)
        if data is None:
            return None
        if self.valid is None:
            return data, int(self.checked), None, None, None
        c, warnings = self.valid.checked, self.valid.warnings
        head = json.dumps([c.name, c.status, c.description, c.renamed_from, c.ignore,
                           c.has_schedule, None if warnings is None else list(warnings)],
                          separators=(",", ":"), ensure_ascii=False)
        return data, int(self.checked), head, c.text, c.api

    @classmethod
    def from_row(cls, data: str, checked: int, head: str | None, text: str | None,
                 api: str | None) -> Reading | None:
        """From the cache columns (None if they are not a reading)."""
        if head is None:
            return cls(data_json=data, checked=bool(checked))
        if text is None or api is None:
            return None
        try:
            name, status, description, renamed_from, ignore, scheduled, warnings = \
                json.loads(head)
            valid = Valid(Checked(text=text, api=api, name=str(name), status=str(status),
                                  description=str(description),
                                  renamed_from=tuple(map(str, renamed_from)),
                                  ignore=tuple(map(str, ignore)), has_schedule=bool(scheduled)),
                          None if warnings is None else
                          tuple((int(a), int(b), str(c), str(d)) for a, b, c, d in warnings))
        except (ValueError, TypeError):
            return None
        return cls(data_json=data, checked=bool(checked), valid=valid)


def read(raw: bytes, check: bool) -> Reading:
    """Parse ``raw``; when ``check``, also validate it as a definition file and lint it.
    Runs in workers too."""
    try:
        doc = load(decode(raw))
    except YamlProblem as exc:
        return Reading(problem=exc)
    if not check:
        return Reading(data=doc.data)
    valid = _valid(doc)
    if valid is None:
        return Reading(data=doc.data, checked=True)
    # A valid definition's data is rarely used again (its checked form is): it travels and
    # is kept as JSON text, decoded only if asked for.
    text = _json(doc.data)
    return Reading(data=doc.data if text is None else None, data_json=text, checked=True,
                   valid=valid)


def _json(data: Any) -> str | None:
    """``data`` as JSON, or None when JSON does not give it back (a date, for one)."""
    try:
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        return text if json.loads(text) == data else None
    except (TypeError, ValueError):
        return None


def _valid(doc: Document) -> Valid | None:
    """A definition file's validated data and warnings (None if it is not valid on its own,
    or is an overlay: the loader reports those, with positions)."""
    from reconciler.files.bases import OVERLAY_KEY
    from reconciler.files.lint import lint_definition
    from reconciler.model.definition import Definition
    from reconciler.model.desired import DesiredDefinition

    if not isinstance(doc.data, dict) or OVERLAY_KEY in doc.data:
        return None
    try:
        definition = Definition.model_validate(doc.data)
    except ValidationError:
        return None
    desired = DesiredDefinition.of("", "", definition)
    warnings = None if definition.schedule else tuple(
        (w.line, w.col, w.path, w.message) for w in lint_definition(desired, doc))
    return Valid(desired.checked, warnings)

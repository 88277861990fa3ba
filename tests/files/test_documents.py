"""Reading many files: each content once, from the cache when read before; the parallel path
gives the same results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.files import readings, workers
from reconciler.files.documents import read_documents
from reconciler.files.loader import load
from reconciler.files.yamlio import Document, YamlProblem
from reconciler.model.definition import Definition
from tests.conftest import VALID, WriteTree
from tests.files.cachedb import poke, refuse, rows


def test_cache_is_used_and_an_edit_is_reread(write_tree: WriteTree, cache: Path) -> None:
    root = write_tree({"t/a.yaml": VALID, "t/b.yaml": "when: 2025-01-01\n"})
    first = read_documents([root / "t/a.yaml", root / "t/b.yaml"])
    stored = rows(cache)
    assert len(stored) == 1  # the date does not survive JSON, so it is not cached
    # A cached entry is what is served: poison it to prove the cache is read.
    [digest] = stored
    poke(cache, digest, json.dumps({"name": "from the cache"}))
    second = read_documents([root / "t/a.yaml"])
    assert second[root / "t/a.yaml"].data == {"name": "from the cache"}  # type: ignore[union-attr]
    (root / "t/a.yaml").write_text(VALID.replace("min: 1", "min: 2"))
    third = read_documents([root / "t/a.yaml"])
    assert third[root / "t/a.yaml"].data["config"]["condition"]["min"] == 2  # type: ignore[union-attr]
    assert isinstance(first[root / "t/b.yaml"], Document)


def test_a_valid_definition_is_validated_once(write_tree: WriteTree, cache: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The second load takes the validated data and the warnings from the cache: no parse,
    no validation, the same desired state and diagnostics."""
    root = write_tree({"t/a.yaml": VALID.replace("at_risk_seconds: 3600", "at_risk_seconds: 999999")})
    first_state, first = load(root)
    assert [d.severity for d in first] == ["warning"]
    monkeypatch.setattr(readings, "load", refuse)
    monkeypatch.setattr(Definition, "model_validate", refuse)
    second_state, second = load(root)
    assert second == first
    assert second_state.tenants[0].definitions == first_state.tenants[0].definitions


def test_parallel_and_serial_agree(write_tree: WriteTree, cache: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    files: dict[str, str | bytes] = {f"t/f{i}.yaml": VALID.replace("Daily Login Streak", f"S {i}") for i in range(30)}
    files["t/bad.yaml"] = "name: [\n"
    root = write_tree(files)
    paths = sorted((root / "t").iterdir())
    monkeypatch.setenv("STREAKS_NO_CACHE", "1")
    serial = read_documents(paths)
    monkeypatch.setattr(workers, "PARALLEL_FROM", 2)
    parallel = read_documents(paths)
    for path in paths:
        a, b = serial[path], parallel[path]
        if isinstance(a, YamlProblem):
            assert isinstance(b, YamlProblem) and (a.message, a.line, a.col) == (
                b.message, b.line, b.col)
        else:
            assert isinstance(b, Document) and a.data == b.data


def test_positions_still_reported_from_cached_files(write_tree: WriteTree, cache: Path) -> None:
    root = write_tree({"t/a.yaml": VALID.replace("timezone: UTC", "timezone: Mars/Base")})
    first = load(root)[1]
    second = load(root)[1]  # now from the cache
    assert [(d.line, d.col) for d in first] == [(d.line, d.col) for d in second] == [(8, 15)]

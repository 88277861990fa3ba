"""A desired definition held as checked data reads exactly like its model."""

from __future__ import annotations

from pathlib import Path

from bench.realistic import generate_realistic
from reconciler.files.loader import load_valid
from reconciler.model.definition import Definition
from reconciler.model.desired import Checked, DesiredDefinition, canonical

ROOT = Path(__file__).resolve().parents[2]


def _models(tmp_path: Path) -> list[Definition]:
    generate_realistic(tmp_path / "streaks.d", 400, 4)
    trees = [ROOT / "streaks.d", tmp_path / "streaks.d"]
    return [d.definition for tree in trees for t in load_valid(tree).tenants
            for d in t.definitions]


def test_checked_data_gives_back_the_model_and_what_it_sends(tmp_path: Path) -> None:
    models = _models(tmp_path)
    assert any(m.schedule for m in models) and any(m.renamed_from for m in models)
    for model in models:
        checked = Checked.of(model)
        lazy = DesiredDefinition("t", "f.yaml", checked)
        assert lazy.definition == model
        assert checked.api_config() == model.config.as_api()
        assert checked.api == canonical(model.config.as_api())
        assert (lazy.name, lazy.status, lazy.description, lazy.renamed_from, lazy.ignore,
                lazy.has_schedule) == (model.name, model.status, model.description,
                                       tuple(model.renamed_from), tuple(model.ignore),
                                       bool(model.schedule))


def test_a_definition_at_a_status_has_no_schedule_left(tmp_path: Path) -> None:
    scheduled = next(m for m in _models(tmp_path) if m.schedule)
    at = DesiredDefinition.of("t", "f.yaml", scheduled).at_status("paused")
    assert at.scheduled and not at.has_schedule and at.status == "paused"
    assert at.definition == scheduled.model_copy(update={"status": "paused", "schedule": []})

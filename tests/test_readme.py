"""The README's examples of the example tree are what the tree holds and the tool prints."""

from __future__ import annotations

from pathlib import Path

from tests.cliutil import run

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_the_shared_definition_example_is_the_example_tree() -> None:
    overlay = (ROOT / "streaks.d/tenant-fitness-001/weekly-check-in.yaml").read_text()
    assert f"```yaml\n{overlay}```" in README
    settings = (ROOT / "streaks.toml").read_text()
    for line in README.split("This repository's:\n\n```toml\n", 1)[1].split("```")[0].splitlines():
        code = line.split("#", 1)[0].strip()
        assert code in settings, code


def test_the_environment_console_example(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "streaks.d", tmp_path / "streaks.d")
    shutil.copy(ROOT / "streaks.toml", tmp_path / "streaks.toml")
    plan = run(tmp_path, "plan", "--sim", "--env", "staging").stdout.splitlines()[-1]
    listed = run(tmp_path, "config", "--environments").stdout
    assert (f"$ streaks plan --sim --env staging | tail -n 1\n{plan}\n"
            f"$ streaks config --environments\n{listed}```") in README

"""Golden tests: every kind of mistake in a rule file or profile gives exactly these located messages.

Each `tests/diagnostics/rules/<case>.yaml` breaks a copy of the small framework in
`tests/diagnostics/base/`; `<case>.expected` holds the exact `file:line:col` lines
`kader check` must print. `pytest --update-golden` rewrites the expected files;
review the change with `git diff`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import engine

HERE = Path(__file__).resolve().parent / "diagnostics"
CASES = sorted((HERE / "rules").glob("*.yaml"))


def _apply(root: Path, edits: list[dict]) -> None:
    for edit in edits:
        target = root / edit["file"]
        if "write" in edit:
            target.write_text(edit["write"], encoding="utf-8")
            continue
        text = target.read_text(encoding="utf-8")
        assert edit["replace"] in text, f"{edit['file']}: text to replace not found: {edit['replace']!r}"
        target.write_text(text.replace(edit["replace"], edit["with"], 1), encoding="utf-8")


def check_lines(root: Path) -> list[str]:
    framework, diagnostics = engine.check_rules(root)
    lines = []
    for diagnostic in diagnostics:
        lines.append(str(diagnostic).replace(str(root), "rules"))
        for label, span in diagnostic.related:
            lines.append(f"  {label}: {str(span).replace(str(root), 'rules')}")
    return lines


def test_the_base_framework_is_clean(tmp_path):
    root = tmp_path / "rules"
    shutil.copytree(HERE / "base", root)
    assert check_lines(root) == []


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden_diagnostics(case, tmp_path, request):
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    root = tmp_path / "rules"
    shutil.copytree(HERE / "base", root)
    _apply(root, spec["edits"])
    lines = check_lines(root)
    expected_file = case.with_suffix(".expected")
    if request.config.getoption("--update-golden"):
        expected_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert expected_file.exists(), f"no golden file {expected_file.name}; run pytest --update-golden and review it"
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert lines == expected, spec["description"]
    assert lines, "a broken framework must give at least one diagnostic"


def test_an_escape_attempt_is_refused_and_never_executed(tmp_path):
    marker = Path("/tmp/kader-pwned")
    marker.unlink(missing_ok=True)
    spec = yaml.safe_load((HERE / "rules" / "dunder-import.yaml").read_text(encoding="utf-8"))
    root = tmp_path / "rules"
    shutil.copytree(HERE / "base", root)
    _apply(root, spec["edits"])
    framework, diagnostics = engine.check_rules(root)
    assert framework is None and diagnostics
    assert not marker.exists()

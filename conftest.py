"""Collect scenario files as pytest items: `pytest` runs every scenario under scenarios/ as a specification."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
SCENARIOS = ROOT / "scenarios"


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix in (".yaml", ".yml", ".json") and SCENARIOS in file_path.parents:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.stem)


_FRAMEWORK = []


def _framework():
    if not _FRAMEWORK:
        import engine
        _FRAMEWORK.append(engine.load_framework(ROOT / "rules"))
    return _FRAMEWORK[0]


class ScenarioFailure(Exception):
    pass


class ScenarioItem(pytest.Item):
    def runtest(self):
        from engine.language.loader import display_path
        from engine.tools.scenarios import run_scenario
        result = run_scenario(_framework(), self.path, display_path(self.path))
        self.result = result
        if not result.passed:
            raise ScenarioFailure(result)

    def repr_failure(self, excinfo):
        if not isinstance(excinfo.value, ScenarioFailure):
            return super().repr_failure(excinfo)
        result = excinfo.value.args[0]
        lines = [f"{result.path}:{result.line}: scenario '{result.name}' [{result.checks}]"]
        lines += [f"  {d}" for d in result.errors]
        for difference in result.differences:
            where = difference.get("subject") or difference["path"]
            where += f", {difference['field']}" if difference.get("field") else ""
            lines.append(f"  {where}: {difference['message']}")
            lines.append(f"    verwacht: {difference['expected']}")
            lines.append(f"    kreeg:    {difference['actual']}")
        if result.fired:
            lines.append("  regels die vuurden: " + ", ".join(result.fired))
        return "\n".join(lines)

    def reportinfo(self):
        return self.path, 0, f"scenario: {self.name}"

"""Scenario files: a case plus the outcome it must get, run as specifications.

```yaml
name: Alleenstaande 78-jarige zonder netwerk krijgt maatwerk huishoudelijke hulp
checks: "Wmo 2015 art. 2.3.5 lid 3"
case: {...}                       # the case contract
expected:
  proposals: [{hulpvraag: hv1, provision: wmo.hbh_maatwerk, level: 3}]
  entitlements: [{id: algemene_bijstand, eligible: true, bedrag: "885.18"}]
  deadlines: [{id: wmo_onderzoek, date: 2026-04-03}]
  signals: [{id: schuldhulp}]
  checks: [{id: vermogen}]
  rules: [wmo.hh.maatwerk]        # rules that must have fired
  absent: {signals: [veilig_thuis], entitlements: [...], deadlines: [...], rules: [...]}
```

An explicitly empty list (`signals: []`, `missing_facts: []`) asserts that there are none.

Only what `expected` names is compared (a subset match: list items are found by
their key, `hulpvraag` or `id`); a mismatch is reported as a structural diff of
expected against actual.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from deepdiff import DeepDiff
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from engine.errors import Diagnostic, RuleEngineError
from engine.evaluation.case import case_from_document, case_part
from engine.evaluation.evaluate import assess
from engine.language.framework import Framework
from engine.language.sources import SourceError, read_document
from engine.language.validation import validate

SECTIONS = {"proposals": "hulpvraag", "entitlements": "id", "deadlines": "id", "signals": "id", "checks": "id",
            "missing_facts": "fact", "provisional": "id"}  # provisional: docs/uncertainty.md


class Absent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    signals: list[StrictStr] = []
    entitlements: list[StrictStr] = []
    deadlines: list[StrictStr] = []
    checks: list[StrictStr] = []
    rules: list[StrictStr] = []


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    proposals: list[dict[str, Any]] = []
    entitlements: list[dict[str, Any]] = []
    deadlines: list[dict[str, Any]] = []
    signals: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    missing_facts: list[dict[str, Any]] = []
    provisional: list[dict[str, Any]] = []
    rules: list[StrictStr] = []
    absent: Absent = Absent()


class ScenarioFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: StrictStr = Field(min_length=1)
    checks: StrictStr = Field(min_length=3, description="the legal article this scenario checks")
    case: dict[str, Any]
    expected: Expected
    description: StrictStr | None = None


@dataclass
class ScenarioResult:
    path: str
    name: str
    checks: str
    passed: bool
    differences: list[dict] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)
    line: int = 1
    case: Any = field(default=None, repr=False, compare=False)  # the Case, for coverage
    assessment: Any = field(default=None, repr=False, compare=False)  # the Assessment, for coverage

    def to_json(self) -> dict:
        data = {"file": self.path, "line": self.line, "name": self.name, "checks": self.checks, "passed": self.passed}
        if self.differences:
            data["differences"] = self.differences
        if self.errors:
            data["errors"] = [d.to_json() for d in self.errors]
        return data


def _plain(value: Any) -> Any:
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _same_number(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return False
    try:
        return Decimal(str(expected)) == Decimal(str(actual))
    except (InvalidOperation, ValueError):
        return False


def _project(expected: Any, actual: Any) -> Any:
    """The part of `actual` that `expected` speaks about (numbers compared as numbers)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {k: _project(v, actual.get(k, "<ontbreekt>")) for k, v in expected.items()}
    if isinstance(expected, list) and isinstance(actual, list):
        return [_project(e, a) for e, a in zip(expected, actual, strict=False)] + actual[len(expected):]
    if isinstance(expected, (Decimal, int)) and not isinstance(expected, bool) and _same_number(expected, actual):
        return _plain(expected)
    if isinstance(expected, str) and isinstance(actual, str) and _same_number(expected, actual):
        return expected
    return actual


# How a difference is named for a person: by what it is about and its id, in Dutch.
SECTION_NAMES = {"proposals": ("voorstel voor hulpvraag", "voorstellen"), "entitlements": ("aanspraak", "aanspraken"),
                 "deadlines": ("termijn", "termijnen"), "signals": ("signaal", "signalen"),
                 "checks": ("controle", "controles"), "missing_facts": ("ontbrekend feit", "ontbrekende feiten"),
                 "provisional": ("voorlopig", "voorlopige uitkomsten")}
# deepdiff's report kinds (its structured result, not its text) in Dutch.
DIFF_KINDS = {"values_changed": "andere waarde", "type_changes": "ander soort waarde",
              "dictionary_item_added": "staat extra in de uitkomst", "dictionary_item_removed": "ontbreekt in de uitkomst",
              "iterable_item_added": "staat extra in de uitkomst", "iterable_item_removed": "ontbreekt in de uitkomst",
              "set_item_added": "staat extra in de uitkomst", "set_item_removed": "ontbreekt in de uitkomst"}


def _subject(section: str, item: dict) -> str:
    """`aanspraak algemene_bijstand`, `voorstel voor hulpvraag hv1`, `signaal schuldhulp bij hv2`."""
    key = SECTIONS[section]
    text = f"{SECTION_NAMES[section][0]} {item.get(key, '?')}"
    if key != "hulpvraag" and item.get("hulpvraag"):
        text += f" bij {item['hulpvraag']}"
    return text


def _field_name(path: str) -> str:
    """`['floor']['level']` -> `floor.level`."""
    return ".".join(part.strip("'\"") for part in path.replace("]", "").split("[") if part)


def compare(expected: Expected, actual: dict, fired: list[str]) -> list[dict]:
    """Every difference between what the scenario expects and what the assessment gave."""
    differences: list[dict] = []
    for section, key in SECTIONS.items():
        wanted = getattr(expected, section)
        for index, item in enumerate(wanted):
            item = _plain(item)
            matches = [a for a in actual[section] if all(a.get(k) == item.get(k) for k in (key, "hulpvraag")
                                                         if k in item)]
            path = f"expected.{section}[{index}]"
            subject = _subject(section, item)
            if not matches:
                differences.append({"path": path, "subject": subject, "expected": item, "actual": "<ontbreekt>",
                                    "message": "ontbreekt in de uitkomst"})
                continue
            # the same signal can stand once per hulpvraag and once for the casus: take a candidate that matches
            diff = None
            for candidate in matches:
                diff = DeepDiff(item, _project(item, candidate), verbose_level=2, ignore_order=False)
                if not diff:
                    break
            if not diff:
                continue
            diff = DeepDiff(item, _project(item, matches[0]), verbose_level=2, ignore_order=False)
            for kind, changes in diff.to_dict().items():
                for where, change in (changes.items() if isinstance(changes, dict) else []):
                    if kind in ("values_changed", "type_changes"):
                        expected_value, actual_value = change.get("old_value"), change.get("new_value")
                    elif kind.endswith("_added"):  # only the actual outcome has it
                        expected_value, actual_value = "<afwezig>", change
                    else:  # removed: the scenario expects it, the outcome lacks it
                        expected_value, actual_value = change, "<afwezig>"
                    field_path = where.removeprefix("root")
                    differences.append({"path": path + field_path, "subject": subject,
                                        "field": _field_name(field_path), "expected": _plain(expected_value),
                                        "actual": _plain(actual_value),
                                        "message": DIFF_KINDS.get(kind, kind.replace("_", " "))})
    for section in SECTIONS:
        # an explicit empty list means: nothing of this kind (e.g. `signals: []`, `missing_facts: []`)
        if section in expected.model_fields_set and not getattr(expected, section) and actual[section]:
            key = SECTIONS[section]
            differences.append({"path": f"expected.{section}", "subject": SECTION_NAMES[section][1],
                                "expected": [], "actual": [item.get(key) for item in actual[section]],
                                "message": f"er hadden geen {SECTION_NAMES[section][1]} mogen zijn"})
    for index, rule in enumerate(expected.rules):
        if rule not in fired:
            differences.append({"path": f"expected.rules[{index}]", "subject": f"regel {rule}", "expected": rule,
                                "actual": "<niet afgevuurd>", "message": "is niet afgevuurd"})
    absent = expected.absent
    for section in ("signals", "entitlements", "deadlines", "checks"):
        present = {item["id"] for item in actual[section]}
        for index, name in enumerate(getattr(absent, section)):
            if name in present:
                differences.append({"path": f"expected.absent.{section}[{index}]",
                                    "subject": f"{SECTION_NAMES[section][0]} {name}", "expected": "<afwezig>",
                                    "actual": name, "message": "had niet mogen voorkomen"})
    for index, rule in enumerate(absent.rules):
        if rule in fired:
            differences.append({"path": f"expected.absent.rules[{index}]", "subject": f"regel {rule}",
                                "expected": "<niet afgevuurd>", "actual": rule, "message": "had niet mogen afvuren"})
    return differences


def run_scenario(framework: Framework, path: Path, display: str | None = None) -> ScenarioResult:
    shown = display or str(path)
    try:
        document = read_document(path, shown)
    except SourceError as exc:
        return ScenarioResult(shown, path.stem, "", False, errors=exc.diagnostics)
    if _looks_like_a_case(document.data):
        return ScenarioResult(shown, path.stem, "", False, errors=[Diagnostic(
            "E601", "dit is een casus, geen scenario: een scenario heeft 'name', 'checks' (het wetsartikel), "
            "'case' (deze casus) en 'expected' (de uitkomst die hij moet krijgen)", document.span(()),
            hint=f"beoordeel een casus met `kader assess {shown}`")])
    scenario, problems = validate(ScenarioFile, document, code="E600")
    if scenario is None:
        name = document.data.get("name", path.stem) if isinstance(document.data, dict) else path.stem
        return ScenarioResult(shown, str(name), "", False, errors=problems)
    line = document.span(("name",)).line
    try:
        case = case_from_document(framework, case_part(document))
        assessment = assess(framework, case)
    except RuleEngineError as exc:
        return ScenarioResult(shown, scenario.name, scenario.checks, False, errors=exc.diagnostics, line=line)
    fired = [f.rule for f in assessment.trace.fired]
    differences = compare(scenario.expected, assessment.to_json(), fired)
    return ScenarioResult(shown, scenario.name, scenario.checks, not differences, differences, fired=fired, line=line,
                          case=case, assessment=assessment)


def _looks_like_a_case(data: Any) -> bool:
    """A case file (the case contract at the top) rather than a scenario (a case under `case:`)."""
    return isinstance(data, dict) and "case" not in data and "expected" not in data and \
        {"huishouden", "hulpvragen"} <= set(data)


def scenario_files(paths: list[Path]) -> list[Path]:
    """YAML and JSON scenario files under the given files and folders, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file()))
        else:
            found.append(path)
    return found


def run_scenarios(framework: Framework, paths: list[Path], pattern: str | None = None) -> list[ScenarioResult]:
    """Run the scenario files under `paths`; with `pattern`, only those whose file path or name contains it
    (case-insensitive)."""
    files = scenario_files(paths)
    if pattern:
        files = [path for path in files if _matches(path, pattern)]
    return [run_scenario(framework, path, _display(path)) for path in files]


def _matches(path: Path, pattern: str) -> bool:
    needle = pattern.lower()
    if needle in _display(path).lower():
        return True
    try:
        data = read_document(path, str(path)).data
    except SourceError:
        return False
    return isinstance(data, dict) and isinstance(data.get("name"), str) and needle in data["name"].lower()


def _display(path: Path) -> str:
    from engine.language.loader import display_path
    return display_path(path)

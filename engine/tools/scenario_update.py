"""`kader test --update`: write the current outcome as the expected outcome of failing scenarios.

The scenario keeps what it speaks about: the same sections, the same items (matched by hulpvraag or id) and the
same fields per item, now with the values the assessment gives. An expected item the outcome no longer has is
dropped; a section that expected nothing (`signals: []`) gets what the outcome has; expected rules that no longer
fire are dropped, and `absent` names that now occur are dropped. Only the `expected:` block of the file is
rewritten; the case, name, checks and description stay as written, comments included.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from engine.errors import Diagnostic, ScenarioFileError, Span

from .scenarios import SECTIONS, ScenarioResult, _plain, _project

ORDER = ("proposals", "entitlements", "deadlines", "signals", "checks", "missing_facts", "rules", "absent")


def updated_expected(expected: dict, actual: dict, fired: list[str]) -> dict:
    """The `expected:` mapping with the current outcome's values, over the parts the scenario already names."""
    result: dict[str, Any] = {}
    for section, value in expected.items():
        if section in SECTIONS:
            key = SECTIONS[section]
            if value == []:
                result[section] = [{key: item.get(key)} for item in actual[section]]
                continue
            items = []
            for item in value or []:
                item = _plain(item)
                matches = [a for a in actual[section] if all(a.get(k) == item.get(k) for k in (key, "hulpvraag")
                                                             if k in item)]
                if matches:
                    items.append(_project(item, matches[0]))
            result[section] = items
        elif section == "rules":
            result[section] = [rule for rule in value or [] if rule in fired]
        elif section == "absent":
            present = {name: {item["id"] for item in actual[name]} for name in ("signals", "entitlements", "deadlines",
                                                                               "checks")}
            absent = {}
            for name, listed in (value or {}).items():
                absent[name] = [n for n in listed if n not in (set(fired) if name == "rules" else present.get(name, set()))]
            result[section] = absent
        else:
            result[section] = value
    return result


def _scalar(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False).strip().removesuffix("...").strip()


def expected_yaml(expected: dict) -> str:
    """`expected:` as the scenarios write it: one flow mapping per item."""
    lines = ["expected:"]
    for section in sorted(expected, key=lambda s: ORDER.index(s) if s in ORDER else len(ORDER)):
        value = expected[section]
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"  {section}:")
            lines += [f"    - {_scalar(item)}" for item in value]
        elif isinstance(value, dict):
            lines.append(f"  {section}:")
            lines += [f"    {k}: {_scalar(v)}" for k, v in value.items()]
        else:
            lines.append(f"  {section}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def rewrite(path: Path, result: ScenarioResult) -> str:
    """The scenario file's text with its `expected:` block replaced by the current outcome; raises
    ScenarioFileError when the file has no top-level `expected:` block to replace."""
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith("expected:")), None)
    if start is None or result.assessment is None or not isinstance(data, dict):
        raise ScenarioFileError(Diagnostic("E602", "geen 'expected:'-blok op het hoogste niveau om bij te werken",
                                           Span(result.path, 1, 1)))
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].strip() and not lines[i].startswith((" ", "#", "\t"))), len(lines))
    new = updated_expected(data.get("expected") or {}, result.assessment.to_json(),
                           [f.rule for f in result.assessment.trace.fired])
    return "".join(lines[:start]) + expected_yaml(new) + "".join(lines[end:])

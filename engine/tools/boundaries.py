"""Which thresholds the scenarios cross (`kader test --coverage`).

Every comparison of a number in a rule's condition (an age, an amount, a percentage: `persoon.leeftijd >= 18`,
`casus.inkomen <= huishouden.bijstandsnorm`) is a boundary. A boundary is tested from both sides when at least
one scenario makes the comparison true and another makes it false, each evaluated with the scenario's own facts
(for a hulpvraag rule: per hulpvraag of that rule's domain). A boundary tested from one side only, or not at
all (every scenario leaves it undecided), is listed with its rule and place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from engine.evaluation.facts import build_facts
from engine.language.calc import UNKNOWN, compile_closure
from engine.language.framework import Framework
from engine.language.ir import Cmp, render, type_of, walk

NUMERIC = {"geheel", "geld", "decimaal"}
ORDERING = {"<", "<=", ">", ">="}


@dataclass
class Boundary:
    rule: str
    condition: str
    node: Any
    file: str
    line: int
    sides: set = field(default_factory=set)

    def to_json(self) -> dict:
        return {"rule": self.rule, "condition": self.condition, "file": self.file, "line": self.line,
                "sides": sorted("waar" if side else "onwaar" for side in self.sides)}


def boundaries(framework: Framework) -> list[Boundary]:
    found = []
    for rule in framework.rules.values():
        seen = set()
        for node in walk(rule.when):
            if isinstance(node, Cmp) and node.op in ORDERING and type_of(node.left) in NUMERIC \
                    and type_of(node.right) in NUMERIC and node not in seen:
                seen.add(node)
                found.append(Boundary(rule.id, render(node), node, rule.span.path, rule.span.line))
    return found


def boundary_coverage(framework: Framework, results: Iterable[Any]) -> dict:
    """For each boundary, whether scenarios lie on both sides of it."""
    found = boundaries(framework)
    closures = [compile_closure(b.node) for b in found]
    for result in results:
        case, assessment = getattr(result, "case", None), getattr(result, "assessment", None)
        if case is None or assessment is None:
            continue
        facts = build_facts(framework, case, assessment.gemeente, assessment.peildatum)
        envs_by_group: dict[str, list[dict]] = {}
        for hv in case.hulpvragen:
            envs_by_group.setdefault(hv.domein, []).append(facts.hulpvraag(hv, framework))
        for boundary, closure in zip(found, closures, strict=True):
            rule = framework.rules[boundary.rule]
            envs = envs_by_group.get(rule.group, []) if rule.scope == "hulpvraag" else [facts.base]
            for env in envs:
                try:
                    outcome = closure(env)
                except Exception:  # noqa: BLE001  a value this boundary cannot be evaluated on: no side
                    continue
                if outcome is not UNKNOWN and outcome is not None:
                    boundary.sides.add(bool(outcome))
    both = [b for b in found if len(b.sides) == 2]
    return {"total": len(found), "both_sides": len(both),
            "percentage": round(100 * len(both) / len(found), 1) if found else 100.0,
            "one_side": [b.to_json() for b in found if len(b.sides) == 1],
            "never": [b.to_json() for b in found if not b.sides]}

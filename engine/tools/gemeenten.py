"""`kader compare-gemeenten`: do the three municipalities differ only where the framework allows it?

Every case is assessed as if it lived in each municipality
(`engine.tools.harmonisation.compare_municipalities`). Each difference comes with its
cause: an override point (with its value per municipality on the peildatum), a
local level-1 provision, or a municipal minima scheme. A difference without
such a cause is a harmonisation defect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import Diagnostic, RuleEngineError, Span
from engine.language.framework import Framework

from .caseinput import read_unit, units
from .harmonisation import compare_municipalities, differing_overrides


@dataclass
class GemeentenReport:
    gemeenten: list[str]
    cases: int = 0
    differences: list[dict] = field(default_factory=list)
    defects: list[dict] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"gemeenten": self.gemeenten, "cases": self.cases,
                "households_differing": len({(d["case_id"], d["source"]) for d in self.differences + self.defects}),
                "differences": self.differences,
                "defects": self.defects, "errors": [d.to_json() for d in self.errors]}


def compare_case(framework: Framework, case, source: str, gemeenten: list[str]) -> tuple[list[dict], list[dict]]:
    """(allowed differences, defects) for one case, each as JSON with the case and the override values."""
    overrides = differing_overrides(framework, gemeenten, case.peildatum)
    allowed, defects = [], []
    for difference in compare_municipalities(framework, case, gemeenten, household_view=True):
        item = {"case_id": case.id, "source": source, **difference.to_json()}
        if difference.allowed and difference.cause_kind == "override":
            item["overrides"] = {name: values for name, values in overrides.items()
                                 if f"override-punt {name}:" in difference.cause}
        (allowed if difference.allowed else defects).append(item)
    return allowed, defects


def compare_gemeenten(framework: Framework, paths: list[Path]) -> GemeentenReport:
    gemeenten = sorted(framework.profiles)
    report = GemeentenReport(gemeenten)
    for unit in units(paths):
        if isinstance(unit, Diagnostic):
            report.errors.append(unit)
            continue
        for display, line, case in read_unit(framework, unit):
            if isinstance(case, list):
                report.errors += case
                continue
            report.cases += 1
            try:
                allowed, defects = compare_case(framework, case, f"{display}:{line}", gemeenten)
            except RuleEngineError as exc:
                report.errors += exc.diagnostics
                continue
            except Exception as exc:  # a bug in kader: report it at this case and go on with the others
                report.errors.append(Diagnostic("E990", f"interne fout in kader bij deze casus: {type(exc).__name__}: "
                                                f"{exc}", Span(display, line, 1)))
                continue
            report.differences += allowed
            report.defects += defects
    return report

"""Memory stays put: 20,000 sequential assessments in one process do not grow its resident size.

durable-rules keeps sessions in C state (at most 1024 live ones per ruleset); every run must delete its
session, and nothing in our Python may keep a reference per assessment. Not timed: only memory is checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import engine

from .conftest import ROOT, make_case, person

LIMIT_MB = 50


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no /proc/self/status on this system")


def _cases(framework) -> list[engine.Case]:
    example = engine.load_case(framework, ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml")
    family = make_case(
        framework, gemeente="soest", signalen=["huiselijk_geweld", "schulden"],
        huishouden={"personen": [person("p1", "aanvrager", "1990-04-01"), person("k1", "kind", "2015-06-01")]},
        hulpvragen=[{"id": "hv1", "domein": "jeugd", "onderwerp": "gedrag", "persoon": "k1"},
                    {"id": "hv2", "domein": "werk_inkomen", "onderwerp": "schulden", "persoon": "p1"},
                    {"id": "hv3", "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1"}])
    return [example, family, make_case(framework)]


@pytest.mark.slow
def test_20000_assessments_leave_resident_memory_where_it_was_after_1000(framework):
    cases = _cases(framework)
    after_first = None
    for index in range(20_000):
        engine.assess(framework, cases[index % len(cases)]).to_json_text()
        if index == 999:
            after_first = resident_mb()
    grown = resident_mb() - after_first
    assert grown < LIMIT_MB, f"resident memory grew {grown:.1f} MB between assessment 1,000 and 20,000"

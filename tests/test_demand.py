"""kader batch computes only the derived facts an assessment reads (engine.evaluation.demand, issue 16): same outcome, same
trace when it is read, and a failing formula still fails the case."""

from __future__ import annotations

from pathlib import Path

import pytest

import engine
from engine.evaluation.case import load_case
from engine.evaluation.demand import derived_read
from engine.evaluation.facts import build_facts

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS[::7], ids=lambda p: p.stem)
def test_reads_only_gives_the_same_assessment_and_trace_as_every_derived_fact(framework, path):
    case = load_case(framework, path)
    full = engine.assess(framework, case).to_json(trace=True)
    lean = engine.assess(framework, case, reads_only=True)
    assert lean.to_json() == {k: v for k, v in full.items() if k != "trace"}
    assert lean.to_json(trace=True) == full  # the trace computes what was left out


def test_a_wmo_case_does_not_compute_the_draagkracht_of_bijzondere_bijstand(framework):
    # huishouden.draagkracht_bijzondere_bijstand (Participatiewet art. 35, the municipal draagkracht rule) is read
    # only by the rules and entitlements of werk_inkomen: a case with only a Wmo hulpvraag does not need it
    case = load_case(framework, ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml")
    wmo = frozenset({"wmo"})
    only = derived_read(framework, wmo, "soest")
    assert "huishouden.draagkracht_bijzondere_bijstand" not in only
    assert "huishouden.draagkracht_bijzondere_bijstand" in derived_read(framework, frozenset({"werk_inkomen"}),
                                                                       "soest")
    # a formula that divides by a fact can fail (E910) and is computed whatever reads it
    assert "huishouden.bijstandsnorm" in only
    facts = build_facts(framework, case, "soest", case.peildatum, only)
    assert "huishouden.draagkracht_bijzondere_bijstand" not in facts.base
    full = build_facts(framework, case, "soest", case.peildatum)
    same = [k for k in facts.base if k != "__personen__"]  # (the persons hold their own derived facts)
    assert {k: full.base[k] for k in same} == {k: facts.base[k] for k in same}  # computed the same
    assert set(full.base) - set(facts.base) >= {"huishouden.draagkracht_bijzondere_bijstand"}

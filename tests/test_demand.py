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


def _derive_on_whole_environments(derived_facts, base, persons, aliases):
    """The derivation as it was before the person environments were cut down: every person-scoped derived fact
    evaluated on a copy of the whole base plus the person's facts (the reference for the test below)."""
    from engine.language.calc import UNKNOWN
    envs = None
    for derived in derived_facts:
        if derived.scope == "persoon":
            if envs is None:
                envs = {pid: {**base, **facts} for pid, facts in persons.items()}
            for pid, facts in persons.items():
                value = derived.evaluate(envs[pid])
                if value is not UNKNOWN:
                    facts[derived.key] = envs[pid][derived.key] = value
            for alias, pid in aliases:
                if derived.key in persons[pid]:
                    base[alias + derived.key[7:]] = persons[pid][derived.key]
                    for env in envs.values():
                        env[alias + derived.key[7:]] = persons[pid][derived.key]
        else:
            value = derived.evaluate(base)
            if value is not UNKNOWN:
                base[derived.key] = value
                for env in (envs or {}).values():
                    env[derived.key] = value


def test_person_derived_facts_on_the_keys_they_read_equal_those_on_the_whole_environment(framework, monkeypatch):
    """A person-scoped derived fact (the kostendeler of Participatiewet art. 19a, the AOW age of art. 7a AOW,
    ...) is evaluated on the person's facts plus only the keys the person-scoped formulas read
    (engine.evaluation.facts._plan), not on a copy of every fact: every fact of 150 generated households,
    computed both ways, is the same."""
    import json

    from engine.evaluation import facts as facts_module
    from engine.tools.population import generate
    reads = facts_module._plan(tuple(framework.derived)).reads
    assert "__personen__" in reads and "persoon.leeftijd" in reads and len(reads) < 60
    for data in generate(framework, size=150, seed=5):
        case = engine.case_from_text(framework, json.dumps(data), "pop.json")
        lean = build_facts(framework, case, case.gemeente, case.peildatum)
        with monkeypatch.context() as patched:
            patched.setattr(facts_module, "_derive", _derive_on_whole_environments)
            whole = build_facts(framework, case, case.gemeente, case.peildatum)
        assert lean.base == whole.base and lean.persons == whole.persons, case.id

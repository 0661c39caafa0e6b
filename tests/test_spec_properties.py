"""The invariants of the case and assessment contracts (docs/case.md, docs/assessment.md) as properties over
generated households (hypothesis).

Every case is generated from the framework's own vocabulary (tests/strategies.py), written as YAML or
JSON text and read through the real loader, then assessed against the real rules. Where a property
compares two assessments, it compares only what both decide: a proposal level only when both have an
automatic proposal, a bijstand amount only when eligibility is decided in both.

    level of a proposal: its rung on the ladder (0 eigen kracht ... 5 verblijf en bescherming)
    safety signal:       huiselijk_geweld or kindermishandeling in casus.signalen
    available help:      a valide adult huisgenoot (18 or older, no own limitations), or a hulpvraag fact
                         saying the network can help (mantelzorg_beschikbaar, eigen_mogelijkheden_toereikend)
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from decimal import Decimal

from hypothesis import assume, event, given, note, settings
from hypothesis import strategies as st

import engine
from engine.tools.harmonisation import compare_municipalities

from . import strategies as gen
from .conftest import ROOT, examples

FRAMEWORK = engine.load_framework(ROOT / "rules")
NETWORK_FACTS = ("mantelzorg_beschikbaar", "eigen_mogelijkheden_toereikend")
BIJSTAND = "algemene_bijstand"


def assess(data: dict, **kwargs) -> engine.Assessment:
    return engine.assess(FRAMEWORK, gen.load(FRAMEWORK, data), **kwargs)


def proposal_levels(assessment: engine.Assessment) -> dict[str, int]:
    return {p["hulpvraag"]: p["level"] for p in assessment.proposals if p["status"] == "voorstel"}


def show(data: dict) -> None:
    note("casus:\n" + gen.case_yaml(data))


def bijstand_focus() -> tuple[tuple[str, str], ...]:
    requires = FRAMEWORK.entitlements[BIJSTAND].requires
    return tuple((requires.domein, o) for o in requires.onderwerp or ())


# ------------------------------------------------------------------ determinism and round trips


@settings(max_examples=examples(150))
@given(gen.case_data(FRAMEWORK))
def test_spec_same_case_same_rules_gives_identical_json(data):
    show(data)
    case = gen.load(FRAMEWORK, data)
    first = engine.assess(FRAMEWORK, case).to_json_text(trace=True)
    again = engine.assess(FRAMEWORK, gen.load(FRAMEWORK, data)).to_json_text(trace=True)
    assert again == first
    assert engine.assess(FRAMEWORK, case).to_json_text(trace=True) == first
    assert engine.evaluation.assessment.dumps(json.loads(first)) == first  # the JSON reads back to the same text


_OTHER_PROCESS = """
import sys, engine
framework = engine.load_framework(sys.argv[1])
for path in sys.argv[2:]:
    sys.stdout.write(engine.assess(framework, engine.load_case(framework, path)).to_json_text(trace=True) + "\\0")
"""


@settings(max_examples=examples(4))
@given(st.lists(gen.case_data(FRAMEWORK), min_size=4, max_size=8))
def test_spec_identical_json_in_another_process(tmp_path_factory, cases):
    folder = tmp_path_factory.mktemp("cases")
    paths = []
    for index, data in enumerate(cases):
        path = folder / f"casus-{index}.yaml"
        path.write_text(gen.case_yaml(data), encoding="utf-8")
        paths.append(str(path))
    env = {**os.environ, "KADER_NO_CACHE": "1", "PYTHONHASHSEED": "4242"}  # compiled afresh, other hash seed
    result = subprocess.run([sys.executable, "-c", _OTHER_PROCESS, str(ROOT / "rules"), *paths], capture_output=True,
                            text=True, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, check=False)
    assert result.returncode == 0, result.stderr
    theirs = result.stdout.split("\0")[:-1]
    ours = [engine.assess(FRAMEWORK, engine.load_case(FRAMEWORK, p)).to_json_text(trace=True) for p in paths]
    assert theirs == ours


@settings(max_examples=examples(150))
@given(gen.case_data(FRAMEWORK))
def test_spec_a_case_reads_the_same_from_yaml_and_from_json(data):
    show(data)
    from_yaml = dataclasses.replace(gen.load(FRAMEWORK, data), source="")
    from_json = dataclasses.replace(gen.load(FRAMEWORK, data, as_json=True), source="")
    assert from_json == from_yaml
    # and what the loader kept of the file writes back to a case that reads the same
    written = gen.case_json(from_yaml.data)
    again = engine.case_from_text(FRAMEWORK, written, "terug.json", json_syntax=True)
    assert dataclasses.replace(again, source="") == from_yaml


# ------------------------------------------------------------------ harmonisation


@settings(max_examples=examples(100))
@given(gen.case_data(FRAMEWORK))
def test_spec_municipalities_differ_only_where_the_framework_allows(data):
    show(data)
    differences = compare_municipalities(FRAMEWORK, gen.load(FRAMEWORK, data))
    defects = [d.to_json() for d in differences if not d.allowed]
    assert defects == []


# ------------------------------------------------------------------ monotonicity


@settings(max_examples=examples(150))
@given(gen.case_data(FRAMEWORK), st.sampled_from([s for s in gen.SAFETY_SIGNALS if s in FRAMEWORK.case_signals]))
def test_spec_a_safety_signal_never_makes_a_proposal_lighter(data, signal):
    show(data)
    assume(signal not in data.get("signalen", []))
    before = proposal_levels(assess(data))
    after = proposal_levels(assess(gen.with_signal(data, signal)))
    event(f"voorstellen vergeleken: {min(len(before.keys() & after.keys()), 2)}+")
    lighter = {hv: (before[hv], after[hv]) for hv in before.keys() & after.keys() if after[hv] < before[hv]}
    assert lighter == {}, f"lichter na signaal {signal} (niveau voor, na)"


@st.composite
def capable_adult(draw, data: dict) -> dict:
    born = draw(gen.birth_date(gen.vocabulary(FRAMEWORK), data["peildatum"], min_years=18, max_years=90))
    return {"id": "h9", "rol": "huisgenoot", "geboortedatum": born, "beperkt": False}


@settings(max_examples=examples(150))
@given(st.data())
def test_spec_a_capable_adult_housemate_never_makes_a_proposal_heavier(draw):
    data = draw.draw(gen.case_data(FRAMEWORK))
    extra = draw.draw(capable_adult(data))
    show(data)
    note(f"erbij: {extra}")
    before = proposal_levels(assess(data))
    after = proposal_levels(assess(gen.with_person(data, extra)))
    event(f"voorstellen vergeleken: {min(len(before.keys() & after.keys()), 2)}+")
    heavier = {hv: (before[hv], after[hv]) for hv in before.keys() & after.keys() if after[hv] > before[hv]}
    assert heavier == {}, "zwaarder met een valide volwassen huisgenoot erbij (niveau voor, na)"


def _network_facts() -> list[tuple[str, set[str]]]:
    found = []
    for name in NETWORK_FACTS:
        domains = {d for d in FRAMEWORK.domains
                   if (info := FRAMEWORK.fact(f"hulpvraag.{name}", d)) is not None and info.type == "bool"}
        if domains:
            found.append((name, domains))
    assert found, "the framework declares none of the network facts; update NETWORK_FACTS"
    return found


@settings(max_examples=examples(150))
@given(gen.case_data(FRAMEWORK), st.sampled_from(_network_facts()))
def test_spec_an_available_network_never_makes_a_proposal_heavier(data, network):
    fact, domains = network
    show(data)
    assume(any(hv["domein"] in domains for hv in data["hulpvragen"]))
    before = proposal_levels(assess(data))
    after = proposal_levels(assess(gen.with_hulpvraag_fact(data, fact, True, domains=domains)))
    event(f"voorstellen vergeleken: {min(len(before.keys() & after.keys()), 2)}+")
    heavier = {hv: (before[hv], after[hv]) for hv in before.keys() & after.keys() if after[hv] > before[hv]}
    assert heavier == {}, f"zwaarder met {fact}: true (niveau voor, na)"


def _bijstand(assessment: engine.Assessment) -> dict | None:
    return next((e for e in assessment.entitlements if e["id"] == BIJSTAND), None)


def _paid(entitlement: dict) -> Decimal:
    return Decimal(entitlement["bedrag"]) if entitlement["eligible"] else Decimal(0)


@settings(max_examples=examples(300))
@given(gen.case_data(FRAMEWORK, focus=bijstand_focus(), plain=True), st.integers(1, 300_000))
def test_spec_more_income_never_raises_bijstand(data, cents):
    assume("inkomen" in data)  # without it the income is unknown, and adding some is not "more"
    show(data)
    note(f"inkomen + {cents} cent")
    before = _bijstand(assess(data))
    after = _bijstand(assess(gen.with_more_income(data, cents, "p1")))
    assume(before is not None and after is not None)
    assume(before["eligible"] is not None and after["eligible"] is not None)
    event(f"bijstand voor/na: {before['eligible']}/{after['eligible']}")
    assert not (after["eligible"] and not before["eligible"]), "meer inkomen maakt bijstand mogelijk"
    assert _paid(after) <= _paid(before)


@settings(max_examples=examples(300))
@given(gen.case_data(FRAMEWORK, focus=bijstand_focus(), plain=True), st.integers(1, 5_000_000))
def test_spec_more_vermogen_never_makes_bijstand_possible(data, cents):
    assume("vermogen" in data)  # without it the vermogen is unknown, and adding some is not "more"
    show(data)
    note(f"vermogen + {cents} cent")
    before = _bijstand(assess(data))
    after = _bijstand(assess(gen.with_more_vermogen(data, cents)))
    assume(before is not None and after is not None)
    event(f"bijstand voor/na: {before['eligible']}/{after['eligible']}")
    if after["eligible"] is True:
        assert before["eligible"] is True, "meer vermogen maakt bijstand mogelijk"


# ------------------------------------------------------------------ the ladder


def _conclusions(assessment: engine.Assessment, hulpvraag: str) -> dict:
    """What the fired rules concluded about one hulpvraag, recomputed from the rules themselves."""
    found = {"suffices": set(), "excludes": set(), "floors": []}
    for fired in assessment.trace.fired:
        if fired.hulpvraag != hulpvraag:
            continue
        for conclusion in FRAMEWORK.rules[fired.rule].then:
            kind = conclusion.kind
            if kind in ("suffices", "excludes"):
                target = getattr(conclusion, kind)
                if target.provision is not None:
                    found[kind].add(("provision", target.provision, fired.rule))
                for level in target.levels_set():
                    found[kind].add(("level", level, fired.rule))
            elif kind == "floor":
                found["floors"].append((conclusion.floor, fired.rule))
    return found


def _hits(found: set, provision) -> list[str]:
    return sorted(rule for what, key, rule in found
                  if (what == "provision" and key == provision.id) or (what == "level" and key == provision.level))


def check_ladder(case: engine.Case, assessment: engine.Assessment) -> None:
    for hv, proposal in zip(case.hulpvragen, assessment.proposals, strict=True):
        assert proposal["hulpvraag"] == hv.id
        found = _conclusions(assessment, hv.id)
        floor = max((level for level, _ in found["floors"]), default=None)
        candidates = FRAMEWORK.provisions_for(hv.domein, hv.onderwerp, assessment.gemeente)
        if floor is not None:
            assert proposal["floor"]["level"] == floor
        if proposal["status"] == "voorstel":
            chosen = FRAMEWORK.provision(proposal["provision"])
            assert chosen in candidates
            assert proposal["level"] == chosen.level
            assert floor is None or chosen.level >= floor, "voorstel onder de ondergrens"
            assert _hits(found["suffices"], chosen) and not _hits(found["excludes"], chosen)
            for other in candidates:
                if other.level >= chosen.level or (floor is not None and other.level < floor):
                    continue
                assert _hits(found["excludes"], other), f"lichtere optie {other.id} overgeslagen zonder regel"
            listed = {entry["level"] for entry in proposal["lighter_options_ruled_out"]}
            assert listed >= {rung.level for rung in FRAMEWORK.ladder if rung.level < chosen.level}
            for entry in proposal["lighter_options_ruled_out"]:
                assert entry["level"] <= chosen.level
                here = [c for c in candidates if c.level == entry["level"]]
                if entry["rule"] is None:
                    assert not here, f"niveau {entry['level']} heeft wel een kandidaat"
                elif entry["provision"] is None:
                    assert (entry["level"] < floor and (floor, entry["rule"]) in found["floors"]) or not here
                else:
                    provision = FRAMEWORK.provision(entry["provision"])
                    assert entry["rule"] in _hits(found["excludes"], provision)
        else:
            # no automatic proposal: walking up from the floor, an undecided candidate comes before any
            # sufficient one (or everything is excluded); a sufficient one on a rung wins from an undecided one
            for level in sorted({c.level for c in candidates if floor is None or c.level >= floor}):
                here = [c for c in candidates if c.level == level and not _hits(found["excludes"], c)]
                assert not any(_hits(found["suffices"], c) for c in here), f"niveau {level} volstaat maar geen voorstel"
                if here:
                    break


@settings(max_examples=examples(200))
@given(gen.case_data(FRAMEWORK))
def test_spec_every_proposal_is_the_lightest_sufficient_at_or_above_its_floor(data):
    show(data)
    case = gen.load(FRAMEWORK, data)
    assessment = engine.assess(FRAMEWORK, case)
    for proposal in assessment.proposals:
        event(f"niveau {proposal['level']}" + (" met ondergrens" if proposal.get("floor") else ""))
    check_ladder(case, assessment)


# ------------------------------------------------------------------ legal basis


def cited_rules(assessment: engine.Assessment) -> set[str]:
    cited: set[str] = set()
    for proposal in assessment.proposals:
        cited.update(proposal["rules"])
        cited.update(e["rule"] for e in proposal["lighter_options_ruled_out"] if e["rule"])
        if proposal.get("floor"):
            cited.add(proposal["floor"]["rule"])
    for entitlement in assessment.entitlements:
        cited.update(entitlement.get("rules", []))
    for deadline in assessment.deadlines:
        cited.add(deadline["rule"])
        cited.update(deadline.get("rules", []))
    cited.update(s["rule"] for s in assessment.signals)
    cited.update(c["rule"] for c in assessment.checks)
    cited.update(f.rule for f in assessment.trace.fired)
    return cited


@settings(max_examples=examples(200))
@given(gen.case_data(FRAMEWORK))
def test_spec_every_conclusion_cites_an_existing_rule_with_a_legal_basis(data):
    show(data)
    assessment = assess(data)
    fired = {f.rule for f in assessment.trace.fired}
    for rule_id in cited_rules(assessment):
        rule = FRAMEWORK.rules.get(rule_id)
        assert rule is not None, f"onbekende regel {rule_id}"
        assert rule.legal_basis.strip() and rule.reason.strip(), rule_id
        assert rule_id in fired, f"{rule_id} wordt genoemd maar vuurde niet"
        assert rule.valid_on(assessment.peildatum), f"{rule_id} geldt niet op {assessment.peildatum}"
    for proposal in assessment.proposals:
        if proposal["provision"] is not None:
            assert FRAMEWORK.provision(proposal["provision"]).legal_basis.strip()
            assert proposal["legal_basis"]
    for entitlement in assessment.entitlements:
        assert entitlement.get("legal_basis"), entitlement["id"]
    for item in assessment.proposals + assessment.entitlements + assessment.deadlines:
        rules = item.get("rules", [])
        assert len(rules) == len(set(rules)), f"een regel staat dubbel in {rules}"
    for item in assessment.signals + assessment.checks + assessment.deadlines:
        assert item.get("legal_basis"), item

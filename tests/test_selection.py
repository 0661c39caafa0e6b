"""Selection on the ladder: the lightest sufficient rung at or above any floor, and why not lighter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import engine

BASE = Path(__file__).resolve().parent / "diagnostics" / "base"

LADDER = """
facts:
  licht_volstaat:
    scope: hulpvraag
    type: bool
    question: Volstaat lichte begeleiding?
    legal_basis: "Wmo 2015 art. 2.3.5 lid 3"
provisions:
  wmo.licht:
    name: Lichte begeleiding
    level: 2
    onderwerpen: [begeleiding]
    legal_basis: "Wmo 2015 art. 2.3.5 lid 3"
  wmo.zwaar:
    name: Begeleiding individueel
    level: 3
    onderwerpen: [begeleiding]
    legal_basis: "Wmo 2015 art. 2.3.5 lid 3"
rules:
  - id: wmo.licht.ja
    title: Licht volstaat
    legal_basis: "Wmo 2015 art. 2.3.5 lid 3"
    when: hulpvraag.licht_volstaat
    then: [{suffices: wmo.licht}]
    reason: lichte begeleiding volstaat
  - id: wmo.licht.nee
    title: Licht volstaat niet
    legal_basis: "Wmo 2015 art. 2.3.5 lid 3"
    when: not hulpvraag.licht_volstaat
    then: [{excludes: wmo.licht}]
    reason: lichte begeleiding volstaat niet
  - id: wmo.zwaar
    title: Individuele begeleiding
    legal_basis: "Wmo 2015 art. 2.3.5 lid 3"
    when: hulpvraag.onderwerp == "begeleiding"
    then: [{suffices: wmo.zwaar}]
    reason: individuele begeleiding volstaat
  - id: wmo.ondergrens
    title: Ondergrens bij schulden
    legal_basis: "Wmo 2015 art. 2.3.3"
    when: '"schulden" in casus.signalen'
    then: [{floor: 3}]
    reason: de situatie vraagt meteen maatwerk
  - id: wmo.voorveld_volstaat
    title: Voorveld volstaat
    legal_basis: "Wmo 2015 art. 2.3.5 lid 3"
    when: hulpvraag.onderwerp == "begeleiding" and persoon.leeftijd >= 75
    then: [{suffices: {level: 1}}]
    reason: het voorveld van de gemeente volstaat
  - id: wmo.uitgesloten
    title: Uitsluiting wint
    legal_basis: "Wmo 2015 art. 2.3.5 lid 6"
    when: persoon.leeftijd >= 90
    then: [{excludes: {levels: [1, 2, 3]}}]
    reason: een voorliggende voorziening gaat voor
"""

LOCAL = """
provisions:
  soest.inloop:
    name: Inloop voor ouderen
    domain: wmo
    level: 1
    onderwerpen: [begeleiding]
    decision: "Subsidiebesluit Soest (test)"
"""


@pytest.fixture(scope="module")
def ladder(tmp_path_factory):
    root = tmp_path_factory.mktemp("ladder") / "rules"
    shutil.copytree(BASE, root)
    (root / "wmo" / "ladder.yaml").write_text(LADDER)
    profile = root / "gemeenten" / "soest.yaml"
    profile.write_text(profile.read_text() + LOCAL)
    return engine.load_framework(root, cache=False)


def assess(framework, *, feiten=None, signalen=(), born="1980-01-01", gemeente="baarn"):
    data = {"id": "t", "gemeente": gemeente, "peildatum": "2026-03-01",
            "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": born}]},
            "hulpvragen": [{"id": "hv1", "domein": "wmo", "onderwerp": "begeleiding", "persoon": "p1",
                            "feiten": feiten or {}}],
            "signalen": list(signalen)}
    return engine.assess(framework, engine.case_from_text(framework, yaml.safe_dump(data), "t.yaml"))


def test_the_lightest_sufficient_rung_is_proposed(ladder):
    proposal = assess(ladder, feiten={"licht_volstaat": True}).proposals[0]
    assert (proposal["provision"], proposal["level"], proposal["rules"]) == ("wmo.licht", 2, ["wmo.licht.ja"])
    assert [(e["level"], e["provision"], e["rule"]) for e in proposal["lighter_options_ruled_out"]] == [
        (0, None, None), (1, None, None)]
    assert "geen voorziening voor begeleiding" in proposal["lighter_options_ruled_out"][0]["reason"]


def test_an_undecided_lighter_rung_stops_the_walk_and_asks_for_the_fact(ladder):
    result = assess(ladder)
    proposal = result.proposals[0]
    assert (proposal["status"], proposal["provision"], proposal["undecided"]) == (
        "geen_automatisch_voorstel", None, ["wmo.licht"])
    # regie decides whether the base rule wmo.geen_regie sets the onderzoek term: that term is provisional
    # (docs/uncertainty.md), so its fact is asked too
    assert result.missing_facts == [{"hulpvraag": "hv1", "fact": "hulpvraag.licht_volstaat",
                                     "question": "Volstaat lichte begeleiding?", "impact": "beslissend",
                                     "rules": ["wmo.licht.ja", "wmo.licht.nee"]},
                                    {"hulpvraag": "hv1", "fact": "hulpvraag.regie",
                                     "question": "Kan de cliënt de regie voeren?", "impact": "beslissend",
                                     "rules": ["wmo.geen_regie"]}]
    assert [(p["kind"], p["id"], p["status"]) for p in result.provisional] == [("deadline", "onderzoek", "voorlopig")]


def test_a_ruled_out_rung_names_its_rule_and_reason(ladder):
    proposal = assess(ladder, feiten={"licht_volstaat": False}).proposals[0]
    assert proposal["provision"] == "wmo.zwaar"
    assert proposal["lighter_options_ruled_out"][-1] == {
        "level": 2, "provision": "wmo.licht", "rule": "wmo.licht.nee", "reason": "lichte begeleiding volstaat niet"}


def test_a_floor_passes_every_lighter_rung_with_its_rule(ladder):
    proposal = assess(ladder, feiten={"licht_volstaat": True}, signalen=["schulden"]).proposals[0]
    assert (proposal["provision"], proposal["floor"]) == ("wmo.zwaar", {"level": 3, "rule": "wmo.ondergrens"})
    assert [e["rule"] for e in proposal["lighter_options_ruled_out"]] == ["wmo.ondergrens"] * 3
    assert proposal["rules"] == ["wmo.zwaar", "wmo.ondergrens"]


def test_a_municipal_voorveld_provision_is_only_proposed_where_it_exists(ladder):
    soest = assess(ladder, born="1945-01-01", gemeente="soest").proposals[0]
    baarn = assess(ladder, born="1945-01-01", gemeente="baarn", feiten={"licht_volstaat": True}).proposals[0]
    assert (soest["provision"], soest["level"], soest["gemeente"]) == ("soest.inloop", 1, "soest")
    assert soest["decision"] == "Subsidiebesluit Soest (test)"
    assert baarn["provision"] == "wmo.licht"


def test_an_exclusion_wins_over_sufficiency(ladder):
    result = assess(ladder, born="1930-01-01", gemeente="soest", feiten={"licht_volstaat": True})
    proposal = result.proposals[0]
    assert proposal["status"] == "geen_automatisch_voorstel"
    assert "alle voorzieningen" in proposal["reason"]
    assert [e["rule"] for e in proposal["lighter_options_ruled_out"] if e["level"] >= 1] == ["wmo.uitgesloten"] * 3

"""Differences between the municipalities: allowed only through override points, voorveld and minima."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import engine
from engine.harmonisation import compare_municipalities

BASE = Path(__file__).resolve().parent / "diagnostics" / "base"

EXTRA = """
rules:
  - id: wmo.korting_signaal
    title: Korting voor minima
    legal_basis: "Wmo 2015 art. 2.1.4a lid 5"
    scope: casus
    when: korting >= 10
    then: [{signal: schuldhulp}]
    reason: de gemeente kent een korting
  - id: wmo.alleen_soest
    title: Alleen in Soest
    legal_basis: "geen"
    scope: casus
    when: casus.gemeente == "soest"
    then: [{check: identiteit}]
    reason: een regel die de gemeente noemt
"""


@pytest.fixture(scope="module")
def framework(tmp_path_factory):
    root = tmp_path_factory.mktemp("harmonie") / "rules"
    shutil.copytree(BASE, root)
    (root / "wmo" / "extra.yaml").write_text(EXTRA)
    baarn = root / "gemeenten" / "baarn.yaml"
    baarn.write_text(baarn.read_text().replace('value: "10"', 'value: "5"'))
    soest = root / "gemeenten" / "soest.yaml"
    soest.write_text(soest.read_text() + """
provisions:
  soest.inloop:
    name: Inloop
    domain: wmo
    level: 1
    onderwerpen: [huishouden]
    decision: "Subsidiebesluit Soest (test)"
""")
    return engine.load_framework(root, cache=False)


def case(framework):
    data = {"id": "t", "gemeente": "baarn", "peildatum": "2026-03-01",
            "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1980-01-01"}]},
            "hulpvragen": [{"id": "hv1", "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1",
                            "feiten": {"regie": False}}]}
    return engine.case_from_text(framework, yaml.safe_dump(data), "t.yaml")


def test_every_difference_has_its_cause_or_is_a_defect(framework):
    found = {(d.section, d.key): d for d in compare_municipalities(framework, case(framework))}
    override = found[("signals", "schuldhulp@casus")]
    assert override.allowed and override.cause_kind == "override"
    assert override.values == {"baarn": False, "bunschoten": True, "soest": True}
    assert override.cause == "override-punt korting: baarn 5, bunschoten 10, soest 10"
    defect = found[("checks", "identiteit@casus")]
    assert not defect.allowed and defect.cause_kind == "gemeente_in_regel"
    assert defect.to_json()["defect"].startswith("regel wmo.alleen_soest noemt de gemeente zelf")


def test_a_local_voorveld_provision_is_an_allowed_difference(framework):
    data = {"id": "t", "gemeente": "baarn", "peildatum": "2026-03-01",
            "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1980-01-01"}]},
            "hulpvragen": [{"id": "hv1", "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1",
                            "feiten": {"regie": False}}]}
    differences = compare_municipalities(framework, engine.case_from_text(framework, yaml.safe_dump(data), "t.yaml"))
    assert all(d.section != "proposals" or d.allowed for d in differences)


def test_the_real_framework_has_no_defect_for_the_example(framework=None):
    real = engine.load_framework(Path(__file__).resolve().parent.parent / "rules")
    example = engine.load_case(real, Path(__file__).resolve().parent.parent / "scenarios" / "voorbeelden" / "gezin-soest.yaml")
    differences = compare_municipalities(real, example)
    assert [d for d in differences if not d.allowed] == []
    assert {d.key for d in differences} == {"baarn.leergeld", "soest.jeugdsportfonds", "soest.leergeld"}


BEGELEIDING = """
facts:
  zwaar:
    scope: hulpvraag
    type: bool
    question: Is individuele begeleiding nodig?
    legal_basis: "Wmo 2015 art. 2.3.5 lid 3"
provisions:
  wmo.begeleiding:
    name: Begeleiding
    level: 3
    onderwerpen: [begeleiding]
    legal_basis: "Wmo 2015 art. 2.3.5 lid 3"
rules:
  - id: wmo.begeleiding.ja
    title: Begeleiding nodig
    legal_basis: "Wmo 2015 art. 2.3.5 lid 3"
    when: hulpvraag.zwaar
    then: [{suffices: wmo.begeleiding}]
    reason: individuele begeleiding is nodig
  - id: wmo.begeleiding.nee
    title: Geen begeleiding nodig
    legal_basis: "Wmo 2015 art. 2.3.5 lid 3"
    when: not hulpvraag.zwaar
    then: [{excludes: wmo.begeleiding}]
    reason: individuele begeleiding is niet nodig
"""


def test_missing_facts_that_follow_from_a_local_voorveld_provision_are_allowed(tmp_path):
    # Found by test_spec_municipalities_differ_only_where_the_framework_allows: both municipalities give
    # "geen automatisch voorstel", but Soest's walk stops at its own undecided level-1 provision and asks
    # nothing, Baarn's at level 3 and asks for `zwaar`. That difference comes from the local provision.
    root = tmp_path / "rules"
    shutil.copytree(BASE, root)
    (root / "wmo" / "begeleiding.yaml").write_text(BEGELEIDING)
    soest = root / "gemeenten" / "soest.yaml"
    soest.write_text(soest.read_text() + """
provisions:
  soest.inloop:
    name: Inloop
    domain: wmo
    level: 1
    onderwerpen: [begeleiding]
    decision: "Subsidiebesluit Soest (test)"
""")
    framework = engine.load_framework(root, cache=False)
    data = {"id": "t", "gemeente": "baarn", "peildatum": "2026-03-01",
            "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1980-01-01"}]},
            "hulpvragen": [{"id": "hv1", "domein": "wmo", "onderwerp": "begeleiding", "persoon": "p1",
                            "feiten": {"regie": True}}]}
    differences = compare_municipalities(framework, engine.case_from_text(framework, yaml.safe_dump(data), "t.yaml"))
    missing = [d for d in differences if d.section == "missing_facts"]
    assert [(d.key, d.values) for d in missing] == [
        ("hv1:hulpvraag.zwaar", {"baarn": True, "bunschoten": True, "soest": False})]
    assert missing[0].allowed and missing[0].cause_kind == "lokale_voorziening"
    assert not [d for d in differences if not d.allowed]

"""Differences between the municipalities: allowed only through override points, voorveld and minima."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import engine
from engine.tools.harmonisation import compare_municipalities

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
"""


def add_soest_inloop(root: Path, onderwerp: str) -> None:
    """Soest's profile gets a local voorveld provision (level 1) for `onderwerp`."""
    soest = root / "gemeenten" / "soest.yaml"
    soest.write_text(soest.read_text() + f"""
provisions:
  soest.inloop:
    name: Inloop
    domain: wmo
    level: 1
    onderwerpen: [{onderwerp}]
    decision: "Subsidiebesluit Soest (test)"
""")


@pytest.fixture(scope="module")
def framework(tmp_path_factory):
    root = tmp_path_factory.mktemp("harmonie") / "rules"
    shutil.copytree(BASE, root)
    (root / "wmo" / "extra.yaml").write_text(EXTRA)
    baarn = root / "gemeenten" / "baarn.yaml"
    baarn.write_text(baarn.read_text().replace('value: "10"', 'value: "5"'))
    add_soest_inloop(root, "huishouden")
    return engine.load_framework(root, cache=False)


def case(framework):
    data = {"id": "t", "gemeente": "baarn", "peildatum": "2026-03-01",
            "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1980-01-01"}]},
            "hulpvragen": [{"id": "hv1", "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1",
                            "feiten": {"regie": False}}]}
    return engine.case_from_text(framework, yaml.safe_dump(data), "t.yaml")


def test_a_difference_through_an_override_point_names_it(framework):
    found = {(d.section, d.key): d for d in compare_municipalities(framework, case(framework))}
    override = found[("signals", "schuldhulp@casus")]
    assert override.allowed and override.cause_kind == "override"
    assert override.values == {"baarn": False, "bunschoten": True, "soest": True}
    assert override.cause == "override-punt korting: baarn 5, bunschoten 10, soest 10"


def test_a_difference_without_an_allowed_cause_is_a_defect(tmp_path):
    # The loader never lets a municipality set a value the framework fixes; if one did (here forced into a
    # loaded framework object), the difference it causes has no allowed cause.
    from dataclasses import replace
    root = tmp_path / "rules"
    shutil.copytree(BASE, root)
    forced = engine.load_framework(root, cache=False)
    tarief = forced.parameters["tarief"]
    forced.profiles["soest"].overrides["tarief"] = replace(tarief, values=(Decimal("9.99"), Decimal("9.99")))
    differences = compare_municipalities(forced, case(forced))
    [defect] = [d for d in differences if not d.allowed]
    assert (defect.section, defect.key, defect.field) == ("entitlements", "bijdrage", "bedrag")
    assert defect.values == {"baarn": "21.00", "bunschoten": "21.00", "soest": "9.99"}
    assert defect.to_json()["defect"].startswith("geen toegestane oorzaak")


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
    # the only differences for this household are the municipalities' own minima schemes
    assert {d.cause_kind for d in differences} == {"minimaregeling"}
    assert {"baarn.leergeld", "soest.jeugdsportfonds", "soest.leergeld"} <= {d.key for d in differences}


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
    add_soest_inloop(root, "begeleiding")
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


def test_a_question_asked_only_for_a_municipal_minima_scheme_is_allowed():
    # Found by the harmonisation property: a work question without income asks for the income in Baarn and Soest
    # (their minima schemes need it) and not in Bunschoten, which has none.
    real = engine.load_framework(Path(__file__).resolve().parent.parent / "rules")
    data = {"id": "t", "gemeente": "baarn", "peildatum": "2026-03-01",
            "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1990-01-01"}]},
            "hulpvragen": [{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "werk", "persoon": "p1"}]}
    differences = compare_municipalities(real, engine.case_from_text(real, yaml.safe_dump(data), "t.yaml"))
    income = [d for d in differences if d.key == "casus:casus.inkomen"]
    assert income and income[0].allowed and income[0].cause_kind == "minimaregeling"
    assert income[0].values == {"baarn": True, "bunschoten": False, "soest": True}
    assert [d for d in differences if not d.allowed] == []

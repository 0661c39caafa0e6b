"""Differences between the municipalities: allowed only through override points, voorveld and minima."""

from __future__ import annotations

import shutil
from decimal import Decimal
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

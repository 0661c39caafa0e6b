"""`kader test --coverage`: which rules, provisions, parameters and articles no scenario exercises."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import engine
from cli import app
from engine.tools.coverage import articles, scenario_coverage
from engine.tools.scenarios import run_scenarios

POLICY = Path(__file__).resolve().parent / "policy" / "rules"


@pytest.mark.parametrize("text, expected", [
    ("Wmo 2015 art. 2.3.2 lid 4 onder f, art. 2.3.5 lid 5; Jeugdwet art. 1.2 lid 1",
     ["Wmo 2015 art. 2.3.2", "Wmo 2015 art. 2.3.5", "Jeugdwet art. 1.2"]),
    ("Participatiewet art. 20, 21, 22 en 22a", ["Participatiewet art. 20", "Participatiewet art. 21",
                                                "Participatiewet art. 22", "Participatiewet art. 22a"]),
    ("Participatiewet art. 13 lid 1 onder a en b", ["Participatiewet art. 13"]),
    ("Wmo 2015 art. 2.1.4 lid 4 en art. 2.1.4a lid 5; Uitvoeringsbesluit Wmo 2015 art. 3.8 lid 2",
     ["Wmo 2015 art. 2.1.4", "Wmo 2015 art. 2.1.4a", "Uitvoeringsbesluit Wmo 2015 art. 3.8"]),
    ("Uitvoeringskader BBS, zo licht als mogelijk (Wgs art. 2 lid 1: integrale schuldhulpverlening)", ["Wgs art. 2"]),
    ("Burgerlijk Wetboek boek 1 art. 431; Participatiewet art. 35", ["Burgerlijk Wetboek boek 1 art. 431",
                                                                     "Participatiewet art. 35"]),
    ("Wmo 2015 art. 1.1.1 (gebruikelijke hulp); CIZ-protocol gebruikelijke zorg (beleidsregel)", ["Wmo 2015 art. 1.1.1"]),
    ("Gemeenschappelijke regeling (https://lokaleregelgeving.overheid.nl/CVDR438543/1)", []),
])
def test_articles_are_read_from_a_legal_basis_at_the_level_of_the_article(text, expected):
    assert articles(text) == expected


def scenario(tmp_path: Path, name: str, case: dict, expected: dict) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, "checks": "Participatiewet art. 19", "case": case,
                                    "expected": expected}, allow_unicode=True, sort_keys=False))
    return path


SINGLE = {"id": "alleen", "gemeente": "baarn", "peildatum": "2026-03-01", "melddatum": "2026-02-20",
          "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1980-05-01"}]},
          "inkomen": [{"persoon": "p1", "soort": "loon", "netto_per_maand": "500.00"}], "vermogen": {"totaal": "0.00"},
          "hulpvragen": [{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1"}]}


@pytest.fixture(scope="module")
def policy():
    return engine.load_framework(POLICY, cache=False)


def test_coverage_names_what_no_scenario_reaches_following_the_branch_taken(policy, tmp_path):
    scenario(tmp_path, "alleenstaande", SINGLE, {"proposals": [{"hulpvraag": "hv1", "provision": "werk_inkomen.bijstand"}]})
    results = run_scenarios(policy, [tmp_path])
    assert [r.passed for r in results] == [True]
    coverage = scenario_coverage(policy, results).to_json()
    rules = coverage["rules"]
    assert rules["total"] == 11 and rules["covered"] == 1
    uncovered = {item["id"] for item in rules["uncovered"]}
    assert "werk_inkomen.bijstand" not in uncovered and "wmo.gebruikelijke_hulp" in uncovered
    bijstand_rule = next(i for i in rules["uncovered"] if i["id"] == "werk_inkomen.inkomen_toereikend")
    assert bijstand_rule["file"].endswith("werk_inkomen/bijstand.yaml") and bijstand_rule["line"] > 1
    # the norm of a single person was read, through the derived huishouden.norm; the couples' norm was not
    parameters = {item["id"] for item in coverage["parameters"]["uncovered"]}
    assert "norm_alleenstaande" not in parameters and "vermogensgrens" not in parameters
    assert {"norm_gehuwden", "tarief", "ouderengrens", "draagkracht"} <= parameters
    assert coverage["provisions"]["covered"] == 1
    assert {"soest.inloop", "wmo.maatwerk"} <= {item["id"] for item in coverage["provisions"]["uncovered"]}
    assert {item["id"] for item in coverage["entitlements"]["uncovered"]} == {"bijdrage", "soest.sportfonds"}
    arts = coverage["articles"]
    covered = {a for a, _ in scenario_coverage(policy, []).articles.total} - {i["id"] for i in arts["uncovered"]}
    assert {"Participatiewet art. 19", "Participatiewet art. 21", "Participatiewet art. 34",
            "Participatiewet art. 11"} <= covered
    wgs = next(i for i in arts["uncovered"] if i["id"] == "Wgs art. 3")
    assert "regel werk_inkomen.schulden" in wgs["cited_by"]
    assert "Participatiewet art. 35" in {i["id"] for i in arts["uncovered"]}  # only the minima scheme cites it


def test_a_second_scenario_adds_what_it_exercises(policy, tmp_path):
    couple = dict(SINGLE, id="stel", gemeente="soest",
                  huishouden={"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1950-05-01", "beperkt": True},
                                           {"id": "p2", "rol": "partner", "geboortedatum": "1955-01-01"}]},
                  hulpvragen=[{"id": "hv1", "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1",
                               "feiten": {"regie": False}}])
    scenario(tmp_path, "alleenstaande", SINGLE, {})
    scenario(tmp_path, "stel", couple, {"proposals": [{"hulpvraag": "hv1", "provision": "wmo.gebruikelijke_hulp"}]})
    coverage = scenario_coverage(policy, run_scenarios(policy, [tmp_path])).to_json()
    uncovered = {item["id"] for item in coverage["rules"]["uncovered"]}
    assert {"wmo.gebruikelijke_hulp", "wmo.geen_regie", "wmo.melding", "wmo.ouderen"}.isdisjoint(uncovered)
    assert "ouderengrens" not in {item["id"] for item in coverage["parameters"]["uncovered"]}
    assert coverage["deadlines"]["uncovered"] == []
    assert coverage["scenarios"] == 2


def test_kader_test_coverage_in_json_and_as_a_table(runner, tmp_path):
    scenario(tmp_path, "alleenstaande", SINGLE, {})
    result = runner.invoke(app, ["test", str(tmp_path), "--coverage", "--format", "json", "--rules", str(POLICY)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["passed"] == 1 and data["failed"] == 0
    assert set(data["coverage"]) >= {"rules", "articles", "provisions", "parameters"}
    assert data["coverage"]["rules"]["covered"] == 1 and data["coverage"]["rules"]["total"] == 11
    assert data["results"][0]["passed"] is True
    table = runner.invoke(app, ["test", str(tmp_path), "--coverage", "--rules", str(POLICY)])
    assert table.exit_code == 0
    assert "Dekking door 1 scenario" in table.stdout
    assert "Niet geraakt: regels (10)" in table.stdout
    assert "wmo.gebruikelijke_hulp" in table.stdout
    plain = runner.invoke(app, ["test", str(tmp_path), "--format", "json", "--rules", str(POLICY)])
    assert "coverage" not in json.loads(plain.stdout)

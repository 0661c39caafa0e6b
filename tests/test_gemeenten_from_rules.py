"""Municipalities come from the profiles in rules/gemeenten/, not from the code (issue 14 item 8).

A fourth municipality joins by adding its profile: `kader assess`, `kader compare-gemeenten` and `kader impact`
then all know it, and a case may name it, in any capitalisation.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from cli import app

from .conftest import RULES

# A fourth municipality with one local voorveld provision for money matters (Wgs art. 2 lid 1: the municipal plan
# decides the local offer), as Soest has GOOS. The decision is made up for the test and says so.
EEMNES = """\
gemeente: eemnes
name: Gemeente Eemnes
description: testprofiel van een vierde gemeente
provisions:
  eemnes.geldpunt:
    name: Geldpunt Eemnes, inloop voor geldzaken
    domain: werk_inkomen
    level: 1
    onderwerpen: [schulden]
    decision: "testbesluit: geen echte gemeentelijke beslissing"
    legal_basis: "Wgs art. 2 lid 1 (plan integrale schuldhulpverlening); uitvoeringskader BBS (voorveld per gemeente)"
"""

# Wgs art. 2 lid 1, art. 3 lid 1: no problematic debts, but help is needed beyond information.
HOUSEHOLD = {
    "id": "vierde-gemeente", "gemeente": "Eemnes", "peildatum": "2026-03-06", "melddatum": "2026-03-06",
    "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1966-03-30"}],
                   "woonsituatie": "huurwoning"},
    "inkomen": [{"persoon": "p1", "soort": "pensioen", "netto_per_maand": "2450.00"}],
    "vermogen": {"totaal": "4000.00"},
    "hulpvragen": [{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "schulden", "persoon": "p1",
                    "feiten": {"schulden_problematisch": False, "zelf_in_staat_met_informatie": False}}],
}


@pytest.fixture()
def four(tmp_path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "gemeenten" / "eemnes.yaml").write_text(EEMNES, encoding="utf-8")
    return rules


@pytest.fixture()
def case_file(tmp_path) -> Path:
    path = tmp_path / "casus.yaml"
    path.write_text(yaml.safe_dump(HOUSEHOLD, sort_keys=False), encoding="utf-8")
    return path


def test_a_fourth_profile_makes_a_fourth_municipality_for_assess(runner, four, case_file):
    result = runner.invoke(app, ["assess", str(case_file), "--format", "json", "--rules", str(four)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["gemeente"] == "eemnes"  # `Eemnes` in the case: names are case-insensitive
    assert (data["proposals"][0]["provision"], data["proposals"][0]["level"]) == ("eemnes.geldpunt", 1)
    # --gemeente takes it too, in any capitalisation; the same household in Bunschoten gets budgetcoaching
    other = runner.invoke(app, ["assess", str(case_file), "--format", "json", "--rules", str(four),
                                "--gemeente", "Bunschoten"])
    assert other.exit_code == 0, other.output
    assert json.loads(other.stdout)["proposals"][0]["provision"] == "werk_inkomen.budgetcoaching"


def test_without_the_profile_the_municipality_is_unknown(runner, case_file):
    result = runner.invoke(app, ["assess", str(case_file), "--rules", str(RULES)])
    assert result.exit_code == 1
    assert "error[E510]: onbekende gemeente 'Eemnes'; kies uit baarn, bunschoten, soest" in result.stderr


def test_compare_gemeenten_includes_the_fourth(runner, four, case_file):
    result = runner.invoke(app, ["compare-gemeenten", str(case_file), "--format", "json", "--rules", str(four)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["gemeenten"] == ["baarn", "bunschoten", "eemnes", "soest"]
    proposal = next(d for d in data["differences"] if d["section"] == "proposals")
    assert set(proposal["values"]) == {"baarn", "bunschoten", "eemnes", "soest"}
    assert proposal["cause_kind"] == "lokale_voorziening" and "eemnes.geldpunt" in proposal["cause"]


def test_impact_includes_the_fourth(runner, four, case_file, tmp_path):
    proposal = tmp_path / "voorstel"
    shutil.copytree(four, proposal)
    text = (proposal / "gemeenten" / "eemnes.yaml").read_text(encoding="utf-8")
    (proposal / "gemeenten" / "eemnes.yaml").write_text(text.split("provisions:")[0], encoding="utf-8")
    result = runner.invoke(app, ["impact", str(case_file), "--base", str(four), "--proposal", str(proposal),
                                 "--format", "json", "--rules", str(four)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["by_gemeente"]["eemnes"]["changed"] == 1
    change = next(c for c in data["changes"] if c["subject"] == "hv1")
    assert (change["gemeente"], change["kind"]) == ("eemnes", "heavier")


def test_a_rule_may_compare_with_the_fourth_municipality_only_when_its_profile_exists(four):
    import engine
    framework = engine.load_framework(four)
    assert framework.symbols["casus.gemeente"].values == ("baarn", "bunschoten", "eemnes", "soest")

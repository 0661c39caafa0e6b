"""`kader compare-gemeenten`: every difference between the municipalities with its cause, or a defect (exit 1)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import engine
from cli import app
from engine.tools.gemeenten import compare_gemeenten

POLICY = Path(__file__).resolve().parent / "policy" / "rules"

HOUSEHOLD = {"id": "gezin", "gemeente": "baarn", "peildatum": "2026-03-01", "melddatum": "2026-02-20",
             "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1953-09-01"},
                                         {"id": "k1", "rol": "kind", "geboortedatum": "2016-01-01"}]},
             "inkomen": [{"persoon": "p1", "soort": "loon", "netto_per_maand": "900.00"}], "vermogen": {"totaal": "0.00"},
             "hulpvragen": [{"id": "hv1", "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1",
                             "feiten": {"regie": True}},
                            {"id": "hv2", "domein": "werk_inkomen", "onderwerp": "schulden", "persoon": "p1"},
                            {"id": "hv3", "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1"}]}


@pytest.fixture()
def cases(tmp_path) -> Path:
    path = tmp_path / "gezin.json"
    path.write_text(json.dumps(HOUSEHOLD), encoding="utf-8")
    return path


def test_each_difference_comes_with_its_cause(cases):
    report = compare_gemeenten(engine.load_framework(POLICY, cache=False), [cases])
    assert report.cases == 1 and report.defects == [] and report.errors == []
    found = {(d["section"], d["key"]): d for d in report.differences}
    older = found[("signals", "ouderenadvies@hv1")]  # 72 years old: Soest advises from 70, the others from 75
    assert older["values"] == {"baarn": False, "bunschoten": False, "soest": True}
    assert older["cause_kind"] == "override" and older["rules"] == ["wmo.ouderen"]
    assert older["overrides"] == {"ouderengrens": {"baarn": "75", "bunschoten": "75", "soest": "70"}}
    local = found[("proposals", "hv2")]  # Soest's own inlooppunt comes first on the ladder
    assert local["cause_kind"] == "lokale_voorziening" and "soest.inloop" in local["cause"]
    scheme = found[("entitlements", "soest.sportfonds")]
    # what the household gets, not whether the scheme exists (issue 14 item 6)
    assert scheme["cause_kind"] == "minimaregeling" and scheme["field"] == "recht"
    assert scheme["values"]["baarn"] == scheme["values"]["bunschoten"] == "geen recht"
    assert scheme["values"]["soest"].startswith("recht")


def test_rules_that_would_make_the_municipalities_differ_outside_their_room_are_refused(runner, cases, tmp_path):
    # A rule that reads the municipality itself is refused at load time (E170), so compare-gemeenten never runs on
    # it; the defect path of the analysis itself is tested in tests/test_harmonisation.py.
    rules = tmp_path / "rules"
    shutil.copytree(POLICY, rules)
    (rules / "werk_inkomen" / "extra.yaml").write_text("""rules:
  - id: werk_inkomen.alleen_in_bunschoten
    title: Een regel die de gemeente noemt
    legal_basis: "geen"
    when: hulpvraag.onderwerp == "schulden" and casus.gemeente == "bunschoten"
    then:
      - signal: schuldhulp
    reason: alleen in Bunschoten
""", encoding="utf-8")
    result = runner.invoke(app, ["compare-gemeenten", str(cases), "--format", "json", "--rules", str(rules)])
    assert result.exit_code == 1
    assert "extra.yaml:5:49: error[E170]: het kader is voor alle gemeenten gelijk" in result.stderr

def test_kader_compare_gemeenten_without_defects_exits_0(runner, cases):
    result = runner.invoke(app, ["compare-gemeenten", str(cases), "--rules", str(POLICY)])
    assert result.exit_code == 0, result.output
    assert "0 harmonisatiefouten" in result.stdout
    assert "override" in result.stdout and "ouderengrens" in result.stdout
    data = json.loads(runner.invoke(app, ["compare-gemeenten", str(cases), "--format", "json",
                                          "--rules", str(POLICY)]).stdout)
    assert set(data) >= {"cases", "differences", "defects"} and data["defects"] == []


def test_a_population_line_that_cannot_be_read_is_located(runner, tmp_path):
    population = tmp_path / "pop.jsonl"
    population.write_text(json.dumps(HOUSEHOLD) + "\n" + json.dumps(dict(HOUSEHOLD, peildatum="2026-02-30")) + "\n",
                          encoding="utf-8")
    result = runner.invoke(app, ["compare-gemeenten", str(population), "--rules", str(POLICY)])
    assert result.exit_code == 1
    assert f"{engine.language.loader.display_path(population)}:2:" in result.stderr


SINGLE = {"id": "alleenstaande", "gemeente": "baarn", "peildatum": "2026-03-01",
          "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1980-05-01"}],
                         "woonsituatie": "huurwoning"},
          "inkomen": [{"persoon": "p1", "soort": "uitkering", "netto_per_maand": "900.00"}], "vermogen": {"totaal": "0.00"},
          "hulpvragen": [{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1",
                          "feiten": {"voorliggende_voorziening": False}}]}


def test_compare_gemeenten_compares_what_the_household_gets(runner, tmp_path):
    """A single adult on € 900 a month: the children's schemes (Leergeld, Jeugdsportfonds: per kind, 4 or 6 to 18,
    rules/gemeenten/*.yaml) are no difference, because nobody in this household could use them; the schemes it
    does get in one municipality and not another are, with what it gets."""
    path = tmp_path / "alleenstaande.json"
    path.write_text(json.dumps(SINGLE), encoding="utf-8")
    result = runner.invoke(app, ["compare-gemeenten", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    found = {d["key"]: d["values"] for d in data["differences"] if d["section"] == "entitlements"}
    assert "soest.jeugdsportfonds" not in found and "soest.leergeld" not in found and "baarn.leergeld" not in found
    # eigen-risico refund of the minima schemes of Soest and Baarn: € 385 a year (soest.yaml, baarn.yaml)
    assert found["soest.eigen_risico"] == {"baarn": "geen recht", "bunschoten": "geen recht",
                                           "soest": "recht 385.00 per jaar"}
    assert data["households_differing"] == 1
    table = runner.invoke(app, ["compare-gemeenten", str(path)]).stdout
    assert "1 huishoudens krijgen niet overal hetzelfde" in table

"""`kader explain --counterfactual`: the smallest change of one numeric fact that flips an outcome, checked."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import engine
from cli import app
from engine.tools.counterfactual import INCOMES, counterfactuals, euro, flip_target

REAL_RULES = Path(__file__).resolve().parent.parent / "rules"

POLICY = Path(__file__).resolve().parent / "policy" / "rules"
D = Decimal


@pytest.fixture(scope="module")
def policy():
    return engine.load_framework(POLICY, cache=False)


def case(framework, *, gemeente="soest", personen=None, inkomen="1705.20", vermogen="0.00", hulpvragen=None):
    data = {"id": "wat-als", "gemeente": gemeente, "peildatum": "2026-03-01", "melddatum": "2026-02-20",
            "huishouden": {"personen": personen or [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1990-01-01"},
                                                    {"id": "k1", "rol": "kind", "geboortedatum": "2016-01-01"}]},
            "inkomen": [{"persoon": "p1", "soort": "loon", "netto_per_maand": inkomen}],
            "vermogen": {"totaal": vermogen},
            "hulpvragen": hulpvragen or [{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud",
                                          "persoon": "p1"}]}
    return engine.case_from_text(framework, yaml.safe_dump(data, sort_keys=False), "wat-als.yaml")


@pytest.mark.parametrize("op, current, threshold, step, target", [
    ("<=", "1705.20", "1681.80", "0.01", "1681.80"),  # above a cent limit: down to the limit itself
    ("<=", "1705.20", "1681.806", "0.01", "1681.80"),  # a limit between cents: the last cent under it
    ("<=", "1000.00", "1681.806", "0.01", "1681.81"),  # within: the first cent above it
    ("<", "1000.00", "1401.50", "0.01", "1401.50"),  # below a strict limit: up to the limit
    ("<", "1401.50", "1401.50", "0.01", "1401.49"),
    (">", "8000.00", "8000.00", "0.01", "8000.01"),
    (">=", "17", "18", "1", "18"),
    (">=", "72", "70", "1", "69"),
    ("==", "17", "17", "1", "18"),
    ("==", "15", "17", "1", "17"),
])
def test_the_flip_is_the_nearest_value_on_the_grid(op, current, threshold, step, target):
    assert flip_target(op, D(current), D(threshold), D(step)) == D(target)


def test_income_above_a_municipal_minima_limit_by_the_cent(policy):
    found = counterfactuals(policy, case(policy))
    scheme = next(c for c in found if any(o.id == "soest.sportfonds.inkomen_binnen_grens" for o in c.outcomes))
    # 120% of the single norm 1.401,50 is 1.681,80; the household has 1.705,20
    assert scheme.summary == ("inkomen ligt € 23,40 boven de grens van 120% van norm (€ 1.681,80) (Soest); "
                              "bij € 1.681,80")
    assert (scheme.current, scheme.threshold, scheme.target, scheme.change) == (D("1705.20"), D("1681.80"),
                                                                               D("1681.80"), D("-23.40"))
    assert scheme.gemeente == "soest"
    [outcome] = scheme.outcomes
    assert (outcome.before, outcome.after) == (False, True)
    effects = {(e.kind, e.subject): e for e in scheme.effects}
    assert effects[("eligibility", "soest.sportfonds")].after is True
    assert effects[("amount", "soest.sportfonds")].per_jaar == D("200.00")
    assert "soest.sportfonds: geen recht → recht" in scheme.consequences
    bijstand = next(c for c in found if any(o.id == "algemene_bijstand.inkomen_onder_norm" for o in c.outcomes))
    assert bijstand.summary == "inkomen ligt € 303,70 boven de grens van norm (€ 1.401,50); bij € 1.401,49"
    assert bijstand.gemeente is None  # the norm is the same in all three


def test_every_counterfactual_holds_when_the_case_is_assessed_again(policy):
    original = case(policy)
    before = engine.assess(policy, original)
    for item in counterfactuals(policy, original):
        if item.fact != "casus.inkomen":
            continue
        changed = dataclasses.replace(original, inkomen=(("p1", "loon", item.target),))
        after = engine.assess(policy, changed)
        assert after.to_json() != before.to_json()
        for outcome in item.outcomes:
            if outcome.kind == "criterion":
                entitlement, criterion = outcome.id.rsplit(".", 1)
                met = next(c["met"] for e in after.entitlements if e["id"] == entitlement for c in e["criteria"]
                           if c["id"] == criterion)
                assert met is outcome.after


def test_vermogen_exactly_at_the_limit(policy):
    found = counterfactuals(policy, case(policy, inkomen="500.00", vermogen="8000.00"))
    item = next(c for c in found if c.fact == "casus.vermogen")
    assert item.summary == "vermogen (€ 8.000,00) ligt precies op de grens van vermogensgrens; bij € 8.000,01"
    assert ("eligibility", "algemene_bijstand") in {(e.kind, e.subject) for e in item.effects}


def test_an_age_to_the_birthday_that_flips_it(policy):
    young = case(policy, inkomen="500.00", personen=[{"id": "p1", "rol": "aanvrager", "geboortedatum": "2008-06-01"}])
    found = counterfactuals(policy, young)
    item = next(c for c in found if c.fact == "aanvrager.leeftijd")
    assert item.summary == "aanvrager is 17 jaar; de grens ligt bij 18 jaar: over 92 dagen, op 2026-06-01, is aanvrager 18 jaar"
    assert item.days == 92 and item.target == 18
    assert [(e.kind, e.after) for e in item.effects if e.subject == "hv1"] == \
        [("provision", {"provision": "werk_inkomen.bijstand", "level": 3})]


def test_an_age_limit_the_municipality_sets(policy):
    huishouden = [{"id": "hv1", "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1", "feiten": {"regie": True}}]
    personen = [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1957-09-01"}]  # 68 on the peildatum
    soest = counterfactuals(policy, case(policy, personen=personen, hulpvragen=huishouden))
    item = next(c for c in soest if c.fact == "persoon.leeftijd")
    assert item.summary == ("aanvrager is 68 jaar; de grens ligt bij ouderengrens (70 jaar) (Soest): over 549 dagen, "
                            "op 2027-09-01, is aanvrager 70 jaar")
    assert [(e.kind, e.subject) for e in item.effects] == [("signal_new", "ouderenadvies@hv1")]
    baarn_case = case(policy, gemeente="baarn", personen=personen, hulpvragen=huishouden)
    # 75 is reached on 2032-09-01, more than the default horizon of five years away: left out unless asked
    assert [c for c in counterfactuals(policy, baarn_case) if c.fact == "persoon.leeftijd"] == []
    baarn = counterfactuals(policy, baarn_case, horizon_years=None)
    item = next(c for c in baarn if c.fact == "persoon.leeftijd")
    assert item.summary.startswith("aanvrager is 68 jaar; de grens ligt bij ouderengrens (75 jaar): over ")
    assert item.date.isoformat() == "2032-09-01" and item.gemeente is None
    older = [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1950-01-01"}]  # 76: every limit is behind
    assert [c for c in counterfactuals(policy, case(policy, personen=older, hulpvragen=huishouden))
            if c.fact == "persoon.leeftijd"] == []


def test_euro_is_always_to_the_cent():
    """Money is shown to the cent, never '€ 415,188': a limit between cents is rounded half up for display."""
    assert euro(D("1234.5")) == "€ 1.234,50"
    assert euro(D("-23.4")) == "€ -23,40"
    assert euro(D("2402.556")) == "€ 2.402,56"
    assert euro(D("415.188")) == "€ 415,19"


def test_an_aow_counterfactual_holds_on_the_date_it_names():
    """PW art. 7 lid 6 and 47a: from the pensioengerechtigde leeftijd the SVB is competent (AIO). Someone born
    on 1963-03-15 turns 67 on 2030-03-15, but the pensioengerechtigde leeftijd is then
    67 years and 3 months (AOW art. 7a): the counterfactual names 2030-06-15, and assessing the case on that
    date (and the day before) shows it."""
    framework = engine.load_framework(REAL_RULES)
    data = {"id": "aow", "gemeente": "soest", "peildatum": "2026-03-01",
            "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1963-03-15"}],
                           "woonsituatie": "huurwoning"},
            "inkomen": [], "vermogen": {"totaal": "0.00"},
            "hulpvragen": [{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1",
                            "feiten": {"voorliggende_voorziening": False}}]}
    aow = engine.case_from_text(framework, yaml.safe_dump(data), "aow.yaml")
    item = next(c for c in counterfactuals(framework, aow) if c.fact == "aanvrager.leeftijd_maanden")
    assert item.date.isoformat() == "2030-06-15" and int(item.target) == 67 * 12 + 3
    assert "(67 jaar en 3 maanden)" in item.summary and "op 2030-06-15" in item.summary
    for day, provision in (("2030-06-14", "werk_inkomen.algemene_bijstand"), ("2030-06-15", "werk_inkomen.svb_aio")):
        on = engine.assess(framework, aow, peildatum=_dt.date.fromisoformat(day))
        assert on.proposals[0]["provision"] == provision
    assert ("lighter", "hv1") in {(e.kind, e.subject) for e in item.effects}


def test_the_aow_age_is_named_once_as_the_limit_that_flips_it():
    """AOW art. 7a: someone born 1962-05-01 reaches the pensioengerechtigde leeftijd (67 years and 3 months for
    1961-01-01 to 1964-09-30) on 2029-08-01; the lowest possible AOW age (65, aow_leeftijd_ondergrens_maanden)
    flips nothing on his 65th birthday. One counterfactual, crediting the move to the SVB (PW art. 7 lid 6) to
    aow_leeftijd_maanden, not a second one naming the lower bound for the same day."""
    framework = engine.load_framework(REAL_RULES)
    data = {"id": "aow", "gemeente": "soest", "peildatum": "2026-03-01",
            "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1962-05-01"}],
                           "woonsituatie": "huurwoning"},
            "inkomen": [], "vermogen": {"totaal": "0.00"},
            "hulpvragen": [{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1",
                            "feiten": {"voorliggende_voorziening": False}}]}
    aow = engine.case_from_text(framework, yaml.safe_dump(data), "aow.yaml")
    ages = [c for c in counterfactuals(framework, aow) if c.fact == "aanvrager.leeftijd_maanden"]
    assert [(c.threshold_text, c.date.isoformat()) for c in ages] == [("aow_leeftijd_maanden", "2029-08-01")]
    assert int(ages[0].target) == 67 * 12 + 3


def test_a_consequence_is_credited_to_the_limit_that_causes_it():
    """PW art. 19 and the Soest minima scheme (120 % of the norm): moving income from 0 to 120 % of the norm also
    crosses 100 %, but only what changes at 120 % is credited to that limit; bijstand ends at 100 %."""
    framework = engine.load_framework(REAL_RULES)
    data = {"id": "minima", "gemeente": "soest", "peildatum": "2026-03-01",
            "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1980-01-01"}],
                           "woonsituatie": "huurwoning"},
            "inkomen": [], "vermogen": {"totaal": "0.00"},
            "hulpvragen": [{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1",
                            "feiten": {"voorliggende_voorziening": False}}]}
    found = [c for c in counterfactuals(framework, engine.case_from_text(framework, yaml.safe_dump(data), "m.yaml"))
             if c.fact in INCOMES]  # the minima rules read the income as the minima count it (PW art. 31 lid 2)
    at_120 = next(c for c in found if "120%" in c.threshold_text)
    assert "algemene_bijstand" not in {e.subject for e in at_120.effects}
    assert {e.subject for e in at_120.effects} >= {"soest.eigen_risico"}
    at_100 = next(c for c in found if c.threshold_text == "bijstandsnorm")
    assert ("eligibility", "algemene_bijstand") in {(e.kind, e.subject) for e in at_100.effects}


def test_kader_explain_counterfactual(runner, policy, tmp_path):
    path = tmp_path / "casus.yaml"
    original = case(policy)
    path.write_text(yaml.safe_dump(original.data, sort_keys=False), encoding="utf-8")
    text = runner.invoke(app, ["explain", str(path), "--counterfactual", "--rules", str(POLICY)])
    assert text.exit_code == 0, text.output
    assert "Wat als" in text.stdout
    assert "inkomen ligt € 23,40 boven de grens van 120% van norm (€ 1.681,80) (Soest)" in text.stdout
    assert "soest.sportfonds: geen recht → recht" in text.stdout
    data = json.loads(runner.invoke(app, ["explain", str(path), "--counterfactual", "--format", "json",
                                          "--rules", str(POLICY)]).stdout)
    assert data["case_id"] == "wat-als" and "trace" in data
    first = next(c for c in data["counterfactuals"] if c["threshold_text"] == "120% van norm")
    assert first["target"] == "1681.80" and first["change"] == "-23.40" and first["unit"] == "EUR"
    assert first["outcomes"] == [{"kind": "criterion", "id": "soest.sportfonds.inkomen_binnen_grens",
                                  "hulpvraag": None, "before": False, "after": True}]
    plain = json.loads(runner.invoke(app, ["explain", str(path), "--format", "json", "--rules", str(POLICY)]).stdout)
    assert "counterfactuals" not in plain

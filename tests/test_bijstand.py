"""Algemene bijstand: the norms of Participatiewet art. 20-22a and the vermogen test (art. 34), computed
from the formula and the base amounts, checked against published figures."""

from __future__ import annotations

import pytest

import engine

from .conftest import make_case, person


def bijstand(framework, people, *, peildatum="2026-03-01", inkomen="0.00", vermogen="0.00", feiten=None, signalen=()):
    case = make_case(
        framework, peildatum=peildatum,
        huishouden={"personen": people, "woonsituatie": "huurwoning"},
        inkomen=[{"persoon": "p1", "soort": "loon", "netto_per_maand": inkomen}] if inkomen != "0.00" else [],
        vermogen={"totaal": vermogen},
        hulpvragen=[{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1",
                     "feiten": {"voorliggende_voorziening": False, **(feiten or {})}}],
        signalen=list(signalen))
    result = engine.assess(framework, case)
    return next(e for e in result.entitlements if e["id"] == "algemene_bijstand"), result


def lodgers(count: int) -> list[dict]:
    return [person(f"h{i}", "huisgenoot", f"19{60 + i}-01-01") for i in range(count)]


def test_single_adult_gets_the_art_21_norm(framework):
    item, result = bijstand(framework, [person("p1", "aanvrager", "1980-05-01")], inkomen="400.00")
    assert (item["eligible"], item["norm"], item["bedrag"]) == (True, "1401.50", "1001.50")
    assert result.proposals[0]["provision"] == "werk_inkomen.algemene_bijstand"


@pytest.mark.parametrize("kostendelers, per_person", [(1, "917.02"), (2, "794.75"), (3, "733.62"), (4, "696.94"),
                                                      (5, "672.48")])
def test_kostendelersnorm_reproduces_the_published_2024_table(framework, kostendelers, per_person):
    # Velsen, bijstandsnormen per 1 januari 2024: 2- to 6-persoonshuishouden, per person, incl. vakantietoeslag.
    item, _ = bijstand(framework, [person("p1", "aanvrager", "1980-05-01")] + lodgers(kostendelers),
                       peildatum="2024-03-01")
    assert item["norm"] == per_person


def test_couple_with_kostendelers_is_the_sum_of_both_partners(framework):
    # 2026-01-01: B = 2002.13; A = 3 (both partners and one lodger): 2 x round(130/300 x B) = 2 x 867.59
    item, _ = bijstand(framework, [person("p1", "aanvrager", "1970-01-01"), person("p2", "partner", "1972-01-01")]
                       + lodgers(1), inkomen="850.00", vermogen="2500.00")
    assert (item["norm"], item["bedrag"]) == ("1735.18", "885.18")


@pytest.mark.parametrize("lodger, counts", [
    ({"commerciele_huurder": True}, False),
    ({"commerciele_huurder": True, "bloedverwant_eerste_of_tweede_graad": True}, True),
    ({"studiefinanciering": True}, False),
    ({}, True),
])
def test_who_is_a_kostendeler(framework, lodger, counts):
    people = [person("p1", "aanvrager", "1980-05-01"), person("h1", "huisgenoot", "1990-01-01", **lodger)]
    item, _ = bijstand(framework, people)
    assert item["norm"] == ("1001.07" if counts else "1401.50")  # A = 2: 50% of 2002.13, rounded half up


def test_a_housemate_counts_from_the_day_they_turn_27(framework):
    people = [person("p1", "aanvrager", "1980-05-01"), person("h1", "huisgenoot", "1999-03-01")]
    on_birthday, _ = bijstand(framework, people, peildatum="2026-03-01")
    day_before, _ = bijstand(framework, people, peildatum="2026-02-28")
    assert (on_birthday["norm"], day_before["norm"]) == ("1001.07", "1401.50")


def test_a_child_aged_27_or_older_is_a_kostendeler_but_a_younger_one_is_not(framework):
    adult = bijstand(framework, [person("p1", "aanvrager", "1960-05-01"), person("k1", "kind", "1998-01-01")])[0]
    young = bijstand(framework, [person("p1", "aanvrager", "1960-05-01"), person("k1", "kind", "2001-01-01")])[0]
    assert (adult["norm"], young["norm"]) == ("1001.07", "1401.50")


def test_jongerennorm_for_18_to_20_and_the_art_21_norm_from_21(framework):
    twenty = bijstand(framework, [person("p1", "aanvrager", "2005-03-02")], peildatum="2025-03-01")[0]
    twenty_one = bijstand(framework, [person("p1", "aanvrager", "2004-03-01")], peildatum="2025-03-01")[0]
    assert (twenty["norm"], twenty_one["norm"]) == ("332.17", "1345.45")


def test_the_2026_raise_without_parental_support_is_capped_at_the_art_21_norm(framework):
    young = [person("p1", "aanvrager", "2007-01-01", onvoldoende_ouderlijke_steun=True)]
    raised = bijstand(framework, young)[0]
    assert raised["norm"] == "1092.44"  # 345.99 + 746.45, below the cap of 1401.50
    without = bijstand(framework, [person("p1", "aanvrager", "2007-01-01", onvoldoende_ouderlijke_steun=False)])[0]
    assert without["norm"] == "345.99"
    before_2026 = bijstand(framework, young, peildatum="2025-09-01")[0]
    assert before_2026["norm"] == "337.98"  # the raise did not exist before 2026


def test_an_unanswered_question_about_parental_support_makes_the_norm_unknown_in_2026(framework):
    item, result = bijstand(framework, [person("p1", "aanvrager", "2007-01-01")])
    assert (item["eligible"], item["bedrag"], item["norm"]) == (None, None, None)
    asked = [m for m in result.missing_facts if m["fact"] == "persoon.onvoldoende_ouderlijke_steun"]
    assert asked and asked[0]["persoon"] == "p1" and asked[0]["impact"] == "beslissend"


@pytest.mark.parametrize("vermogen, eligible", [("7999.99", True), ("8000.00", True), ("8000.01", False)])
def test_vermogen_equal_to_the_limit_is_allowed(framework, vermogen, eligible):
    item, result = bijstand(framework, [person("p1", "aanvrager", "1980-05-01")], vermogen=vermogen)
    assert item["eligible"] is eligible
    assert result.proposals[0]["provision"] == ("werk_inkomen.algemene_bijstand" if eligible else "werk_inkomen.eigen_middelen")


def test_income_at_the_norm_is_no_bijstand(framework):
    item, result = bijstand(framework, [person("p1", "aanvrager", "1980-05-01")], inkomen="1401.50")
    assert (item["eligible"], item["bedrag"]) == (False, "0.00")
    assert result.proposals[0]["provision"] == "werk_inkomen.eigen_middelen"


def test_from_the_aow_age_the_svb_is_competent(framework):
    item, result = bijstand(framework, [person("p1", "aanvrager", "1959-02-01")])  # 67 on 2026-02-01
    assert item["eligible"] is False and item["rules"] == ["werk_inkomen.pw.aow_leeftijd"]
    assert [s["id"] for s in result.signals] == ["svb_aio"]
    day_before = bijstand(framework, [person("p1", "aanvrager", "1959-03-02")])[1]
    assert "svb_aio" not in [s["id"] for s in day_before.signals]


def test_under_18_there_is_no_bijstand(framework):
    item, result = bijstand(framework, [person("p1", "aanvrager", "2008-06-01")])
    assert item["eligible"] is False and "werk_inkomen.pw.jonger_dan_18" in item["rules"]


def test_search_period_for_under_27(framework):
    _, result = bijstand(framework, [person("p1", "aanvrager", "2001-05-01", medisch_urenbeperkt=False,
                                           pro_vso_afgelopen_jaar=False)])
    deadline = next(d for d in result.deadlines if d["id"] == "pw_zoektermijn")
    assert deadline["date"] == "2026-03-20"  # melddatum 2026-02-20 + 4 weeks
    exempt = bijstand(framework, [person("p1", "aanvrager", "2001-05-01", medisch_urenbeperkt=True,
                                         pro_vso_afgelopen_jaar=False)])[1]
    assert "pw_zoektermijn" not in [d["id"] for d in exempt.deadlines]


def test_missing_income_and_vermogen_are_asked_for(framework):
    case = make_case(framework, inkomen=None, vermogen=None)
    result = engine.assess(framework, case)
    item = next(e for e in result.entitlements if e["id"] == "algemene_bijstand")
    assert item["eligible"] is None and item["bedrag"] is None
    asked = {m["fact"]: m["question"] for m in result.missing_facts}
    assert asked["casus.inkomen"] == "Wat is het netto inkomen van de aanvrager en zijn partner per maand? (inkomen)"
    assert asked["casus.vermogen"].startswith("Wat is het in aanmerking te nemen vermogen")


def test_a_lodgers_income_is_not_the_claimants(framework):
    people = [person("p1", "aanvrager", "1980-05-01"), person("h1", "huisgenoot", "1990-01-01")]
    case = make_case(framework, huishouden={"personen": people, "woonsituatie": "huurwoning"},
                     inkomen=[{"persoon": "p1", "soort": "loon", "netto_per_maand": "200.00"},
                              {"persoon": "h1", "soort": "loon", "netto_per_maand": "2500.00"}])
    item = next(e for e in engine.assess(framework, case).entitlements if e["id"] == "algemene_bijstand")
    assert (item["eligible"], item["norm"], item["bedrag"]) == (True, "1001.07", "801.07")  # kostendelersnorm A = 2


@pytest.mark.parametrize("flags", [{"acht_jaar_nederlandstalig_onderwijs": True}, {"taalbewijs": True}])
def test_who_meets_the_language_requirement_is_not_lowered_for_it(framework, flags):
    """Participatiewet art. 18b lid 1 en 2: wie acht jaar Nederlandstalig onderwijs volgde of een diploma of ander
    taalbewijs heeft, legt geen taaltoets af; de verlaging van lid 3 e.v. volgt alleen op een toets. Without a toets
    result the verlaging is then neither a check nor provisional, and nobody is asked for the toets result."""
    _, result = bijstand(framework, [person("p1", "aanvrager", "1986-10-01", **flags)])
    ids = [c["id"] for c in result.checks] + [p["id"] for p in result.provisional]
    assert "taaleis_verlaging" not in ids and "taaltoets" not in ids
    assert "persoon.taaltoets_onvoldoende" not in [m["fact"] for m in result.missing_facts]


def test_without_the_exemption_facts_the_verlaging_still_waits_on_the_toets(framework):
    """Art. 18b lid 3: unknown whether the aanvrager falls under the taaleis and no toets result: provisional."""
    _, result = bijstand(framework, [person("p1", "aanvrager", "1986-10-01")])
    assert "taaleis_verlaging" in [p["id"] for p in result.provisional]


@pytest.mark.parametrize("born, proposal", [("2011-06-01", "werk_inkomen.eigen_middelen"),  # 14 on 2026-03-01
                                            ("2011-03-01", "werk_inkomen.studietoeslag")])  # 15 that day
def test_studietoeslag_is_for_a_person_of_15_or_older_and_under_15_is_decided_not_left_open(framework, born, proposal):
    """Participatiewet art. 36b lid 1: studietoeslag for "een persoon van 15 jaar of ouder" (with studiefinanciering
    or WTOS, structurally unable to earn, no Wajong). Under 15 the ladder was left undecided with nothing to ask
    (a gap kader verify found); now it is decided: no studietoeslag, eigen middelen."""
    case = make_case(
        framework, peildatum="2026-03-01",
        huishouden={"personen": [person("p1", "aanvrager", "1980-01-01"), person("k1", "kind", born)],
                    "woonsituatie": "huurwoning"},
        hulpvragen=[{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "studietoeslag", "persoon": "k1",
                     "feiten": {"ontvangt_studiefinanciering_of_wtos": True,
                                "structureel_niet_in_staat_bij_te_verdienen": True, "recht_op_wajong": False}}])
    result = engine.assess(framework, case)
    assert [p["provision"] for p in result.proposals if p["hulpvraag"] == "hv1"] == [proposal]

"""Who can be a partner: the family exceptions of Participatiewet art. 3 lid 2 onder a and Wmo 2015 art. 1.1.2 lid 2
onder a, which are narrower than the kostendelersnorm's "bloed- of aanverwant in de eerste of tweede graad" (art. 19a
lid 1 onder b).

- Wmo 2015 art. 1.1.2 lid 2 onder a: an unmarried adult with whom a gezamenlijke huishouding is kept counts as
  echtgenoot, "tenzij het betreft een bloedverwant in de eerste graad" (parent or child only; no care exception).
- Participatiewet art. 3 lid 2 onder a, text until 2026-01-01: excepted are a bloedverwant in de eerste graad, and a
  bloedverwant in de tweede graad (brother, sister, grandparent, grandchild) where there is a zorgbehoefte (the
  bill to drop that exception, Kamerstukken 35 174, was rejected by the Eerste Kamer in 2020; Raad van State, nader
  rapport, Stcrt. 2019, 17822). From 2026-01-01 (Participatiewet in balans) living together because of a care need
  is no gezamenlijke huishouding whatever the family tie (casus.samenwonen_wegens_zorgbehoefte), and the eerste
  graad exception stays.
- In-laws (aanverwanten) have no exception in either law, and siblings and in-laws can fall under a presumption of
  art. 3 lid 4 onder a-d / Wmo art. 1.1.2 lid 4.

When a presumption holds and it is not known whether a relative housemate is a parent or child, the outcome is
undecided with that question named, never the alleenstaande amount.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine

from .conftest import examples, make_case, person

PRESUMPTIONS = ("gehuwd_geweest_met_huisgenoot", "kind_met_huisgenoot", "samenlevingscontract_met_huisgenoot",
                "geregistreerd_met_huisgenoot")
# the relative as the case gives him: (bloedverwant_eerste_of_tweede_graad, bloedverwant_eerste_graad,
# bloedverwant_tweede_graad_met_zorgbehoefte); None leaves a fact out (unknown)
GEEN_FAMILIE = (False, None, None)
MOEDER = (True, True, None)
ZUS = (True, False, False)
ZUS_MET_ZORG = (True, False, True)
SCHOONZUS = (True, False, False)  # an aanverwant answers "no" to both questions of a blood relative
VERWANT_GRAAD_ONBEKEND = (True, None, None)

# Participatiewet art. 21 onder b, the gehuwdennorm (B of art. 22a lid 1); with one kostendeler A = 2 and the norm is
# (40 + 30 x 2) / 2 = 50 % of B (art. 22a lid 1)
ALLEENSTAANDE_MET_KOSTENDELER = {dt.date(2025, 9, 15): Decimal("977.90"),   # 50 % of 1955.80 (2025-07-01)
                                 dt.date(2026, 5, 4): Decimal("1001.07")}   # 50 % of 2002.14 (2026-01-01)


def _housemate(relative: tuple, born: str = "1976-03-11") -> dict:
    flags = {}
    for name, value in zip(("bloedverwant_eerste_of_tweede_graad", "bloedverwant_eerste_graad",
                            "bloedverwant_tweede_graad_met_zorgbehoefte"), relative, strict=True):
        if value is not None:
            flags[name] = value
    return person("h1", "huisgenoot", born, **flags)


def _bijstand(framework, day: dt.date, relative: tuple, feiten: dict):
    case = make_case(
        framework, gemeente="soest", peildatum=day.isoformat(), melddatum=(day - dt.timedelta(days=6)).isoformat(),
        huishouden={"personen": [person("p1", "aanvrager", "1981-01-20"), _housemate(relative)],
                    "woonsituatie": "huurwoning"},
        inkomen=[{"persoon": "h1", "soort": "loon", "netto_per_maand": "1800.00"}], vermogen={"totaal": "1000.00"},
        feiten=feiten)
    result = engine.assess(framework, case)
    item = next(e for e in result.entitlements if e["id"] == "algemene_bijstand")
    return item, {m["fact"] for m in result.missing_facts}


def _wmo_bijdrage(framework, day: dt.date, relative: tuple, feiten: dict):
    case = make_case(
        framework, gemeente="soest", peildatum=day.isoformat(), melddatum=None, aanvraagdatum=None,
        huishouden={"personen": [person("p1", "aanvrager", "1966-01-12", beperkt=True),
                                 _housemate(relative, "1964-02-10")], "woonsituatie": "huurwoning"},
        inkomen=[], vermogen=None, feiten=feiten,
        hulpvragen=[{"id": "hv1", "domein": "wmo", "onderwerp": "dagbesteding", "persoon": "p1",
                     "feiten": {"eigen_kracht_toereikend": False, "mantelzorg_beschikbaar": False,
                                "algemene_voorziening_toereikend": False, "vervoer_naar_dagbesteding_nodig": True}}])
    result = engine.assess(framework, case)
    item = next(e for e in result.entitlements if e["id"] == "wmo_eigen_bijdrage")
    return item, [w["fact"] for w in item.get("waits_on") or []]


def _only(which: str) -> dict:
    return {name: name == which for name in PRESUMPTIONS}


@pytest.mark.parametrize("which", PRESUMPTIONS)
@pytest.mark.parametrize("day", sorted(ALLEENSTAANDE_MET_KOSTENDELER))
def test_pw_art_3_lid_2_onder_a_a_sister_or_in_law_under_a_presumption_is_a_partner_as_a_stranger_is(
        framework, day, which):
    """Participatiewet art. 3 lid 2 onder a (text until and from 2026-01-01) and lid 4 onder a-d: a sister (second
    degree, no care need) or a schoonzus is not excepted; under a presumption she is a partner, so the bijstand for an
    alleenstaande is not stated: undecided exactly as for a housemate who is no family."""
    for relative in (ZUS, SCHOONZUS, GEEN_FAMILIE):
        item, missing = _bijstand(framework, day, relative, _only(which))
        assert (item["eligible"], item["norm"], item["bedrag"]) == (None, None, None), relative
        assert "onbepaald:huishouden.bijstandsnorm" in missing


@pytest.mark.parametrize("which", PRESUMPTIONS)
@pytest.mark.parametrize("day", sorted(ALLEENSTAANDE_MET_KOSTENDELER))
def test_pw_art_3_lid_2_onder_a_a_parent_or_child_is_never_a_partner_whatever_the_presumption(framework, day, which):
    """Participatiewet art. 3 lid 2 onder a (before and from 2026): a bloedverwant in de eerste graad is excepted; the
    mother under a presumption is no partner but a kostendelende medebewoner (art. 19a lid 1): the norm of art. 22a
    lid 1 with A = 2 (50 % of the gehuwdennorm of art. 21 onder b)."""
    item, missing = _bijstand(framework, day, MOEDER, _only(which))
    assert item["eligible"] is True
    assert Decimal(item["norm"]) == ALLEENSTAANDE_MET_KOSTENDELER[day]
    assert not any(m.startswith("onbepaald:") for m in missing)


def test_pw_art_3_lid_2_onder_a_before_2026_a_second_degree_relative_with_care_need_is_excepted(framework):
    """Participatiewet art. 3 lid 2 onder a, text until 2026-01-01: a bloedverwant in de tweede graad is excepted
    where there is a zorgbehoefte (977.90 = 50 % of 1955.80, art. 22a lid 1); unanswered, the bijstand waits on it."""
    day = dt.date(2025, 9, 15)
    item, _ = _bijstand(framework, day, ZUS_MET_ZORG, _only("samenlevingscontract_met_huisgenoot"))
    assert (item["eligible"], Decimal(item["norm"])) == (True, Decimal("977.90"))
    item, missing = _bijstand(framework, day, (True, False, None), _only("samenlevingscontract_met_huisgenoot"))
    assert (item["eligible"], item["norm"]) == (None, None)
    assert "persoon.bloedverwant_tweede_graad_met_zorgbehoefte" in missing


def test_pw_art_3_lid_2_onder_a_from_2026_the_second_degree_care_exception_is_replaced(framework):
    """Participatiewet art. 3 lid 2 onder a, text from 2026-01-01: the exception for a second-degree relative with a
    care need is gone; a care need excepts anyone, but only when it is the reason to live together
    (casus.samenwonen_wegens_zorgbehoefte), which also excepts the sister."""
    day = dt.date(2026, 5, 4)
    item, missing = _bijstand(framework, day, ZUS_MET_ZORG, _only("samenlevingscontract_met_huisgenoot"))
    assert (item["eligible"], item["norm"]) == (None, None)
    assert "onbepaald:huishouden.bijstandsnorm" in missing
    feiten = dict(_only("samenlevingscontract_met_huisgenoot"), samenwonen_wegens_zorgbehoefte=True)
    item, _ = _bijstand(framework, day, ZUS, feiten)
    assert (item["eligible"], Decimal(item["norm"])) == (True, Decimal("1001.07"))


@pytest.mark.parametrize("day", sorted(ALLEENSTAANDE_MET_KOSTENDELER))
def test_pw_art_3_lid_2_onder_a_a_relative_of_unknown_degree_under_a_presumption_is_undecided_and_asked(
        framework, day):
    """Participatiewet art. 3 lid 2 onder a and lid 4: a relative (bloed- of aanverwant, art. 19a) under a presumption
    is a partner unless a parent or child: not known which, the bijstand is undecided and names the question, never
    the alleenstaande amount."""
    item, missing = _bijstand(framework, day, VERWANT_GRAAD_ONBEKEND, _only("kind_met_huisgenoot"))
    assert (item["eligible"], item["norm"], item["bedrag"]) == (None, None, None)
    assert {"onbepaald:huishouden.grond_vermoeden_gezamenlijke_huishouding", "persoon.bloedverwant_eerste_graad"} <= missing
    waits = {w["fact"] for w in item["waits_on"]}
    assert "onbepaald:huishouden.grond_vermoeden_gezamenlijke_huishouding" in waits


@pytest.mark.parametrize("relative", [GEEN_FAMILIE, VERWANT_GRAAD_ONBEKEND, MOEDER])
def test_pw_art_3_lid_4_the_degree_is_not_asked_where_no_presumption_holds(framework, relative):
    """Participatiewet art. 3 lid 4: without a ground of the presumption (all four answered no) nobody is a presumed
    partner, so whether the relative is a parent or child does not matter and is not asked: the norm of art. 22a lid 1
    with A = 2; and a housemate who is no family is certainly no parent or child (never asked)."""
    day = dt.date(2026, 5, 4)
    item, missing = _bijstand(framework, day, relative, {name: False for name in PRESUMPTIONS})
    assert Decimal(item["norm"]) == Decimal("1001.07")
    assert "persoon.bloedverwant_eerste_graad" not in missing
    _, missing = _bijstand(framework, day, GEEN_FAMILIE, _only("samenlevingscontract_met_huisgenoot"))
    assert "persoon.bloedverwant_eerste_graad" not in missing


@pytest.mark.parametrize("day", [dt.date(2025, 9, 15), dt.date(2026, 3, 10)])
def test_wmo_art_1_1_2_lid_2_onder_a_only_a_parent_or_child_is_excepted(framework, day):
    """Wmo 2015 art. 1.1.2 lid 2 onder a ("tenzij het betreft een bloedverwant in de eerste graad") and lid 4: a brother
    with a registration is the client's echtgenoot, so the bijdrage is not stated (one per couple, none when one of
    them is under the AOW age, Uitvoeringsbesluit Wmo 2015 art. 3.8 lid 3 onder f), also with a care need, also before
    2026 (the Participatiewet's second-degree care exception is not in the Wmo); the mother is no echtgenoot: the
    abonnementstarief (21.00 in 2025, 21.80 in 2026, art. 2.1.4b); unknown degree: undecided and asked."""
    registratie = _only("geregistreerd_met_huisgenoot")
    for relative in (ZUS, ZUS_MET_ZORG, SCHOONZUS):
        item, waits = _wmo_bijdrage(framework, day, relative, registratie)
        assert (item["eligible"], item["bedrag"]) == (None, None), relative
        assert "onbepaald:huishouden.wmo_echtgenoot_ingevoerd_als_huisgenoot" in waits
    item, waits = _wmo_bijdrage(framework, day, MOEDER, registratie)
    assert (item["eligible"], Decimal(item["bedrag"])) == (True, Decimal("21.00" if day.year == 2025 else "21.80"))
    item, waits = _wmo_bijdrage(framework, day, VERWANT_GRAAD_ONBEKEND, registratie)
    assert (item["eligible"], item["bedrag"]) == (None, None)
    assert "onbepaald:huishouden.grond_vermoeden_gezamenlijke_huishouding" in waits


@settings(max_examples=examples(25), deadline=None)
@given(day=st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)), which=st.sampled_from(PRESUMPTIONS),
       relative=st.sampled_from([GEEN_FAMILIE, MOEDER, ZUS, ZUS_MET_ZORG, VERWANT_GRAAD_ONBEKEND,
                                 (True, False, None)]))
def test_spec_pw_art_3_the_bijstand_is_stated_only_when_the_housemate_is_certainly_no_partner(
        framework, day, which, relative):
    """Participatiewet art. 3 lid 2 onder a and lid 4 (both texts): under a presumption the bijstand has an amount
    exactly when the housemate is excepted: a parent or child, or before 2026 a second-degree relative with a care
    need; otherwise (a partner, or not known) it is undecided."""
    item, _ = _bijstand(framework, day, relative, _only(which))
    excepted = relative[1] is True or (day < dt.date(2026, 1, 1) and relative[1] is False and relative[2] is True)
    assert (item["norm"] is not None) is excepted
    if excepted:
        assert item["eligible"] is True

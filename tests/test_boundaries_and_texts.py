"""Consistency of the texts and the reading of boundaries (issue 11 item 10).

- Participatiewet art. 19 lid 1 onder a: the income must be "lager dan" the norm (strict): equal gives no right.
- art. 34 lid 2 onder b: vermogen is exempt "voorzover dit minder bedraagt dan" the limit, so only the part above
  the limit counts (inclusive): vermogen equal to the limit leaves nothing to take into account.
- Wmo 2015 art. 2.3.5 lid 6: a Wlz indication (a CIZ decision) is a ground to refuse maatwerk, a pending
  application is not; the question and the rule's reason must say the same.
"""

from __future__ import annotations

import engine

from .conftest import make_case, person


def bijstand(framework, inkomen: str, vermogen: str):
    case = make_case(framework, huishouden={"personen": [person("p1", "aanvrager", "1980-05-01")],
                                            "woonsituatie": "huurwoning"},
                     inkomen=[{"persoon": "p1", "soort": "uitkering", "netto_per_maand": inkomen}],
                     vermogen={"totaal": vermogen})
    result = engine.assess(framework, case)
    return next(e for e in result.entitlements if e["id"] == "algemene_bijstand")


def test_income_equal_to_the_norm_gives_no_bijstand_and_one_cent_less_does(framework):
    # 2026-03-01, art. 21 onder a: 1401.50
    assert bijstand(framework, "1401.50", "0.00")["eligible"] is False
    item = bijstand(framework, "1401.49", "0.00")
    assert (item["eligible"], item["bedrag"]) == (True, "0.01")


def test_vermogen_equal_to_the_limit_is_allowed_and_one_cent_more_is_not(framework):
    # 2026, art. 34 lid 3 onder a: 8000.00
    assert bijstand(framework, "0.00", "8000.00")["eligible"] is True
    assert bijstand(framework, "0.00", "8000.01")["eligible"] is False


def test_the_wlz_question_and_the_rule_reason_agree_that_an_application_does_not_count(framework):
    question = framework.facts["persoon.wlz_indicatie"].label
    assert "Alleen een aanvraag telt" in question and "niet" in question
    rule = framework.rules["wmo.wlz_voorliggend"]
    assert "lopende aanvraag is geen grond" in rule.reason
    assert "of die is aangevraagd" not in rule.reason

"""Missing terms of the Participatiewet and the Wgs (issue 11 item 6): the voorschot (PW art. 52 lid 1, four weeks),
the decision term (Awb art. 4:13 lid 2, eight weeks) and the Wgs beschikking term that the verordening sets within
the statutory maximum of eight weeks (Wgs art. 4a lid 1): a municipal override point bounded by that maximum."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.language.termijnen import deadline

from .conftest import examples, make_case, person


def schulden_case(framework, aanvraag: str, gemeente: str = "bunschoten"):
    return make_case(framework, gemeente=gemeente, peildatum=aanvraag, melddatum="2026-01-05", aanvraagdatum=aanvraag,
                     huishouden={"personen": [person("p1", "aanvrager", "1980-05-01")], "woonsituatie": "huurwoning"},
                     signalen=["schulden"], hulpvragen=[{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "schulden",
                                                        "persoon": "p1", "feiten": {"schulden_problematisch": True}}])


def _deadline(result, ident):
    return next((d for d in result.deadlines if d["id"] == ident), None)


@settings(max_examples=examples(40))
@given(day=st.dates(dt.date(2026, 1, 6), dt.date(2026, 12, 31)))
def test_the_terms_after_a_bijstand_aanvraag_for_any_date(framework, day):
    case = make_case(framework, peildatum=day.isoformat(), melddatum="2026-01-05", aanvraagdatum=day.isoformat())
    result = engine.assess(framework, case)
    voorschot, besluit = _deadline(result, "pw_voorschot"), _deadline(result, "pw_beslistermijn")
    off = framework.holidays
    assert voorschot["date"] == deadline(day, weeks=4, algemene_termijnenwet=True, days_off=off).isoformat()
    assert besluit["date"] == deadline(day, weeks=8, algemene_termijnenwet=True, days_off=off).isoformat()
    assert voorschot["date"] <= besluit["date"]


def test_the_wgs_beschikking_term_is_the_statutory_maximum_by_default(framework):
    result = engine.assess(framework, schulden_case(framework, "2026-03-02"))
    # 8 weeks (Wgs art. 4a lid 1) is Monday 27 April 2026, Koningsdag (Atw art. 3 lid 1): Tuesday 28 April
    assert _deadline(result, "wgs_beschikking")["date"] == "2026-04-28"


def _with_override(rules_copy, weeks: int):
    path = rules_copy / "gemeenten" / "bunschoten.yaml"
    text = path.read_text(encoding="utf-8").replace("overrides:\n", f"""overrides:
  wgs_beschikkingstermijn_weken:
    decision: "proef: verordening schuldhulpverlening"
    values:
      - {{from: 2024-01-01, value: {weeks}}}
""", 1)
    path.write_text(text, encoding="utf-8")
    return engine.check_rules(rules_copy)


def test_a_municipality_may_set_a_shorter_wgs_term(rules_copy):
    framework, diagnostics = _with_override(rules_copy, 6)
    assert framework is not None, diagnostics
    result = engine.assess(framework, schulden_case(framework, "2026-03-02"))
    assert _deadline(result, "wgs_beschikking")["date"] == "2026-04-13"  # 6 weeks
    soest = engine.assess(framework, schulden_case(framework, "2026-03-02", gemeente="soest"))
    assert _deadline(soest, "wgs_beschikking")["date"] == "2026-04-28"


def test_a_municipality_may_not_exceed_the_statutory_maximum(rules_copy):
    framework, diagnostics = _with_override(rules_copy, 9)
    assert framework is None and any(d.code == "E404" for d in diagnostics)


def test_a_term_parameter_must_be_a_bounded_override_point(rules_copy):
    path = rules_copy / "werk_inkomen" / "schulden.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('override: {allowed: true, min: "1", max: "8",',
                                                             'override: {allowed: true, min: "1",'), encoding="utf-8")
    framework, diagnostics = engine.check_rules(rules_copy)
    assert framework is None and any(d.code == "E149" for d in diagnostics)

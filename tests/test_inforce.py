"""Amounts for every period a provision exists (issue 11 item 9): kader check reports a period in which a rule or
entitlement is in force but a parameter it reads has no value (E146); a period may be marked `te_verifieren` with
its reason, and kader then says the amount is unknown and why, never a guess."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.language.inforce import _readers

from .conftest import examples


def _check(rules_copy):
    framework, diagnostics = engine.check_rules(rules_copy)
    return framework, diagnostics


@settings(max_examples=examples(60))
@given(day=st.dates(dt.date(2024, 1, 1), dt.date(2032, 12, 31)))
def test_every_parameter_a_provision_reads_has_a_value_or_a_reason_on_every_day(framework, day):
    for _, ident, valid_from, valid_until, names, gemeenten in _readers(framework):
        if (valid_from and day < valid_from) or (valid_until and day > valid_until):
            continue
        for name in names:
            for gemeente in gemeenten:
                parameter = framework.parameter(name, gemeente) if gemeente else framework.parameters[name]
                if parameter.key != "peildatum":
                    continue
                assert parameter.at(day) is not None or parameter.pending_on(day), (ident, name, gemeente, day)


def test_a_period_without_value_is_refused_and_te_verifieren_with_a_reason_is_accepted(rules_copy):
    path = rules_copy / "wmo" / "bijdrage.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("      - {from: 2027-01-01,")
    end = text.index("\n", text.index("te_verifieren", start))
    path.write_text(text[:start] + text[end + 1:], encoding="utf-8")
    framework, diagnostics = _check(rules_copy)
    assert framework is None
    found = [d for d in diagnostics if d.code == "E146"]
    assert len(found) == 1 and "abonnementstarief" in found[0].message and "vanaf 2027-01-01" in found[0].message
    assert "wmo_eigen_bijdrage" in found[0].message


def test_a_period_with_both_a_value_and_te_verifieren_is_refused(rules_copy):
    path = rules_copy / "wmo" / "bijdrage.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      - {from: 2027-01-01,\n", "      - {from: 2027-01-01, value: \"22.00\",\n"),
                    encoding="utf-8")
    framework, diagnostics = _check(rules_copy)
    assert framework is None and any("te_verifieren" in d.message for d in diagnostics)


def test_studietoeslag_has_the_minimum_of_each_period_and_says_why_it_has_none(framework):
    # Participatiewet art. 36b lid 1: minimum per age, 1 January 2024 (352.80 for 21+), 1 July 2024 (359.57),
    # 1 January 2026 (385.14); 2025 and from 1 July 2026 te verifiëren
    table = framework.parameters["studietoeslag_21_jaar_en_ouder"]
    assert str(table.at(dt.date(2024, 3, 1))[0]) == "352.80"
    assert str(table.at(dt.date(2024, 9, 1))[0]) == "359.57"
    assert str(table.at(dt.date(2026, 3, 1))[0]) == "385.14"
    assert table.at(dt.date(2025, 3, 1)) is None and "2025" in table.pending_on(dt.date(2025, 3, 1))
    assert table.at(dt.date(2027, 3, 1)) is None and table.pending_on(dt.date(2027, 3, 1))


def test_an_override_of_the_studietoeslag_may_not_go_below_the_minimum_of_its_period(rules_copy):
    path = rules_copy / "gemeenten" / "baarn.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("overrides:\n", """overrides:
  studietoeslag_15_jaar:
    decision: "proef"
    values:
      - {from: 2024-01-01, value: "110.00"}
""", 1)
    path.write_text(text, encoding="utf-8")
    framework, diagnostics = _check(rules_copy)
    codes = [(d.code, d.message) for d in diagnostics]
    # 110.00 is above the 2024 minimum (105.84 and 107.88) but below 115.55 from 2026-01-01
    assert any(code == "E404" and "115.55" in message for code, message in codes)


def test_a_municipal_override_that_stops_early_leaves_a_gap_for_that_municipality(rules_copy):
    path = rules_copy / "gemeenten" / "soest.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("overrides:\n", """overrides:
  studietoeslag_15_jaar:
    decision: "proef"
    values:
      - {from: 2024-01-01, until: 2030-12-31, value: "400.00"}
""", 1)
    path.write_text(text, encoding="utf-8")
    _, diagnostics = _check(rules_copy)
    found = [d for d in diagnostics if d.code == "E146"]
    assert len(found) == 1 and "override van soest" in found[0].message and "vanaf 2031-01-01" in found[0].message

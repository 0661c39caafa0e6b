"""The AOW age belongs to a person's birth date (Algemene Ouderdomswet art. 7a), not to the peildatum.

Art. 7a sets the pensioengerechtigde leeftijd per calendar year; whoever reaches it in a year has that year's age.
The rules hold this as a parameter keyed by the birth date (`key: persoon.geboortedatum`). The property test below
derives the AOW date independently from the ages per calendar year and compares it with what kader decides
(PW art. 7 lid 6 / art. 47a: from that date the SVB, not the college, is competent) for many birth dates and
peildata.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.language.termijnen import age

from .conftest import examples, make_case, person

# AOW art. 7a lid 1 and the ages vastgesteld under lid 2: the pensioengerechtigde leeftijd per calendar year, in
# months (Rijksoverheid, "AOW-leeftijd"; Kamerbrieven 15-11-2023 and 2024 for 2029 and 2030; 2031 set in 2025).
AGE_PER_YEAR = {2018: 792, 2019: 796, 2020: 796, 2021: 796, 2022: 799, 2023: 802, 2024: 804, 2025: 804,
                2026: 804, 2027: 804, 2028: 807, 2029: 807, 2030: 807, 2031: 807}


def aow_age_of(born: dt.date) -> int:
    """The person's AOW age in months: that of the first calendar year by whose end he has reached it."""
    for year in sorted(AGE_PER_YEAR):
        if age(born, dt.date(year, 12, 31))[1] >= AGE_PER_YEAR[year]:
            return AGE_PER_YEAR[year]
    raise AssertionError("born too late for the years vastgesteld")


def reached(framework, born: dt.date, peildatum: dt.date):
    case = make_case(framework, peildatum=peildatum.isoformat(), melddatum=peildatum.isoformat(),
                     huishouden={"personen": [person("p1", "aanvrager", born.isoformat())],
                                 "woonsituatie": "huurwoning"})
    result = engine.assess(framework, case)
    return result, result.trace.person_derived["p1"].get("persoon.aow_leeftijd_bereikt")


@settings(max_examples=examples(120))
@given(born=st.dates(dt.date(1952, 4, 1), dt.date(1964, 9, 30)), peil=st.dates(dt.date(2024, 1, 1), dt.date(2031, 12, 31)))
def test_the_aow_age_follows_the_birth_period_for_every_birth_date_and_peildatum(framework, born, peil):
    if peil < born:
        return
    result, value = reached(framework, born, peil)
    expected = age(born, peil)[1] >= aow_age_of(born)
    assert value is expected
    fired = {f.rule for f in result.trace.fired}
    # PW art. 7 lid 6 and art. 47a: the college is not competent from the AOW age on; below it, it is
    assert ("werk_inkomen.pw.aow_leeftijd" in fired) is expected


@pytest.mark.parametrize("born, peil, expected", [
    ("1957-01-15", "2024-01-10", True),    # 66y11m in January 2024: under 67, yet AOW-gerechtigd since 15-11-2023
    ("1957-02-28", "2024-01-05", True),    # the last birth date with 66y10m (reached 28-12-2023); 66y10m now
    ("1957-03-01", "2024-01-05", False),   # also 66y10m now, but 66y10m would be 1-1-2024: the 2024 age (67) applies
    ("1957-03-01", "2024-02-29", False),
    ("1957-03-01", "2024-03-01", True),
    ("1960-12-31", "2027-12-31", True),    # 67 years, the last day of 2027
    ("1961-01-01", "2028-01-01", False),   # 67 would be 1-1-2028: 67y3m applies
    ("1961-01-01", "2028-04-01", True),
])
def test_boundaries_of_the_birth_periods_of_art_7a(framework, born, peil, expected):
    _, value = reached(framework, dt.date.fromisoformat(born), dt.date.fromisoformat(peil))
    assert value is expected


def test_someone_born_after_the_last_period_vastgesteld_is_known_to_be_under_it_while_younger_than_67y3m(framework):
    # born 1965-01-01: no age vastgesteld yet (the table ends 1964-09-30); art. 7a lid 2: not below 67y3m
    _, value = reached(framework, dt.date(1965, 1, 1), dt.date(2031, 6, 1))
    assert value is False


def test_unknown_once_older_than_the_lowest_possible_age_without_a_vastgestelde_age(framework):
    # born 1964-10-01 is 67y3m on 2032-01-01: whether he reached it depends on the age for 2032, not in the rules
    _, value = reached(framework, dt.date(1964, 10, 1), dt.date(2032, 1, 2))
    assert value is None


def _add_parameter(rules_copy, name, body):
    path = rules_copy / "kader.yaml"
    data = path.read_text(encoding="utf-8")
    data = data.replace("\nparameters:\n", "\nparameters:\n" + f"  {name}:\n" + body, 1)
    path.write_text(data, encoding="utf-8")


def _codes(rules_copy):
    framework, diagnostics = engine.check_rules(rules_copy)
    return framework, [(d.code, d.span.line) for d in diagnostics]


def test_a_keyed_table_with_a_gap_or_an_overlap_or_no_source_is_refused(rules_copy):
    _add_parameter(rules_copy, "proef_per_geboortedatum", """    type: geheel
    unit: maanden
    key: persoon.geboortedatum
    legal_basis: "AOW art. 7a"
    values:
      - {from: 1900-01-01, until: 1950-12-31, value: 780, source: "a"}
      - {from: 1951-02-01, until: 1955-12-31, value: 790, source: "b"}
      - {from: 1955-06-01, value: 800, source: "c"}
      - {from: 1960-01-01, value: 804}
""")
    framework, codes = _codes(rules_copy)
    assert framework is None
    assert {c for c, _ in codes} >= {"E123", "E122"}  # gap, overlap
    assert "E127" in {c for c, _ in codes}


def test_a_keyed_parameter_is_no_override_point_and_is_read_per_person(rules_copy):
    _add_parameter(rules_copy, "proef_per_geboortedatum", """    type: geheel
    unit: maanden
    key: persoon.geboortedatum
    legal_basis: "AOW art. 7a"
    override: {allowed: true}
    values:
      - {from: 1900-01-01, value: 780, source: "a"}
""")
    _, codes = _codes(rules_copy)
    assert "E128" in {c for c, _ in codes}


def test_reading_a_keyed_parameter_at_the_peildatum_is_refused_with_a_hint(rules_copy):
    path = rules_copy / "kader.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("and persoon.leeftijd_maanden >= persoon.aow_leeftijd_maanden",
                                 "and persoon.leeftijd_maanden >= aow_leeftijd_maanden"), encoding="utf-8")
    _, diagnostics = engine.check_rules(rules_copy)
    found = [d for d in diagnostics if d.code == "E308"]
    assert found and "persoon.aow_leeftijd_maanden" in found[0].message


def test_the_aow_table_is_data_with_a_source_on_every_period():
    from .conftest import RULES
    data = yaml.safe_load((RULES / "kader.yaml").read_text(encoding="utf-8"))
    table = data["parameters"]["aow_leeftijd_maanden"]
    assert table["key"] == "persoon.geboortedatum"
    assert all(row.get("source") for row in table["values"])

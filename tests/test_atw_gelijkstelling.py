"""Days made equal to holidays by royal decree (Algemene termijnenwet art. 3 lid 3) extend terms like holidays.

The decrees' days are data in rules/algemene_termijnenwet.yaml; `kader check` verifies each against its decree.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.language.termijnen import atw_days_off, deadline

from .conftest import examples

# Besluit gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, 27 december 2024 en 30 mei 2025 met een
# algemeen erkende feestdag; Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en
# 26 mei 2028 met een algemeen erkende feestdag.
DECREED = {dt.date(2023, 4, 28), dt.date(2023, 5, 19), dt.date(2024, 5, 10), dt.date(2024, 12, 27),
           dt.date(2025, 5, 30), dt.date(2026, 1, 2), dt.date(2026, 5, 15), dt.date(2027, 5, 7),
           dt.date(2028, 4, 28), dt.date(2028, 5, 26)}


def off(day: dt.date) -> bool:
    return day.weekday() >= 5 or day in atw_days_off(day.year) or day in DECREED


def test_the_framework_holds_exactly_the_decreed_days(framework):
    assert {day for day, _ in framework.gelijkgestelde_dagen} == DECREED
    assert "15 mei 2026" in framework.gelijkgesteld(dt.date(2026, 5, 15))
    assert framework.gelijkgesteld(dt.date(2026, 5, 14)) is None  # Hemelvaartsdag itself is art. 3 lid 1


@settings(max_examples=examples(200))
@given(start=st.dates(dt.date(2023, 1, 1), dt.date(2028, 12, 31)),
       term=st.one_of(st.builds(lambda n: {"days": n}, st.integers(1, 60)),
                      st.builds(lambda n: {"weeks": n}, st.integers(1, 8)),
                      st.builds(lambda n: {"months": n}, st.integers(1, 3))))
def test_a_calendar_term_ending_on_a_day_off_runs_to_the_next_working_day(framework, start, term):
    end = deadline(start, algemene_termijnenwet=True, days_off=framework.holidays, **term)
    raw = deadline(start, algemene_termijnenwet=False, days_off=framework.holidays, **term)
    assert not off(end)  # Atw art. 1 lid 1 with art. 3 lid 1-3
    assert raw <= end and all(off(raw + dt.timedelta(days=i)) for i in range((end - raw).days))


@settings(max_examples=examples(200))
@given(start=st.dates(dt.date(2023, 1, 1), dt.date(2028, 12, 31)), count=st.integers(1, 20))
def test_a_term_in_working_days_skips_the_decreed_days(framework, start, count):
    end = deadline(start, working_days=count, days_off=framework.holidays)
    days = [start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert not off(end)
    assert sum(not off(day) for day in days) == count


def _write(rules_copy, text):
    (rules_copy / "algemene_termijnenwet.yaml").write_text(text, encoding="utf-8")
    framework, diagnostics = engine.check_rules(rules_copy)
    return framework, [(d.code, d.span.line) for d in diagnostics]


def test_kader_check_refuses_a_day_its_decree_does_not_name_a_duplicate_and_a_day_already_off(rules_copy):
    framework, codes = _write(rules_copy, """legal_basis: "Algemene termijnenwet art. 3 lid 3"
gelijkgestelde_dagen:
  - besluit: "Besluit gelijkstelling van 2 januari 2026, 15 mei 2026 en 14 mei 2026 met een algemeen erkende feestdag"
    dagen: [2026-01-02, 2026-02-02, 2026-05-14]
  - besluit: "Besluit gelijkstelling van 2 januari 2026 met een algemeen erkende feestdag"
    dagen: [2026-01-02]
""")
    assert framework is None
    assert codes == [("E143", 4), ("E145", 4), ("E144", 6)]


def test_without_the_file_no_day_is_added(rules_copy):
    (rules_copy / "algemene_termijnenwet.yaml").unlink()
    framework, _ = engine.check_rules(rules_copy)
    assert framework.gelijkgestelde_dagen == ()
    assert deadline(dt.date(2026, 5, 1), weeks=2, algemene_termijnenwet=True,
                    days_off=framework.holidays) == dt.date(2026, 5, 15)

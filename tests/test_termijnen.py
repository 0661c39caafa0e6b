"""Legal terms: calendar terms, working days and the Algemene termijnenwet."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.language.termijnen import add_working_days, age, atw_days_off, deadline, describe

D = dt.date


def test_atw_holidays_include_good_friday_and_5_may_every_year():
    days = atw_days_off(2026)
    for holiday in (D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 4, 27), D(2026, 5, 5), D(2026, 5, 14),
                    D(2026, 5, 25), D(2026, 12, 25), D(2026, 12, 26)):
        assert holiday in days
    assert D(2027, 5, 5) in atw_days_off(2027)  # not a lustrum year, still an Atw holiday


@pytest.mark.parametrize("start, expected", [
    (D(2026, 11, 20), D(2026, 11, 25)),  # Friday melding: Monday, Tuesday, Wednesday
    (D(2026, 4, 2), D(2026, 4, 9)),      # over Goede Vrijdag and Tweede Paasdag
    (D(2026, 4, 24), D(2026, 4, 30)),    # over Koningsdag (Monday 27 April)
    (D(2026, 5, 4), D(2026, 5, 8)),      # over 5 mei
    (D(2026, 12, 24), D(2026, 12, 30)),  # over both Kerstdagen and the weekend
])
def test_three_working_days(start, expected):
    assert add_working_days(start, 3) == expected


def test_calendar_terms_and_the_extension_to_a_working_day():
    assert deadline(D(2026, 2, 20), weeks=6) == D(2026, 4, 3)
    assert deadline(D(2026, 2, 20), weeks=6, algemene_termijnenwet=True) == D(2026, 4, 7)
    assert deadline(D(2026, 3, 14), weeks=6, algemene_termijnenwet=True) == D(2026, 4, 28)  # Sat, Sun, Koningsdag
    assert deadline(D(2026, 1, 31), months=1) == D(2026, 2, 28)
    assert deadline(D(2026, 2, 20), days=7) == D(2026, 2, 27)
    assert describe(working_days=3) == "3 werkdagen" and describe(weeks=1) == "1 week"


def test_age_in_whole_years_and_months():
    assert age(D(2008, 3, 1), D(2026, 3, 1)) == (18, 216)
    assert age(D(2008, 3, 1), D(2026, 2, 28)) == (17, 215)
    assert age(D(2008, 2, 29), D(2026, 2, 28)) == (18, 216)  # dateutil: a 29 February birthday falls on 28 February

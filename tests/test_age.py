"""Ages on the peildatum: the arithmetic fast path of `engine.language.termijnen.age` against relativedelta."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.language.termijnen import age

_DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31))


@settings(max_examples=3000, deadline=None)
@given(born=_DATES, on=_DATES)
def test_spec_age_in_years_and_months_is_what_relativedelta_says(born, on):
    delta = relativedelta(on, born)
    assert age(born, on) == (delta.years, delta.years * 12 + delta.months)


def test_born_on_29_february_turns_a_year_older_on_28_february():
    assert age(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == (18, 216)
    assert age(dt.date(2008, 2, 29), dt.date(2026, 2, 27)) == (17, 215)
    assert age(dt.date(2008, 2, 28), dt.date(2026, 2, 27)) == (17, 215)
    assert age(dt.date(2008, 2, 28), dt.date(2026, 2, 28)) == (18, 216)

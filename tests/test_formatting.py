"""The Dutch amounts and dates of the tables, written out in views/formatting.py, against babel's CLDR nl_NL.

Rendering no longer loads babel (its locale data cost a twentieth of a cold `kader assess`); these tests pin that
the hand-written patterns give exactly what babel gives: `¤ #,##0.00;¤ -#,##0.00` rounded half to even, and the
long date `d MMMM y`.
"""

from __future__ import annotations

import datetime as _dt
import random
from decimal import Decimal

import pytest
from babel import dates, numbers

from views.formatting import day, money


def _babel_money(value: Decimal | str) -> str:
    return numbers.format_currency(Decimal(value), "EUR", locale="nl_NL").replace("\xa0", " ")


@pytest.mark.parametrize(("value", "expected"), [
    ("1401.50", "€ 1.401,50"),
    ("-1401.5", "€ -1.401,50"),
    ("0.125", "€ 0,12"),  # half to even: down to the even cent
    ("0.135", "€ 0,14"),  # half to even: up to the even cent
    ("-0.001", "€ -0,00"),  # the sign stays, as in CLDR's negative pattern
    ("999.995", "€ 1.000,00"),
    ("1E+3", "€ 1.000,00"),
    ("0", "€ 0,00"),
    ("12345678901234567890.12", "€ 12.345.678.901.234.567.890,12"),
])
def test_money_matches_cldr_nl(value, expected):
    assert money(value) == expected
    assert money(Decimal(value)) == expected
    assert _babel_money(value) == expected


def test_money_matches_babel_on_many_amounts():
    rng = random.Random(16)
    for _ in range(3000):
        value = Decimal(rng.randint(-10**9, 10**9)).scaleb(-rng.randint(0, 4))
        assert money(value) == _babel_money(value), value


def test_money_not_a_finite_number_is_left_to_babel():
    assert money("Infinity") == _babel_money("Infinity")
    assert money(None) == "onbekend"


def test_day_matches_cldr_nl_long_date_every_month():
    for month in range(1, 13):
        for value in (_dt.date(2026, month, 1), _dt.date(1999, month, 28)):
            assert day(value) == dates.format_date(value, format="long", locale="nl_NL")
    assert day("2026-03-01") == "1 maart 2026"
    assert day(None) == "onbekend"

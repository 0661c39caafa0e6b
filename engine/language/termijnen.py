"""Legal terms: calendar terms, working days and the Algemene termijnenwet.

Days off are those of the Algemene termijnenwet (Atw): Saturday, Sunday and the
generally recognised holidays of art. 3 lid 1 (Nieuwjaarsdag, tweede Paas- en
Pinksterdag, beide Kerstdagen, Hemelvaartsdag, Koningsdag and 5 mei, every
year) plus Goede Vrijdag (art. 3 lid 2). The `holidays` package supplies the
moving feasts; it treats 5 May as a holiday only in lustrum years, so 5 May is
added for every year here. Days the Crown makes equal to holidays by decree
(art. 3 lid 3) are data of the rules folder (engine.language.atw); the framework adds
them to these days off (`Framework.holidays`).

A statutory term that ends on a day off is extended to the next day that is not
one (Atw art. 1 lid 1) when the deadline declares `algemene_termijnenwet: true`.
"""

from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from typing import Callable

from dateutil.relativedelta import relativedelta

ATW = "Algemene termijnenwet art. 3 lid 1 en 2"


@lru_cache(maxsize=64)
def atw_days_off(year: int) -> frozenset[_dt.date]:
    """The Atw holidays of `year` (Saturdays and Sundays are days off anyway)."""
    import holidays  # imported lazily: it loads every country's calendar (about 0.1 s)

    found = set(holidays.country_holidays("NL", years=year))
    found.add(_dt.date(year, 5, 5))
    return frozenset(found)


DaysOff = Callable[[int], frozenset]


def is_working_day(day: _dt.date, days_off: DaysOff = atw_days_off) -> bool:
    return day.weekday() < 5 and day not in days_off(day.year)


def add_working_days(start: _dt.date, count: int, days_off: DaysOff = atw_days_off) -> _dt.date:
    """The day on which `count` working days after `start` have passed (start itself does not count)."""
    day = start
    left = count
    while left > 0:
        day += _dt.timedelta(days=1)
        if is_working_day(day, days_off):
            left -= 1
    return day


def extend_to_working_day(day: _dt.date, days_off: DaysOff = atw_days_off) -> _dt.date:
    while not is_working_day(day, days_off):
        day += _dt.timedelta(days=1)
    return day


def deadline(start: _dt.date, *, days: int | None = None, weeks: int | None = None, months: int | None = None,
             working_days: int | None = None, algemene_termijnenwet: bool = False,
             days_off: DaysOff = atw_days_off) -> _dt.date:
    if working_days is not None:
        return add_working_days(start, working_days, days_off)
    if days is not None:
        end = start + _dt.timedelta(days=days)
    elif weeks is not None:
        end = start + _dt.timedelta(weeks=weeks)
    else:
        end = start + relativedelta(months=months)
    return extend_to_working_day(end, days_off) if algemene_termijnenwet else end


def describe_term(terms: dict | None) -> str:
    """A term in words; `terms` None: a term the verordening sets, without a value on the peildatum."""
    return describe(**terms) if terms is not None else "onbekend (geen waarde op de peildatum)"


def describe(*, days: int | None = None, weeks: int | None = None, months: int | None = None,
             working_days: int | None = None) -> str:
    if working_days is not None:
        return f"{working_days} werkdag" + ("en" if working_days != 1 else "")
    if days is not None:
        return f"{days} dag" + ("en" if days != 1 else "")
    if weeks is not None:
        return f"{weeks} we" + ("ken" if weeks != 1 else "ek")
    return f"{months} maand" + ("en" if months != 1 else "")


def age(born: _dt.date, on: _dt.date) -> tuple[int, int]:
    """Age in whole years and whole months on `on` (someone born on 29 February turns a year older on 28 February)."""
    if born.day <= 28 and born <= on:
        # Every month has this day, so whole months are plain arithmetic (the same as relativedelta, faster).
        months = (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)
        return months // 12, months
    delta = relativedelta(on, born)
    return delta.years, delta.years * 12 + delta.months

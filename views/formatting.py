"""Dutch formatting of money and dates, by babel (CLDR data for nl_NL)."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from functools import lru_cache

LOCALE = "nl_NL"
PERIODS = {"maand": "per maand", "jaar": "per jaar", "eenmalig": "eenmalig"}


@lru_cache(maxsize=1)
def _babel():
    from babel import dates, numbers  # imported on first use: only tables need it

    return numbers, dates


def money(value: str | Decimal | None) -> str:
    """'1401.50' -> '€ 1.401,50'; None -> 'onbekend'."""
    if value is None:
        return "onbekend"
    numbers, _ = _babel()
    # CLDR puts a non-breaking space after the sign; a plain one is kinder to copy, paste and search
    return numbers.format_currency(Decimal(value), "EUR", locale=LOCALE).replace("\xa0", " ")


def day(value: str | _dt.date | None) -> str:
    """'2026-04-07' -> '7 april 2026'."""
    if value is None:
        return "onbekend"
    if isinstance(value, str):
        value = _dt.date.fromisoformat(value)
    _, dates = _babel()
    return dates.format_date(value, format="long", locale=LOCALE)


def yes_no(value: bool | None) -> str:
    return {True: "ja", False: "nee", None: "onbekend"}[value]


def count(n: int, one: str, many: str) -> str:
    """'1 casus', '3 casussen'."""
    return f"{n} {one if n == 1 else many}"


def print_indented(console, text, indent: int) -> None:
    """`text` (str or rich Text) at `indent` spaces; a line too long for the console wraps at spaces under its own
    start (an identifier longer than the line is folded, never cut), with no trailing spaces."""
    from rich.text import Text
    body = text if isinstance(text, Text) else Text(text)
    for part in body.wrap(console, max(console.width - indent, 20), overflow="fold"):
        part.rstrip()
        console.print(Text(" " * indent) + part, highlight=False, soft_wrap=True)

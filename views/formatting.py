"""Dutch formatting of money and dates, as CLDR writes them for nl_NL (the data babel carries).

The two patterns a table needs are written out here, so that rendering does not load babel's locale data (about
a twentieth of a cold `kader assess`): an amount is `¤ #,##0.00;¤ -#,##0.00` rounded half to even to cents (as
babel rounds), a date in the long format is `d MMMM y`. `tests/test_formatting.py` checks both against babel
itself; an amount that is not a finite number is left to babel.
"""

from __future__ import annotations

import datetime as _dt
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

LOCALE = "nl_NL"
PERIODS = {"maand": "per maand", "jaar": "per jaar", "eenmalig": "eenmalig"}
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")  # CLDR nl, format wide
_CENT = Decimal("0.01")
_SEPARATORS = str.maketrans(",.", ".,")


def money(value: str | Decimal | None) -> str:
    """'1401.50' -> '€ 1.401,50', '-2.5' -> '€ -2,50' (half to even to cents); None -> 'onbekend'.

    CLDR puts a non-breaking space after the sign; a plain one is kinder to copy, paste and search."""
    if value is None:
        return "onbekend"
    amount = Decimal(value)
    try:
        cents = abs(amount).quantize(_CENT, rounding=ROUND_HALF_EVEN) if amount.is_finite() else None
    except InvalidOperation:  # more digits than the decimal context holds
        cents = None
    if cents is None:
        from babel import numbers
        return numbers.format_currency(amount, "EUR", locale=LOCALE).replace("\xa0", " ")
    return ("€ -" if amount.is_signed() else "€ ") + f"{cents:,.2f}".translate(_SEPARATORS)


def day(value: str | _dt.date | None) -> str:
    """'2026-04-07' -> '7 april 2026'."""
    if value is None:
        return "onbekend"
    if isinstance(value, str):
        value = _dt.date.fromisoformat(value)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


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

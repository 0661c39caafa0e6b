"""Value types shared by rule files and case files: exact numbers and real dates."""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictStr

_NUMBER_RE = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?\Z")
# A Dutch amount: decimal comma, optionally thousands with points ("780,00", "1.250,50").
_DUTCH_RE = re.compile(r"-?[0-9]{1,3}(\.[0-9]{3})*,[0-9]+\Z|-?[0-9]+,[0-9]+\Z")
# Amounts and numbers in files stay below 10^15 (as in expressions) and have at most 10 decimals, so
# that exact arithmetic, rounding to cents and comparisons never leave the 28 digits of a decimal.
MAX_NUMBER = 10**15
MAX_DECIMALS = 10


def _to_decimal(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("verwacht een getal of bedrag, geen ja/nee")
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        number = None
        if _NUMBER_RE.match(text) and len(text) <= 40:
            try:
                number = Decimal(text)
            except InvalidOperation:
                pass
        if number is None and _DUTCH_RE.match(text):
            written = text.replace(".", "").replace(",", ".")
            raise ValueError(f"'{text}' heeft een komma als decimaalteken; kader leest een punt: schrijf \"{written}\"")
        if number is None:
            shown = value if len(value) <= 40 else value[:37] + "..."
            raise ValueError(f"'{shown}' is geen getal; schrijf bijvoorbeeld \"21.80\"")
    elif isinstance(value, float):
        raise ValueError("verwacht een exact getal")
    else:
        raise ValueError("verwacht een getal of bedrag")
    if not number.is_finite() or abs(number) >= MAX_NUMBER:
        raise ValueError(f"getal is te groot (ten hoogste {MAX_NUMBER - 1} in absolute waarde)")
    if number.as_tuple().exponent < -MAX_DECIMALS:
        raise ValueError(f"getal heeft te veel decimalen (ten hoogste {MAX_DECIMALS})")
    return number


def to_decimal(value: Any) -> Decimal:
    """A number from a file as an exact decimal; raises ValueError with a Dutch message."""
    return _to_decimal(value)


Number = Annotated[Decimal, BeforeValidator(_to_decimal)]


# Characters that steer a terminal or reorder a line (C0/C1 controls other than tab and newline, bidi
# marks and overrides): text from a file that is shown to a person may not carry them.
_STEERING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


_LINE_BREAK = re.compile("[\t\n]")


def steering_problem(value: str, *, one_line: bool = False) -> str | None:
    found = _STEERING.search(value) or (_LINE_BREAK.search(value) if one_line else None)
    if found:
        return (f"tekst bevat een stuurteken of onzichtbaar teken (U+{ord(found.group()):04X}); "
                "alleen gewone tekst is toegestaan")
    return None


def _plain(value: str) -> str:
    problem = steering_problem(value)
    if problem:
        raise ValueError(problem)
    return value


_PLAIN_LINES: set[str] = set()  # short one-line texts found plain (ids, roles, domains repeat from case to case)


def _plain_line(value: str) -> str:
    if value in _PLAIN_LINES:
        return value
    problem = steering_problem(value, one_line=True)
    if problem:
        raise ValueError(problem)
    if len(value) <= 64:
        if len(_PLAIN_LINES) >= 4096:
            _PLAIN_LINES.clear()
        _PLAIN_LINES.add(value)
    return value


PlainText = Annotated[StrictStr, AfterValidator(_plain)]  # may span lines
PlainLine = Annotated[StrictStr, AfterValidator(_plain_line)]  # an id or a name: one line


def _expression_text(value: Any) -> Any:
    """A formula may be written as a plain number or true/false; keep it as expression text."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return value


Expression = Annotated[StrictStr, BeforeValidator(_expression_text), Field(min_length=1)]


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _to_date(value: Any) -> Any:
    """A date, or ISO text `YYYY-MM-DD` (JSON has no date type); never a number."""
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{value}' is geen bestaande datum") from None
    raise ValueError(f"verwacht een datum (JJJJ-MM-DD), gevonden {value!r}")


Date = Annotated[_dt.date, BeforeValidator(_to_date)]


# The calendar kader works in: wide enough for any household and any framework, narrow enough that ages,
# legal terms and holiday tables computed from these dates stay inside Python's calendar (years 1-9999).
FIRST_DAY = _dt.date(1900, 1, 1)
LAST_DAY = _dt.date(2199, 12, 31)


def date_problem(value: _dt.date) -> str | None:
    if not FIRST_DAY <= value <= LAST_DAY:
        return f"datum {value} ligt buiten het bereik van kader ({FIRST_DAY} tot en met {LAST_DAY})"
    return None


def _in_range(value: _dt.date) -> _dt.date:
    problem = date_problem(value)
    if problem:
        raise ValueError(problem)
    return value


BoundedDate = Annotated[_dt.date, BeforeValidator(_to_date), AfterValidator(_in_range)]

"""Value types shared by rule files and case files: exact numbers and real dates."""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StrictStr

_NUMBER_RE = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?\Z")


def _to_decimal(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("verwacht een getal of bedrag, geen ja/nee")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER_RE.match(text):
            try:
                return Decimal(text)
            except InvalidOperation:
                pass
        raise ValueError(f"'{value}' is geen getal; schrijf bijvoorbeeld \"21.80\"")
    if isinstance(value, float):
        raise ValueError("verwacht een exact getal")
    raise ValueError("verwacht een getal of bedrag")


Number = Annotated[Decimal, BeforeValidator(_to_decimal)]


def _expression_text(value: Any) -> Any:
    """A formula may be written as a plain number or true/false; keep it as expression text."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, Decimal)):
        return str(value)
    return value


Expression = Annotated[StrictStr, BeforeValidator(_expression_text), Field(min_length=1)]


def _to_date(value: Any) -> Any:
    """A date, or ISO text `YYYY-MM-DD` (JSON has no date type); never a number."""
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{value}' is geen bestaande datum") from None
    raise ValueError(f"verwacht een datum (JJJJ-MM-DD), gevonden {value!r}")


Date = Annotated[_dt.date, BeforeValidator(_to_date)]



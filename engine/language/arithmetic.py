"""Exact decimal arithmetic shared by the interpreter (calc.py) and the compiler to Python (pycode.py): the
rounding rules a formula may name, the 28-digit division context, and the error a formula raises."""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

from .ir import UNKNOWN

ROUNDING_MODES: dict[str, tuple[Decimal, str]] = {
    "cent": (Decimal("0.01"), decimal.ROUND_HALF_UP),
    "cent_naar_beneden": (Decimal("0.01"), decimal.ROUND_DOWN),
    "cent_naar_boven": (Decimal("0.01"), decimal.ROUND_UP),
    "euro": (Decimal("1"), decimal.ROUND_HALF_UP),
    "euro_naar_beneden": (Decimal("1"), decimal.ROUND_DOWN),
    "euro_naar_boven": (Decimal("1"), decimal.ROUND_UP),
}

_DIVISION_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)


def round_money(value: Any, mode: str) -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    quantum, rounding = ROUNDING_MODES[mode]
    return Decimal(value).quantize(quantum, rounding=rounding)


class FormulaError(Exception):
    """Raised while evaluating (e.g. division by zero); the caller adds the location."""

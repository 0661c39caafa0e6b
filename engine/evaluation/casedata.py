"""A case as kader assesses it (`Case`, its `Person`s and `Hulpvraag`s) and the fact checks both readers of a case
share: the full check (engine.evaluation.case) and the one-pass reading of a case with nothing to report
(engine.evaluation.casejson), which the full check calls first, so neither imports the other.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.language.framework import Framework
from engine.language.types import Date, steering_problem, to_decimal
from engine.language.types import date_problem as _date_problem


@dataclass(frozen=True)
class Person:
    """A person of the household, with the yes/no fields and declared facts the case gives."""

    id: str
    rol: str
    geboortedatum: Date
    facts: dict[str, Any]  # "persoon.<name>" -> value, for every flag and declared fact the case gives


@dataclass(frozen=True)
class Hulpvraag:
    """A hulpvraag of the case: domain, onderwerp, the person it is for, verwijzer and facts."""

    id: str
    domein: str
    onderwerp: str
    persoon: str
    verwijzer: str | None
    facts: dict[str, Any]  # "hulpvraag.<name>" -> value


@dataclass(frozen=True)
class Case:
    """A checked case (casus) as kader assesses it."""

    id: str
    gemeente: str
    peildatum: Date
    melddatum: _dt.date | None
    aanvraagdatum: _dt.date | None
    personen: tuple[Person, ...]
    woonsituatie: str | None
    inkomen: tuple[tuple[str, str, Decimal], ...] | None
    vermogen: Decimal | None
    hulpvragen: tuple[Hulpvraag, ...]
    signalen: tuple[str, ...]
    facts: dict[str, Any]  # "casus.<name>" -> value
    source: str = ""
    data: Any = field(default=None, compare=False, repr=False)

    def person(self, person_id: str) -> Person:
        return next(p for p in self.personen if p.id == person_id)

    @property
    def aanvrager(self) -> Person:
        return next(p for p in self.personen if p.rol == "aanvrager")


def _is_declared(info) -> bool:
    return info is not None and info.declared_in is not None


def _check_value(info, key: str, value: Any) -> str | None:
    kind = info.type
    if kind == "bool" and not isinstance(value, bool):
        return f"{key} verwacht true of false"
    if kind == "geheel" and (not isinstance(value, int) or isinstance(value, bool)):
        return f"{key} verwacht een geheel getal"
    if kind in ("geheel", "geld", "decimaal"):
        try:
            number = to_decimal(value)
        except ValueError as exc:
            return f"{key}: {exc}"
        if kind == "geld" and number != number.quantize(Decimal("0.01")):
            return f"{key}: bedrag {number} heeft meer dan twee decimalen"
    if kind == "tekst":
        if not isinstance(value, str):
            return f"{key} verwacht tekst"
        if steering_problem(value):
            return f"{key}: {steering_problem(value)}"
        if info.values and value not in info.values:
            return f"'{value}' is geen toegestane waarde van {key}; toegestaan: " + ", ".join(info.values)
    if kind == "datum":
        if not isinstance(value, _dt.date):
            return f"{key} verwacht een datum (JJJJ-MM-DD)"
        return _date_problem(value)
    return None


def _coerce(info, value: Any) -> Any:
    if info.type in ("geld", "decimaal"):
        return to_decimal(value)
    return value


def _declared_table(framework: Framework, scope: str, domain: str | None) -> dict[str, Any]:
    """name -> declared fact of `scope` (for hulpvraag: of `domain`), once per framework object."""
    memo_key = ("case_facts", scope, domain)
    table = framework.memo.get(memo_key)
    if table is None:
        source = framework.hulpvraag_facts.get(domain, {}) if scope == "hulpvraag" else framework.facts
        prefix = scope + "."
        table = framework.memo[memo_key] = {
            key[len(prefix):]: info for key, info in source.items()
            if key.startswith(prefix) and info.declared_in is not None}
    return table

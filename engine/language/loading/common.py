"""What the loader's units share: module-level helpers that turn validated models into framework objects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.errors import Span
from engine.language.framework import (
    Conclusion,
    DeadlineRef,
    Label,
    Override,
    Requires,
    Target,
    Term,
)
from engine.language.ir import BOOL, GEHEEL, GELD, TEKST
from engine.language.sources import Document

GEMEENTE = "casus.gemeente"
PROFILES_DIR = "gemeenten"


def _raw_indices(document: Document, section: str, kept) -> list[int]:
    """The place in the file of each entry of a list that validated; entries that did not are left out of `kept`,
    so the n-th kept entry need not be the n-th in the file."""
    raw = document.data.get(section) if isinstance(document.data, dict) else None
    if not isinstance(raw, list) or len(raw) == len(kept):
        return list(range(len(kept)))
    places, position = [], 0
    for item in kept:
        while position < len(raw) and not (isinstance(raw[position], dict) and raw[position].get("id") == item.id):
            position += 1
        places.append(position if position < len(raw) else len(raw) - 1)
        position += 1
    return places


def _override(model) -> Override | None:
    if model is None:
        return None
    return Override(model.allowed, model.min, model.max, model.legal_basis, model.min_kaderwaarde)


def _term(model) -> Term:
    return Term(model.days, model.weeks, model.months, model.working_days, model.parameter, model.unit)


def _target(model) -> Target | None:
    if model is None:
        return None
    return Target(model.provision, model.level, tuple(model.levels) if model.levels is not None else None)


def _conclusion(model) -> Conclusion:
    deadline = None
    if model.deadline is not None:
        deadline = DeadlineRef(model.deadline.id, _term(model.deadline.term) if model.deadline.term else None)
    return Conclusion(model.finding, _target(model.suffices), _target(model.excludes), model.floor, model.signal,
                      model.check, deadline, model.denies)


def _requires(model) -> Requires:
    return Requires(model.domein, tuple(model.onderwerp) if model.onderwerp else None, model.eigen_bijdrage)


def _labels(models: dict) -> dict[str, Label]:
    return {name: Label(m.title, m.legal_basis, m.description) for name, m in models.items()}


def _base_key(key: str) -> str:
    for alias in ("aanvrager.", "partner."):
        if key.startswith(alias):
            return "persoon." + key[len(alias):]
    return key


def _number_fits(value: Decimal, type_: str) -> bool:
    if type_ == GEHEEL:
        return value == value.to_integral_value()
    if type_ == GELD:
        return value == value.quantize(Decimal("0.01"))
    return True


def _literal_fits(value: Any, type_: str, values) -> bool:
    if type_ == BOOL:
        return isinstance(value, bool)
    if type_ == GEHEEL:
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == TEKST:
        return isinstance(value, str) and (not values or value in values)
    return False


def expression_span(document: Document, loc: tuple, text: str, offset: int) -> Span:
    """Where character `offset` of an expression stands in the file.

    A folded YAML scalar changes only white space, so the token at `offset` is
    found again in the source text by counting its earlier occurrences.
    """
    base = document.span(loc)
    rest = text[offset:].split()
    if not rest or not document.text:
        return base
    token = rest[0][:24]
    occurrence = text[:offset].count(token)
    lines = document.text.split("\n")
    start = sum(len(line) + 1 for line in lines[: base.line - 1]) + base.col - 1
    index = start - 1
    for _ in range(occurrence + 1):
        index = document.text.find(token, index + 1)
        if index < 0:
            return base
    line = document.text.count("\n", 0, index) + 1
    col = index - (document.text.rfind("\n", 0, index) + 1) + 1
    return Span(document.path, line, col)

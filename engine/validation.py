"""Validate parsed documents with pydantic and report every error at its place.

pydantic reports a `loc` path per error; `Document.span` maps it back to the
line and column in the file (pointing at the key for an unknown key, and at the
parent mapping for a missing one). Messages are translated to Dutch, the
language of the people who write these files.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from decimal import Decimal
from typing import Any, Callable, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Diagnostic
from .sources import Document

M = TypeVar("M", bound=BaseModel)

_TYPE_NAMES = {
    str: "tekst", int: "een geheel getal", bool: "ja/nee", Decimal: "een getal", float: "een getal",
    dict: "een mapping", list: "een lijst", type(None): "een lege waarde", _dt.date: "een datum",
}


def _shown(value: Any) -> str:
    name = _TYPE_NAMES.get(type(value), type(value).__name__)
    if isinstance(value, (dict, list)) or value is None:
        return name
    text = str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{name} '{text}'"


def _message(error: dict) -> str:
    kind = error["type"]
    loc = error["loc"]
    field = str(loc[-1]) if loc else ""
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"verplicht veld '{field}' ontbreekt"
    if kind == "extra_forbidden":
        return f"onbekende sleutel '{field}'"
    if kind in ("string_type", "string_sub_type"):
        return f"verwacht tekst, gevonden {_shown(value)}"
    if kind == "string_too_short":
        return "mag niet leeg zijn"
    if kind == "string_pattern_mismatch":
        return f"'{value}' is geen geldige naam: gebruik kleine letters, cijfers en '_' (en '.' tussen delen)"
    if kind == "bool_type":
        return f"verwacht true of false, gevonden {_shown(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"verwacht een geheel getal, gevonden {_shown(value)}"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return f"verwacht een datum (JJJJ-MM-DD), gevonden {_shown(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"verwacht een mapping (sleutel: waarde), gevonden {_shown(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"verwacht een lijst, gevonden {_shown(value)}"
    if kind == "too_short":
        return "lijst of mapping mag niet leeg zijn"
    if kind == "literal_error":
        return f"verwacht een van {ctx.get('expected', '')}, gevonden {_shown(value)}"
    if kind == "greater_than_equal":
        return f"moet ten minste {ctx.get('ge')} zijn, gevonden {_shown(value)}"
    if kind == "less_than_equal":
        return f"mag ten hoogste {ctx.get('le')} zijn, gevonden {_shown(value)}"
    if kind == "value_error":
        message = error.get("msg", "")
        return message.removeprefix("Value error, ")
    if kind == "assertion_error":
        return error.get("msg", "").removeprefix("Assertion failed, ")
    return error.get("msg", kind)


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Best effort: the field names of the model that holds the key at `loc`."""
    current: Any = model
    for segment in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(segment))
            if info is None:
                info = next((f for f in current.model_fields.values() if f.alias == segment), None)
            if info is None:
                return []
            current = info.annotation
        current = _unwrap(current, segment)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _unwrap(annotation: Any, segment: Any) -> Any:
    args = getattr(annotation, "__args__", None)
    origin = getattr(annotation, "__origin__", None)
    if args is None:
        return annotation
    for arg in args:
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    if origin in (dict, tuple, list) and args:
        return _unwrap(args[-1], segment) if origin is dict else _unwrap(args[0], segment)
    return annotation


def validate(model: type[M], document: Document, *, code: str = "E100",
             extra_hint: Callable[[tuple], str | None] | None = None) -> tuple[M | None, list[Diagnostic]]:
    """Validate the document's data against `model`; return the object or located diagnostics."""
    if document.data is None:
        return None, [Diagnostic(code, "leeg bestand", document.span(()))]
    try:
        return model.model_validate(document.data), []
    except ValidationError as exc:
        diagnostics = []
        for error in exc.errors(include_url=False):
            loc = tuple(s for s in error["loc"] if s != "[key]")
            kind = error["type"]
            span = document.span(loc, key=kind == "extra_forbidden" or "[key]" in error["loc"])
            hint = None
            if kind == "extra_forbidden":
                hint = extra_hint(loc) if extra_hint else None
                if hint is None:
                    allowed = _allowed_keys(model, loc)
                    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
                    if close:
                        hint = f"bedoelde u '{close[0]}'?"
                    elif allowed:
                        hint = "toegestaan: " + ", ".join(allowed)
            diagnostics.append(Diagnostic(code, _message(error), span, hint=hint))
        return None, diagnostics

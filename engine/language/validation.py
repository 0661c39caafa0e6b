"""Validate parsed documents with pydantic and report every error at its place.

pydantic reports a `loc` path per error; `Document.span` maps it back to the
line and column in the file (pointing at the key for an unknown key, and at the
parent mapping for a missing one). Messages are translated to Dutch, the
language of the people who write these files.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from engine.errors import Diagnostic

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


def _literal_values(expected: str) -> list[str]:
    """The values of pydantic's `expected` for a literal (`'a', 'b' or 'c'`, each a Python repr)."""
    return re.findall(r"'((?:[^'\\]|\\.)*)'", expected)


def _dutch_list(expected: str) -> str:
    values = _literal_values(expected)
    if len(values) < 2:
        return expected
    return ", ".join(f"'{v}'" for v in values[:-1]) + f" of '{values[-1]}'"


_MESSAGES: dict[str, Callable[[str, Any, dict], str]] = {
    "missing": lambda f, v, c: f"verplicht veld '{f}' ontbreekt",
    "extra_forbidden": lambda f, v, c: f"onbekende sleutel '{f}'",
    "string_type": lambda f, v, c: f"verwacht tekst, gevonden {_shown(v)}",
    "string_too_short": lambda f, v, c: "mag niet leeg zijn",
    "string_pattern_mismatch": lambda f, v, c: (f"'{v}' is geen geldige naam: gebruik kleine letters, cijfers en '_' "
                                                "(en '.' tussen delen)"),
    "bool_type": lambda f, v, c: f"verwacht true of false, gevonden {_shown(v)}",
    "int_type": lambda f, v, c: f"verwacht een geheel getal, gevonden {_shown(v)}",
    "date_type": lambda f, v, c: f"verwacht een datum (JJJJ-MM-DD), gevonden {_shown(v)}",
    "dict_type": lambda f, v, c: f"verwacht een mapping (sleutel: waarde), gevonden {_shown(v)}",
    "list_type": lambda f, v, c: f"verwacht een lijst, gevonden {_shown(v)}",
    "too_short": lambda f, v, c: "lijst of mapping mag niet leeg zijn",
    "literal_error": lambda f, v, c: f"verwacht een van {_dutch_list(c.get('expected', ''))}, gevonden {_shown(v)}",
    "greater_than_equal": lambda f, v, c: f"moet ten minste {c.get('ge')} zijn, gevonden {_shown(v)}",
    "less_than_equal": lambda f, v, c: f"mag ten hoogste {c.get('le')} zijn, gevonden {_shown(v)}",
}
_SAME_AS = {"string_sub_type": "string_type", "int_parsing": "int_type", "int_from_float": "int_type",
            "date_parsing": "date_type", "date_from_datetime_parsing": "date_type",
            "date_from_datetime_inexact": "date_type", "model_type": "dict_type",
            "model_attributes_type": "dict_type", "tuple_type": "list_type"}


def _message(error: dict) -> str:
    kind = _SAME_AS.get(error["type"], error["type"])
    field = str(error["loc"][-1]) if error["loc"] else ""
    if kind in _MESSAGES:
        return _MESSAGES[kind](field, error.get("input"), error.get("ctx") or {})
    message = error.get("msg", kind)
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Best effort: the field names of the model that holds the key at `loc`."""
    current: Any = model
    for segment in loc[:-1]:
        if isinstance(segment, int):
            continue  # a list index: the annotation was unwrapped to the item's model already
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


def _diagnostics(exc: ValidationError, document: Document, prefix: tuple, code: str, model: Any,
                 extra_hint: Callable[[tuple], str | None] | None) -> list[Diagnostic]:
    diagnostics = []
    errors = exc.errors(include_url=False)
    # A list that is empty only because its items were refused ("then: [{sufices: ...}]") is no second problem.
    inner = {tuple(e["loc"][:n]) for e in errors for n in range(len(e["loc"]))}
    errors = [e for e in errors if not (e["type"] == "too_short" and tuple(e["loc"]) in inner)]
    misspelt_keys: set[tuple] = set()  # keys named as the misspelling of a missing field: said once, there
    unknown_keys: list[tuple[tuple, Diagnostic]] = []
    for error in errors:
        loc = prefix + tuple(s for s in error["loc"] if s != "[key]")
        kind = error["type"]
        span = document.span(loc, key=kind == "extra_forbidden" or "[key]" in error["loc"])
        hint = None
        misspelt = _misspelt_key(document, loc, prefix, model) if kind == "missing" else None
        if misspelt is not None:  # `geboortedtum: ...` for the missing `geboortedatum`: point at what was written
            diagnostics.append(Diagnostic(code, f"verplicht veld '{loc[-1]}' ontbreekt; '{misspelt}' is geen veld",
                                          document.span(loc[:-1] + (misspelt,), key=True),
                                          hint=f"bedoelde u '{loc[-1]}'?"))
            misspelt_keys.add(loc[:-1] + (misspelt,))
            continue
        comma = _decimal_comma(document, span, loc[-1]) if kind == "extra_forbidden" else None
        if comma is not None:  # `{netto_per_maand: 780,00}`: YAML read 780 and a key '00'
            diagnostics.append(comma)
            continue
        if kind == "literal_error" and isinstance(error.get("input"), str):  # `rol: partnr`
            close = difflib.get_close_matches(error["input"], _literal_values((error.get("ctx") or {}).get("expected", "")),
                                              n=1, cutoff=0.6)
            hint = f"bedoelde u '{close[0]}'?" if close else None
        if hint is None:
            hint = _dutch_habit(kind, error.get("input"))
        if kind == "extra_forbidden":
            hint = extra_hint(loc) if extra_hint else None
            if hint is None and isinstance(model, type) and issubclass(model, BaseModel):
                allowed = _allowed_keys(model, loc[len(prefix):])
                close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
                if close:
                    hint = f"bedoelde u '{close[0]}'?"
                elif allowed:
                    hint = "toegestaan: " + ", ".join(allowed)
        diagnostics.append(Diagnostic(code, _message(error), span, hint=hint))
        if kind == "extra_forbidden":
            unknown_keys.append((loc, diagnostics[-1]))
    return [d for d in diagnostics if not any(d is u and loc in misspelt_keys for loc, u in unknown_keys)]


_YES_NO = {"ja": "true", "nee": "false", "j": "true", "n": "false", "waar": "true", "onwaar": "false"}


def _dutch_habit(kind: str, value: Any) -> str | None:
    """The fix for a value written as a Dutch reader would write it: `ja`/`nee` for a yes/no, `12-04-1948` for a date."""
    if not isinstance(value, str):
        return None
    if kind in ("bool_type", "bool_parsing") and value.strip().lower() in _YES_NO:
        return f"schrijf {_YES_NO[value.strip().lower()]}"
    found = re.fullmatch(r"\s*([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})\s*", value)
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "value_error") and found:
        day, month, year = found.groups()
        return f"schrijf {year}-{int(month):02d}-{int(day):02d} (jaar-maand-dag)"
    return None


def _decimal_comma(document: Document, span, key: Any) -> Diagnostic | None:
    """A Dutch decimal comma inside a YAML flow mapping splits `780,00` into the number 780 and a key '00'. Say so
    at the number, once, instead of an unknown key (and never take 780 for the amount)."""
    if not re.fullmatch(r"[0-9]+", str(key)) or not document.text:
        return None
    lines = document.text.splitlines()
    if not 0 < span.line <= len(lines):
        return None
    before = lines[span.line - 1][:span.col - 1]
    found = re.search(r"(-?[0-9]+),\s*$", before)
    if found is None:
        return None
    written = f"{found.group(1)}.{key}"
    return Diagnostic("E025", f"'{found.group(1)},{key}' heeft een komma als decimaalteken; YAML leest hier het getal "
                      f"{found.group(1)} en een sleutel '{key}'", type(span)(span.path, span.line, found.start(1) + 1),
                      hint=f"schrijf \"{written}\" (met een punt, tussen aanhalingstekens)")


def _misspelt_key(document: Document, loc: tuple, prefix: tuple, model: Any) -> str | None:
    """A key next to a missing field that looks like a misspelling of it, or None."""
    data: Any = document.data
    for segment in loc[:-1]:
        try:
            data = data[segment]
        except (KeyError, IndexError, TypeError):
            return None
    if not isinstance(data, dict):
        return None
    allowed = set(_allowed_keys(model, loc[len(prefix):])) if isinstance(model, type) else set()
    unknown = [str(k) for k in data if str(k) not in allowed]
    close = difflib.get_close_matches(str(loc[-1]), unknown, n=1, cutoff=0.75)
    return close[0] if close else None


def _with_source_problems(document: Document, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The reader's own problems first; a validation error at the same place says nothing new."""
    taken = {(d.span.line, d.span.col) for d in document.problems}
    return list(document.problems) + [d for d in diagnostics if (d.span.line, d.span.col) not in taken]


@lru_cache(maxsize=None)
def _adapter(annotation: Any) -> TypeAdapter:
    return TypeAdapter(annotation)


def _field_for(model: type[BaseModel], key: str):
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return name, info
    return None, None


def validate(model: type[M], document: Document, *, code: str = "E100",
             extra_hint: Callable[[tuple], str | None] | None = None) -> tuple[M | None, list[Diagnostic]]:
    """Validate the document's data against `model`; return the object or located diagnostics."""
    if document.data is None:
        return None, _with_source_problems(document, [Diagnostic(code, "leeg bestand", document.span(()))])
    try:
        result = model.model_validate(document.data)
    except ValidationError as exc:
        return None, _with_source_problems(document, _diagnostics(exc, document, (), code, model, extra_hint))
    return (None if document.problems else result), _with_source_problems(document, [])


def validate_partial(model: type[M], document: Document, *, code: str = "E100",
                     extra_hint: Callable[[tuple], str | None] | None = None) -> tuple[M | None, list[Diagnostic]]:
    """Like `validate`, but when the file has errors keep every entry that is valid on its own.

    One bad rule should not hide the other declarations of its file, or every reference to them
    elsewhere turns into a follow-up error. Mappings and lists of models are checked entry by entry;
    the result holds the valid entries (and is None only if even that does not form a valid file).
    """
    result, diagnostics = validate(model, document, code=code, extra_hint=extra_hint)
    if result is not None or not isinstance(document.data, dict):
        return result, diagnostics
    kept: dict[str, Any] = {}
    for key, value in document.data.items():
        name, info = _field_for(model, str(key))
        if info is None:
            continue  # already reported as an unknown key
        annotation = info.annotation
        origin = getattr(annotation, "__origin__", None)
        args = getattr(annotation, "__args__", ())
        if origin is dict and isinstance(value, dict) and len(args) == 2:
            good = {}
            for entry_key, entry in value.items():
                try:
                    _adapter(args[0]).validate_python(entry_key)
                    good[entry_key] = _adapter(args[1]).validate_python(entry)
                except ValidationError:
                    pass  # reported by the whole-file validation above
            kept[key] = good
        elif origin is tuple and isinstance(value, list) and args:
            good_items = []
            for entry in value:
                try:
                    good_items.append(_adapter(args[0]).validate_python(entry))
                except ValidationError:
                    pass  # reported by the whole-file validation above
            kept[key] = good_items
        else:
            try:
                kept[key] = _adapter(annotation).validate_python(value)
            except ValidationError:
                pass  # reported by the whole-file validation above
    try:
        partial = model.model_validate(kept)
    except ValidationError:
        partial = None
    return partial, diagnostics


def _close(name: str, candidates) -> str | None:
    """A hint naming the closest known name (the loader and the profiles use it)."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return f"bedoelde u '{close[0]}'?" if close else None

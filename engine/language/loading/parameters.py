"""The `parameters:` sections and their timelines (values in force from a date, pending values).

One unit of the loader (engine/language/loader.py composes them); it works on the Loader's state (`self`)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from engine.errors import Span
from engine.language.framework import ParameterDef
from engine.language.ir import GELD
from engine.language.registry import BUILTINS
from engine.language.sources import Document
from engine.language.vocabulary import add_symbol

from .common import (
    _number_fits,
    _override,
)


class ParametersSection:
    def declare_parameters(self, owner: str, parsed: Any, document: Document, prefix: tuple) -> None:
        """The `parameters:` of one file (called by declare_section, after its facts)."""
        for name, parameter in parsed.parameters.items():
            span = document.span(prefix + ("parameters", name), key=True)
            if not self.first_declaration(name, span, "parameter"):
                continue
            definition = self.parameter(name, parameter, document, prefix + ("parameters", name), span)
            # the name is known even when its values are wrong, so references to it are not errors too
            if parameter.key == "peildatum":
                add_symbol(self.symbols, name, parameter.type, "parameter", None)
            else:
                fact_key = parameter.key.split(".", 1)[0] + "." + name
                if fact_key in BUILTINS:
                    self.sink.error("E111", f"'{fact_key}' is een vast gegeven van het casuscontract; kies een andere "
                                    "naam voor deze parameter", span)
                    continue
                if not self.first_declaration(fact_key, span, "parameter"):
                    continue
                # read as persoon.<naam> (per person, at that person's date); the bare name is refused with a hint
                add_symbol(self.symbols, fact_key, parameter.type, "parameter", None)
                add_symbol(self.symbols, name, parameter.type, "keyed:" + fact_key, None)
                if definition is not None:
                    self.keyed[fact_key] = name
            if definition is not None:
                self.parameters[name] = definition
            self.bump(owner, "parameters")

    def parameter(self, name: str, parameter: Any, document: Document, loc: tuple, span: Span,
                  decision: str | None = None) -> ParameterDef | None:
        timeline = self.timeline(parameter.values, parameter.type, document, loc + ("values",))
        override = parameter.override
        key = getattr(parameter, "key", "peildatum")
        if key != "peildatum":
            if override is not None:
                self.sink.error("E128", f"een parameter die per {key} geldt, is landelijk recht en geen override-punt",
                                document.span(loc + ("override",), key=True))
            for index, entry in enumerate(parameter.values):
                if entry.source is None:
                    self.sink.error("E127", f"elke periode van een tabel per {key} noemt zijn bron ('source')",
                                    document.span(loc + ("values", index)))
        if timeline is None:
            return None
        if override is not None and override.min is not None and override.max is not None and override.min > override.max:
            self.sink.error("E124", "override: 'min' is groter dan 'max'", document.span(loc + ("override",)))
        if override is not None and override.allowed:
            for index, value in enumerate(timeline[2]):
                if value is None:
                    continue
                if (override.min is not None and value < override.min) or (override.max is not None and value > override.max):
                    self.sink.error("E125", f"de kaderwaarde {value} ligt buiten de eigen override-grenzen",
                                    document.span(loc + ("values", index, "value")))
        return ParameterDef(name, parameter.type, parameter.unit, parameter.legal_basis, *timeline,
                            _override(override), parameter.verify, span, decision, key, self.pending(parameter.values))

    def timeline(self, values, type_: str, document: Document, loc: tuple):
        starts, ends, amounts, sources = [], [], [], []
        ok = True
        for index, entry in enumerate(values):
            here = loc + (index,)
            if entry.value is not None and not _number_fits(entry.value, type_):
                self.sink.error("E126", f"waarde {entry.value} past niet bij type {type_}"
                                + (" (ten hoogste twee decimalen)" if type_ == GELD else " (geheel getal)"),
                                document.span(here + ("value",)))
                ok = False
            if entry.until is not None and entry.until < entry.from_:
                self.sink.error("E120", f"'until' ({entry.until}) ligt vóór 'from' ({entry.from_})", document.span(here + ("until",)))
                ok = False
            if index:
                previous = values[index - 1]
                if entry.from_ <= previous.from_:
                    self.sink.error("E121", f"periodes moeten op volgorde van 'from' staan en overlappen niet: "
                                    f"{entry.from_} komt niet na {previous.from_}", document.span(here + ("from",)))
                    ok = False
                elif previous.until is not None and previous.until >= entry.from_:
                    self.sink.error("E122", f"periode vanaf {entry.from_} overlapt met de vorige, die tot en met "
                                    f"{previous.until} loopt", document.span(here + ("from",)))
                    ok = False
                elif previous.until is not None and previous.until + _dt.timedelta(days=1) < entry.from_:
                    self.sink.error("E123", f"gat in de tijd: geen waarde van {previous.until + _dt.timedelta(days=1)} "
                                    f"tot {entry.from_}", document.span(here + ("from",)))
                    ok = False
            starts.append(entry.from_)
            amounts.append(entry.value)
            sources.append(entry.source)
        for index, entry in enumerate(values):
            if entry.until is not None:
                ends.append(entry.until)
            elif index + 1 < len(values):
                ends.append(values[index + 1].from_ - _dt.timedelta(days=1))
            else:
                ends.append(None)
        if not ok:
            return None
        return tuple(starts), tuple(ends), tuple(amounts), tuple(sources)

    def pending(self, values) -> tuple[str | None, ...]:
        """Per period, why its value is `te verifiëren` (empty when every period has a value)."""
        reasons = tuple(entry.te_verifieren for entry in values)
        return reasons if any(reasons) else ()

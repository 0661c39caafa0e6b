"""The `derived:` sections: derived facts (such as the bijstandsnorm), compiled after every file is read, checked
for their type and put in an order in which each is computed after what it reads (a cycle is an error).

One unit of the loader (engine/language/loader.py composes them); it works on the Loader's state (`self`)."""

from __future__ import annotations

from typing import Any

from engine.language.calc import DerivedEvaluator
from engine.language.framework import DerivedDef
from engine.language.ir import BOOL, GELD, NUMERIC, has_division, references, type_of
from engine.language.registry import BUILTINS
from engine.language.sources import Document
from engine.language.undetermined import build_case as build_undetermined
from engine.language.undetermined import is_undetermined
from engine.language.vocabulary import (
    FORMULA_HOUSEHOLD,
    FORMULA_PERSON,
    add_symbol,
)

from .common import _base_key


class DerivedSection:
    def declare_derived(self, owner: str, parsed: Any, document: Document, prefix: tuple) -> None:
        """The `derived:` of one file (called by declare_section, after its parameters); compiled by build_derived
        once every file is read."""
        for key, derived in parsed.derived.items():
            span = document.span(prefix + ("derived", key), key=True)
            scope = key.split(".", 1)[0]
            if scope not in ("persoon", "huishouden", "casus") or key.count(".") != 1:
                self.sink.error("E113", f"afgeleid feit '{key}' moet heten 'persoon.<naam>', 'huishouden.<naam>' "
                                "of 'casus.<naam>'", span)
                continue
            if key in BUILTINS:
                self.sink.error("E111", f"'{key}' is een vast gegeven van het casuscontract en kan niet opnieuw "
                                "gedeclareerd worden", span)
                continue
            if not self.first_declaration(key, span, "afgeleid feit"):
                continue
            add_symbol(self.symbols, key, derived.type, "derived", derived.values)
            self.pending_derived.append((key, derived, document, prefix + ("derived", key)))
            self.bump(owner, "derived")

    def build_derived(self) -> None:
        compiled: dict[str, tuple] = {}
        vocabulary = self.vocabulary(None)
        for key, derived, document, loc in self.pending_derived:
            context = FORMULA_PERSON if key.startswith("persoon.") else FORMULA_HOUSEHOLD
            parts = []
            ok = True
            if derived.formula is not None:
                value = self.expr(derived.formula, document, loc + ("formula",), vocabulary, context)
                ok = value is not None and self.fits(value, derived, document, loc + ("formula",))
                parts.append((None, value))
            else:
                for index, case in enumerate(derived.cases):
                    condition = self.expr(case.when, document, loc + ("cases", index, "when"), vocabulary, context)
                    if case.value is None or case.onbepaald is not None or case.legal_basis is not None:
                        value = build_undetermined(self.sink, case, derived.type, document, loc + ("cases", index))
                    else:
                        value = self.expr(case.value, document, loc + ("cases", index, "value"), vocabulary, context)
                    if condition is not None and type_of(condition) != BOOL:
                        self.sink.error("E320", "'when' moet ja/nee opleveren", document.span(loc + ("cases", index, "when")))
                        ok = False
                    if value is not None and not is_undetermined(value) and not self.fits(
                            value, derived, document, loc + ("cases", index, "value")):
                        ok = False
                    ok = ok and condition is not None and value is not None
                    parts.append((condition, value))
                if derived.otherwise is not None:
                    value = self.expr(derived.otherwise, document, loc + ("otherwise",), vocabulary, context)
                    ok = ok and value is not None and self.fits(value, derived, document, loc + ("otherwise",))
                    parts.append((None, value))
            if derived.type == GELD and derived.rounding is None and any(
                    v is not None and has_division(v) for _, v in parts):
                self.sink.error("E140", f"'{key}' rekent met * of / en levert geld op: noem de afronding "
                                "('rounding: cent', 'euro_naar_beneden', ...)", document.span(loc, key=True))
                ok = False
            if ok:
                compiled[key] = (derived, document, loc, tuple(parts))
        self.derived = self.order_derived(compiled)

    def fits(self, value: Any, derived: Any, document: Document, loc: tuple) -> bool:
        actual = type_of(value)
        wanted = derived.type
        if actual == wanted or (wanted in (GELD, "decimaal") and actual in NUMERIC):
            return True
        self.sink.error("E141", f"formule levert {actual} op, maar het feit is gedeclareerd als {wanted}", document.span(loc))
        return False

    def order_derived(self, compiled: dict[str, tuple]) -> dict[str, DerivedDef]:
        derived_keys = set(compiled)
        depends: dict[str, set[str]] = {}
        for key, (_, _, _, parts) in compiled.items():
            refs: set[str] = set()
            for condition, value in parts:
                for node in (condition, value):
                    if node is not None:
                        refs |= references(node)
            depends[key] = {_base_key(r) for r in refs} & derived_keys
        ordered: list[str] = []
        state: dict[str, int] = {}

        def visit(key: str, trail: list[str]) -> None:
            if state.get(key) == 2:
                return
            if state.get(key) == 1:
                cycle = trail[trail.index(key):] + [key]
                derived, document, loc, _ = compiled[key]
                self.sink.error("E142", "kringverwijzing tussen afgeleide feiten: " + " -> ".join(cycle),
                                document.span(loc, key=True))
                return
            state[key] = 1
            for dependency in sorted(depends[key]):
                visit(dependency, trail + [key])
            state[key] = 2
            ordered.append(key)

        for key in sorted(compiled):
            visit(key, [])
        result: dict[str, DerivedDef] = {}
        for key in ordered:
            derived, document, loc, parts = compiled[key]
            evaluator = DerivedEvaluator(parts, derived.rounding, derived.type)
            result[key] = DerivedDef(key, derived.type, derived.legal_basis, derived.rounding,
                                     derived.formula or "", parts, evaluator, frozenset(depends[key]),
                                     document.span(loc, key=True))
        return result

"""The names an expression may use, and where it may use them.

The vocabulary joins the built-in case facts of `engine.language.registry` with what the
framework declares: facts (questions), derived facts (formulas) and parameters.
A domain's view only shows the hulpvraag facts of that domain (and the shared
ones of kader.yaml), so a Wmo rule cannot ask a Jeugd question by accident.
"""

from __future__ import annotations

from .expr import Context, Symbol
from .registry import BUILTINS, PERSON_ALIASES, person_alias

ALL_NAMESPACES = frozenset({"casus", "huishouden", "persoon", "aanvrager", "partner", "hulpvraag"})
CASE_NAMESPACES = frozenset({"casus", "huishouden", "aanvrager", "partner"})

CONDITION_HULPVRAAG = Context("condition", ALL_NAMESPACES, allow_findings=True)
CONDITION_CASUS = Context("condition", CASE_NAMESPACES, allow_findings=True)
FORMULA_PERSON = Context("formula", CASE_NAMESPACES | {"persoon"}, allow_findings=False)
FORMULA_HOUSEHOLD = Context("formula", CASE_NAMESPACES, allow_findings=False, allow_count=True)
ENTITLEMENT = Context("formula", CASE_NAMESPACES, allow_findings=True, allow_count=True)
ENTITLEMENT_HULPVRAAG = Context("formula", ALL_NAMESPACES, allow_findings=True, allow_count=True)


class Vocabulary:
    """A lookup table of symbols; a domain's view holds that domain's hulpvraag facts and onderwerpen."""

    def __init__(self, symbols: dict[str, Symbol], domain: str | None = None,
                 onderwerpen: tuple[str, ...] | None = None):
        self._symbols = symbols
        self._domain = domain
        if domain is not None and onderwerpen is not None:
            self._symbols = dict(symbols)
            self._symbols["hulpvraag.onderwerp"] = Symbol("hulpvraag.onderwerp", "tekst", "fact", onderwerpen)

    def lookup(self, name: str) -> Symbol | None:
        return self._symbols.get(name)

    def names(self) -> list[str]:
        return sorted(self._symbols)


def builtin_symbols(domains: dict[str, tuple[str, ...]], case_signals: tuple[str, ...],
                    gemeenten: tuple[str, ...] | None = None) -> dict[str, Symbol]:
    symbols: dict[str, Symbol] = {}
    for key, builtin in BUILTINS.items():
        values = builtin.values
        if key == "casus.gemeente" and gemeenten is not None:
            values = gemeenten  # the municipalities are those with a profile in gemeenten/
        elif key == "hulpvraag.domein" or key == "casus.domeinen":
            values = tuple(domains)
        elif key == "hulpvraag.onderwerp":
            values = tuple(sorted({o for ons in domains.values() for o in ons}))
        elif key == "casus.signalen":
            values = case_signals
        symbols[key] = Symbol(key, builtin.type, "fact", values)
        if key.startswith("persoon."):
            for alias in PERSON_ALIASES:
                alias_key = person_alias(key, alias)
                symbols[alias_key] = Symbol(alias_key, builtin.type, "fact", values)
    return symbols


def add_symbol(symbols: dict[str, Symbol], key: str, type_: str, kind: str, values: tuple[str, ...] | None) -> None:
    symbols[key] = Symbol(key, type_, kind, values)
    if key.startswith("persoon."):
        for alias in PERSON_ALIASES:
            symbols[person_alias(key, alias)] = Symbol(person_alias(key, alias), type_, kind, values)

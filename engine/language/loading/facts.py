"""The `facts:` sections: every declared fact, with its type, question and legal basis, once.

One unit of the loader (engine/language/loader.py composes them); it works on the Loader's state (`self`)."""

from __future__ import annotations

from typing import Any

from engine.errors import Span
from engine.language.framework import FactInfo
from engine.language.registry import BUILTINS
from engine.language.sources import Document
from engine.language.validation import _close
from engine.language.vocabulary import add_symbol

from .common import _literal_fits


class FactsSection:
    def first_declaration(self, key: str, span: Span, what: str) -> bool:
        if key in self.declared_at:
            shown = key.split(":", 1)[-1]
            self.sink.error("E110", f"{what} '{shown}' is al gedeclareerd", span,
                            related=(("eerder gedeclareerd", self.declared_at[key]),))
            return False
        self.declared_at[key] = span
        return True

    def declare_section(self, owner: str, parsed: Any, document: Document, prefix: tuple) -> None:
        for name, fact in parsed.facts.items():
            span = document.span(prefix + ("facts", name), key=True)
            key = f"{fact.scope}.{name}"
            if key in BUILTINS:
                self.sink.error("E111", f"'{key}' is een vast gegeven van het casuscontract en kan niet opnieuw "
                                "gedeclareerd worden", span)
                continue
            per_domain = fact.scope == "hulpvraag"
            if per_domain and owner != "kader" and ("kader|" + key) in self.declared_at:
                self.sink.error("E110", f"feit '{key}' is al gedeclareerd in kader.yaml (voor alle domeinen)", span,
                                related=(("eerder gedeclareerd", self.declared_at["kader|" + key]),))
                continue
            if not self.first_declaration(f"{owner}|{key}" if per_domain else key, span, "feit"):
                continue
            if fact.default is not None and not _literal_fits(fact.default, fact.type, fact.values):
                self.sink.error("E112", f"standaardwaarde {fact.default!r} past niet bij type {fact.type}",
                                document.span(prefix + ("facts", name, "default")))
            if fact.onderwerpen and owner in self.kader.domains:
                self.check_onderwerpen(owner, fact.onderwerpen, document, prefix + ("facts", name, "onderwerpen"))
            info = FactInfo(key, fact.type, fact.question, fact.legal_basis, fact.values, fact.default,
                            owner, fact.onderwerpen, span)
            if per_domain:
                add_symbol(self.hulpvraag_symbols.setdefault(owner, {}), key, fact.type, "fact", fact.values)
                self.hulpvraag_facts.setdefault(owner, {})[key] = info
            else:
                add_symbol(self.symbols, key, fact.type, "fact", fact.values)
                self.facts[key] = info
            self.bump(owner, "facts")
        self.declare_parameters(owner, parsed, document, prefix)
        self.declare_derived(owner, parsed, document, prefix)

    def bump(self, owner: str, what: str) -> None:
        self.stats.setdefault(owner, {"rules": 0, "provisions": 0, "parameters": 0, "facts": 0, "derived": 0,
                                      "entitlements": 0})
        self.stats[owner][what] = self.stats[owner].get(what, 0) + 1

    def check_onderwerpen(self, domain: str, onderwerpen, document: Document, loc: tuple) -> None:
        known = self.kader.domains[domain].onderwerpen
        for index, onderwerp in enumerate(onderwerpen):
            if onderwerp not in known:
                self.sink.error("E130", f"onbekend onderwerp '{onderwerp}' in domein {domain}", document.span(loc + (index,)),
                                hint=_close(onderwerp, known))

"""The `entitlements:` and `deadlines:` sections: rights with their criteria and amounts, and legal terms.

One unit of the loader (engine/language/loader.py composes them); it works on the Loader's state (`self`)."""

from __future__ import annotations

from typing import Any

from engine.errors import Span
from engine.language.calc import Evaluator
from engine.language.framework import (
    CriterionDef,
    DeadlineDef,
    EntitlementDef,
)
from engine.language.ir import BOOL, GEHEEL, NUMERIC, findings, type_of
from engine.language.models import DomainFile
from engine.language.sources import Document
from engine.language.validation import _close
from engine.language.vocabulary import (
    ENTITLEMENT,
    ENTITLEMENT_HULPVRAAG,
)

from .common import (
    _requires,
    _term,
)


class EntitlementsSection:
    def collect_deadlines(self, domain: str, parsed: DomainFile, document: Document) -> None:
        for name, deadline in parsed.deadlines.items():
            span = document.span(("deadlines", name), key=True)
            if not self.first_declaration("termijn:" + name, span, "termijn"):
                continue
            self.check_term_parameter(deadline.term, document, ("deadlines", name, "term"))
            self.deadlines[name] = DeadlineDef(name, deadline.title, deadline.legal_basis, deadline.from_,
                                               _term(deadline.term), deadline.algemene_termijnenwet, span)

    def check_term_parameter(self, term: Any, document: Document, loc: tuple) -> None:
        """A term from a parameter: a whole number of at least 1, and where it is an override point, bounded."""
        if term.parameter is None:
            return
        parameter = self.parameters.get(term.parameter)
        span = document.span(loc + ("parameter",))
        if parameter is None:
            if term.parameter not in self.broken:
                self.sink.error("E201", f"onbekende parameter '{term.parameter}'", span,
                                hint=_close(term.parameter, list(self.parameters)))
            return
        if parameter.type != GEHEEL or parameter.key != "peildatum":
            self.sink.error("E149", f"een termijn uit parameter '{term.parameter}' vraagt een geheel getal dat op de "
                            "peildatum geldt", span)
            return
        if any(v is not None and v < 1 for v in parameter.values):
            self.sink.error("E149", f"parameter '{term.parameter}' is een termijn en moet ten minste 1 zijn", span)
        override = parameter.override
        if override is not None and override.allowed and (override.max is None or override.min is None
                                                          or override.min < 1):
            self.sink.error("E149", f"parameter '{term.parameter}' is een termijn en een override-punt: noem 'min' "
                            "(ten minste 1) en 'max' (de wettelijke bovengrens)", span)

    def collect_entitlements(self, domain: str, parsed: DomainFile, document: Document) -> None:
        for name, entitlement in parsed.entitlements.items():
            loc = ("entitlements", name)
            span = document.span(loc, key=True)
            if not self.first_declaration("aanspraak:" + name, span, "aanspraak"):
                continue
            definition = self.entitlement(name, entitlement, document, loc, span, per=entitlement.per)
            if definition is not None:
                self.entitlements[name] = definition
                self.bump(domain, "entitlements")
            else:  # refused (its error is reported, or it reads a parameter that was refused): no follow-up errors
                self.broken.add(name)

    def entitlement(self, name: str, entitlement: Any, document: Document, loc: tuple, span: Span,
                    gemeente: str | None = None, decision: str | None = None, per: str = "huishouden",
                    in_kind: bool = False) -> EntitlementDef | None:
        requires = entitlement.requires
        # An entitlement for a hulpvraag onderwerp reads that hulpvraag's facts (and its person's).
        per_hulpvraag = bool(requires.onderwerp) and requires.domein in self.kader.domains
        vocabulary = self.vocabulary(requires.domein if per_hulpvraag else None)
        context = ENTITLEMENT_HULPVRAAG if per_hulpvraag else ENTITLEMENT
        if requires.domein not in self.kader.domains:
            self.sink.error("E133", f"onbekend domein '{requires.domein}'", document.span(loc + ("requires", "domein")),
                            hint=_close(requires.domein, list(self.kader.domains)))
        elif requires.onderwerp:
            self.check_onderwerpen(requires.domein, requires.onderwerp, document, loc + ("requires", "onderwerp"))
        criteria = []
        ok = True
        for index, criterion in enumerate(entitlement.criteria):
            here = loc + ("criteria", index, "when")
            condition = self.expr(criterion.when, document, here, vocabulary, context)
            if condition is None:
                ok = False
                continue
            if type_of(condition) != BOOL:
                self.sink.error("E320", "een criterium moet ja/nee opleveren", document.span(here))
                ok = False
                continue
            criteria.append(CriterionDef(criterion.id, condition, criterion.when, Evaluator(condition),
                                         criterion.legal_basis, criterion.reason))
        amounts = []
        for amount_name, text in entitlement.amounts.items():
            here = loc + ("amounts", amount_name)
            value = self.expr(text, document, here, vocabulary, context)
            if value is None:
                ok = False
                continue
            if type_of(value) not in NUMERIC:
                self.sink.error("E141", f"bedrag '{amount_name}' moet een getal opleveren, niet {type_of(value)}", document.span(here))
                ok = False
                continue
            amounts.append((amount_name, value, Evaluator(value)))
        for criterion in criteria:
            self.check_entitlement_findings(criterion.when, document, loc)
        if not ok:
            return None
        return EntitlementDef(name, entitlement.title, entitlement.legal_basis, entitlement.periode, _requires(requires),
                              tuple(criteria), tuple(amounts), entitlement.rounding, span, gemeente, decision, per,
                              in_kind)

    def check_entitlement_findings(self, condition: Any, document: Document, loc: tuple) -> None:
        for finding in findings(condition):
            self.pending_entitlement_findings.append((finding, document, loc))

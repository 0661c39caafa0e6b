"""The `rules:` sections: conditions and conclusions (suffices, excludes, floor, findings, signals).

One unit of the loader (engine/language/loader.py composes them); it works on the Loader's state (`self`)."""

from __future__ import annotations

from typing import Any

from engine.language.calc import Evaluator
from engine.language.framework import RuleDef
from engine.language.ir import BOOL, findings, references, type_of
from engine.language.models import DomainFile
from engine.language.sources import Document
from engine.language.validation import _close
from engine.language.vocabulary import (
    CONDITION_CASUS,
    CONDITION_HULPVRAAG,
    Vocabulary,
)

from .common import (
    _conclusion,
    _raw_indices,
)


class RulesSection:
    def collect_rules(self, group: str, parsed: DomainFile, document: Document) -> None:
        levels = {r.level for r in self.kader.ladder}
        vocabulary = self.vocabulary(group)
        places = _raw_indices(document, "rules", parsed.rules)
        self.check_refused_rules(document, set(places), vocabulary)
        for rule, index in zip(parsed.rules, places, strict=True):
            loc = ("rules", index)
            span = document.span(loc + ("id",))
            if not rule.id.startswith(group + "."):
                self.sink.error("E150", f"regel '{rule.id}' moet beginnen met '{group}.'", span)
            if not self.first_declaration("regel:" + rule.id, span, "regel"):
                continue
            context = CONDITION_HULPVRAAG if rule.scope == "hulpvraag" else CONDITION_CASUS
            condition = self.expr(rule.when, document, loc + ("when",), vocabulary, context)
            if condition is not None and type_of(condition) != BOOL:
                self.sink.error("E320", "'when' moet ja/nee opleveren", document.span(loc + ("when",)))
                condition = None
            if rule.valid_from and rule.valid_until and rule.valid_until < rule.valid_from:
                self.sink.error("E120", "'valid_until' ligt vóór 'valid_from'", document.span(loc + ("valid_until",)))
            for position, conclusion in enumerate(rule.then):
                self.check_conclusion(group, rule, conclusion, document, loc + ("then", position), levels)
            if condition is None:
                continue
            for finding in findings(condition):
                self.pending_rule_findings.append((group, rule.scope, finding, document, loc + ("when",), rule.when))
            self.rules[rule.id] = RuleDef(rule.id, rule.title, rule.legal_basis, rule.reason, rule.scope, group,
                                          condition, rule.when, Evaluator(condition),
                                          tuple(_conclusion(c) for c in rule.then),
                                          rule.valid_from, rule.valid_until, span, len(self.rules),
                                          frozenset(references(condition)), tuple(findings(condition)))
            self.bump(group, "rules")

    def check_refused_rules(self, document: Document, kept: set[int], vocabulary: Vocabulary) -> None:
        """A rule refused for its structure (a misspelt key) still has its condition checked, in the same run."""
        raw = document.data.get("rules") if isinstance(document.data, dict) else None
        if not isinstance(raw, list):
            return
        for index, entry in enumerate(raw):
            if index in kept or not isinstance(entry, dict) or not isinstance(entry.get("when"), str):
                continue
            context = CONDITION_CASUS if entry.get("scope") == "casus" else CONDITION_HULPVRAAG
            self.expr(entry["when"], document, ("rules", index, "when"), vocabulary, context)

    def check_conclusion(self, group: str, rule: Any, conclusion: Any, document: Document, loc: tuple, levels: set) -> None:
        kind = conclusion.kind
        span = document.span(loc + (kind,))
        if rule.scope == "casus" and kind in ("suffices", "excludes", "floor"):
            self.sink.error("E151", f"'{kind}' gaat over een hulpvraag; een regel met 'scope: casus' kan alleen "
                            "finding, signal, check, deadline of denies concluderen", span)
            return
        if kind in ("suffices", "excludes"):
            target = getattr(conclusion, kind)
            if target.provision is not None:
                provision = self.provisions.get(target.provision)
                if provision is None and target.provision in self.broken:
                    pass
                elif provision is None:
                    self.sink.error("E152", f"onbekende voorziening '{target.provision}'", span,
                                    hint=_close(target.provision, list(self.provisions)))
                elif provision.domain != group:
                    self.sink.error("E153", f"voorziening '{target.provision}' hoort bij domein {provision.domain}, "
                                    f"niet bij {group}", span)
            for level in target.levels_set():
                if level not in levels:
                    self.sink.error("E132", f"niveau {level} staat niet in de ladder", span)
        elif kind == "floor" and conclusion.floor not in levels:
            self.sink.error("E132", f"niveau {conclusion.floor} staat niet in de ladder", span)
        elif kind == "signal" and conclusion.signal not in self.signals and conclusion.signal not in self.broken:
            self.sink.error("E154", f"onbekend signaal '{conclusion.signal}'", span,
                            hint=_close(conclusion.signal, list(self.signals)))
        elif kind == "check" and conclusion.check not in self.checks and conclusion.check not in self.broken:
            self.sink.error("E155", f"onbekende controle '{conclusion.check}'", span,
                            hint=_close(conclusion.check, list(self.checks)))
        elif kind == "deadline" and conclusion.deadline.id not in self.deadlines \
                and conclusion.deadline.id not in self.broken:
            self.sink.error("E156", f"onbekende termijn '{conclusion.deadline.id}'", span,
                            hint=_close(conclusion.deadline.id, list(self.deadlines)))
        elif kind == "denies" and conclusion.denies not in self.entitlements and conclusion.denies not in self.broken:
            self.sink.error("E157", f"onbekende aanspraak '{conclusion.denies}'", span,
                            hint=_close(conclusion.denies, list(self.entitlements)))
        elif kind == "finding":
            self.finding_producers.setdefault(conclusion.finding, []).append((group, rule.scope, span))

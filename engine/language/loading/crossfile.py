"""The checks that need every file, in one place: findings used but never produced (or the reverse), after all
rules are read; then, on the built framework, the periods in force, the legal bases against wetten.yaml and the
compilation of every expression.

One unit of the loader (engine/language/loader.py composes them); it works on the Loader's state (`self`)."""

from __future__ import annotations

from engine.language import compile as compiling
from engine.language.framework import INTEGRAAL
from engine.language.inforce import check_periods
from engine.language.validation import _close
from engine.language.wetten import check_legal_bases

from .common import expression_span


class CrossFileChecks:
    def check_findings(self) -> None:
        for name, producers in self.finding_producers.items():
            scopes = {scope for _, scope, _ in producers}
            if len(scopes) > 1:
                self.sink.error("E160", f"bevinding '{name}' wordt zowel per hulpvraag als per casus afgeleid; "
                                "kies één", producers[-1][2], related=(("ook afgeleid", producers[0][2]),))
        for group, scope, finding, document, loc, text in self.pending_rule_findings:
            producers = self.finding_producers.get(finding.name)
            span = expression_span(document, loc, text, finding.offset)
            if not producers:
                self.sink.error("E161", f"onbekende bevinding '{finding.name}': geen regel leidt haar af", span,
                                hint=_close(finding.name, list(self.finding_producers)))
                continue
            producer_groups = {g for g, _, _ in producers}
            producer_scope = producers[0][1]
            if scope == "casus" and producer_scope == "hulpvraag":
                self.sink.error("E162", f"bevinding '{finding.name}' geldt per hulpvraag en is in een casusregel "
                                "niet bepaald", span)
            elif group == INTEGRAAL:
                if producer_scope != "casus":
                    self.sink.error("E162", f"integrale regels kunnen alleen bevindingen over de casus gebruiken; "
                                    f"'{finding.name}' geldt per hulpvraag", span)
            elif group not in producer_groups:
                self.sink.error("E163", f"bevinding '{finding.name}' wordt alleen in {', '.join(sorted(producer_groups))} "
                                f"afgeleid; gebruik haar in een integrale regel", span)
        for finding, document, loc in self.pending_entitlement_findings:
            producers = self.finding_producers.get(finding.name)
            if not producers:
                self.sink.error("E161", f"onbekende bevinding '{finding.name}': geen regel leidt haar af",
                                document.span(loc), hint=_close(finding.name, list(self.finding_producers)))
            elif producers[0][1] != "casus":
                self.sink.error("E162", f"een aanspraak kan alleen bevindingen over de casus gebruiken; "
                                f"'{finding.name}' geldt per hulpvraag", document.span(loc))

    def check_whole_framework(self, framework, wetten) -> None:
        self.sink.extend(check_periods(framework))
        if wetten is not None:
            framework.wetten = wetten
            self.sink.extend(check_legal_bases(framework, wetten, self.kader_doc.span(("legal_basis",))))
        problems = compiling.compile_framework(framework)
        self.sink.extend(problems)

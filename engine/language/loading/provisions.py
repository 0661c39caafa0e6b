"""The `provisions:` sections: the rungs of the ladder per domain and their eigen bijdrage parameters.

One unit of the loader (engine/language/loader.py composes them); it works on the Loader's state (`self`)."""

from __future__ import annotations

from typing import Any

from engine.language.framework import ProvisionDef
from engine.language.ir import GEHEEL
from engine.language.models import DomainFile
from engine.language.sources import Document
from engine.language.validation import _close


class ProvisionsSection:
    def collect_provisions(self, domain: str, parsed: DomainFile, document: Document) -> None:
        levels = {r.level for r in self.kader.ladder}
        for name, provision in parsed.provisions.items():
            loc = ("provisions", name)
            span = document.span(loc, key=True)
            if not name.startswith(domain + "."):
                self.sink.error("E131", f"voorziening '{name}' moet beginnen met '{domain}.'", span)
                continue
            if not self.first_declaration(name, span, "voorziening"):
                continue
            if provision.level not in levels:
                self.sink.error("E132", f"niveau {provision.level} staat niet in de ladder", document.span(loc + ("level",)))
            self.check_onderwerpen(domain, provision.onderwerpen, document, loc + ("onderwerpen",))
            if provision.eigen_bijdrage_parameter is not None:
                self.check_bijdrage_parameter(provision, document, loc + ("eigen_bijdrage_parameter",))
            self.provisions[name] = ProvisionDef(name, provision.name, domain, provision.level, provision.onderwerpen,
                                                 provision.legal_basis, provision.eigen_bijdrage, span,
                                                 order=len(self.provisions),
                                                 eigen_bijdrage_parameter=provision.eigen_bijdrage_parameter)
            self.bump(domain, "provisions")

    def check_bijdrage_parameter(self, provision: Any, document: Document, loc: tuple) -> None:
        """`eigen_bijdrage_parameter`: a whole-number parameter on the peildatum, 0 or 1 in every period and within
        0..1 where it is an override point, next to an eigen_bijdrage it switches (E134)."""
        name = provision.eigen_bijdrage_parameter
        span = document.span(loc)
        parameter = self.parameters.get(name)
        if parameter is None:
            if name not in self.broken:
                self.sink.error("E201", f"onbekende parameter '{name}'", span, hint=_close(name, list(self.parameters)))
            return
        override = parameter.override
        if (provision.eigen_bijdrage in (None, "geen") or parameter.type != GEHEEL or parameter.key != "peildatum"
                or any(v is not None and v not in (0, 1) for v in parameter.values)
                or (override is not None and override.allowed
                    and (override.min is None or override.max is None or override.min < 0 or override.max > 1))):
            self.sink.error("E134", f"eigen_bijdrage_parameter '{name}' moet een geheel getal 0 of 1 op de peildatum "
                            "zijn (als override-punt met min 0 en max 1), naast een eigen_bijdrage die het aan- of "
                            "uitzet", span)

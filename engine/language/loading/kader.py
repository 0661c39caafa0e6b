"""kader.yaml and what every file shares: the ladder, the labels of signals and checks, the income kinds, the
files that failed validation (so that no follow-up errors are reported), and what integraal/ may hold.

One unit of the loader (engine/language/loader.py composes them); it works on the Loader's state (`self`)."""

from __future__ import annotations

from engine.language.models import INKOMENSDOELEN, DomainFile, KaderFile
from engine.language.registry import INKOMENSSOORTEN
from engine.language.sources import Document

from .common import _raw_indices


class KaderSection:
    def check_ladder(self) -> None:
        seen: dict[int, int] = {}
        for index, rung in enumerate(self.kader.ladder):
            if rung.level in seen:
                self.sink.error("E101", f"niveau {rung.level} staat twee keer in de ladder",
                                self.kader_doc.span(("ladder", index, "level")))
            seen[rung.level] = index
        levels = sorted(seen)
        if levels and levels != list(range(levels[0], levels[0] + len(levels))):
            self.sink.error("E102", "de ladder moet opeenvolgende niveaus hebben", self.kader_doc.span(("ladder",)))

    def inkomenssoorten(self, kader: KaderFile) -> dict[str, dict[str, bool]]:
        """The income kinds and how each counts; every kind of the case contract needs a treatment (E160)."""
        declared = kader.inkomenssoorten
        if not declared:
            return {}
        for name in declared:
            if name not in INKOMENSSOORTEN:
                self.sink.error("E148", f"inkomenssoort '{name}' staat niet in het casuscontract (toegestaan: "
                                + ", ".join(INKOMENSSOORTEN) + ")", self.kader_doc.span(("inkomenssoorten", name), key=True))
        for name in INKOMENSSOORTEN:
            if name not in declared:
                self.sink.error("E147", f"inkomenssoort '{name}' van het casuscontract heeft geen behandeling; zeg hoe "
                                "zij telt voor bijstand, bijzondere bijstand, minima en Wmo-bijdrage",
                                self.kader_doc.span(("inkomenssoorten",), key=True))
        return {name: {doel: getattr(kind, doel).telt for doel in INKOMENSDOELEN} for name, kind in declared.items()}

    def note_broken(self, parsed: DomainFile | None, document: Document) -> None:
        """Remember names a file declares but that did not validate, so references to them are not errors too."""
        data = document.data if isinstance(document.data, dict) else {}
        for section in ("facts", "parameters", "derived", "provisions", "entitlements", "deadlines",
                        "signals", "checks", "case_signals"):
            given = data.get(section)
            if not isinstance(given, dict):
                continue
            kept = getattr(parsed, section, {}) if parsed is not None else {}
            for name, entry in given.items():
                if name not in kept:
                    name = str(name)
                    self.broken.add(name)
                    if section == "facts" and isinstance(entry, dict):
                        self.broken.add(f"{entry.get('scope')}.{name}")

    def merge_labels(self, parsed: DomainFile, document: Document) -> None:
        """Signals and checks a domain file declares join those of kader.yaml; an id is declared once."""
        for section in ("case_signals", "signals", "checks"):
            known = getattr(self, section)
            for name, label in getattr(parsed, section).items():
                span = document.span((section, name), key=True)
                if name in known:
                    self.sink.error("E110", f"'{name}' staat al in {section}", span)
                    continue
                known[name] = label

    def only_rules(self, parsed: DomainFile, document: Document) -> None:
        for section in ("facts", "parameters", "derived", "provisions", "entitlements", "deadlines", "minima_test",
                        "case_signals", "signals", "checks"):
            if getattr(parsed, section):
                self.sink.error("E052", f"'{section}' hoort niet in integraal/: deze map bevat alleen regels over "
                                "domeinen heen; declareer het in het domein waar het thuishoort",
                                document.span((section,), key=True))
        for rule, index in zip(parsed.rules, _raw_indices(document, "rules", parsed.rules), strict=True):
            if rule.scope != "casus":
                self.sink.error("E053", "regels in integraal/ gaan over de hele casus: zet 'scope: casus'",
                                document.span(("rules", index, "scope") if "scope" in document.data["rules"][index]
                                              else ("rules", index, "id")))

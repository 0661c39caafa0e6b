"""Load a rules folder into a validated `Framework`, reporting every problem at once.

Layout (see docs/rule-language.md): `kader.yaml`, one folder per domain named in
kader.yaml (any `*.yaml` inside), `integraal/` for cross-domain rules and
`gemeenten/<gemeente>.yaml` for the municipal profiles. Files are read in sorted
order; everything is checked before anything is evaluated, and all diagnostics
are returned sorted by file, line and column.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from engine.errors import Diagnostic, DiagnosticSink, Span, sorted_diagnostics
from engine.paths import RULES_ENV, default_rules_dir, display_path  # noqa: F401 (kept importable from here)

from .atw import FILE as ATW_FILE
from .atw import load_gelijkgestelde_dagen
from .framework import (
    INTEGRAAL,
    DeadlineDef,
    DerivedDef,
    Domain,
    EntitlementDef,
    FactInfo,
    Framework,
    LadderIndex,
    ParameterDef,
    ProvisionDef,
    RuleDef,
    Rung,
)
from .loading.common import (
    PROFILES_DIR,
    _labels,
)
from .loading.crossfile import CrossFileChecks
from .loading.derived import DerivedSection
from .loading.entitlements import EntitlementsSection
from .loading.expressions import ExpressionsUnit
from .loading.facts import FactsSection
from .loading.kader import KaderSection
from .loading.parameters import ParametersSection
from .loading.profiles import ProfilesSection
from .loading.provisions import ProvisionsSection
from .loading.rules import RulesSection
from .models import DomainFile, KaderFile
from .sources import Document, SourceError, content_hash, read_document
from .termijnen import atw_days_off
from .validation import validate_partial
from .vocabulary import (
    builtin_symbols,
)
from .wetten import FILE as WETTEN_FILE
from .wetten import load_wetten


class Loader(KaderSection, FactsSection, ParametersSection, ExpressionsUnit, DerivedSection, ProvisionsSection,
             EntitlementsSection, RulesSection, ProfilesSection, CrossFileChecks):
    """Reads a rules folder: each section of a file is read and checked by its unit in engine/language/loading/,
    and the checks that need every file run after all files are read (CrossFileChecks, and in `load` the periods,
    the legal bases and the compilation)."""

    def __init__(self, root: Path):
        self.root = root
        self.real_root = root
        self.sink = DiagnosticSink()
        self.kader: KaderFile | None = None
        self.kader_doc: Document | None = None
        self.symbols: dict[str, Any] = {}
        # hulpvraag facts are declared per domain (the same name may be another question in another domain);
        # those of kader.yaml are shared by every domain
        self.hulpvraag_symbols: dict[str, dict[str, Any]] = {}
        self.hulpvraag_facts: dict[str, dict[str, FactInfo]] = {}
        self.facts: dict[str, FactInfo] = {}
        self.parameters: dict[str, ParameterDef] = {}
        self.declared_at: dict[str, Span] = {}
        self.provisions: dict[str, ProvisionDef] = {}
        self.pending_derived: list[tuple[str, Any, Document, tuple]] = []
        self.derived: dict[str, DerivedDef] = {}
        self.rules: dict[str, RuleDef] = {}
        self.entitlements: dict[str, EntitlementDef] = {}
        self.deadlines: dict[str, DeadlineDef] = {}
        self.finding_producers: dict[str, list[tuple[str, str, Span]]] = {}
        self.minima_test: tuple[Any, Document, tuple, str] | None = None
        self.stats: dict[str, dict[str, int]] = {}
        self.keyed: dict[str, str] = {}  # persoon.<naam> -> a parameter keyed by a date other than the peildatum
        self.pending_rule_findings: list[tuple] = []
        self.broken: set[str] = set()  # names declared in a file but invalid there: no follow-up errors
        self.pending_entitlement_findings: list[tuple] = []

    # ------------------------------------------------------------ reading

    def refused(self, path: Path, *, folder: bool = False) -> bool:
        """A file or folder the loader will not read: through a symbolic link outside the rules folder,
        or (for a file) not a regular file, such as a pipe or a device that would never end."""
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return False  # does not exist (or a link loop): reading it reports that, at its place
        if not real.is_relative_to(self.real_root):
            what = "map" if folder else "bestand"
            self.sink.error("E004", f"dit {what} verwijst (via een symbolische link) naar {real}, buiten de regelmap; "
                            "regels worden alleen uit de regelmap zelf gelezen", Span(display_path(path), 1, 1))
            return True
        if not folder and not stat.S_ISREG(real.stat().st_mode):
            self.sink.error("E005", "dit is geen gewoon bestand (maar een pipe, socket of apparaat)",
                            Span(display_path(path), 1, 1))
            return True
        return False

    def read(self, path: Path, group: str) -> Document | None:
        if self.refused(path):
            return None
        try:
            return read_document(path, display_path(path))
        except SourceError as exc:
            self.sink.extend(exc.diagnostics)
            return None

    # ------------------------------------------------------------ entry

    def load(self) -> Framework | None:
        root = self.root
        if not root.is_dir():
            self.sink.error("E001", "regelmap bestaat niet of is geen map", Span(display_path(root), 1, 1))
            return None
        self.real_root = root.resolve()
        kader_path = root / "kader.yaml"
        self.kader_doc = self.read(kader_path, "kader")
        if self.kader_doc is None:
            return None
        self.kader, problems = validate_partial(KaderFile, self.kader_doc, code="E100")
        self.sink.extend(problems)
        if self.kader is None:
            return None
        kader = self.kader
        self.check_ladder()
        self.case_signals = dict(kader.case_signals)
        self.signals = dict(kader.signals)
        self.checks = dict(kader.checks)
        domain_files: list[tuple[str, DomainFile, Document]] = []
        for entry in sorted(root.iterdir()):
            if entry.name.startswith(".") or entry.name in ("kader.yaml", ATW_FILE, WETTEN_FILE):
                continue
            if entry.is_dir() and (entry.name in kader.domains or entry.name in (INTEGRAAL, PROFILES_DIR)):
                continue
            if entry.suffix in (".yaml", ".yml", ".json") or entry.is_dir():
                self.sink.error("E050", f"'{entry.name}' hoort niet in de regelmap: verwacht kader.yaml, de mappen "
                                + ", ".join(list(kader.domains) + [INTEGRAAL, PROFILES_DIR]), Span(display_path(entry), 1, 1))
        for domain in list(kader.domains) + [INTEGRAAL]:
            folder = root / domain
            if not folder.is_dir():
                if domain != INTEGRAAL:
                    self.sink.error("E051", f"map voor domein '{domain}' ontbreekt", Span(display_path(folder), 1, 1))
                continue
            if self.refused(folder, folder=True):
                continue
            for path in sorted(folder.glob("*.yaml")):
                document = self.read(path, domain)
                if document is None:
                    continue
                parsed, problems = validate_partial(DomainFile, document, code="E100")
                self.sink.extend(problems)
                self.note_broken(parsed, document)
                if parsed is None:
                    continue
                if domain == INTEGRAAL:
                    self.only_rules(parsed, document)
                domain_files.append((domain, parsed, document))
                self.merge_labels(parsed, document)
        domains = {name: d.onderwerpen for name, d in kader.domains.items()}
        self.symbols = builtin_symbols(domains, tuple(self.case_signals), self.profile_names())
        self.declare_section("kader", kader, self.kader_doc, ())
        for domain, parsed, document in domain_files:
            self.declare_section(domain, parsed, document, ())
        for domain, parsed, document in domain_files:
            self.collect_provisions(domain, parsed, document)
            self.collect_deadlines(domain, parsed, document)
            if parsed.minima_test is not None:
                if self.minima_test is not None:
                    self.sink.error("E060", "er is al een minima_test", document.span(("minima_test",), key=True))
                self.minima_test = (parsed.minima_test, document, ("minima_test",), domain)
        self.build_derived()
        for domain, parsed, document in domain_files:
            self.collect_entitlements(domain, parsed, document)
        for domain, parsed, document in domain_files:
            self.collect_rules(domain, parsed, document)
        self.check_findings()
        profiles = self.load_profiles()
        gelijkgesteld = load_gelijkgestelde_dagen(self, root)
        wetten = load_wetten(self, root)
        if self.sink:
            return None
        framework = Framework(
            name=kader.name, version=kader.version, hash=content_hash(root), root=display_path(root),
            valid_from=kader.valid_from, legal_basis=kader.legal_basis,
            ladder=tuple(Rung(r.level, r.name, r.description) for r in sorted(kader.ladder, key=lambda r: r.level)),
            domains={n: Domain(d.name, d.legal_basis, tuple(d.onderwerpen)) for n, d in kader.domains.items()},
            case_signals=_labels(self.case_signals), signals=_labels(self.signals),
            checks=_labels(self.checks), facts=self.facts,
            hulpvraag_facts={d: {**self.hulpvraag_facts.get("kader", {}), **self.hulpvraag_facts.get(d, {})}
                             for d in kader.domains}, symbols=self.symbols, parameters=self.parameters,
            derived=tuple(self.derived.values()), provisions=self.provisions, rules=self.rules,
            entitlements=self.entitlements, deadlines=self.deadlines, profiles=profiles,
            finding_scopes={name: producers[0][1] for name, producers in self.finding_producers.items()},
            stats=self.compute_stats(profiles), keyed=dict(self.keyed), gelijkgestelde_dagen=gelijkgesteld,
            inkomenssoorten=self.inkomenssoorten(kader),
        )
        framework.ladder_index = {
            group: LadderIndex.build((rule, c) for rule in self.rules.values()
                                     if rule.group == group and rule.scope == "hulpvraag"
                                     for c in rule.then if c.kind in ("suffices", "excludes", "floor"))
            for group in {r.group for r in self.rules.values()}}
        framework.producers = {
            name: tuple(r for r in self.rules.values() if any(c.finding == name for c in r.then))
            for name in self.finding_producers}
        framework.days_off = {year: atw_days_off(year) | {d for d, _ in gelijkgesteld if d.year == year}
                              for year in range(kader.valid_from.year - 1, kader.valid_from.year + 12)}
        self.check_whole_framework(framework, wetten)
        if self.sink:
            return None
        return framework

    # ------------------------------------------------------------ parameters


    # ------------------------------------------------------------ derived facts


    # ------------------------------------------------------------ rules


_FRAMEWORK_CACHE: dict[tuple[str, str], Framework] = {}


def check_rules(root: Path | str | None = None) -> tuple[Framework | None, list[Diagnostic]]:
    """Load and validate; return the framework (if clean) and every diagnostic, sorted."""
    loader = Loader(Path(root) if root is not None else default_rules_dir())
    framework = loader.load()
    return framework, sorted_diagnostics(loader.sink.items)



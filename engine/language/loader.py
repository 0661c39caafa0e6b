"""Load a rules folder into a validated `Framework`, reporting every problem at once.

Layout (see docs/rule-language.md): `kader.yaml`, one folder per domain named in
kader.yaml (any `*.yaml` inside), `integraal/` for cross-domain rules and
`gemeenten/<gemeente>.yaml` for the municipal profiles. Files are read in sorted
order; everything is checked before anything is evaluated, and all diagnostics
are returned sorted by file, line and column.
"""

from __future__ import annotations

import datetime as _dt
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.errors import Diagnostic, DiagnosticSink, Span, sorted_diagnostics
from engine.paths import RULES_ENV, default_rules_dir, display_path  # noqa: F401 (kept importable from here)

from . import compile as compiling
from .atw import FILE as ATW_FILE
from .atw import load_gelijkgestelde_dagen
from .calc import DerivedEvaluator, Evaluator
from .expr import Context, ExpressionError, parse
from .framework import (
    INTEGRAAL,
    Conclusion,
    CriterionDef,
    DeadlineDef,
    DeadlineRef,
    DerivedDef,
    Domain,
    EntitlementDef,
    FactInfo,
    Framework,
    Label,
    LadderIndex,
    Override,
    ParameterDef,
    Profile,
    ProvisionDef,
    Requires,
    RuleDef,
    Rung,
    Target,
    Term,
)
from .inforce import check_periods
from .ir import BOOL, GEHEEL, GELD, NUMERIC, TEKST, findings, has_division, references, type_of
from .models import INKOMENSDOELEN, DomainFile, KaderFile
from .profiles import load_profile
from .registry import BUILTINS, INKOMENSSOORTEN
from .sources import Document, SourceError, content_hash, read_document
from .termijnen import atw_days_off
from .validation import _close, validate_partial
from .vocabulary import (
    CONDITION_CASUS,
    CONDITION_HULPVRAAG,
    ENTITLEMENT,
    ENTITLEMENT_HULPVRAAG,
    FORMULA_HOUSEHOLD,
    FORMULA_PERSON,
    Vocabulary,
    add_symbol,
    builtin_symbols,
)
from .wetten import FILE as WETTEN_FILE
from .wetten import check_legal_bases, load_wetten

GEMEENTE = "casus.gemeente"
PROFILES_DIR = "gemeenten"


class Loader:
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
        self.sink.extend(check_periods(framework))
        if wetten is not None:
            framework.wetten = wetten
            self.sink.extend(check_legal_bases(framework, wetten, self.kader_doc.span(("legal_basis",))))
        problems = compiling.compile_framework(framework)
        self.sink.extend(problems)
        if self.sink:
            return None
        return framework

    # ------------------------------------------------------------ kader

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

    # ------------------------------------------------------------ parameters

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

    # ------------------------------------------------------------ expressions

    def expr(self, text: str, document: Document, loc: tuple, vocabulary: Vocabulary, context: Context) -> Any:
        try:
            node = parse(text, vocabulary, context)
        except ExpressionError as exc:
            for problem in exc.problems:
                if problem.code == "E201" and problem.subject in self.broken:
                    continue  # already reported where it is declared
                self.sink.error(problem.code, problem.message, expression_span(document, loc, text, problem.col),
                                hint=problem.hint)
            return None
        if GEMEENTE in references(node):
            self.sink.error("E170", "het kader is voor alle gemeenten gelijk: een regel of formule mag niet naar "
                            f"de gemeente zelf kijken ({GEMEENTE})",
                            expression_span(document, loc, text, text.find(GEMEENTE)),
                            hint="gemeentelijke ruimte loopt via override-punten, lokale voorzieningen (niveau 1) "
                                 "en minimaregelingen in gemeenten/")
            return None
        return node

    def vocabulary(self, domain: str | None) -> Vocabulary:
        if domain is None or domain not in self.kader.domains:
            return Vocabulary({**self.symbols, **self.hulpvraag_symbols.get("kader", {})})
        symbols = {**self.symbols, **self.hulpvraag_symbols.get("kader", {}), **self.hulpvraag_symbols.get(domain, {})}
        return Vocabulary(symbols, domain, self.kader.domains[domain].onderwerpen)

    # ------------------------------------------------------------ derived facts

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
                    value = self.expr(case.value, document, loc + ("cases", index, "value"), vocabulary, context)
                    if condition is not None and type_of(condition) != BOOL:
                        self.sink.error("E320", "'when' moet ja/nee opleveren", document.span(loc + ("cases", index, "when")))
                        ok = False
                    if value is not None and not self.fits(value, derived, document, loc + ("cases", index, "value")):
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

    # ------------------------------------------------------------ provisions, deadlines, entitlements

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

    def collect_deadlines(self, domain: str, parsed: DomainFile, document: Document) -> None:
        for name, deadline in parsed.deadlines.items():
            span = document.span(("deadlines", name), key=True)
            if not self.first_declaration("termijn:" + name, span, "termijn"):
                continue
            self.check_term_parameter(deadline.term, document, ("deadlines", name, "term"))
            self.deadlines[name] = DeadlineDef(name, deadline.title, deadline.legal_basis, deadline.from_,
                                               _term(deadline.term), deadline.algemene_termijnenwet, span)

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

    # ------------------------------------------------------------ rules

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

    # ------------------------------------------------------------ profiles

    def profile_names(self) -> tuple[str, ...]:
        """The municipalities, one per profile file in gemeenten/: a fourth joins by adding its profile."""
        folder = self.root / PROFILES_DIR
        if not folder.is_dir():
            return ()
        return tuple(sorted(path.stem for path in folder.glob("*.yaml")))

    def load_profiles(self) -> dict[str, Profile]:
        folder = self.root / PROFILES_DIR
        profiles: dict[str, Profile] = {}
        if not folder.is_dir():
            self.sink.error("E070", "map gemeenten/ met de gemeenteprofielen ontbreekt", Span(display_path(folder), 1, 1))
            return profiles
        if self.refused(folder, folder=True):
            return profiles
        for path in sorted(folder.glob("*.yaml")):
            document = self.read(path, PROFILES_DIR)
            if document is None:
                continue
            profile = load_profile(self, path.stem, document)
            if profile is not None:
                profiles[profile.gemeente] = profile
        return profiles

    def compute_stats(self, profiles: dict[str, Profile]) -> dict[str, dict[str, int]]:
        result = {}
        for name in list(self.kader.domains) + ["kader", INTEGRAAL]:
            counts = self.stats.get(name, {})
            result[name] = {what: counts.get(what, 0) for what in
                            ("rules", "provisions", "parameters", "facts", "derived", "entitlements")}
        result["gemeenten"] = {
            gemeente: {"overrides": len(p.overrides), "provisions": len(p.provisions), "minima_schemes": len(p.entitlements)}
            for gemeente, p in sorted(profiles.items())
        }
        return result


def _raw_indices(document: Document, section: str, kept) -> list[int]:
    """The place in the file of each entry of a list that validated; entries that did not are left out of `kept`,
    so the n-th kept entry need not be the n-th in the file."""
    raw = document.data.get(section) if isinstance(document.data, dict) else None
    if not isinstance(raw, list) or len(raw) == len(kept):
        return list(range(len(kept)))
    places, position = [], 0
    for item in kept:
        while position < len(raw) and not (isinstance(raw[position], dict) and raw[position].get("id") == item.id):
            position += 1
        places.append(position if position < len(raw) else len(raw) - 1)
        position += 1
    return places


def _override(model) -> Override | None:
    if model is None:
        return None
    return Override(model.allowed, model.min, model.max, model.legal_basis, model.min_kaderwaarde)


def _term(model) -> Term:
    return Term(model.days, model.weeks, model.months, model.working_days, model.parameter, model.unit)


def _target(model) -> Target | None:
    if model is None:
        return None
    return Target(model.provision, model.level, tuple(model.levels) if model.levels is not None else None)


def _conclusion(model) -> Conclusion:
    deadline = None
    if model.deadline is not None:
        deadline = DeadlineRef(model.deadline.id, _term(model.deadline.term) if model.deadline.term else None)
    return Conclusion(model.finding, _target(model.suffices), _target(model.excludes), model.floor, model.signal,
                      model.check, deadline, model.denies)


def _requires(model) -> Requires:
    return Requires(model.domein, tuple(model.onderwerp) if model.onderwerp else None, model.eigen_bijdrage)


def _labels(models: dict) -> dict[str, Label]:
    return {name: Label(m.title, m.legal_basis, m.description) for name, m in models.items()}


def _base_key(key: str) -> str:
    for alias in ("aanvrager.", "partner."):
        if key.startswith(alias):
            return "persoon." + key[len(alias):]
    return key


def _number_fits(value: Decimal, type_: str) -> bool:
    if type_ == GEHEEL:
        return value == value.to_integral_value()
    if type_ == GELD:
        return value == value.quantize(Decimal("0.01"))
    return True


def _literal_fits(value: Any, type_: str, values) -> bool:
    if type_ == BOOL:
        return isinstance(value, bool)
    if type_ == GEHEEL:
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == TEKST:
        return isinstance(value, str) and (not values or value in values)
    return False


def expression_span(document: Document, loc: tuple, text: str, offset: int) -> Span:
    """Where character `offset` of an expression stands in the file.

    A folded YAML scalar changes only white space, so the token at `offset` is
    found again in the source text by counting its earlier occurrences.
    """
    base = document.span(loc)
    rest = text[offset:].split()
    if not rest or not document.text:
        return base
    token = rest[0][:24]
    occurrence = text[:offset].count(token)
    lines = document.text.split("\n")
    start = sum(len(line) + 1 for line in lines[: base.line - 1]) + base.col - 1
    index = start - 1
    for _ in range(occurrence + 1):
        index = document.text.find(token, index + 1)
        if index < 0:
            return base
    line = document.text.count("\n", 0, index) + 1
    col = index - (document.text.rfind("\n", 0, index) + 1) + 1
    return Span(document.path, line, col)


_FRAMEWORK_CACHE: dict[tuple[str, str], Framework] = {}


def check_rules(root: Path | str | None = None) -> tuple[Framework | None, list[Diagnostic]]:
    """Load and validate; return the framework (if clean) and every diagnostic, sorted."""
    loader = Loader(Path(root) if root is not None else default_rules_dir())
    framework = loader.load()
    return framework, sorted_diagnostics(loader.sink.items)



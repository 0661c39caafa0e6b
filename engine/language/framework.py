"""The loaded, validated framework: what `load_framework` returns.

Definitions here are plain frozen data (plus the compiled closures of their
expressions); they are built by `engine.language.loader` and read by evaluation.
"""

from __future__ import annotations

import bisect
import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from engine.errors import Span

from .expr import Symbol

INTEGRAAL = "integraal"  # the group of rules across domains
CONCLUSION_KINDS = ("finding", "suffices", "excludes", "floor", "signal", "check", "deadline", "denies")


@dataclass(frozen=True)
class Override:
    """What a municipality may set for a parameter (its verordening's room): whether, and within which bounds."""

    allowed: bool
    min: Decimal | None
    max: Decimal | None
    legal_basis: str | None = None
    min_kaderwaarde: bool = False  # not below the framework's value of the same period


@dataclass(frozen=True)
class Target:
    """What `suffices` or `excludes` speaks about: a provision, or one or more rungs."""

    provision: str | None = None
    level: int | None = None
    levels: tuple[int, ...] | None = None

    def levels_set(self) -> tuple[int, ...]:
        if self.level is not None:
            return (self.level,)
        return self.levels or ()


@dataclass(frozen=True)
class Term:
    """A legal term (termijn): days, weeks, months or working days, or a parameter set by verordening."""

    days: int | None = None
    weeks: int | None = None
    months: int | None = None
    working_days: int | None = None
    parameter: str | None = None  # a term set by verordening within a statutory maximum (an override point)
    unit: str | None = None

    def kwargs(self, env: dict | None = None) -> dict[str, int] | None:
        """The term as keyword arguments of engine.language.termijnen.deadline; for a parameter term its value in `env`
        (the facts), None when it has none."""
        if self.parameter is not None:
            value = (env or {}).get(self.parameter)
            return None if value is None else {self.unit: int(value)}
        return {k: v for k, v in (("days", self.days), ("weeks", self.weeks), ("months", self.months),
                                   ("working_days", self.working_days)) if v is not None}


@dataclass(frozen=True)
class DeadlineRef:
    """A rule's `deadline` conclusion: the deadline it starts, with its own term when it gives one."""

    id: str
    term: Term | None = None


@dataclass(frozen=True)
class Conclusion:
    """One conclusion of a rule; exactly one field is set, `kind` names it."""

    finding: str | None = None
    suffices: Target | None = None
    excludes: Target | None = None
    floor: int | None = None
    signal: str | None = None
    check: str | None = None
    deadline: DeadlineRef | None = None
    denies: str | None = None
    kind: str = ""  # set from the one field that is given

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", next(k for k in CONCLUSION_KINDS if getattr(self, k) is not None))

    @property
    def value(self) -> Any:
        return getattr(self, self.kind)


@dataclass(frozen=True)
class Requires:
    """What an entitlement requires of a hulpvraag: its domain, onderwerpen and eigen bijdrage."""

    domein: str
    onderwerp: tuple[str, ...] | None = None
    eigen_bijdrage: str | None = None


@dataclass(frozen=True)
class Domain:
    """A domain of the framework (Wmo, Jeugd, Werk & Inkomen) with its legal basis and onderwerpen."""

    name: str
    legal_basis: str
    onderwerpen: tuple[str, ...]


@dataclass(frozen=True)
class Label:
    """A title, legal basis and description, as the framework's vocabulary gives them."""

    title: str
    legal_basis: str
    description: str | None = None


@dataclass(frozen=True)
class ParameterDef:
    """A parameter (an amount, percentage or number of the law or a verordening) with its periods."""

    name: str
    type: str
    unit: str
    legal_basis: str
    starts: tuple[_dt.date, ...]
    ends: tuple[_dt.date | None, ...]  # inclusive last day, None = open
    values: tuple[Decimal, ...]
    sources: tuple[str | None, ...]
    override: Override | None
    verify: str | None
    span: Span
    decision: str | None = None  # set on a municipal override
    key: str = "peildatum"  # the date the periods are read at (engine.language.models.PARAMETER_KEYS)
    pending: tuple[str | None, ...] = ()  # per period: why its value is `te verifiëren` (the value is then None)

    @property
    def fact_key(self) -> str | None:
        """How a keyed parameter is read in expressions (`persoon.<naam>`), None for one read at the peildatum."""
        if self.key == "peildatum":
            return None
        return self.key.split(".", 1)[0] + "." + self.name

    def at(self, day: _dt.date) -> tuple[Decimal, _dt.date] | None:
        """The value in force on `day` and the date it took effect, or None."""
        index = bisect.bisect_right(self.starts, day) - 1
        if index < 0:
            return None
        end = self.ends[index]
        if end is not None and day > end:
            return None
        if self.values[index] is None:
            return None  # te verifiëren: see `pending_on`
        return self.values[index], self.starts[index]

    def pending_on(self, day: _dt.date) -> str | None:
        """Why the value in force on `day` is `te verifiëren`, or None (a value, or no period at all)."""
        index = bisect.bisect_right(self.starts, day) - 1
        if index < 0 or not self.pending or (self.ends[index] is not None and day > self.ends[index]):
            return None
        return self.pending[index]

    def covers(self) -> tuple[_dt.date, _dt.date | None]:
        """The first and last day (None: open) for which the table has a period (a value or `te verifiëren`)."""
        return self.starts[0], self.ends[-1]


@dataclass(frozen=True)
class ProvisionDef:
    """A provision (voorziening) on a rung of the ladder, in a domain, with its legal basis."""

    id: str
    name: str
    domain: str
    level: int
    onderwerpen: tuple[str, ...]
    legal_basis: str
    eigen_bijdrage: str | None
    span: Span
    gemeente: str | None = None  # set for a local (voorveld) provision
    decision: str | None = None
    order: int = 0
    eigen_bijdrage_parameter: str | None = None  # carries its eigen_bijdrage only where this 0/1 parameter is 1

    def carries(self, regime: str, values: dict | None) -> bool:
        """Whether the provision carries eigen bijdrage `regime` with the parameter values in force (`values`:
        name -> value on the peildatum for the municipality; None: as declared, without the parameter)."""
        if self.eigen_bijdrage != regime:
            return False
        if self.eigen_bijdrage_parameter is None or values is None:
            return True
        return values.get(self.eigen_bijdrage_parameter) == 1


@dataclass(frozen=True)
class RuleDef:
    """A rule: its condition (IR and evaluator), its conclusions, its validity and legal basis."""

    id: str
    title: str
    legal_basis: str
    reason: str
    scope: str  # "hulpvraag" | "casus"
    group: str  # domain name or "integraal"
    when: Any  # IR
    when_text: str
    evaluate: Callable[[dict], Any]  # an engine.language.calc.Evaluator (picklable)
    then: tuple[Conclusion, ...]
    valid_from: _dt.date | None
    valid_until: _dt.date | None
    span: Span
    order: int
    references: frozenset[str] = frozenset()  # every fact, derived fact and parameter the condition reads
    finding_refs: tuple[Any, ...] = ()  # the finding("...") references of the condition

    def valid_on(self, day: _dt.date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class DerivedDef:
    """A derived fact: its value per case of conditions, rounding and legal basis."""

    key: str
    type: str
    legal_basis: str
    rounding: str | None
    text: str
    parts: tuple[tuple[Any, Any], ...]  # (condition IR or None, value IR)
    evaluate: Callable[[dict], Any]
    depends: frozenset[str]
    span: Span
    scope: str = ""  # persoon | huishouden | casus, from the key

    def __post_init__(self) -> None:
        object.__setattr__(self, "scope", self.key.split(".", 1)[0])


@dataclass(frozen=True)
class CriterionDef:
    """One criterion of an entitlement: a condition with its text and legal basis."""

    id: str
    when: Any
    text: str
    evaluate: Callable[[dict], Any]
    legal_basis: str
    reason: str


@dataclass(frozen=True)
class EntitlementDef:
    """An entitlement (aanspraak): its criteria, amounts, rounding, period and legal basis."""

    id: str
    title: str
    legal_basis: str
    periode: str
    requires: Requires
    criteria: tuple[CriterionDef, ...]
    amounts: tuple[tuple[str, Any, Callable[[dict], Any]], ...]  # (name, IR, evaluator)
    rounding: str
    span: Span
    gemeente: str | None = None
    decision: str | None = None
    per: str = "huishouden"
    in_kind: bool = False
    settings: tuple[tuple[str, str], ...] = ()  # a minima scheme's own settings (percentage, bedrag, ...), as text


@dataclass(frozen=True)
class DeadlineDef:
    """A deadline (termijn) of the procedure: from which date, its term and legal basis."""

    id: str
    title: str
    legal_basis: str
    from_: str
    term: Term
    algemene_termijnenwet: bool
    span: Span


@dataclass(frozen=True)
class LadderIndex:
    """The `suffices`, `excludes` and `floor` conclusions of the rules, by provision and by rung."""

    by_provision: dict[str, tuple[tuple[RuleDef, Conclusion], ...]]
    by_level: dict[int, tuple[tuple[RuleDef, Conclusion], ...]]
    floors: tuple[tuple[RuleDef, Conclusion], ...]

    @staticmethod
    def build(pairs) -> "LadderIndex":
        by_provision: dict[str, list] = {}
        by_level: dict[int, list] = {}
        floors = []
        for rule, conclusion in pairs:
            if conclusion.kind == "floor":
                floors.append((rule, conclusion))
                continue
            target = conclusion.value
            if target.provision is not None:
                by_provision.setdefault(target.provision, []).append((rule, conclusion))
            for level in target.levels_set():
                by_level.setdefault(level, []).append((rule, conclusion))
        return LadderIndex({k: tuple(v) for k, v in by_provision.items()}, {k: tuple(v) for k, v in by_level.items()},
                           tuple(floors))


@dataclass(frozen=True)
class FactInfo:
    """A fact as a case gives it: built-in or declared by the framework."""

    key: str
    type: str
    label: str
    legal_basis: str
    values: tuple[str, ...] | None
    default: Any
    declared_in: str | None  # domain name, "kader", or None for built-ins
    onderwerpen: tuple[str, ...] | None
    span: Span | None


@dataclass(frozen=True)
class Profile:
    """A municipality's profile: its name and its parameter overrides."""

    gemeente: str
    name: str
    overrides: dict[str, ParameterDef]
    provisions: dict[str, ProvisionDef]
    entitlements: dict[str, EntitlementDef]
    span: Span


@dataclass(frozen=True)
class Rung:
    """A rung of the ladder of provisions (0 lightest), with its name."""

    level: int
    name: str
    description: str | None


@dataclass
class Framework:
    """The compiled framework: rules, facts, parameters, provisions, entitlements and deadlines."""

    name: str
    version: str
    hash: str
    root: str
    valid_from: _dt.date
    legal_basis: str
    ladder: tuple[Rung, ...]
    domains: dict[str, Any]
    case_signals: dict[str, Any]
    signals: dict[str, Any]
    checks: dict[str, Any]
    facts: dict[str, FactInfo]
    symbols: dict[str, Symbol]
    parameters: dict[str, ParameterDef]
    derived: tuple[DerivedDef, ...]
    provisions: dict[str, ProvisionDef]
    rules: dict[str, RuleDef]
    entitlements: dict[str, EntitlementDef]
    deadlines: dict[str, DeadlineDef]
    profiles: dict[str, Profile]
    finding_scopes: dict[str, str]
    hulpvraag_facts: dict[str, dict[str, FactInfo]] = field(default_factory=dict)  # domain -> key -> fact
    # per group, for the missing-facts analysis: the suffices/excludes rules by the provision and by the level
    # they target, and the floor rules
    ladder_index: dict[str, "LadderIndex"] = field(default_factory=dict)
    producers: dict[str, tuple[RuleDef, ...]] = field(default_factory=dict)  # finding -> the rules that assert it
    groups: dict[str, Any] = field(default_factory=dict)  # group name -> compile.CompiledGroup
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    days_off: dict[int, frozenset] = field(default_factory=dict)  # Atw holidays per year (engine.language.termijnen)
    # days made equal to a holiday by royal decree (Atw art. 3 lid 3): (day, decree title), from the rules folder
    gelijkgestelde_dagen: tuple[tuple[_dt.date, str], ...] = ()
    # income kind -> purpose (bijstand, bijzondere_bijstand, minima, wmo_bijdrage) -> counted (kader.yaml)
    inkomenssoorten: dict[str, dict[str, bool]] = field(default_factory=dict)
    keyed: dict[str, str] = field(default_factory=dict)
    wetten: Any = None  # engine.language.wetten.Wetten: the laws a legal basis resolves to (rules/wetten.yaml)  # `persoon.<naam>` -> the parameter keyed by another date
    # values engine.evaluation.facts computes once per framework object (not per hash: the audit swaps profiles with
    # dataclasses.replace, which gives a fresh memo because the field is not an __init__ argument)
    memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def fact(self, key: str, domain: str | None = None) -> FactInfo | None:
        """A declared fact; hulpvraag facts belong to a domain (or to kader.yaml, shared by all)."""
        if key.startswith("hulpvraag."):
            if domain is None:
                return None
            return self.hulpvraag_facts.get(domain, {}).get(key)
        return self.facts.get(key)

    def hulpvraag_domains(self, key: str) -> list[str]:
        """The domains that declare hulpvraag fact `key` (for 'this fact belongs to another domain')."""
        return sorted(d for d, facts in self.hulpvraag_facts.items() if key in facts)

    def holidays(self, year: int) -> frozenset:
        """The Atw days off of `year`: computed when the framework was loaded, else now."""
        found = self.days_off.get(year)
        if found is None:
            from .termijnen import atw_days_off
            found = atw_days_off(year) | {day for day, _ in self.gelijkgestelde_dagen if day.year == year}
        return found

    def gelijkgesteld(self, day: _dt.date) -> str | None:
        """The decree that made `day` equal to a holiday (Atw art. 3 lid 3), or None."""
        return next((title for found, title in self.gelijkgestelde_dagen if found == day), None)

    @property
    def short_hash(self) -> str:
        return self.hash.split(":", 1)[1][:12]

    def rung(self, level: int) -> Rung | None:
        for rung in self.ladder:
            if rung.level == level:
                return rung
        return None

    def parameter(self, name: str, gemeente: str) -> ParameterDef:
        profile = self.profiles.get(gemeente)
        if profile is not None and name in profile.overrides:
            return profile.overrides[name]
        return self.parameters[name]

    def provisions_for(self, domain: str, onderwerp: str, gemeente: str) -> list[ProvisionDef]:
        """Candidate provisions for a hulpvraag, lightest first, in declaration order within a level."""
        key = ("provisions_for", domain, onderwerp, gemeente)
        cached = self.memo.get(key)
        if cached is None:
            found = [p for p in self.provisions.values() if p.domain == domain and onderwerp in p.onderwerpen]
            profile = self.profiles.get(gemeente)
            if profile is not None:
                found += [p for p in profile.provisions.values() if p.domain == domain and onderwerp in p.onderwerpen]
            cached = self.memo[key] = tuple(sorted(found, key=lambda p: (p.level, p.order)))
        return list(cached)

    def provision(self, provision_id: str, gemeente: str | None = None) -> ProvisionDef | None:
        if provision_id in self.provisions:
            return self.provisions[provision_id]
        for profile in self.profiles.values():
            if provision_id in profile.provisions:
                return profile.provisions[provision_id]
        return None

    def entitlements_for(self, gemeente: str) -> list[EntitlementDef]:
        result = list(self.entitlements.values())
        profile = self.profiles.get(gemeente)
        if profile is not None:
            result += list(profile.entitlements.values())
        return result

"""Case + framework at the peildatum -> the facts rules and formulas read.

The result is a set of plain dicts keyed by fact name (`casus.inkomen`,
`persoon.leeftijd`, `hulpvraag.onderwerp`, a parameter name). A fact the case
does not give is simply absent (UNKNOWN to the evaluator), unless the contract
or the framework states a default. Parameter values are those in force on the
peildatum, with the municipality's override where it has one. Derived facts are
evaluated in dependency order.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.errors import Diagnostic, EvaluationError
from engine.language.calc import UNKNOWN, WARM_UP, DerivedEvaluator, FormulaError, compile_closure
from engine.language.framework import Framework
from engine.language.ir import FindingRef, Ref, walk
from engine.language.registry import BUILTINS, PERSON_ALIASES
from engine.language.termijnen import age

from .case import Case, Hulpvraag


@dataclass
class Facts:
    base: dict[str, Any]  # casus, huishouden, aanvrager, partner, parameters, derived (non-person)
    persons: dict[str, dict[str, Any]]  # person id -> persoon.* facts
    parameters_used: dict[str, tuple[Decimal, _dt.date, str | None]] = field(default_factory=dict)
    parameters_pending: dict[str, str] = field(default_factory=dict)  # name -> why its value is te verifiëren
    _hulpvraag_env: dict[str, dict] = field(default_factory=dict)
    skipped: tuple = ()  # (derived facts not computed yet, person aliases): see build_facts(only=...), complete

    def hulpvraag(self, hv: Hulpvraag, framework: Framework) -> dict[str, Any]:
        env = self._hulpvraag_env.get(hv.id)
        if env is None:
            env = dict(self.base)
            env.update(self.persons.get(hv.persoon, {}))
            env["hulpvraag.domein"] = hv.domein
            env["hulpvraag.onderwerp"] = hv.onderwerp
            env["hulpvraag.verwijzer"] = hv.verwijzer or BUILTINS["hulpvraag.verwijzer"].default
            env.update(_defaults(framework)[2].get(hv.domein, {}))
            env.update(hv.facts)
            self._hulpvraag_env[hv.id] = env
        return env


def _defaults(framework: Framework) -> tuple[dict, dict, dict]:
    """The framework's declared defaults for person, casus and (per domain) hulpvraag facts, once per rule set."""
    found = framework.memo.get("defaults")
    if found is None:
        declared = [i for i in framework.facts.values() if i.declared_in is not None and i.default is not None]
        found = ({i.key: i.default for i in declared if i.key.startswith("persoon.")},
                 {i.key: i.default for i in declared if i.key.startswith("casus.")},
                 {d: {k: i.default for k, i in facts.items() if i.default is not None}
                  for d, facts in framework.hulpvraag_facts.items()})
        framework.memo["defaults"] = found
    return found


def _parameters(framework: Framework, gemeente: str, peildatum: _dt.date) -> tuple[dict, dict, dict]:
    """The parameter values in force (with the municipality's overrides), once per framework, municipality and date."""
    memo = framework.memo.setdefault("parameters", {})
    key = (gemeente, peildatum)
    found = memo.get(key)
    if found is None:
        values: dict[str, Any] = {}
        used: dict[str, tuple[Decimal, _dt.date, str | None]] = {}
        pending: dict[str, str] = {}
        for name in framework.parameters:
            parameter = framework.parameter(name, gemeente)
            if parameter.key != "peildatum":
                continue  # read at a person's or the case's own date (see _keyed)
            entry = parameter.at(peildatum)
            if entry is not None:
                values[name] = entry[0] if parameter.type != "geheel" else int(entry[0])
                used[name] = (entry[0], entry[1], parameter.decision)
            elif parameter.pending:
                reason = parameter.pending_on(peildatum)
                if reason is not None:
                    pending[name] = reason
        if len(memo) > 512:  # a run over many peildata: keep the memo small
            memo.clear()
        found = memo[key] = (values, used, pending)
    return found


def _keyed(framework: Framework, prefix: str, dates: dict[str, _dt.date | None]) -> dict[str, Any]:
    """The parameters keyed by a date of the case (not the peildatum), read at that date: `persoon.<naam>` for a
    person's birth date, `casus.<naam>` for the melddatum or aanvraagdatum. No value for that date: absent (unknown)."""
    found: dict[str, Any] = {}
    for fact_key, parameter in _keyed_by_prefix(framework, prefix):
        day = dates.get(parameter.key)
        entry = parameter.at(day) if day is not None else None
        if entry is not None:
            found[fact_key] = entry[0] if parameter.type != "geheel" else int(entry[0])
    return found


def _keyed_by_prefix(framework: Framework, prefix: str) -> tuple:
    """(fact key, parameter) of the parameters keyed by a date of the case whose fact starts with `prefix`, in
    the framework's order, once per framework object."""
    key = ("keyed_by_prefix", prefix)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = tuple((fact_key, framework.parameters[name])
                                            for fact_key, name in framework.keyed.items()
                                            if fact_key.startswith(prefix))
    return found


def _person_facts(framework: Framework, case: Case, peildatum: _dt.date) -> dict[str, dict[str, Any]]:
    persons = {}
    declared_defaults = _defaults(framework)[0]
    own: dict[str, Decimal] | None = None  # persoon.inkomen: what counts as middelen for bijstand, per person
    if case.inkomen is not None:
        counts = _income_counts(framework)
        own = {}
        for who, soort, amount in case.inkomen:
            if counts(soort)[0]:
                own[who] = own.get(who, _ZERO) + amount
    keyed = _keyed_by_prefix(framework, "persoon.") if framework.keyed else ()
    for person in case.personen:
        years, months = age(person.geboortedatum, peildatum)
        facts: dict[str, Any] = dict(declared_defaults)
        facts.update(person.facts)
        facts["persoon.rol"] = person.rol
        facts["persoon.leeftijd"] = years
        facts["persoon.leeftijd_maanden"] = months
        if own is not None:
            facts["persoon.inkomen"] = own.get(person.id, _ZERO)
        if keyed:
            # _keyed(framework, "persoon.", {"persoon.geboortedatum": ...}) without its dicts: only the birth date
            born = person.geboortedatum
            for fact_key, parameter in keyed:
                entry = parameter.at(born) if parameter.key == "persoon.geboortedatum" and born is not None else None
                if entry is not None:
                    facts[fact_key] = entry[0] if parameter.type != "geheel" else int(entry[0])
        persons[person.id] = facts
    return persons


_ZERO = Decimal("0.00")  # immutable: the same value as a new Decimal("0.00") each time
_PURPOSES = ("bijstand", "bijzondere_bijstand", "minima", "wmo_bijdrage")  # the order of _casus's sums


def _income_counts(framework: Framework):
    """`soort -> (counted for bijstand, bijzondere_bijstand, minima, wmo_bijdrage)` as kader.yaml's
    inkomenssoorten say (a kind or purpose not declared counts), once per framework object and kind."""
    found = framework.memo.get("income_counts")
    if found is None:
        kinds = framework.inkomenssoorten
        table: dict[str, tuple[bool, ...]] = {}

        def lookup(soort: str) -> tuple[bool, ...]:
            counts = table.get(soort)
            if counts is None:
                declared = kinds.get(soort, {})
                counts = table[soort] = tuple(declared.get(doel, True) for doel in _PURPOSES)
            return counts
        found = framework.memo["income_counts"] = lookup
    return found


def _household(case: Case, persons: dict[str, dict]) -> dict[str, Any]:
    children = [p for p in case.personen if p.rol == "kind"]
    facts: dict[str, Any] = {
        "huishouden.aantal_personen": len(case.personen),
        "huishouden.aantal_volwassenen": sum(1 for p in case.personen if persons[p.id]["persoon.leeftijd"] >= 18),
        "huishouden.aantal_kinderen": len(children),
        "huishouden.aantal_minderjarige_kinderen": sum(1 for p in children if persons[p.id]["persoon.leeftijd"] < 18),
        "huishouden.heeft_partner": any(p.rol == "partner" for p in case.personen),
    }
    if children:
        facts["huishouden.jongste_kind_leeftijd"] = min(persons[p.id]["persoon.leeftijd"] for p in children)
    if case.woonsituatie is not None:
        facts["huishouden.woonsituatie"] = case.woonsituatie
    return facts


def _casus(framework: Framework, case: Case, gemeente: str, peildatum: _dt.date) -> dict[str, Any]:
    domains = frozenset([hv.domein for hv in case.hulpvragen])
    facts: dict[str, Any] = {
        "casus.gemeente": gemeente,
        "casus.signalen": frozenset(case.signalen),
        "casus.domeinen": domains,
        "casus.aantal_domeinen": len(domains),
        "casus.melding_ontvangen": case.melddatum is not None,
        "casus.aanvraag_ontvangen": case.aanvraagdatum is not None,
    }
    if case.melddatum is not None:
        facts["casus.dagen_sinds_melding"] = (peildatum - case.melddatum).days
        if case.aanvraagdatum is not None:
            facts["casus.dagen_melding_tot_aanvraag"] = (case.aanvraagdatum - case.melddatum).days
    if case.inkomen is not None:
        # the bijstand unit: aanvrager and partner (a lodger's or a child's earnings are not theirs)
        gezin = {p.id for p in case.personen if p.rol in ("aanvrager", "partner")}
        counts = _income_counts(framework)  # kind -> counted per purpose (kader.yaml); none declared: all count
        # the four sums of what counts per purpose, each added in the case's order as sum() would
        bijstand = bijzondere = minima = wmo = huishouden = _ZERO
        for who, soort, amount in case.inkomen:
            huishouden = huishouden + amount
            if who in gezin:
                for_bijstand, for_bijzondere, for_minima, for_wmo = counts(soort)
                if for_bijstand:
                    bijstand = bijstand + amount
                if for_bijzondere:
                    bijzondere = bijzondere + amount
                if for_minima:
                    minima = minima + amount
                if for_wmo:
                    wmo = wmo + amount
        facts["casus.inkomen"] = bijstand  # PW art. 31-33: not the kinds of art. 31 lid 2
        facts["casus.inkomen_bijzondere_bijstand"] = bijzondere
        facts["casus.inkomen_minima"] = minima
        facts["casus.inkomen_wmo_bijdrage"] = wmo
        facts["huishouden.inkomen"] = huishouden
    if case.vermogen is not None:
        facts["casus.vermogen"] = case.vermogen
    if framework.keyed:
        facts.update(_keyed(framework, "casus.", {"casus.melddatum": case.melddatum,
                                                  "casus.aanvraagdatum": case.aanvraagdatum}))
    facts.update(_defaults(framework)[1])
    facts.update(case.facts)
    return facts


def _aliases(case: Case) -> list[tuple[str, str]]:
    """(alias prefix, person id) for the fixed roles present: aanvrager, and partner if there is one."""
    found = []
    for alias in PERSON_ALIASES:
        person = next((p for p in case.personen if p.rol == alias), None)
        if person is not None:
            found.append((alias, person.id))
    return found


class _AliasNames(dict):
    """persoon key -> its name under one alias ("persoon.x" -> "aanvrager.x"), made on first use."""

    __slots__ = ("alias",)

    def __init__(self, alias: str) -> None:
        super().__init__()
        self.alias = alias

    def __missing__(self, key: str) -> str:
        name = self[key] = self.alias + key[7:]
        return name


_ALIAS_KEYS: dict[str, _AliasNames] = {alias: _AliasNames(alias) for alias in PERSON_ALIASES}


def build_facts(framework: Framework, case: Case, gemeente: str, peildatum: _dt.date,
                only: frozenset[str] | None = None) -> Facts:
    """The facts of `case`. `only`: the keys of the derived facts to compute (the others wait in
    `Facts.skipped` until `complete` computes them); None: every derived fact."""
    persons = _person_facts(framework, case, peildatum)
    values, used, pending = _parameters(framework, gemeente, peildatum)
    base: dict[str, Any] = dict(values)
    base.update(_casus(framework, case, gemeente, peildatum))
    base.update(_household(case, persons))
    aliases = _aliases(case)
    for alias, person_id in aliases:
        facts = persons[person_id]  # "persoon.x" -> "aanvrager.x", in the person's order
        base.update(zip(map(_ALIAS_KEYS[alias].__getitem__, facts), facts.values(), strict=True))
    base["__personen__"] = [persons[p.id] for p in case.personen]
    derived = framework.derived
    skipped: tuple = ()
    if only is not None:
        derived, skipped = _split(framework, only)
    _derive(derived, base, persons, aliases)
    facts = Facts(base, persons, used, pending)
    if skipped:
        facts.skipped = (skipped, aliases)
    return facts


def _split(framework: Framework, only: frozenset[str]) -> tuple[tuple, tuple]:
    """(the derived facts in `only`, the others), each in the framework's order, once per framework and set."""
    key = ("derived_split", only)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = (tuple(d for d in framework.derived if d.key in only),
                                       tuple(d for d in framework.derived if d.key not in only))
    return found


def complete(facts: Facts) -> Facts:
    """Compute the derived facts that `build_facts(..., only=...)` left out (for the trace); the others stay as
    they are (a derived fact reads only facts computed before it, in the framework's order)."""
    if facts.skipped:
        skipped, aliases = facts.skipped
        facts.skipped = ()
        _derive(skipped, facts.base, facts.persons, aliases)
        facts._hulpvraag_env.clear()  # copies of the base made before: made again with every derived fact
    return facts


def _derive(derived_facts, base: dict, persons: dict[str, dict], aliases: list[tuple[str, str]]) -> None:
    """Compute `derived_facts` in order into `base` (and each person's facts), as the framework defines them.

    A person-scoped derived fact is evaluated per person on that person's environment: the person's facts and,
    of the rest, only the keys the person-scoped formulas of `derived_facts` read (_Plan), kept up to date as
    household facts and aliases are derived; a formula reads nothing else, so the values are those of an
    environment holding all of `base`. The first WARM_UP times for a tuple of derived facts this loop computes
    them, one call per fact; after that one straight-line function does the same in one body
    (engine.language.pycode.derivation_function), so that a one-off `kader assess` compiles none."""
    plan = _plan(derived_facts)
    if plan.function is not None:
        plan.function(base, persons, aliases)
        return
    plan.remaining -= 1
    if plan.remaining <= 0:
        plan.compile()
    reads = plan.reads
    person_envs: list[tuple[dict, dict]] | None = None  # (person's facts, its environment)
    for derived, key, evaluate, person, read, alias_keys in plan.steps:
        try:
            if person:
                if person_envs is None:
                    person_envs = _person_envs(reads, base, persons)
                for facts, env in person_envs:
                    value = evaluate._call(env)
                    if value is not UNKNOWN:
                        facts[key] = value
                        env[key] = value
                for alias, person_id in aliases:
                    facts = persons[person_id]
                    if key in facts:
                        alias_key, alias_read = alias_keys[alias]
                        value = base[alias_key] = facts[key]
                        if alias_read:
                            for _, env in person_envs:
                                env[alias_key] = value
            else:
                value = evaluate._call(base)
                if value is not UNKNOWN:
                    base[key] = value
                    if read and person_envs is not None:
                        for _, env in person_envs:
                            env[key] = value
        except FormulaError as exc:
            _failed(derived, exc)


def _person_envs(reads: frozenset[str], base: dict, persons: dict[str, dict]) -> list[tuple[dict, dict]]:
    """(person's facts, its environment: the keys of `base` in `reads`, then the person's facts) per person."""
    found = []
    present = base.keys() & reads  # one intersection (in C) for every person; a key's order does not matter here
    for facts in persons.values():
        env = {k: base[k] for k in present}
        env.update(facts)
        found.append((facts, env))
    return found


def _failed(derived, exc: FormulaError):
    raise EvaluationError(Diagnostic("E910", f"afgeleid feit {derived.key}: {exc}", derived.span)) from None


class _Plain:
    """A derived fact's function that is not a DerivedEvaluator, behind the same `_call` attribute."""

    __slots__ = ("_call",)

    def __init__(self, function: Any) -> None:
        self._call = function


class _Plan:
    """How `_derive` computes one tuple of derived facts, made once per tuple (a framework's, or one of its
    splits, which live as long as the framework): per derived fact (it, its key, its function, person-scoped?,
    read by a person-scoped one?, alias -> (alias key, read by a person-scoped one?)); every key the
    person-scoped ones read (fact keys, findings, the person list their counts walk); and, once warm, the one
    function that computes them all."""

    __slots__ = ("derived_facts", "steps", "reads", "remaining", "function")

    def __init__(self, derived_facts) -> None:
        self.derived_facts = derived_facts
        reads: set[str] = {"__personen__"}
        for derived in derived_facts:
            if derived.scope == "persoon":
                for part in derived.parts:
                    for node in part:
                        for inner in walk(node) if node is not None else ():
                            if isinstance(inner, Ref):
                                reads.add(inner.key)
                            elif isinstance(inner, FindingRef):
                                reads.add("finding:" + inner.name)
        steps = []
        for derived in derived_facts:
            key = derived.key
            evaluate = derived.evaluate
            if type(evaluate) is not DerivedEvaluator:  # its `_call` is read per evaluation: it changes after warm-up
                evaluate = _Plain(evaluate)
            alias_keys = {alias: (alias + key[7:], alias + key[7:] in reads) for alias in PERSON_ALIASES}
            steps.append((derived, key, evaluate, derived.scope == "persoon", key in reads, alias_keys))
        self.steps = tuple(steps)
        self.reads = frozenset(reads)
        self.remaining = WARM_UP
        self.function = None

    def compile(self) -> None:
        """The straight-line function of every step (none when a derived fact is not a DerivedEvaluator or a
        formula is too deep: the loop goes on)."""
        self.remaining = 1 << 62  # tried once
        if any(type(step[2]) is not DerivedEvaluator for step in self.steps):
            return
        from engine.language.pycode import derivation_function  # not at import: a cold start compiles none
        reads, derived_facts = self.reads, self.derived_facts
        self.function = derivation_function(
            tuple((key, evaluate.parts, evaluate._finish, evaluate.rounding, evaluate.type == "geld", person, read,
                   alias_keys) for _, key, evaluate, person, read, alias_keys in self.steps),
            compile_closure,
            lambda base, persons: _person_envs(reads, base, persons),
            lambda index, exc: _failed(derived_facts[index], exc))


_PLANS: dict[int, tuple] = {}


def _plan(derived_facts) -> _Plan:
    """The _Plan of a tuple of derived facts, once per tuple."""
    found = _PLANS.get(id(derived_facts))
    if found is not None and found[0] is derived_facts:
        return found[1]
    if len(_PLANS) > 256:  # frameworks loaded and dropped (tests, impact runs): keep the cache small
        _PLANS.clear()
    plan = _Plan(derived_facts)
    _PLANS[id(derived_facts)] = (derived_facts, plan)
    return plan

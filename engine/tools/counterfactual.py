"""Counterfactuals: the smallest change of one numeric fact that would flip an outcome.

For every comparison in a rule condition or an entitlement criterion that sets
a number the case gives (income, vermogen, an age, a declared amount) against a
threshold (a norm, a limit, a percentage of a norm, an age), the threshold is
computed with the engine's own exact evaluation for this case, and from it the
value of the fact at which the comparison flips: to the cent for money; for an
age (in years or months, which only go up) the birthday on which it flips. The case is then
assessed again with only that fact changed; a counterfactual is kept only when
the rule or criterion really flips and the assessment really changes. So
"inkomen ligt € 23,40 boven de grens van 120% van minimanorm (Soest)" is a
checked statement, with what would change listed next to it.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from engine.evaluation.case import Case
from engine.evaluation.evaluate import assess
from engine.evaluation.facts import build_facts
from engine.language.calc import UNKNOWN, FormulaError, compile_closure
from engine.language.framework import INTEGRAAL, Framework
from engine.language.ir import GEHEEL, GELD, NUMERIC, And, Arith, Cmp, Lit, Not, Or, Ref, render, walk
from engine.language.reach import Reach, base_key, fact_info
from engine.language.termijnen import age

from .changes import Change, Differ

MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
COMPARE = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
           "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
# The income as each purpose counts it (engine.evaluation.facts: bijstand, bijzondere bijstand, minima, Wmo bijdrage) comes from
# the case's one list of incomes: a counterfactual on any of them moves that list.
INCOMES = ("casus.inkomen", "casus.inkomen_bijzondere_bijstand", "casus.inkomen_minima", "casus.inkomen_wmo_bijdrage")
LABELS = {**{key: "inkomen" for key in INCOMES}, "casus.vermogen": "vermogen"}
AGES = {"persoon.leeftijd": "jaar", "persoon.leeftijd_maanden": "maanden"}


@dataclass
class Outcome:
    kind: str  # "rule" | "criterion"
    id: str  # rule id, or "<entitlement>.<criterion>"
    hulpvraag: str | None
    before: bool
    after: bool | None = None

    def to_json(self) -> dict:
        return {"kind": self.kind, "id": self.id, "hulpvraag": self.hulpvraag, "before": self.before, "after": self.after}


@dataclass
class Counterfactual:
    fact: str  # as the condition reads it: casus.inkomen, aanvrager.leeftijd, persoon.leeftijd, ...
    person: str | None  # the person whose fact changes (ages, person facts)
    hulpvraag: str | None  # the hulpvraag whose fact changes (hulpvraag facts)
    current: Any
    threshold: Any
    threshold_text: str
    target: Any  # the value of the fact at which the outcome flips
    change: Any  # target - current
    gemeente: str | None  # set when the threshold is the municipality's own
    unit: str = ""  # "EUR" for money, "jaar" for ages, else ""
    outcomes: list[Outcome] = field(default_factory=list)
    effects: list[Change] = field(default_factory=list)
    summary: str = ""  # where the fact stands against the threshold
    consequences: list[str] = field(default_factory=list)  # what changes in the assessment, one line each
    text: str = ""  # summary and consequences in one sentence
    days: int | None = None  # ages: how many days earlier the birth date would have to be
    date: _dt.date | None = None  # ages: the birthday on which the outcome flips

    def to_json(self) -> dict:
        data = {"fact": self.fact, "person": self.person, "hulpvraag": self.hulpvraag, "current": _plain(self.current),
                "threshold": _plain(self.threshold), "threshold_text": self.threshold_text, "target": _plain(self.target),
                "change": _plain(self.change), "unit": self.unit, "gemeente": self.gemeente, "text": self.text,
                "summary": self.summary, "consequences": self.consequences,
                "outcomes": [o.to_json() for o in self.outcomes], "effects": [e.to_json() for e in self.effects]}
        if self.days is not None:
            data["days"] = self.days
            data["date"] = self.date.isoformat()
        return data


def _plain(value: Any) -> Any:
    return format(value, "f") if isinstance(value, Decimal) else value


def euro(value: Decimal) -> str:
    """Dutch money text to the cent: Decimal('-1234.5') -> '€ -1.234,50'. A limit between cents (a percentage
    of a norm) is shown rounded half up to the cent (Decimal('2402.556') -> '€ 2.402,56'); the value at which an
    outcome flips is always a whole cent, found against the exact limit."""
    value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{abs(value):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"€ {'-' if value < 0 else ''}{text}"


@dataclass(frozen=True)
class _Site:
    """One comparison of a changeable fact with a threshold, in one rule or criterion, for one hulpvraag."""

    outcome: tuple[str, str, str | None]  # (kind, id, hulpvraag)
    fact: str
    op: str  # with the fact on the left
    threshold: Any  # IR
    env_hv: str | None  # which environment the threshold is evaluated in
    person: str | None
    local: bool  # the criterion belongs to a municipal scheme


class _Finder:
    def __init__(self, framework: Framework, case: Case, gemeente: str, peildatum: _dt.date):
        self.framework, self.case, self.gemeente, self.peildatum = framework, case, gemeente, peildatum
        self.reach = Reach(framework)
        self.facts = build_facts(framework, case, gemeente, peildatum)

    def changeable(self, ref: Any, hv) -> tuple[str, str | None] | None:
        """(fact, person id) when `ref` is a number the case gives and a counterfactual can change."""
        if not isinstance(ref, Ref) or ref.kind != "fact" or ref.type not in NUMERIC:
            return None
        key = ref.key
        if key in INCOMES:
            return (key, None) if self.case.inkomen is not None else None
        if key == "casus.vermogen":
            return (key, None) if self.case.vermogen is not None else None
        base = base_key(key)
        person = None
        if key != base:  # aanvrager.x / partner.x
            role = key.split(".", 1)[0]
            person = next((p.id for p in self.case.personen if p.rol == role), None)
        elif key.startswith("persoon.") and hv is not None:
            person = hv.persoon
        if base in AGES:
            return (key, person) if person is not None else None
        info = fact_info(self.framework, base, hv.domein if hv is not None else None)
        if info is None or info.declared_in is None:
            return None
        if base.startswith("persoon.") and person is not None and base in self.case.person(person).facts:
            return key, person
        if base.startswith("hulpvraag.") and hv is not None and base in hv.facts:
            return key, None
        if base.startswith("casus.") and base in self.case.facts:
            return key, None
        return None

    def sites(self, assessment) -> list[_Site]:
        found: list[_Site] = []
        domains = {hv.domein for hv in self.case.hulpvragen} | {INTEGRAAL}
        for rule in self.framework.rules.values():
            if rule.group not in domains or not rule.valid_on(self.peildatum):
                continue
            targets = [hv for hv in self.case.hulpvragen if hv.domein == rule.group] if rule.scope == "hulpvraag" \
                else [None]
            for hv in targets:
                found += self._compare_sites(rule.when, ("rule", rule.id, hv.id if hv else None), hv, False)
        definitions = {e.id: e for e in self.framework.entitlements_for(self.gemeente)}
        for item in assessment.entitlements:
            entitlement = definitions[item["id"]]
            requires = entitlement.requires
            hv = next((h for h in self.case.hulpvragen if requires.onderwerp and h.domein == requires.domein
                       and h.onderwerp in requires.onderwerp), None)
            for criterion in entitlement.criteria:
                found += self._compare_sites(criterion.when, ("criterion", f"{entitlement.id}.{criterion.id}", None), hv,
                                             entitlement.gemeente is not None)
        return found

    def _compare_sites(self, node, outcome, hv, local: bool, depth: int = 0) -> list[_Site]:
        result = []
        for ref in walk(node):
            # a derived yes/no fact that is itself a threshold (persoon.aow_leeftijd_bereikt) counts as the threshold
            if isinstance(ref, Ref) and ref.kind == "derived" and ref.type == "bool" and depth < 3:
                definition = self.reach.derived.get(base_key(ref.key))
                if definition is not None and len(definition.parts) == 1 and definition.parts[0][0] is None:
                    alias = ref.key.split(".", 1)[0] if ref.key != base_key(ref.key) else None
                    formula = _rebase(definition.parts[0][1], alias) if alias else definition.parts[0][1]
                    result += self._compare_sites(formula, outcome, hv, local, depth + 1)
        for cmp in walk(node):
            if not isinstance(cmp, Cmp):
                continue
            for fact_side, other, op in ((cmp.left, cmp.right, cmp.op), (cmp.right, cmp.left, MIRROR[cmp.op])):
                found = self.changeable(fact_side, hv)
                if found is None:
                    continue
                fact, person = found
                if base_key(fact) in {base_key(k) for k in self.reach.keys(other)}:
                    continue  # the threshold moves with the fact itself
                result.append(_Site(outcome, fact, op, other, hv.id if hv else None, person, local))
                break
        return result

    def env(self, hv_id: str | None) -> dict:
        if hv_id is None:
            return self.facts.base
        hv = next(h for h in self.case.hulpvragen if h.id == hv_id)
        return self.facts.hulpvraag(hv, self.framework)


def _rebase(node: Any, alias: str) -> Any:
    """The expression with `persoon.x` read as `<alias>.x` (a person-derived fact read for the aanvrager or partner)."""
    if isinstance(node, Ref):
        return dataclasses.replace(node, key=alias + node.key[len("persoon"):]) if node.key.startswith("persoon.") else node
    if isinstance(node, (Cmp, Arith)):
        return dataclasses.replace(node, left=_rebase(node.left, alias), right=_rebase(node.right, alias))
    if isinstance(node, Not):
        return Not(_rebase(node.item, alias))
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_rebase(item, alias) for item in node.items))
    return node


def _unit(framework: Framework, fact: str) -> str:
    base = base_key(fact)
    if base in AGES:
        return AGES[base]
    info = fact_info(framework, base)
    if base in INCOMES or base == "casus.vermogen" or (info is not None and info.type == GELD):
        return "EUR"
    return ""


def _step(framework: Framework, fact: str) -> Decimal:
    base = base_key(fact)
    if base in INCOMES or base == "casus.vermogen":
        return Decimal("0.01")
    info = fact_info(framework, base)
    if base in AGES or (info is not None and info.type == GEHEEL):
        return Decimal(1)
    return Decimal("0.01")


def flip_target(op: str, current: Decimal, threshold: Decimal, step: Decimal) -> Decimal | None:
    """The value nearest to `current` (on a grid of `step`) at which `current op threshold` changes truth value."""
    holds = COMPARE[op](current, threshold)
    down = (threshold / step).to_integral_value(rounding=ROUND_FLOOR) * step  # largest grid value <= threshold
    up = (threshold / step).to_integral_value(rounding=ROUND_CEILING) * step  # smallest grid value >= threshold
    if op in ("<", ">="):  # flips between below the threshold and at or above it
        target = (up if holds else up - step) if op == "<" else (up - step if holds else up)
    elif op in ("<=", ">"):  # flips between at or below and above
        target = (down + step if holds else down) if op == "<=" else (down if holds else down + step)
    elif (op == "==") == holds:  # equal now: one step away, towards the nearer side
        target = current + step
    else:
        target = threshold if down == threshold else None
    if target is None or COMPARE[op](target, threshold) == holds:
        return None
    return target


HORIZON_YEARS = 5  # counterfactuals about a date further away than this are left out unless asked


def counterfactuals(framework: Framework, case: Case, *, gemeente: str | None = None,
                    peildatum: _dt.date | None = None, assessment=None,
                    horizon_years: int | None = HORIZON_YEARS) -> list[Counterfactual]:
    """Every checked counterfactual for the case, nearest first per fact.

    A counterfactual about a later date (an age reached on a birthday) is checked by assessing the case on that
    date, with the parameters in force then (the pensioengerechtigde leeftijd rises over the years); when the
    outcome does not flip on that birthday, the first day within the horizon on which it does is found. Those
    further away than `horizon_years` (None: no limit) are left out. What changes is credited to the limit that
    causes it: the assessment just before the limit is compared with the one at it, so crossing 110 % of a norm
    is not said to end a right that already ended at 100 %."""
    gemeente = gemeente or case.gemeente
    peildatum = peildatum or case.peildatum
    assessment = assessment or assess(framework, case, gemeente=gemeente, peildatum=peildatum)
    finder = _Finder(framework, case, gemeente, peildatum)
    fired = {(f.rule, f.hulpvraag or None) for f in assessment.trace.fired}
    met = {f"{e['id']}.{c['id']}": c["met"] for e in assessment.entitlements for c in e["criteria"]}
    overridden = set(framework.profiles[gemeente].overrides) if gemeente in framework.profiles else set()
    candidates: dict[tuple, Counterfactual] = {}
    for site in finder.sites(assessment):
        kind, ident, hv = site.outcome
        before = (ident, hv) in fired if kind == "rule" else met.get(ident)
        if before is None:
            continue
        env = finder.env(site.env_hv)
        current = env.get(site.fact, UNKNOWN)
        try:
            threshold = compile_closure(site.threshold)(env)
        except FormulaError:
            continue
        if current is UNKNOWN or threshold is UNKNOWN or isinstance(threshold, bool):
            continue
        current, threshold = Decimal(current), Decimal(threshold)
        target = flip_target(site.op, current, threshold, _step(framework, site.fact))
        if target is None or target < 0:
            continue
        if base_key(site.fact) in AGES and target < current:
            continue  # an age only goes up: the counterfactual is the birthday on which the outcome flips
        # the limit is the municipality's own when one of its parameters sets it, or when a municipal scheme
        # computes it (its percentage of a norm); a scheme that reuses the framework's limit as it is does not
        local = (site.local and not isinstance(site.threshold, Ref)) or \
            bool(finder.reach.parameters(site.threshold) & overridden)
        key = (base_key(site.fact), site.person, site.env_hv if site.fact.startswith("hulpvraag.") else None, target)
        found = candidates.get(key)
        if found is None:
            found = candidates[key] = Counterfactual(
                site.fact, site.person, site.env_hv if site.fact.startswith("hulpvraag.") else None, current, threshold,
                _threshold_text(site.threshold, env), target, target - current, gemeente if local else None,
                _unit(framework, site.fact))
        elif local and found.gemeente is None:  # the same limit also set by the municipality (a minima scheme)
            found.gemeente = gemeente
        if all((o.kind, o.id, o.hulpvraag) != site.outcome for o in found.outcomes):
            found.outcomes.append(Outcome(kind, ident, hv, bool(before)))
    differ = Differ(framework, framework)
    horizon = peildatum + relativedelta(years=horizon_years) if horizon_years is not None else None
    kept = []
    moved: set[int] = set()  # age counterfactuals whose own limit did not flip anything on its birthday
    for candidate in candidates.values():
        changed = _with_fact(case, candidate, peildatum)
        if changed is None:
            continue
        if base_key(candidate.fact) in AGES:  # about a later date: assessed on that date, as the law stands then
            found = _on_the_date(framework, case, candidate, gemeente, peildatum, horizon, assessment)
            if found is None:
                continue
            before_it, again, was_moved = found
            if was_moved:
                moved.add(id(candidate))
            # an outcome counts only if it flips on that very day: one that another person's birthday (or a change
            # of the law) flipped earlier is not this limit's doing
            earlier = _state(before_it)
            for outcome in candidate.outcomes:
                then = _outcome_in(outcome, earlier)
                outcome.before = outcome.before if then is None else bool(then)
        else:
            again = assess(framework, changed, gemeente=gemeente, peildatum=peildatum)
            before_it = _just_before(framework, case, candidate, gemeente, peildatum, assessment)
        _settle(candidate, again)
        # the consequences of crossing this limit: just before it against at it
        candidate.effects = differ.changes(case, before_it, again)
        if candidate.outcomes and candidate.effects:
            candidate.summary = _summary(candidate, case, peildatum)
            candidate.consequences = [_effect(e) for e in candidate.effects]
            candidate.text = f"{candidate.summary}; dan: " + "; ".join(candidate.consequences)
            kept.append(candidate)
    kept.sort(key=lambda c: (c.fact, c.person or "", abs(c.change)))
    return _one_limit_each(kept, moved)


def _one_limit_each(kept: list[Counterfactual], moved: set[int]) -> list[Counterfactual]:
    """One consequence credited to one limit: two limits on the same age of the same person that flip on the
    same day (AOW art. 7a: the lowest possible pensioengerechtigde leeftijd, 65, and the one for the birth
    date) are one counterfactual, the limit whose own birthday flips it; a limit that flips nothing on its own
    birthday (the outcome flips later, at the other one) is not named."""
    groups: dict[tuple, list[Counterfactual]] = {}
    for candidate in kept:
        if candidate.date is None:
            continue
        groups.setdefault((base_key(candidate.fact), candidate.person, candidate.hulpvraag, candidate.date),
                          []).append(candidate)
    dropped = set()
    for group in groups.values():
        if len(group) < 2:
            continue
        keep = next((c for c in group if id(c) not in moved), group[0])
        dropped |= {id(c) for c in group if c is not keep}
    return [c for c in kept if id(c) not in dropped]


def _state(assessment) -> tuple[set, dict]:
    fired = {(f.rule, f.hulpvraag or None) for f in assessment.trace.fired}
    met = {f"{e['id']}.{c['id']}": c["met"] for e in assessment.entitlements for c in e["criteria"]}
    return fired, met


def _outcome_in(outcome: Outcome, state: tuple[set, dict]):
    fired, met = state
    return (outcome.id, outcome.hulpvraag) in fired if outcome.kind == "rule" else met.get(outcome.id)


def _settle(candidate: Counterfactual, again) -> None:
    """Keep the outcomes that really flip in `again`."""
    state = _state(again)
    for outcome in candidate.outcomes:
        outcome.after = _outcome_in(outcome, state)
    candidate.outcomes = [o for o in candidate.outcomes if o.after is not None and o.after != o.before]


def _just_before(framework, case, candidate, gemeente, peildatum, assessment):
    """The assessment with the fact one step short of the limit (on the side where it is now)."""
    step = _step(framework, candidate.fact)
    near = candidate.target - step if candidate.target > candidate.current else candidate.target + step
    if near == candidate.current:
        return assessment
    probe = dataclasses.replace(candidate, target=near)
    changed = _with_fact(case, probe, peildatum)
    return assessment if changed is None else assess(framework, changed, gemeente=gemeente, peildatum=peildatum)


def _on_the_date(framework, case, candidate, gemeente, peildatum, horizon, assessment):
    """(assessment the day before, assessment on the day, whether that day is not the limit's own birthday) for
    an age counterfactual, on the first day within the horizon on which one of its outcomes flips; None when
    none does. Updates the candidate's date."""
    def flipped(day) -> tuple[bool, object]:
        result = assess(framework, case, gemeente=gemeente, peildatum=day)
        state = _state(result)
        return any(_outcome_in(o, state) not in (None, o.before) for o in candidate.outcomes), result

    day = candidate.date
    if horizon is not None and day > horizon:
        return None
    hit, again = flipped(day)
    moved = not hit
    if not hit:  # the law of that date moved the limit: find the first day it flips, within the horizon
        last = horizon or (peildatum + relativedelta(years=10))
        hit_last, _ = flipped(last)
        if not hit_last:
            return None
        low, high = day, last  # flips at high, not at low; the age only rises
        while (high - low).days > 1:
            middle = low + _dt.timedelta(days=(high - low).days // 2)
            if flipped(middle)[0]:
                high = middle
            else:
                low = middle
        day = high
        hit, again = flipped(day)
    person = case.person(candidate.person)
    unit = 0 if base_key(candidate.fact) == "persoon.leeftijd" else 1
    candidate.date = day
    candidate.days = (day - peildatum).days
    candidate.target = age(person.geboortedatum, day)[unit]
    if moved:  # the limit in force on that day is the age reached on it
        candidate.threshold = Decimal(candidate.target)
    candidate.change = candidate.target - candidate.current
    before = assess(framework, case, gemeente=gemeente, peildatum=day - _dt.timedelta(days=1)) \
        if day > peildatum else assessment
    return before, again, moved


def _with_fact(case: Case, candidate: Counterfactual, peildatum: _dt.date) -> Case | None:
    """The case with only `candidate.fact` set to `candidate.target`; None when that cannot be expressed."""
    fact, target = candidate.fact, candidate.target
    if fact in INCOMES:  # the income as this purpose counts it moves by the change; the entries take it
        return dataclasses.replace(case, inkomen=_income(case, target, candidate.current))
    if fact == "casus.vermogen":
        return dataclasses.replace(case, vermogen=target)
    base = base_key(fact)
    if base in AGES:
        person = case.person(candidate.person)
        count = int(target)
        unit = (lambda n: relativedelta(years=n)) if base == "persoon.leeftijd" else (lambda n: relativedelta(months=n))
        born = peildatum - unit(count)  # the latest birth date at which the age is reached on the peildatum
        candidate.date = person.geboortedatum + unit(count)  # the birthday on which it is reached
        candidate.days = (person.geboortedatum - born).days
        if age(born, peildatum)[0 if base == "persoon.leeftijd" else 1] != count:
            return None
        people = tuple(dataclasses.replace(p, geboortedatum=born) if p.id == person.id else p for p in case.personen)
        return dataclasses.replace(case, personen=people)
    value = int(target) if _is_whole(case, base) else target
    if base.startswith("persoon."):
        people = tuple(dataclasses.replace(p, facts={**p.facts, base: value}) if p.id == candidate.person else p
                       for p in case.personen)
        return dataclasses.replace(case, personen=people)
    if base.startswith("hulpvraag."):
        hulpvragen = tuple(dataclasses.replace(h, facts={**h.facts, base: value}) if h.id == candidate.hulpvraag else h
                           for h in case.hulpvragen)
        return dataclasses.replace(case, hulpvragen=hulpvragen)
    return dataclasses.replace(case, facts={**case.facts, base: value})


def _is_whole(case: Case, key: str) -> bool:
    for holder in [case.facts] + [p.facts for p in case.personen] + [h.facts for h in case.hulpvragen]:
        if key in holder:
            return isinstance(holder[key], int)
    return False


# Kinds of income that do not count for every purpose (Participatiewet art. 31 lid 2 onder b en d): a counterfactual
# never moves them, so that the change reaches the income as every rule counts it.
_NOT_EVERYWHERE = ("toeslag", "kinderbijslag")


def _income(case: Case, target: Decimal, current: Decimal) -> tuple:
    """The income entries moved by `target - current` (the income as the rule counts it, from `current` to `target`):
    the first entry that counts everywhere takes a rise (or a new `overig` entry), a fall is taken from those entries
    in order."""
    entries = list(case.inkomen or ())
    delta = target - current
    counted = [n for n, (_, soort, _) in enumerate(entries) if soort not in _NOT_EVERYWHERE]
    if delta >= 0:
        if not counted:
            return tuple(entries) + ((case.aanvrager.id, "overig", delta),)
        person, soort, amount = entries[counted[0]]
        entries[counted[0]] = (person, soort, amount + delta)
        return tuple(entries)
    for n in counted:
        person, soort, amount = entries[n]
        taken = min(amount, -delta)
        delta += taken
        entries[n] = (person, soort, amount - taken)
    return tuple(entries)


def _threshold_text(node: Any, env: dict) -> str:
    """'120% van minimanorm' for `x * 120 / 100` (or `x * percentage / 100` with a parameter of 120), the name
    of a single fact or parameter, else the formula."""
    if isinstance(node, Arith) and node.op == "/" and isinstance(node.right, Lit) and node.right.value == 100 \
            and isinstance(node.left, Arith) and node.left.op == "*":
        share = node.left.right
        value = share.value if isinstance(share, Lit) else env.get(share.key, UNKNOWN) if isinstance(share, Ref) \
            else UNKNOWN
        if value is not UNKNOWN:
            return f"{_number(value)}% van {_name(node.left.left)}"
    if isinstance(node, Lit):
        return _number(node.value)
    return _name(node)


def _name(node: Any) -> str:
    if isinstance(node, Ref):
        return node.key.split(".", 1)[-1] if "." in node.key else node.key
    return render(node)


def _number(value: Any) -> str:
    return format(value, "f").replace(".", ",") if isinstance(value, Decimal) else str(value)


def _age(value: Any, unit: str) -> str:
    value = int(value)
    if unit == "jaar":
        return f"{value} jaar"
    years, months = divmod(value, 12)
    return f"{years} jaar" + (f" en {months} maand{'en' if months != 1 else ''}" if months else "")


def _who(candidate: Counterfactual, case: Case) -> str:
    if candidate.person is None:
        return ""
    person = case.person(candidate.person)
    return person.rol if person.rol in ("aanvrager", "partner") else f"{person.rol} {person.id}"


def _summary(candidate: Counterfactual, case: Case, peildatum: _dt.date) -> str:
    where = f" ({candidate.gemeente.capitalize()})" if candidate.gemeente else ""
    base = base_key(candidate.fact)
    if base in AGES:
        who = _who(candidate, case)
        unit = AGES[base]
        now, count = int(candidate.current), int(candidate.target)
        limit = candidate.threshold_text if not candidate.threshold_text.isdigit() else ""
        shown = _age(candidate.threshold, unit)
        limit = f"{limit} ({shown})" if limit else shown
        until = (candidate.date - peildatum).days
        return (f"{who} is {_age(now, unit)}; de grens ligt bij {limit}{where}: over {until} dagen, op "
                f"{candidate.date.isoformat()}, is {who} {_age(count, unit)}")
    label = LABELS.get(candidate.fact, candidate.fact.split(".", 1)[-1])
    if candidate.unit == "EUR":
        gap = euro(abs(candidate.current - candidate.threshold).quantize(Decimal("0.01")))
        current, limit = euro(candidate.current), euro(candidate.threshold)
        target = euro(candidate.target)
    else:
        gap = _number(abs(candidate.current - candidate.threshold))
        current, limit, target = _number(candidate.current), _number(candidate.threshold), _number(candidate.target)
    if candidate.current == candidate.threshold:
        position = f"{label} ({current}) ligt precies op de grens van {candidate.threshold_text}{where}"
    else:
        side = "boven" if candidate.current > candidate.threshold else "onder"
        position = f"{label} ligt {gap} {side} de grens van {candidate.threshold_text} ({limit}){where}"
    return f"{position}; bij {target}"


def _effect(change: Change) -> str:
    if change.kind in ("lighter", "heavier", "provision"):
        def show(value):
            return "geen automatisch voorstel" if value["provision"] is None else \
                f"{value['provision']} (niveau {value['level']})"
        return f"{change.subject}: {show(change.before)} → {show(change.after)}"
    if change.kind == "eligibility":
        def right(value):
            return {True: "recht", False: "geen recht", None: "onbekend"}.get(value, "n.v.t.") \
                if not isinstance(value, str) else value
        return f"{change.subject}: {right(change.before)} → {right(change.after)}"
    if change.kind == "amount":
        return f"{change.subject}: {euro(Decimal(change.before))} → {euro(Decimal(change.after))}"
    if change.kind.endswith("_new"):
        return f"{change.subject} erbij"
    if change.kind.endswith("_lost"):
        return f"{change.subject} vervalt"
    return f"{change.subject}: {change.before} → {change.after}"


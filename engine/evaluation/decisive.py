"""Decisive questions: which unknown facts can change an outcome now, ranked by how much an answer settles.

The missing facts of an assessment are traced from rules that could not be decided; some of them cannot
change anything on their own (another unknown fact decides first, or every answer leads to the same
outcome). Here every candidate fact is tried: the case is assessed again with the fact set to each of its
possible values (yes/no facts both ways, an enumeration by each allowed value), everything else as the
assessor gave it. A fact is `beslissend` only when some value changes an outcome: a proposal, an entitlement
(its right or amount), a legal term or a signal (established or provisional). A number or amount fact is tried
at the limits the rules compare it with, computed for this case (the limit, and one step below and above it:
a cent, or 1). Facts that cannot be tried by value (dates, the income and vermogen of the household, a number
no rule compares with a limit) are kept as they were traced, after the decisive ones, marked `tested: false`.

The list is ordered by how many open outcomes (a hulpvraag without a proposal, an entitlement `onbekend`, a
provisional term or signal) one answer can settle, then by how many outcomes an answer can change, then in
the order of the traced missing facts; each question names the outcomes it settles.

This costs one assessment per candidate value, so it runs only where asked (`kader assess`, `kader intake`,
`kader assess --format json --questions`), never in `kader batch`.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from engine.language.calc import UNKNOWN, FormulaError, compile_closure
from engine.language.framework import Framework
from engine.language.ir import NUMERIC

from .assessment import Assessment
from .case import Case
from .evaluate import assess

Outcomes = dict[str, Any]


def outcomes(assessment: Assessment) -> Outcomes:
    """Every outcome an answer could change, by a stable name: proposal, entitlement, term and signal."""
    found: Outcomes = {}
    for p in assessment.proposals:
        found[f"voorstel:{p['hulpvraag']}"] = (p["provision"], p["level"])
    for e in assessment.entitlements:
        found[f"aanspraak:{e['id']}"] = (e["eligible"], e["bedrag"])
    for d in assessment.deadlines:
        found[f"termijn:{d['id']}"] = ("vast", d["date"])
    for s in assessment.signals:
        found[f"signaal:{s['id']}@{s['hulpvraag'] or 'casus'}"] = "vast"
    for item in assessment.provisional:
        if item["kind"] == "deadline":
            found.setdefault(f"termijn:{item['id']}", (item["status"], item.get("date")))
        elif item["kind"] == "signal":
            found.setdefault(f"signaal:{item['id']}@{item['hulpvraag'] or 'casus'}", item["status"])
    return found


def open_outcomes(assessment: Assessment) -> set[str]:
    """The outcomes still undecided: no proposal, an entitlement onbekend, a provisional term or signal."""
    found = {f"voorstel:{p['hulpvraag']}" for p in assessment.proposals if p["provision"] is None}
    found |= {f"aanspraak:{e['id']}" for e in assessment.entitlements if e["eligible"] is None}
    for item in assessment.provisional:
        if item["kind"] == "deadline":
            found.add(f"termijn:{item['id']}")
        elif item["kind"] == "signal":
            found.add(f"signaal:{item['id']}@{item['hulpvraag'] or 'casus'}")
    return found


def _value_type(framework: Framework, case: Case, item: dict) -> tuple[str, tuple] | None:
    """(type, possible values) of a candidate fact, or None when it cannot be tried by value."""
    fact = item["fact"]
    if not fact.startswith(("hulpvraag.", "persoon.", "casus.")):
        return None
    domain = next((h.domein for h in case.hulpvragen if h.id == item.get("hulpvraag")), None)
    info = framework.fact(fact, domain) or framework.facts.get(fact)
    if info is None or info.declared_in is None:
        return None
    if info.type == "bool":
        return "bool", (True, False)
    if info.values:
        return "keuze", tuple(info.values)
    if info.type in NUMERIC:
        values = _thresholds(framework, case, item, info.type)
        return (info.type, values) if values else None
    return None


def _thresholds(framework: Framework, case: Case, item: dict, type_: str) -> tuple:
    """Values of a number fact on both sides of every limit a rule compares it with (as counterfactuals find
    limits): the limit itself and one step (a cent, or 1) below and above it, for this case."""
    from engine.language.ir import Cmp, Ref, walk

    from .facts import build_facts

    fact = item["fact"]
    step = Decimal("0.01") if type_ == "geld" else Decimal(1)
    hv = next((h for h in case.hulpvragen if h.id == item.get("hulpvraag")), None)
    facts = build_facts(framework, case, case.gemeente, case.peildatum)
    env = facts.hulpvraag(hv, framework) if hv is not None else facts.base
    found: set = set()
    for rule in framework.rules.values():
        if fact not in rule.references:
            continue
        for node in walk(rule.when):
            if not isinstance(node, Cmp):
                continue
            for mine, other in ((node.left, node.right), (node.right, node.left)):
                if isinstance(mine, Ref) and mine.key == fact:
                    try:
                        limit = compile_closure(other)(env)
                    except FormulaError:
                        continue
                    if limit is UNKNOWN or isinstance(limit, bool) or not isinstance(limit, (int, Decimal)):
                        continue
                    limit = Decimal(limit)
                    found |= {limit - step, limit, limit + step}
    kept = sorted(v for v in found if v >= 0)
    if type_ == "geheel":
        return tuple(int(v) for v in kept if v == v.to_integral_value())
    return tuple(v.quantize(step) for v in kept)


def person_of(case: Case, item: dict) -> str | None:
    if item.get("persoon"):
        return item["persoon"]
    hv = next((h for h in case.hulpvragen if h.id == item.get("hulpvraag")), None)
    return hv.persoon if hv is not None else None


def with_answer(case: Case, item: dict | tuple, value: Any) -> Case:
    """The case with one fact answered (a hulpvraag, person or casus fact), everything else unchanged."""
    if isinstance(item, tuple):
        item = {"fact": item[0], "hulpvraag": item[1], "persoon": item[2]}
    fact = item["fact"]
    if fact.startswith("hulpvraag."):
        hulpvragen = tuple(dataclasses.replace(h, facts={**h.facts, fact: value}) if h.id == item["hulpvraag"] else h
                           for h in case.hulpvragen)
        return dataclasses.replace(case, hulpvragen=hulpvragen)
    if fact.startswith("persoon."):
        who = person_of(case, item)
        people = tuple(dataclasses.replace(p, facts={**p.facts, fact: value}) if p.id == who else p
                       for p in case.personen)
        return dataclasses.replace(case, personen=people)
    return dataclasses.replace(case, facts={**case.facts, fact: value})


def _same_rung(framework: Framework, case: Case, assessment: Assessment, gemeente: str, peildatum) -> list[dict]:
    """Facts that could make another provision on the rung of a decided proposal sufficient (the ladder takes
    the first sufficient provision of a rung in the framework's order, so such an answer changes the proposal)."""
    missing = None  # traced only when some decided proposal has another provision on its rung (one inference)
    found: list[dict] = []
    for proposal in assessment.proposals:
        if proposal["provision"] is None:
            continue
        hv = next(h for h in case.hulpvragen if h.id == proposal["hulpvraag"])
        index = framework.ladder_index.get(hv.domein)
        if index is None:
            continue
        pairs = list(index.by_level.get(proposal["level"], ()))
        for provision in framework.provisions_for(hv.domein, hv.onderwerp, gemeente):
            if provision.level == proposal["level"] and provision.id != proposal["provision"]:
                pairs += index.by_provision.get(provision.id, ())
        for rule, conclusion in pairs:
            if conclusion.kind == "suffices":
                if missing is None:
                    missing = _traced(framework, case, assessment, gemeente, peildatum)
                found += [{**item, "impact": "kan_voorstel_wijzigen", "rules": [rule.id]} for item in
                          missing.gather(lambda rule=rule, hv=hv, missing=missing: missing.explain_rule(rule, hv.id, "kan_voorstel_wijzigen"),
                                         keep=False)]
    return found


def _traced(framework: Framework, case: Case, assessment: Assessment, gemeente: str, peildatum):
    """The missing-facts tracer of `assessment`, built from what the assessment already holds (its facts and
    findings; the groups that ran follow from the hulpvragen), so no second inference runs; a new inference
    only when the assessment does not carry its facts."""
    from engine.language.framework import INTEGRAAL

    from .evaluate import infer
    from .facts import build_facts
    from .missing import MissingFacts

    source = getattr(assessment.trace, "source", None)
    if source is not None and source[0] is framework and assessment.gemeente == gemeente \
            and assessment.peildatum == peildatum:
        facts = source[1]
        produced = set(assessment.trace.findings)
        groups_run = {hv.domein for hv in case.hulpvragen if hv.domein in framework.groups and hv.domein != INTEGRAAL}
        if INTEGRAAL in framework.groups:
            groups_run.add(INTEGRAAL)
    else:
        facts = build_facts(framework, case, gemeente, peildatum)
        _, produced, groups_run = infer(framework, case, facts, peildatum)
    return MissingFacts(framework, case, facts, produced, groups_run, peildatum)


def candidates(case: Case, assessment: Assessment, extra: list[dict] = ()) -> list[dict]:
    """The traced missing facts, the facts provisional signals wait on, and `extra`, each once: a person fact is
    one fact of that person, whichever hulpvraag it was traced for (asked once, not once per hulpvraag)."""
    found: dict[tuple, dict] = {}
    waiting = [{**fact, "impact": "beslissend", "rules": list(entry["rules"])}
               for entry in assessment.provisional if entry["kind"] == "signal" for fact in entry["waits_on"]]
    for item in list(assessment.missing_facts) + list(extra) + waiting:
        found.setdefault(_target(case, item), dict(item))
    return list(found.values())


def _target(case: Case, item: dict) -> tuple:
    """What an answer to `item` writes: (fact, hulpvraag) for a hulpvraag fact, (fact, person) for a person fact,
    (fact,) for a casus fact."""
    fact = item["fact"]
    if fact.startswith("hulpvraag."):
        return (fact, item.get("hulpvraag"))
    if fact.startswith("persoon."):
        return (fact, "persoon", person_of(case, item))
    return (fact,)


DECISION = ("voorstel:", "aanspraak:", "termijn:")  # the outcomes a decision is about; the rest are signals


def decisive_questions(framework: Framework, case: Case, assessment: Assessment | None = None, *,
                       gemeente: str | None = None, peildatum=None) -> list[dict]:
    """The missing facts whose answer can change an outcome now, ranked; see the module docstring."""
    gemeente = gemeente or case.gemeente
    peildatum = peildatum or case.peildatum
    assessment = assessment or assess(framework, case, gemeente=gemeente, peildatum=peildatum)
    before = outcomes(assessment)
    still_open = open_outcomes(assessment)
    cache: dict[tuple, Outcomes] = {}
    open_cache: dict[tuple, set] = {}

    def answered(answers: tuple) -> Outcomes:
        """The outcomes with these answers given; one assessment per distinct set of answers (keyed by what
        each answer writes, so a person fact traced for two hulpvragen is assessed once)."""
        key = tuple(sorted(((_target(case, item), repr(value)) for item, value in answers)))
        found = cache.get(key)
        if found is None:
            changed = case
            for item, value in answers:
                changed = with_answer(changed, item, value)
            result = assess(framework, changed, gemeente=gemeente, peildatum=peildatum)
            found = cache[key] = outcomes(result)
            open_cache[key] = open_outcomes(result)
        return found, open_cache[key]

    signals = _SignalOnly(framework, case, assessment, gemeente, peildatum, before, still_open)

    def answered_alone(item: dict, value: Any) -> tuple[Outcomes, set]:
        """One fact answered: a fact that only signal and check rules read is tried on those rules alone."""
        found = signals.answered(item, value)
        return found if found is not None else answered(((item, value),))

    tested: list[tuple[tuple, dict]] = []
    untested: list[dict] = []
    jointly: list[tuple[int, dict, str, tuple]] = []  # decide nothing alone: tried together with another fact
    for index, item in enumerate(candidates(case, assessment, _same_rung(framework, case, assessment, gemeente,
                                                                         peildatum))):
        kind = _value_type(framework, case, item)
        if kind is None:
            untested.append({**item, "tested": False})
            continue
        type_, values = kind
        changes: set[str] = set()
        settles: set[str] = set()
        best = best_decision = 0
        for value in values:
            now, now_open = answered_alone(item, value)
            changed = {name for name in set(before) | set(now) if before.get(name) != now.get(name)}
            settled = still_open - now_open
            changes |= changed
            settles |= settled
            best = max(best, len(settled))
            best_decision = max(best_decision, sum(name.startswith(DECISION) for name in settled))
        if not changes:
            jointly.append((index, item, type_, values))
            continue
        # a fact that changes only a signal or check is asked after every fact that can change a proposal, a
        # right or a term: it decides no outcome of the decision itself (impact `signaal`)
        decision = any(name.startswith(DECISION) for name in changes)
        question = {**item, "impact": "beslissend" if decision else "signaal", "tested": True, "type": type_,
                    "values": list(values), "settles": sorted(settles), "changes": sorted(changes)}
        rank = (0, -best_decision, -best, -len(changes), index) if decision else (2, -best, -len(changes), 0, index)
        tested.append((rank, question))
    # A fact that changes nothing alone may still decide together with another unknown fact of the same
    # hulpvraag (two facts that both keep a rung undecided): with the other one answered either way, does its
    # own answer change an outcome? Then it is asked after the facts that decide alone, as `samen_beslissend`.
    for index, item, type_, values in jointly:
        partners = [(o, v) for _, o, _, vs in jointly if o is not item
                    and o.get("hulpvraag") == item.get("hulpvraag") for v in vs][:2 * JOINT_LIMIT]
        changes = set()
        for partner in partners:
            base, _ = answered((partner,))
            for value in values:
                now, _ = answered((partner, (item, value)))
                changes |= {name for name in set(base) | set(now) if base.get(name) != now.get(name)}
        if changes:
            decision = any(name.startswith(DECISION) for name in changes)
            question = {**item, "impact": "samen_beslissend", "tested": True, "type": type_, "values": list(values),
                        "settles": [], "changes": sorted(changes)}
            tested.append(((1 if decision else 3, 0, 0, -len(changes), index), question))
    tested.sort(key=lambda pair: pair[0])
    return [q for _, q in tested] + untested


class _SignalOnly:
    """Sharing work for a fact that only rules with signal or check conclusions read (directly or through
    derived facts), and no entitlement: its answer can change no proposal, right or term, and no finding, so
    instead of a whole assessment only the facts are built again and those rules evaluated, with the same
    three-valued test for undecided rules as the assessment's provisional step. `answered` returns None for
    any other fact (then the whole case is assessed)."""

    def __init__(self, framework: Framework, case: Case, assessment: Assessment, gemeente: str, peildatum,
                 before: Outcomes, still_open: set):
        self.framework, self.case, self.gemeente, self.peildatum = framework, case, gemeente, peildatum
        self.before, self.still_open = before, still_open
        self.assessment = assessment
        self.missing = None
        self.provisional_rules = {f"signaal:{p['id']}@{p['hulpvraag'] or 'casus'}": set(p["rules"])
                                  for p in assessment.provisional if p["kind"] == "signal"}

    def answered(self, item: dict, value: Any) -> tuple[Outcomes, set] | None:
        from .facts import build_facts
        from .missing import MissingFacts
        from .provisional import targets, undecided

        readers = signal_readers(self.framework, self.gemeente, item["fact"])
        if readers is None or getattr(self.assessment.trace, "source", None) is None:
            return None
        if self.missing is None:
            self.missing = _traced(self.framework, self.case, self.assessment, self.gemeente, self.peildatum)
        changed = with_answer(self.case, item, value)
        facts = build_facts(self.framework, changed, self.gemeente, self.peildatum)
        missing = MissingFacts(self.framework, changed, facts, self.missing.produced, self.missing.groups_run,
                               self.peildatum)
        by_signal: dict[str, list] = {}
        for rule in readers:
            if rule.group not in missing.groups_run or not rule.valid_on(self.peildatum):
                continue
            for hv in targets(changed, rule):
                for conclusion in rule.then:
                    if conclusion.kind == "signal":
                        by_signal.setdefault(f"signaal:{conclusion.signal}@{hv or 'casus'}", []).append((rule, hv))
        now, now_open = dict(self.before), set(self.still_open)
        for name, pairs in by_signal.items():
            if self.before.get(name) == "vast":
                continue  # established by a rule that holds whatever this fact is (three-valued logic is monotone)
            if any(rule.evaluate(missing.env(rule, hv)) is True for rule, hv in pairs):
                now[name] = "vast"
                now_open.discard(name)
                continue
            own = {rule.id for rule, _ in pairs}
            if any(undecided(missing, rule, hv, set()) for rule, hv in pairs) \
                    or self.provisional_rules.get(name, set()) - own:
                now[name] = "voorlopig"
                now_open.add(name)
            else:
                now.pop(name, None)
                now_open.discard(name)
        return now, now_open


def signal_readers(framework: Framework, gemeente: str, fact: str) -> tuple | None:
    """The rules that read `fact` (directly, under a person alias, or through derived facts) when every one of
    them concludes only signals and checks and no entitlement of the municipality reads it; else None."""
    key = ("decisive_signal_readers", gemeente, fact)
    if key in framework.memo:
        return framework.memo[key]
    from engine.language.reach import Reach

    index = framework.memo.get(("decisive_readers",))
    if index is None:  # every key a rule condition reads, and the rules that read it; once per rule set
        reach, index = Reach(framework), {}
        for rule in framework.rules.values():
            for name in reach.keys(rule.when):
                index.setdefault(name, []).append(rule)
        framework.memo[("decisive_readers",)] = index
        framework.memo[("decisive_reach",)] = reach
    entitled = framework.memo.get(("decisive_entitlement_keys", gemeente))
    if entitled is None:
        reach = framework.memo[("decisive_reach",)]
        entitled = framework.memo[("decisive_entitlement_keys", gemeente)] = frozenset().union(
            *(reach.entitlement_keys(e) for e in framework.entitlements_for(gemeente)))
    readers = tuple(index.get(fact, ()))
    found = readers
    if not readers or any(c.kind not in ("signal", "check") for rule in readers for c in rule.then) \
            or fact in entitled:
        found = None
    framework.memo[key] = found
    return found


JOINT_LIMIT = 8  # at most this many partner facts are tried with a fact that decides nothing alone

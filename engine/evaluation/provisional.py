"""Outcomes that are not yet decided: provisional terms, signals and checks, and entitlements waiting on facts.

A rule whose condition cannot be decided from the case (three-valued logic gives
UNKNOWN) did not fire, but it may: leaving its conclusion out would state that the
term, signal or check does not apply, which the case does not show. Such a
conclusion is listed as provisional with the facts that decide it, worded by
what each fact does: "geldt, tenzij A ja is" for an outcome that applies unless
an exception is shown, "mogelijk: geldt alleen als B ja is" for one that needs a
fact to be yes (never "geldt, tenzij" for that: it would be more certain than
the case), "hangt af van C" for the rest; the facts of a term are asked for in
the missing facts. The same holds for
a rule that `denies` an entitlement: while it is undecided, the entitlement is
not `eligible: true` but `status: "onbekend"`.

A term whose rule holds but whose start date (melddatum, aanvraagdatum) is not
given is listed too, with status `datum_onbekend`: it applies, its date is open.

See docs/uncertainty.md for the contract and examples.
"""

from __future__ import annotations

from typing import Any

from engine.language.calc import UNKNOWN, compile_closure
from engine.language.framework import INTEGRAAL, Framework, RuleDef
from engine.language.ir import And, references
from engine.language.termijnen import deadline, describe_term

from .case import Case
from .missing import MissingFacts

PROVISIONAL = "voorlopig"
DATE_UNKNOWN = "datum_onbekend"
KINDS = ("deadline", "signal", "check")


def concluding_rules(framework: Framework) -> tuple[tuple[RuleDef, tuple[tuple[str, Any], ...]], ...]:
    """The rules with a deadline, signal or check conclusion, with those conclusions (once per framework)."""
    key = ("provisional_rules",)
    found = framework.memo.get(key)
    if found is None:
        found = []
        for rule in framework.rules.values():
            kept = tuple((c.kind, getattr(c, c.kind)) for c in rule.then if c.kind in KINDS)
            if kept:
                found.append((rule, kept))
        found = framework.memo[key] = tuple(found)
    return found


def denying_rules(framework: Framework, entitlement_id: str) -> tuple[RuleDef, ...]:
    key = ("denying_rules", entitlement_id)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = tuple(rule for rule in framework.rules.values()
                                            if any(c.kind == "denies" and c.denies == entitlement_id for c in rule.then))
    return found


def targets(case: Case, rule: RuleDef) -> list[str]:
    """The hulpvragen a rule is evaluated for ("" for a casus rule)."""
    if rule.scope == "hulpvraag" and rule.group != INTEGRAAL:
        return [hv.id for hv in case.hulpvragen if hv.domein == rule.group]
    return [""]


def undecided(missing: MissingFacts, rule: RuleDef, hv: str, fired: set[tuple[str, str]]) -> bool:
    """Whether `rule` did not fire for `hv` and its condition is UNKNOWN for want of a fact that can be asked.

    A condition that is unknown only through facts that cannot apply here (a hulpvraag fact the framework asks
    only for other onderwerpen) is not undecided: nobody will ever give that fact for this hulpvraag.
    """
    if (rule.id, hv) in fired or rule.group not in missing.groups_run or not rule.valid_on(missing.peildatum):
        return False
    env = missing.env(rule, hv)
    if rule.evaluate(env) is not UNKNOWN:
        return False
    return bool(missing.collect_undecided(rule, hv, env, "beslissend", keep=False))


def waits_on(missing: MissingFacts, rule: RuleDef, hv: str, asked: bool, env: dict | None = None) -> list[dict]:
    """The missing inputs of an undecided rule (fact, hulpvraag, persoon, question); when `asked`, they are
    also recorded in the missing facts as decisive. `env`: the rule's environment (missing.env(rule, hv)) in which
    the caller found it UNKNOWN, in a group that ran, on a day it is valid (then it is not evaluated again)."""
    if env is not None:
        return missing.collect_undecided(rule, hv, env, "beslissend", keep=asked)
    return missing.collect(rule, hv, "beslissend", keep=asked)


IF, UNLESS, ALSO = "als", "tenzij", "mede"


def decided_by_text(facts: list[dict], marks: dict[tuple, str] | None = None) -> str:
    """What decides a provisional outcome, in words, by what each fact does to it (`marks`, see `_marks`):

    - only facts whose `ja` ends it: "geldt, tenzij A of B ja is" (it applies unless an exception is shown);
    - facts it needs to be `ja`: "mogelijk: geldt alleen als A en B ja zijn" (it does not apply by default);
    - any other fact (a choice, a fact that works only together with another): "hangt (ook) af van C".
    """
    marks = marks or {}

    def name(item):
        return item["fact"] + (f" ({item['persoon']})" if item.get("persoon") else "")

    def kind(item):
        return marks.get((item["fact"], item.get("persoon")), ALSO)

    needed = [name(i) for i in facts if kind(i) == IF]
    ends = [name(i) for i in facts if kind(i) == UNLESS]
    other = [name(i) for i in facts if kind(i) == ALSO]
    parts = []
    if needed:
        parts.append("geldt alleen als " + " en ".join(needed) + (" ja is" if len(needed) == 1 else " ja zijn"))
    if ends:
        parts.append(("geldt, " if not needed else "") + "tenzij " + " of ".join(ends) + " ja is")
    if other:
        parts.append(("hangt ook af van " if parts else "hangt af van ") + ", ".join(other))
    text = "; ".join(parts)
    return text if ends and not needed and not other else "mogelijk: " + text


def _marks(framework: Framework, case: Case, missing: MissingFacts, rule: RuleDef, hv: str,
           facts: list[dict], env: dict | None = None) -> dict[tuple, str]:
    """What each yes/no fact does to the undecided `rule`, everything else as the case gives it: IF when `nee`
    makes the rule false (it needs the fact), UNLESS when `ja` makes it false (an exception), ALSO otherwise (a
    choice, or a fact that decides only together with another). The fact is set under every name the rule can
    read it by (`persoon.x`, `aanvrager.x`, `partner.x`) and the derived facts of the casus and household that
    read it are computed again; a person's own derived fact is not followed (then ALSO)."""
    if env is None:
        env = missing.env(rule, hv)  # each trial writes into it and restores it before returning (no copy)
    person = next((h.persoon for h in case.hulpvragen if h.id == hv), None) if hv else None
    found = {}
    for item in facts:
        fact = item["fact"]
        mark = ALSO
        names = _names(case, fact, item.get("persoon"), person)
        if names and _is_bool(framework, case, fact, hv):
            if_yes = _evaluate_with(framework, rule, env, names, True)
            if_no = _evaluate_with(framework, rule, env, names, False)
            if if_no is False and if_yes is not False:
                mark = IF
            elif if_yes is False and if_no is not False:
                mark = UNLESS
        found[(fact, item.get("persoon"))] = mark
    return found


def _names(case: Case, fact: str, owner: str | None, person: str | None) -> tuple[str, ...]:
    """Every name under which an environment holds `fact` of `owner`."""
    if not fact.startswith("persoon."):
        return (fact,)
    owner = owner or person
    found = [fact] if owner is not None and owner == person else []
    for candidate in case.personen:
        if candidate.id == owner and candidate.rol in ("aanvrager", "partner"):
            found.append(candidate.rol + fact[len("persoon"):])
    return tuple(found)


def _evaluate_with(framework: Framework, rule: RuleDef, env: dict, names: tuple[str, ...], value: bool) -> Any:
    """The rule's value with the fact set to `value` (UNKNOWN when a person's derived fact reads it). `env` is
    written into and left as it was."""
    if _derived_inputs(framework).isdisjoint(names):  # no derived fact reads it (the common case)
        saved = [(name, env.get(name, _ABSENT)) for name in names]
        for name in names:
            env[name] = value
        try:
            return rule.evaluate(env)
        finally:
            for name, before in saved:
                if before is _ABSENT:
                    env.pop(name, None)
                else:
                    env[name] = before
    _missing = _ABSENT
    saved = {name: env.get(name, _missing) for name in names}
    changed = set(names)
    env.update(dict.fromkeys(names, value))
    try:
        for derived, reads in _derived_reads(framework):
            if not reads & changed:
                continue
            if derived.scope == "persoon":
                return UNKNOWN
            saved.setdefault(derived.key, env.get(derived.key, _missing))
            result = derived.evaluate(env)
            if result is UNKNOWN:
                env.pop(derived.key, None)
            else:
                env[derived.key] = result
            changed.add(derived.key)
        return rule.evaluate(env)
    finally:
        for name, before in saved.items():
            if before is _missing:
                env.pop(name, None)
            else:
                env[name] = before


_ABSENT = object()  # a name the environment did not hold before a trial


def _derived_reads(framework: Framework) -> tuple:
    """(derived fact, every key its formula reads), in the order the facts are computed; once per rule set."""
    key = ("provisional_derived_reads",)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = tuple(
            (derived, frozenset().union(*(references(node) for part in derived.parts for node in part
                                          if node is not None and hasattr(node, "__dataclass_fields__")))
             | derived.depends)
            for derived in framework.derived)
    return found


def _derived_inputs(framework: Framework) -> frozenset[str]:
    key = ("provisional_derived_inputs",)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = frozenset().union(*(reads for _, reads in _derived_reads(framework)))
    return found


def _is_bool(framework: Framework, case: Case, fact: str, hv: str) -> bool:
    domain = next((h.domein for h in case.hulpvragen if h.id == hv), None) if hv else None
    key = ("provisional_is_bool", fact, domain)  # once per fact and domain per framework object
    found = framework.memo.get(key)
    if found is None:
        info = framework.fact(fact, domain) or framework.facts.get(fact)
        found = framework.memo[key] = info is not None and info.type == "bool"
    return found


def provisional_outcomes(framework: Framework, case: Case, missing: MissingFacts, fired: set[tuple[str, str]],
                         established: set[tuple[str, str, str]]) -> list[dict]:
    """Signals, checks and deadlines whose rule is undecided, each with the facts it waits on.

    `established` holds (kind, id, hulpvraag or "") of what the rules already concluded; deadlines are keyed by
    (kind, id, "") because a term is one per casus.
    """
    found: dict[tuple[str, str, str], dict] = {}
    marks: dict[tuple[str, str, str], list[dict]] = {}  # per outcome: what each fact does to each of its rules
    peildatum, groups_run = missing.peildatum, missing.groups_run
    work: list[tuple[str, tuple]] = [("", ("casus", group)) for group in _casus_rules(framework)
                                     if group in groups_run]
    work += [(hv.id, ("hulpvraag", hv.domein, hv.onderwerp)) for hv in case.hulpvragen if hv.domein in groups_run]
    for hv, key in work:
        rules, index = _indexed(framework, key)
        # A rule without finding(...) references is undecided only when one of its inputs is absent from the
        # environment (the same for all of them): only the rules that read an absent input are evaluated, found
        # through an index of the rules by input, so a case with every fact given costs a set difference.
        chosen = index.finding_sorted
        if index.plain_first is not None:
            plain = missing.env(index.plain_first, hv)
            absent = index.inputs.difference(plain)  # the inputs are few, the env is large: a look-up per input
            if absent:
                chosen = index.chosen(absent)
        for position in chosen:
            rule, conclusions = rules[position]
            if (rule.id, hv) in fired or not rule.valid_on(peildatum):
                continue
            env = missing.env(rule, hv) if rule.finding_refs else plain
            if rule.evaluate(env) is not UNKNOWN:
                continue
            _add(framework, case, missing, rule, conclusions, hv, established, found, marks, env)
    for key, entry in found.items():
        # a fact is IF (or UNLESS) for the outcome only when it is so in every rule that would conclude it
        merged = {}
        for item in entry["waits_on"]:
            fact = (item["fact"], item.get("persoon"))
            kinds = {rule_marks.get(fact, ALSO) for rule_marks in marks[key]}
            merged[fact] = kinds.pop() if len(kinds) == 1 else ALSO
        entry["text"] = decided_by_text(entry["waits_on"], merged)
    order = {k: i for i, k in enumerate(KINDS)}
    return [found[k] for k in sorted(found, key=lambda k: (order[k[0]], k[1], k[2]))]


_STATIC = frozenset({"hulpvraag.onderwerp", "hulpvraag.domein"})


def _possible(framework: Framework, rule: RuleDef, domein: str, onderwerp: str) -> bool:
    """False when a conjunct of the rule that reads only the hulpvraag's domain and onderwerp is false for them
    (the rule is about another onderwerp), once per rule set; such a rule can never be undecided here."""
    key = ("possible", rule.id, domein, onderwerp)
    found = framework.memo.get(key)
    if found is None:
        parts = rule.when.items if isinstance(rule.when, And) else (rule.when,)
        env = {"hulpvraag.domein": domein, "hulpvraag.onderwerp": onderwerp}
        found = True
        for part in parts:
            if references(part) <= _STATIC and compile_closure(part)(env) is False:
                found = False
                break
        framework.memo[key] = found
    return found


def _casus_rules(framework: Framework) -> dict[str, tuple]:
    """The concluding rules evaluated once per casus (casus scope, and every integral rule), by group."""
    key = ("provisional_casus_rules",)
    found = framework.memo.get(key)
    if found is None:
        found = {}
        for group, rules in _by_group(framework).items():
            kept = tuple((r, c) for r, c in rules if r.scope != "hulpvraag" or r.group == INTEGRAAL)
            if kept:
                found[group] = kept
        framework.memo[key] = found
    return found


def _hulpvraag_rules(framework: Framework, domein: str, onderwerp: str) -> tuple:
    """The concluding hulpvraag rules of a domain that can hold for this onderwerp, once per rule set."""
    key = ("provisional_hulpvraag_rules", domein, onderwerp)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = tuple(
            (r, c) for r, c in _by_group(framework).get(domein, ())
            if r.scope == "hulpvraag" and _possible(framework, r, domein, onderwerp))
    return found


class _Index:
    """The concluding rules of one work item, indexed by the inputs of the rules without finding(...) references."""

    __slots__ = ("by_input", "finding_rules", "finding_sorted", "inputs", "plain_first", "_chosen")

    def __init__(self, rules: tuple):
        self.finding_rules = frozenset(i for i, (rule, _) in enumerate(rules) if rule.finding_refs)
        self.finding_sorted = tuple(sorted(self.finding_rules))
        self.by_input: dict[str, set[int]] = {}
        self.plain_first = None
        for i, (rule, _) in enumerate(rules):
            if rule.finding_refs:
                continue
            if self.plain_first is None:
                self.plain_first = rule
            for name in rule.references:
                self.by_input.setdefault(name, set()).add(i)
        self.inputs = frozenset(self.by_input)
        self._chosen: dict[frozenset, tuple[int, ...]] = {}

    def chosen(self, absent: frozenset) -> tuple[int, ...]:
        """The positions, in order, of the rules with finding(...) references and of those that read an input in
        `absent`; remembered per set of absent inputs (a population lacks the same few facts again and again)."""
        found = self._chosen.get(absent)
        if found is None:
            if len(self._chosen) >= _CHOSEN:
                self._chosen.clear()
            found = self._chosen[absent] = tuple(sorted(self.finding_rules.union(
                *(self.by_input[name] for name in absent))))
        return found


_CHOSEN = 1024  # sets of absent inputs remembered per index; then the memory starts over


def _indexed(framework: Framework, key: tuple) -> tuple[tuple, _Index]:
    """(rules, index) for ("casus", group) or ("hulpvraag", domein, onderwerp), once per rule set."""
    memo_key = ("provisional_index",) + key
    found = framework.memo.get(memo_key)
    if found is None:
        rules = _casus_rules(framework)[key[1]] if key[0] == "casus" else _hulpvraag_rules(framework, key[1], key[2])
        found = framework.memo[memo_key] = (rules, _Index(rules))
    return found


def _by_group(framework: Framework) -> dict[str, list]:
    key = ("provisional_by_group",)
    found = framework.memo.get(key)
    if found is None:
        found = {}
        for rule, conclusions in concluding_rules(framework):
            found.setdefault(rule.group, []).append((rule, conclusions))
        framework.memo[key] = found
    return found


def _add(framework: Framework, case: Case, missing: MissingFacts, rule: RuleDef, conclusions, hv: str,
         established: set, found: dict, marks: dict, env: dict | None = None) -> None:
    """List the conclusions of the undecided `rule` for `hv` as provisional (those not already established)."""
    facts = None
    # a fact that decides a legal term is asked for in the missing facts (PW art. 41 lid 4: the term
    # applies unless an exception is established); one that decides only a signal or a check is named with
    # it here, in `waits_on`, and not asked as a question of its own
    asked = any(k == "deadline" for k, _ in conclusions)
    for kind, value in conclusions:
        ident = value.id if kind == "deadline" else value
        where = "" if kind == "deadline" else hv
        if (kind, ident, where) in established:
            continue
        if facts is None:
            facts = waits_on(missing, rule, hv, asked, env)
            if not facts:  # unknown only through facts that cannot apply to this hulpvraag
                return
            rule_marks = _marks(framework, case, missing, rule, hv, facts, env)
        key = (kind, ident, where)
        entry = found.get(key)
        if entry is None:
            entry = found[key] = {"kind": kind, "id": ident, "hulpvraag": hv or None, "status": PROVISIONAL,
                                  "rules": [], "waits_on": []}
            entry.update(_describe(framework, case, kind, value, rule, getattr(missing.facts, "base", None)))
        if rule.id not in entry["rules"]:
            entry["rules"].append(rule.id)
        for item in facts:
            if item not in entry["waits_on"]:
                entry["waits_on"].append(item)
        marks.setdefault(key, []).append(rule_marks)


_TERM_ENDS = 4096  # end dates remembered per framework object; then the memory starts over


def term_end(framework: Framework, start, algemene_termijnenwet: bool, terms: dict):
    """engine.language.termijnen.deadline with the framework's days off, remembered per framework object for each
    start date and term (a population has few distinct dates; a working-day term walks the calendar day by day)."""
    memo = framework.memo.get("term_ends")
    if memo is None:
        memo = framework.memo["term_ends"] = {}
    key = (start, algemene_termijnenwet, *terms.items())
    found = memo.get(key)
    if found is None:
        if len(memo) >= _TERM_ENDS:
            memo.clear()
        found = memo[key] = deadline(start, algemene_termijnenwet=algemene_termijnenwet, days_off=framework.holidays,
                                     **terms)
    return found


def _describe(framework: Framework, case: Case, kind: str, value: Any, rule: RuleDef, env: dict | None) -> dict:
    if kind == "deadline":
        declared = framework.deadlines[value.id]
        terms = (value.term or declared.term).kwargs(env)  # a term the verordening sets: its value on the peildatum
        start = case.melddatum if declared.from_ == "melddatum" else case.aanvraagdatum
        data = {"title": declared.title, "legal_basis": declared.legal_basis, "from": declared.from_,
                "term": describe_term(terms)}
        if start is not None and terms is not None:  # the date on which the term ends if it applies
            data["start"] = start.isoformat()
            data["date"] = term_end(framework, start, declared.algemene_termijnenwet, terms).isoformat()
        return data
    ident = value
    if kind == "signal":
        return {"title": framework.signals[ident].title, "legal_basis": rule.legal_basis, "reason": rule.reason}
    return {"title": framework.checks[ident].title, "legal_basis": rule.legal_basis}

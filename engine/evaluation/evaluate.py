"""One assessment: case + framework at the peildatum -> proposal, entitlements, terms, signals.

Pure: no clock, no files, no printing. Inference runs on durable-rules through
`engine.adapters.durable`, one ruleset per domain (only for domains the case
has a hulpvraag in) and then the integral ruleset, which also sees the casus
findings of the domains. Selection, entitlements and terms are computed from
what fired.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from engine.adapters.durable import RuleSpec
from engine.adapters.durable import engine as durable_engine
from engine.errors import CaseFileError, Diagnostic, Span
from engine.language.calc import UNKNOWN
from engine.language.compile import fact_builder
from engine.language.framework import INTEGRAAL, Framework
from engine.language.ir import findings as finding_refs
from engine.language.termijnen import describe, describe_term
from engine.version import __version__

from .assessment import Assessment, FiredRule, Trace
from .case import Case
from .demand import derived_read
from .entitlements import applies, evaluate_entitlement, per_client, waits_on
from .facts import Facts, build_facts
from .missing import MissingFacts
from .provisional import DATE_UNKNOWN, denying_rules, provisional_outcomes, targets, term_end, undecided
from .select import HulpvraagConclusions, prepare, select

_REGISTERED: set[str] = set()


def _ensure_registered(framework: Framework) -> None:
    engine = durable_engine()
    for group in framework.groups.values():
        if engine.is_registered(group.ruleset_name):
            continue
        specs = [RuleSpec(rule.rule_id, rule.patterns, rule.findings, "hv" if rule.scope == "hulpvraag" else "c")
                 for rule in group.rules]
        engine.register(group.ruleset_name, specs)


def _day(day: _dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def infer(framework: Framework, case: Case, facts: Facts, peildatum: _dt.date):
    """Run the rulesets; return fired (rule id, hulpvraag id) pairs, asserted findings and the groups that ran."""
    _ensure_registered(framework)
    engine = durable_engine()
    peil = _day(peildatum)
    fired: list[tuple[int, str, str]] = []  # (the rule's position in the framework, rule id, hulpvraag id)
    produced: set[tuple[str, str]] = set()
    groups_run: set[str] = set()
    domains, integral = _inference_plan(framework)
    base = facts.base
    for name, ruleset, keys, casus_facts, hv_facts in domains:
        hulpvragen = [hv for hv in case.hulpvragen if hv.domein == name]
        if not hulpvragen:
            continue
        batch = []
        if casus_facts is not None:
            batch.append(casus_facts.fill({"k": "c", "hv": "", "peil": peil}, base))
        if hv_facts is not None:
            for hv in hulpvragen:
                batch.append(hv_facts.fill({"k": "hv", "hv": hv.id, "peil": peil}, facts.hulpvraag(hv, framework)))
        run = engine.run(ruleset, batch)
        groups_run.add(name)
        fired += [(*keys[index], hv) for index, hv in run.firings]
        produced |= run.findings
    if integral is not None:
        name, ruleset, keys, casus_facts, _ = integral
        batch = [casus_facts.fill({"k": "c", "hv": "", "peil": peil}, base)]
        batch += [{"k": "f", "n": n, "hv": ""} for n, hv in sorted(produced) if hv == ""]
        run = engine.run(ruleset, batch)
        groups_run.add(INTEGRAAL)
        fired += [(*keys[index], hv) for index, hv in run.firings]
        produced |= run.findings
    # in the framework's rule order, then the case's hulpvraag order (the casus, "", first); a plain tuple sort
    order = {hv.id: i for i, hv in enumerate(case.hulpvragen)}
    get = order.get
    unique = [(rule_id, hv) for _, _, rule_id, hv
              in sorted({(position, get(hv, -1), rule_id, hv) for position, rule_id, hv in fired})]
    return unique, produced, groups_run


def _inference_plan(framework: Framework) -> tuple[tuple, tuple | None]:
    """Per domain group, in the framework's order, and for the integral group: (name, ruleset name, per rule
    index its (position in the framework, rule id), the FactBuilder of its casus fact or None when it has no
    casus rules, that of a hulpvraag fact or None when it has no hulpvraag rules); once per framework object."""
    found = framework.memo.get("inference_plan")
    if found is None:
        domains = []
        integral = None
        for name, group in framework.groups.items():
            has_casus, has_hulpvraag = _scopes(framework, name, group)
            rule_order = _rule_order(framework)
            entry = (name, group.ruleset_name,
                     tuple((rule_order[rule_id], rule_id) for rule_id in _rule_ids(framework, group)),
                     fact_builder(group.casus_fields) if has_casus or name == INTEGRAAL else None,
                     fact_builder(group.hv_fields) if has_hulpvraag else None)
            if name == INTEGRAAL:
                integral = entry
            else:
                domains.append(entry)
        found = framework.memo["inference_plan"] = (tuple(domains), integral)
    return found


def _rule_ids(framework: Framework, group) -> tuple[str, ...]:
    """The framework rule id of each rule of a compiled group, by index, once per framework object."""
    key = ("rule_ids", group.name)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = tuple(rule.rule_id for rule in group.rules)
    return found


def _scopes(framework: Framework, name: str, group) -> tuple[bool, bool]:
    """Whether a group has casus rules and hulpvraag rules, once per framework object (the group's properties
    look at every rule)."""
    key = ("scopes", name)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = (group.has_casus_rules, group.has_hulpvraag_rules)
    return found


def _rule_order(framework: Framework) -> dict[str, int]:
    """Rule id -> its position in the framework, once per framework object."""
    found = framework.memo.get("rule_order")
    if found is None:
        found = framework.memo["rule_order"] = {rule_id: rule.order for rule_id, rule in framework.rules.items()}
    return found


class Inference:
    """What the rules concluded for one case (which fired for which hulpvraag, the findings, the groups that ran).

    Passed empty to `assess`, it is filled; passed filled (by the assessment of the same case, municipality and
    peildatum under another version of the rules whose rules fire the same way: engine.tools.slices.Equivalence.
    same_inference), `assess` takes it instead of running the rules again and redoes everything that follows from
    it (facts, selection, entitlements, terms, missing facts) under its own framework."""

    __slots__ = ("result",)

    def __init__(self) -> None:
        self.result: tuple | None = None


def assess(framework: Framework, case: Case, *, gemeente: str | None = None,
           peildatum: _dt.date | None = None, inference: Inference | None = None,
           reads_only: bool = False) -> Assessment:
    """Assess `case` against `framework` (optionally as if in another municipality or on another date).

    `reads_only`: compute only the derived facts that the rules and entitlements that can run for this case read
    (engine.evaluation.demand); the same outcome, and the others are computed when the trace is read (kader batch)."""
    gemeente = gemeente or case.gemeente
    peildatum = peildatum or case.peildatum
    if gemeente not in framework.profiles:
        raise CaseFileError(Diagnostic("E510", f"onbekende gemeente '{gemeente}'; kies uit "
                                       + ", ".join(sorted(framework.profiles)), Span(case.source or "casus", 1, 1)))
    if peildatum < framework.valid_from:
        raise CaseFileError(Diagnostic("E511", f"peildatum {peildatum} ligt vóór het begin van het kader "
                                       f"({framework.valid_from})", Span(case.source or "casus", 1, 1)))
    only = derived_read(framework, frozenset(hv.domein for hv in case.hulpvragen), gemeente) if reads_only else None
    facts = build_facts(framework, case, gemeente, peildatum, only)
    if inference is not None and inference.result is not None:
        fired, produced, groups_run = (list(inference.result[0]), set(inference.result[1]),
                                       set(inference.result[2]))
    else:
        fired, produced, groups_run = infer(framework, case, facts, peildatum)
        if inference is not None:
            inference.result = (tuple(fired), frozenset(produced), frozenset(groups_run))

    per_hv: dict[str, HulpvraagConclusions] = {hv.id: HulpvraagConclusions() for hv in case.hulpvragen}
    signals: dict[tuple[str, str], dict] = {}
    checks: dict[tuple[str, str], dict] = {}
    deadline_hits: list[tuple[str, str, Any]] = []  # (rule id, hv, DeadlineRef)
    denials: dict[str, list[str]] = {}
    denied_for: dict[str, dict[str, list[str]]] = {}  # entitlement -> hulpvraag ("" for the casus) -> rules
    trace = Trace()
    trace_fired = trace.fired
    fired_info = _fired_info(framework)
    for rule_id, hv in fired:
        rule, selecting, others, records = fired_info[rule_id]
        record = records.get(hv)
        if record is None:  # an immutable tuple, shared by the assessments in which this rule fires for `hv`
            record = FiredRule(rule_id, hv, records[None])
            if len(records) <= _RECORDS_PER_RULE:
                records[hv] = record
        trace_fired.append(record)
        if selecting:
            per_hv[hv].add_prepared(selecting, rule_id)
        for kind, value in others:
            if kind == "signal":
                if (value, hv) not in signals:  # the first rule that concludes it names it
                    signals[(value, hv)] = {"id": value, "rule": rule_id, "reason": rule.reason,
                                            "hulpvraag": hv or None, "title": framework.signals[value].title,
                                            "legal_basis": rule.legal_basis}
            elif kind == "check":
                if (value, hv) not in checks:
                    checks[(value, hv)] = {"id": value, "rule": rule_id, "hulpvraag": hv or None,
                                           "title": framework.checks[value].title,
                                           "legal_basis": rule.legal_basis}
            elif kind == "deadline":
                deadline_hits.append((rule_id, hv, value))
            elif kind == "denies":
                denying = denials.setdefault(value, [])
                if rule_id not in denying:  # a rule that fires for two hulpvragen denies once
                    denying.append(rule_id)
                denied_for.setdefault(value, {}).setdefault(hv, []).append(rule_id)
    trace.findings = sorted(produced)

    missing = MissingFacts(framework, case, facts, produced, groups_run, peildatum)
    proposals = []
    for hv in case.hulpvragen:
        selection = select(framework, hv, gemeente, per_hv[hv.id])
        proposals.append(selection.proposal)
        _ask_missing(framework, missing, hv, selection)

    dated: list[dict] = []  # terms that apply but whose start date the case does not give
    deadlines = _deadlines(framework, case, deadline_hits, missing, dated, facts)
    fired_set = set(fired)
    entitlements = _entitlements(framework, case, gemeente, facts, proposals, denials, missing, fired_set, denied_for)
    established = {("signal", i, h) for i, h in signals} | {("check", i, h) for i, h in checks} \
        | {("deadline", d["id"], "") for d in deadlines} | {("deadline", d["id"], "") for d in dated}
    provisional = dated + provisional_outcomes(framework, case, missing, fired_set, established)

    trace.source = (framework, facts)
    return Assessment(
        case_id=case.id, gemeente=gemeente, peildatum=peildatum,
        framework={"name": framework.name, "version": framework.version, "hash": framework.hash},
        engine_version=__version__, proposals=proposals, entitlements=entitlements, deadlines=deadlines,
        signals=[signals[k] for k in sorted(signals)], checks=[checks[k] for k in sorted(checks)],
        missing_facts=missing.result(), trace=trace, provisional=provisional,
    )


_SELECTING = ("suffices", "excludes", "floor")
_RECORDS_PER_RULE = 64  # trace records kept per rule (hulpvraag ids are the case's own: bounded memory)


def _fired_info(framework: Framework) -> dict[str, tuple]:
    """Rule id -> (rule, its selection conclusions prepared for HulpvraagConclusions.add_prepared, its other
    conclusions as (kind, value), its trace records: None -> the conclusions' descriptions, hulpvraag id -> the
    FiredRule for it), once per framework object: one look-up per fired rule."""
    found = framework.memo.get("fired_info_prepared")
    if found is None:
        found = {}
        for rule_id, rule in framework.rules.items():
            conclusions = _conclusions(framework, rule)
            found[rule_id] = (rule, prepare([(k, v) for k, v in conclusions if k in _SELECTING]),
                              tuple((k, v) for k, v in conclusions if k not in _SELECTING),
                              {None: _descriptions(framework, rule)})
        framework.memo["fired_info_prepared"] = found
    return found


def _conclusions(framework: Framework, rule) -> tuple[tuple[str, Any], ...]:
    """(kind, value) of each conclusion of `rule`, once per framework object."""
    key = ("conclusions", rule.id)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = tuple((c.kind, getattr(c, c.kind)) for c in rule.then)
    return found


def _descriptions(framework: Framework, rule) -> tuple[str, ...]:
    key = ("descriptions", rule.id)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = tuple(_describe(kind, value) for kind, value in _conclusions(framework, rule))
    return found


def _describe(kind: str, value: Any) -> str:
    if kind in ("suffices", "excludes"):
        target = value.provision or (f"niveau {value.level}" if value.level is not None
                                     else "niveaus " + ", ".join(map(str, value.levels)))
        return f"{kind}: {target}"
    if kind == "deadline":
        return f"deadline: {value.id}"
    return f"{kind}: {value}"


def _ask_missing(framework: Framework, missing: MissingFacts, hv, selection) -> None:
    """Ask for the facts that decide an undecided rung, or that could still change the proposal."""
    index = framework.ladder_index.get(hv.domein)
    if index is None:
        return
    missing.explain_rules(_ask_plan(framework, hv.domein, index, selection), hv.id)


def _ask_plan(framework: Framework, domein: str, index, selection) -> tuple:
    """The rules `_ask_missing` explains for a selection, each once with the impact it is first asked with, in
    that order: those that decide an undecided rung (beslissend), then those that would exclude the proposed
    provision or set a floor above it (kan_voorstel_wijzigen). It depends only on the domain's ladder and the
    selection's undecided provisions and proposal, so it is made once per framework object for each of those."""
    proposal = selection.proposal
    chosen, chosen_level = proposal["provision"], proposal["level"]
    key = ("ask_plan", domein, tuple((p.id, p.level) for p in selection.undecided), chosen, chosen_level)
    found = framework.memo.get(key)
    if found is not None:
        return found
    plan: list[tuple[Any, str]] = []
    asked: set[str] = set()

    def ask(pairs, impact: str, kinds=("suffices", "excludes")) -> None:
        for rule, conclusion in pairs:
            if conclusion.kind in kinds and rule.id not in asked:
                asked.add(rule.id)
                plan.append((rule, impact))

    for provision in selection.undecided:
        ask(index.by_provision.get(provision.id, ()), "beslissend")
        ask(index.by_level.get(provision.level, ()), "beslissend")
    if chosen is not None:
        ask(index.by_provision.get(chosen, ()), "kan_voorstel_wijzigen", kinds=("excludes",))
        ask(index.by_level.get(chosen_level, ()), "kan_voorstel_wijzigen", kinds=("excludes",))
    if chosen_level is not None:
        ask(((r, c) for r, c in index.floors if c.floor > chosen_level), "kan_voorstel_wijzigen", kinds=("floor",))
    found = framework.memo[key] = tuple(plan)
    return found


def _deadlines(framework: Framework, case: Case, hits: list, missing: MissingFacts, dated: list[dict],
               facts: Facts | None = None) -> list[dict]:
    found: dict[str, dict] = {}
    undated: dict[str, dict] = {}
    base = facts.base if facts is not None else None
    for rule_id, hv, ref in hits:
        declared, term, terms, text = _deadline_plan(framework, ref)
        if terms is None:  # a term the verordening sets: its value on the peildatum, from the facts
            terms = term.kwargs(base)
            text = None
        start = case.melddatum if declared.from_ == "melddatum" else case.aanvraagdatum
        if start is None:
            missing.add(hv or None, declared.from_, _question(declared.from_), rule_id, "beslissend", None)
            entry = undated.setdefault(ref.id, {
                "kind": "deadline", "id": ref.id, "hulpvraag": None, "status": DATE_UNKNOWN, "rules": [],
                "waits_on": [{"fact": declared.from_, "hulpvraag": None, "question": _question(declared.from_)}],
                "title": declared.title, "legal_basis": declared.legal_basis, "from": declared.from_,
                "term": text if text is not None else describe_term(terms),
                "text": f"geldt; de datum volgt uit {declared.from_}"})
            if rule_id not in entry["rules"]:
                entry["rules"].append(rule_id)
            continue
        if terms is None:  # a term the verordening sets, without a value on the peildatum
            missing.add(hv or None, "parameter:" + term.parameter, f"Het kader heeft geen waarde voor parameter "
                        f"{term.parameter} (de termijn van {declared.title.lower()}) op de peildatum.", rule_id,
                        "beslissend", None)
            continue
        date = term_end(framework, start, declared.algemene_termijnenwet, terms)
        entry = found.get(ref.id)
        if entry is None or date < _dt.date.fromisoformat(entry["date"]):
            rules = entry["rules"] if entry else []
            found[ref.id] = {"id": ref.id, "date": date.isoformat(), "rule": rule_id, "rules": rules,
                             "title": declared.title, "from": declared.from_, "start": start.isoformat(),
                             "term": text if text is not None else describe(**terms),
                             "legal_basis": declared.legal_basis}
            entry = found[ref.id]
        if rule_id not in entry["rules"]:
            entry["rules"].append(rule_id)
    dated.extend(undated[k] for k in sorted(undated) if k not in found)
    return [found[k] for k in sorted(found, key=lambda k: (found[k]["date"], k))]


def _deadline_plan(framework: Framework, ref) -> tuple:
    """(the declared deadline, the term that applies, its keyword arguments and description, both None for a term
    the verordening sets: that one is read from the facts per case) of a rule's deadline conclusion, once per
    framework object (keyed by the conclusion, which the framework holds)."""
    key = ("deadline_plan", id(ref))
    found = framework.memo.get(key)
    if found is None or found[0] is not ref:
        declared = framework.deadlines[ref.id]
        term = ref.term or declared.term
        terms = term.kwargs(None) if term.parameter is None else None
        found = framework.memo[key] = (ref, declared, term, terms, describe(**terms) if terms is not None else None)
    return found[1:]


def _question(field: str) -> str:
    from .missing import QUESTIONS
    return QUESTIONS[field]


def _criteria_findings(framework: Framework, gemeente: str, entitlement) -> tuple[str, ...]:
    """The findings the criteria of `entitlement` read, once per framework object."""
    key = ("criteria_findings", gemeente, entitlement.id)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = tuple(dict.fromkeys(
            ref.name for criterion in entitlement.criteria for ref in finding_refs(criterion.when)))
    return found


def _entitlements_of(framework: Framework, gemeente: str) -> tuple:
    """framework.entitlements_for(gemeente), once per framework object and municipality."""
    key = ("entitlements_for", gemeente)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = tuple(framework.entitlements_for(gemeente))
    return found


_PLANS_KEPT = 4096  # entitlement plans remembered per framework object; then the memory starts over


def _entitlement_plan(framework: Framework, gemeente: str, hulpvragen) -> tuple:
    """The entitlements of the municipality that can apply to a case with these hulpvragen, in order, each as
    (entitlement, whether `applies()` must still look at the proposals (an eigen bijdrage), the position of the
    first hulpvraag of its domain and onderwerp or None when it names no onderwerp or the case has none): an
    entitlement of a domain the case has no hulpvraag in never applies, one without an eigen bijdrage applies when
    the case has a hulpvraag of its domain (and onderwerp). Once per framework object, municipality and the
    hulpvragen's domains and onderwerpen."""
    kinds = tuple((hv.domein, hv.onderwerp) for hv in hulpvragen)
    plans = framework.memo.get("entitlement_plans")
    if plans is None:
        plans = framework.memo["entitlement_plans"] = {}
    found = plans.get((gemeente, kinds))
    if found is None:
        domains = {domein for domein, _ in kinds}
        plan = []
        for entitlement in _entitlements_of(framework, gemeente):
            requires = entitlement.requires
            if requires.domein not in domains:
                continue
            check = requires.eigen_bijdrage is not None
            if not check and not any(domein == requires.domein and (not requires.onderwerp
                                                                    or onderwerp in requires.onderwerp)
                                     for domein, onderwerp in kinds):
                continue
            first = next((i for i, (domein, onderwerp) in enumerate(kinds) if requires.onderwerp
                          and domein == requires.domein and onderwerp in requires.onderwerp), None)
            plan.append((entitlement, check, first))
        if len(plans) >= _PLANS_KEPT:
            plans.clear()
        found = plans[(gemeente, kinds)] = tuple(plan)
    return found


def _concerned(case: Case, requires) -> set[str]:
    """The hulpvragen an entitlement is about: those of its domain (and onderwerp, where it names them)."""
    return {hv.id for hv in case.hulpvragen
            if hv.domein == requires.domein and (not requires.onderwerp or hv.onderwerp in requires.onderwerp)}


def _entitlements(framework: Framework, case: Case, gemeente: str, facts: Facts, proposals: list[dict],
                  denials: dict[str, list[str]], missing: MissingFacts, fired: set[tuple[str, str]],
                  denied_for: dict[str, dict[str, list[str]]] | None = None) -> list[dict]:
    results = []
    hulpvragen = case.hulpvragen
    for entitlement, check, first in _entitlement_plan(framework, gemeente, hulpvragen):
        if check and not applies(framework, entitlement, case, proposals, facts.base):
            continue
        if entitlement.per == "client":
            denied_here = (denied_for or {}).get(entitlement.id, {})
            pending_for: dict[str, list] = {}
            for rule in denying_rules(framework, entitlement.id):
                for hv in targets(case, rule):
                    if not denied_here.get(hv) and undecided(missing, rule, hv, fired):
                        pending_for.setdefault(hv, []).append(rule)
            results.append(per_client(framework, entitlement, case, facts, proposals, denied_here, missing,
                                      pending_for))
            continue
        requires = entitlement.requires
        hulpvraag = hulpvragen[first] if first is not None else None  # the first of its onderwerp, if it names one
        env = facts.hulpvraag(hulpvraag, framework) if hulpvraag is not None else facts.base
        known = {}
        for name in _criteria_findings(framework, gemeente, entitlement):
            status = missing.finding(name, "")
            if status is not UNKNOWN:
                known["finding:" + name] = status
        if known:  # the findings go into a copy: the facts themselves stay as the case gave them
            env = {**env, **known}
        denied = denials.get(entitlement.id, [])
        pending: list[tuple[Any, str]] = []  # denying rules the case cannot decide yet, with their hulpvraag
        if not denied:
            concerned = _concerned(case, requires)
            for rule in denying_rules(framework, entitlement.id):
                pending += [(rule, hv) for hv in targets(case, rule)
                            if (hv == "" or hv in concerned) and undecided(missing, rule, hv, fired)]
        result = evaluate_entitlement(entitlement, env, denied, list(dict.fromkeys(r.id for r, _ in pending)))
        if result["eligible"] is None:
            result["waits_on"] = waits_on(missing, entitlement, result, env, hulpvraag.id if hulpvraag else "", pending)
        elif result["eligible"] and result["bedrag"] is None and not entitlement.in_kind:
            # eligible, but the amount cannot be computed (a parameter without a value, e.g. te verifiëren): say why
            for name, node, _ in entitlement.amounts:
                if name == "bedrag":
                    missing.explain_formula(node, env, hulpvraag.id if hulpvraag else "",
                                            f"{entitlement.id}.bedrag", "beslissend")
        results.append(result)
    return results

"""Which facts are still missing to decide, and why.

A rule that did not fire may have been false, or undecidable because the case
does not give a fact it needs. Its condition is evaluated again here, in Python
with three-valued logic, and when the outcome is UNKNOWN its missing inputs are
traced back (through derived facts and chained findings) to facts an assessor
can supply. Only rules that could change an open outcome are asked: those that
decide an undecided rung, exclude the proposed provision or set a floor above it.
"""

from __future__ import annotations

from typing import Any

from engine.language.calc import UNKNOWN, compile_closure
from engine.language.framework import Framework, RuleDef
from engine.language.ir import IfExp, references
from engine.language.undetermined import which as which_undetermined

from .case import Case

QUESTIONS = {
    "casus.inkomen": "Wat is het netto inkomen van de aanvrager en zijn partner per maand? (inkomen)",
    "huishouden.inkomen": "Wat is het netto inkomen per maand van iedereen in het huishouden? (inkomen)",
    "casus.vermogen": "Wat is het in aanmerking te nemen vermogen van het huishouden? (vermogen.totaal)",
    "huishouden.woonsituatie": "Wat is de woonsituatie? (huishouden.woonsituatie)",
    "melddatum": "Op welke datum is de melding gedaan? (melddatum)",
    "aanvraagdatum": "Op welke datum is de aanvraag ontvangen? (aanvraagdatum)",
}

# the income sums per purpose (kader.yaml inkomenssoorten) all come from the case's `inkomen`: one question
INCOME_PURPOSES = ("casus.inkomen_bijzondere_bijstand", "casus.inkomen_minima", "casus.inkomen_wmo_bijdrage")


class MissingFacts:
    def __init__(self, framework: Framework, case: Case, facts: Any, produced: set[tuple[str, str]],
                 groups_run: set[str], peildatum):
        self.framework = framework
        self.case = case
        self.facts = facts
        self.produced = produced
        self.groups_run = groups_run
        self.peildatum = peildatum
        self._status: dict[tuple[str, str], Any] = {}
        self.items: dict[tuple, dict] = {}
        self._collect: list[tuple] | None = None  # while set, (key, entry) of what `add` is asked to record
        self._keep = True  # False: `add` only collects, the missing facts stay as they are
        self._hulpvragen: dict[str, Any] = {}  # hulpvraag id -> the (first) hulpvraag with that id
        # (id of the environment, the known findings) -> (that environment, its copy with those findings): rules
        # that read the same findings share one copy instead of each copying the whole environment
        self._with_findings: dict[tuple, tuple[dict, dict]] = {}
        for hulpvraag in case.hulpvragen:
            self._hulpvragen.setdefault(hulpvraag.id, hulpvraag)

    def collect(self, rule: RuleDef, hv: str, impact: str, *, keep: bool = True) -> list[dict]:
        """Record the missing inputs of `rule` for `hv` (as `explain_rule`) and return them."""
        return self.gather(lambda: self.explain_rule(rule, hv, impact), keep=keep)

    def gather(self, record, *, keep: bool = True) -> list[dict]:
        """Run `record()` (which records missing inputs) and return what it recorded, each once:
        {fact, hulpvraag, persoon?, question}. With `keep=False` nothing is recorded in the missing facts
        (for an outcome, such as a check, whose facts are named with it but not asked as questions)."""
        outer, outer_keep = self._collect, self._keep
        self._collect, self._keep = [], keep and outer_keep
        found: list = []
        try:
            record()
            found = self._collect
        finally:
            self._collect, self._keep = outer, outer_keep
            if outer is not None:
                outer.extend(found)  # a gather inside another one: the outer sees these facts too
        result: dict[tuple, dict] = {}
        for key, entry in found:
            result.setdefault(key, entry)
        return list(result.values())

    # -- findings
    def finding(self, name: str, hv: str) -> Any:
        scope_hv = hv if self.framework.finding_scopes.get(name) == "hulpvraag" else ""
        key = (name, scope_hv)
        if key in self.produced:
            return True
        if key in self._status:
            return self._status[key]
        self._status[key] = False  # provisional, breaks cycles
        outcome: Any = False
        for rule in self._producers(name, scope_hv):
            value = self.condition(rule, scope_hv)
            if value is UNKNOWN:
                outcome = UNKNOWN
        self._status[key] = outcome
        return outcome

    def _producers(self, name: str, hv: str) -> list[RuleDef]:
        result = []
        hv_domain = self._domain(hv)
        for rule in self.framework.producers.get(name, ()):
            if rule.group not in self.groups_run or not rule.valid_on(self.peildatum):
                continue
            if hv and rule.group != hv_domain:
                continue
            result.append(rule)
        return result

    def _domain(self, hv: str) -> str | None:
        hulpvraag = self._hulpvragen.get(hv)
        return hulpvraag.domein if hulpvraag is not None else None

    def env(self, rule: RuleDef, hv: str) -> dict:
        if hv and rule.scope == "hulpvraag":
            # Facts keeps the environment per hulpvraag (and makes it again after Facts.complete)
            env = self.facts.hulpvraag(self._hulpvragen[hv], self.framework)
        else:
            env = self.facts.base
        if not rule.finding_refs:
            return env  # read only: the shared environment needs no copy
        known = []
        for ref in rule.finding_refs:
            value = self.finding(ref.name, hv)
            if value is not UNKNOWN:
                known.append(("finding:" + ref.name, value))
        # keyed by the content it adds (never by the rule): a copy made while a cycle of findings was being
        # broken holds the values it was made with, and is found again only for those same values; the size
        # of the environment is in the key because facts.complete() adds the derived facts it had left out
        key = (id(env), len(env), tuple(known))
        found = self._with_findings.get(key)
        if found is None or found[0] is not env:
            copy = dict(env)
            copy.update(known)
            found = self._with_findings[key] = (env, copy)
        return found[1]

    def condition(self, rule: RuleDef, hv: str) -> Any:
        return rule.evaluate(self.env(rule, hv))

    # -- missing inputs
    def explain_rule(self, rule: RuleDef, hv: str, impact: str) -> None:
        """If `rule` is undecidable for `hv`, record the inputs it lacks."""
        if rule.group not in self.groups_run or not rule.valid_on(self.peildatum):
            return
        env = self.env(rule, hv)
        if rule.evaluate(env) is not UNKNOWN:
            return
        self.explain_inputs(rule, hv, env, impact)

    def explain_rules(self, plan, hv: str) -> None:
        """`explain_rule(rule, hv, impact)` for each (rule, impact) of `plan`, in order."""
        groups_run, peildatum, explain_inputs = self.groups_run, self.peildatum, self.explain_inputs
        for rule, impact in plan:
            if rule.group not in groups_run or not rule.valid_on(peildatum):
                continue
            env = self.env(rule, hv)
            if rule.evaluate(env) is UNKNOWN:
                explain_inputs(rule, hv, env, impact)

    def collect_undecided(self, rule: RuleDef, hv: str, env: dict, impact: str, *, keep: bool = True) -> list[dict]:
        """`collect` for a rule the caller found UNKNOWN in `env` (= self.env(rule, hv)), for `hv`, in a group that
        ran and on a day it is valid: the same, without evaluating the rule again."""
        return self.gather(lambda: self.explain_inputs(rule, hv, env, impact), keep=keep)

    def explain_inputs(self, rule: RuleDef, hv: str, env: dict, impact: str) -> None:
        """Record the inputs that `rule`, UNKNOWN for `hv` in `env` (= self.env(rule, hv)), lacks."""
        for key in _sorted_references(self.framework, rule):
            if key not in env:
                self._trace(key, env, hv, rule.id, impact, set())
        for ref in rule.finding_refs:
            if self.finding(ref.name, hv) is UNKNOWN:
                scope_hv = hv if self.framework.finding_scopes.get(ref.name) == "hulpvraag" else ""
                for producer in self._producers(ref.name, scope_hv):
                    self.explain_rule(producer, scope_hv, impact)

    def explain_expression(self, node: Any, env: dict, hv: str, cause: str, impact: str) -> None:
        for key in sorted(references(node)):
            self._trace(key, env, hv, cause, impact, set())

    def explain_formula(self, node: Any, env: dict, hv: str, cause: str, impact: str) -> None:
        """Like explain_expression, but only along the branches of `x if c else y` that the case takes."""
        if isinstance(node, IfExp):
            test = compile_closure(node.test)(env)
            if test is UNKNOWN:
                self.explain_expression(node.test, env, hv, cause, impact)
                return
            self.explain_formula(node.then if test else node.orelse, env, hv, cause, impact)
            return
        self.explain_expression(node, env, hv, cause, impact)

    def _trace(self, key: str, env: dict, hv: str, cause: str, impact: str, seen: set) -> None:
        if key in env or key in seen:
            return
        seen.add(key)
        framework = self.framework
        (base_key, alias, of_person, derived, reads, is_parameter, info, keyed, asked_key, question,
         scoped) = _trace_plan(framework, key, self._domain(hv) if hv else None)
        person = None
        if alias is not None:
            match = next((p for p in self.case.personen if p.rol == alias), None)
            person = match.id if match else None
        if of_person and person is None and hv:
            hulpvraag = self._hulpvragen.get(hv)
            person = hulpvraag.persoon if hulpvraag else None
        if derived is not None:
            undetermined = which_undetermined(derived, env)
            if undetermined is not None:  # the law leaves it open: say why and what would decide it, not its inputs
                scoped_hv = hv if of_person else None
                self.add(scoped_hv, "onbepaald:" + key, undetermined.reason[:1].upper() + undetermined.reason[1:],
                         cause, impact, person if of_person else None, legal_basis=undetermined.legal_basis)
                return
            for inner in reads:
                self._trace(inner, env, hv, cause, impact, seen)
            return
        if is_parameter:
            reason = getattr(self.facts, "parameters_pending", {}).get(key)
            text = f"Het kader heeft geen waarde voor parameter {key} op de peildatum {self.peildatum}"
            self.add(hv, "parameter:" + key, text + (f": te verifiëren ({reason})." if reason else "."),
                     cause, impact, None)
            return
        if of_person and person is not None and self.facts.persons.get(person, {}).get(base_key) is not None:
            return
        if info is not None and info.onderwerpen and base_key.startswith("hulpvraag.") and hv:
            hulpvraag = self._hulpvragen.get(hv)
            if hulpvraag is not None and hulpvraag.onderwerp not in info.onderwerpen:
                return  # the framework asks this fact only for other onderwerpen: it cannot apply here
        if keyed is not None:
            parameter = framework.parameters[keyed]
            self.add(hv, "parameter:" + keyed, f"Het kader heeft geen waarde voor parameter {keyed} bij de "
                     f"{parameter.key.split('.', 1)[1]} van deze persoon of casus.", cause, impact, None)
            return
        if question is None:
            return  # computed by the engine from other facts, not something to ask
        self.add(hv if scoped else None, asked_key, question, cause, impact, person)

    def add(self, hv: str | None, fact: str, question: str, cause: str, impact: str, person: str | None, *,
            legal_basis: str | None = None) -> None:
        key = (hv or "", fact, person or "")
        if self._collect is not None:
            entry = {"fact": fact, "hulpvraag": hv or None, "question": question}
            if person:
                entry["persoon"] = person
            if legal_basis:
                entry["legal_basis"] = legal_basis
            self._collect.append((key, entry))
            if not self._keep:
                return
        item = self.items.get(key)
        if item is None:
            item = {"hulpvraag": hv or None, "fact": fact, "question": question}
            if person:
                item["persoon"] = person
            if legal_basis:
                item["legal_basis"] = legal_basis  # an `onbepaald:` entry: where the law leaves the value open
            item["impact"] = impact
            item["rules"] = []
            self.items[key] = item
        elif impact == "beslissend":
            item["impact"] = impact
        if cause not in item["rules"]:
            item["rules"].append(cause)

    def result(self) -> list[dict]:
        rules = self.framework.rules
        for item in self.items.values():  # the rules in the framework's order, however they were found
            if len(item["rules"]) > 1:
                item["rules"].sort(key=lambda r: rules[r].order if r in rules else len(rules))
        order = {"beslissend": 0, "kan_voorstel_wijzigen": 1}
        return [self.items[k] for k in sorted(self.items, key=lambda k: (order.get(self.items[k]["impact"], 2), k))]


def _trace_plan(framework: Framework, key: str, domain: str | None) -> tuple:
    """What `MissingFacts._trace` reads of the framework for a missing `key` of a hulpvraag of `domain` (None for
    the casus), once per framework object: (the fact's own name `persoon.x` for `aanvrager.x`/`partner.x`, that
    alias or None, whether it is a person's fact, its derived fact or None, the keys that derived fact reads,
    whether `key` is a parameter, the declared fact or None, the keyed parameter it is read from or None, the key
    it is asked as, its question or None when it is computed and not asked, whether it is asked per hulpvraag)."""
    memo_key = ("trace_plan", key, domain)
    found = framework.memo.get(memo_key)
    if found is None:
        base_key, alias = key, None
        for name in ("aanvrager", "partner"):
            if key.startswith(name + "."):
                base_key, alias = "persoon." + key[len(name) + 1:], name
        derived = _derived_by_key(framework).get(base_key)
        reads = _derived_reads(framework)[base_key] if derived is not None else ()
        info = framework.fact(base_key, domain) or framework.facts.get(base_key)
        keyed = getattr(framework, "keyed", {}).get(base_key)
        asked_key = "casus.inkomen" if base_key in INCOME_PURPOSES else base_key  # one list of incomes
        if asked_key in QUESTIONS:
            question = QUESTIONS[asked_key]
        elif info is not None and info.declared_in is not None:
            question = info.label
        else:
            question = None
        found = framework.memo[memo_key] = (
            base_key, alias, base_key.startswith("persoon."), derived, reads, key in framework.parameters, info,
            keyed, asked_key, question, asked_key.startswith(("hulpvraag.", "persoon.")))
    return found


def _derived_by_key(framework: Framework) -> dict[str, Any]:
    """Derived fact key -> its (first) definition, once per framework object: `_trace` looks one up per input."""
    found = framework.memo.get("missing_derived_by_key")
    if found is None:
        found = {}
        for derived in framework.derived:
            found.setdefault(derived.key, derived)
        framework.memo["missing_derived_by_key"] = found
    return found


def _sorted_references(framework: Framework, rule: RuleDef) -> tuple[str, ...]:
    """The facts a rule's condition reads, sorted, once per framework object."""
    key = ("sorted_references", rule.id)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = tuple(sorted(rule.references))
    return found


def _derived_reads(framework: Framework) -> dict[str, tuple[str, ...]]:
    """Derived fact key -> what its formula reads, part by part (condition, value), each part's references
    sorted: the order in which `_trace` follows them; once per framework object. The first derived fact with a
    key counts, as in the framework's list."""
    found = framework.memo.get("missing_derived_reads")
    if found is None:
        found = {}
        for derived in framework.derived:
            if derived.key in found:
                continue
            reads: list[str] = []
            for condition, value in derived.parts:
                for node in (condition, value):
                    if node is not None and hasattr(node, "__dataclass_fields__"):
                        reads.extend(sorted(references(node)))
            found[derived.key] = tuple(reads)
        framework.memo["missing_derived_reads"] = found
    return found

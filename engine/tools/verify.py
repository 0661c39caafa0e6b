"""`kader verify`: prove with z3 that the framework has no conflicts, gaps or dead rules, or show a household that does.

For each domain, municipality and the peildatum, `engine.tools.verify_model` translates the rules, derived facts and
findings into z3 terms over one household. On those terms this module asks:

- conflict: two rules that fire for the same hulpvraag, one says a provision suffices, the other excludes it (the
  engine resolves this silently: exclusion wins); and a floor that leaves nothing to propose although a lighter rung
  would suffice;
- dead rule: a rule no household makes fire; unreachable provision: a provision no household gets proposed;
  an entitlement criterion that is never met, or never not met;
- gap: an onderwerp for which a household with every fact known gets no proposal (an undecided rung, or every
  candidate excluded);
- room: a difference between municipalities in a proposal that no override point, local provision or rule that
  reads an override point explains (the proof form of `kader compare-gemeenten`).

Every finding that exists for some household comes with that household as a case file `kader assess` accepts, and
that case is assessed by the real engine here: `confirmed` says whether the engine shows the problem. What the
translation does not cover is reported per rule, never skipped silently; a query that hits the time-out is reported.
"""

from __future__ import annotations

import datetime as _dt
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import z3
from dateutil.relativedelta import relativedelta

from engine.evaluation.select import NO_PROPOSAL
from engine.language.framework import INTEGRAAL, Framework
from engine.language.registry import INKOMENSSOORTEN, VERWIJZERS, WOONSITUATIES

from .verify_model import FALSE, TRUE, HouseholdModel, Untranslatable

CONFLICT, FLOOR, DEAD, UNREACHABLE, NEVER, ALWAYS, GAP, ROOM, TIMEOUT, UNTRANSLATED = (
    "conflict", "ondergrens_zonder_voorstel", "dode_regel", "onbereikbare_voorziening", "criterium_nooit",
    "criterium_altijd", "gat", "ruimte", "time-out", "niet_vertaald")
TITLES = {
    CONFLICT: "conflict: volstaat en uitgesloten voor dezelfde voorziening",
    FLOOR: "conflict: ondergrens laat niets over om voor te stellen",
    DEAD: "dode regel: geen huishouden laat deze regel vuren",
    UNREACHABLE: "onbereikbare voorziening: geen huishouden krijgt deze voorgesteld",
    NEVER: "criterium nooit vervuld",
    ALWAYS: "criterium altijd vervuld (nooit onwaar)",
    GAP: "gat: alle feiten bekend en toch geen voorstel",
    ROOM: "ruimte: voorstel verschilt tussen gemeenten zonder toegestane oorzaak",
    TIMEOUT: "time-out: de solver besliste deze vraag niet binnen de tijd",
    UNTRANSLATED: "niet vertaald",
}


@dataclass
class Finding:
    kind: str
    message: str
    domain: str
    rules: list[tuple[str, str]] = field(default_factory=list)  # (rule id, file:line:col)
    onderwerp: str | None = None
    provision: str | None = None
    gemeenten: list[str] = field(default_factory=list)
    witness: dict | None = None
    confirmed: bool | None = None  # the real engine shows the problem for the witness (None: no witness)
    engine: str | None = None  # what the engine said about the witness
    witness_file: str | None = None  # where the witness was written (--witnesses)
    compare: tuple[str, str] | None = None  # room: the two municipalities the witness is assessed in

    onderwerpen: list[str] = field(default_factory=list)  # every onderwerp it occurs for (conflicts, floors)

    @property
    def key(self) -> tuple:
        onderwerp = None if self.kind in (CONFLICT, FLOOR) else self.onderwerp
        return (self.kind, self.domain, onderwerp, self.provision, tuple(r for r, _ in self.rules))

    def to_json(self) -> dict:
        data: dict[str, Any] = {"kind": self.kind, "title": TITLES[self.kind], "message": self.message,
                                "domain": self.domain, "gemeenten": self.gemeenten,
                                "rules": [{"id": r, "at": at} for r, at in self.rules]}
        if self.onderwerp:
            data["onderwerp"] = self.onderwerp
        if self.onderwerpen:
            data["onderwerpen"] = self.onderwerpen
        if self.provision:
            data["provision"] = self.provision
        if self.witness is not None:
            data["witness"] = self.witness
            data["confirmed_by_engine"] = self.confirmed
            data["engine"] = self.engine
        if self.witness_file:
            data["witness_file"] = self.witness_file
        return data


@dataclass
class Report:
    rules_dir: str
    peildatum: _dt.date
    gemeenten: list[str]
    findings: list[Finding]
    queries: int
    seconds: float
    timeout_ms: int
    base: str | None = None
    base_findings: int | None = None
    extra_persons: int = 2

    def to_json(self) -> dict:
        return {"rules": self.rules_dir, "peildatum": self.peildatum.isoformat(), "gemeenten": self.gemeenten,
                "base": self.base, "base_findings": self.base_findings, "queries": self.queries,
                "seconds": round(self.seconds, 2), "timeout_per_query_ms": self.timeout_ms,
                "household": {"extra_persons": self.extra_persons, "max_age_years": 110,
                              "declared_numbers_nonnegative": True},
                "findings": [f.to_json() for f in self.findings]}


class _Verifier:
    def __init__(self, framework: Framework, peildatum: _dt.date, timeout_ms: int, extra: int):
        self.fw, self.peildatum, self.timeout_ms, self.extra = framework, peildatum, timeout_ms, extra
        self.queries = 0
        self.findings: dict[tuple, Finding] = {}

    # ------------------------------------------------------------------ solving
    def solve(self, model: HouseholdModel, *goal: Any) -> tuple[str, Any]:
        solver = getattr(model, "solver", None)
        if solver is None:
            solver = model.solver = z3.Solver()
            solver.set("timeout", self.timeout_ms)
            solver.add(*model.constraints)
        solver.push()
        try:
            solver.add(*goal)
            self.queries += 1
            result = solver.check()
            if result == z3.sat:
                return "sat", solver.model()
            if result == z3.unsat:
                return "unsat", None
            reason = solver.reason_unknown()
        finally:
            solver.pop()
        # An incremental solver (push/pop) keeps less of z3's preprocessing, which matters for the few nonlinear
        # terms (the kostendelersnorm divides by a number of persons): one fresh attempt before a time-out is reported.
        fresh = z3.Solver()
        fresh.set("timeout", self.timeout_ms)
        fresh.add(*model.constraints)
        fresh.add(*goal)
        self.queries += 1
        result = fresh.check()
        if result == z3.sat:
            return "sat", fresh.model()
        if result == z3.unsat:
            return "unsat", None
        return "unknown", reason + "; " + fresh.reason_unknown()

    def add(self, finding: Finding, gemeente: str) -> Finding:
        found = self.findings.get(finding.key)
        if found is None:
            self.findings[finding.key] = found = finding
        if gemeente not in found.gemeenten:
            found.gemeenten.append(gemeente)
        if finding.kind in (CONFLICT, FLOOR) and finding.onderwerp not in found.onderwerpen:
            found.onderwerpen.append(finding.onderwerp)
        return found

    def at(self, rule) -> tuple[str, str]:
        return rule.id, str(rule.span)

    def timeout(self, model: HouseholdModel, what: str, rules, reason) -> None:
        self.add(Finding(TIMEOUT, f"{what}: niet beslist binnen {self.timeout_ms} ms ({reason})", model.domain,
                         [self.at(r) for r in rules]), model.gemeente)

    # ------------------------------------------------------------------ the ladder
    def rules_of(self, domain: str):
        return [r for r in self.fw.rules.values() if r.group == domain and r.valid_on(self.peildatum)]

    def targeting(self, model: HouseholdModel, kind: str, provision) -> list:
        found = []
        for rule in self.rules_of(model.domain):
            if rule.scope != "hulpvraag":
                continue
            for conclusion in rule.then:
                if conclusion.kind != kind:
                    continue
                target = conclusion.value
                if target.provision == provision.id or provision.level in target.levels_set():
                    found.append(rule)
                    break
        return found

    @staticmethod
    def by_level(rule, provision) -> bool:
        """Whether `rule` excludes `provision` only through its level (a whole rung, not the provision by name)."""
        return not any(c.kind == "excludes" and c.value.provision == provision.id for c in rule.then)

    def floors(self, model: HouseholdModel) -> list[tuple[Any, int]]:
        return [(rule, c.floor) for rule in self.rules_of(model.domain) if rule.scope == "hulpvraag"
                for c in rule.then if c.kind == "floor"]

    def ladder(self, model: HouseholdModel, onderwerp: str) -> dict:
        """The walk of engine.evaluation.select as z3 terms, for a hulpvraag with `onderwerp`."""
        candidates = self.fw.provisions_for(model.domain, onderwerp, model.gemeente)
        fires = model.fires
        excl = {p.id: z3.Or([fires(r) for r in self.targeting(model, "excludes", p)] or [FALSE]) for p in candidates}
        suff = {p.id: z3.Or([fires(r) for r in self.targeting(model, "suffices", p)] or [FALSE]) for p in candidates}
        floors = self.floors(model)
        reach: Any = TRUE
        chosen: dict[str, Any] = {}
        undecided: list[Any] = []
        ok = {p.id: z3.And(z3.Not(excl[p.id]), suff[p.id]) for p in candidates}
        under: dict[int, Any] = {}  # level -> below a floor that fires
        for rung in self.fw.ladder:
            here = [p for p in candidates if p.level == rung.level]
            below = under[rung.level] = z3.Or([fires(r) for r, level in floors if level > rung.level] or [FALSE])
            if not here:
                continue
            earlier: list[Any] = []
            for p in here:
                chosen[p.id] = z3.And(reach, z3.Not(below), ok[p.id], *[z3.Not(e) for e in earlier])
                earlier.append(ok[p.id])
            any_ok = z3.Or(earlier)
            any_open = z3.Or([z3.And(z3.Not(excl[p.id]), z3.Not(suff[p.id])) for p in here])
            undecided.append(z3.And(reach, z3.Not(below), z3.Not(any_ok), any_open))
            reach = z3.And(reach, z3.Or(below, z3.And(z3.Not(any_ok), z3.Not(any_open))))
        return {"candidates": candidates, "excl": excl, "suff": suff, "ok": ok, "chosen": chosen,
                "undecided": z3.Or(undecided or [FALSE]), "nothing": reach, "below": under,
                "proposal": z3.Or(list(chosen.values()) or [FALSE])}

    # ------------------------------------------------------------------ analyses
    def run_domain(self, domain: str, gemeente: str, alive: set[str], reachable: set[str]) -> None:
        model = HouseholdModel(self.fw, domain, gemeente, self.peildatum, self.extra)
        rules = self.rules_of(domain)
        for rule in rules:  # dead rules (translate first: untranslated rules are reported)
            model.fires(rule)
        for rule in rules:
            if rule.id in alive or rule.id in model.untranslated:
                continue
            status, found = self.solve(model, model.fires(rule))
            if status == "sat":
                alive.add(rule.id)
            elif status == "unknown":
                self.timeout(model, f"vuurt regel {rule.id} ooit", [rule], found)
                alive.add(rule.id)
        for rule_id, reason in model.untranslated.items():
            rule = self.fw.rules[rule_id]
            self.add(Finding(UNTRANSLATED, f"niet vertaald: {reason}; de analyses nemen aan dat deze regel wel of "
                             "niet kan vuren", domain, [self.at(rule)]), gemeente)
        if domain == INTEGRAAL:
            return
        for onderwerp in self.fw.domains[domain].onderwerpen:
            self.run_onderwerp(model, onderwerp, reachable)
        self.run_entitlements(model)

    def run_onderwerp(self, model: HouseholdModel, onderwerp: str, reachable: set[str]) -> None:
        topic = model.onderwerp == model.intern(onderwerp)
        ladder = self.ladder(model, onderwerp)
        domain = model.domain
        for p in ladder["candidates"]:  # conflicts: suffices and excludes for one provision
            for rs in self.targeting(model, "suffices", p):
                for re_ in self.targeting(model, "excludes", p):
                    if rs.id == re_.id:
                        continue
                    status, found = self.solve(model, topic, model.fires(rs), model.fires(re_))
                    if status == "unknown":
                        self.timeout(model, f"conflict {rs.id} / {re_.id}", [rs, re_], found)
                    if status != "sat":
                        continue
                    how = "op niveau" if self.by_level(re_, p) else "bij naam"
                    finding = Finding(CONFLICT, f"{rs.id} zegt dat {p.id} volstaat en {re_.id} sluit hem {how} uit "
                                      "(de engine laat de uitsluiting winnen)", domain,
                                      [self.at(rs), self.at(re_)], onderwerp, p.id)
                    finding = self.add(finding, model.gemeente)
                    if finding.witness is None:
                        finding.witness = self.witness(model, found, onderwerp,
                                                       goals=(topic, model.fires(rs), model.fires(re_)))
            if p.id not in reachable:
                status, found = self.solve(model, topic, ladder["chosen"][p.id])
                if status == "sat":
                    reachable.add(p.id)
                elif status == "unknown":
                    self.timeout(model, f"wordt {p.id} ooit voorgesteld", [], found)
                    reachable.add(p.id)
        for rule, level in self.floors(model):  # floors that leave nothing to propose
            lighter = [ladder["ok"][p.id] for p in ladder["candidates"] if p.level < level]
            if not lighter:
                continue
            status, found = self.solve(model, topic, model.fires(rule), ladder["nothing"], z3.Or(lighter))
            if status == "unknown":
                self.timeout(model, f"ondergrens {rule.id}", [rule], found)
            elif status == "sat":
                finding = self.add(Finding(FLOOR, f"{rule.id} legt ondergrens {level} op terwijl een "
                                           "lichtere voorziening volstaat, en op of boven de ondergrens is niets voor "
                                           "te stellen", domain, [self.at(rule)], onderwerp), model.gemeente)
                if finding.witness is None:
                    finding.witness = self.witness(model, found, onderwerp, goals=(
                        topic, model.fires(rule), ladder["nothing"], z3.Or(lighter)))
        self.gaps(model, onderwerp, topic, ladder)

    def gaps(self, model: HouseholdModel, onderwerp: str, topic: Any, ladder: dict, causes: int = 3) -> None:
        """Households with every fact known and no proposal, in two kinds, each asked for on its own: the walk stops at
        a rung no rule decides (one finding per undecided set of provisions), or every provision is excluded or below
        a floor (where a sufficient provision was excluded, the rules that excluded it and the floors are the cause).
        Up to `causes` of each kind are reported."""
        domain = model.domain
        floors = [r for r, _ in self.floors(model)]
        known = z3.And(model.known_vars)
        if not ladder["candidates"]:
            status, found = self.solve(model, topic, known)
            if status == "sat":
                finding = self.add(Finding(GAP, f"{domain}/{onderwerp}: het kader kent geen voorziening voor dit "
                                           "onderwerp", domain, [], onderwerp), model.gemeente)
                if finding.witness is None:
                    finding.witness = self.witness(model, found, onderwerp, all_known=True, goals=(topic, known))
            return
        for kind in ("undecided", "nothing"):
            blocked: list[Any] = []
            for _ in range(causes):
                goals = (topic, known, ladder[kind], *blocked)
                status, found = self.solve(model, *goals)
                if status == "unknown":
                    self.timeout(model, f"gat bij {onderwerp}", [], found)
                    break
                if status != "sat":
                    break

                def true(term: Any, found: Any = found) -> bool:
                    return z3.is_true(found.eval(term, model_completion=True))
                rules: list = []
                provision = None
                if kind == "undecided":
                    open_ = [p for p in ladder["candidates"] if not true(z3.Or(ladder["excl"][p.id], ladder["suff"][p.id],
                                                                                ladder["below"][p.level]))]
                    open_ = [p.id for p in open_ if p.level == min(q.level for q in open_)]  # where the walk stops
                    what = "geen regel beslist over " + ", ".join(open_)
                    provision = ", ".join(open_)
                    cause = z3.And(*[z3.And(z3.Not(ladder["excl"][p]), z3.Not(ladder["suff"][p])) for p in open_])
                else:
                    overridden = [p for p in ladder["candidates"] if true(ladder["suff"][p.id]) and true(ladder["excl"][p.id])]
                    rules = [r for p in overridden for r in self.targeting(model, "excludes", p) if true(model.fires(r))]
                    rules += [r for r in floors if true(model.fires(r))]
                    rules = list(dict.fromkeys(rules))
                    if rules:
                        what = ("elke voorziening is uitgesloten of ligt onder een ondergrens; uitgesloten hoewel een "
                                "regel zegt dat ze volstaan: " + ", ".join(p.id for p in overridden))
                        cause = z3.And([model.fires(r) for r in rules])
                    else:
                        what = "elke voorziening is uitgesloten en geen regel zegt dat er een volstaat"
                        cause = z3.Not(z3.Or([ladder["suff"][p.id] for p in ladder["candidates"]]))
                finding = self.add(Finding(GAP, f"{domain}/{onderwerp}: met alle feiten bekend volgt geen voorstel: "
                                           f"{what}", domain, [self.at(r) for r in rules], onderwerp, provision),
                                   model.gemeente)
                if finding.witness is None:
                    finding.witness = self.witness(model, found, onderwerp, all_known=True, goals=goals + (cause,))
                blocked.append(z3.Not(cause))

    def run_room(self, domain: str, first: str, second: str) -> None:
        """Room respected: with every override point free within its bounds in each municipality, a rule that reads
        no override point fires alike in both, and the proposal differs only where such a rule or a local provision
        makes it differ (the proof form of `kader compare-gemeenten`)."""
        from .harmonisation import dependencies
        strings: dict[str, int] = {}
        a = HouseholdModel(self.fw, domain, first, self.peildatum, self.extra, room="A", strings=strings)
        b = HouseholdModel(self.fw, domain, second, self.peildatum, self.extra, room="B", strings=strings)
        pair = HouseholdModel.__new__(HouseholdModel)
        pair.constraints, pair.domain, pair.gemeente = a.constraints + b.constraints, domain, f"{first}/{second}"
        deps = dependencies(self.fw).rules
        rules = self.rules_of(domain)
        where = f"{first}/{second}"
        for rule in rules:
            points = deps.get(rule.id, frozenset()) - {"casus.gemeente"}
            if points:
                continue  # municipal room: an override point may make it differ
            status, found = self.solve(pair, z3.Xor(a.fires(rule), b.fires(rule)))
            if status == "unknown":
                self.timeout(pair, f"ruimte bij {rule.id}", [rule], found)
            elif status == "sat":
                finding = self.add(Finding(ROOM, f"{rule.id} leest geen override-punt en vuurt toch anders in "
                                           f"{first} dan in {second}", domain, [self.at(rule)]), where)
                if finding.witness is None:
                    self.room_witness(finding, a, b, found, None)
        allowed = [z3.Or(z3.And(a.fires(r), b.fires(r)), z3.And(z3.Not(a.fires(r)), z3.Not(b.fires(r))))
                   for r in rules if deps.get(r.id, frozenset()) - {"casus.gemeente"}]
        for onderwerp in (self.fw.domains[domain].onderwerpen if domain != INTEGRAAL else ()):
            topic = a.onderwerp == a.intern(onderwerp)
            la, lb = self.ladder(a, onderwerp), self.ladder(b, onderwerp)
            local = [la["excl"][p.id] for p in la["candidates"] if p.gemeente] + \
                [lb["excl"][p.id] for p in lb["candidates"] if p.gemeente]
            shared = [p.id for p in la["candidates"] if p.gemeente is None]
            differs = z3.Or([z3.Xor(la["chosen"][p], lb["chosen"][p]) for p in shared] or [FALSE])
            status, found = self.solve(pair, topic, differs, *allowed, *local)
            if status == "unknown":
                self.timeout(pair, f"ruimte bij {domain}/{onderwerp}", [], found)
            elif status == "sat":
                finding = self.add(Finding(ROOM, f"{domain}/{onderwerp}: het voorstel verschilt tussen {first} en "
                                           f"{second} zonder override-punt of lokale voorziening", domain, [],
                                           onderwerp), where)
                if finding.witness is None:
                    self.room_witness(finding, a, b, found, onderwerp)

    @staticmethod
    def room_witness(finding: Finding, a: HouseholdModel, b: HouseholdModel, found: Any, onderwerp: str | None) -> None:
        """The household, in the municipality of side A; `compare` names the municipalities of both sides."""
        here, there = (a.text_of(_val(found, m.gemeente_var)) for m in (a, b))
        finding.witness = build_witness(a, found, onderwerp)
        finding.witness["gemeente"] = here
        finding.compare = (here, there)
        points = {name: str(_val(found, var)) for name, var in a.symbolic.items()}
        others = {name: str(_val(found, var)) for name, var in b.symbolic.items()}
        if points != others:
            finding.message += (" (override-punten: " + ", ".join(f"{n} {points[n]}/{others[n]}" for n in sorted(points)
                                                                   if points[n] != others[n]) + ")")

    def run_entitlements(self, model: HouseholdModel) -> None:
        for entitlement in self.fw.entitlements_for(model.gemeente):
            requires = entitlement.requires
            if requires.domein != model.domain:
                continue
            topic = z3.Or([model.onderwerp == model.intern(o) for o in requires.onderwerp]) if requires.onderwerp \
                else TRUE
            for criterion in entitlement.criteria:
                try:
                    term = model.tr(criterion.when, "hv")
                except Untranslatable as exc:
                    self.add(Finding(UNTRANSLATED, f"niet vertaald: criterium {entitlement.id}.{criterion.id}: {exc}",
                                     model.domain, [(f"{entitlement.id}.{criterion.id}", str(entitlement.span))]),
                             model.gemeente)
                    continue
                for kind, goal in ((NEVER, term.t), (ALWAYS, term.f)):
                    status, found = self.solve(model, topic, goal)
                    if status == "unknown":
                        self.timeout(model, f"criterium {entitlement.id}.{criterion.id}", [], found)
                    elif status == "unsat":
                        text = "nooit vervuld" if kind == NEVER else "nooit onwaar (altijd vervuld of onbekend)"
                        self.add(Finding(kind, f"criterium {criterion.id} van {entitlement.id} is {text}",
                                         model.domain, [(f"{entitlement.id}.{criterion.id}", str(entitlement.span))]),
                                 model.gemeente)

    # ------------------------------------------------------------------ witnesses
    def witness(self, model: HouseholdModel, found: Any, onderwerp: str | None, all_known: bool = False,
                goals: tuple = ()) -> dict:
        """The household of `found`, or a plainer one that satisfies `goals` as well: no partner or housemates, the
        declared defaults, no verwijzer, no dates, income or vermogen, where the problem allows."""
        if goals:
            defaults = [model.vars[name][0] == (model.intern(value) if isinstance(value, str)
                        else value) for name, value in model.defaults.items()
                        if model.vars[name][1] in ("bool", "tekst")]
            plain = defaults + [model.vars["hv.verwijzer"][0] == model.intern("geen")]
            bare = [z3.Not(x) for x in model.present[1:]] + [z3.Not(model.melding)]
            if not all_known:
                bare += [z3.Not(model.inkomen_known), z3.Not(model.vermogen_known), z3.Not(model.woonsituatie_known)]
            for extra in (plain + bare, plain):
                status, nicer = self.solve(model, *goals, *extra)
                if status == "sat":
                    found = nicer
                    break
        return build_witness(model, found, onderwerp, all_known)


def _val(found: Any, term: Any) -> Any:
    value = found.eval(term, model_completion=True)
    if z3.is_true(value):
        return True
    if z3.is_false(value):
        return False
    if z3.is_int_value(value):
        return value.as_long()
    if z3.is_rational_value(value):
        return Decimal(value.numerator_as_long()) / Decimal(value.denominator_as_long())
    return value


def _fact_value(model: HouseholdModel, found: Any, name: str) -> tuple[bool, Any]:
    """(given, value) of a fact variable for the witness case; a value equal to the declared default is left out."""
    raw, type_ = model.vars[name]
    known = model.vars.get(name + "?")
    if known is not None and not _val(found, known[0]):
        return False, None
    value = _val(found, raw)
    default = model.defaults.get(name)
    if default is not None and (model.text_of(value) if type_ == "tekst" else value) == default:
        return False, None
    if type_ == "tekst":
        return True, model.text_of(value)
    if type_ == "geld":
        return True, f"{Decimal(value) / 100:.2f}"
    if type_ == "decimaal":
        return True, str(value)
    return True, value


def build_witness(model: HouseholdModel, found: Any, onderwerp: str | None, all_known: bool = False) -> dict:
    """A case file (as a dict) that `kader assess` accepts, from a z3 model of `model`."""
    P = model.peildatum
    ids = ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"]
    persons = []
    present = [True] + [_val(found, model.present[i]) for i in range(1, model.slots)]
    for i in range(model.slots):
        if not present[i]:
            continue
        months = _val(found, model.months[i])
        rol = ("aanvrager", "partner")[i] if i < 2 else ("kind" if _val(found, model.is_kind[i]) else "huisgenoot")
        person: dict[str, Any] = {"id": ids[i], "rol": rol, "geboortedatum": (P - relativedelta(months=months)).isoformat()}
        prefix = f"p{i}."
        for name in model.vars:
            if name.startswith(prefix) and not name.endswith("?"):
                given, value = _fact_value(model, found, name)
                if given:
                    person[name[len(prefix):].removesuffix("_cent")] = value
        persons.append(person)
    hv_slot = _val(found, model.hv_slot)
    hulpvragen = []
    if model.domain != INTEGRAAL:
        hv: dict[str, Any] = {"id": "hv1", "domein": model.domain, "onderwerp": onderwerp or model.text_of(
            _val(found, model.onderwerp)), "persoon": ids[hv_slot]}
        verwijzer = model.text_of(_val(found, model.vars["hv.verwijzer"][0]))
        if verwijzer in VERWIJZERS and verwijzer != "geen":
            hv["verwijzer"] = verwijzer
        feiten = {}
        for name in model.vars:
            if name.startswith("hv.") and name != "hv.verwijzer" and not name.endswith("?"):
                given, value = _fact_value(model, found, name)
                if given:
                    feiten[name[3:].removesuffix("_cent")] = value
        hv["feiten"] = feiten
        hulpvragen.append(hv)
    for number, (domain, flag) in enumerate(sorted(model.domeinen.items()), start=2):
        if domain != model.domain and _val(found, flag):
            hulpvragen.append({"id": f"hv{number}", "domein": domain, "onderwerp": model.fw.domains[domain].onderwerpen[0],
                               "persoon": "p1"})
    case: dict[str, Any] = {"id": "verify-getuige", "gemeente": model.gemeente, "peildatum": P.isoformat()}
    if _val(found, model.melding):
        melddatum = P - _dt.timedelta(days=_val(found, model.dagen_melding))
        case["melddatum"] = melddatum.isoformat()
        if _val(found, model.aanvraag):
            case["aanvraagdatum"] = (melddatum + _dt.timedelta(days=_val(found, model.dagen_aanvraag))).isoformat()
    elif _val(found, model.aanvraag):
        case["aanvraagdatum"] = P.isoformat()
    household: dict[str, Any] = {}
    if _val(found, model.woonsituatie_known):
        situatie = model.text_of(_val(found, model.woonsituatie))
        if situatie in WOONSITUATIES:
            household["woonsituatie"] = situatie
    household["personen"] = persons
    case["huishouden"] = household
    if _val(found, model.inkomen_known):
        inkomen = [{"persoon": "p1", "soort": s, "netto_per_maand": f"{Decimal(_val(found, model.income[s])) / 100:.2f}"}
                   for s in INKOMENSSOORTEN if _val(found, model.income[s])]
        other = _val(found, model.income_other)
        if other:
            owner = next(ids[i] for i in range(2, model.slots) if present[i])
            inkomen.append({"persoon": owner, "soort": "loon", "netto_per_maand": f"{Decimal(other) / 100:.2f}"})
        case["inkomen"] = inkomen
    if _val(found, model.vermogen_known):
        case["vermogen"] = {"totaal": f"{Decimal(_val(found, model.vermogen)) / 100:.2f}"}
    if not hulpvragen:
        hulpvragen.append({"id": "hv1", "domein": next(d for d, f in sorted(model.domeinen.items()) if _val(found, f)),
                           "onderwerp": "", "persoon": "p1"})
        hulpvragen[0]["onderwerp"] = model.fw.domains[hulpvragen[0]["domein"]].onderwerpen[0]
    case["hulpvragen"] = hulpvragen
    signalen = [s for s, flag in model.signalen.items() if _val(found, flag)]
    if signalen:
        case["signalen"] = signalen
    feiten = {}
    for name in model.vars:
        if name.startswith("c.") and not name.endswith("?"):
            given, value = _fact_value(model, found, name)
            if given:
                feiten[name[2:].removesuffix("_cent")] = value
    if feiten:
        case["feiten"] = feiten
    return case


def witness_yaml(case: dict) -> str:
    import yaml
    return yaml.safe_dump(case, sort_keys=False, allow_unicode=True)


def confirm(framework: Framework, finding: Finding) -> None:
    """Assess the witness with the real engine and say whether it shows the problem."""
    from engine.errors import RuleEngineError
    from engine.evaluation.case import case_from_text
    from engine.evaluation.evaluate import assess
    if finding.witness is None:
        return
    try:
        case = case_from_text(framework, witness_yaml(finding.witness), "getuige.yaml")
        result = assess(framework, case)
    except RuleEngineError as exc:
        finding.confirmed, finding.engine = False, f"de engine weigert de getuige: {exc}"
        return
    fired = {f.rule for f in result.trace.fired}
    proposal = next((p for p in result.proposals if p["hulpvraag"] == "hv1"), None)
    if finding.kind == CONFLICT:
        ids = [r for r, _ in finding.rules]
        finding.confirmed = all(r in fired for r in ids)
        finding.engine = (f"beide regels vuren; voorstel: {proposal['provision'] or proposal['name']}"
                          if finding.confirmed else "de engine laat niet beide regels vuren")
    elif finding.kind == ROOM and finding.compare:
        other = assess(framework, case, gemeente=finding.compare[1])
        if finding.onderwerp is None:
            rule = finding.rules[0][0]
            here, there = rule in fired, rule in {f.rule for f in other.trace.fired}
        else:
            here = proposal["provision"] if proposal else None
            there = next((p["provision"] for p in other.proposals if p["hulpvraag"] == "hv1"), None)
        finding.confirmed = here != there
        finding.engine = (f"{finding.compare[0]}: {here}, {finding.compare[1]}: {there}" if finding.confirmed else
                          "met de huidige profielen geen verschil; het verschil vraagt andere override-waarden "
                          "binnen de grenzen")
    elif finding.kind in (GAP, FLOOR):
        ok = proposal is not None and proposal["status"] == NO_PROPOSAL
        if finding.kind == FLOOR:
            ok = ok and finding.rules[0][0] in fired
        finding.confirmed = ok
        finding.engine = proposal["reason"] if proposal else "geen hulpvraag"


def verify(framework: Framework, *, peildatum: _dt.date, gemeenten: list[str] | None = None,
           timeout_ms: int = 5000, extra_persons: int = 2, rules_dir: str = "rules") -> Report:
    started = time.perf_counter()
    verifier = _Verifier(framework, peildatum, timeout_ms, extra_persons)
    chosen = gemeenten or sorted(framework.profiles)
    alive: set[str] = set()
    reachable: set[str] = set()
    for gemeente in chosen:
        for domain in list(framework.domains) + [INTEGRAAL]:
            if domain == INTEGRAAL and not any(r.group == INTEGRAAL for r in framework.rules.values()):
                continue
            verifier.run_domain(domain, gemeente, alive, reachable)
    for first, second in zip(chosen, chosen[1:], strict=False):
        for domain in list(framework.domains) + [INTEGRAAL]:
            if domain == INTEGRAAL and not any(r.group == INTEGRAAL for r in framework.rules.values()):
                continue
            verifier.run_room(domain, first, second)
    findings = list(verifier.findings.values())
    for rule in framework.rules.values():
        if rule.valid_on(peildatum) and rule.id not in alive and rule.id not in _untranslated(findings):
            findings.append(Finding(DEAD, f"regel {rule.id} vuurt voor geen enkel huishouden (peildatum {peildatum})",
                                    rule.group, [(rule.id, str(rule.span))], gemeenten=list(chosen)))
    provisions = [p for p in framework.provisions.values()]
    provisions += [p for g in chosen for p in framework.profiles[g].provisions.values()]
    for provision in provisions:
        if provision.id not in reachable:
            findings.append(Finding(UNREACHABLE, f"{provision.id} wordt aan geen enkel huishouden voorgesteld",
                                    provision.domain, [(provision.id, str(provision.span))], provision=provision.id,
                                    gemeenten=list(chosen) if provision.gemeente is None else [provision.gemeente]))
    for finding in findings:
        confirm(framework, finding)
    order = list(TITLES)
    findings.sort(key=lambda f: (order.index(f.kind), f.domain, f.onderwerp or "", f.provision or "",
                                 [r for r, _ in f.rules]))
    return Report(rules_dir, peildatum, list(chosen), findings, verifier.queries, time.perf_counter() - started,
                  timeout_ms, extra_persons=extra_persons)


def _untranslated(findings: list[Finding]) -> set[str]:
    return {r for f in findings if f.kind == UNTRANSLATED for r, _ in f.rules}


def only_new(report: Report, base: Report, base_framework: Framework | None = None) -> Report:
    """The findings of `report` that `base` does not have: not the same finding (kind, domain, onderwerp, provision,
    rules), and, for a finding with a witness, a witness the base framework does not show the problem for either
    (the solver may pick another household or cause for the same gap; the engine decides whether it is new)."""
    known = {f.key for f in base.findings}
    fresh = []
    for finding in report.findings:
        if finding.key in known:
            continue
        if finding.witness is not None and base_framework is not None and finding.kind in (CONFLICT, FLOOR, GAP):
            probe = Finding(finding.kind, finding.message, finding.domain, list(finding.rules), finding.onderwerp,
                            finding.provision, witness=finding.witness)
            confirm(base_framework, probe)
            if probe.confirmed:
                continue  # the base rules already have this problem for this household
        fresh.append(finding)
    report.findings = fresh
    report.base_findings = len(base.findings)
    return report


def verify_rules(root: Path | str, *, peildatum: _dt.date, gemeente: str | None = None, base: str | None = None,
                 timeout_ms: int = 5000, extra_persons: int = 2, witnesses: Path | None = None) -> Report:
    """`kader verify`: load the rules at `root`, verify them; with `base` ("git:REV") only what the change introduced.
    With `witnesses`, every witness is written there as a case file (`<n>-<kind>.yaml`)."""
    from engine.errors import Diagnostic, Span, UsageError
    from engine.evaluation.case import gemeente_option
    from engine.language.fwcache import load_framework
    from engine.language.loader import display_path
    root = Path(root)
    # not from the cache: engine/language/fwcache.py keys by content only, so a framework cached from another folder with the
    # same files (a git:REV extracted by --base) would point its rules at that folder instead of this one
    framework = load_framework(root, cache=False)
    chosen = [gemeente_option(framework, gemeente)] if gemeente else None
    if peildatum < framework.valid_from:
        raise UsageError(Diagnostic("E511", f"peildatum {peildatum} ligt vóór het begin van het kader "
                                    f"({framework.valid_from})", Span("--peildatum", 1, 1)))
    if base is None:
        report = verify(framework, peildatum=peildatum, gemeenten=chosen, timeout_ms=timeout_ms,
                        extra_persons=extra_persons, rules_dir=display_path(root))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from .revisions import load_version, rules_version
        with rules_version(base, root) as version:  # git:REV read with `git archive`, its members checked; or a folder
            base_framework = load_version(version)  # broken base rules are refused here, located at the revision
            # the base is verified in a second process while this one verifies the change (two cores)
            with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
                pending = pool.submit(_verify_at, str(version.path), peildatum, chosen, timeout_ms, extra_persons,
                                      version.label)
                report = verify(framework, peildatum=peildatum, gemeenten=chosen, timeout_ms=timeout_ms,
                                extra_persons=extra_persons, rules_dir=display_path(root))
                base_report = pending.result()
            report = only_new(report, base_report, base_framework)
        report.base = base
    if witnesses is not None:
        witnesses.mkdir(parents=True, exist_ok=True)
        for number, finding in enumerate(report.findings, start=1):
            if finding.witness is not None:
                path = witnesses / f"{number:03d}-{finding.kind}.yaml"
                path.write_text(f"# kader verify: {TITLES[finding.kind]}\n# {finding.message}\n"
                                + witness_yaml(finding.witness), encoding="utf-8")
                finding.witness_file = str(path)
    return report


def _verify_at(root: str, peildatum: _dt.date, gemeenten: list[str] | None, timeout_ms: int, extra_persons: int,
               label: str) -> Report:
    """verify() on the rules in `root`, in a worker process (for --base)."""
    from engine.language.fwcache import load_framework
    return verify(load_framework(root, cache=False), peildatum=peildatum, gemeenten=gemeenten, timeout_ms=timeout_ms,
                  extra_persons=extra_persons, rules_dir=label)

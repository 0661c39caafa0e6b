"""What differs between two assessments of a household, and which rules made the difference.

Used by the impact analysis (the same case under two rule-set versions) and by
counterfactuals (two versions of a case under one rule set). Each difference is
a `Change` of one kind:

- `lighter` / `heavier`: the proposal for a hulpvraag moved down or up the ladder;
- `provision`: another provision on the same rung, or a proposal appeared or
  disappeared ("geen automatisch voorstel");
- `eligibility`: the right to an entitlement flipped (no entitlement at all and
  "not eligible" count as the same: no right);
- `amount`: what is paid changed; `per_maand` is the change of a monthly
  payment, `per_jaar` every change on a yearly basis (monthly x 12, yearly x 1);
  `household_pays` marks an amount the household pays (an eigen bijdrage: an
  entitlement that `requires` an eigen-bijdrage regime), so that totals can be
  net for households;
- `signal_new` / `signal_lost`, `check_new` / `check_lost`, `deadline_new` /
  `deadline_lost` / `deadline_moved`;
- `onbekend`: an outcome became undecided or was decided: an entitlement whose
  `eligible` moved to or from null (before/after: true, false, null or "n.v.t."),
  or a deadline, signal or check that became provisional or stopped being so
  (subject `deadline:pw_zoektermijn`, `signal:onderwijs_eerst@hv1`; before/after:
  "vast", "voorlopig", "datum_onbekend" or "afwezig"). Such a change is not also
  counted as gained, lost, new or moved (docs/uncertainty.md).

The rules that made the difference are the symmetric difference of the rules
that fired (per hulpvraag, or for the casus), plus the rules that fired in
either version and whose definition changed or whose condition reads, directly
or through derived facts, a parameter whose value on the peildatum changed.
Entitlement changes also name the criteria whose outcome flipped and the
changed parameters their formulas read.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.evaluation.assessment import Assessment
from engine.language.framework import Framework
from engine.language.reach import Reach

from .slices import canonical

KINDS = ("lighter", "heavier", "provision", "eligibility", "amount", "signal_new", "signal_lost", "check_new",
         "check_lost", "deadline_new", "deadline_lost", "deadline_moved", "onbekend")
UNDECIDED = "onbekend"
ABSENT = "afwezig"
ESTABLISHED = "vast"
NOT_APPLICABLE = "n.v.t."
_YEAR = {"maand": 12, "jaar": 1, "eenmalig": 1}


@dataclass
class Change:
    kind: str
    domein: str
    subject: str  # hulpvraag id, entitlement id, "signal@hulpvraag", deadline id
    before: Any
    after: Any
    rules: list[str] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)
    criteria: list[str] = field(default_factory=list)
    per_maand: Decimal | None = None
    per_jaar: Decimal | None = None
    household_pays: bool = False  # an entitlement the household pays (an eigen bijdrage), not one it receives

    def to_json(self) -> dict:
        data = {"kind": self.kind, "domein": self.domein, "subject": self.subject, "before": self.before,
                "after": self.after, "rules": self.rules}
        if self.parameters:
            data["parameters"] = self.parameters
        if self.criteria:
            data["criteria"] = self.criteria
        if self.per_maand is not None:
            data["per_maand"] = format(self.per_maand, "f")
        if self.per_jaar is not None:
            data["per_jaar"] = format(self.per_jaar, "f")
        if self.household_pays:
            data["household_pays"] = True
        return data

    @property
    def net_per_jaar(self) -> Decimal:
        """The change for the household per year: what it receives more, or pays less."""
        value = self.per_jaar or Decimal("0.00")
        return -value if self.household_pays else value

    @property
    def net_per_maand(self) -> Decimal:
        value = self.per_maand or Decimal("0.00")
        return -value if self.household_pays else value


def _fired(assessment: Assessment) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for item in assessment.trace.fired:
        result.setdefault(item.hulpvraag, set()).add(item.rule)
    return result


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def eligibility(item: dict | None) -> Any:
    return NOT_APPLICABLE if item is None else item["eligible"]


def has_right(value: Any) -> bool:
    return value is True


class Differ:
    """Compares assessments made with `base` and `proposal` (the same framework for counterfactuals)."""

    def __init__(self, base: Framework, proposal: Framework):
        self.base, self.proposal = base, proposal
        self.same = base is proposal or base.hash == proposal.hash
        self.reach = (Reach(base), Reach(proposal) if not self.same else None)
        self.changed_rules: set[str] = set()
        if not self.same:
            for rule_id in set(base.rules) | set(proposal.rules):
                a, b = base.rules.get(rule_id), proposal.rules.get(rule_id)
                if a is None or b is None or canonical(a) != canonical(b):
                    self.changed_rules.add(rule_id)
        self._parameters: dict[tuple[str, _dt.date], frozenset[str]] = {}
        self._rule_parameters: dict[str, frozenset[str]] = {}
        self._entitlement_parameters: dict[str, frozenset[str]] = {}
        self._conclusions: dict[tuple[str, str], set[str]] = {}
        self._definitions: dict[str, dict] = {}  # gemeente -> entitlement id -> definition (the proposal's where both have it)
        from .rulediff import changed_scheme_settings
        # a minima scheme's percentage or amount is set in its profile, not as a parameter, but counts as one
        self.scheme_settings = {} if self.same else changed_scheme_settings(base, proposal)

    # -- what changed in the rule sets
    def changed_parameters(self, gemeente: str, peildatum: _dt.date) -> frozenset[str]:
        key = (gemeente, peildatum)
        found = self._parameters.get(key)
        if found is None:
            names = set()
            if not self.same:
                for name in set(self.base.parameters) | set(self.proposal.parameters):
                    values = []
                    for framework in (self.base, self.proposal):
                        parameter = framework.parameter(name, gemeente) if name in framework.parameters else None
                        if parameter is not None and parameter.key != "peildatum":
                            # a table by birth period (or another date of the case): any change of the table counts
                            values.append((parameter.key, parameter.starts, parameter.ends, parameter.values))
                            continue
                        value = parameter.at(peildatum) if parameter is not None else None
                        values.append(None if value is None else value[0])
                    if values[0] != values[1]:
                        names.add(name)
            found = self._parameters[key] = frozenset(names)
        return found

    def rule_parameters(self, rule_id: str) -> frozenset[str]:
        found = self._rule_parameters.get(rule_id)
        if found is None:
            found = frozenset()
            for framework, reach in zip((self.base, self.proposal), self.reach, strict=True):
                if reach is not None and rule_id in framework.rules:
                    found |= reach.rule_parameters(rule_id)
            self._rule_parameters[rule_id] = found
        return found

    def entitlement_parameters(self, ident: str, gemeente: str) -> frozenset[str]:
        key = f"{gemeente}:{ident}"
        found = self._entitlement_parameters.get(key)
        if found is None:
            found = frozenset()
            for framework, reach in zip((self.base, self.proposal), self.reach, strict=True):
                if reach is None:
                    continue
                for entitlement in framework.entitlements_for(gemeente):
                    if entitlement.id == ident:
                        found |= {k for k in reach.entitlement_keys(entitlement) if k in framework.parameters}
            self._entitlement_parameters[key] = found
        return found

    def _explain(self, fired_before: set[str], fired_after: set[str], params: frozenset[str],
                 only: set[str] | None = None) -> tuple[list[str], list[str]]:
        """(rules that made the difference, changed parameters they read) among the given fired rules."""
        rules = fired_before ^ fired_after
        used_params: set[str] = set()
        for rule_id in fired_before | fired_after:
            reads = self.rule_parameters(rule_id) & params if params else frozenset()
            if rule_id in self.changed_rules or reads:
                rules.add(rule_id)
            if rule_id in rules:
                used_params |= reads
        if only is not None:
            rules &= only
        return sorted(rules), sorted(used_params)

    # -- the comparison
    def changes(self, case, before: Assessment, after: Assessment) -> list[Change]:
        params = self.changed_parameters(before.gemeente, before.peildatum)
        fired_a, fired_b = _fired(before), _fired(after)
        domain_of = {hv.id: hv.domein for hv in case.hulpvragen}
        result: list[Change] = []
        proposals_b = {p["hulpvraag"]: p for p in after.proposals}
        for old in before.proposals:
            hv = old["hulpvraag"]
            new = proposals_b[hv]
            if (old["provision"], old["level"]) == (new["provision"], new["level"]):
                continue
            if old["level"] is not None and new["level"] is not None and old["level"] != new["level"]:
                kind = "lighter" if new["level"] < old["level"] else "heavier"
            else:
                kind = "provision"
            rules, used = self._explain(fired_a.get(hv, set()), fired_b.get(hv, set()), params)
            result.append(Change(kind, old["domein"], hv, {"provision": old["provision"], "level": old["level"]},
                                 {"provision": new["provision"], "level": new["level"]}, rules, used))
        result += self._entitlements(case, before, after, params, fired_a, fired_b, domain_of)
        open_a, open_b = _open(before), _open(after)
        result += self._present("signal", before.signals, after.signals, params, fired_a, fired_b, domain_of,
                                open_a | open_b)
        result += self._present("check", before.checks, after.checks, params, fired_a, fired_b, domain_of,
                                open_a | open_b)
        result += self._deadlines(before, after, params, fired_a, fired_b, open_a | open_b)
        result += self._undecided(before, after, open_a, open_b, params, fired_a, fired_b, domain_of)
        return result

    def _undecided(self, before, after, open_a, open_b, params, fired_a, fired_b, domain_of) -> list[Change]:
        """Deadlines, signals and checks that became provisional or stopped being so."""
        result = []
        for key in sorted(set(open_a) | set(open_b)):
            kind, ident, hv = key
            status_a, status_b = _status(before, open_a, key), _status(after, open_b, key)
            if status_a == status_b:
                continue
            item = open_a.get(key) or open_b.get(key)
            everything = fired_a.get(hv, set()), fired_b.get(hv, set())
            if kind == "deadline":
                everything = (set().union(*fired_a.values()) if fired_a else set(),
                              set().union(*fired_b.values()) if fired_b else set())
            rules, used = self._explain(*everything, params, only=self._concluding(kind, ident) | set(item["rules"]))
            domein = domain_of.get(hv) or self._group(item["rules"][0] if item["rules"] else None)
            subject = f"{kind}:{ident}" + (f"@{hv or 'casus'}" if kind != "deadline" else "")
            result.append(Change(UNDECIDED, domein, subject, status_a, status_b, rules, used))
        return result

    def _entitlements(self, case, before, after, params, fired_a, fired_b, domain_of) -> list[Change]:
        result = []
        old = {e["id"]: e for e in before.entitlements}
        new = {e["id"]: e for e in after.entitlements}
        definitions = self._definitions.get(before.gemeente)
        if definitions is None:
            definitions = self._definitions[before.gemeente] = {
                e.id: e for fw in (self.base, self.proposal) for e in fw.entitlements_for(before.gemeente)}
        for ident in sorted(set(old) | set(new)):
            a, b = old.get(ident), new.get(ident)
            definition = definitions.get(ident)
            domein = definition.requires.domein if definition is not None else "?"
            pays = definition is not None and definition.requires.eigen_bijdrage is not None
            criteria = _criteria_flipped(ident, a, b)
            used = sorted((self.entitlement_parameters(ident, before.gemeente) & params)
                          | set(self.scheme_settings.get(ident, ())))
            hvs = {hv for hv, d in domain_of.items() if d == domein}
            denying = set((a or {}).get("rules", [])) ^ set((b or {}).get("rules", []))
            if (a is None) != (b is None):  # whether it applies follows the proposals of its domain
                for hv in hvs:
                    denying |= fired_a.get(hv, set()) ^ fired_b.get(hv, set())
            rules = sorted(denying | {r for r in (set((a or {}).get("rules", [])) | set((b or {}).get("rules", [])))
                                      if r in self.changed_rules})
            if params:  # the changed parameters that the rules denying it read count too
                used = sorted(set(used).union(*(self.rule_parameters(r) & params for r in rules)))
            ea, eb = eligibility(a), eligibility(b)
            if ea != eb and (ea is None or eb is None):  # to or from undecided: its own kind
                result.append(Change(UNDECIDED, domein, ident, ea, eb, rules, used, criteria, household_pays=pays))
            elif _no_right(ea) != _no_right(eb) or (not _no_right(ea) and ea != eb):
                result.append(Change("eligibility", domein, ident, ea, eb, rules, used, criteria, household_pays=pays))
            ba = _money(a["bedrag"]) if a is not None else Decimal("0.00")
            bb = _money(b["bedrag"]) if b is not None else Decimal("0.00")
            if ba is not None and bb is not None and ba != bb:
                periode = (b or a)["periode"]
                delta = bb - ba
                result.append(Change("amount", domein, ident, format(ba, "f"), format(bb, "f"), rules, used, criteria,
                                     per_maand=delta if periode == "maand" else None,
                                     per_jaar=delta * _YEAR.get(periode, 1), household_pays=pays))
        return result

    def _present(self, what, before_items, after_items, params, fired_a, fired_b, domain_of,
                 undecided=frozenset()) -> list[Change]:
        def key(item):
            return f"{item['id']}@{item['hulpvraag'] or 'casus'}"

        old = {key(i): i for i in before_items}
        new = {key(i): i for i in after_items}
        result = []
        for ident in sorted(set(old) ^ set(new)):
            item = old.get(ident) or new.get(ident)
            if (what, item["id"], item["hulpvraag"] or "") in undecided:
                continue  # to or from provisional: a change of kind `onbekend`
            hv = item["hulpvraag"] or ""
            raising = {item["rule"]}
            rules, used = self._explain(fired_a.get(hv, set()), fired_b.get(hv, set()), params,
                                        only=self._concluding(what, item["id"]) | raising)
            domein = domain_of.get(hv) or self._group(item["rule"])
            kind = f"{what}_new" if ident in new else f"{what}_lost"
            result.append(Change(kind, domein, ident, ident in old, ident in new, rules, used))
        return result

    def _deadlines(self, before, after, params, fired_a, fired_b, undecided=frozenset()) -> list[Change]:
        old = {d["id"]: d for d in before.deadlines}
        new = {d["id"]: d for d in after.deadlines}
        result = []
        everything_a = set().union(*fired_a.values()) if fired_a else set()
        everything_b = set().union(*fired_b.values()) if fired_b else set()
        for ident in sorted(set(old) | set(new)):
            a, b = old.get(ident), new.get(ident)
            if (a is None or b is None) and ("deadline", ident, "") in undecided:
                continue  # to or from provisional: a change of kind `onbekend`
            da, db = (a or {}).get("date"), (b or {}).get("date")
            if da == db:
                continue
            kind = "deadline_new" if a is None else "deadline_lost" if b is None else "deadline_moved"
            setting = set((a or {}).get("rules", [])) | set((b or {}).get("rules", []))
            rules, used = self._explain(everything_a, everything_b, params,
                                        only=self._concluding("deadline", ident) | setting)
            domein = self._group((b or a)["rule"])
            result.append(Change(kind, domein, ident, da, db, rules, used))
        return result

    def _concluding(self, what: str, ident: str) -> set[str]:
        key = (what, ident)
        if key in self._conclusions:
            return self._conclusions[key]
        found = set()
        for framework in (self.base, self.proposal):
            for rule in framework.rules.values():
                for conclusion in rule.then:
                    value = getattr(conclusion, what)
                    if value is not None and (value == ident or getattr(value, "id", None) == ident):
                        found.add(rule.id)
        self._conclusions[key] = found
        return found

    def _group(self, rule_id: str | None) -> str:
        for framework in (self.proposal, self.base):
            if rule_id in framework.rules:
                return framework.rules[rule_id].group
        return "?"


def _open(assessment: Assessment) -> dict[tuple[str, str, str], dict]:
    """The provisional outcomes of an assessment by (kind, id, hulpvraag or ""; "" for every deadline)."""
    return {(item["kind"], item["id"], "" if item["kind"] == "deadline" else item["hulpvraag"] or ""): item
            for item in getattr(assessment, "provisional", ())}


def _status(assessment: Assessment, undecided: dict, key: tuple[str, str, str]) -> str:
    if key in undecided:
        return undecided[key]["status"]
    kind, ident, hv = key
    items = {"deadline": assessment.deadlines, "signal": assessment.signals, "check": assessment.checks}[kind]
    if any(i["id"] == ident and (kind == "deadline" or (i["hulpvraag"] or "") == hv) for i in items):
        return ESTABLISHED
    return ABSENT


def _no_right(value: Any) -> bool:
    return value is False or value == NOT_APPLICABLE


def _criteria_flipped(ident: str, a: dict | None, b: dict | None) -> list[str]:
    old = {c["id"]: c["met"] for c in (a or {}).get("criteria", [])}
    new = {c["id"]: c["met"] for c in (b or {}).get("criteria", [])}
    return [f"{ident}.{c}" for c in sorted(set(old) | set(new)) if old.get(c, NOT_APPLICABLE) != new.get(c, NOT_APPLICABLE)]

"""Do the three municipalities differ only where the framework allows it?

The same household is assessed as if it lived in each municipality. Every
difference in the outcome must have a cause the framework allows:

- an override point: a parameter the municipality sets within bounds, whose
  values differ on the peildatum, and that the differing rule, derived fact or
  entitlement depends on (directly or through derived facts);
- a local voorveld provision (level 1) that one municipality offers for the
  hulpvraag's onderwerp and another does not;
- a municipal minima scheme (an entitlement `<gemeente>.<scheme>`).

A difference without such a cause is a harmonisation defect: the framework
treats equal cases unequally outside the room it gives the municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.evaluation.case import Case
from engine.evaluation.evaluate import assess
from engine.language.framework import Framework
from engine.language.ir import Ref, references, walk  # noqa: F401


@dataclass
class Difference:
    section: str  # proposals | entitlements | deadlines | signals | checks | missing_facts
    key: str  # e.g. "hv1" or "algemene_bijstand"
    field: str  # what differs, e.g. "provision" or "bedrag" or "aanwezig"
    values: dict[str, Any]  # gemeente -> value
    cause: str | None = None  # None: a harmonisation defect
    cause_kind: str | None = None  # override | lokale_voorziening | minimaregeling | gemeente_in_regel
    rules: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.cause is not None and self.cause_kind != "gemeente_in_regel"

    def to_json(self) -> dict:
        data = {"section": self.section, "key": self.key, "field": self.field, "values": self.values}
        if self.allowed:
            data["cause"] = self.cause
            data["cause_kind"] = self.cause_kind
        else:
            data["defect"] = self.cause or "geen toegestane oorzaak: geen override-punt, lokale voorziening of minimaregeling"
        if self.rules:
            data["rules"] = self.rules
        return data


class Dependencies:
    """Which override points each rule and entitlement depends on (through derived facts)."""

    def __init__(self, framework: Framework):
        self.framework = framework
        overridable = {name for name, p in framework.parameters.items() if p.override and p.override.allowed}
        derived = {d.key: d for d in framework.derived}
        closure: dict[str, frozenset[str]] = {}

        def reach(keys: set[str], seen: frozenset = frozenset()) -> set[str]:
            found: set[str] = set()
            for key in keys:
                base = _base(key)
                if base in overridable:
                    found.add(base)
                if key == "casus.gemeente":
                    found.add("casus.gemeente")
                if base in derived and base not in seen:
                    if base not in closure:
                        refs: set[str] = set()
                        for condition, value in derived[base].parts:
                            for node in (condition, value):
                                if node is not None:
                                    refs |= references(node)
                        closure[base] = frozenset(reach(refs, seen | {base}))
                    found |= closure[base]
            return found

        direct = {rule_id: reach(rule.references) for rule_id, rule in framework.rules.items()}
        rules: dict[str, frozenset[str]] = {}

        def through_findings(rule_id: str, seen: frozenset) -> frozenset[str]:
            # an override point can reach a rule through a finding another rule asserts
            if rule_id in rules:
                return rules[rule_id]
            found = set(direct[rule_id])
            for ref in framework.rules[rule_id].finding_refs:
                for producer in framework.producers.get(ref.name, ()):
                    if producer.id not in seen:
                        found |= through_findings(producer.id, seen | {producer.id})
            if not seen - {rule_id}:
                rules[rule_id] = frozenset(found)
            return frozenset(found)

        self.rules = {rule_id: through_findings(rule_id, frozenset({rule_id})) for rule_id in framework.rules}
        self.entitlements: dict[str, frozenset[str]] = {}
        for entitlement in framework.entitlements.values():
            refs: set[str] = set()
            for criterion in entitlement.criteria:
                refs |= references(criterion.when)
            for _, node, _ in entitlement.amounts:
                refs |= {n.key for n in walk(node) if isinstance(n, Ref)}
            self.entitlements[entitlement.id] = frozenset(reach(refs))


def _base(key: str) -> str:
    for alias in ("aanvrager.", "partner."):
        if key.startswith(alias):
            return "persoon." + key[len(alias):]
    return key


_DEPENDENCIES: dict[str, Dependencies] = {}


def dependencies(framework: Framework) -> Dependencies:
    """Computed once per rule set (keyed by its content hash)."""
    found = _DEPENDENCIES.get(framework.hash)
    if found is None:
        found = _DEPENDENCIES[framework.hash] = Dependencies(framework)
    return found


def differing_overrides(framework: Framework, gemeenten: list[str], peildatum) -> dict[str, dict[str, str]]:
    """Override points whose value on the peildatum differs between the municipalities."""
    result = {}
    for name, parameter in framework.parameters.items():
        if not (parameter.override and parameter.override.allowed):
            continue
        values = {}
        for gemeente in gemeenten:
            found = framework.parameter(name, gemeente).at(peildatum)
            values[gemeente] = format(found[0], "f") if found else None
        if len(set(values.values())) > 1:
            result[name] = values
    return result


def compare_municipalities(framework: Framework, case: Case, gemeenten: list[str] | None = None, *,
                           household_view: bool = False) -> list[Difference]:
    """Assess `case` in every municipality and return each difference, with its cause or as a defect.

    `household_view` (kader compare-gemeenten): only what the household gets counts. A minima scheme differs only
    where the household is entitled in one municipality and not in another (a scheme none of its members could use
    is no difference), an amount or norm only where it is entitled somewhere, and a question asked in one
    municipality and not another only when nothing the framework allows explains it (a defect)."""
    gemeenten = gemeenten or sorted(framework.profiles)
    results = {g: assess(framework, case, gemeente=g) for g in gemeenten}
    deps = dependencies(framework)
    overrides = differing_overrides(framework, gemeenten, case.peildatum)
    fired = {g: {(f.rule, f.hulpvraag) for f in r.trace.fired} for g, r in results.items()}
    differences: list[Difference] = []

    def explain(rule_ids: set[str]) -> tuple[str | None, str | None, list[str]]:
        rules = sorted(rule_ids)
        direct = [r for r in rules if "casus.gemeente" in deps.rules.get(r, ())]
        if direct:
            return (f"regel {', '.join(direct)} noemt de gemeente zelf; het kader hoort voor alle drie gelijk te zijn",
                    "gemeente_in_regel", rules)
        causes = sorted({p for r in rules for p in deps.rules.get(r, ()) if p in overrides})
        if causes:
            return _override_text(causes, overrides), "override", rules
        return None, None, rules

    def rules_that_differ(hulpvraag: str | None) -> set[str]:
        sets = [{rule for rule, hv in fired[g] if hulpvraag is None or hv == hulpvraag} for g in gemeenten]
        return set.union(*sets) - set.intersection(*sets)

    # proposals
    by_hv = {g: {p["hulpvraag"]: p for p in r.proposals} for g, r in results.items()}
    for hv in case.hulpvragen:
        values = {g: (by_hv[g][hv.id]["provision"], by_hv[g][hv.id]["level"]) for g in gemeenten}
        if len(set(values.values())) == 1:
            continue
        local = _local_cause(framework, hv, gemeenten, by_hv)
        if local:
            cause, kind, rules = local, "lokale_voorziening", []
        else:
            cause, kind, rules = explain(rules_that_differ(hv.id))
        differences.append(Difference("proposals", hv.id, "provision",
                                      {g: v[0] or "geen automatisch voorstel" for g, v in values.items()},
                                      cause, kind, rules))
    # entitlements
    ents = {g: {e["id"]: e for e in r.entitlements} for g, r in results.items()}
    for ident in sorted(set().union(*[set(e) for e in ents.values()])):
        present = {g: ident in ents[g] for g in gemeenten}
        owner = ident.split(".", 1)[0] if "." in ident else None
        if owner in framework.profiles:
            if household_view:
                gets = {g: _gets(ents[g].get(ident)) for g in gemeenten}
                if len(set(gets.values())) > 1:
                    differences.append(Difference("entitlements", ident, "recht", gets,
                                                  f"minimaregeling van {owner}", "minimaregeling"))
            elif len(set(present.values())) > 1:
                differences.append(Difference("entitlements", ident, "aanwezig", present,
                                              f"minimaregeling van {owner}", "minimaregeling"))
            continue
        entitled = any(ents[g].get(ident, {}).get("eligible") is not False and ident in ents[g] for g in gemeenten)
        for key in ("eligible", "bedrag", "norm"):
            if household_view and key != "eligible" and not entitled:
                continue  # not entitled anywhere: a different norm or amount changes nothing for this household
            values = {g: ents[g].get(ident, {}).get(key, "<afwezig>") for g in gemeenten}
            if len(set(map(str, values.values()))) == 1:
                continue
            causes = sorted(p for p in deps.entitlements.get(ident, ()) if p in overrides)
            denying = {r for g in gemeenten for r in ents[g].get(ident, {}).get("rules", [])}
            if causes:
                cause, kind, rules = _override_text(causes, overrides), "override", sorted(denying)
            else:
                cause, kind, rules = explain(rules_that_differ(None) & (denying | _requiring_rules(framework, ident)))
            differences.append(Difference("entitlements", ident, key, values, cause, kind, rules))
    # deadlines, signals, checks
    for section, key_of in (("deadlines", lambda d: d["id"]), ("signals", lambda s: f"{s['id']}@{s['hulpvraag'] or 'casus'}"),
                            ("checks", lambda c: f"{c['id']}@{c['hulpvraag'] or 'casus'}")):
        items = {g: {key_of(i): i for i in getattr(r, section)} for g, r in results.items()}
        for ident in sorted(set().union(*[set(i) for i in items.values()])):
            shown = "date" if section == "deadlines" else "aanwezig"
            values = {g: (items[g][ident]["date"] if section == "deadlines" and ident in items[g] else ident in items[g])
                      for g in gemeenten}
            if len(set(map(str, values.values()))) == 1:
                continue
            rules = {item.get("rule") for g in gemeenten for item in [items[g].get(ident)] if item}
            cause, kind, involved = explain(rules_that_differ(None) & rules or rules)
            differences.append(Difference(section, ident, shown, values, cause, kind, involved))
    # missing facts follow the proposals and entitlements they belong to
    missing = {g: {(m["hulpvraag"] or "casus", m["fact"]): m for m in r.missing_facts} for g, r in results.items()}
    allowed_hv = {d.key for d in differences if d.section == "proposals" and d.allowed}
    hulpvragen = {hv.id: hv for hv in case.hulpvragen}
    keys = [set(found) for found in missing.values()]
    for hv, fact in sorted(set.union(*keys) - set.intersection(*keys)):
        values = {g: (hv, fact) in missing[g] for g in gemeenten}
        local = _local_cause(framework, hulpvragen[hv], gemeenten, by_hv) if hv in hulpvragen else None
        asked_for = {rule for g in gemeenten for rule in missing[g].get((hv, fact), {}).get("rules", [])}
        schemes = {rule.split(".", 1)[0] for rule in asked_for}
        if asked_for and schemes <= set(framework.profiles):
            # asked only for a municipality's own minima scheme (its criteria are named <gemeente>.<scheme>.<criterion>)
            cause, kind, rules = "gevraagd voor de minimaregeling van " + ", ".join(sorted(schemes)), "minimaregeling", []
        elif hv in allowed_hv:
            cause, kind, rules = "volgt uit het verschil in voorstel", "lokale_voorziening", []
        elif local:
            # the same "geen automatisch voorstel", but the walk up the ladder stops at another undecided rung
            cause, kind, rules = f"volgt uit de {local}", "lokale_voorziening", []
        else:
            cause, kind, rules = explain(rules_that_differ(None if hv == "casus" else hv))
        if household_view and cause is not None and kind != "gemeente_in_regel":
            continue  # an allowed difference in what is asked is no difference in what the household gets
        differences.append(Difference("missing_facts", f"{hv}:{fact}", "aanwezig", values, cause, kind, rules))
    return differences


def _gets(entitlement: dict | None) -> str:
    """What a household gets from an entitlement, in words: `recht € 225.00 per jaar`, `geen recht`, `onbekend`."""
    if entitlement is None or entitlement.get("eligible") is False:
        return "geen recht"
    if entitlement.get("eligible") is None:
        return "onbekend"
    if entitlement.get("vorm") == "natura" or entitlement.get("bedrag") is None:
        return "recht (in natura)"
    return f"recht {entitlement['bedrag']} per {entitlement['periode']}" if entitlement.get("periode") != "eenmalig" \
        else f"recht {entitlement['bedrag']} eenmalig"


def _override_text(params: list[str], overrides: dict[str, dict[str, str]]) -> str:
    return "; ".join(f"override-punt {p}: " + ", ".join(f"{g} {v}" for g, v in overrides[p].items()) for p in params)


def _requiring_rules(framework: Framework, entitlement_id: str) -> set[str]:
    return {rule.id for rule in framework.rules.values() if any(c.denies == entitlement_id for c in rule.then)}


def _local_cause(framework: Framework, hv, gemeenten: list[str], by_hv: dict) -> str | None:
    """A difference explained by a municipality's own voorveld provision for this onderwerp."""
    local = {}
    for gemeente in gemeenten:
        profile = framework.profiles[gemeente]
        local[gemeente] = sorted(p.id for p in profile.provisions.values()
                                 if p.domain == hv.domein and hv.onderwerp in p.onderwerpen)
    if len({tuple(v) for v in local.values()}) == 1:
        return None
    shown = "; ".join(f"{g}: {', '.join(v) or 'geen'}" for g, v in local.items())
    return f"lokale voorziening op niveau 1 voor {hv.domein}/{hv.onderwerp} ({shown})"

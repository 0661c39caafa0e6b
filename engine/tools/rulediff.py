"""What changed in the rules between two versions, before anyone asks whom it affects (`kader impact`).

Parameters (per municipality where a profile overrides them, value before -> after per period), the settings of
municipal minima schemes (percentage, amount, age band: `soest.leergeld.percentage`), rules and derived facts whose
condition or formula changed (the text before and after), and rules, provisions, entitlements and derived facts
added or removed. Positions in the files do not count as a change.
"""

from __future__ import annotations

from typing import Any

from engine.language.framework import Framework, ParameterDef

from .slices import canonical


def _timeline(parameter: ParameterDef | None) -> list[dict]:
    if parameter is None:
        return []
    pending = parameter.pending or (None,) * len(parameter.starts)
    return [{"from": start.isoformat(), "until": end.isoformat() if end else None,
             # a period whose value is still `te verifiëren` has no value: say so, with the reason
             "value": format(value, "f") if value is not None else None,
             **({"te_verifieren": reason} if value is None else {})}
            for start, end, value, reason in zip(parameter.starts, parameter.ends, parameter.values, pending, strict=True)]


def scheme_settings(framework: Framework) -> dict[str, dict[str, str]]:
    """Per local minima scheme (`soest.leergeld`), its settings as text: percentage, bedrag, periode, per, leeftijd."""
    return {e.id: dict(e.settings) for profile in framework.profiles.values()
            for e in profile.entitlements.values() if e.settings}


def changed_scheme_settings(base: Framework, proposal: Framework) -> dict[str, list[str]]:
    """Entitlement id -> the names of its scheme settings that differ (`["soest.leergeld.percentage"]`)."""
    before, after = scheme_settings(base), scheme_settings(proposal)
    result: dict[str, list[str]] = {}
    for ident in sorted(set(before) & set(after)):
        names = sorted(k for k in set(before[ident]) | set(after[ident]) if before[ident].get(k) != after[ident].get(k))
        if names:
            result[ident] = [f"{ident}.{k}" for k in names]
    return result


def rule_changes(base: Framework, proposal: Framework) -> dict[str, Any]:
    """Everything that differs between the two rule versions, as data (JSON-ready)."""
    parameters = []
    for name in sorted(set(base.parameters) | set(proposal.parameters)):
        a, b = base.parameters.get(name), proposal.parameters.get(name)
        if _timeline(a) != _timeline(b):
            parameters.append({"name": name, "gemeente": None, "before": _timeline(a), "after": _timeline(b),
                               "legal_basis": (b or a).legal_basis})
        for gemeente in sorted(set(base.profiles) | set(proposal.profiles)):
            oa = base.profiles[gemeente].overrides.get(name) if gemeente in base.profiles else None
            ob = proposal.profiles[gemeente].overrides.get(name) if gemeente in proposal.profiles else None
            if (oa is not None or ob is not None) and _timeline(oa) != _timeline(ob):
                parameters.append({"name": name, "gemeente": gemeente, "before": _timeline(oa or a),
                                   "after": _timeline(ob or b), "decision": (ob or oa).decision})
    before_s, after_s = scheme_settings(base), scheme_settings(proposal)
    for ident in sorted(set(before_s) & set(after_s)):
        for key in sorted(set(before_s[ident]) | set(after_s[ident])):
            old, new = before_s[ident].get(key), after_s[ident].get(key)
            if old != new:
                parameters.append({"name": f"{ident}.{key}", "gemeente": ident.split(".", 1)[0],
                                   "before": old, "after": new})
    rules = []
    for ident in sorted(set(base.rules) & set(proposal.rules)):
        a, b = base.rules[ident], proposal.rules[ident]
        if canonical(a) != canonical(b):
            rules.append({"id": ident, "title": b.title, "when_before": a.when_text, "when_after": b.when_text,
                          "then_changed": canonical(a.then) != canonical(b.then),
                          "other": sorted(f for f in ("title", "legal_basis", "reason", "valid_from", "valid_until",
                                                      "scope") if getattr(a, f) != getattr(b, f))})
    derived_a = {d.key: d for d in base.derived}
    derived_b = {d.key: d for d in proposal.derived}
    derived = [{"key": key, "before": derived_a[key].text, "after": derived_b[key].text}
               for key in sorted(set(derived_a) & set(derived_b)) if canonical(derived_a[key]) != canonical(derived_b[key])]
    return {
        "parameters": parameters,
        "rules": rules,
        "derived": derived,
        "added": _added_removed(base, proposal),
        "removed": _added_removed(proposal, base),
    }


def _all_entitlements(framework: Framework) -> dict[str, str]:
    found = {e.id: e.title for e in framework.entitlements.values()}
    for profile in framework.profiles.values():
        found.update({e.id: e.title for e in profile.entitlements.values()})
    return found


def _all_provisions(framework: Framework) -> dict[str, str]:
    found = {p.id: p.name for p in framework.provisions.values()}
    for profile in framework.profiles.values():
        found.update({p.id: p.name for p in profile.provisions.values()})
    return found


def _added_removed(old: Framework, new: Framework) -> dict[str, list[dict]]:
    """What `new` has and `old` has not: rules, provisions, entitlements, derived facts, parameters."""
    ents_old, ents_new = _all_entitlements(old), _all_entitlements(new)
    prov_old, prov_new = _all_provisions(old), _all_provisions(new)
    derived_old = {d.key for d in old.derived}
    return {
        "rules": [{"id": r, "title": new.rules[r].title} for r in sorted(set(new.rules) - set(old.rules))],
        "provisions": [{"id": p, "name": prov_new[p]} for p in sorted(set(prov_new) - set(prov_old))],
        "entitlements": [{"id": e, "title": ents_new[e]} for e in sorted(set(ents_new) - set(ents_old))],
        "derived": [{"key": d.key} for d in new.derived if d.key not in derived_old],
        "parameters": [{"name": p} for p in sorted(set(new.parameters) - set(old.parameters))],
    }


def is_empty(changes: dict) -> bool:
    return not (changes["parameters"] or changes["rules"] or changes["derived"]
                or any(changes["added"].values()) or any(changes["removed"].values()))


def names(base: Framework, proposal: Framework, changes: list[dict]) -> dict[str, str]:
    """The name of every provision, entitlement, signal, check, deadline and rule the changes mention (proposal
    first), so that a report can show names next to ids."""
    table: dict[str, str] = {}
    for framework in (base, proposal):  # the proposal's name wins where both have one
        table.update(_all_provisions(framework))
        table.update(_all_entitlements(framework))
        table.update({k: v.title for k, v in framework.signals.items()})
        table.update({k: v.title for k, v in framework.checks.items()})
        table.update({k: v.title for k, v in framework.deadlines.items()})
        table.update({k: v.title for k, v in framework.rules.items()})
    wanted: set[str] = set()
    for change in changes:
        wanted.add(change["subject"].split("@", 1)[0])
        wanted.update(change.get("rules", []))
        for side in (change.get("before"), change.get("after")):
            if isinstance(side, dict) and side.get("provision"):
                wanted.add(side["provision"])
    return {ident: table[ident] for ident in sorted(wanted) if ident in table}

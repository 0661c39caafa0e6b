"""The law behind what an impact report names: every rule, parameter, criterion, entitlement, provision, derived
fact, signal, check and deadline it mentions, with its legal basis and the address of the article on
wetten.overheid.nl in the version in force on the report's peildatum (engine.language.wetten, the same links as
`kader explain`). The proposal's legal basis wins where both versions have the element."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable

from engine.language.framework import Framework
from engine.language.wetten import _linked


def _bases(framework: Framework) -> dict[str, str]:
    """id -> legal basis of every element of the framework an impact report can name."""
    found: dict[str, str] = {}
    for rule in framework.rules.values():
        found[rule.id] = rule.legal_basis
    for name, parameter in framework.parameters.items():
        found[name] = parameter.legal_basis
    for derived in framework.derived:
        found[derived.key] = derived.legal_basis
    for table in (framework.signals, framework.checks):
        for ident, label in table.items():
            found.setdefault(ident, label.legal_basis)
    for ident, deadline in framework.deadlines.items():
        found.setdefault(ident, deadline.legal_basis)
    provisions = list(framework.provisions.values())
    entitlements = list(framework.entitlements.values())
    for profile in framework.profiles.values():
        provisions += list(profile.provisions.values())
        entitlements += list(profile.entitlements.values())
    for provision in provisions:
        found[provision.id] = provision.legal_basis
    for entitlement in entitlements:
        found[entitlement.id] = entitlement.legal_basis
        for criterion in entitlement.criteria:
            found[f"{entitlement.id}.{criterion.id}"] = criterion.legal_basis
    return found


def named(report: dict) -> Iterable[str]:
    """Every id the report names: in its tallies, its changes, its rule changes and its names table."""
    yield from report.get("by_rule", {})
    yield from report.get("by_parameter", {})
    yield from report.get("by_criterion", {})
    yield from report.get("names", {})
    for change in report.get("changes", []):
        yield change["subject"].split("@", 1)[0]
        yield from change.get("rules", [])
        yield from change.get("parameters", [])
        yield from change.get("criteria", [])
    changes = report.get("rule_changes") or {}
    for parameter in changes.get("parameters", []):
        yield parameter["name"]
    for rule in changes.get("rules", []):
        yield rule["id"]
    for derived in changes.get("derived", []):
        yield derived["key"]
    for side in ("added", "removed"):
        for items in (changes.get(side) or {}).values():
            for item in items:
                ident = item.get("id") or item.get("key") or item.get("name")
                if ident:
                    yield ident


def impact_links(base: Framework, proposal: Framework, report: dict, peildatum: _dt.date) -> dict[str, Any]:
    """id -> {legal_basis, references: [{wet, bwb, artikel, lid, onder, url}]} for every element the report names
    whose legal basis resolves to a statute article; sorted by id, so the JSON stays byte-identical."""
    bases = _bases(base)
    bases.update(_bases(proposal))
    wetten = getattr(proposal, "wetten", None) or getattr(base, "wetten", None)
    out: dict[str, Any] = {}
    if wetten is None:
        return out
    for ident in sorted(set(named(report))):
        text = bases.get(ident)
        if text is None and "." in ident:  # a field of a minima scheme (`soest.regeling.percentage`): the scheme's
            text = bases.get(ident.rsplit(".", 1)[0])
        if not text:
            continue
        references = [dict(r) for r in _linked(wetten, text, peildatum) if r.get("artikel")]
        if references:
            out[ident] = {"legal_basis": text, "references": references}
    return out

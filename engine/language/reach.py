"""What an expression reads, directly or through derived facts.

`Reach(framework).keys(node)` is every key (fact, derived fact, parameter) that
the expression reads, following derived facts to the facts and parameters their
formulas read. Person aliases (`aanvrager.leeftijd`) are also given as the
person key (`persoon.leeftijd`), because person-derived facts are declared that
way. Coverage, impact and counterfactuals use it to tell which parameters and
which input facts an outcome depends on.
"""

from __future__ import annotations

from typing import Any

from .framework import Framework
from .ir import references
from .registry import PERSON_ALIASES


def base_key(key: str) -> str:
    """`aanvrager.x` and `partner.x` -> `persoon.x`; other keys as they are."""
    for alias in PERSON_ALIASES:
        if key.startswith(alias + "."):
            return "persoon." + key[len(alias) + 1:]
    return key


class Reach:
    def __init__(self, framework: Framework):
        self.framework = framework
        self.derived = {d.key: d for d in framework.derived}
        self._closure: dict[str, frozenset[str]] = {}

    def keys(self, node: Any) -> frozenset[str]:
        found: set[str] = set()
        for key in references(node):
            found |= self.key(key)
        return frozenset(found)

    def key(self, key: str) -> frozenset[str]:
        """`key` itself, its person form, and (for a derived fact) everything its formula reads."""
        base = base_key(key)
        found = {key, base}
        keyed = getattr(self.framework, "keyed", {}).get(base)
        if keyed is not None:
            found.add(keyed)  # a parameter keyed by a date of the case, under its own name
        if base in self.derived:
            found |= self._derived(base, frozenset())
        return frozenset(found)

    def _derived(self, key: str, seen: frozenset[str]) -> frozenset[str]:
        if key in self._closure:
            return self._closure[key]
        if key in seen:  # the loader refuses cycles; this only guards the recursion
            return frozenset()
        found: set[str] = set()
        for condition, value in self.derived[key].parts:
            for node in (condition, value):
                if node is None:
                    continue
                for ref in references(node):
                    base = base_key(ref)
                    found |= {ref, base}
                    keyed = getattr(self.framework, "keyed", {}).get(base)
                    if keyed is not None:
                        found.add(keyed)
                    if base in self.derived:
                        found |= self._derived(base, seen | {key})
        self._closure[key] = frozenset(found)
        return self._closure[key]

    def parameters(self, node: Any) -> frozenset[str]:
        return frozenset(k for k in self.keys(node) if k in self.framework.parameters)

    def rule_parameters(self, rule_id: str) -> frozenset[str]:
        return self.parameters(self.framework.rules[rule_id].when)

    def entitlement_keys(self, entitlement) -> frozenset[str]:
        found: set[str] = set()
        for criterion in entitlement.criteria:
            found |= self.keys(criterion.when)
        for _, node, _ in entitlement.amounts:
            found |= self.keys(node)
        return frozenset(found)


def fact_info(framework: Framework, key: str, domain: str | None = None):
    """The declaration of a fact (`FactInfo`), or None; hulpvraag facts may be declared per domain."""
    per_domain = getattr(framework, "hulpvraag_facts", None)  # frameworks that keep hulpvraag facts per domain
    if per_domain and key.startswith("hulpvraag."):
        if domain is not None and key in per_domain.get(domain, {}):
            return per_domain[domain][key]
        for facts in per_domain.values():
            if key in facts:
                return facts[key]
    return framework.facts.get(key)


def declared_facts(framework: Framework) -> list[tuple[str, object]]:
    """(key, FactInfo) of every fact the framework declares, once per key."""
    found = dict(framework.facts)
    for facts in (getattr(framework, "hulpvraag_facts", None) or {}).values():
        for key, info in facts.items():
            found.setdefault(key, info)
    return list(found.items())


def all_entitlements(framework: Framework) -> list:
    result = list(framework.entitlements.values())
    for profile in framework.profiles.values():
        result += list(profile.entitlements.values())
    return result


def cited_elements(framework: Framework):
    """(kind, id, legal bases, span) of every element of the framework that cites the law."""
    for rule in framework.rules.values():
        yield "regel", rule.id, [rule.legal_basis], rule.span
    provisions = list(framework.provisions.values())
    for profile in framework.profiles.values():
        provisions += list(profile.provisions.values())
    for provision in provisions:
        yield "voorziening", provision.id, [provision.legal_basis], provision.span
    for parameter in framework.parameters.values():
        yield "parameter", parameter.name, [parameter.legal_basis], parameter.span
    for derived in framework.derived:
        yield "afgeleid", derived.key, [derived.legal_basis] + [
            v.legal_basis for _, v in derived.parts if getattr(v, "legal_basis", None)], derived.span  # `onbepaald`
    for entitlement in all_entitlements(framework):
        yield "aanspraak", entitlement.id, [entitlement.legal_basis] + [c.legal_basis for c in entitlement.criteria], \
            entitlement.span
    for deadline in framework.deadlines.values():
        yield "termijn", deadline.id, [deadline.legal_basis], deadline.span
    for key, info in declared_facts(framework):
        if info.declared_in is not None:
            yield "feit", key, [info.legal_basis], info.span
    for ident, label in framework.signals.items():
        yield "signaal", ident, [label.legal_basis], None
    for ident, label in framework.checks.items():
        yield "controle", ident, [label.legal_basis], None

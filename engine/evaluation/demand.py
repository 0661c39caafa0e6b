"""Which derived facts an assessment reads, so that a batch computes only those (issue 16).

An assessment reads facts in the rules of the groups that run (the domains of the case's hulpvragen, and
`integraal`: their conditions, the missing facts and the provisional outcomes all evaluate these rules), and in
the entitlements that can apply (those of the case's domains: criteria and amounts), and, through them, in every
derived fact those read (`aanvrager.x` and `partner.x` are a person's `persoon.x`). A derived fact outside that
closure cannot change the outcome; it is computed only when the trace is read (engine.evaluation.facts.complete). One whose
formula can fail (a division by a fact, which may be zero) is always computed, with what it reads: the case
fails with E910 as it did when every derived fact was computed.
"""

from __future__ import annotations

from engine.language.framework import Framework
from engine.language.ir import Arith, FindingRef, Lit, Ref, walk

_ALIASES = ("aanvrager.", "partner.")


def _aliased(keys) -> set[str]:
    return set(keys) | {"persoon." + k.split(".", 1)[1] for k in keys if k.startswith(_ALIASES)}


def _reads(node) -> set[str]:
    if node is None:
        return set()
    found = set()
    for inner in walk(node):
        if isinstance(inner, Ref):
            found.add(inner.key)
        elif isinstance(inner, FindingRef):
            found.add("finding:" + inner.name)
    return _aliased(found)


def _may_fail(derived) -> bool:
    """Whether evaluating the derived fact can stop the assessment with an error (E910: a division by something
    other than a non-zero number): such a fact is always computed, read or not, so that a case fails as before."""
    for part in derived.parts:
        for node in part:
            for inner in walk(node) if node is not None else ():
                if isinstance(inner, Arith) and inner.op == "/" and not (
                        isinstance(inner.right, Lit) and not isinstance(inner.right.value, bool)
                        and inner.right.value != 0):
                    return True
    return False


def derived_read(framework: Framework, domains: frozenset[str], gemeente: str) -> frozenset[str]:
    """The keys of the derived facts an assessment of a case with hulpvragen in `domains` in `gemeente` reads,
    once per rule set, set of domains and municipality."""
    memo_key = ("derived_read", domains, gemeente)
    found = framework.memo.get(memo_key)
    if found is not None:
        return found
    keys: set[str] = set()
    for rule in framework.rules.values():
        if rule.group in domains or rule.group not in framework.domains:  # the integral group always runs
            keys |= _reads(rule.when)
            keys |= _aliased(rule.references)
    for entitlement in framework.entitlements_for(gemeente):
        if entitlement.requires.domein in domains:
            for criterion in entitlement.criteria:
                keys |= _reads(criterion.when)
            for _, node, _ in entitlement.amounts:
                keys |= _reads(node)
    derived = {d.key: d for d in framework.derived}
    keys.update(d.key for d in framework.derived if _may_fail(d))
    needed: set[str] = set()
    todo = [k for k in keys if k in derived]
    while todo:
        key = todo.pop()
        if key in needed:
            continue
        needed.add(key)
        reads = set(derived[key].depends)
        for condition, value in derived[key].parts:
            reads |= _reads(condition) | _reads(value)
        todo.extend(k for k in reads if k in derived and k not in needed)
    found = framework.memo[memo_key] = frozenset(needed)
    return found

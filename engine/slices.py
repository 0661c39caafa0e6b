"""When two rule-set versions must give the same assessment for a case, without assessing it twice.

An assessment of a case in municipality G with hulpvragen in domains D reads
only part of a framework: everything shared (ladder, vocabulary, parameters,
derived facts, provisions, entitlements, terms, signals, checks: every field of
the framework except the rules and the profiles), the profile of G, and the
rules of the groups that run for it: the domains in D and the integral group.
Rules of other domains are never run, asked for missing facts or used to
explain, and another municipality's profile is never read (local provision ids
start with their municipality's name).

`SliceKeys` fingerprints each of these parts once per framework, ignoring what
does not change an outcome: positions in files, the content-hash names of the
compiled rulesets, and a rule's global position number (the order of the rules
within a group is kept). Anything else that differs, even only in order, counts
as a difference. When the fingerprints of a case's slice are equal for both
versions, the assessment is the same, and the impact analysis assesses the case
once. A test checks this against assessing every case twice.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
from decimal import Decimal
from typing import Any

from .calc import DerivedEvaluator, Evaluator
from .errors import Span
from .framework import INTEGRAAL, Framework, RuleDef

_SKIPPED_FIELDS = {"span", "ruleset_name"}
# Framework fields that are not part of the shared slice: the rules (fingerprinted per group), indexes built
# from them, the profiles (fingerprinted one by one), and what does not change an outcome. Every other field,
# also one added later, is part of the shared slice: when in doubt, a case is assessed twice.
NOT_SHARED = {"rules", "groups", "ladder_rules", "producers", "profiles", "stats", "root", "hash"}


def canonical(value: Any) -> Any:
    """A plain, comparable form of framework data: positions and compiled closures left out (IR kept)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Decimal):
        return ("D", str(value))
    if isinstance(value, (_dt.date, _dt.datetime)):
        return ("T", value.isoformat())
    if isinstance(value, Span):
        return None
    if isinstance(value, Evaluator):
        return ("E", canonical(value.node))
    if isinstance(value, DerivedEvaluator):
        return ("DE", canonical(value.parts), value.rounding, value.type)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        skipped = _SKIPPED_FIELDS | ({"order"} if isinstance(value, RuleDef) else set())
        return (type(value).__name__,) + tuple((f.name, canonical(getattr(value, f.name)))
                                               for f in dataclasses.fields(value) if f.name not in skipped)
    if isinstance(value, dict):  # in insertion order: where order matters it is kept, where not it costs a re-assessment
        return ("M",) + tuple((canonical(k), canonical(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ("L",) + tuple(canonical(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return ("S",) + tuple(sorted((canonical(v) for v in value), key=repr))
    if callable(value):
        raise TypeError(f"cannot fingerprint a callable of type {type(value).__name__}")
    return ("O", type(value).__name__, repr(value))


def fingerprint(value: Any) -> str:
    return hashlib.sha256(repr(canonical(value)).encode()).hexdigest()


class SliceKeys:
    """Fingerprints of the parts of one framework that an assessment reads."""

    def __init__(self, framework: Framework):
        shared = {f.name: getattr(framework, f.name) for f in dataclasses.fields(framework)
                  if f.name not in NOT_SHARED}
        shared["profiles"] = sorted(framework.profiles)
        self.shared = fingerprint(shared)
        self.profiles = {name: fingerprint(profile) for name, profile in framework.profiles.items()}
        self.groups: dict[str, str] = {}
        for name, group in framework.groups.items():
            rules = sorted((r for r in framework.rules.values() if r.group == name), key=lambda r: r.order)
            self.groups[name] = fingerprint({"rules": rules, "compiled": group})
        self._memo: dict[tuple[str, frozenset[str]], tuple] = {}

    def key(self, gemeente: str, domains: frozenset[str]) -> tuple:
        memo = (gemeente, domains)
        found = self._memo.get(memo)
        if found is None:
            groups = tuple((d, self.groups.get(d)) for d in sorted(domains | {INTEGRAAL}))
            found = self._memo[memo] = (self.shared, self.profiles.get(gemeente), groups)
        return found


class Equivalence:
    """Whether two frameworks assess a case in a municipality with hulpvragen in some domains the same way."""

    def __init__(self, base: Framework, proposal: Framework):
        self.identical = base.hash == proposal.hash
        self.base = None if self.identical else SliceKeys(base)
        self.proposal = None if self.identical else SliceKeys(proposal)

    def same(self, gemeente: str, domains: frozenset[str]) -> bool:
        if self.identical:
            return True
        return self.base.key(gemeente, domains) == self.proposal.key(gemeente, domains)

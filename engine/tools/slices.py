"""When two rule-set versions must give the same assessment for a case, without assessing it twice.

An assessment of a case in municipality G with hulpvragen in domains D reads
only part of a framework:

- everything shared: ladder, vocabulary, derived facts, provisions, terms,
  signals, checks (every field of the framework except the rules, parameters,
  entitlements and profiles);
- the profile of G apart from its override values and minima schemes, which
  count as parameters and entitlements;
- the rules of the groups that run for it: the domains in D and the integral
  group (rules of other domains are never run, asked for missing facts or used
  to explain);
- the entitlements that can apply: those of the framework and of G whose
  `requires` names a domain in D;
- the values in G of the parameters that those rules and entitlements read,
  directly or through derived facts.

Another municipality's profile is never read (local provision ids start with
their municipality's name). One thing is not covered: a derived fact that no
rule or entitlement of the case reads is still computed for it, so a formula
error that only the proposal makes there (a division by a parameter set to 0)
shows for the cases that read it, not for the others.

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

from engine.errors import Span
from engine.language.calc import DerivedEvaluator, Evaluator
from engine.language.framework import INTEGRAAL, Framework, RuleDef
from engine.language.reach import Reach

_SKIPPED_FIELDS = {"span", "ruleset_name"}
# Framework fields that are not part of the shared slice: the rules (fingerprinted per group), indexes built
# from them, the profiles (fingerprinted one by one), the parameters and entitlements (counted where they are
# read), and what does not change an outcome. Every other field,
# also one added later, is part of the shared slice: when in doubt, a case is assessed twice.
# indexes and caches are left out: they follow from the rules fingerprinted per group and from the calendar
NOT_SHARED = {"rules", "groups", "ladder_index", "producers", "profiles", "stats", "root", "hash", "parameters",
              "entitlements", "days_off", "memo"}


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
        self.framework = framework
        shared = {f.name: getattr(framework, f.name) for f in dataclasses.fields(framework)
                  if f.name not in NOT_SHARED}
        shared["profiles"] = sorted(framework.profiles)
        self.shared = fingerprint(shared)
        # a profile without its override values and minima schemes: those count where they are read
        self.profiles = {name: fingerprint(dataclasses.replace(profile, overrides={}, entitlements={}))
                         for name, profile in framework.profiles.items()}
        self.reach = Reach(framework)
        self.groups: dict[str, str] = {}
        self.group_reads: dict[str, frozenset[str]] = {}
        for name, group in framework.groups.items():
            rules = sorted((r for r in framework.rules.values() if r.group == name), key=lambda r: r.order)
            self.groups[name] = fingerprint({"rules": rules, "compiled": group})
            self.group_reads[name] = frozenset().union(*(self.reach.keys(r.when) for r in rules))
        self._entitlements: dict[int, tuple[str, frozenset[str]]] = {}
        self._memo: dict[tuple[str, frozenset[str]], tuple] = {}

    def _entitlement(self, entitlement) -> tuple[str, frozenset[str]]:
        found = self._entitlements.get(id(entitlement))
        if found is None:
            found = self._entitlements[id(entitlement)] = (fingerprint(entitlement),
                                                           self.reach.entitlement_keys(entitlement))
        return found

    def _run_and_reads(self, domains: frozenset[str]) -> tuple[list[str], set[str]]:
        """The rule groups that run for hulpvragen in `domains` (with the integral group), and what their rules read."""
        run = sorted(domains | {INTEGRAAL})
        reads: set[str] = set()
        for group in run:
            reads |= self.group_reads.get(group, frozenset())
        return run, reads

    def key(self, gemeente: str, domains: frozenset[str]) -> tuple:
        memo = (gemeente, domains)
        found = self._memo.get(memo)
        if found is None:
            run, reads = self._run_and_reads(domains)
            entitlements = []
            for entitlement in self.framework.entitlements_for(gemeente):
                if entitlement.requires.domein in domains:  # only these can apply (engine.evaluation.entitlements.applies)
                    digest, keys = self._entitlement(entitlement)
                    entitlements.append((entitlement.id, digest))
                    reads |= keys
            parameters = tuple((name, fingerprint(self.framework.parameter(name, gemeente)))
                               for name in sorted(reads) if name in self.framework.parameters)
            found = self._memo[memo] = (self.shared, self.profiles.get(gemeente),
                                        tuple((g, self.groups.get(g)) for g in run), tuple(entitlements), parameters)
        return found


    def inference_key(self, gemeente: str, domains: frozenset[str]) -> tuple:
        """What the inference of a case reads (the facts the running groups' rules read and the rules that fire):
        the shared part (derived facts included), the profile, the rules of the groups that run, and the values
        in `gemeente` of the parameters those rules read, directly or through derived facts. Not the entitlements,
        nor parameters only entitlements read: when only those differ, the rules fire the same way."""
        memo = ("inference", gemeente, domains)
        found = self._memo.get(memo)
        if found is None:
            run, reads = self._run_and_reads(domains)
            parameters = tuple((name, fingerprint(self.framework.parameter(name, gemeente)))
                               for name in sorted(reads) if name in self.framework.parameters)
            found = self._memo[memo] = (self.shared, self.profiles.get(gemeente),
                                        tuple((g, self.groups.get(g)) for g in run), parameters)
        return found


class Equivalence:
    """Whether two frameworks assess a case in a municipality with hulpvragen in some domains the same way."""

    def __init__(self, base: Framework, proposal: Framework):
        self.identical = base is proposal or base.hash == proposal.hash
        self.base = None if self.identical else SliceKeys(base)
        self.proposal = None if self.identical else SliceKeys(proposal)

    def same(self, gemeente: str, domains: frozenset[str]) -> bool:
        if self.identical:
            return True
        return self.base.key(gemeente, domains) == self.proposal.key(gemeente, domains)

    def same_inference(self, gemeente: str, domains: frozenset[str]) -> bool:
        """Whether the rules fire the same way for such a case under both versions (SliceKeys.inference_key), so
        that the proposal's assessment can take the base's inference and redo only what follows from it."""
        if self.identical:
            return True
        return self.base.inference_key(gemeente, domains) == self.proposal.inference_key(gemeente, domains)

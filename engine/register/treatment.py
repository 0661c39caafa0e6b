"""Equal treatment: records equal on every framework fact must get the same outcome in every municipality,
except where the framework leaves room (override points, local level-1 provisions, local minima schemes).

Records are grouped by their inputs without the case id and the municipality
(and with the peildatum they were assessed on). Within a group, every pair of
records from different municipalities is compared item by item: the proposal per
hulpvraag, each entitlement, each legal term, the signals, the checks and the
assessor's decision. A difference is allowed when

- it concerns a local provision or a local minima scheme of either municipality
  (`framework.profiles[g].provisions` / `.entitlements`), or
- it disappears when the second record is assessed again with the override
  values of the first municipality (the framework's override points, with the
  values in `framework.profiles[g].overrides`): then it comes from an override.

Whatever remains is reported with its cause: the assessor's decision, different
rule sets, or rules that read the municipality outside the override points.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Callable

from engine.language.framework import Framework
from engine.language.ir import references

from .records import canonical_json

DESCRIPTIVE = frozenset({"title", "legal_basis", "decision", "gemeente", "description", "rules"})


def fingerprint(case_json: str, peildatum: str) -> str:
    """The same for two records whose inputs are equal apart from the case id and the municipality."""
    data = json.loads(case_json, parse_float=Decimal)
    if not isinstance(data, dict):
        return "sha256:" + hashlib.sha256(case_json.encode()).hexdigest()
    facts = {k: v for k, v in data.items() if k not in ("id", "gemeente")}
    facts["peildatum"] = peildatum
    return "sha256:" + hashlib.sha256(canonical_json(facts).encode()).hexdigest()


def outcome(assessment: dict, decision: str) -> dict[str, Any]:
    """The comparable outcome of an assessment: one entry per item an auditor compares."""
    items: dict[str, Any] = {}
    for proposal in assessment.get("proposals", []):
        items[f"voorstel {proposal['hulpvraag']}"] = {
            "provision": proposal.get("provision"), "level": proposal.get("level"), "status": proposal.get("status")}
    for entitlement in assessment.get("entitlements", []):
        value = {k: v for k, v in entitlement.items() if k not in DESCRIPTIVE and k != "criteria"}
        value["criteria"] = [[c.get("id"), c.get("met")] for c in entitlement.get("criteria", [])]
        items[f"aanspraak {entitlement['id']}"] = value
    for deadline in assessment.get("deadlines", []):
        items[f"termijn {deadline['id']}"] = deadline.get("date")
    for kind, name in (("signals", "signalen"), ("checks", "controles")):
        items[name] = sorted(f"{s['id']}@{s['hulpvraag']}" if s.get("hulpvraag") else s["id"]
                             for s in assessment.get(kind, []))
    items["beslissing"] = decision
    return items


def local_items(framework: Framework | None, gemeente: str, assessment: dict) -> set[str]:
    """Items of this assessment that come from the municipality's own room (level-1 provisions, minima schemes)."""
    profile = framework.profiles.get(gemeente) if framework is not None else None
    local: set[str] = set()
    for proposal in assessment.get("proposals", []):
        provision = proposal.get("provision")
        if provision is None:
            continue
        own = (provision in profile.provisions) if profile is not None else bool(proposal.get("gemeente"))
        if own:
            local.add(f"voorstel {proposal['hulpvraag']}")
    schemes = {e.id for e in profile.entitlements.values()} if profile is not None else set()
    for entitlement in assessment.get("entitlements", []):
        if entitlement["id"] in schemes or (profile is None and entitlement.get("gemeente")):
            local.add(f"aanspraak {entitlement['id']}")
    return local


@dataclass
class Entry:
    """One record, as far as equal treatment is concerned."""

    seq: int
    gemeente: str
    case_key: str
    peildatum: str
    framework_hash: str
    decision: str
    motivation: str | None
    case_json: str
    assessment: dict
    in_scope: bool
    fingerprint: str = ""
    outcome: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        _dt.date.fromisoformat(self.peildatum)  # a changed record may hold anything: refuse it here (ValueError)
        self.fingerprint = fingerprint(self.case_json, self.peildatum)
        self.outcome = outcome(self.assessment, self.decision)
        # keep only what local_items reads: a register can hold many records
        self.assessment = {
            "proposals": [{k: p.get(k) for k in ("hulpvraag", "provision", "gemeente")}
                          for p in self.assessment.get("proposals", [])],
            "entitlements": [{k: e.get(k) for k in ("id", "gemeente")} for e in self.assessment.get("entitlements", [])],
        }

    def brief(self, seqs: list[int]) -> dict:
        return {"seq": self.seq, "gemeente": self.gemeente, "case_key": self.case_key,
                "framework_hash": self.framework_hash, "decision": self.decision, "motivation": self.motivation,
                "records": seqs}


Loader = Callable[[str], Framework | None]          # framework hash -> pinned framework (None if it does not load)
Replayer = Callable[[Framework, "Entry"], dict | None]  # assess an entry's inputs with a given framework


def _override_values(framework: Framework | None, gemeente: str, day: _dt.date) -> dict[str, str]:
    if framework is None or gemeente not in framework.profiles:
        return {}
    values = {}
    for name, parameter in framework.profiles[gemeente].overrides.items():
        found = parameter.at(day)
        values[name] = format(found[0], "f") if found else "geen waarde"
    return values


def _gemeente_readers(framework: Framework) -> list[str]:
    found = [rule.id for rule in framework.rules.values() if "casus.gemeente" in references(rule.when)]
    found += [d.key for d in framework.derived if "casus.gemeente" in d.depends]
    for entitlement in framework.entitlements.values():
        if any("casus.gemeente" in references(c.when) for c in entitlement.criteria) or \
                any("casus.gemeente" in references(ir) for _, ir, _ in entitlement.amounts):
            found.append(entitlement.id)
    return sorted(set(found))


def compare(a: Entry, b: Entry, pinned: Loader, replay: Replayer) -> dict | None:
    """The unexplained differences between two records of different municipalities, or None."""
    fa, fb = pinned(a.framework_hash), pinned(b.framework_hash)
    local = local_items(fa, a.gemeente, a.assessment) | local_items(fb, b.gemeente, b.assessment)
    keys = [k for k in dict.fromkeys([*a.outcome, *b.outcome]) if k not in local]
    differing = [k for k in keys if a.outcome.get(k) != b.outcome.get(k)]
    if not differing:
        return None
    day = _dt.date.fromisoformat(a.peildatum)
    overrides_a, overrides_b = _override_values(fa, a.gemeente, day), _override_values(fb, b.gemeente, day)
    changed = sorted(n for n in set(overrides_a) | set(overrides_b) if overrides_a.get(n) != overrides_b.get(n))
    explained: list[str] = []
    if changed and fa is not None and fb is not None and a.gemeente in fa.profiles and b.gemeente in fb.profiles:
        profile = fb.profiles[b.gemeente]
        swapped = replace(fb, profiles={**fb.profiles,
                                        b.gemeente: replace(profile, overrides=dict(fa.profiles[a.gemeente].overrides))})
        counterfactual = replay(swapped, b)
        if counterfactual is not None:
            alike = outcome(counterfactual, b.decision)
            explained = [k for k in differing if k != "beslissing" and alike.get(k) == a.outcome.get(k)]
    remaining = [k for k in differing if k not in explained]
    if not remaining:
        return None
    return {
        "differences": [{"item": k, "a": a.outcome.get(k), "b": b.outcome.get(k)} for k in remaining],
        "explained_by_overrides": [{"item": k, "overrides": changed} for k in explained],
        "cause": _cause(a, b, remaining, fa),
    }


def _cause(a: Entry, b: Entry, remaining: list[str], framework: Framework | None) -> str:
    parts = []
    if "beslissing" in remaining:
        deviating = a if a.decision == "wijkt_af" else b
        parts.append(f"de consulent week in {deviating.gemeente} af van het voorstel en volgde het in "
                     f"{(b if deviating is a else a).gemeente}"
                     + (f" (motivering: {deviating.motivation})" if deviating.motivation else ""))
    if any(k != "beslissing" for k in remaining):
        if a.framework_hash != b.framework_hash:
            parts.append(f"de records zijn beoordeeld met verschillende regelsets ({a.framework_hash} en "
                         f"{b.framework_hash})")
        elif framework is None:
            parts.append("de regelset van deze records laadt niet; de oorzaak is niet vast te stellen")
        else:
            readers = _gemeente_readers(framework)
            if readers:
                parts.append("het kader maakt buiten de override-punten onderscheid naar gemeente in: "
                             + ", ".join(readers))
            else:
                parts.append("het verschil volgt niet uit override-punten of lokale voorzieningen")
    return "; ".join(parts)


def unequal_treatment(entries: list[Entry], pinned: Loader, replay: Replayer) -> list[dict]:
    """Every pair of outcome clusters, in different municipalities, with unexplained differences."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.fingerprint, []).append(entry)
    found = []
    for members in groups.values():
        if len({m.gemeente for m in members}) < 2:
            continue
        clusters: dict[tuple, list[Entry]] = {}
        for member in members:
            key = (member.gemeente, member.framework_hash, canonical_json(member.outcome))
            clusters.setdefault(key, []).append(member)
        heads = [(c[0], [m.seq for m in c], any(m.in_scope for m in c)) for c in clusters.values()]
        for i, (a, seqs_a, scope_a) in enumerate(heads):
            for b, seqs_b, scope_b in heads[i + 1:]:
                if a.gemeente == b.gemeente or not (scope_a or scope_b):
                    continue
                result = compare(a, b, pinned, replay)
                if result is not None:
                    found.append({"a": a.brief(seqs_a), "b": b.brief(seqs_b), **result})
    return sorted(found, key=lambda f: (f["a"]["seq"], f["b"]["seq"]))


"""Choose, per hulpvraag, the lightest sufficient provision at or above any floor.

The ladder is walked from the lightest rung up. A rung below a floor is passed
with the floor rule as the reason. At each rung, every candidate provision (the
framework's, plus the municipality's own voorveld) is either excluded by a rule,
judged sufficient by a rule, or undecided. The first sufficient provision is the
proposal; an undecided one stops the walk, because passing it would skip a
lighter option nobody ruled out: the proposal then says "geen automatisch
voorstel" and the assessor gets the facts still missing to decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.language.framework import Framework, ProvisionDef

from .case import Hulpvraag

NO_PROPOSAL = "geen_automatisch_voorstel"
PROPOSAL = "voorstel"


@dataclass
class HulpvraagConclusions:
    """What the rules concluded about one hulpvraag: rule ids per target."""

    suffices: dict[str, list[str]] = field(default_factory=dict)  # provision id -> rules
    suffices_level: dict[int, list[str]] = field(default_factory=dict)
    excludes: dict[str, list[str]] = field(default_factory=dict)
    excludes_level: dict[int, list[str]] = field(default_factory=dict)
    floors: list[tuple[int, str]] = field(default_factory=list)  # (level, rule)

    def add(self, kind: str, target: Any, rule_id: str) -> None:
        if kind == "floor":
            self.floors.append((target, rule_id))
            return
        by_provision = self.suffices if kind == "suffices" else self.excludes
        by_level = self.suffices_level if kind == "suffices" else self.excludes_level
        if target.provision is not None:
            by_provision.setdefault(target.provision, []).append(rule_id)
        for level in target.levels_set():
            by_level.setdefault(level, []).append(rule_id)


    def add_prepared(self, prepared: tuple, rule_id: str) -> None:
        """`add` for each conclusion of a rule, as `prepare` laid them out (in the rule's order)."""
        for kind, provision, levels in prepared:
            if kind == "floor":
                self.floors.append((provision, rule_id))
                continue
            if kind == "suffices":
                by_provision, by_level = self.suffices, self.suffices_level
            else:
                by_provision, by_level = self.excludes, self.excludes_level
            if provision is not None:
                by_provision.setdefault(provision, []).append(rule_id)
            for level in levels:
                by_level.setdefault(level, []).append(rule_id)


def prepare(conclusions) -> tuple:
    """(kind, provision, levels) of each suffices/excludes conclusion and ("floor", level, ()) of each floor, for
    HulpvraagConclusions.add_prepared: what `add` reads of the target, read once per rule set."""
    return tuple((kind, value, ()) if kind == "floor" else (kind, value.provision, value.levels_set())
                 for kind, value in conclusions)


@dataclass
class Selection:
    proposal: dict
    undecided: list[ProvisionDef]


def _reason(framework: Framework, rule_id: str) -> str:
    return framework.rules[rule_id].reason


def _rungs(framework: Framework, domein: str, onderwerp: str, gemeente: str, candidates: list) -> tuple:
    """Per rung of the ladder: (level, the candidate provisions on it, the reason when there are none), once per
    framework object, domain, onderwerp and municipality."""
    key = ("ladder_rungs", domein, onderwerp, gemeente)
    found = framework.memo.get(key)
    if found is None:
        found = framework.memo[key] = tuple(
            (rung.level, tuple(p for p in candidates if p.level == rung.level),
             f"het kader kent op niveau {rung.level} ({rung.name}) geen voorziening voor {onderwerp}")
            for rung in framework.ladder)
    return found


def _candidates(framework: Framework, domein: str, onderwerp: str, gemeente: str) -> tuple:
    """(the candidate provisions, their rungs), once per framework object, domain, onderwerp and municipality."""
    key = ("select_candidates", domein, onderwerp, gemeente)
    found = framework.memo.get(key)
    if found is None:
        candidates = framework.provisions_for(domein, onderwerp, gemeente)
        found = framework.memo[key] = (tuple(candidates), _rungs(framework, domein, onderwerp, gemeente, candidates))
    return found


def select(framework: Framework, hv: Hulpvraag, gemeente: str, conclusions: HulpvraagConclusions) -> Selection:
    candidates, rungs = _candidates(framework, hv.domein, hv.onderwerp, gemeente)
    # the highest floor; of rules setting the same floor, the first in the framework's order
    if conclusions.floors:
        floor_level, floor_rule = max(conclusions.floors, key=lambda f: (f[0], -framework.rules[f[1]].order))
    else:
        floor_level = floor_rule = None
    ruled_out: list[tuple[tuple[int, int], dict]] = []  # ((level, order on the rung), entry)
    undecided: list[ProvisionDef] = []
    chosen: ProvisionDef | None = None
    chosen_rules: list[str] = []
    for level, here, no_provision in rungs:
        if floor_level is not None and level < floor_level:
            ruled_out.append(((level, -1), {"level": level, "provision": None, "rule": floor_rule,
                              "reason": f"{_reason(framework, floor_rule)} (ondergrens: niveau {floor_level})"}))
            continue
        if not here:
            ruled_out.append(((level, -1), {"level": level, "provision": None, "rule": None,
                              "reason": no_provision}))
            continue
        sufficient_here: list[tuple[ProvisionDef, list[str]]] = []
        open_here: list[ProvisionDef] = []
        for provision in here:
            excluded = conclusions.excludes.get(provision.id) or conclusions.excludes_level.get(level)
            if excluded:
                ruled_out.append(((level, provision.order), {"level": level, "provision": provision.id,
                                                             "rule": excluded[0], "reason": _reason(framework, excluded[0])}))
                continue
            sufficient = conclusions.suffices.get(provision.id) or conclusions.suffices_level.get(level)
            if sufficient:
                sufficient_here.append((provision, list(dict.fromkeys(sufficient))))
            else:
                open_here.append(provision)
        if sufficient_here:
            # Equally light alternatives on one rung: the first sufficient one in declaration order.
            chosen, chosen_rules = sufficient_here[0]
            break
        if open_here:
            undecided = open_here
            break
    if chosen is not None:
        # Lower rungs, and on the chosen rung the options that come first in the order of the law
        # (Wmo 2015 art. 2.3.5 lid 3: eigen kracht before gebruikelijke hulp before mantelzorg).
        lighter = [entry for key, entry in ruled_out if key < (chosen.level, chosen.order)]
        rules = chosen_rules + ([floor_rule] if floor_rule is not None and floor_rule not in chosen_rules else [])
        proposal = {
            "hulpvraag": hv.id,
            "provision": chosen.id,
            "level": chosen.level,
            "rules": rules,
            "lighter_options_ruled_out": lighter,
            "status": PROPOSAL,
            "name": chosen.name,
            "domein": hv.domein,
            "onderwerp": hv.onderwerp,
            "reason": _reason(framework, chosen_rules[0]),
            "legal_basis": chosen.legal_basis,
        }
        if chosen.gemeente is not None:
            proposal["gemeente"] = chosen.gemeente
            proposal["decision"] = chosen.decision
        if floor_level is not None:
            proposal["floor"] = {"level": floor_level, "rule": floor_rule}
        return Selection(proposal, [])
    if undecided:
        names = ", ".join(p.id for p in undecided)
        reason = (f"niet vast te stellen of {names} (niveau {undecided[0].level}) volstaat; een lichtere optie mag "
                  "niet worden overgeslagen: beoordeel dit als consulent")
    elif candidates:
        reason = "alle voorzieningen voor deze hulpvraag zijn uitgesloten: beoordeel dit als consulent"
    else:
        reason = f"het kader kent geen voorziening voor {hv.domein}/{hv.onderwerp}: beoordeel dit als consulent"
    proposal = {
        "hulpvraag": hv.id,
        "provision": None,
        "level": None,
        "rules": list(dict.fromkeys(e["rule"] for _, e in ruled_out if e["rule"])) if not undecided else [],
        "lighter_options_ruled_out": [entry for _, entry in ruled_out],
        "status": NO_PROPOSAL,
        "name": "geen automatisch voorstel",
        "domein": hv.domein,
        "onderwerp": hv.onderwerp,
        "reason": reason,
        "legal_basis": None,
    }
    if undecided:
        proposal["undecided"] = [p.id for p in undecided]
    if floor_level is not None:
        proposal["floor"] = {"level": floor_level, "rule": floor_rule}
    return Selection(proposal, undecided)

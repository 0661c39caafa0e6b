"""`kader audit`: were the assessments in a register consistent, reproducible and untouched?

Given a register and nothing else, the audit

1. verifies the hash chain over every record and names the first broken link;
2. replays every record against the rule set it pinned (kept in the register)
   and reports each assessment that does not come out byte for byte the same;
3. lists the deviations from the proposal, per assessor and municipality, with
   their motivations;
4. finds records equal on every framework fact that got different outcomes in
   different municipalities outside the framework's local room (see treatment);
5. shows per municipality how the proposals are spread over the ladder.

`--since` and `--gemeente` narrow steps 2-5; the chain is always checked whole.

The audit is strict: every broken link is listed and each record involved is
marked wherever it is shown; a trigger of the database that is missing,
disabled, replica-only, defined otherwise than kader defines it, or not kader's
fails the audit; so do timestamps that go backwards, records made with a rule set
outside an allow-list of sanctioned rule sets (when one is given), and a head that
does not match an expected head (`--expect-head`, or signed checkpoints: see
checkpoint.py). A record that does not reproduce is told apart by whether its
own hash still matches (its inputs or outcome were changed after recording, or
not: then the rule set, the engine, or a forger who recomputed the chain).
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.errors import RuleEngineError
from engine.evaluation.case import case_from_document
from engine.evaluation.evaluate import assess
from engine.language.framework import Framework
from engine.language.sources import Document
from engine.version import __version__

from .base import Register
from .records import DECISIONS, ChainVerifier, Record, canonical_json, decode_case
from .store import PinnedRuleSetError, load_pinned
from .treatment import Entry, unequal_treatment

NO_PROPOSAL = "geen_voorstel"
MAX_DIFFERENCES = 10


@dataclass
class AuditReport:
    register: str
    backend: str
    total: int
    records: int
    chain_ok: bool
    first_broken: dict | None
    head: str
    missing_triggers: list[str]
    not_reproduced: list[dict]
    deviations: list[dict]
    deviation_counts: list[dict]
    unequal_treatment: list[dict]
    ladder: dict[str, dict[str, int]]
    since: _dt.date | None = None
    gemeente: str | None = None
    rulesets: list[dict] = field(default_factory=list)
    broken_links: list[dict] = field(default_factory=list)
    changed_records: list[int] = field(default_factory=list)  # every record in or next to a broken link
    trigger_problems: list[dict] = field(default_factory=list)
    time_reversals: list[dict] = field(default_factory=list)
    unsanctioned: list[dict] = field(default_factory=list)
    allowed_rulesets: list[str] | None = None
    anchors: list[dict] = field(default_factory=list)  # expected heads and checkpoints, each with ok and problem

    @property
    def anchors_ok(self) -> bool:
        return all(anchor["ok"] for anchor in self.anchors)

    @property
    def ok(self) -> bool:
        return (self.chain_ok and not self.not_reproduced and not self.trigger_problems and not self.time_reversals
                and not self.unsanctioned and self.anchors_ok)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def to_json(self) -> dict:
        return {
            "records": self.records,
            "chain_ok": self.chain_ok,
            "first_broken": self.first_broken,
            "not_reproduced": self.not_reproduced,
            "deviations": self.deviations,
            "unequal_treatment": self.unequal_treatment,
            "register": self.register,
            "backend": self.backend,
            "total_records": self.total,
            "head": self.head,
            "triggers_ok": not self.trigger_problems,
            "missing_triggers": self.missing_triggers,
            "trigger_problems": self.trigger_problems,
            "broken_links": self.broken_links,
            "changed_records": self.changed_records,
            "time_reversals": self.time_reversals,
            "allowed_rulesets": self.allowed_rulesets,
            "unsanctioned": self.unsanctioned,
            "anchors_ok": self.anchors_ok,
            "anchors": self.anchors,
            "ok": self.ok,
            "deviation_counts": self.deviation_counts,
            "ladder": self.ladder,
            "rulesets": self.rulesets,
            "filters": {"since": self.since.isoformat() if self.since else None, "gemeente": self.gemeente},
            "engine_version": __version__,
        }


class _Pinned:
    """Rule sets of the register, loaded once each."""

    def __init__(self, stored: dict[str, str]):
        self.stored = stored
        self.loaded: dict[str, Framework | PinnedRuleSetError] = {}

    def get(self, ruleset_hash: str) -> Framework:
        if ruleset_hash not in self.loaded:
            try:
                self.loaded[ruleset_hash] = load_pinned(ruleset_hash, self.stored.get(ruleset_hash))
            except PinnedRuleSetError as exc:
                self.loaded[ruleset_hash] = exc
        found = self.loaded[ruleset_hash]
        if isinstance(found, PinnedRuleSetError):
            raise found
        return found

    def maybe(self, ruleset_hash: str) -> Framework | None:
        try:
            return self.get(ruleset_hash)
        except PinnedRuleSetError:
            return None


def replay_text(framework: Framework, case_json: str, gemeente: str, peildatum: str, where: str) -> str:
    """The assessment of stored inputs with a framework, as the JSON text a record holds."""
    case = case_from_document(framework, Document(where, decode_case(case_json), None))
    result = assess(framework, case, gemeente=gemeente, peildatum=_dt.date.fromisoformat(peildatum))
    return result.to_json_text(trace=True, indent=None)


def _short(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        text = canonical_json(value)
        return text if len(text) <= 200 else text[:197] + "..."
    return value


def json_differences(recorded: Any, replayed: Any, path: str = "$", out: list | None = None) -> list[dict]:
    """Where two JSON values differ (at most MAX_DIFFERENCES places), as paths like `$.proposals[0].level`."""
    out = [] if out is None else out
    if len(out) >= MAX_DIFFERENCES:
        return out
    if isinstance(recorded, dict) and isinstance(replayed, dict):
        for key in dict.fromkeys([*recorded, *replayed]):
            json_differences(recorded.get(key), replayed.get(key), f"{path}.{key}", out)
    elif isinstance(recorded, list) and isinstance(replayed, list) and len(recorded) == len(replayed):
        for index, (left, right) in enumerate(zip(recorded, replayed, strict=True)):
            json_differences(left, right, f"{path}[{index}]", out)
    elif recorded != replayed or type(recorded) is not type(replayed):
        out.append({"path": path, "recorded": _short(recorded), "replayed": _short(replayed)})
    return out


def _not_reproduced(record: Record, reason: str, differences: list[dict] | None = None) -> dict:
    entry = {"seq": record.seq, "case_key": record.case_key, "gemeente": record.gemeente,
             "recorded_at": record.recorded_at, "framework_hash": record.framework_hash,
             "engine_version": record.engine_version, "reason": reason}
    if differences is not None:
        entry["differences"] = differences
    return entry


def _replay(record: Record, pinned: _Pinned) -> dict | None:
    """None when the record reproduces byte for byte; else what went wrong."""
    try:
        framework = pinned.get(record.framework_hash)
    except PinnedRuleSetError:
        return _not_reproduced(record, f"regelset {record.framework_hash} laadt niet of is gewijzigd (zie regelsets)")
    try:
        text = replay_text(framework, record.case_json, record.gemeente, record.peildatum, f"record {record.seq}")
    except RuleEngineError as exc:
        first = exc.diagnostics[0]
        return _not_reproduced(record, f"de vastgelegde invoer laadt of beoordeelt niet meer: [{first.code}] {first.message}")
    except (ValueError, TypeError) as exc:
        return _not_reproduced(record, f"de vastgelegde invoer is onleesbaar: {exc}")
    if text == record.assessment_json:
        return None
    reason = "de beoordeling komt bij opnieuw uitvoeren niet byte voor byte overeen"
    if record.engine_version != __version__:
        reason += f" (vastgelegd met engine {record.engine_version}, nu {__version__})"
    try:
        differences = json_differences(json.loads(record.assessment_json, parse_float=Decimal),
                                       json.loads(text, parse_float=Decimal))
    except ValueError:
        differences = [{"path": "$", "recorded": "(geen geldige JSON)", "replayed": "(beoordeling)"}]
    return _not_reproduced(record, reason, differences)


def _proposals(assessment: dict) -> list[dict]:
    """The proposals of a stored assessment, as far as they are readable (a changed record may hold anything)."""
    found = assessment.get("proposals")
    if not isinstance(found, list):
        return []
    return [{"hulpvraag": p.get("hulpvraag"), "provision": p.get("provision"), "level": p.get("level")}
            for p in found if isinstance(p, dict)]


class _Tally:
    def __init__(self) -> None:
        self.deviations: list[dict] = []
        self.per_assessor: dict[tuple[str, str], list[int]] = {}  # (assessor, gemeente) -> [records, deviations]
        self.ladder: dict[str, dict[str, int]] = {}

    def add(self, record: Record, assessment: dict) -> None:
        counts = self.per_assessor.setdefault((record.assessor, record.gemeente), [0, 0])
        counts[0] += 1
        if record.decision != "volgt":
            counts[1] += 1
            motivated = bool(record.motivation and record.motivation.strip())
            self.deviations.append({
                "seq": record.seq, "recorded_at": record.recorded_at, "case_key": record.case_key,
                "gemeente": record.gemeente, "assessor": record.assessor, "decision": record.decision,
                "motivation": record.motivation, "motivated": motivated and record.decision in DECISIONS,
                "proposals": _proposals(assessment)})
        rungs = self.ladder.setdefault(record.gemeente, {})
        for proposal in _proposals(assessment):
            level = proposal["level"]
            if level is not None and (not isinstance(level, int) or isinstance(level, bool)):
                continue
            key = NO_PROPOSAL if level is None else str(level)
            rungs[key] = rungs.get(key, 0) + 1

    def ladder_table(self, levels: set[int]) -> dict[str, dict[str, int]]:
        for counts in self.ladder.values():
            levels |= {int(k) for k in counts if k != NO_PROPOSAL}
        keys = [str(level) for level in sorted(levels)] + [NO_PROPOSAL]
        return {g: {k: counts.get(k, 0) for k in keys} for g, counts in sorted(self.ladder.items())}

    def counts(self) -> list[dict]:
        return [{"assessor": a, "gemeente": g, "records": n, "deviations": d}
                for (a, g), (n, d) in sorted(self.per_assessor.items())]


def audit(register: Register, *, since: _dt.date | None = None, gemeente: str | None = None,
          allowed_rulesets: set[str] | None = None, expect_heads: list[dict] | None = None) -> AuditReport:
    """Audit the whole register (see the module text); never raises for what it finds, only for an unreadable register.

    `allowed_rulesets`: the sanctioned rule-set hashes (None: no allow-list). `expect_heads`: [{"seq", "hash",
    "source"}], heads the register must still contain (from --expect-head or verified checkpoints).
    """
    chain = ChainVerifier()
    tally = _Tally()
    not_reproduced: list[dict] = []
    entries: list[Entry] = []
    reversals: list[dict] = []
    unsanctioned: list[dict] = []
    wanted = {int(anchor["seq"]) for anchor in expect_heads or []}
    seen_at: dict[int, str] = {}
    previous: Record | None = None
    in_scope_count = 0
    with register.snapshot() as view:
        pinned = _Pinned(view.rulesets)
        for record in view.records():
            chain.feed(record)
            if chain.count in wanted:
                seen_at[chain.count] = record.hash
            if previous is not None and str(record.recorded_at) < str(previous.recorded_at):
                reversals.append({"seq": record.seq, "recorded_at": record.recorded_at, "previous_seq": previous.seq,
                                  "previous_recorded_at": previous.recorded_at})
            previous = record
            if allowed_rulesets is not None and record.framework_hash not in allowed_rulesets:
                unsanctioned.append({"seq": record.seq, "recorded_at": record.recorded_at, "case_key": record.case_key,
                                     "gemeente": record.gemeente, "assessor": record.assessor,
                                     "framework_hash": record.framework_hash})
            if since is not None and record.recorded_at[:10] < since.isoformat():
                continue
            in_scope = gemeente is None or record.gemeente == gemeente
            try:
                assessment = json.loads(record.assessment_json)
                if not isinstance(assessment, dict):
                    raise ValueError("geen JSON-object")
            except ValueError:
                assessment = None
            if in_scope:
                in_scope_count += 1
                problem = _replay(record, pinned)
                if problem is not None:
                    not_reproduced.append(problem)
                tally.add(record, assessment or {})
            if assessment is None:
                continue
            try:
                entries.append(Entry(record.seq, record.gemeente, record.case_key, record.peildatum,
                                     record.framework_hash, record.decision, record.motivation, record.case_json,
                                     assessment, in_scope))
            except (ValueError, TypeError, KeyError, AttributeError):
                continue  # unreadable inputs: the replay above reports this record
    trigger_problems = register.trigger_problems()
    changed = chain.changed
    involved = changed | {link.seq for link in chain.broken}
    for item in not_reproduced:
        item["changed"] = item["seq"] in changed
        item["chain_intact"] = item["seq"] not in involved
        if item["changed"]:
            item["cause"] = ("na het vastleggen gewijzigd: de hash van dit record klopt niet meer met zijn inhoud "
                             "(invoer, uitkomst of andere velden)")
        elif item["chain_intact"]:
            item["cause"] = ("keten intact, toch een andere uitkomst: de regelset of de engine geeft nu iets anders, of "
                             "iemand heeft record en keten samen vervalst (alleen een checkpoint kan dat uitsluiten)")
        else:
            item["cause"] = "de keten is bij dit record gebroken"
    for item in tally.deviations:
        item["changed"] = item["seq"] in involved
    anchors = []
    for anchor in expect_heads or []:
        seq, expected = int(anchor["seq"]), anchor["hash"]
        found = seen_at.get(seq)
        if found is None:
            problem = (f"het register heeft maar {chain.count} records; record {seq} ontbreekt: records zijn "
                       "weggesneden of het register is vervangen")
        elif found != expected:
            problem = (f"record {seq} heeft nu hash {found}, verwacht {expected}: het register is vóór dit punt "
                       "herschreven of vervangen")
        else:
            problem = None
        anchors.append({**anchor, "ok": problem is None, "problem": problem})

    def counterfactual(framework: Framework, entry: Entry) -> dict | None:
        try:
            return json.loads(replay_text(framework, entry.case_json, entry.gemeente, entry.peildatum,
                                          f"record {entry.seq}"))
        except (RuleEngineError, ValueError, TypeError):
            return None

    unequal = unequal_treatment(entries, pinned.maybe, counterfactual)
    levels = {rung.level for f in pinned.loaded.values() if isinstance(f, Framework) for rung in f.ladder}
    rulesets = [{"hash": h, "loads": isinstance(f, Framework), **({} if isinstance(f, Framework) else {"reason": str(f)})}
                for h, f in sorted(pinned.loaded.items())]
    return AuditReport(
        register=register.location, backend=register.backend, total=chain.count, records=in_scope_count,
        chain_ok=chain.ok, first_broken=chain.first_broken.to_json() if chain.first_broken else None, head=chain.head,
        missing_triggers=sorted({p["trigger"] for p in trigger_problems}), not_reproduced=not_reproduced, deviations=tally.deviations,
        deviation_counts=tally.counts(), unequal_treatment=unequal, ladder=tally.ladder_table(levels),
        since=since, gemeente=gemeente, rulesets=rulesets, broken_links=[link.to_json() for link in chain.broken],
        changed_records=sorted(involved), trigger_problems=trigger_problems, time_reversals=reversals,
        unsanctioned=unsanctioned, allowed_rulesets=sorted(allowed_rulesets) if allowed_rulesets is not None else None,
        anchors=anchors,
    )

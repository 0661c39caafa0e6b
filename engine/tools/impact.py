"""Impact of a rule change: every case under two versions of the rules, and what changed for whom.

`run_impact(base, proposal, paths)` reads every case (files, folders,
populations: `engine.tools.caseinput`), assesses it under both versions and compares
the outcomes (`engine.tools.changes`). Cases whose slice of the framework is the same
in both versions (`engine.tools.slices`: same shared part, same profile of their
municipality, same rules in their domains) are assessed once: nothing can have
changed for them. The result aggregates per municipality and per domain, and
keeps every change with the rules that made it.

durable-rules is not thread-safe, so large inputs go to worker processes; each
loads both frameworks once and handles chunks of cases, returning only the
changes and the ladder tallies. The result is the same, in the same order,
whatever the number of workers.
"""

from __future__ import annotations

import datetime as _dt
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator

from engine.errors import Diagnostic, RuleEngineError, Span, UsageError
from engine.evaluation.evaluate import Inference, assess
from engine.language.framework import Framework

from .caseinput import Unit, count_cases, locate, read_unit, units
from .changes import KINDS, Change, Differ, has_right
from .slices import Equivalence, fingerprint

NO_PROPOSAL = "geen"
IN_FLIGHT_PER_WORKER = 3
PARALLEL_FROM = 2000  # cases; below this, starting worker processes costs more than it saves
ZERO = Decimal("0.00")


class ImpactAborted(RuleEngineError):
    """A worker process died; the result would be incomplete."""

    exit_code = 3


@dataclass
class CaseImpact:
    case_id: str
    gemeente: str
    source: str  # file:line
    changes: list[Change]
    ladder: tuple[tuple[str, int | None, int | None], ...]  # (domein, level before, level after) per hulpvraag
    twice: bool  # assessed under both versions (False: the same slice, assessed once)
    peildatum: _dt.date | None = None  # the case's: the report links the law in force on the latest of them


@dataclass
class ChunkResult:
    cases: list[CaseImpact] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)


def vocabulary(framework: Framework) -> str:
    """What reading a case depends on: if equal for two frameworks, a case reads the same under both."""
    facts = {k: (f.type, f.values, f.default, f.declared_in, f.onderwerpen) for k, f in framework.facts.items()}
    for domain, declared in sorted((getattr(framework, "hulpvraag_facts", None) or {}).items()):
        facts.update({f"{domain}:{k}": (f.type, f.values, f.default, f.declared_in, f.onderwerpen)
                      for k, f in declared.items()})
    return fingerprint((facts, framework.domains, sorted(framework.case_signals), sorted(framework.profiles),
                        framework.valid_from))


class ImpactEvaluator:
    """Assesses units of cases under both versions and compares them; one per process."""

    def __init__(self, base: Framework, proposal: Framework, *, shortcut: bool = True):
        self.base, self.proposal = base, proposal
        self.shortcut = shortcut  # assess a case once when its slice of the rules is the same in both versions
        self.equivalence = Equivalence(base, proposal)
        self.differ = Differ(base, proposal)
        self.same_vocabulary = vocabulary(base) == vocabulary(proposal)
        self.inference_shared = 0  # cases whose proposal assessment took the base's inference

    def unit(self, unit: Unit) -> ChunkResult:
        result = ChunkResult()
        read_base = read_unit(self.base, unit)
        read_proposal = read_unit(self.proposal, unit) if not self.same_vocabulary else None
        for display, line, case in read_base:
            proposal_case = case
            if read_proposal is not None:
                _, _, proposal_case = next(read_proposal)
            if isinstance(case, list) or isinstance(proposal_case, list):
                result.errors += self._refused(case, proposal_case)
                continue
            try:
                result.cases.append(self.case(case, proposal_case, f"{display}:{line}"))
            except RuleEngineError as exc:
                result.errors += [locate(d, display, line) if unit.path is None else d for d in exc.diagnostics]
            except Exception as exc:  # a bug in kader: report it at this case and go on with the others
                result.errors.append(Diagnostic("E990", f"interne fout in kader bij deze casus: {type(exc).__name__}: "
                                                f"{exc}", Span(display, line, 1)))
        return result

    def _refused(self, case, proposal_case) -> list[Diagnostic]:
        if isinstance(case, list) and isinstance(proposal_case, list):
            return case
        if isinstance(case, list):
            return [_note(d, "alleen in de basisversie; het voorstel leest deze casus wel") for d in case]
        return [_note(d, "alleen in het voorstel; de basisversie leest deze casus wel") for d in proposal_case]

    def case(self, case, proposal_case, source: str) -> CaseImpact:
        domains = frozenset(hv.domein for hv in case.hulpvragen)
        twice = not (self.shortcut and self.same_vocabulary and self.equivalence.same(case.gemeente, domains))
        # the rules fire the same way under both (only entitlements or the parameters only they read differ):
        # the proposal takes the base's inference and redoes only what follows from it
        shared = Inference() if (twice and self.shortcut and self.same_vocabulary
                                 and self.equivalence.same_inference(case.gemeente, domains)) else None
        before = assess(self.base, case, inference=shared)
        self.inference_shared += shared is not None
        try:
            after = assess(self.proposal, proposal_case, inference=shared) if twice else before
        except RuleEngineError as exc:  # the base version assessed it: say that the proposal is where it fails
            raise type(exc)([_note(d, "alleen in het voorstel") for d in exc.diagnostics]) from None
        changes = self.differ.changes(case, before, after) if twice else []
        after_by_hv = {p["hulpvraag"]: p for p in after.proposals}
        ladder = tuple((p["domein"], p["level"], after_by_hv[p["hulpvraag"]]["level"]) for p in before.proposals)
        return CaseImpact(shown_case_id(case.id, source), case.gemeente, source, changes, ladder, twice, case.peildatum)


def shown_case_id(case_id: str, source: str) -> str:
    """The case id as the impact report shows it: an id that looks like a BSN is replaced by its place in the input."""
    from engine.register.privacy import looks_like_bsn
    return f"(kenmerk lijkt op een BSN; {source})" if looks_like_bsn(case_id) else case_id


def _note(diagnostic: Diagnostic, text: str) -> Diagnostic:
    return Diagnostic(diagnostic.code, f"{diagnostic.message} ({text})", diagnostic.span, diagnostic.severity,
                      diagnostic.hint, diagnostic.related, diagnostic.legal_basis)


# ---------------------------------------------------------------- worker processes

_WORKER: list[ImpactEvaluator] = []  # set once per worker process by `_start_worker`; unused in the parent


def _start_worker(base_path: str, base_hash: str, proposal_path: str, proposal_hash: str, shortcut: bool) -> None:
    from engine.language.fwcache import load_framework
    base, proposal = load_framework(Path(base_path)), load_framework(Path(proposal_path))
    if (base.hash, proposal.hash) != (base_hash, proposal_hash):
        raise RuntimeError("de regels veranderden tijdens de impactanalyse")
    _WORKER.append(ImpactEvaluator(base, proposal, shortcut=shortcut))


def _worker_unit(unit: Unit) -> ChunkResult:
    return _WORKER[0].unit(unit)


def _ready() -> bool:
    return bool(_WORKER)


def evaluate_units(base: Framework, base_path: Path, proposal: Framework, proposal_path: Path,
                   work: Iterable[Unit | Diagnostic], *, workers: int = 1, shortcut: bool = True,
                   scheduler: str | None = None) -> Iterator[ChunkResult]:
    """Chunk results in input order, in this process (workers=1), over worker processes, or on the workers of a
    Dask cluster (`scheduler`: its address; engine.tools.cluster)."""
    if scheduler is not None:
        from .cluster import impact_units
        yield from impact_units(scheduler, base, base_path, proposal, proposal_path, work, shortcut=shortcut,
                                  evaluator=ImpactEvaluator, chunk_result=ChunkResult)
        return
    if workers <= 1:
        evaluator = ImpactEvaluator(base, proposal, shortcut=shortcut)
        for unit in work:
            yield ChunkResult(errors=[unit]) if isinstance(unit, Diagnostic) else evaluator.unit(unit)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                             initargs=(str(base_path), base.hash, str(proposal_path), proposal.hash, shortcut)) as pool:
        try:
            for warm in [pool.submit(_ready) for _ in range(workers)]:
                warm.result()
            pending: deque[Future | ChunkResult] = deque()
            for unit in work:
                pending.append(ChunkResult(errors=[unit]) if isinstance(unit, Diagnostic)
                               else pool.submit(_worker_unit, unit))
                if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                    first = pending.popleft()
                    yield first if isinstance(first, ChunkResult) else first.result()
            while pending:
                first = pending.popleft()
                yield first if isinstance(first, ChunkResult) else first.result()
        except BrokenProcessPool:
            raise ImpactAborted(Diagnostic("E991", "een werkproces van de impactanalyse stopte onverwacht; probeer "
                                           "--workers 1 om de casus te vinden", Span("impact", 1, 1))) from None


# ---------------------------------------------------------------- the report


def _tally() -> dict:
    return {"lighter": 0, "heavier": 0, "provision": 0, "eligibility_gained": 0, "eligibility_lost": 0,
            "eigen_bijdrage_new": 0, "eigen_bijdrage_lost": 0, "eligibility_other": 0, "amount_changes": 0, "per_maand": ZERO, "per_jaar": ZERO, "signals_new": 0,
            "signals_lost": 0, "checks_new": 0, "checks_lost": 0, "deadlines_new": 0, "deadlines_lost": 0,
            "deadlines_moved": 0, "onbekend": 0, "cases": set()}


_COUNTERS = {"lighter": "lighter", "heavier": "heavier", "provision": "provision", "signal_new": "signals_new",
             "signal_lost": "signals_lost", "check_new": "checks_new", "check_lost": "checks_lost",
             "deadline_new": "deadlines_new", "deadline_lost": "deadlines_lost", "deadline_moved": "deadlines_moved",
             "onbekend": "onbekend"}


def _level_key(level: int | None) -> str:
    return NO_PROPOSAL if level is None else str(level)


@dataclass
class ImpactReport:
    base: dict  # {"ref", "label", "version", "hash"}
    proposal: dict
    ladder_levels: list[str]
    cases: int = 0
    changed: int = 0
    assessed_twice: int = 0  # the rest was assessed once: their slice of the rules is the same in both versions
    errors: list[Diagnostic] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    by_gemeente: dict = field(default_factory=dict)
    by_rule: dict = field(default_factory=dict)
    by_parameter: dict = field(default_factory=dict)
    by_criterion: dict = field(default_factory=dict)
    rule_changes: dict = field(default_factory=dict)  # engine.tools.rulediff.rule_changes: what changed in the rules
    names: dict = field(default_factory=dict)  # id -> name of what the changes mention
    peildatum: _dt.date | None = None  # the latest peildatum of the cases
    links: dict = field(default_factory=dict)  # engine.tools.impact_links: id -> its legal basis, linked to the law

    def _gemeente(self, name: str) -> dict:
        found = self.by_gemeente.get(name)
        if found is None:
            found = self.by_gemeente[name] = {
                "cases": 0, "changed": 0, "per_maand": ZERO, "per_jaar": ZERO,
                "ladder": {"before": dict.fromkeys(self.ladder_levels, 0), "after": dict.fromkeys(self.ladder_levels, 0),
                           "by_domein": {}},
                "by_domein": {}, "by_aanspraak": {}}
        return found

    def add(self, item: CaseImpact) -> None:
        self.cases += 1
        if item.peildatum is not None and (self.peildatum is None or item.peildatum > self.peildatum):
            self.peildatum = item.peildatum
        self.assessed_twice += item.twice
        where = self._gemeente(item.gemeente)
        where["cases"] += 1
        ladder = where["ladder"]
        for domein, before, after in item.ladder:
            own = ladder["by_domein"].setdefault(domein, {"before": dict.fromkeys(self.ladder_levels, 0),
                                                          "after": dict.fromkeys(self.ladder_levels, 0)})
            for side, level in (("before", before), ("after", after)):
                ladder[side][_level_key(level)] += 1
                own[side][_level_key(level)] += 1
        if not item.changes:
            return
        self.changed += 1
        where["changed"] += 1
        for change in item.changes:
            self._count(where, item, change)
            self.changes.append({"case_id": item.case_id, "gemeente": item.gemeente, "source": item.source,
                                 **change.to_json()})

    def _count(self, where: dict, item: CaseImpact, change: Change) -> None:
        tally = where["by_domein"].setdefault(change.domein, _tally())
        tally["cases"].add(item.source)
        if change.kind in _COUNTERS:
            tally[_COUNTERS[change.kind]] += 1
        elif change.kind == "eligibility":
            gained, lost = has_right(change.after), has_right(change.before)
            if change.household_pays:
                tally["eigen_bijdrage_new" if gained else "eigen_bijdrage_lost" if lost else "eligibility_other"] += 1
            else:
                tally["eligibility_gained" if gained else "eligibility_lost" if lost else "eligibility_other"] += 1
        if change.kind in ("eligibility", "amount"):
            right = where["by_aanspraak"].setdefault(change.subject, {
                "household_pays": change.household_pays, "gained": 0, "lost": 0, "amount_changes": 0,
                "per_maand": ZERO, "per_jaar": ZERO})
            if change.kind == "eligibility":
                right["gained"] += has_right(change.after)
                right["lost"] += has_right(change.before)
            else:
                right["amount_changes"] += 1
                right["per_maand"] += change.per_maand or ZERO
                right["per_jaar"] += change.per_jaar or ZERO
        if change.kind == "amount":
            tally["amount_changes"] += 1
            for key, value in (("per_maand", change.net_per_maand), ("per_jaar", change.net_per_jaar)):
                tally[key] += value
                where[key] += value
        for rule in change.rules:
            self.by_rule[rule] = self.by_rule.get(rule, 0) + 1
        for parameter in change.parameters:
            self.by_parameter[parameter] = self.by_parameter.get(parameter, 0) + 1
        for criterion in change.criteria:
            self.by_criterion[criterion] = self.by_criterion.get(criterion, 0) + 1

    def to_json(self) -> dict:
        gemeenten = {}
        for name in sorted(self.by_gemeente):
            data = self.by_gemeente[name]
            domeinen = {}
            for domein in sorted(data["by_domein"]):
                tally = dict(data["by_domein"][domein])
                tally["cases"] = len(tally["cases"])
                domeinen[domein] = _plain(tally)
            gemeenten[name] = {"cases": data["cases"], "changed": data["changed"],
                               "per_maand": format(data["per_maand"], "f"), "per_jaar": format(data["per_jaar"], "f"),
                               "ladder": data["ladder"], "by_domein": domeinen,
                               "by_aanspraak": {k: _plain(v) for k, v in sorted(data["by_aanspraak"].items())}}
        return {
            "base": self.base, "proposal": self.proposal,
            "rule_changes": self.rule_changes,
            "cases": self.cases, "changed": self.changed,
            "assessed": {"twice": self.assessed_twice, "once": self.cases - self.assessed_twice},
            "errors": [d.to_json() for d in self.errors],
            "kinds": list(KINDS),
            "by_gemeente": gemeenten,
            "by_rule": dict(sorted(self.by_rule.items(), key=lambda kv: (-kv[1], kv[0]))),
            "by_parameter": dict(sorted(self.by_parameter.items(), key=lambda kv: (-kv[1], kv[0]))),
            "by_criterion": dict(sorted(self.by_criterion.items(), key=lambda kv: (-kv[1], kv[0]))),
            "changes": self.changes,
            "names": self.names,
            "peildatum": self.peildatum.isoformat() if self.peildatum else None,
            "legal_basis_links": self.links,
        }


def _plain(data: dict) -> dict:
    return {k: format(v, "f") if isinstance(v, Decimal) else v for k, v in data.items()}


def _version(version, framework: Framework) -> dict:
    return {"ref": version.ref, "label": version.label, "version": framework.version, "hash": framework.hash}


def run_impact(base_version, proposal_version, paths: list[Path], *, workers: int | None = None,
               progress: Callable[[int, int], None] | None = None, shortcut: bool = True,
               scheduler: str | None = None) -> ImpactReport:
    """Compare two loaded rule versions (engine.tools.revisions.RulesVersion with .framework) over the cases in `paths`."""
    base, proposal = base_version.framework, proposal_version.framework
    levels = [str(r.level) for r in base.ladder]
    levels += [str(r.level) for r in proposal.ladder if str(r.level) not in levels]
    report = ImpactReport(_version(base_version, base), _version(proposal_version, proposal), levels + [NO_PROPOSAL])
    from .rulediff import rule_changes
    report.rule_changes = rule_changes(base, proposal)
    total = count_cases(paths) if (workers is None or progress is not None) else 0
    if workers is None:
        workers = 1 if total < PARALLEL_FROM else max(1, os.cpu_count() or 1)
    done = 0
    for chunk in evaluate_units(base, base_version.path, proposal, proposal_version.path, units(paths), workers=workers,
                                shortcut=shortcut, scheduler=scheduler):
        for item in chunk.cases:
            report.add(item)
        report.errors += chunk.errors
        done += len(chunk.cases) + len(chunk.errors)
        if progress is not None:
            progress(done, total)
    from .rulediff import names
    report.names = names(base, proposal, report.changes)
    if report.peildatum is not None:
        from .impact_links import impact_links
        report.links = impact_links(base, proposal, report.to_json(), report.peildatum)
    return report


def impact(base_ref: str, proposal_ref: str, rules_dir: Path, paths: list[Path], *, workers: int | None = None,
           progress: Callable[[int, int], None] | None = None, scheduler: str | None = None) -> ImpactReport:
    """The impact of `proposal_ref` against `base_ref` (each a rules folder or git:REV of the project holding
    `rules_dir`) over the cases in `paths` (on a Dask cluster when `scheduler` names one)."""
    from .revisions import load_version, rules_version

    if workers is not None and workers < 1:
        raise UsageError(Diagnostic("E807", f"--workers moet minstens 1 zijn, niet {workers}", Span("--workers", 1, 1)))
    with rules_version(base_ref, rules_dir) as base, rules_version(proposal_ref, rules_dir) as proposal:
        load_version(base)
        load_version(proposal)
        return run_impact(base, proposal, paths, workers=workers, progress=progress, scheduler=scheduler)

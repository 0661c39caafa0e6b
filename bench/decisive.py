"""Decisive questions on the synthetic population: share decided, questions before and after, time per case.

    .venv/bin/python bench/decisive.py [--cases 500] [--seed 1]

For each case of `kader population --seed S` (the first N): the share of hulpvragen with a proposal; the
number of questions the missing-facts list shows (all of them, and those marked `beslissend`) against the
number of decisive questions (`kader assess --questions`: facts whose answer can change an outcome now), split
into those that can change a proposal, right or term and those that change only a signal;
and the wall time of one assessment, without and with the decisive questions.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

from _common import population_file

import engine
from engine import DECISION, case_from_line, decisive_questions


def _intake(framework, case):
    """The case without the facts the framework declares (what an assessor has not asked yet)."""
    def kept(facts):
        return {k: v for k, v in facts.items() if not (k in framework.facts and framework.facts[k].declared_in)}
    hulpvragen = tuple(dataclasses.replace(h, facts={}) for h in case.hulpvragen)
    people = tuple(dataclasses.replace(p, facts=kept(p.facts)) for p in case.personen)
    return dataclasses.replace(case, hulpvragen=hulpvragen, personen=people, facts=kept(case.facts))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--intake", action="store_true",
                        help="leave out every fact the framework declares (hulpvraag, person and casus facts): "
                             "the household as a first intake knows it")
    args = parser.parse_args()
    framework = engine.load_framework()
    path = population_file(framework, 20000, args.seed)
    lines = path.read_text(encoding="utf-8").splitlines()[:args.cases]
    cases = [case_from_line(framework, line, "population") for line in lines]
    if args.intake:
        cases = [_intake(framework, case) for case in cases]
    for case in cases[:50]:  # warm up
        engine.assess(framework, case)
    hulpvragen = decided = 0
    before_all, before_decisive, after, alone, after_traced = [], [], [], [], []
    decision, signal_only, untested = [], [], []
    plain_ms, with_ms = [], []
    for case in cases:
        start = time.perf_counter()
        result = engine.assess(framework, case)
        middle = time.perf_counter()
        questions = decisive_questions(framework, case, result)
        end = time.perf_counter()
        plain_ms.append((middle - start) * 1000)
        with_ms.append((end - start) * 1000)
        hulpvragen += len(result.proposals)
        decided += sum(p["provision"] is not None for p in result.proposals)
        before_all.append(len(result.missing_facts))
        before_decisive.append(sum(m["impact"] == "beslissend" for m in result.missing_facts))
        after.append(len(questions))
        traced = {(m["fact"], m["hulpvraag"], m.get("persoon")) for m in result.missing_facts}
        after_traced.append(sum((q["fact"], q["hulpvraag"], q.get("persoon")) in traced for q in questions))
        alone.append(sum(q["impact"] == "beslissend" and q["tested"] for q in questions))
        deciding = [q["tested"] and any(c.startswith(DECISION) for c in q["changes"]) for q in questions]
        decision.append(sum(deciding))
        signal_only.append(sum(q["tested"] and not d for q, d in zip(questions, deciding, strict=True)))
        untested.append(sum(not q["tested"] for q in questions))

    def share(part, whole):
        return f"{100 * part / whole:.1f} %" if whole else "-"

    def mean(values):
        return f"{statistics.fmean(values):.2f}"

    kind = "as first intakes (declared facts left out)" if args.intake else "as generated"
    print(f"| what | figure ({len(cases)} cases of population seed {args.seed}, {kind}, rules {framework.short_hash}) |")
    print("| --- | --- |")
    print(f"| hulpvragen with a proposal | {decided} of {hulpvragen} ({share(decided, hulpvragen)}) |")
    print(f"| questions per case before: every missing fact | {mean(before_all)} (total {sum(before_all)}) |")
    print(f"| questions per case before: marked beslissend | {mean(before_decisive)} (total {sum(before_decisive)}) |")
    print(f"| questions per case after: every one listed (`--questions`) | {mean(after)} (total {sum(after)}) |")
    print(f"| of which can change a proposal, right or term | {mean(decision)} (total {sum(decision)}) |")
    print(f"| of which decide such an outcome alone (`beslissend`) | {mean(alone)} (total {sum(alone)}) |")
    print(f"| of which change only a signal (`signaal`, asked last) | {mean(signal_only)} (total {sum(signal_only)}) |")
    print(f"| of which cannot be tried by value (income, vermogen, a date) | {mean(untested)} (total {sum(untested)}) |")
    print(f"| of which were in the missing facts before | {mean(after_traced)} (total {sum(after_traced)}) |")
    print(f"| cases with no question at all, before / after | {sum(n == 0 for n in before_all)} / "
          f"{sum(n == 0 for n in after)} |")
    print(f"| wall time per assessment, without questions | {statistics.median(plain_ms):.2f} ms median |")
    print(f"| wall time per assessment, with decisive questions | {statistics.median(with_ms):.2f} ms median, "
          f"{sorted(with_ms)[int(0.95 * len(with_ms))]:.2f} ms p95 |")


if __name__ == "__main__":
    main()

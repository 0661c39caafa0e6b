"""Flat memory over a long `kader batch` run: resident size every 10,000 cases of a 100,000-case run.

    .venv/bin/python bench/memory.py                     # 100,000 cases, 2 workers
    .venv/bin/python bench/memory.py --cases 20000 --workers 1

Runs what `kader batch` runs (engine.tools.batch.assess_chunks, output written under bench/results/) on a
cached population and prints the resident size (VmRSS) of the main process and of every worker at each
step, then the growth from the first sample (after warm-up) to the last. The requirement: the total
grows by less than 50 MB over 100,000 cases. Not a test: the numbers go into docs/speed.md.
"""

from __future__ import annotations

import argparse
import os
import time

from _common import RESULTS, machine, population_file, rss_all

import engine
from engine import BatchSummary, assess_chunks, default_rules_dir, read_chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--every", type=int, default=10_000)
    args = parser.parse_args()
    framework = engine.load_framework(default_rules_dir())
    path = population_file(framework, args.cases, args.seed)
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}")
    print(f"input: {path.name} ({args.cases} population cases), {args.workers} worker(s)")
    summary = BatchSummary()
    samples: list[tuple[int, dict[str, float]]] = []
    next_sample = args.every
    started = time.perf_counter()
    with open(path, "rb") as source, open(RESULTS / "memory-out.jsonl", "w", encoding="utf-8", newline="\n") as out:
        for chunk in assess_chunks(framework, default_rules_dir(), "population.jsonl", read_chunks(source),
                                   workers=args.workers):
            out.write(chunk.text)
            summary.add(chunk)
            if summary.lines >= next_sample or summary.lines == args.cases:
                sample = rss_all()
                samples.append((summary.lines, sample))
                print(f"{summary.lines:>8} cases  " + "  ".join(f"{k} {v:7.1f} MB" for k, v in sample.items())
                      + f"  total {sum(sample.values()):7.1f} MB", flush=True)
                next_sample += args.every
    elapsed = time.perf_counter() - started
    first, last = samples[0], samples[-1]
    growth = sum(last[1].values()) - sum(first[1].values())
    per_process = ", ".join(f"{k} {last[1].get(k, 0.0) - v:+.1f} MB" for k, v in first[1].items())
    print(f"{summary.cases} cases ({summary.failed} failed) in {elapsed:.1f} s, {summary.cases / elapsed:.0f} cases/s")
    print(f"RSS growth from {first[0]} to {last[0]} cases: {growth:+.1f} MB in total ({per_process})")


if __name__ == "__main__":
    main()

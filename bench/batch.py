"""Throughput of `kader batch` on population cases: cases per second for 1 and 2 workers, and RSS growth.

    .venv/bin/python bench/batch.py                    # 20,000 cases, seed 1, workers 1 and 2, 3 runs each
    .venv/bin/python bench/batch.py --cases 50000 --workers 1 2 4 --repeat 5
    .venv/bin/python bench/batch.py --max-other 5      # redo runs during which other processes were busy

It runs exactly what `kader batch` runs (engine.tools.batch.assess_chunks, output written to a file under
bench/results/), on a population made by `engine.tools.population` (cached per rules hash, seed and size).
Per worker count it prints: wall-clock cases/s including worker start-up, steady cases/s (from the
first chunk back to the end), and resident size (main + workers) after the first chunk and at the end.
Not a test: the numbers go into docs/speed.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

from _common import RESULTS, machine, machine_busy, population_file, rss_all

import engine
from engine import BatchSummary, assess_chunks, default_rules_dir, read_chunks


def run(framework, path, workers: int) -> dict:
    summary = BatchSummary()
    out_path = RESULTS / f"batch-out-{workers}.jsonl"
    started = time.perf_counter()
    cpu_started = resource.getrusage(resource.RUSAGE_SELF)
    children_started = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine_started = machine_busy()
    first_done = None
    first_lines = 0
    rss_start: dict[str, float] = {}
    rss_end: dict[str, float] = {}
    with open(path, "rb") as source, open(out_path, "w", encoding="utf-8", newline="\n") as out:
        chunks = assess_chunks(framework, default_rules_dir(), "population.jsonl", read_chunks(source), workers=workers)
        for chunk in chunks:
            out.write(chunk.text)
            summary.add(chunk)
            if first_done is None:
                first_done = time.perf_counter()
                first_lines = chunk.lines
                rss_start = rss_all()
            rss_end = rss_all()  # while the workers still live
    ended = time.perf_counter()
    cpu_ended = resource.getrusage(resource.RUSAGE_SELF)
    children_ended = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers have exited and been reaped
    machine_ended = machine_busy()
    main_cpu = _cpu(cpu_ended) - _cpu(cpu_started)
    worker_cpu = _cpu(children_ended) - _cpu(children_started) if workers > 1 else main_cpu
    ours = main_cpu + (worker_cpu if workers > 1 else 0.0)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    other = max(0.0, (machine_ended - machine_started) - ours) / ((ended - started) * cores) * 100
    total = summary.cases
    return {
        "workers": workers,
        "cases": total,
        "failed": summary.failed,
        "wall": total / (ended - started),
        "steady": (total - first_lines) / (ended - first_done) if first_done and ended > first_done else 0.0,
        "rss_start": sum(rss_start.values()),
        "rss_end": sum(rss_end.values()),
        "seconds": ended - started,
        "main_cpu": main_cpu,
        "cpu_ms": worker_cpu / total * 1000 if total else 0.0,
        "other": other,
    }


def _cpu(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-other", type=float, default=None, metavar="PERCENT",
                        help="redo a run (after a pause, up to 20 times) while other processes used more CPU than this")
    args = parser.parse_args()
    framework = engine.load_framework(default_rules_dir())
    path = population_file(framework, args.cases, args.seed)
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}")
    print(f"input: {path.name} ({args.cases} population cases, rules {framework.short_hash})")
    header = (f"{'workers':>7} {'run':>6} {'cases':>7} {'failed':>6} {'seconds':>8} {'cases/s wall':>13} "
              f"{'cases/s steady':>15} {'RSS first chunk MB':>19} {'RSS end MB':>11} {'main CPU s':>11} "
              f"{'worker CPU ms/case':>19} {'other load %':>13}")
    print(header)
    for workers in args.workers:
        runs = []
        for index in range(1, args.repeat + 1):
            for _attempt in range(20):
                r = run(framework, path, workers)
                if args.max_other is None or r["other"] <= args.max_other:
                    break
                _row(r, "busy")
                time.sleep(30)
            runs.append(r)
            _row(r, str(index))
        _row({key: statistics.median(r[key] for r in runs) for key in runs[0]}, "median")


def _row(r: dict, label: str) -> None:
    print(f"{r['workers']:>7.0f} {label:>6} {r['cases']:>7.0f} {r['failed']:>6.0f} {r['seconds']:>8.2f} "
          f"{r['wall']:>13.0f} {r['steady']:>15.0f} {r['rss_start']:>19.1f} {r['rss_end']:>11.1f} {r['main_cpu']:>11.2f} "
          f"{r['cpu_ms']:>19.3f} {r['other']:>13.0f}",
          flush=True)


if __name__ == "__main__":
    main()

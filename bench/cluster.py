"""`kader batch --scheduler` on a Dask LocalCluster of processes: cases/s with 1 and 2 workers, and what one
coordinator (the client and the scheduler) can dispatch per second.

    .venv/bin/python bench/cluster.py --cases 20000 --workers 1 2

Per worker count: a fresh LocalCluster (processes, one thread each), then the population (seed 1, generated once
under bench/results/) through engine.tools.batch.assess_chunks(scheduler=...), the output checked against the in-process
run; wall-clock cases/s with the workers' framework loading included. The dispatch ceiling: the same chunks (250
lines each, the same bytes travel) sent to a task that does nothing but count its lines, on 2 workers: lines/s that
the client and scheduler can move, the rate beyond which more machines do not help one coordinator. Not a test.
"""

from __future__ import annotations

import argparse
import time

from _common import machine, population_file

import engine
from engine import CHUNK_LINES, assess_chunks, default_rules_dir, read_chunks


def _count(raws):
    return len(raws)


def _cpu() -> float:
    import resource
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    from distributed import Client, LocalCluster
    framework = engine.load_framework(default_rules_dir())
    path = population_file(framework, args.cases, 1)
    print(f"machine: {machine()}; rules {framework.short_hash}; {args.cases} cases")
    started = time.perf_counter()
    with open(path, "rb") as source:
        reference = "".join(c.text for c in assess_chunks(framework, default_rules_dir(), "p.jsonl", read_chunks(source)))
    print("| workers | cases/s (whole run, loading included) | CPU per case in the workers | identical to in-process |")
    print("| --- | --- | --- | --- |")
    print(f"| in-process, no cluster | {args.cases / (time.perf_counter() - started):,.0f} | "
          f"{time.process_time() / args.cases * 1000:.2f} ms (the process, loading included) | - |")
    for workers in args.workers:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
                Client(cluster.scheduler_address, set_as_default=False) as client:
            cpu_before = sum(client.run(_cpu).values())
            started = time.perf_counter()
            with open(path, "rb") as source:
                text = "".join(c.text for c in assess_chunks(framework, default_rules_dir(), "p.jsonl",
                                                             read_chunks(source), scheduler=cluster.scheduler_address))
            spent = time.perf_counter() - started
            cpu = (sum(client.run(_cpu).values()) - cpu_before) / args.cases * 1000
            print(f"| {workers} | {args.cases / spent:,.0f} | {cpu:.2f} ms | {'ja' if text == reference else 'NEE'} |",
                  flush=True)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster.scheduler_address, set_as_default=False) as client:
        with open(path, "rb") as source:
            chunks = [raws for _, raws in read_chunks(source)]
        chunks = chunks * max(1, 400 // len(chunks))  # at least 400 tasks, for a rate
        started = time.perf_counter()
        futures = [client.submit(_count, raws, pure=False) for raws in chunks]
        lines = sum(f.result() for f in futures)
        spent = time.perf_counter() - started
        print(f"\ndispatch ceiling: {len(chunks)} tasks of {CHUNK_LINES} lines in {spent:.2f} s: "
              f"{len(chunks) / spent:,.0f} tasks/s, {lines / spent:,.0f} lines/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Speed of one assessment: cold on the command line, and in-process after warm-up.

    .venv/bin/python bench/assess.py [--runs 15] [--repeat 2000]

Cold: wall time of `kader assess scenarios/voorbeelden/gezin-soest.yaml` in a new
process (median of --runs, after one run that fills the framework cache), next to
the time Python needs just to import the libraries kader uses: as the issue named
them (`import pydantic, rich, ...`, where pydantic and rich load their parts
lazily) and as kader uses them (pydantic's BaseModel, rich's Console and Table).
The processes run with bytecode caching on (PYTHONDONTWRITEBYTECODE removed), as
an installed kader does; the ratio is also given in CPU time, which a busy machine
disturbs less than wall time. In-process: the
median and 95th percentile of `engine.assess` on the same three-hulpvraag case,
after 200 warm-up runs. Nothing here is asserted; the figures go in docs/speed.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml"
KADER = Path(sys.executable).parent / "kader"
IMPORTS = "import durable.engine, yaml, pydantic, typer, rich, dateutil, babel"
IMPORTS_USED = IMPORTS + "; from pydantic import BaseModel; import rich.console, rich.table"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def wall(command: list[str], runs: int, cpu: list[float] | None = None) -> list[float]:
    """Wall times of `runs` runs; with `cpu`, the CPU time (user + system) of each is appended to it."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=ENV)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if cpu is not None:
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times


def in_process(repeat: int) -> list[float]:
    sys.path.insert(0, str(ROOT))
    import engine

    framework = engine.load_framework(ROOT / "rules")
    case = engine.load_case(framework, CASE)
    for _ in range(200):
        engine.assess(framework, case)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        engine.assess(framework, case)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    from _common import machine

    wall([str(KADER), "assess", str(CASE)], 1)  # fill the framework cache (and the bytecode caches)
    wall([sys.executable, "-c", IMPORTS_USED], 1)
    cold_cpu: list[float] = []
    imports_cpu: list[float] = []
    used_cpu: list[float] = []
    cold, imports, used = [], [], []
    for _ in range(args.runs):  # interleaved, so that a busy moment of the machine hits all three alike
        cold += wall([str(KADER), "assess", str(CASE)], 1, cold_cpu)
        imports += wall([sys.executable, "-c", IMPORTS], 1, imports_cpu)
        used += wall([sys.executable, "-c", IMPORTS_USED], 1, used_cpu)
    cold_json = wall([str(KADER), "assess", str(CASE), "--format", "json"], args.runs)
    warm = in_process(args.repeat)
    median = statistics.median
    print(f"machine: {machine()}")
    print(f"cold `kader assess` (table):       median {median(cold) * 1000:6.0f} ms  (min {min(cold) * 1000:.0f}), "
          f"CPU {median(cold_cpu) * 1000:.0f} ms")
    print(f"cold `kader assess --format json`: median {median(cold_json) * 1000:6.0f} ms")
    print(f"python importing the libraries:    median {median(imports) * 1000:6.0f} ms, CPU {median(imports_cpu) * 1000:.0f} ms")
    print(f"  ... as kader uses them:          median {median(used) * 1000:6.0f} ms, CPU {median(used_cpu) * 1000:.0f} ms")
    print(f"cold / imports:                    {median(cold) / median(imports):.2f}x wall, "
          f"{median(cold_cpu) / median(imports_cpu):.2f}x CPU")
    print(f"cold / imports as kader uses them: {median(cold) / median(used):.2f}x wall, "
          f"{median(cold_cpu) / median(used_cpu):.2f}x CPU")
    warm.sort()
    print(f"in-process assess (3 hulpvragen): median {statistics.median(warm) * 1000:.2f} ms, "
          f"p95 {warm[int(len(warm) * 0.95)] * 1000:.2f} ms over {len(warm)} runs")


if __name__ == "__main__":
    main()

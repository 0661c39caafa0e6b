"""Speed of one assessment: cold on the command line, and in-process after warm-up.

    .venv/bin/python bench/assess.py [--runs 15] [--repeat 2000]

Cold: wall time of `kader assess scenarios/voorbeelden/gezin-soest.yaml` in a new
process (median of --runs, after one run that fills the framework cache), next to
the time Python needs just to import the libraries kader uses. In-process: the
median and 95th percentile of `engine.assess` on the same three-hulpvraag case,
after 200 warm-up runs. Nothing here is asserted; the figures go in the README.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml"
KADER = Path(sys.executable).parent / "kader"
IMPORTS = "import durable.engine, yaml, pydantic, typer, rich, dateutil, babel"


def wall(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
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
    env_note = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    wall([str(KADER), "assess", str(CASE)], 1)  # fill the framework cache
    cold = wall([str(KADER), "assess", str(CASE)], args.runs)
    cold_json = wall([str(KADER), "assess", str(CASE), "--format", "json"], args.runs)
    imports = wall([sys.executable, "-c", IMPORTS], args.runs)
    warm = in_process(args.repeat)
    cold_median, import_median = statistics.median(cold), statistics.median(imports)
    print(f"machine: {env_note}")
    print(f"cold `kader assess` (table):     median {cold_median * 1000:6.0f} ms  (min {min(cold) * 1000:.0f})")
    print(f"cold `kader assess --format json`: median {statistics.median(cold_json) * 1000:6.0f} ms")
    print(f"python importing the libraries:   median {import_median * 1000:6.0f} ms")
    print(f"cold / imports:                   {cold_median / import_median:.2f}x")
    warm.sort()
    print(f"in-process assess (3 hulpvragen): median {statistics.median(warm) * 1000:.2f} ms, "
          f"p95 {warm[int(len(warm) * 0.95)] * 1000:.2f} ms over {len(warm)} runs")


if __name__ == "__main__":
    main()

"""Speed and memory of kader on the full framework, and where the time goes.

    .venv/bin/python bench/trust.py [--cases 500] [--runs 10] [--rounds 5]

Reports, on the rules in rules/:

- cold `kader assess` of the example household (a new process each time, framework cache filled);
- in-process assessments per second over a population of generated households (tests/strategies.py,
  derandomized so every run uses the same population), after warm-up; also reading + assessing;
- `kader batch` cases per second with 1 and 2 workers, when this checkout has that command;
- peak resident memory of the in-process run and of one cold `kader assess`;
- a profile of one in-process run of `engine.assess` over the population (cProfile): the time spent inside
  durable-rules (its C engine `durable_rules_engine`, its Python package `durable` and what that calls,
  minus our rule actions it calls back) against our own Python around it.

Nothing is asserted; the figures go in the README. Results are also written to bench/results/trust.json.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import engine  # noqa: E402

EXAMPLE = ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml"
KADER = Path(sys.executable).parent / "kader"


def population(framework: engine.Framework, size: int) -> list[str]:
    """`size` generated households as YAML text: the same ones on every run (derandomized)."""
    from hypothesis import HealthCheck, given, settings

    from tests import strategies as gen

    texts: list[str] = []

    @settings(max_examples=size, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(gen.case_data(framework))
    def collect(data):
        texts.append(gen.case_yaml(data))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        collect()
    return texts[:size]


def wall(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                       stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


# A child's peak memory also counts what it shared with its parent between fork and exec; a small
# launcher process keeps that below what is measured.
_LAUNCHER = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, "
             "stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_of(command: list[str]) -> float:
    """Peak resident memory (MB) of one run of `command`."""
    out = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, *command], check=True, capture_output=True,
                         text=True, cwd=ROOT, stdin=subprocess.DEVNULL).stdout
    return int(out) / 1024


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def in_process(framework: engine.Framework, cases: list[engine.Case], texts: list[str], rounds: int) -> dict:
    for case in cases:  # warm-up: every ruleset registered, every code path imported
        engine.assess(framework, case)
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        for case in cases:
            engine.assess(framework, case).to_json_text()
        rates.append(len(cases) / (time.perf_counter() - start))
    start = time.perf_counter()
    for index, text in enumerate(texts):
        engine.assess(framework, engine.case_from_text(framework, text, f"casus-{index}.yaml")).to_json_text()
    with_reading = len(texts) / (time.perf_counter() - start)
    example = engine.load_case(framework, EXAMPLE)
    single = []
    for _ in range(2000):
        start = time.perf_counter()
        engine.assess(framework, example)
        single.append(time.perf_counter() - start)
    return {"cases_per_second": statistics.median(rates), "cases_per_second_with_reading": with_reading,
            "example_median_ms": statistics.median(single) * 1000}


def profile_split(framework: engine.Framework, cases: list[engine.Case]) -> dict:
    """Time inside durable-rules against our own Python, from the call graph of one run.

    Inside durable-rules: every call from our code into the `durable` package or its C engine, with all
    it calls in turn (its JSON exchange between C and Python included), minus the time spent back in our
    own rule actions, which durable-rules calls. Ours: the rest (engine/ and the standard library it uses).
    """
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for case in cases:
        engine.assess(framework, case)
    profiler.disable()
    wall_seconds = time.perf_counter() - start
    stats = pstats.Stats(profiler).stats  # (file, line, name) -> (calls, primitive, tottime, cumtime, callers)
    engine_dir = str(ROOT / "engine")

    def durable(func) -> bool:
        filename, _, name = func
        return "durable_rules_engine" in name or f"{os.sep}durable{os.sep}" in filename

    def ours(func) -> bool:
        return func[0].startswith(engine_dir)

    total = sum(entry[2] for entry in stats.values())
    into_durable = sum(by_caller[3] for func, entry in stats.items() if durable(func)
                       for caller, by_caller in entry[4].items() if ours(caller))
    back_in_ours = sum(by_caller[3] for func, entry in stats.items() if ours(func)
                       for caller, by_caller in entry[4].items() if durable(caller))
    inside = into_durable - back_in_ours
    return {"durable_rules": {"seconds": round(inside, 3), "share": round(inside / total, 3)},
            "ours": {"seconds": round(total - inside, 3), "share": round((total - inside) / total, 3)},
            "profiled_seconds": round(total, 3), "wall_seconds_under_profiler": round(wall_seconds, 3)}


def batch(folder: Path, runs: int) -> dict | None:
    """`kader batch` with 1 and 2 workers, if this checkout has the command."""
    probe = subprocess.run([str(KADER), "batch", "--help"], capture_output=True, text=True, cwd=ROOT,
                           stdin=subprocess.DEVNULL)
    if probe.returncode != 0:
        return None
    result = {}
    count = len(list(folder.glob("*.yaml")))
    for workers in (1, 2):
        command = [str(KADER), "batch", str(folder), "--workers", str(workers)]
        try:
            times = wall(command, runs)
        except subprocess.CalledProcessError as exc:  # the command exists but takes other arguments
            return {"error": f"{' '.join(command[1:])} gave exit {exc.returncode}; adjust bench/trust.py"}
        result[f"workers_{workers}"] = count / statistics.median(times)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=500, help="size of the generated population")
    parser.add_argument("--runs", type=int, default=10, help="runs of each command-line measurement")
    parser.add_argument("--rounds", type=int, default=5, help="rounds over the population in process")
    args = parser.parse_args()

    framework = engine.load_framework(ROOT / "rules")
    texts = population(framework, args.cases)
    cases = [engine.case_from_text(framework, t, f"casus-{i}.yaml") for i, t in enumerate(texts)]
    hulpvragen = sum(len(c.hulpvragen) for c in cases)

    wall([str(KADER), "assess", str(EXAMPLE)], 1)  # fill the framework cache
    cold = wall([str(KADER), "assess", str(EXAMPLE)], args.runs)
    cold_peak = peak_of([str(KADER), "assess", str(EXAMPLE)])

    rss_loaded = resident_mb()
    speed = in_process(framework, cases, texts, args.rounds)
    split = profile_split(framework, cases)

    folder = Path(tempfile.mkdtemp(prefix="kader-bench-"))
    try:
        for index, text in enumerate(texts):
            (folder / f"casus-{index:04d}.yaml").write_text(text, encoding="utf-8")
        batches = batch(folder, max(1, args.runs // 3))
    finally:
        shutil.rmtree(folder)

    results = {
        "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "population": {"cases": len(cases), "hulpvragen": hulpvragen},
        "cold_assess_ms": {"median": round(statistics.median(cold) * 1000), "min": round(min(cold) * 1000)},
        "cold_assess_peak_rss_mb": round(cold_peak, 1),
        "in_process": {k: round(v, 2) for k, v in speed.items()},
        "in_process_rss_mb": {"after_loading": round(rss_loaded, 1), "peak": round(peak_mb(), 1)},
        "batch_cases_per_second": batches,
        "profile_own_time": split,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "trust.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    print(f"machine: {results['machine']}; population: {len(cases)} generated cases, {hulpvragen} hulpvragen")
    print(f"cold `kader assess` (example, table):  median {results['cold_assess_ms']['median']} ms "
          f"(min {results['cold_assess_ms']['min']}), peak RSS {cold_peak:.0f} MB")
    print(f"in-process assess + JSON:             {speed['cases_per_second']:.0f} cases/s "
          f"(reading the case too: {speed['cases_per_second_with_reading']:.0f} cases/s)")
    print(f"in-process assess of the example:     median {speed['example_median_ms']:.2f} ms")
    print(f"resident memory in process:           {rss_loaded:.0f} MB after loading, peak {peak_mb():.0f} MB")
    if batches is None:
        print("`kader batch`:                        not in this checkout; not measured")
    elif "error" in batches:
        print(f"`kader batch`:                        {batches['error']}")
    else:
        print(f"`kader batch`:                        {batches['workers_1']:.0f} cases/s with 1 worker, "
              f"{batches['workers_2']:.0f} with 2")
    print(f"profile of engine.assess over the population (cProfile, {split['profiled_seconds']:.2f} s profiled):")
    for key, label in (("durable_rules", "inside durable-rules (C engine, its Python, its JSON)"),
                       ("ours", "our own Python around it (engine/ + stdlib it calls)")):
        print(f"  {label:54s} {split[key]['seconds']:7.3f} s  {split[key]['share'] * 100:5.1f} %")


if __name__ == "__main__":
    main()

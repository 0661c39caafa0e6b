"""Speed and memory of kader on the full framework, and where the time goes.

    .venv/bin/python bench/trust.py [--cases 500] [--runs 10] [--rounds 5]

Reports, on the rules in rules/:

- cold `kader assess` of the example household (a new process each time, framework cache filled);
- in-process assessments per second over a population of generated households (tests/strategies.py,
  derandomized so every run uses the same population), after warm-up; also reading + assessing;
- `kader batch` cases per second with 1 and 2 workers on the population as JSON Lines (process start
  included; bench/batch.py measures the steady rate over a larger file);
- peak resident memory of the in-process run and of one cold `kader assess`;
- where the time of one batch run goes (what a `kader batch` worker does with its lines: read the JSON
  line, assess, write the JSON line): inside durable-rules (its C engine `durable_rules_engine`, its
  Python package `durable` and what that calls, minus our rule actions it calls back) against our own
  Python around it; measured by timers around the calls into durable-rules (in a fresh process), and
  by cProfile, which weighs many small Python calls more heavily.

Nothing is asserted; the figures go in docs/speed.md. Results are also written to bench/results/trust.json.
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

import yaml  # noqa: E402

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


def json_lines(texts: list[str]) -> list[bytes]:
    """The generated YAML cases as JSON Lines (dates as ISO text), the input of `kader batch`."""
    return [(json.dumps(yaml.safe_load(t), default=str, ensure_ascii=False) + "\n").encode() for t in texts]


def timed_split(lines_file: Path, rounds: int) -> dict:
    """Wall-clock split of a batch run, by timers (run in a fresh process: `--split FILE`).

    What one `kader batch` worker does with its lines (engine.tools.batch.LineAssessor: read the JSON line,
    assess, write the JSON line), over the whole population. Inside durable-rules: the time in the calls
    into it (asserting facts, with the adapter's action loop that stands in for the library's; reading and
    deleting the session state), minus the time it spends back in our rule actions. Ours: the rest, split
    into reading the line, writing the assessment, and the assessment around the engine. Timers disturb
    the run far less than a profiler does.
    """
    from engine.adapters import durable as adapter

    spent = {"durable": 0.0, "actions": 0.0, "reading": 0.0, "writing": 0.0}

    def timed(function, bucket):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[bucket] += time.perf_counter() - start
        return wrapper

    make_action = adapter.DurableEngine._action

    def timed_action(self, index, spec):
        action = make_action(self, index, spec)

        def run(closure):  # durable-rules checks that an action takes exactly one argument
            start = time.perf_counter()
            try:
                return action(closure)
            finally:
                spent["actions"] += time.perf_counter() - start
        return run

    adapter.DurableEngine._action = timed_action
    import engine.tools.batch as batch_module

    batch_module.dumps = timed(batch_module.dumps, "writing")
    batch_module.LineAssessor.case = timed(batch_module.LineAssessor.case, "reading")
    framework = engine.load_framework(ROOT / "rules")
    raws = lines_file.read_bytes().splitlines(keepends=True)
    assessor = batch_module.LineAssessor(framework, lines_file.name)
    assessor.chunk(1, raws)  # warm-up: every ruleset registered
    # the adapter calls the C engine directly: time those calls, and the action loop (minus our actions in it)
    import types
    c_engine = adapter._c
    adapter._c = types.SimpleNamespace(**{name: getattr(c_engine, name) for name in dir(c_engine)
                                         if not name.startswith("__")})
    for name in ("assert_facts", "assert_fact", "get_state", "delete_state"):
        setattr(adapter._c, name, timed(getattr(c_engine, name), "durable"))
    adapter._ActionLoop.session = timed(adapter._ActionLoop.session, "durable")
    runs = []
    for _ in range(rounds):
        for key in spent:
            spent[key] = 0.0
        start = time.perf_counter()
        result = assessor.chunk(1, raws)
        runs.append((time.perf_counter() - start, dict(spent)))
        if result.failures:  # a measurement of failing lines would be worthless
            raise SystemExit(f"bench/trust.py: line {result.failures[0].line} failed: {result.failures[0].diagnostics[0]}")
    total, run = sorted(runs, key=lambda r: r[0])[len(runs) // 2]  # the median run
    inside = run["durable"] - run["actions"]
    ours = total - inside
    return {"cases": len(raws), "seconds": round(total, 3),
            "durable_rules": {"seconds": round(inside, 3), "share": round(inside / total, 3)},
            "ours": {"seconds": round(ours, 3), "share": round(ours / total, 3),
                     "reading_json": round(run["reading"], 3), "writing_json": round(run["writing"], 3),
                     "assessing": round(ours - run["reading"] - run["writing"], 3)}}


def profile_split(framework: engine.Framework, raws: list[bytes]) -> dict:
    """The same batch run under cProfile: time inside durable-rules against our own Python.

    Inside durable-rules: every call from our code into the `durable` package or its C engine, with all
    it calls in turn (its JSON exchange between C and Python included, and the adapter's action loop that
    stands in for the library's), minus the time spent back in our own rule actions. Ours: the rest
    (engine/ and the standard library it uses). A deterministic profiler charges every Python call a fixed
    cost, so it weighs our many small calls more heavily than the timers of `timed_split` do.
    """
    from engine import LineAssessor

    assessor = LineAssessor(framework, "casussen.jsonl")
    if assessor.chunk(1, raws).failures:  # warm-up, and a check that every line is assessed
        raise SystemExit("bench/trust.py: the population does not pass `kader batch`")
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    assessor.chunk(1, raws)
    profiler.disable()
    wall_seconds = time.perf_counter() - start
    stats = pstats.Stats(profiler).stats  # (file, line, name) -> (calls, primitive, tottime, cumtime, callers)
    engine_dir = str(ROOT / "engine")

    # The adapter's action loop and the handle our actions assert findings through replace the library's
    # own loop (engine/adapters/durable.py): they are the exchange with durable-rules, as its loop was.
    from engine.adapters.durable import _ActionLoop, _Matched, _outcome, _text
    exchange = {(code.co_filename, code.co_firstlineno, code.co_name)
                for code in (_ActionLoop.__call__.__code__, _ActionLoop.session.__code__, _ActionLoop._firing.__code__,
                             _Matched.__init__.__code__, _Matched.assert_fact.__code__, _outcome.__code__,
                             _text.__code__)}

    def durable(func) -> bool:
        filename, _, name = func
        return "durable_rules_engine" in name or f"{os.sep}durable{os.sep}" in filename or func in exchange

    def ours(func) -> bool:
        return func[0].startswith(engine_dir) and func not in exchange

    total = sum(entry[2] for entry in stats.values())
    into_durable = sum(by_caller[3] for func, entry in stats.items() if durable(func)
                       for caller, by_caller in entry[4].items() if ours(caller))
    back_in_ours = sum(by_caller[3] for func, entry in stats.items() if ours(func)
                       for caller, by_caller in entry[4].items() if durable(caller))
    inside = into_durable - back_in_ours
    return {"durable_rules": {"seconds": round(inside, 3), "share": round(inside / total, 3)},
            "ours": {"seconds": round(total - inside, 3), "share": round((total - inside) / total, 3)},
            "profiled_seconds": round(total, 3), "wall_seconds_under_profiler": round(wall_seconds, 3)}


def batch(lines: Path, count: int, runs: int) -> dict | None:
    """`kader batch` over the population as JSON Lines with 1 and 2 workers, process start included
    (bench/batch.py measures the steady rate over a larger file)."""
    probe = subprocess.run([str(KADER), "batch", "--help"], capture_output=True, text=True, cwd=ROOT,
                           stdin=subprocess.DEVNULL)
    if probe.returncode != 0:
        return None
    result = {}
    for workers in (1, 2):
        command = [str(KADER), "batch", str(lines), "--workers", str(workers), "--out", os.devnull]
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
    parser.add_argument("--split", type=Path, help=argparse.SUPPRESS)  # internal: timed_split in a fresh process
    args = parser.parse_args()
    if args.split is not None:
        print(json.dumps(timed_split(args.split, args.rounds)))
        return

    framework = engine.load_framework(ROOT / "rules")
    texts = population(framework, args.cases)
    cases = [engine.case_from_text(framework, t, f"casus-{i}.yaml") for i, t in enumerate(texts)]
    hulpvragen = sum(len(c.hulpvragen) for c in cases)
    raws = json_lines(texts)

    wall([str(KADER), "assess", str(EXAMPLE)], 1)  # fill the framework cache
    cold = wall([str(KADER), "assess", str(EXAMPLE)], args.runs)
    cold_peak = peak_of([str(KADER), "assess", str(EXAMPLE)])

    rss_loaded = resident_mb()
    speed = in_process(framework, cases, texts, args.rounds)
    profiled = profile_split(framework, raws)

    folder = Path(tempfile.mkdtemp(prefix="kader-bench-"))
    try:
        lines = folder / "casussen.jsonl"
        lines.write_bytes(b"".join(raws))
        timers = json.loads(subprocess.run(
            [sys.executable, __file__, "--split", str(lines), "--rounds", str(args.rounds)], check=True,
            capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL).stdout)
        batches = batch(lines, len(raws), max(1, args.runs // 3))
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
        "batch_run_split_timers": timers,
        "batch_run_split_cprofile": profiled,
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
        print(f"`kader batch` (process start incl.):  {batches['workers_1']:.0f} cases/s with 1 worker, "
              f"{batches['workers_2']:.0f} with 2")
    print(f"split of one batch run over the population ({timers['cases']} JSON lines in, JSON lines out):")
    ours = timers["ours"]
    print(f"  by timers ({timers['seconds']:.3f} s):")
    print(f"    inside durable-rules (C engine, its Python, its JSON)  {timers['durable_rules']['seconds']:7.3f} s"
          f"  {timers['durable_rules']['share'] * 100:5.1f} %")
    print(f"    our own Python around it                             {ours['seconds']:7.3f} s"
          f"  {ours['share'] * 100:5.1f} %  (reading {ours['reading_json']:.3f} s, writing "
          f"{ours['writing_json']:.3f} s, assessing {ours['assessing']:.3f} s)")
    print(f"  by cProfile ({profiled['profiled_seconds']:.3f} s profiled):")
    for key, label in (("durable_rules", "inside durable-rules (C engine, its Python, its JSON)"),
                       ("ours", "our own Python around it (engine/ + stdlib it calls)")):
        print(f"    {label:54s} {profiled[key]['seconds']:7.3f} s  {profiled[key]['share'] * 100:5.1f} %")


if __name__ == "__main__":
    main()

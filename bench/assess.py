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

Three library baselines, each a new Python process:

- "the libraries" (the issue's measure): `import durable.engine, yaml, pydantic, typer, rich, dateutil, babel`;
- "as kader uses them": the same plus pydantic's BaseModel and rich's Console and Table;
- "every module from outside kader": every module that a cold `kader assess` of the example ends with in
  `sys.modules` except kader's own (`engine`, `views`, `cli`), imported in the order the command imported them:
  the libraries' parts it really loads (pydantic's types and plugin loader, rich's wrapping, durable's host,
  dateutil, the standard library modules all of them need). Cold minus this baseline is what kader's own code costs:
  its modules, reading the compiled framework, the assessment and the rendering;
- "the third-party modules of those": the same list without the standard library's own modules, imported in the
  same order (so the standard library modules only kader itself imports count as kader's).

`--before DIR` also runs the same cold command from another checkout of kader (for instance
`git worktree add /tmp/before 89aa793`), interleaved with this one, so both are measured in the same run; the
figure to compare is the CPU ratio.
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


RUN_CLI = f"import sys; sys.argv = ['kader', 'assess', {str(CASE)!r}]; from cli import main; main()"
PROBE = ("import atexit, sys\n"
         "atexit.register(lambda: sys.stderr.write('MODULES ' + ' '.join(sys.modules) + '\\n'))\n" + RUN_CLI)
OWN = ("engine", "views", "cli", "__main__")


def outside_modules() -> list[str]:
    """The modules a cold `kader assess` ends with that are not kader's own, in the order they were imported."""
    done = subprocess.run([sys.executable, "-c", PROBE], check=True, capture_output=True, text=True, cwd=ROOT,
                          env=ENV)
    [line] = [line for line in done.stderr.splitlines() if line.startswith("MODULES ")]
    return [m for m in line.split()[1:] if m.split(".")[0] not in OWN and not m.startswith("__editable__")]


def import_all(modules: list[str]) -> str:
    return ("import importlib\nfor name in " + repr(modules) + ":\n    try:\n        importlib.import_module(name)\n"
            "    except Exception:\n        pass\n")


def wall(command: list[str], runs: int, cpu: list[float] | None = None, cwd: Path = ROOT) -> list[float]:
    """Wall times of `runs` runs; with `cpu`, the CPU time (user + system) of each is appended to it."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, env=ENV)
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
    parser.add_argument("--before", type=Path, help="another checkout of kader to measure in the same run")
    args = parser.parse_args()
    from _common import machine

    wall([str(KADER), "assess", str(CASE)], 1)  # fill the framework cache (and the bytecode caches)
    wall([sys.executable, "-c", IMPORTS_USED], 1)
    outside = outside_modules()
    third_party = [m for m in outside if m.split(".")[0] not in sys.stdlib_module_names]
    wall([sys.executable, "-c", import_all(outside)], 1)
    if args.before:
        wall([sys.executable, "-c", RUN_CLI], 1, cwd=args.before)
    cold_cpu: list[float] = []
    imports_cpu: list[float] = []
    used_cpu: list[float] = []
    outside_cpu: list[float] = []
    third_party_cpu: list[float] = []
    libraries: list[float] = []
    before_cpu: list[float] = []
    cold, imports, used, everything, before = [], [], [], [], []
    for _ in range(args.runs):  # interleaved, so that a busy moment of the machine hits all of them alike
        cold += wall([str(KADER), "assess", str(CASE)], 1, cold_cpu)
        imports += wall([sys.executable, "-c", IMPORTS], 1, imports_cpu)
        used += wall([sys.executable, "-c", IMPORTS_USED], 1, used_cpu)
        everything += wall([sys.executable, "-c", import_all(outside)], 1, outside_cpu)
        libraries += wall([sys.executable, "-c", import_all(third_party)], 1, third_party_cpu)
        if args.before:
            before += wall([sys.executable, "-c", RUN_CLI], 1, before_cpu, cwd=args.before)
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
    print(f"python importing every module from outside kader that it loads ({len(outside)}): "
          f"median {median(everything) * 1000:.0f} ms, CPU {median(outside_cpu) * 1000:.0f} ms")
    print(f"cold / every module from outside kader: {median(cold) / median(everything):.2f}x wall, "
          f"{median(cold_cpu) / median(outside_cpu):.2f}x CPU; kader's own part: "
          f"{(median(cold_cpu) - median(outside_cpu)) * 1000:.0f} ms CPU")
    print(f"python importing the third-party modules of those ({len(third_party)}, with the standard library they "
          f"pull): median {median(libraries) * 1000:.0f} ms, CPU {median(third_party_cpu) * 1000:.0f} ms; cold / "
          f"that: {median(cold) / median(libraries):.2f}x wall, {median(cold_cpu) / median(third_party_cpu):.2f}x CPU")
    if args.before:
        print(f"cold `kader assess` of {args.before}: median {median(before) * 1000:.0f} ms, "
              f"CPU {median(before_cpu) * 1000:.0f} ms; this checkout / that one: "
              f"{median(cold_cpu) / median(before_cpu):.2f} (CPU)")
    warm.sort()
    print(f"in-process assess (3 hulpvragen): median {statistics.median(warm) * 1000:.2f} ms, "
          f"p95 {warm[int(len(warm) * 0.95)] * 1000:.2f} ms over {len(warm)} runs")


if __name__ == "__main__":
    main()

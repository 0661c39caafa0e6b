"""CPU per case, in-process, of the code in one or more source trees, measured side by side in the same run.

    .venv/bin/python bench/percase.py --tree /tmp/speed-base --tree . --cases 3000 --rounds 5

Each tree is a checkout of kader (say main before a change, and the working tree after it). Per round, every tree
gets a fresh process (`PYTHONPATH=TREE`) that loads the framework of this project's rules/, warms up on 200 other
cases (households after the N measured ones in the same population file, so that nothing a tree remembers from
its warm-up is one of the measured cases), and then runs N population cases (the same file for every tree,
generated once under bench/results/) through what
`kader batch` runs for a line (engine.tools.batch.LineAssessor: read and check the JSON line, assess, write the JSON),
measuring the process's CPU time (user + system) for those N cases. The trees alternate within each round, so that
other load on a shared machine falls on all of them alike. Printed: CPU per case per round, the median, and the ratio
of every tree to the first. Not a test: the numbers go into docs/speed.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from _common import ROOT, machine, population_file

CHILD = r"""
import json, sys, time
import engine
try:
    from engine import LineAssessor
except ImportError:  # a tree from before engine/ was split into parts
    from engine.batch import LineAssessor
path, warm = sys.argv[1], int(sys.argv[2])
framework = engine.load_framework(engine.default_rules_dir())
with open(path, "rb") as handle:
    lines = handle.readlines()
assessor = LineAssessor(framework, "populatie.jsonl")
assessor.chunk(1, lines[len(lines) - warm:])
lines = lines[:len(lines) - warm]
started = time.process_time()
result = assessor.chunk(1, lines)
spent = time.process_time() - started
print(json.dumps({"cpu": spent, "cases": result.assessed + len(result.failures), "bytes": len(result.text),
                  "engine": engine.__file__}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, help="a kader source tree (repeatable)")
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warm", type=int, default=200)
    args = parser.parse_args()
    import engine
    framework = engine.load_framework(engine.default_rules_dir())
    path = population_file(framework, args.cases + args.warm, args.seed)
    trees = [str(Path(t).resolve()) for t in args.tree]
    spent: dict[str, list[float]] = {t: [] for t in trees}
    sizes: dict[str, int] = {}
    print(f"machine: {machine()}; rules {framework.short_hash}; {args.cases} cases of population seed {args.seed}")
    for round_ in range(args.rounds):
        for tree in trees if round_ % 2 == 0 else reversed(trees):
            env = {**os.environ, "PYTHONPATH": tree, "KADER_RULES": str(ROOT / "rules")}
            result = subprocess.run([sys.executable, "-c", CHILD, str(path), str(args.warm)], env=env, cwd=tree,
                                    capture_output=True, text=True, check=True)
            data = json.loads(result.stdout.strip().splitlines()[-1])
            assert Path(data["engine"]).resolve().parent.parent == Path(tree), (data["engine"], tree)
            spent[tree].append(data["cpu"] / data["cases"] * 1000)
            sizes[tree] = data["bytes"]
            print(f"round {round_ + 1}: {tree}: {spent[tree][-1]:.3f} ms CPU per case", flush=True)
    first = statistics.median(spent[trees[0]])
    print("\n| tree | CPU per case, median (ms) | runs (ms) | ratio to the first |")
    print("| --- | --- | --- | --- |")
    for tree in trees:
        median = statistics.median(spent[tree])
        runs = ", ".join(f"{v:.3f}" for v in spent[tree])
        print(f"| {tree} | {median:.3f} | {runs} | {median / first:.2f} |")
    if len(set(sizes.values())) > 1:
        print(f"warning: the trees wrote different amounts of output: {sizes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

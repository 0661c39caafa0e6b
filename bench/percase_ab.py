"""CPU per case of two or more source trees, in resident processes that take turns every 100 cases.

    .venv/bin/python bench/percase_ab.py --tree /tmp/speed-base --tree . --cases 3000

Like bench/percase.py, but each tree gets one process for the whole run (`PYTHONPATH=TREE`, this project's rules/ or `--rules DIR`),
which warms up on the 200 households after the measured ones and then assesses the measured cases 100 at a time
(what `kader batch` does for a line), the trees taking turns (the order reversed every turn). On a shared machine
whose load changes from second to second, that spreads the other work over the trees more evenly than whole runs
one after the other. Printed: CPU per case of every tree and its ratio to the first. Not a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from _common import ROOT, machine, population_file

CHILD = r"""
import sys, time
import engine
try:
    from engine import LineAssessor
except ImportError:  # a tree from before engine/ was split into parts
    from engine.batch import LineAssessor
framework = engine.load_framework(engine.default_rules_dir())
with open(sys.argv[1], "rb") as handle:
    lines = handle.readlines()
warm = int(sys.argv[2])
assessor = LineAssessor(framework, "populatie.jsonl")
assessor.chunk(1, lines[len(lines) - warm:])
print("klaar", engine.__file__, flush=True)
for command in sys.stdin:
    start, end = map(int, command.split())
    started = time.process_time()
    assessor.chunk(start + 1, lines[start:end])
    print(time.process_time() - started, flush=True)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, help="a kader source tree (repeatable)")
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warm", type=int, default=200)
    parser.add_argument("--step", type=int, default=100)
    parser.add_argument("--rules", type=Path, default=ROOT / "rules",
                        help="the rules every tree runs on (default: this project's rules/); give the rules of the "
                             "oldest tree when it cannot read today's")
    args = parser.parse_args()
    import engine
    framework = engine.load_framework(args.rules.resolve())
    path = population_file(framework, args.cases + args.warm, args.seed)
    trees = [str(Path(t).resolve()) for t in args.tree]
    print(f"machine: {machine()}; rules {framework.short_hash}; {args.cases} cases of population seed {args.seed}")
    processes = []
    for tree in trees:
        env = {**os.environ, "PYTHONPATH": tree, "KADER_RULES": str(args.rules.resolve())}
        process = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(args.warm)], env=env, cwd=tree,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = process.stdout.readline().split()
        assert ready and ready[0] == "klaar" and Path(ready[1]).resolve().parent.parent == Path(tree), (ready, tree)
        processes.append(process)
    spent = [0.0] * len(trees)
    for turn, start in enumerate(range(0, args.cases, args.step)):
        end = min(start + args.step, args.cases)
        for index in (range(len(trees)) if turn % 2 == 0 else reversed(range(len(trees)))):
            processes[index].stdin.write(f"{start} {end}\n")
            processes[index].stdin.flush()
            spent[index] += float(processes[index].stdout.readline())
    for process in processes:
        process.stdin.close()
        process.wait()
    print("\n| tree | CPU per case (ms) | ratio to the first |")
    print("| --- | --- | --- |")
    for tree, total in zip(trees, spent, strict=True):
        print(f"| {tree} | {total / args.cases * 1000:.3f} | {total / spent[0]:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Speed of `kader impact`: a population of households under two versions of the rules, on the command line.

    .venv/bin/python bench/impact.py [--households 100000] [--workers N] [--only minima,gebruikelijke_hulp,tarief,versie]
    .venv/bin/python bench/impact.py --tree /tmp/speed-base --tree . --households 20000   # before/after, same run

With `--tree` (repeatable) each proposal is run by the code of every tree in turn (`python TREE/cli.py impact`,
PYTHONPATH=TREE), the JSON reports compared byte for byte, and the CPU time of every tree given as a ratio to
the first.

Writes a synthetic population (deterministic, seed 2026) under bench/results/ unless it is there already,
makes four proposals in temporary copies of rules/ and times, for each, a cold
`kader impact --base rules --proposal COPY POPULATION --format json --out ...` in a new process:

- minima: Soest raises the income limit of a minima scheme by 10 percentage points (its profile only);
- gebruikelijke_hulp: a Wmo rule excludes gebruikelijke hulp from a partner of 80 or older (Wmo rules only);
- tarief: the Wmo abonnementstarief rises (a shared parameter, read where the eigen bijdrage applies);
- versie: only the version number in kader.yaml changes: nothing can be skipped, every household is
  assessed twice (the worst case; nothing changes).

Wall time depends on what else the machine does; the CPU time of the command (all its processes) is given
next to it, and CPU time / cores is what the wall time would be on an otherwise idle machine.

The households are those of `kader population --size N --seed 2026` (engine.tools.population: one to three
hulpvragen over Wmo, Jeugd and Werk & Inkomen, with the facts the framework asks; docs/population.md).
Nothing here is asserted; the figures go in docs/speed.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import RESULTS, ROOT, population_file

import engine

RULES = ROOT / "rules"
KADER = Path(sys.executable).parent / "kader"


def population(count: int) -> Path:
    """The population of `kader population --size COUNT --seed 2026` (engine.tools.population), cached."""
    return population_file(engine.load_framework(RULES), count, seed=2026)


PARTNER_RULE = """rules:
  - id: wmo.voorstel.partner_hoogbejaard
    title: Geen gebruikelijke hulp van een hoogbejaarde partner
    legal_basis: "Wmo 2015 art. 1.1.1 (gebruikelijke hulp); art. 2.3.5 lid 3"
    when: hulpvraag.onderwerp == "huishouden" and partner.leeftijd >= 80
    then:
      - excludes: wmo.gebruikelijke_hulp
    reason: van een partner van 80 jaar of ouder wordt niet verwacht dat die het huishouden overneemt
"""


def minima(rules: Path) -> None:
    profile = rules / "gemeenten" / "soest.yaml"
    text = profile.read_text(encoding="utf-8")
    match = re.search(r'percentage: "(\d+)"', text)
    profile.write_text(text[:match.start()] + f'percentage: "{int(match.group(1)) + 10}"' + text[match.end():],
                       encoding="utf-8")


def gebruikelijke_hulp(rules: Path) -> None:
    (rules / "wmo" / "voorstel.yaml").write_text(PARTNER_RULE, encoding="utf-8")


def tarief(rules: Path) -> None:
    for path in rules.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if "abonnementstarief:" in text and '{from: 2026-01-01, value: "21.80"' in text:
            path.write_text(text.replace('{from: 2026-01-01, value: "21.80"', '{from: 2026-01-01, value: "23.00"'),
                            encoding="utf-8")
            return
    raise SystemExit("abonnementstarief 21.80 from 2026-01-01 not found in rules/")


def versie(rules: Path) -> None:
    kader = rules / "kader.yaml"
    text = kader.read_text(encoding="utf-8")
    match = re.search(r'^version: "([^"]+)"', text, re.M)
    kader.write_text(text[:match.start(1)] + match.group(1) + "-voorstel" + text[match.end(1):], encoding="utf-8")


PROPOSALS = {"minima": minima, "gebruikelijke_hulp": gebruikelijke_hulp, "tarief": tarief, "versie": versie}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--only", default=",".join(PROPOSALS))
    parser.add_argument("--tree", action="append", default=[], help="a kader source tree (repeatable)")
    args = parser.parse_args()
    start = time.perf_counter()
    cases = population(args.households)
    print(f"population {cases.relative_to(ROOT)} ({cases.stat().st_size / 1e6:.0f} MB) in "
          f"{time.perf_counter() - start:.1f} s")
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f} at start")
    trees = [str(Path(t).resolve()) for t in args.tree] or [None]
    print("| proposal | tree | households | changed | assessed twice | wall time | CPU time | households per second "
          "| CPU ratio to the first tree |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in args.only.split(","):
        with tempfile.TemporaryDirectory(prefix="kader-bench-") as temporary:
            proposal = Path(temporary) / "rules"
            shutil.copytree(RULES, proposal)
            PROPOSALS[name](proposal)
            first_cpu, first_text = None, None
            for index, tree in enumerate(trees):
                out = RESULTS / f"impact-{name}-{args.households}-{index}.json"
                kader = [str(KADER)] if tree is None else [sys.executable, str(Path(tree) / "cli.py")]
                command = kader + ["impact", "--base", str(RULES), "--proposal", str(proposal), str(cases),
                                   "--format", "json", "--out", str(out)]
                if args.workers:
                    command += ["--workers", str(args.workers)]
                env = dict(os.environ) if tree is None else {**os.environ, "PYTHONPATH": tree}
                began, cpu = time.perf_counter(), _children_cpu()
                done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                      env=env)
                wall, cpu = time.perf_counter() - began, _children_cpu() - cpu
                if done.returncode not in (0, 1):
                    raise SystemExit(done.stderr[-3000:])
                text = out.read_text(encoding="utf-8")
                report = json.loads(text)
                first_cpu = first_cpu or cpu
                first_text = first_text or text
                same = "" if text == first_text else " (report DIFFERS from the first tree's)"
                print(f"| {name} | {tree or 'this'} | {report['cases']:,} | {report['changed']:,} | "
                      f"{report['assessed']['twice']:,} | {wall:.1f} s | {cpu:.1f} s | {report['cases'] / wall:,.0f} | "
                      f"{cpu / first_cpu:.2f}{same} |", flush=True)


if __name__ == "__main__":
    main()

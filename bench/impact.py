"""Speed of `kader impact`: a population of households under two versions of the rules, on the command line.

    .venv/bin/python bench/impact.py [--households 100000] [--workers N] [--only minima,gebruikelijke_hulp,tarief]

Writes a synthetic population (deterministic, seed 2026) to bench/results/population-N.jsonl unless it is
there already, makes three proposals in temporary copies of rules/ and times, for each, a cold
`kader impact --base rules --proposal COPY POPULATION --format json --out ...` in a new process:

- minima: Soest raises the income limit of a minima scheme by 10 percentage points (its profile only);
- gebruikelijke_hulp: a Wmo rule excludes gebruikelijke hulp from a partner of 80 or older (Wmo rules only);
- tarief: the Wmo abonnementstarief rises (a shared parameter, read where the eigen bijdrage applies);
- versie: only the version number in kader.yaml changes: nothing can be skipped, every household is
  assessed twice (the worst case; nothing changes).

Wall time depends on what else the machine does; the CPU time of the command (all its processes) is given
next to it, and CPU time / cores is what the wall time would be on an otherwise idle machine.

Until `kader population` is available here the households come from the small generator below: one to
three hulpvragen over Wmo, Jeugd and Werk & Inkomen, with the facts the framework asks. Nothing here is
asserted; the figures go in the README.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
RESULTS = ROOT / "bench" / "results"
KADER = Path(sys.executable).parent / "kader"
PEILDATUM = dt.date(2026, 3, 1)


def household(index: int, rng: random.Random) -> dict:
    def born(low: int, high: int) -> str:
        return (PEILDATUM - dt.timedelta(days=rng.randint(low * 365, high * 365))).isoformat()

    def maybe() -> bool:
        return rng.random() < 0.5

    personen = [{"id": "p1", "rol": "aanvrager", "geboortedatum": born(18, 90), "beperkt": rng.random() < 0.3}]
    if rng.random() < 0.45:
        personen.append({"id": "p2", "rol": "partner", "geboortedatum": born(18, 90), "beperkt": rng.random() < 0.2})
    for k in range(rng.choice([0, 0, 1, 2, 3])):
        personen.append({"id": f"k{k + 1}", "rol": "kind", "geboortedatum": born(0, 22)})
    if rng.random() < 0.1:
        personen.append({"id": "h1", "rol": "huisgenoot", "geboortedatum": born(18, 60)})
    kinderen = [p for p in personen if p["rol"] == "kind"]
    hulpvragen = []
    for kind in rng.sample(["wmo", "jeugd", "levensonderhoud", "schulden", "bijzondere_kosten"], rng.choice([1, 1, 2, 3])):
        hv = f"hv{len(hulpvragen) + 1}"
        if kind == "wmo":
            hulpvragen.append({"id": hv, "domein": "wmo", "onderwerp": rng.choice(["huishouden", "huishouden", "begeleiding"]),
                               "persoon": "p1", "feiten": {"eigen_kracht_toereikend": rng.random() < 0.2,
                                                           "algemeen_gebruikelijke_voorziening": rng.random() < 0.2,
                                                           "mantelzorg_beschikbaar": rng.random() < 0.3,
                                                           "regie_over_huishouden": maybe()}})
        elif kind == "jeugd" and kinderen:
            entry = {"id": hv, "domein": "jeugd", "onderwerp": rng.choice(["opvoeding", "gedrag", "psychisch"]),
                     "persoon": kinderen[0]["id"], "feiten": {"eigen_mogelijkheden_toereikend": rng.random() < 0.2,
                                                              "lichte_opvoedvraag": maybe(), "basishulp_volstaat": maybe(),
                                                              "dagbehandeling_nodig": rng.random() < 0.2,
                                                              "verblijf_nodig": rng.random() < 0.1}}
            if maybe():
                entry["verwijzer"] = rng.choice(["huisarts", "jeugdarts"])
            hulpvragen.append(entry)
        elif kind == "schulden":
            hulpvragen.append({"id": hv, "domein": "werk_inkomen", "onderwerp": "schulden", "persoon": "p1",
                               "feiten": {"schulden_problematisch": maybe(), "zelf_in_staat_met_informatie": maybe(),
                                          "kan_budget_zelf_beheren": maybe(), "bewind_nodig": rng.random() < 0.2}})
        elif kind == "bijzondere_kosten":
            hulpvragen.append({"id": hv, "domein": "werk_inkomen", "onderwerp": "bijzondere_kosten", "persoon": "p1",
                               "feiten": {"voorliggende_voorziening": False,
                                          "noodzakelijke_bijzondere_kosten": f"{rng.randint(50, 2000)}.00"}})
        else:
            hulpvragen.append({"id": hv, "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1",
                               "feiten": {"voorliggende_voorziening": rng.random() < 0.2}})
    return {"id": f"h{index:06d}", "gemeente": rng.choice(["baarn", "bunschoten", "soest"]),
            "peildatum": PEILDATUM.isoformat(), "melddatum": "2026-02-20",
            "huishouden": {"personen": personen, "woonsituatie": "huurwoning"},
            "inkomen": [{"persoon": "p1", "soort": "loon", "netto_per_maand": f"{rng.randint(0, 3500)}.{rng.randint(0, 99):02d}"}],
            "vermogen": {"totaal": f"{rng.randint(0, 30000)}.00"}, "hulpvragen": hulpvragen,
            "signalen": rng.sample(["schulden", "huisuitzetting_dreigt", "huiselijk_geweld"], rng.choice([0, 0, 0, 1]))}


def population(count: int) -> Path:
    path = RESULTS / f"population-{count}.jsonl"
    if not path.exists():
        RESULTS.mkdir(parents=True, exist_ok=True)
        rng = random.Random(2026)
        with open(path, "w", encoding="utf-8") as out:
            for index in range(count):
                out.write(json.dumps(household(index, rng), ensure_ascii=False) + "\n")
    return path


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
    args = parser.parse_args()
    start = time.perf_counter()
    cases = population(args.households)
    print(f"population {cases.relative_to(ROOT)} ({cases.stat().st_size / 1e6:.0f} MB) in "
          f"{time.perf_counter() - start:.1f} s")
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f} at start")
    print("| proposal | households | changed | assessed twice | wall time | CPU time | households per second |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in args.only.split(","):
        with tempfile.TemporaryDirectory(prefix="kader-bench-") as temporary:
            proposal = Path(temporary) / "rules"
            shutil.copytree(RULES, proposal)
            PROPOSALS[name](proposal)
            out = RESULTS / f"impact-{name}-{args.households}.json"
            command = [str(KADER), "impact", "--base", str(RULES), "--proposal", str(proposal), str(cases),
                       "--format", "json", "--out", str(out)]
            if args.workers:
                command += ["--workers", str(args.workers)]
            began, cpu = time.perf_counter(), _children_cpu()
            done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            wall, cpu = time.perf_counter() - began, _children_cpu() - cpu
            if done.returncode not in (0, 1):
                raise SystemExit(done.stderr[-3000:])
            report = json.loads(out.read_text(encoding="utf-8"))
            print(f"| {name} | {report['cases']:,} | {report['changed']:,} | {report['assessed']['twice']:,} | "
                  f"{wall:.1f} s | {cpu:.1f} s | {report['cases'] / wall:,.0f} |", flush=True)


if __name__ == "__main__":
    main()

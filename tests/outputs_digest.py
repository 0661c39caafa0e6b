"""Digests of kader's outputs, to show that a change to the hot path changes no byte of them.

    PYTHONPATH=/tmp/speed-base .venv/bin/python tests/outputs_digest.py --write   # from the code before a change
    .venv/bin/python tests/outputs_digest.py                                       # compare (also tests/test_outputs_identical.py)

What is digested (sha256 of the exact text):
- every case and scenario file under scenarios/, assessed in each municipality: the JSON of `kader assess
  --format json`, and the same with the trace (what `kader explain` reads);
- 3,000 cases of `kader population --seed 16`, through `kader batch`'s line assessor: the output JSON Lines per
  chunk of 250 lines, and the failures with their positions.

The digests are made by the code on PYTHONPATH (a checkout of the code before the change) against the rules of
this project, so that the file records what the code before the change wrote.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIGESTS = ROOT / "tests" / "data" / "outputs-digest.json"
POPULATION_SIZE = 3000
POPULATION_SEED = 16
CHUNK = 250


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def compute(rules: Path = ROOT / "rules") -> dict[str, str]:
    import engine
    from engine.tools.batch import LineAssessor
    from engine.tools.caseinput import read_unit, units
    from engine.tools.population import case_line, generate

    framework = engine.load_framework(rules)
    found: dict[str, str] = {}
    for unit in units([ROOT / "scenarios"]):
        for display, _line, case in read_unit(framework, unit):
            name = Path(display).as_posix().split("scenarios/", 1)[-1]
            if isinstance(case, list):
                found[f"scenario {name}"] = _sha("\n".join(str(d) for d in case))
                continue
            for gemeente in sorted(framework.profiles):
                try:
                    assessment = engine.assess(framework, case, gemeente=gemeente)
                except engine.RuleEngineError as exc:
                    found[f"scenario {name} {gemeente}"] = _sha("\n".join(str(d) for d in exc.diagnostics))
                    continue
                found[f"scenario {name} {gemeente}"] = _sha(assessment.to_json_text())
                found[f"scenario {name} {gemeente} trace"] = _sha(assessment.to_json_text(trace=True))
    lines = [(case_line(case) + "\n").encode("utf-8")
             for case in generate(framework, size=POPULATION_SIZE, seed=POPULATION_SEED)]
    found["population lines"] = _sha(b"".join(lines).decode("utf-8"))
    assessor = LineAssessor(framework, "populatie.jsonl")
    for start in range(0, len(lines), CHUNK):
        chunk = assessor.chunk(start + 1, lines[start:start + CHUNK])
        failures = "\n".join(f"{f.line}: " + "; ".join(str(d) for d in f.diagnostics) for f in chunk.failures)
        found[f"population {start + 1:05d}"] = _sha(chunk.text + "\n--\n" + failures)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the digests of the code on PYTHONPATH")
    args = parser.parse_args()
    import engine
    found = compute()
    if args.write:
        DIGESTS.parent.mkdir(parents=True, exist_ok=True)
        DIGESTS.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(found)} digests written from {Path(engine.__file__).parent}", file=sys.stderr)
        return 0
    expected = json.loads(DIGESTS.read_text(encoding="utf-8"))
    differing = sorted(k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k))
    for key in differing:
        print(f"differs: {key}")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())

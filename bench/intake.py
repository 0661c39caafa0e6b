"""Questions an intake needs to reach a proposal, against the missing-facts list, on the scenario households.

    .venv/bin/python bench/intake.py [SCENARIO DIRS...]   (default: scenarios/integraal scenarios/voorbeelden)

Each scenario household is emptied of every fact the framework declares (hulpvraag, person and casus facts:
what an assessor has not asked yet at a first intake) and then led through `kader intake` in-process; each
question is answered with the value the scenario file gives (a fact the scenario leaves open is answered
"weet niet"). Printed per household: the number of questions the missing-facts list showed for the empty
intake, the number of questions the intake asked until every hulpvraag had a proposal, and whether it got
there.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from _common import ROOT

import engine
from engine import Intake, case_part, read_document


def _plain(value):
    if isinstance(value, (_dt.date, Decimal)):
        return str(value)
    raise TypeError(type(value).__name__)


def empty_intake(framework, data: dict) -> dict:
    data = copy.deepcopy(data)
    data.pop("feiten", None)
    for hv in data.get("hulpvragen", []):
        hv.pop("feiten", None)
    for person in data.get("huishouden", {}).get("personen", []):
        for key in list(person):
            info = framework.facts.get("persoon." + key)
            if info is not None and info.declared_in is not None:
                del person[key]
    return data


def given(case: engine.Case, question) -> object:
    if question.fact.startswith("hulpvraag."):
        return next((h.facts.get(question.fact) for h in case.hulpvragen if h.id == question.hulpvraag), None)
    if question.fact.startswith("persoon."):
        owner = question.key.split(".", 1)[0]
        return next((p.facts.get(question.fact) for p in case.personen if p.id == owner), None)
    return case.facts.get(question.fact)


def main() -> None:
    framework = engine.load_framework()
    folders = [Path(a) for a in sys.argv[1:]] or [ROOT / "scenarios" / "integraal", ROOT / "scenarios" / "voorbeelden"]
    rows = []
    for path in sorted(p for folder in folders for p in folder.glob("*.yaml")):
        original = engine.load_case(framework, path)
        data = empty_intake(framework, case_part(read_document(path)).data)
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "casus.json"
            target.write_text(json.dumps(data, ensure_ascii=False, default=_plain), encoding="utf-8")
            intake = Intake(framework, target)
            first = engine.assess(framework, intake.case)
            listed = len(first.missing_facts)
            asked = 0
            while True:
                progress = intake.progress()
                if progress.complete:
                    break
                question = intake.next_question(progress)
                if question is None:
                    break
                asked += 1
                value = given(original, question)
                if value is None:
                    intake.skipped.add(question.key)
                else:
                    intake.answer({question.key: value})
            old_asked, old_rounds, old_complete = _old_list(framework, original, data)
            rows.append((path.name, listed, asked, progress.complete, len(progress.open_hulpvragen), old_asked,
                         old_rounds, old_complete))
    print("| scenario household (emptied) | missing facts at the start | old list: questions (rounds) | "
          "intake: questions | every hulpvraag a proposal (old / intake) |")
    print("| --- | --- | --- | --- | --- |")
    for name, listed, asked, complete, left, old_asked, old_rounds, old_complete in rows:
        print(f"| {name} | {listed} | {old_asked} ({old_rounds}) | {asked} | "
              f"{'ja' if old_complete else 'nee'} / {'ja' if complete else f'nee ({left} open)'} |")
    both = [r for r in rows if r[3] and r[7]]
    print(f"\nIn the {len(both)} of {len(rows)} households that both ways reach a proposal for every hulpvraag, "
          f"answering every listed missing fact each round took {sum(r[5] for r in both)} questions in "
          f"{sum(r[6] for r in both)} rounds; the intake took {sum(r[2] for r in both)} questions.")


def _old_list(framework, original: engine.Case, data: dict) -> tuple[int, int, bool]:
    """The old way: answer every fact the missing-facts list shows, assess again, until nothing is left to
    answer. Returns (questions answered or left open, rounds, every hulpvraag a proposal)."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "casus.json"
        target.write_text(json.dumps(data, ensure_ascii=False, default=_plain), encoding="utf-8")
        intake = Intake(framework, target)
        asked, rounds, seen = 0, 0, set()
        while True:
            result = engine.assess(framework, intake.case)
            if all(p["provision"] is not None for p in result.proposals):
                return asked, rounds, True
            answers = {}
            for item in result.missing_facts:
                question = intake._question({**item, "type": "", "values": []}) \
                    if item["fact"].startswith(("hulpvraag.", "persoon.", "casus.")) else None
                if question is None or question.key in seen:
                    continue
                seen.add(question.key)
                asked += 1
                value = given(original, question)
                if value is not None:
                    answers[question.key] = value
            if not answers:
                return asked, rounds, False
            rounds += 1
            intake.answer(answers)


if __name__ == "__main__":
    main()

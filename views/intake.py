"""`kader intake`: the conversation with the assessor (prompts and answers; the work is in engine.evaluation.intake)."""

from __future__ import annotations

from typing import Callable

from rich.console import Console
from rich.text import Text

from engine import AnswerError, Intake, Progress, Question, RuleEngineError, parse_answer

from .reports import render_diagnostics


def _proposals(console: Console, progress: Progress) -> None:
    for proposal in progress.assessment.proposals:
        if proposal["provision"] is None:
            console.print(Text.assemble(f"  {proposal['hulpvraag']} {proposal['domein']}/{proposal['onderwerp']}: ",
                                        ("geen automatisch voorstel", "bold yellow")))
        else:
            console.print(Text.assemble(f"  {proposal['hulpvraag']} {proposal['domein']}/{proposal['onderwerp']}: ",
                                        (proposal["name"], "bold green"), f" (niveau {proposal['level']})"))


def _why(question: Question) -> str:
    if question.impact == "nodig_voor_voorstel":
        return "nodig om " + ", ".join(question.changes) + " te beslissen (samen met andere feiten)"
    if question.settles:
        return "beslist " + ", ".join(question.settles)
    what = ", ".join(question.changes)
    return ("kan samen met een ander feit wijzigen: " if question.impact == "samen_beslissend"
            else "kan wijzigen: ") + what


def run_intake(console: Console, intake: Intake, ask: Callable[[str], str]) -> int:
    """Ask until every hulpvraag has a proposal, no question is left, or the assessor stops (Ctrl-C, Ctrl-D,
    'stop'). Every answer is in the case file as soon as it is given. Returns the exit code."""
    try:
        while True:
            progress = intake.progress()
            console.print(Text("Voorstel nu:", style="bold"))
            _proposals(console, progress)
            if progress.complete:
                console.print(Text(f"Elke hulpvraag heeft een voorstel ({intake.asked} vragen beantwoord).",
                                   style="bold green"))
                left = [q for q in progress.questions if q.key not in intake.skipped]
                if left:
                    console.print(Text(f"Nog {len(left)} vraag/vragen kunnen een aanspraak, termijn of signaal "
                                       "beslissen: kader assess --questions toont ze."))
                return 0
            question = intake.next_question(progress)
            if question is None:
                console.print(Text("Geen vraag meer die het voorstel kan beslissen; "
                                   f"{len(progress.open_hulpvragen)} hulpvraag/hulpvragen zonder voorstel.",
                                   style="bold yellow"))
                _undetermined(console, progress)
                return 0
            value = _ask(console, question, ask)
            if value is _STOP:
                console.print(Text(f"Gestopt. De antwoorden tot nu toe staan in {intake.display}."))
                return 0
            if value is None:
                intake.skipped.add(question.key)
                continue
            try:
                intake.answer({question.key: value})
            except RuleEngineError as exc:  # a typed value the case loader refuses: say why, ask again
                render_diagnostics(console, exc.diagnostics)
                continue
            intake.asked += 1
            console.print(Text(f"→ {question.key} = {_shown(value)} opgeslagen in {intake.display}", style="dim"))
    except KeyboardInterrupt:
        console.print(Text(f"\nAfgebroken. De antwoorden tot nu toe staan in {intake.display}."))
        return 130


def _undetermined(console: Console, progress: Progress) -> None:
    """What no answer to a question can decide: a value the law leaves open for how the case is entered
    (`onbepaald`), each with the reason and what would decide it, so that the assessor knows what to change in the
    case file before running the intake again."""
    items = [item for item in progress.assessment.missing_facts if item["fact"].startswith("onbepaald:")
             and (item["hulpvraag"] is None or item["hulpvraag"] in progress.open_hulpvragen)]
    if not items:
        return
    console.print(Text("Niet met een antwoord te beslissen (pas de casus aan en start de intake opnieuw):",
                       style="bold"))
    for item in items:
        console.print(Text.assemble("  ", (item["fact"].removeprefix("onbepaald:"), "bold"), f": {item['question']} ",
                                    (f"({item['legal_basis']})", "dim")))


_STOP = object()


def _shown(value) -> str:
    return {True: "ja", False: "nee"}.get(value, str(value)) if isinstance(value, bool) else str(value)


def _ask(console: Console, question: Question, ask: Callable[[str], str]):
    where = question.hulpvraag or "casus"
    if question.persoon:
        where += f", persoon {question.persoon}"
    console.print(Text.assemble(("\nVraag ", "bold"), f"({where}; {question.fact}, {question.type}): ",
                                (question.text, "bold cyan")))
    console.print(Text(f"Waarom: {_why(question)}", style="dim"))
    while True:
        try:
            text = ask(f"Antwoord [{question.allowed()} / weet niet / stop]: ")
        except EOFError:
            return _STOP
        if text.strip().lower() == "stop":
            return _STOP
        try:
            return parse_answer(question, text)
        except AnswerError as exc:
            console.print(Text(str(exc), style="red"))


def render_progress(console: Console, progress: Progress) -> None:
    """After --answers / --set: the proposals now and the next decisive questions (for scripts and people)."""
    console.print(Text("Voorstel nu:", style="bold"))
    _proposals(console, progress)
    if progress.questions:
        console.print(Text("Beslissende vragen:", style="bold"))
        for question in progress.questions:
            console.print(Text(f"  {question.key} [{question.allowed()}]: {question.text}  ({_why(question)})"))

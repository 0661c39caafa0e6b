"""kader: check a household's requests for help against the shared BBS framework.

A thin command line over the `engine` package: each command parses its
arguments, calls one engine function and renders the result. User errors come
back as located diagnostics (`file:line:col: error[E...]: ...`) with exit code 1;
wrong usage exits with 2. Run `python cli.py --help` or `kader --help`.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer
from rich.console import Console

import engine
from engine.loader import default_rules_dir, display_path

app = typer.Typer(
    name="kader",
    help="Het uitvoeringskader sociaal domein van Baarn, Bunschoten en Soest als regels: beoordeel een casus, "
         "leg uit waarom, controleer de regels en draai scenario's.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _console(stderr: bool = False) -> Console:
    width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 140
    return Console(stderr=stderr, width=width, highlight=False)


class Gemeente(str, Enum):
    baarn = "baarn"
    bunschoten = "bunschoten"
    soest = "soest"


class TableOrJson(str, Enum):
    table = "table"
    json = "json"


class TextOrJson(str, Enum):
    text = "text"
    json = "json"


class TableJsonHtml(str, Enum):
    table = "table"
    json = "json"
    html = "html"


RulesOption = Annotated[Optional[Path], typer.Option(
    "--rules", envvar="KADER_RULES", show_default=False,
    help="Map met de regels (standaard: rules/ naast het project, of $KADER_RULES).")]
GemeenteOption = Annotated[Optional[Gemeente], typer.Option(
    "--gemeente", show_default=False, help="Beoordeel alsof de casus in deze gemeente speelt.")]
PeildatumOption = Annotated[Optional[_dt.datetime], typer.Option(
    "--peildatum", formats=["%Y-%m-%d"], show_default=False, help="Beoordeel op deze datum (JJJJ-MM-DD).")]


def handles_errors(command: Callable) -> Callable:
    """Map the engine's error family to located messages on stderr and an exit code; never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except engine.RuleEngineError as exc:
            from views.reports import render_diagnostics
            render_diagnostics(_console(stderr=True), exc.diagnostics)
            raise typer.Exit(exc.exit_code) from None
        except typer.Exit:
            raise
        except KeyboardInterrupt:
            raise typer.Exit(130) from None
        except Exception as exc:  # a bug in kader itself, not in the input
            if os.environ.get("KADER_DEBUG"):
                raise
            _console(stderr=True).print(f"interne fout in kader: {type(exc).__name__}: {exc} "
                                        "(zet KADER_DEBUG=1 voor details en meld dit)")
            raise typer.Exit(3) from None

    return wrapper


def _day(value: Optional[_dt.datetime]) -> Optional[_dt.date]:
    return value.date() if value is not None else None


def _print_json(text: str) -> None:
    sys.stdout.write(text + "\n")


class Decision(str, Enum):
    volgt = "volgt"
    wijkt_af = "wijkt_af"


RegisterOption = Annotated[Optional[str], typer.Option(
    "--register", show_default=False, metavar="URL",
    help="Register: een SQLite-bestand (standaard kader-register.sqlite, of $KADER_REGISTER) of postgresql://...")]


@app.command()
@handles_errors
def assess(
    case: Annotated[Path, typer.Argument(help="Casusbestand (YAML of JSON).", show_default=False)],
    gemeente: GemeenteOption = None,
    peildatum: PeildatumOption = None,
    format: Annotated[TableOrJson, typer.Option("--format", help="Tabel voor mensen of JSON volgens het contract.")] = TableOrJson.table,
    rules: RulesOption = None,
    record: Annotated[bool, typer.Option("--record", help="Leg de beoordeling vast in het register.")] = False,
    assessor: Annotated[Optional[str], typer.Option("--assessor", metavar="ID", show_default=False,
                                                    help="Met --record: wie beoordeelt (medewerkerskenmerk).")] = None,
    decision: Annotated[Optional[Decision], typer.Option("--decision", show_default=False,
                                                         help="Met --record: volgt het voorstel of wijkt_af.")] = None,
    motivation: Annotated[Optional[str], typer.Option("--motivation", metavar="TEXT", show_default=False,
                                                      help="Met --record: de reden; verplicht bij wijkt_af.")] = None,
    register: RegisterOption = None,
    questions: Annotated[bool, typer.Option("--questions", help="Toets elk ontbrekend feit: alleen vragen waarvan "
                                            "het antwoord nu een uitkomst kan wijzigen, gerangschikt.")] = False,
) -> None:
    """Beoordeel een casus: voorstel per hulpvraag, waarom en waarom niet lichter, aanspraken, termijnen."""
    from engine import register as registers
    options = registers.recording_options(record, assessor=assessor, decision=decision.value if decision else None,
                                          motivation=motivation, register=register, where=display_path(case))
    framework = engine.load_framework(rules)
    context = dict(gemeente=gemeente.value if gemeente else None, peildatum=_day(peildatum))
    if options is None:
        result = engine.assess(framework, engine.load_case(framework, case, display_path(case)), **context)
    else:
        result, entry, location = registers.assess_and_record(
            framework, rules or default_rules_dir(), case, display_path(case), options, register=register,
            clock=lambda: _dt.datetime.now(_dt.timezone.utc), **context)
        _console(stderr=True).print(f"vastgelegd: record {entry.seq} in {location} (casus {entry.case_key[:24]}…, "
                                    f"regelset {entry.framework_hash[:19]}…, {entry.decision})", soft_wrap=True)
    if questions:
        from engine.decisive import decisive_questions
        result.questions = decisive_questions(framework, engine.load_case(framework, case, display_path(case)),
                                              result, **context)
    if format is TableOrJson.json:
        _print_json(result.to_json_text())
        return
    from views.assessment import render_assessment
    render_assessment(_console(), result, framework)


@app.command()
@handles_errors
def explain(
    case: Annotated[Path, typer.Argument(help="Casusbestand (YAML of JSON).", show_default=False)],
    hulpvraag: Annotated[Optional[str], typer.Option("--hulpvraag", help="Alleen deze hulpvraag.", show_default=False)] = None,
    gemeente: GemeenteOption = None,
    peildatum: PeildatumOption = None,
    format: Annotated[TextOrJson, typer.Option("--format", help="Boom voor mensen of JSON met het spoor.")] = TextOrJson.text,
    counterfactual: Annotated[bool, typer.Option("--counterfactual", help="Toon per drempel (norm, vermogensgrens, "
                                                 "minimapercentage, leeftijd) de kleinste verandering van één feit die de "
                                                 "uitkomst omdraait, gecontroleerd door opnieuw te beoordelen.")] = False,
    rules: RulesOption = None,
    horizon: Annotated[int, typer.Option("--horizon", metavar="JAREN", min=0,
                                         help="Met --counterfactual: laat wat verder dan zoveel jaar na de peildatum "
                                              "ligt weg (0: geen grens).")] = 5,
) -> None:
    """Leg een beoordeling uit: welke regels vuurden, met wetsartikel, en welke feiten nog ontbreken."""
    framework = engine.load_framework(rules)
    case_obj = engine.load_case(framework, case, display_path(case))
    if hulpvraag is not None and hulpvraag not in {hv.id for hv in case_obj.hulpvragen}:
        raise engine.UsageError(engine.Diagnostic(
            "E700", f"onbekende hulpvraag '{hulpvraag}'; de casus heeft " + ", ".join(hv.id for hv in case_obj.hulpvragen),
            engine.Span(display_path(case), 1, 1)))
    result = engine.assess(framework, case_obj, gemeente=gemeente.value if gemeente else None, peildatum=_day(peildatum))
    found = None
    if counterfactual:
        from engine.counterfactual import counterfactuals
        found = counterfactuals(framework, case_obj, gemeente=result.gemeente, peildatum=result.peildatum,
                                assessment=result, horizon_years=horizon or None)
    if format is TextOrJson.json:
        if found is None:
            _print_json(result.to_json_text(trace=True))
        else:
            from engine.assessment import dumps
            _print_json(dumps({**result.to_json(trace=True), "counterfactuals": [c.to_json() for c in found]}))
        return
    from views.assessment import render_explanation
    render_explanation(_console(), result, framework, hulpvraag)
    if found is not None:
        from views.counterfactual import render_counterfactuals
        render_counterfactuals(_console(), [c.to_json() for c in found], hulpvraag)


@app.command()
@handles_errors
def check(
    rules_dir: Annotated[Optional[Path], typer.Argument(metavar="[RULES]", show_default=False,
                                                         help="Regelmap (standaard: rules/ of $KADER_RULES).")] = None,
    format: Annotated[TextOrJson, typer.Option("--format", help="Tekst of JSON.")] = TextOrJson.text,
) -> None:
    """Controleer de regels en gemeenteprofielen: alle fouten tegelijk, als bestand:regel:kolom."""
    root = rules_dir or default_rules_dir()
    framework, diagnostics = engine.check_rules(root)
    stats = framework.stats if framework is not None else {}
    if format is TextOrJson.json:
        from engine.assessment import dumps
        _print_json(dumps({"errors": [d.to_json() for d in diagnostics], "stats": stats}))
    else:
        from views.reports import render_check
        render_check(_console(stderr=bool(diagnostics)), display_path(root), diagnostics, stats)
    raise typer.Exit(1 if diagnostics else 0)


@app.command("test")
@handles_errors
def test_scenarios(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Scenariobestanden of -mappen (standaard: scenarios/).",
                                                          show_default=False)] = None,
    format: Annotated[TextOrJson, typer.Option("--format", help="Tekst of JSON.")] = TextOrJson.text,
    coverage: Annotated[bool, typer.Option("--coverage", help="Toon ook welke regels, voorzieningen, parameters en "
                                           "wetsartikelen geen scenario raakt.")] = False,
    rules: RulesOption = None,
) -> None:
    """Draai scenario's (een casus plus de verwachte uitkomst) en toon verschillen als structurele diff."""
    from engine.scenarios import run_scenarios
    framework = engine.load_framework(rules)
    targets = paths or [Path(__file__).resolve().parent / "scenarios"]
    results = run_scenarios(framework, targets)
    failed = sum(not r.passed for r in results)
    covered = None
    if coverage:
        from engine.coverage import scenario_coverage
        covered = scenario_coverage(framework, results).to_json()
    if format is TextOrJson.json:
        from engine.assessment import dumps
        data = {"passed": len(results) - failed, "failed": failed}
        if covered is not None:
            data["coverage"] = covered
        data["results"] = [r.to_json() for r in results]
        _print_json(dumps(data))
    else:
        from views.reports import render_test
        render_test(_console(), results)
        if covered is not None:
            from views.coverage import render_coverage
            render_coverage(_console(), covered)
    raise typer.Exit(1 if failed or not results else 0)


@app.command()
@handles_errors
def audit(
    register: RegisterOption = None,
    since: Annotated[Optional[_dt.datetime], typer.Option("--since", formats=["%Y-%m-%d"], show_default=False,
                                                          help="Alleen records vastgelegd op of na deze datum.")] = None,
    gemeente: Annotated[Optional[Gemeente], typer.Option("--gemeente", show_default=False,
                                                         help="Alleen records van deze gemeente.")] = None,
    format: Annotated[TableJsonHtml, typer.Option("--format", help="Tabel, JSON of een losse HTML-pagina.")] = TableJsonHtml.table,
) -> None:
    """Controleer een register: keten ongeschonden, elk record reproduceerbaar, afwijkingen en ongelijke behandeling."""
    from engine import register as registers
    with registers.open_register(register) as target:
        report = registers.audit(target, since=_day(since), gemeente=gemeente.value if gemeente else None)
    if format is TableJsonHtml.json:
        from engine.assessment import dumps
        _print_json(dumps(report.to_json()))
    elif format is TableJsonHtml.html:
        from views.audit_html import render_audit_html
        sys.stdout.write(render_audit_html(report))
    else:
        from views.audit import render_audit
        render_audit(_console(), report)
    raise typer.Exit(report.exit_code)

CasesArgument = Annotated[Optional[list[Path]], typer.Argument(
    help="Casus- of scenariobestanden, mappen, of populaties in JSON Lines (.jsonl); standaard: scenarios/.",
    show_default=False)]


def _write(text: str, out: Optional[Path]) -> None:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    with _open_for_writing(out) as handle:
        try:
            handle.write(text)
        except OSError as exc:  # e.g. the disk is full
            raise _not_writable(out, exc) from None


def _progress():
    """A progress bar on stderr for long runs in a terminal; None otherwise."""
    if not sys.stderr.isatty():
        return None, None
    from rich.progress import Progress
    bar = Progress(console=_console(stderr=True), transient=True)
    task = bar.add_task("beoordelen", total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total or None)
    return bar, update


def _open_for_writing(path: Path):
    """A UTF-8 text file to write, or a located error (not a traceback) when that is impossible."""
    try:
        return open(path, "w", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise _not_writable(path, exc) from None


def _not_writable(path: Path, exc: OSError) -> engine.RuleEngineError:
    return engine.RuleEngineError(engine.Diagnostic(
        "E004", f"bestand kan niet geschreven worden: {exc.strerror}", engine.Span(display_path(path), 1, 1)))


def _workers_default() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@app.command()
@handles_errors
def impact(
    cases: CasesArgument = None,
    base: Annotated[str, typer.Option("--base", help="De huidige regels: een regelmap of git:REV (de regelmap bij "
                                      "die git-revisie van het project).")] = "git:HEAD",
    proposal: Annotated[Optional[str], typer.Option("--proposal", show_default=False, help="De voorgestelde regels: "
                                                    "een regelmap of git:REV (standaard: de regelmap in gebruik).")] = None,
    format: Annotated[TableJsonHtml, typer.Option("--format", help="Tabel, JSON, of één HTML-pagina met grafieken.")]
    = TableJsonHtml.table,
    out: Annotated[Optional[Path], typer.Option("--out", help="Schrijf JSON of HTML naar dit bestand.",
                                                show_default=False)] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", show_default=False, help="Aantal werkprocessen "
                                                   "(standaard: 1 voor weinig casussen, anders het aantal kernen).")]
    = None,
    limit: Annotated[int, typer.Option("--limit", help="Toon in de tabel ten hoogste zoveel wijzigingen.")] = 50,
    rules: RulesOption = None,
) -> None:
    """Wat verandert er, en voor wie, als de regels veranderen: elke casus onder beide versies vergeleken."""
    from engine.impact import impact as run
    rules_dir = rules or engine.default_rules_dir()
    bar, update = _progress()
    with bar or contextlib.nullcontext():
        report = run(base, proposal or str(rules_dir), rules_dir, cases or [Path(__file__).resolve().parent / "scenarios"],
                     workers=workers, progress=update)
    data = report.to_json()
    if report.errors:
        from views.reports import render_diagnostics
        render_diagnostics(_console(stderr=True), report.errors)
    if format is TableJsonHtml.json:
        from engine.assessment import dumps
        _write(dumps(data), out)
    elif format is TableJsonHtml.html:
        from views.impact_html import render_html
        _write(render_html(data), out)
    else:
        from views.impact import render_impact
        render_impact(_console(), data, limit=limit)
    raise typer.Exit(1 if report.errors else 0)


@app.command("compare-gemeenten")
@handles_errors
def compare_gemeenten(
    cases: CasesArgument = None,
    format: Annotated[TableOrJson, typer.Option("--format", help="Tabel of JSON.")] = TableOrJson.table,
    limit: Annotated[int, typer.Option("--limit", help="Toon in de tabel ten hoogste zoveel harmonisatiefouten.")] = 50,
    rules: RulesOption = None,
) -> None:
    """Beoordeel elke casus in alle drie gemeenten: elk verschil met zijn oorzaak, en verschillen zonder oorzaak als fout."""
    from engine.gemeenten import compare_gemeenten as run
    report = run(engine.load_framework(rules), cases or [Path(__file__).resolve().parent / "scenarios"])
    if report.errors:
        from views.reports import render_diagnostics
        render_diagnostics(_console(stderr=True), report.errors)
    if format is TableOrJson.json:
        from engine.assessment import dumps
        _print_json(dumps(report.to_json()))
    else:
        from views.gemeenten import render_gemeenten
        render_gemeenten(_console(), report.to_json(), limit=limit)
    raise typer.Exit(1 if report.defects or report.errors else 0)


@app.command()
@handles_errors
def population(
    size: Annotated[int, typer.Option("--size", min=0, show_default=False, help="Aantal huishoudens.")],
    seed: Annotated[int, typer.Option("--seed", show_default=False,
                                      help="Startwaarde: dezelfde seed en dezelfde regels geven hetzelfde bestand.")],
    out: Annotated[Path, typer.Option("--out", show_default=False, help="JSON Lines-bestand om te schrijven.")],
    gemeente: Annotated[Optional[Gemeente], typer.Option(
        "--gemeente", show_default=False, help="Alleen huishoudens in deze gemeente (standaard: naar inwonertal).")] = None,
    peildatum: Annotated[Optional[_dt.datetime], typer.Option(
        "--peildatum", formats=["%Y-%m-%d"], show_default=False,
        help="Peildatum van alle casussen (JJJJ-MM-DD; standaard 2026-01-01).")] = None,
    rules: RulesOption = None,
) -> None:
    """Maak een synthetische populatie huishoudens (JSON Lines, één casus per regel) voor impactberekeningen."""
    from engine.population import DEFAULT_PEILDATUM, case_line, generate
    from views.batch import ProgressBar, render_population_summary
    framework = engine.load_framework(rules)
    day = _day(peildatum) or DEFAULT_PEILDATUM
    cases = generate(framework, size=size, seed=seed, gemeente=gemeente.value if gemeente else None, peildatum=day)
    partial = out.with_name(out.name + ".tmp")
    err = _console(stderr=True)
    try:
        with _open_for_writing(partial) as handle, ProgressBar(err, "populatie", size, "huishoudens") as bar:
            for index, case in enumerate(cases, 1):
                handle.write(case_line(case) + "\n")
                if index % 250 == 0:
                    bar.advance(250)
            bar.advance(size % 250)
        os.replace(partial, out)
    finally:
        if partial.exists():
            partial.unlink()
    render_population_summary(err, size, seed, display_path(out), day.isoformat(), framework.short_hash)


@app.command()
@handles_errors
def batch(
    cases: Annotated[Path, typer.Argument(help="JSON Lines-bestand met één casus per regel.", show_default=False)],
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, show_default=False,
                                                   help="Aantal werkprocessen (standaard: het aantal processoren).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", show_default=False,
                                                help="Schrijf de beoordelingen naar dit bestand (standaard: stdout).")] = None,
    rules: RulesOption = None,
) -> None:
    """Beoordeel een JSON Lines-bestand met casussen: beoordelingen als JSON Lines, in de volgorde van de invoer."""
    from engine.batch import BatchSummary, assess_chunks, count_lines, open_cases, read_chunks
    from views.batch import ProgressBar, render_batch_summary
    framework = engine.load_framework(rules)
    root = rules or default_rules_dir()
    count = workers or _workers_default()
    shown = display_path(cases)
    err = _console(stderr=True)
    summary = BatchSummary()
    started = time.perf_counter()
    with open_cases(cases, shown) as source:
        total = count_lines(source)
        target = _open_for_writing(out) if out is not None else sys.stdout
        try:
            with ProgressBar(err, "batch", total, "regels") as bar:
                for chunk in assess_chunks(framework, root, shown, read_chunks(source), workers=count):
                    target.write(chunk.text)
                    for failure in chunk.failures:
                        bar.diagnostics(failure.diagnostics)
                    summary.add(chunk)
                    bar.advance(chunk.lines)
        finally:
            if target is not sys.stdout:
                target.close()
            else:
                target.flush()
    render_batch_summary(err, summary, time.perf_counter() - started, count,
                         display_path(out) if out is not None else "stdout")
    raise typer.Exit(1 if summary.failed else 0)


@app.command()
@handles_errors
def intake(
    case: Annotated[Path, typer.Argument(help="Casusbestand (YAML of JSON); de antwoorden komen hierin.",
                                         show_default=False)],
    answers: Annotated[Optional[Path], typer.Option("--answers", metavar="FILE", show_default=False,
                                                    help="YAML met antwoorden: <hulpvraag|persoon|casus>.<feit>: waarde.")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", metavar="FEIT=WAARDE", show_default=False,
                                                      help="Eén antwoord, bv. hv1.voorliggende_voorziening=nee (herhaalbaar).")] = None,
    rules: RulesOption = None,
) -> None:
    """Intake: stel de meest beslissende vraag, schrijf het antwoord in het casusbestand, beoordeel opnieuw."""
    from engine.intake import Intake
    from views.intake import render_progress, run_intake

    framework = engine.load_framework(rules)
    session = Intake(framework, case, display_path(case))
    if answers is None and not set_:
        raise typer.Exit(run_intake(_console(), session, input))
    session.answer(_given_answers(session, answers, set_ or []))
    render_progress(_console(), session.progress())


def _given_answers(session, answers: Optional[Path], assignments: list[str]) -> dict:
    """The answers of --answers FILE and --set, typed and checked; located errors for what does not fit."""
    from engine.errors import CaseFileError, Diagnostic, Span
    from engine.intake import AnswerError, parse_assignment
    from engine.sources import SourceError, read_document

    found: dict = {}
    problems = []
    if answers is not None:
        shown = display_path(answers)
        try:
            document = read_document(answers, shown)
        except SourceError as exc:
            raise CaseFileError(exc.diagnostics) from None
        if not isinstance(document.data, dict):
            raise CaseFileError(Diagnostic("E721", "een antwoordenbestand is een mapping <hulpvraag|persoon|casus>."
                                           "<feit>: waarde", document.span(())))
        for key, value in document.data.items():
            try:
                found[str(key)] = session.value_for(str(key), value)
            except AnswerError as exc:
                problems.append(Diagnostic("E722", str(exc), document.span((key,), key=True)))
    for index, text in enumerate(assignments, 1):
        try:
            key, value = parse_assignment(text)
            found[key] = session.value_for(key, value)
        except AnswerError as exc:
            problems.append(Diagnostic("E722", str(exc), Span(f"--set[{index}]", 1, 1)))
    if problems:
        raise CaseFileError(problems)
    return {k: v for k, v in found.items() if v is not None}


def main() -> None:
    app()


if __name__ == "__main__":
    main()

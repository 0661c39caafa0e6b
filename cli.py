"""kader: check a household's requests for help against the shared BBS framework.

A thin command line over the `engine` package: each command parses its
arguments, calls one engine function and renders the result. User errors come
back as located diagnostics (`file:line:col: error[E...]: ...`) with exit code 1;
wrong usage exits with 2. Run `python cli.py --help` or `kader --help`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import sys
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


class AuditFormat(str, Enum):
    table = "table"
    json = "json"
    html = "html"


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
    rules: RulesOption = None,
) -> None:
    """Leg een beoordeling uit: welke regels vuurden, met wetsartikel, en welke feiten nog ontbreken."""
    framework = engine.load_framework(rules)
    case_obj = engine.load_case(framework, case, display_path(case))
    if hulpvraag is not None and hulpvraag not in {hv.id for hv in case_obj.hulpvragen}:
        raise engine.UsageError(engine.Diagnostic(
            "E700", f"onbekende hulpvraag '{hulpvraag}'; de casus heeft " + ", ".join(hv.id for hv in case_obj.hulpvragen),
            engine.Span(display_path(case), 1, 1)))
    result = engine.assess(framework, case_obj, gemeente=gemeente.value if gemeente else None, peildatum=_day(peildatum))
    if format is TextOrJson.json:
        _print_json(result.to_json_text(trace=True))
        return
    from views.assessment import render_explanation
    render_explanation(_console(), result, framework, hulpvraag)


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
    rules: RulesOption = None,
) -> None:
    """Draai scenario's (een casus plus de verwachte uitkomst) en toon verschillen als structurele diff."""
    from engine.scenarios import run_scenarios
    framework = engine.load_framework(rules)
    targets = paths or [Path(__file__).resolve().parent / "scenarios"]
    results = run_scenarios(framework, targets)
    failed = sum(not r.passed for r in results)
    if format is TextOrJson.json:
        from engine.assessment import dumps
        _print_json(dumps({"passed": len(results) - failed, "failed": failed, "results": [r.to_json() for r in results]}))
    else:
        from views.reports import render_test
        render_test(_console(), results)
    raise typer.Exit(1 if failed or not results else 0)


@app.command()
@handles_errors
def audit(
    register: RegisterOption = None,
    since: Annotated[Optional[_dt.datetime], typer.Option("--since", formats=["%Y-%m-%d"], show_default=False,
                                                          help="Alleen records vastgelegd op of na deze datum.")] = None,
    gemeente: Annotated[Optional[Gemeente], typer.Option("--gemeente", show_default=False,
                                                         help="Alleen records van deze gemeente.")] = None,
    format: Annotated[AuditFormat, typer.Option("--format", help="Tabel, JSON of een losse HTML-pagina.")] = AuditFormat.table,
) -> None:
    """Controleer een register: keten ongeschonden, elk record reproduceerbaar, afwijkingen en ongelijke behandeling."""
    from engine import register as registers
    with registers.open_register(register) as target:
        report = registers.audit(target, since=_day(since), gemeente=gemeente.value if gemeente else None)
    if format is AuditFormat.json:
        from engine.assessment import dumps
        _print_json(dumps(report.to_json()))
    elif format is AuditFormat.html:
        from views.audit_html import render_audit_html
        sys.stdout.write(render_audit_html(report))
    else:
        from views.audit import render_audit
        render_audit(_console(), report)
    raise typer.Exit(report.exit_code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

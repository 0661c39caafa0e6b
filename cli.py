"""kader: check a household's requests for help against the shared BBS framework.

A thin command line over the `engine` package: each command parses its
arguments, calls one engine function and renders the result. User errors come
back as located diagnostics (`file:line:col: error[E...]: ...`) with exit code 1;
wrong usage exits with 2. Run `python cli.py --help` or `kader --help`.
"""

# (no `from __future__ import annotations`: typer reads each parameter's annotation; written as strings it would compile
# and evaluate every one of them, twice, on every run: about 1 ms of a cold `kader assess`)

import contextlib
import datetime as _dt
import functools
import gc
import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Optional

_COLLECTING = gc.isenabled()
gc.disable()  # start-up makes tens of thousands of objects that all stay: collecting meanwhile finds nothing
try:
    import typer
    from rich.console import Console

    import engine
    from engine import default_rules_dir, display_path, gemeente_option
    from views.usage import KaderGroup, KaderTyper, ask_yes_no  # Dutch help and usage errors through typer's own hooks
except ModuleNotFoundError as missing:  # an environment installed before a dependency was added (or without one)
    if missing.name is None or missing.name.split(".")[0] in ("engine", "views"):
        raise
    sys.stderr.write(f"kader: error[E007]: het pakket '{missing.name}' ontbreekt in deze Python-omgeving "
                     f"({sys.prefix}); installeer opnieuw uit de lock: pip install --require-hashes -r "
                     "requirements/kader.txt (of requirements/test.txt), zie README, Quick start\n")
    raise SystemExit(3) from None
finally:
    if _COLLECTING:
        gc.enable()

app = KaderTyper(
    cls=KaderGroup,
    name="kader",
    help="Het uitvoeringskader sociaal domein van Baarn, Bunschoten en Soest als regels: beoordeel een casus, "
         "leg uit waarom, controleer de regels en draai scenario's.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, width=_width(), highlight=False)


def _width() -> int | None:
    """None (rich asks the terminal, or $COLUMNS) in a terminal; written to a pipe or file, the width of the terminal
    kader runs in when there is one, else 100 columns, wrapped at word boundaries."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return None
    for stream in (sys.stderr, sys.stdin):
        try:
            return os.get_terminal_size(stream.fileno()).columns
        except (OSError, ValueError, AttributeError):
            continue
    return 100


def _gemeente(value: Optional[str]) -> Optional[str]:
    """A municipality as typed (`Soest`, `soest`): the list comes from the profiles in rules/gemeenten/, so the
    engine checks the name; here it is only made lower case."""
    return value.strip().lower() if value else None


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
GemeenteOption = Annotated[Optional[str], typer.Option(
    "--gemeente", show_default=False, metavar="GEMEENTE",
    help="Beoordeel alsof de casus in deze gemeente speelt (een gemeente met een profiel in rules/gemeenten/).")]
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
    case: Annotated[Path, typer.Argument(metavar="CASUS", help="Casusbestand (YAML of JSON).", show_default=False)],
    gemeente: GemeenteOption = None,
    peildatum: PeildatumOption = None,
    format: Annotated[TableOrJson, typer.Option("--format", help="Tabel voor mensen of JSON volgens het contract.")] = TableOrJson.table,
    rules: RulesOption = None,
    record: Annotated[bool, typer.Option("--record", help="Leg de beoordeling vast in het register.")] = False,
    assessor: Annotated[Optional[str], typer.Option("--assessor", metavar="ID", show_default=False,
                                                    help="Met --record: wie beoordeelt (medewerkerskenmerk).")] = None,
    decision: Annotated[Optional[Decision], typer.Option("--decision", show_default=False,
                                                         help="Met --record: volgt het voorstel of wijkt_af.")] = None,
    motivation: Annotated[Optional[str], typer.Option("--motivation", metavar="TEKST", show_default=False,
                                                      help="Met --record: de reden; verplicht bij wijkt_af.")] = None,
    register: RegisterOption = None,
    request_id: Annotated[Optional[str], typer.Option(
        "--request-id", metavar="ID", show_default=False,
        help="Met --record: een eigen kenmerk van dit verzoek; een herhaling met hetzelfde kenmerk legt niet "
             "opnieuw vast.")] = None,
    questions: Annotated[bool, typer.Option("--questions", help="Toets elk ontbrekend feit: alleen vragen waarvan "
                                            "het antwoord nu een uitkomst kan wijzigen, gerangschikt.")] = False,
) -> None:
    """Beoordeel een casus: voorstel per hulpvraag, waarom en waarom niet lichter, aanspraken, termijnen."""
    options = None
    if record or any(v is not None for v in (assessor, decision, motivation, register, request_id)):
        from engine import register as registers  # only when recording: the register is not needed to assess
        options = registers.recording_options(record, assessor=assessor, decision=decision.value if decision else None,
                                              motivation=motivation, register=register, where=display_path(case),
                                              request_id=request_id)
    framework = engine.load_framework(rules)
    context = dict(gemeente=gemeente_option(framework, gemeente), peildatum=_day(peildatum))
    if options is None:
        result = engine.assess(framework, engine.load_case(framework, case, display_path(case)), **context)
    else:
        result, entry, location, new = registers.assess_and_record_once(
            framework, rules or default_rules_dir(), case, display_path(case), options, register=register,
            clock=lambda: _dt.datetime.now(_dt.timezone.utc), **context)
        done = "vastgelegd" if new else f"al vastgelegd op {entry.recorded_at} (zelfde --request-id, niet opnieuw)"
        _console(stderr=True).print(f"{done}: record {entry.seq} in {location} (casus {entry.case_key[:24]}…, "
                                    f"regelset {entry.framework_hash[:19]}…, {entry.decision})", soft_wrap=True)
    if questions:
        from engine import decisive_questions
        result.questions = decisive_questions(framework, engine.load_case(framework, case, display_path(case)),
                                              result, **context)
    if format is TableOrJson.json:
        from engine import attach_links
        _print_json(attach_links(framework, result).to_json_text())
        return
    from views.assessment import render_assessment
    render_assessment(_console(), result, framework)


@app.command()
@handles_errors
def explain(
    case: Annotated[Path, typer.Argument(metavar="CASUS", help="Casusbestand (YAML of JSON).", show_default=False)],
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
    result = engine.assess(framework, case_obj, gemeente=gemeente_option(framework, gemeente), peildatum=_day(peildatum))
    found = None
    if counterfactual:
        from engine import counterfactuals
        found = counterfactuals(framework, case_obj, gemeente=result.gemeente, peildatum=result.peildatum,
                                assessment=result, horizon_years=horizon or None)
    if format is TextOrJson.json:
        from engine import attach_links
        attach_links(framework, result, trace=True)
        if found is None:
            _print_json(result.to_json_text(trace=True))
        else:
            from engine import dumps
            _print_json(dumps({**result.to_json(trace=True), "counterfactuals": [c.to_json() for c in found]}))
        return
    from engine import attach_links, keys_read
    from views.assessment import render_explanation
    attach_links(framework, result, trace=True)
    render_explanation(_console(), result, framework, hulpvraag, read=keys_read(framework, case_obj, result))
    if found is not None:
        from views.counterfactual import render_counterfactuals
        render_counterfactuals(_console(), [c.to_json() for c in found], hulpvraag)


@app.command()
@handles_errors
def check(
    rules_dir: Annotated[Optional[Path], typer.Argument(metavar="REGELMAP", show_default=False,
                                                         help="Regelmap (standaard: rules/ of $KADER_RULES).")] = None,
    format: Annotated[TextOrJson, typer.Option("--format", help="Tekst of JSON.")] = TextOrJson.text,
) -> None:
    """Controleer de regels en gemeenteprofielen: alle fouten tegelijk, als bestand:regel:kolom."""
    root = rules_dir or default_rules_dir()
    framework, diagnostics = engine.check_rules(root)
    stats = framework.stats if framework is not None else {}
    if format is TextOrJson.json:
        from engine import dumps
        _print_json(dumps({"errors": [d.to_json() for d in diagnostics], "stats": stats}))
    else:
        from views.reports import render_check
        render_check(_console(stderr=bool(diagnostics)), display_path(root), diagnostics, stats)
    raise typer.Exit(1 if diagnostics else 0)


@app.command("test")
@handles_errors
def test_scenarios(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar="PAD", help="Scenariobestanden of -mappen (standaard: scenarios/).",
                                                          show_default=False)] = None,
    format: Annotated[TextOrJson, typer.Option("--format", help="Tekst of JSON.")] = TextOrJson.text,
    coverage: Annotated[bool, typer.Option("--coverage", help="Toon ook welke regels, voorzieningen, parameters en "
                                           "wetsartikelen geen scenario raakt.")] = False,
    failed_only: Annotated[bool, typer.Option("--failed", help="Toon alleen de scenario's die mislukken.")] = False,
    pattern: Annotated[Optional[str], typer.Option("-k", metavar="PATROON", show_default=False,
                                                   help="Alleen scenario's waarvan het pad of de naam dit bevat.")] = None,
    update: Annotated[bool, typer.Option("--update", help="Schrijf de huidige uitkomst als verwachte uitkomst in de "
                                         "mislukte scenario's, na het tonen van de verschillen.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Met --update: niet vragen (nodig zonder terminal).")] = False,
    rules: RulesOption = None,
) -> None:
    """Draai scenario's (een casus plus de verwachte uitkomst) en toon verschillen als structurele diff."""
    from engine import run_scenarios
    if update and not yes and not sys.stdin.isatty():
        raise engine.UsageError(engine.Diagnostic(
            "E726", "--update schrijft scenariobestanden: zonder terminal alleen met --yes", engine.Span("--update", 1, 1)))
    framework = engine.load_framework(rules)
    targets = paths or [Path(__file__).resolve().parent / "scenarios"]
    results = run_scenarios(framework, targets, pattern)
    failed = sum(not r.passed for r in results)
    covered = None
    if coverage:
        from engine import scenario_coverage
        covered = scenario_coverage(framework, results).to_json()
    if format is TextOrJson.json:
        from engine import dumps
        data = {"passed": len(results) - failed, "failed": failed}
        if covered is not None:
            data["coverage"] = covered
        data["results"] = [r.to_json() for r in results]
        _print_json(dumps(data))
    else:
        from views.reports import render_test
        render_test(_console(), results, failed_only=failed_only or update)
        if covered is not None:
            from views.coverage import render_coverage
            render_coverage(_console(), covered)
    if update and failed:
        failed = _update_scenarios(results, ask=not yes)
    raise typer.Exit(1 if failed or not results else 0)


def _update_scenarios(results: list, *, ask: bool) -> int:
    """Write the current outcome into each failing scenario (after asking, in a terminal); the number left failing."""
    from engine import rewrite
    err = _console(stderr=True)
    left = 0
    for result in results:
        if result.passed:
            continue
        if result.assessment is None:  # the case itself is refused: nothing to write
            left += 1
            continue
        if ask and not ask_yes_no(f"{result.path}: huidige uitkomst als verwachte uitkomst schrijven?"):
            left += 1
            continue
        path = Path(result.path)
        text = rewrite(path, result)
        with _open_for_writing(path) as handle:
            handle.write(text)
        err.print(f"bijgewerkt: {result.path}", soft_wrap=True)
    return left


@app.command()
@handles_errors
def audit(
    register: RegisterOption = None,
    since: Annotated[Optional[_dt.datetime], typer.Option("--since", formats=["%Y-%m-%d"], show_default=False,
                                                          help="Alleen records vastgelegd op of na deze datum.")] = None,
    gemeente: Annotated[Optional[str], typer.Option("--gemeente", show_default=False, metavar="GEMEENTE",
                                                    help="Alleen records van deze gemeente.")] = None,
    format: Annotated[TableJsonHtml, typer.Option("--format", help="Tabel, JSON of een losse HTML-pagina.")] = TableJsonHtml.table,
    allowed_rulesets: Annotated[Optional[Path], typer.Option(
        "--allowed-rulesets", metavar="BESTAND", show_default=False,
        help="Bestand met de vastgestelde regelset-hashes (één per regel); een record met een andere regelset faalt.")] = None,
    expect_head: Annotated[Optional[list[str]], typer.Option(
        "--expect-head", metavar="VOLGNR:HASH", show_default=False,
        help="Een eerder gepubliceerde kop (volgnummer:hash) die het register nog moet bevatten.")] = None,
    verify_checkpoints: Annotated[Optional[Path], typer.Option(
        "--verify-checkpoints", metavar="MAP", show_default=False,
        help="Controleer het register tegen de ondertekende checkpoints in deze map (met --public-key).")] = None,
    public_key: Annotated[Optional[list[Path]], typer.Option(
        "--public-key", metavar="BESTAND", show_default=False,
        help="Publieke sleutel(s) van de checkpoints (ed25519:<hex>); herhaal voor oude sleutels na rotatie.")] = None,
    checkpoint: Annotated[Optional[Path], typer.Option(
        "--checkpoint", metavar="MAP", show_default=False,
        help="Onderteken na een goede audit de kop van de keten in een checkpoint in deze map (met --signing-key).")] = None,
    signing_key: Annotated[Optional[Path], typer.Option(
        "--signing-key", metavar="BESTAND", show_default=False,
        help="De geheime Ed25519-sleutel voor --checkpoint (gemaakt met kader checkpoint-key).")] = None,
    max_unanchored: Annotated[Optional[int], typer.Option(
        "--max-unanchored", metavar="N", min=0, show_default=False,
        help="Met --verify-checkpoints: faal als meer dan N records na het nieuwste geldige checkpoint komen "
             "(de checkpoint-signer tekent niet).")] = None,
) -> None:
    """Controleer een register: keten ongeschonden, elk record reproduceerbaar, afwijkingen en ongelijke behandeling."""
    from engine import register as registers
    from engine.register import checkpoint as checkpoints
    heads = [checkpoints.parse_expect_head(text) for text in expect_head or []]
    allowed = checkpoints.read_allowed_rulesets(allowed_rulesets) if allowed_rulesets else None
    keys = checkpoints.load_public_keys(public_key) if public_key else None
    if checkpoint is not None:
        checkpoints.check_checkpoint_options(signing_key, whole=since is None and gemeente is None)
    key = checkpoints.load_signing_key(signing_key) if signing_key else None
    with registers.open_register(register) as target:
        report = checkpoints.anchored_audit(target, since=_day(since), gemeente=_gemeente(gemeente),
                                            allowed_rulesets=allowed, expect_heads=heads,
                                            checkpoints=verify_checkpoints, public_keys=keys,
                                            max_unanchored=max_unanchored)
        made = None
        if checkpoint is not None and report.ok:
            made = checkpoints.make_checkpoint(target, report, key, checkpoint,
                                               lambda: _dt.datetime.now(_dt.timezone.utc))
    if format is TableJsonHtml.json:
        from engine import dumps
        _print_json(dumps(report.to_json()))
    elif format is TableJsonHtml.html:
        from views.audit_html import render_audit_html
        sys.stdout.write(render_audit_html(report))
    else:
        from views.audit import render_audit
        render_audit(_console(), report)
    if checkpoint is not None:
        if made is None:
            _console(stderr=True).print("geen checkpoint gemaakt: het register is niet in orde", soft_wrap=True)
        else:
            _console(stderr=True).print(f"checkpoint: {made[0]}\n{made[1]}", soft_wrap=True, highlight=False)
    raise typer.Exit(report.exit_code)


@app.command("checkpoint-key")
@handles_errors
def checkpoint_key(
    path: Annotated[Path, typer.Argument(metavar="BESTAND", help="Waar de geheime sleutel komt (BESTAND; de publieke komt in BESTAND.pub).",
                                         show_default=False)],
) -> None:
    """Maak een Ed25519-sleutelpaar voor ondertekende checkpoints van het register."""
    from engine.register import checkpoint as checkpoints
    public, identity = checkpoints.create_key(path)
    _console().print(f"geheime sleutel: {path} (modus 0600; bewaar hem buiten het bereik van wie het register kan "
                     f"schrijven)\npublieke sleutel: {public} ({identity})", soft_wrap=True, highlight=False)


@app.command("checkpoint-signer")
@handles_errors
def checkpoint_signer(
    checkpoint: Annotated[Path, typer.Option("--checkpoint", metavar="MAP", show_default=False,
                                             help="Map voor de checkpoints van deze signer.")],
    signing_key: Annotated[Path, typer.Option("--signing-key", metavar="BESTAND", show_default=False,
                                              help="De geheime Ed25519-sleutel (alleen leesbaar voor dit account).")],
    register: RegisterOption = None,
    every: Annotated[int, typer.Option("--every", metavar="N", min=1, help="Teken na N nieuwe records.")] = 100,
    interval: Annotated[float, typer.Option("--interval", metavar="SECONDEN", min=1,
                                            help="Of na zoveel seconden, als er een nieuw record is.")] = 3600,
    poll: Annotated[float, typer.Option("--poll", metavar="SECONDEN", min=0.05,
                                        help="Hoe vaak de kop van het register wordt gelezen.")] = 10,
    once: Annotated[bool, typer.Option("--once", help="Eén keer kijken (en zo nodig tekenen), dan stoppen.")] = False,
) -> None:
    """Teken periodiek checkpoints terwijl er wordt vastgelegd: draai dit als eigen serviceaccount met de sleutel."""
    from engine import SignerPolicy, run_signer
    from engine import register as registers
    from engine.register import checkpoint as checkpoints
    key = checkpoints.load_signing_key(signing_key)
    policy = SignerPolicy(every=every, interval=_dt.timedelta(seconds=interval))
    console = _console(stderr=True)
    code = run_signer(lambda: registers.open_register(register), checkpoint, key, policy, poll=poll, once=once,
                      report=lambda text: console.print(text, soft_wrap=True, highlight=False),
                      clock=lambda: _dt.datetime.now(_dt.timezone.utc))
    raise typer.Exit(code)


CasesArgument = Annotated[Optional[list[Path]], typer.Argument(
    metavar="CASUSSEN", help="Casus- of scenariobestanden, mappen, of populaties in JSON Lines (.jsonl); standaard: scenarios/.",
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


SchedulerOption = Annotated[Optional[str], typer.Option(
    "--scheduler", show_default=False, help="Verdeel het werk over een Dask-cluster: het adres van de scheduler "
    "(tcp://host:8786); elke worker één thread.")]


@app.command()
@handles_errors
def impact(
    cases: CasesArgument = None,
    base: Annotated[str, typer.Option("--base", help="De huidige regels: een regelmap of git:REV (de regelmap bij "
                                      "die git-revisie van het project).")] = "git:HEAD",
    proposal: Annotated[Optional[str], typer.Option("--proposal", show_default=False, help="De voorgestelde regels: "
                                                    "een regelmap of git:REV (standaard: de regelmap in gebruik).")] = None,
    format: Annotated[Optional[TableJsonHtml], typer.Option(
        "--format", show_default=False, help="Tabel, JSON, of één HTML-pagina met grafieken (standaard: tabel, of "
        "met --out naar de extensie .json of .html).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Schrijf JSON of HTML naar dit bestand.",
                                                show_default=False)] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", show_default=False, help="Aantal werkprocessen "
                                                   "(standaard: 1 voor weinig casussen, anders het aantal kernen).")]
    = None,
    limit: Annotated[int, typer.Option("--limit", help="Toon in de tabel ten hoogste zoveel wijzigingen.")] = 50,
    scheduler: SchedulerOption = None,
    rules: RulesOption = None,
) -> None:
    """Wat verandert er, en voor wie, als de regels veranderen: elke casus onder beide versies vergeleken."""
    from engine import impact as run
    format = TableJsonHtml(_out_format(format.value if format else None, out, ("json", "html")))
    rules_dir = rules or engine.default_rules_dir()
    bar, update = _progress()
    with bar or contextlib.nullcontext():
        report = run(base, proposal or str(rules_dir), rules_dir, cases or [Path(__file__).resolve().parent / "scenarios"],
                     workers=workers, progress=update, scheduler=scheduler)
    data = report.to_json()
    if report.errors:
        from views.reports import render_diagnostics
        render_diagnostics(_console(stderr=True), report.errors)
    if format is TableJsonHtml.json:
        from engine import dumps
        _write_confirmed(dumps(data), out)
    elif format is TableJsonHtml.html:
        from views.impact_html import render_html
        _write_confirmed(render_html(data), out)
    else:
        from views.impact import render_impact
        render_impact(_console(), data, limit=limit)
    raise typer.Exit(1 if report.errors else 0)


@app.command("wet")
@handles_errors
def wet(
    legal_basis: Annotated[str, typer.Argument(metavar="RECHTSGROND", help="Een rechtsgrond zoals de regels hem schrijven.", show_default=False)],
    peildatum: PeildatumOption = None,
    format: Annotated[TextOrJson, typer.Option("--format", help="Tekst of JSON.")] = TextOrJson.text,
    rules: RulesOption = None,
) -> None:
    """Zet een rechtsgrond om in wet (BWB), artikel en lid, met de link naar de tekst die op de peildatum gold."""
    from engine import links
    found = links(engine.load_framework(rules), legal_basis, _day(peildatum) or _dt.date.today())
    if format is TextOrJson.json:
        from engine import dumps
        _print_json(dumps(found))
        return
    console = _console()
    for ref in found["references"]:
        where = " ".join(p for p in (f"art. {ref['artikel']}" if ref["artikel"] else "",
                                     f"lid {ref['lid']}" if ref["lid"] else "",
                                     f"onder {ref['onder']}" if ref["onder"] else "") if p)
        console.print(f"{ref['wet']} {where} ({ref['bwb']}): {ref['url']}", soft_wrap=True, highlight=False)
    for segment in found["unresolved"]:
        console.print(f"geen wetsartikel: {segment}", soft_wrap=True, highlight=False)
    raise typer.Exit(1 if found["unresolved"] and not found["references"] else 0)


@app.command("compare-gemeenten")
@handles_errors
def compare_gemeenten(
    cases: CasesArgument = None,
    format: Annotated[TableOrJson, typer.Option("--format", help="Tabel of JSON.")] = TableOrJson.table,
    limit: Annotated[int, typer.Option("--limit", help="Toon in de tabel ten hoogste zoveel harmonisatiefouten.")] = 50,
    rules: RulesOption = None,
) -> None:
    """Beoordeel elke casus in elke gemeente met een profiel: elk verschil met zijn oorzaak, en verschillen zonder oorzaak als fout."""
    from engine import compare_gemeenten as run
    report = run(engine.load_framework(rules), cases or [Path(__file__).resolve().parent / "scenarios"])
    if report.errors:
        from views.reports import render_diagnostics
        render_diagnostics(_console(stderr=True), report.errors)
    if format is TableOrJson.json:
        from engine import dumps
        _print_json(dumps(report.to_json()))
    else:
        from views.gemeenten import render_gemeenten
        render_gemeenten(_console(), report.to_json(), limit=limit)
    raise typer.Exit(1 if report.defects or report.errors else 0)


@app.command()
@handles_errors
def verify(
    rules_dir: Annotated[Optional[Path], typer.Argument(metavar="[RULES]", show_default=False,
                                                         help="Regelmap (standaard: rules/ of $KADER_RULES).")] = None,
    gemeente: GemeenteOption = None,
    peildatum: PeildatumOption = None,
    format: Annotated[TextOrJson, typer.Option("--format", help="Tekst of JSON.")] = TextOrJson.text,
    base: Annotated[Optional[str], typer.Option("--base", show_default=False,
                                                help="Alleen wat nieuw is ten opzichte van git:REVISIE (of een regelmap).")] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconden per vraag aan de solver.")] = 5.0,
    witnesses: Annotated[Optional[Path], typer.Option("--witnesses", show_default=False,
                                                      help="Schrijf elke getuige als casusbestand in deze map.")] = None,
    personen: Annotated[int, typer.Option("--personen", min=0, max=6,
                                          help="Huisgenoten en kinderen naast aanvrager en partner.")] = 2,
) -> None:
    """Bewijs met een SMT-solver (z3) dat de regels geen conflicten, gaten of dode regels hebben, of toon een huishouden dat het tegendeel laat zien."""
    from engine import verify_rules
    report = verify_rules(rules_dir or default_rules_dir(), peildatum=_day(peildatum) or _dt.date.today(),
                          gemeente=_gemeente(gemeente), base=base, timeout_ms=int(timeout * 1000), witnesses=witnesses,
                          extra_persons=personen)
    if format is TextOrJson.json:
        from engine import dumps
        _print_json(dumps(report.to_json()))
    else:
        from views.verify import render_verify
        render_verify(_console(), report.to_json())
    raise typer.Exit(1 if report.findings else 0)


@app.command()
@handles_errors
def population(
    size: Annotated[int, typer.Option("--size", min=0, show_default=False, help="Aantal huishoudens.")],
    seed: Annotated[int, typer.Option("--seed", show_default=False,
                                      help="Startwaarde: dezelfde seed en dezelfde regels geven hetzelfde bestand.")],
    out: Annotated[Path, typer.Option("--out", show_default=False, help="JSON Lines-bestand om te schrijven.")],
    gemeente: Annotated[Optional[str], typer.Option(
        "--gemeente", show_default=False, metavar="GEMEENTE", help="Alleen huishoudens in deze gemeente (standaard: naar inwonertal).")] = None,
    peildatum: Annotated[Optional[_dt.datetime], typer.Option(
        "--peildatum", formats=["%Y-%m-%d"], show_default=False,
        help="Peildatum van alle casussen (JJJJ-MM-DD; standaard 2026-01-01).")] = None,
    rules: RulesOption = None,
) -> None:
    """Maak een synthetische populatie huishoudens (JSON Lines, één casus per regel) voor impactberekeningen."""
    from engine import DEFAULT_PEILDATUM, case_line, generate
    from views.batch import ProgressBar, render_population_summary
    framework = engine.load_framework(rules)
    day = _day(peildatum) or DEFAULT_PEILDATUM
    cases = generate(framework, size=size, seed=seed, gemeente=_gemeente(gemeente), peildatum=day)
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
    cases: Annotated[Path, typer.Argument(metavar="BESTAND", help="JSON Lines-bestand met één casus per regel.", show_default=False)],
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, show_default=False,
                                                   help="Aantal werkprocessen (standaard: het aantal processoren).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", show_default=False,
                                                help="Schrijf de beoordelingen naar dit bestand (standaard: stdout).")] = None,
    scheduler: SchedulerOption = None,
    rules: RulesOption = None,
) -> None:
    """Beoordeel een JSON Lines-bestand met casussen: beoordelingen als JSON Lines, in de volgorde van de invoer."""
    from engine import BatchSummary, assess_chunks, atomic_output, count_lines, open_cases, read_chunks
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
        with (atomic_output(out, display_path(out)) if out is not None else contextlib.nullcontext(sys.stdout)) as target:
            try:
                with ProgressBar(err, "batch", total, "regels") as bar:
                    for chunk in assess_chunks(framework, root, shown, read_chunks(source), workers=count,
                                               scheduler=scheduler):
                        target.write(chunk.text)
                        for failure in chunk.failures:
                            bar.diagnostics(failure.diagnostics)
                        summary.add(chunk)
                        bar.advance(chunk.lines)
            finally:
                target.flush()
    render_batch_summary(err, summary, time.perf_counter() - started, count,
                         display_path(out) if out is not None else "stdout")
    raise typer.Exit(1 if summary.failed else 0)


# ---------------------------------------------------------------- writing a case: schema, facts, new-case

class SchemaKind(str, Enum):
    case = "case"
    rules = "rules"
    kader = "kader"
    profile = "profile"
    atw = "atw"
    wetten = "wetten"


@app.command()
@handles_errors
def schema(
    kind: Annotated[SchemaKind, typer.Argument(metavar="SOORT", help="case (casusbestand), rules (regelbestand van een domein), "
                                               "kader (kader.yaml), profile (gemeenteprofiel), atw "
                                               "(algemene_termijnenwet.yaml) of wetten (wetten.yaml).",
                                               show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", show_default=False, help="Schrijf het schema naar dit bestand.")]
    = None,
    rules: RulesOption = None,
) -> None:
    """Druk een JSON Schema af voor de YAML-taalserver van een editor: velden, feiten per scope, toegestane waarden."""
    from engine import dumps
    from engine import schema as build
    _write_confirmed(dumps(build(engine.load_framework(rules), kind.value)), out)


@app.command()
@handles_errors
def facts(
    domein: Annotated[Optional[str], typer.Option("--domein", show_default=False, help="Alleen de feiten van dit domein.")]
    = None,
    onderwerp: Annotated[Optional[str], typer.Option("--onderwerp", show_default=False,
                                                     help="Alleen de feiten die bij dit onderwerp gevraagd worden.")] = None,
    format: Annotated[TextOrJson, typer.Option("--format", help="Tekst of JSON.")] = TextOrJson.text,
    rules: RulesOption = None,
) -> None:
    """Toon de feiten die een casus mag geven: per persoon, per hulpvraag en voor de casus, met vraag, type en bron."""
    from engine import list_facts
    found = list_facts(engine.load_framework(rules), domein, onderwerp)
    if format is TextOrJson.json:
        from engine import dumps
        _print_json(dumps([entry.to_json() for entry in found]))
        return
    from views.facts import render_facts
    render_facts(_console(), found)


@app.command("new-case")
@handles_errors
def new_case(
    domein: Annotated[str, typer.Option("--domein", show_default=False, help="Domein van de hulpvraag.")],
    onderwerp: Annotated[str, typer.Option("--onderwerp", show_default=False, help="Onderwerp van de hulpvraag.")],
    gemeente: Annotated[Optional[str], typer.Option("--gemeente", show_default=False, metavar="GEMEENTE",
                                                    help="Gemeente van de casus.")] = None,
    peildatum: PeildatumOption = None,
    out: Annotated[Optional[Path], typer.Option("--out", show_default=False,
                                                help="Schrijf het sjabloon naar dit bestand (standaard: stdout).")] = None,
    rules: RulesOption = None,
) -> None:
    """Schrijf een casussjabloon met commentaar: elke vraag van het kader voor dit domein en onderwerp."""
    from engine import new_case_template
    framework = engine.load_framework(rules)
    text = new_case_template(framework, domein, onderwerp, gemeente=_gemeente(gemeente),
                             peildatum=_day(peildatum) or _dt.date.today())
    _write_confirmed(text, out)


def _out_format(given: Optional[str], out: Optional[Path], written: tuple[str, ...]) -> str:
    """The output format: as given; else from the extension of --out; a file without a known extension is refused
    (never written as a table, never ignored)."""
    if given is not None:
        if out is not None and given == "table":
            raise engine.UsageError(engine.Diagnostic(
                "E725", "--format table schrijft naar het scherm, niet naar een bestand", engine.Span("--out", 1, 1),
                hint="kies --format " + " of --format ".join(written) + ", of laat --out weg"))
        return given
    if out is None:
        return "table"
    extension = out.suffix.lower().lstrip(".")
    extension = {"htm": "html"}.get(extension, extension)
    if extension in written:
        return extension
    raise engine.UsageError(engine.Diagnostic(
        "E725", f"kan het formaat niet afleiden uit '{out.name}'", engine.Span("--out", 1, 1),
        hint="gebruik de extensie " + " of ".join(f".{w}" for w in written) + ", of geef --format"))


def _write_confirmed(text: str, out: Optional[Path]) -> None:
    """Write to stdout, or to `out` with one line on stderr saying so."""
    _write(text, out)
    if out is not None:
        _console(stderr=True).print(f"geschreven: {display_path(out)}", soft_wrap=True)
@app.command()
@handles_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Adres om op te luisteren; zonder tokens alleen 127.0.0.1 of ::1.")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Poort.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Aantal werkprocessen, elk met een eigen engine.")]
    = 1,
    tokens: Annotated[Optional[Path], typer.Option("--tokens", show_default=False, help="YAML/JSON-bestand (modus 0600) "
                                                   "met tokens per rol: assessor, beleidsmedewerker, auditor "
                                                   "(of $KADER_SERVE_TOKENS, $KADER_TOKEN_ASSESSOR, ...).")] = None,
    cors: Annotated[Optional[str], typer.Option("--cors", metavar="HERKOMSTEN", show_default=False,
                                                help="Sta deze herkomsten (origins) toe, kommagescheiden; standaard geen CORS.")] = None,
    max_body: Annotated[Optional[int], typer.Option("--max-body", min=1, show_default=False,
                                                    help="Grootste verzoek in bytes (standaard 2 MiB).")] = None,
    timeout: Annotated[Optional[float], typer.Option("--timeout", min=0.001, show_default=False,
                                                     help="Tijdslimiet per verzoek in seconden (standaard 30).")] = None,
    proposals: Annotated[Optional[Path], typer.Option("--proposals", metavar="MAP", show_default=False,
                                                      help="Map met voorstellen (elk een regelmap) voor POST /impact "
                                                      "(of $KADER_SERVE_PROPOSALS).")] = None,
    register: RegisterOption = None,
    rules: RulesOption = None,
) -> None:
    """Bied het kader aan als HTTP-dienst: POST /assess, /explain, /questions, /impact; GET /facts, /framework, /schema/case."""
    from service.run import serve as run
    run(host=host, port=port, workers=workers, rules=rules, register=register, tokens=tokens, cors=cors,
        max_body=max_body, timeout=timeout, proposals=proposals)
@app.command()
@handles_errors
def intake(
    case: Annotated[Path, typer.Argument(metavar="CASUS", help="Casusbestand (YAML of JSON); de antwoorden komen hierin.",
                                         show_default=False)],
    answers: Annotated[Optional[Path], typer.Option("--answers", metavar="BESTAND", show_default=False,
                                                    help="YAML met antwoorden: <hulpvraag|persoon|casus>.<feit>: waarde.")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", metavar="FEIT=WAARDE", show_default=False,
                                                      help="Eén antwoord, bv. hv1.voorliggende_voorziening=nee (herhaalbaar).")] = None,
    rules: RulesOption = None,
) -> None:
    """Intake: stel de meest beslissende vraag, schrijf het antwoord in het casusbestand, beoordeel opnieuw."""
    from engine import Intake
    from views.intake import render_progress, run_intake

    framework = engine.load_framework(rules)
    session = Intake(framework, case, display_path(case))
    if answers is None and not set_:
        raise typer.Exit(run_intake(_console(), session, input))
    session.answer(_given_answers(session, answers, set_ or []))
    render_progress(_console(), session.progress())


def _given_answers(session, answers: Optional[Path], assignments: list[str]) -> dict:
    """The answers of --answers FILE and --set, typed and checked; located errors for what does not fit."""
    from engine import AnswerError, CaseFileError, Diagnostic, SourceError, Span, parse_assignment, read_document

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


def _command_app(args: list[str]) -> typer.Typer:
    """The app with only the command being run (when it is named first), else the whole app.

    typer builds the click objects of every command before it dispatches; for one command that is 20-40 ms of each
    cold start. The group keeps its settings, and a no-op callback keeps it a group (`kader assess ...`), so the
    command's usage, help and errors are those of the whole app. `kader --help`, no command or an unknown one use
    the whole app, which lists every command.
    """
    import copy

    from typer.main import get_command_name
    if not args or args[0].startswith("-"):
        return app
    chosen = [info for info in app.registered_commands
              if (info.name or get_command_name(info.callback.__name__)) == args[0]]
    if len(chosen) != 1 or app.registered_groups or app.registered_callback:
        return app
    single = copy.copy(app)
    single.registered_commands = chosen
    single.callback()(_group)
    return single


def _group() -> None:
    """(the group of `_command_app`: no options of its own)"""


def main() -> None:
    gc.freeze()  # what start-up made stays: later collections need not look at it again
    _command_app(sys.argv[1:])()


if __name__ == "__main__":
    main()

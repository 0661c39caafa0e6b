"""What each endpoint asks of the engine: bytes in, the command line's bytes out.

Every function here runs in the worker's one engine thread (see `service.app.EngineThread`) and calls the
same engine functions as the command line: `engine.assess` and `Assessment.to_json_text` for `kader assess
--format json`, the trace and `engine.tools.counterfactual.counterfactuals` for `kader explain`, and
`engine.register.prepare` / `Recorder` for `kader assess --record` (BSN refusal, pseudonym key, replay check).
A body is read as the command line reads a case file: UTF-8, at most 2 MiB, JSON or YAML with positions, the
`case:` of a scenario file accepted; errors are located at `body:LINE:COL`.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import engine
from engine import (
    Case,
    CaseFileError,
    Diagnostic,
    Document,
    Framework,
    SourceError,
    Span,
    UsageError,
    attach_links,
    case_from_document,
    case_from_line,
    case_part,
    date_problem,
    decode,
    dumps,
    dumps_utf8,
    links_of,
    parse_text,
)

BODY = "body"  # how diagnostics name the request body, in place of a file name
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


@dataclass(frozen=True)
class Body:
    raw: bytes
    yaml: bool  # sent as YAML (Content-Type application/yaml); otherwise read as JSON


def _document(body: Body) -> Document:
    try:
        text = decode(body.raw, BODY)
        return case_part(parse_text(text, BODY, json_syntax=not body.yaml))
    except SourceError as exc:
        raise CaseFileError(exc.diagnostics) from None


def read_case(framework: Framework, body: Body) -> Case:
    """The case in a request body, read as `kader assess` reads a file; the lean JSON reader of `kader batch`
    when the body is a plain JSON case (it falls back to the positioned reader to say where a problem is)."""
    if body.yaml or b'"expected"' in body.raw:
        return case_from_document(framework, _document(body))
    try:
        text = decode(body.raw, BODY)
    except SourceError as exc:
        raise CaseFileError(exc.diagnostics) from None
    return case_from_line(framework, text, BODY)


def query_date(name: str, value: str | None) -> _dt.date | None:
    if value is None:
        return None
    span = Span(f"?{name}", 1, 1)
    if not _DATE.match(value):
        raise UsageError(Diagnostic("E701", f"{name} moet een datum zijn (JJJJ-MM-DD), niet '{value[:40]}'", span))
    try:
        day = _dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(Diagnostic("E701", f"{name} {value} bestaat niet in de kalender", span)) from None
    problem = date_problem(day)
    if problem:
        raise UsageError(Diagnostic("E701", problem, span))
    return day


def query_gemeente(framework: Framework, value: str | None) -> str | None:
    if value is not None and value not in framework.profiles:
        raise UsageError(Diagnostic("E510", f"onbekende gemeente '{value[:40]}'; kies uit "
                                    + ", ".join(sorted(framework.profiles)), Span("?gemeente", 1, 1)))
    return value


def assess_bytes(framework: Framework, body: Body, gemeente: str | None, peildatum: _dt.date | None) -> bytes:
    """Exactly what `kader assess CASE --format json` writes to stdout."""
    result = engine.assess(framework, read_case(framework, body), gemeente=gemeente, peildatum=peildatum)
    return assessment_bytes(framework, result)


_BASIS_KEY = b'"legal_basis": "'  # the key with a string value, as `dumps` writes it
_TAIL = b"\n}"


def _legal_bases(text: bytes) -> frozenset[str]:
    """The non-empty string values of every key `legal_basis` in `text`, JSON written as `dumps` does (indent 2).

    Only a key is followed by `": ` and a string holds a quote only as `\\"`, so each `"legal_basis": "` found
    is the key and its value ends at the next quote not escaped by an odd number of backslashes."""
    found = set()
    start = text.find(_BASIS_KEY)
    while start >= 0:
        start += len(_BASIS_KEY)
        end = text.find(b'"', start)
        while text[end - 1] == 92 and (end - start - len(text[start:end].rstrip(b"\\"))) % 2:  # 92: a backslash
            end = text.find(b'"', end + 1)
        found.add(text[start:end])
        start = text.find(_BASIS_KEY, end)
    return frozenset(value for value in (json.loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode("utf-8")
                                         for raw in found) if value.strip())


@functools.lru_cache(maxsize=4096)
def _links_tail(wetten, bases: frozenset[str], peildatum: _dt.date) -> bytes:
    """The end of the JSON from the key `legal_basis_links` on, for these legal bases on this day: the same for
    every assessment that cites them (`Wetten` is frozen and compared by value), so written once per worker."""
    links = links_of(wetten, bases, peildatum) if wetten is not None else {}
    return b',\n  "legal_basis_links": ' + dumps_utf8(links).replace(b"\n", b"\n  ") + b"\n}\n"


def assessment_bytes(framework: Framework, result) -> bytes:
    """The assessment as `kader assess --format json` writes it (`attach_links(...).to_json_text()` and a line
    break), encoded once: the JSON is written without `legal_basis_links` (its last key), the legal bases are
    read from those bytes instead of walking the data, and the links (the same for every assessment citing the
    same bases on the same day) are put after them. The same bytes: tests/serve/test_write_once.py compares the
    two ways for every case under scenarios/ in every gemeente."""
    if result.legal_basis_links is not None:
        return (result.to_json_text() + "\n").encode("utf-8")
    text = dumps_utf8(result.to_json())
    if not text.endswith(_TAIL):  # not an object written by 2 (never seen): the usual way
        return (attach_links(framework, result).to_json_text() + "\n").encode("utf-8")
    return text[:-2] + _links_tail(getattr(framework, "wetten", None), _legal_bases(text), result.peildatum)


def explain_bytes(framework: Framework, body: Body, gemeente: str | None, peildatum: _dt.date | None,
                  hulpvraag: str | None, counterfactual: bool) -> bytes:
    """Exactly what `kader explain CASE --format json [--counterfactual]` writes to stdout."""
    case = read_case(framework, body)
    if hulpvraag is not None and hulpvraag not in {hv.id for hv in case.hulpvragen}:
        raise UsageError(Diagnostic("E700", f"onbekende hulpvraag '{hulpvraag[:40]}'; de casus heeft "
                                    + ", ".join(hv.id for hv in case.hulpvragen), Span(BODY, 1, 1)))
    result = attach_links(framework, engine.assess(framework, case, gemeente=gemeente, peildatum=peildatum), trace=True)
    if not counterfactual:
        return (result.to_json_text(trace=True) + "\n").encode("utf-8")
    from engine import counterfactuals
    found = counterfactuals(framework, case, gemeente=result.gemeente, peildatum=result.peildatum, assessment=result)
    return (dumps({**result.to_json(trace=True), "counterfactuals": [c.to_json() for c in found]}) + "\n").encode("utf-8")


def questions_bytes(framework: Framework, body: Body, gemeente: str | None, peildatum: _dt.date | None) -> bytes:
    """What is still needed to decide: the ranked decisive questions of `kader assess --questions` (each unknown
    fact tried with its possible values; only those that can change an outcome now, most settling first), and the
    assessment's missing facts as it lists them."""
    from engine import decisive_questions
    case = read_case(framework, body)
    result = engine.assess(framework, case, gemeente=gemeente, peildatum=peildatum)
    questions = decisive_questions(framework, case, result, gemeente=result.gemeente, peildatum=result.peildatum)
    data = {"case_id": result.case_id, "gemeente": result.gemeente, "peildatum": result.peildatum.isoformat(),
            "framework": result.framework, "questions": questions, "missing_facts": result.missing_facts}
    return (dumps(data) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Recorded:
    body: bytes
    seq: int
    hash: str
    case_key: str
    location: str


def record_bytes(framework: Framework, rules_root: Path, body: Body, options, *, register: str | None,
                 gemeente: str | None, peildatum: _dt.date | None, clock: Callable[[], _dt.datetime]) -> Recorded:
    """`kader assess --record`: the same checks, the same record; the response body is the assessment.

    As `engine.register.assess_and_record`, from a request body instead of a file: personal data is refused
    before the pseudonym key is read, and the register is opened only once the stored form has been proven
    to replay. The append is one transaction: a server stopped in the middle leaves no half record.
    """
    from engine import refuse_personal_data
    from engine import register as registers

    document = _document(body)
    refuse_personal_data(document)
    key = registers.load_key()
    prepared = registers.prepare(framework, document, options, key, gemeente=gemeente, peildatum=peildatum)
    with registers.open_register(register, create=True) as target:
        record = registers.Recorder(target, framework, rules_root, clock).append(prepared)
        location = target.location
    text = attach_links(framework, prepared.assessment).to_json_text() + "\n"
    return Recorded(text.encode("utf-8"), record.seq, record.hash, record.case_key, location)


def audit_bytes(register: str | None, since: _dt.date | None, gemeente: str | None) -> bytes:
    """Exactly what `kader audit --format json` writes to stdout (the register is only read)."""
    from engine import register as registers
    with registers.open_register(register) as target:
        report = registers.audit(target, since=since, gemeente=gemeente)
    return (dumps(report.to_json()) + "\n").encode("utf-8")


def facts_bytes(framework: Framework) -> bytes:
    """The facts a case may give, as `kader facts --format json` lists them (engine.evaluation.factlist), with the framework."""
    from engine import list_facts
    data = {"framework": {"name": framework.name, "version": framework.version, "hash": framework.hash},
            "facts": [entry.to_json() for entry in list_facts(framework, None, None)]}
    return (dumps(data) + "\n").encode("utf-8")


def periods(framework: Framework) -> list[dict]:
    """The periods from the framework's start within which every rule's validity and every parameter value
    (shared and municipal) stay the same: a new period starts wherever one of them changes."""
    starts: set[_dt.date] = set()

    def add(day: _dt.date | None) -> None:
        if day is not None and day > framework.valid_from:
            starts.add(day)

    definitions = list(framework.parameters.values())
    for profile in framework.profiles.values():
        definitions += list(profile.overrides.values())
    for parameter in definitions:
        for start in parameter.starts:
            add(start)
        for end in parameter.ends:
            add(end + _dt.timedelta(days=1) if end is not None else None)
    for rule in framework.rules.values():
        add(rule.valid_from)
        add(rule.valid_until + _dt.timedelta(days=1) if rule.valid_until is not None else None)
    bounds = [framework.valid_from] + sorted(starts)
    return [{"from": start.isoformat(),
             "until": (bounds[i + 1] - _dt.timedelta(days=1)).isoformat() if i + 1 < len(bounds) else None}
            for i, start in enumerate(bounds)]


def framework_bytes(framework: Framework) -> bytes:
    data = {"name": framework.name, "version": framework.version, "hash": framework.hash,
            "engine_version": engine.__version__, "valid_from": framework.valid_from.isoformat(),
            "gemeenten": [{"id": g, "name": framework.profiles[g].name} for g in sorted(framework.profiles)],
            "periods": periods(framework)}
    return (dumps(data) + "\n").encode("utf-8")


# --- POST /impact -----------------------------------------------------------------------------------------------

_PROPOSAL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}\Z")


class ImpactTooSlow(TimeoutError):
    """The impact run passed its time limit; it stops between chunks of cases."""


def proposal_folder(root: Path | None, name: str | None) -> Path:
    """The folder of the named proposal: a folder directly below the operator's proposals root, never a path
    the client chooses (no separators, no `..`, no symlink out of the root)."""
    span = Span("?proposal", 1, 1)
    if root is None:
        raise UsageError(Diagnostic("E982", "deze dienst vergelijkt geen voorstellen: hij is gestart zonder "
                                    "--proposals", span, hint="start kader serve met --proposals MAP"))
    available = sorted(p.name for p in root.iterdir() if p.is_dir() and _PROPOSAL_NAME.match(p.name)
                       and p.resolve().parent == root.resolve()) if root.is_dir() else []
    shown = ", ".join(available) or "geen"
    if name is None:
        raise UsageError(Diagnostic("E983", f"geef ?proposal=NAAM; beschikbaar: {shown}", span))
    if not _PROPOSAL_NAME.match(name) or name not in available:
        raise UsageError(Diagnostic("E983", f"onbekend voorstel '{name[:40]}'; beschikbaar: {shown}", span))
    return root / name


def population_lines(body: Body) -> list[bytes]:
    """The cases of an impact request as JSON Lines: the body as it is (JSON Lines), or the elements of a JSON
    array, each written on one line (line N is then the N-th case of the array)."""
    raw = body.raw[3:] if body.raw.startswith(b"\xef\xbb\xbf") else body.raw
    if raw.lstrip()[:1] != b"[":
        return raw.splitlines(keepends=True)
    try:
        text = decode(raw, BODY)
        document = parse_text(text, BODY, json_syntax=True)
    except SourceError as exc:
        raise CaseFileError(exc.diagnostics) from None
    if not isinstance(document.data, list):
        raise CaseFileError(Diagnostic("E984", "verwacht een JSON-array van casussen of JSON Lines", Span(BODY, 1, 1)))
    import json
    return [(json.dumps(case, ensure_ascii=False, default=str) + "\n").encode("utf-8") for case in document.data]


def impact_bytes(framework: Framework, rules_root: Path, proposals: Path | None, name: str | None, body: Body,
                 deadline: float) -> bytes:
    """`kader impact POPULATION --base RULES --proposal PROPOSALS/NAME --format json` for the cases in the body,
    the served rules as the base; the body stands in for the population file (`body:LINE`)."""
    import tempfile
    import time

    from engine import RulesVersion, load_version, rules_version, run_impact

    folder = proposal_folder(proposals, name)
    lines = population_lines(body)

    def progress(_done: int, _total: int) -> None:
        if time.monotonic() > deadline:
            raise ImpactTooSlow()

    with tempfile.TemporaryDirectory(prefix="kader-serve-impact-") as scratch:
        population = Path(scratch) / "body.jsonl"
        population.write_bytes(b"".join(lines))
        from engine import display_path
        shown = display_path(population)
        base = RulesVersion(str(rules_root), rules_root, display_path(rules_root), framework=framework)
        with rules_version(str(folder), rules_root) as proposal:
            load_version(proposal)
            report = run_impact(base, proposal, [population], workers=1, progress=progress)
        text = dumps(report.to_json()) + "\n"
    # the scratch file's name (random, so in no client's case) stands for the body, as a file name would
    return text.replace(shown, BODY).encode("utf-8")

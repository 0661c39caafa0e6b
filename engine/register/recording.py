"""Recording an assessment: check the options and the case, pseudonymise, assess, append.

What is stored is exactly what a replay will read: the case inputs with the
case id replaced by its pseudonymous key, written as canonical JSON. Before
appending, the case is read back from that JSON and assessed again; only if
this gives the same assessment byte for byte (apart from the pseudonymous id)
is the record written, so every record reproduces from the moment it exists.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from engine.errors import CaseFileError, Diagnostic, RuleEngineError, Span, UsageError
from engine.evaluation.assessment import Assessment
from engine.evaluation.case import case_from_document, case_part
from engine.evaluation.evaluate import assess
from engine.language.framework import Framework
from engine.language.sources import Document, SourceError, read_document
from engine.version import __version__

from .base import Register
from .errors import RecordingRefused, register_error
from .privacy import check_free_text, refuse_personal_data
from .pseudonym import case_key, load_key
from .records import DECISIONS, Record, canonical_json, decode_case
from .store import RuleSet, capture, check_stored

REGISTER_ENV = "KADER_REGISTER"
DEFAULT_REGISTER = "kader-register.sqlite"
MAX_ASSESSOR = 80
MAX_MOTIVATION = 4000


def register_target(given: str | Path | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The register to use: the given path or URL, else `$KADER_REGISTER`, else `kader-register.sqlite`."""
    environ = os.environ if environ is None else environ
    return str(given) if given else environ.get(REGISTER_ENV) or DEFAULT_REGISTER


def open_register(target: str | Path | None = None, *, create: bool = False,
                  environ: Mapping[str, str] | None = None) -> Register:
    """Open a register by path or URL (`postgresql://...`, `sqlite:///path`, or a plain path).

    With `create=True` a register that does not exist yet is created (the SQLite file with mode 0600);
    without it, only an existing register is opened. Anything that is not a register is refused untouched.
    """
    text = register_target(target, environ)
    if text.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresRegister
        return PostgresRegister(text, create=create)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///"):]
    elif "://" in text:
        scheme = text.split("://", 1)[0]
        raise register_error("E914", f"onbekend soort register '{scheme}://'", scheme + "://",
                             hint="gebruik een bestandspad, sqlite:///pad of postgresql://...")
    from .sqlite import SqliteRegister
    return SqliteRegister(Path(text), create=create)


REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}\Z")


@dataclass(frozen=True)
class RecordingOptions:
    assessor: str
    decision: str  # "volgt" | "wijkt_af"
    motivation: str | None
    request_id: str | None = None  # idempotency key: a retry with the same id does not record twice

    def request_key(self) -> str | None:
        """Where the register remembers the request: a hash of assessor and id, so the id itself is not stored."""
        if self.request_id is None:
            return None
        digest = hashlib.sha256(f"{self.assessor}\0{self.request_id}".encode()).hexdigest()
        return f"verzoek:{digest}"


def recording_options(record: bool, *, assessor: str | None, decision: str | None, motivation: str | None,
                      register: str | None, where: str, request_id: str | None = None) -> RecordingOptions | None:
    """Check the recording options together; None when nothing is to be recorded. `where` locates errors."""
    span = Span(where, 1, 1)
    if not record:
        given = [name for name, value in (("--assessor", assessor), ("--decision", decision),
                                          ("--motivation", motivation), ("--register", register),
                                          ("--request-id", request_id)) if value is not None]
        if given:
            raise UsageError(Diagnostic("E900", f"{', '.join(given)} hoort bij --record", span,
                                        hint="voeg --record toe om de beoordeling vast te leggen"))
        return None
    problems = []
    if assessor is None or not assessor.strip():
        problems.append(Diagnostic("E901", "--record vraagt --assessor: wie beoordeelt (uw medewerkerskenmerk)", span))
    elif len(assessor.strip()) > MAX_ASSESSOR or any(ord(c) < 32 for c in assessor):
        problems.append(Diagnostic("E904", f"--assessor moet een kort kenmerk zijn (ten hoogste {MAX_ASSESSOR} tekens, "
                                   "geen regeleinden)", span))
    if decision is None:
        problems.append(Diagnostic("E901", "--record vraagt --decision volgt of --decision wijkt_af", span))
    elif decision not in DECISIONS:
        problems.append(Diagnostic("E902", f"onbekende beslissing '{decision}'; kies volgt of wijkt_af", span))
    elif decision == "wijkt_af" and (motivation is None or not motivation.strip()):
        problems.append(Diagnostic("E903", "een afwijking van het voorstel (wijkt_af) vraagt een motivering", span,
                                   hint="geef --motivation met de reden van de afwijking"))
    if request_id is not None and not REQUEST_ID.match(request_id):
        problems.append(Diagnostic("E906", "--request-id moet 8 tot 128 tekens zijn: letters, cijfers en . _ : -",
                                   span, hint="bijvoorbeeld de uitvoer van `uuidgen`"))
    if motivation is not None and len(motivation) > MAX_MOTIVATION:
        problems.append(Diagnostic("E905", f"--motivation is te lang (ten hoogste {MAX_MOTIVATION} tekens)", span))
    if problems:
        raise UsageError(problems)
    check_free_text(assessor, "--assessor", where)
    check_free_text(motivation, "--motivation", where)
    check_free_text(request_id, "--request-id", where)
    text = motivation.strip() if motivation else None
    return RecordingOptions(assessor.strip(), decision, text or None, request_id)


def read_case_document(path: Path, display: str) -> Document:
    try:
        return case_part(read_document(Path(path), display))
    except SourceError as exc:
        raise CaseFileError(exc.diagnostics) from None


@dataclass(frozen=True)
class Prepared:
    """An assessment ready to be appended: what the assessor sees, and the record's fields."""

    assessment: Assessment
    fields: dict[str, Any]


def prepare(framework: Framework, document: Document, options: RecordingOptions, key: bytes, *,
            gemeente: str | None = None, peildatum: _dt.date | None = None) -> Prepared:
    """Check for personal data, assess, pseudonymise and prove that the stored inputs reproduce the assessment."""
    refuse_personal_data(document)
    case = case_from_document(framework, document)
    assessment = assess(framework, case, gemeente=gemeente, peildatum=peildatum)
    pseudonym = case_key(key, case.id)
    case_json = canonical_json({**document.data, "id": pseudonym})
    expected = replace(assessment, case_id=pseudonym).to_json_text(trace=True, indent=None)
    assessment_json = _replayed(framework, case_json, assessment, document.path)
    if assessment_json != expected:
        raise RecordingRefused(Diagnostic("E944", "de casus laat zich niet exact vastleggen: na opslaan geeft zij een "
                                          "andere beoordeling", Span(document.path, 1, 1),
                                          hint="meld dit; schrijf datums als JJJJ-MM-DD en bedragen als getal"))
    return Prepared(assessment, {
        "case_key": pseudonym, "gemeente": assessment.gemeente, "peildatum": assessment.peildatum.isoformat(),
        "framework_hash": framework.hash, "engine_version": __version__, "assessor": options.assessor,
        "decision": options.decision, "motivation": options.motivation, "case_json": case_json,
        "assessment_json": assessment_json,
    })


def _replayed(framework: Framework, case_json: str, assessment: Assessment, where: str) -> str:
    try:
        case = case_from_document(framework, Document(where, decode_case(case_json), None))
        result = assess(framework, case, gemeente=assessment.gemeente, peildatum=assessment.peildatum)
    except RuleEngineError as exc:
        raise RecordingRefused(Diagnostic("E944", "de casus laat zich niet exact vastleggen: opgeslagen geeft zij een "
                                          f"fout ({exc.diagnostics[0].message})", Span(where, 1, 1))) from None
    return result.to_json_text(trace=True, indent=None)


def timestamp(moment: _dt.datetime) -> str:
    """UTC, ISO 8601 with microseconds and a Z: `2026-03-01T09:12:33.123456Z`."""
    if moment.tzinfo is None:
        raise ValueError("een tijdstip voor het register moet een tijdzone hebben")
    return moment.astimezone(_dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


class Recorder:
    """Appends assessments to one register; remembers which rule sets the register already holds."""

    def __init__(self, register: Register, framework: Framework, rules_root: Path, clock: Callable[[], _dt.datetime]):
        self.register = register
        self.framework = framework
        self.rules_root = Path(rules_root)
        self.clock = clock

    def append(self, prepared: Prepared, request_key: str | None = None) -> Record:
        return self.append_once(prepared, request_key)[0]

    def append_once(self, prepared: Prepared, request_key: str | None = None) -> tuple[Record, bool]:
        """Append (or, for a request already recorded, find) the record; returns it and whether it is new."""
        if prepared.fields["framework_hash"] != self.framework.hash:
            raise ValueError("deze beoordeling is met een andere regelset gemaakt dan die van de Recorder")
        ruleset: RuleSet | None = None
        if self.framework.hash not in self.register._known_rulesets:
            stored = self.register.ruleset_text(self.framework.hash)
            if stored is None:
                ruleset = capture(self.rules_root, self.framework)
            else:
                check_stored(self.rules_root, self.framework, stored, self.register.location)
                self.register._known_rulesets.add(self.framework.hash)
        return self.register.append_once(prepared.fields, clock=lambda: timestamp(self.clock()), ruleset=ruleset,
                                         request_key=request_key)


def assess_and_record_once(framework: Framework, rules_root: Path, case_path: Path, display: str,
                      options: RecordingOptions, *, clock: Callable[[], _dt.datetime], register: str | None = None,
                      gemeente: str | None = None, peildatum: _dt.date | None = None,
                      environ: Mapping[str, str] | None = None) -> tuple[Assessment, Record, str, bool]:
    """`kader assess --record`: assess and append; returns the assessment, the record, the register and whether
    the record is new (False: `options.request_id` was recorded before, and that record is returned).

    The case is checked for personal data before the pseudonym key is read, and the register is opened (or
    created) only once the case has been assessed and its stored form proven to replay, so a refused case
    leaves no register behind.
    """
    document = read_case_document(case_path, display)
    refuse_personal_data(document)
    key = load_key(environ)
    prepared = prepare(framework, document, options, key, gemeente=gemeente, peildatum=peildatum)
    with open_register(register, create=True, environ=environ) as target:
        record, new = Recorder(target, framework, rules_root, clock).append_once(prepared, options.request_key())
        return prepared.assessment, record, target.location, new


def assess_and_record(framework: Framework, rules_root: Path, case_path: Path, display: str,
                      options: RecordingOptions, *, clock: Callable[[], _dt.datetime], register: str | None = None,
                      gemeente: str | None = None, peildatum: _dt.date | None = None,
                      environ: Mapping[str, str] | None = None) -> tuple[Assessment, Record, str]:
    """As assess_and_record_once, without saying whether the record is new."""
    assessment, record, location, _ = assess_and_record_once(framework, rules_root, case_path, display, options,
                                                             clock=clock, register=register, gemeente=gemeente,
                                                             peildatum=peildatum, environ=environ)
    return assessment, record, location

"""Cases from files, folders and populations, for commands that look at many cases at once.

An input is a case file (YAML or JSON), a scenario file (its `case:` part), a
folder (every `.yaml`, `.yml`, `.json` and `.jsonl` file below it, sorted), or
a population file in JSON Lines (`.jsonl`: one case per line, as written by
`kader population`). Work is cut into units that can travel to a worker
process: one unit per file, and one unit per chunk of population lines. A case
that cannot be read is a located diagnostic (`pop.jsonl:17:23: error[...]`),
never the end of the run.

The common path for a population line is lean: orjson, then the one-pass case
checks of `engine.evaluation.casejson`; when those are not sure, `json.loads`,
then the case checks of `engine.evaluation.case`; only when something is wrong
with the line does the positioned parser run, to say where.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import orjson

from engine.errors import CaseFileError, Diagnostic, RuleEngineError, Span
from engine.evaluation.case import Case, case_from_document, case_from_text, load_case
from engine.evaluation.casejson import case_from_json
from engine.language.framework import Framework
from engine.language.sources import MAX_FILE_BYTES, Document

CASE_SUFFIXES = (".yaml", ".yml", ".json")
POPULATION_SUFFIX = ".jsonl"
CHUNK_LINES = 200


@dataclass(frozen=True)
class Unit:
    """A piece of work: one case file, or a chunk of lines of a population file."""

    display: str
    path: str | None = None  # a case or scenario file
    first_line: int = 1
    lines: tuple[bytes, ...] = ()  # raw population lines


def _display(path: Path) -> str:
    from engine.language.loader import display_path
    return display_path(path)


def units(paths: list[Path], *, chunk: int = CHUNK_LINES) -> Iterator[Unit | Diagnostic]:
    """Units of work for the given files and folders, in order; a path that cannot be read is a Diagnostic."""
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in CASE_SUFFIXES + (POPULATION_SUFFIX,)
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            for file in found:
                yield from _file_units(file, chunk)
        elif not path.exists():
            yield Diagnostic("E001", "bestand of map bestaat niet", Span(_display(path), 1, 1))
        else:
            yield from _file_units(path, chunk)


def _file_units(path: Path, chunk: int) -> Iterator[Unit | Diagnostic]:
    display = _display(path)
    if path.suffix != POPULATION_SUFFIX:
        yield Unit(display, path=str(path))
        return
    try:
        handle = open(path, "rb")
    except OSError as exc:
        yield Diagnostic("E003", f"bestand kan niet gelezen worden: {exc.strerror}", Span(display, 1, 1))
        return
    with handle:
        lines: list[bytes] = []
        first = 1
        for raw in handle:
            lines.append(raw)
            if len(lines) == chunk:
                yield Unit(display, first_line=first, lines=tuple(lines))
                first += chunk
                lines = []
        if lines:
            yield Unit(display, first_line=first, lines=tuple(lines))


def count_cases(paths: list[Path]) -> int:
    """Roughly how many cases the inputs hold (non-blank population lines plus files), for choosing workers."""
    total = 0
    for unit in units(paths, chunk=10_000):
        if isinstance(unit, Unit):
            total += 1 if unit.path is not None else sum(1 for raw in unit.lines if raw.strip())
    return total


FAST_PATH_MAX_CHARS = 64 * 1024  # longer lines always take the positioned parser (its size limits apply)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # json.loads pairs these up, the positioned parser refuses them


class _Refused(Exception):
    """json.loads and the positioned parser would read this line differently: take the positioned one."""


def _refuse(*_args) -> None:
    raise _Refused


def _decimal(text: str) -> Decimal:
    if "e" in text or "E" in text:  # the positioned parser keeps 1e3 as text, not as a number
        raise _Refused
    return Decimal(text)


def _object(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):  # a duplicate key is an error (E014) in the positioned parser
        raise _Refused
    return result


def decode_line(raw: bytes, number: int, display: str) -> str:
    """One line of a JSON Lines file as text, without its line end; problems are located within the line
    (line 1), as the parser does, and `locate` puts them on the file's line."""
    if len(raw) > MAX_FILE_BYTES:
        raise CaseFileError(Diagnostic("E020", f"regel is te groot ({len(raw)} bytes; ten hoogste {MAX_FILE_BYTES} "
                                       "toegestaan)", Span(display, 1, 1)))
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseFileError(Diagnostic("E021", "regel is geen geldige UTF-8-tekst", Span(display, 1, exc.start + 1))) from None
    if text.endswith("\n"):
        text = text[:-1]
    if text.endswith("\r"):
        text = text[:-1]
    if "\x00" in text:
        raise CaseFileError(Diagnostic("E021", "regel bevat een NUL-teken; is dit een tekstbestand?",
                                       Span(display, 1, text.index("\x00") + 1)))
    return text


def case_from_line(framework: Framework, text: str, display: str) -> Case:
    """The case on a line: by orjson and `case_from_json` when the line is compact JSON as `kader population`
    writes it and holds a case without a problem; else by json.loads when that reads it as the positioned parser
    would, else by the latter (which also says where a problem is)."""
    if len(text) <= FAST_PATH_MAX_CHARS:
        case = _compact_case(framework, text, display)
        if case is not None:
            return case
    return checked_case_from_line(framework, text, display)


def checked_case_from_line(framework: Framework, text: str, display: str) -> Case:
    """`case_from_line` without its first path: json.loads and the pydantic model when json.loads reads the line
    as the positioned parser would, else the positioned parser (tests compare the two)."""
    if len(text) <= FAST_PATH_MAX_CHARS and not ("\\u" in text and _SURROGATE_ESCAPE.search(text)):
        try:
            data = json.loads(text, parse_float=_decimal, parse_constant=_refuse, object_pairs_hook=_object)
        except (_Refused, ValueError, RecursionError):
            data = None
        if isinstance(data, dict):
            try:
                return case_from_document(framework, Document(display, data, None))
            except CaseFileError:
                pass  # said again below, with positions
    return case_from_text(framework, text, display, json_syntax=True)


def _compact_case(framework: Framework, text: str, display: str) -> Case | None:
    """The case of a line that orjson writes back byte for byte, when it has nothing to report; else None.

    Writing the parsed line back is what makes orjson's reading the same as the positioned parser's: a key given
    twice in an object (the parser's E014; orjson keeps the last) writes back shorter, and an escape (`\\u00e9`,
    a surrogate pair the parser refuses), a space or a number written another way (`1.50`, `1e3`, `-0`) writes
    back differently. A float that does write back is refused by `case_from_json`, since json.loads reads it as a
    Decimal of its digits. NaN, Infinity, integers beyond 64 bits, nesting deeper than orjson's limit and lone
    surrogates are errors to orjson. Whatever is left to say about the line, the slower paths say."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict or orjson.dumps(data) != text.encode("utf-8"):
        return None
    return case_from_json(framework, data, display)


def read_line(framework: Framework, raw: bytes, number: int, display: str) -> Case | None:
    """The case on one population line, or None when the line is blank; raises CaseFileError located
    within the line."""
    text = decode_line(raw, number, display)
    if not text.strip():
        return None
    return case_from_line(framework, text, display)


def locate(diagnostic: Diagnostic, display: str, number: int) -> Diagnostic:
    """Put a diagnostic about one line on that line of the file: its column within the line, or column 1
    with its own place (a rule file, for an evaluation error) as a note."""
    span = diagnostic.span
    col = span.col if span.path == display and span.line == 1 else 1
    related = diagnostic.related if span.path == display else (("bron", span),) + diagnostic.related
    return Diagnostic(diagnostic.code, diagnostic.message, Span(display, number, col), diagnostic.severity,
                      diagnostic.hint, related, diagnostic.legal_basis)


def read_unit(framework: Framework, unit: Unit) -> Iterator[tuple[str, int, Case | list[Diagnostic]]]:
    """(file, line, case or its diagnostics) for every case of a unit, read against `framework`."""
    if unit.path is not None:
        try:
            yield unit.display, 1, load_case(framework, Path(unit.path), unit.display)
        except RuleEngineError as exc:
            yield unit.display, 1, list(exc.diagnostics)
        return
    for offset, raw in enumerate(unit.lines):
        number = unit.first_line + offset
        try:
            case = read_line(framework, raw, number, unit.display)
        except RuleEngineError as exc:
            yield unit.display, number, [locate(d, unit.display, number) for d in exc.diagnostics]
            continue
        if case is not None:
            yield unit.display, number, case

"""Read YAML and JSON files into plain data plus a tree of positions.

The C parser of PyYAML produces events; an iterative composer here turns them
into Python data and a parallel position tree, so that any validation error can
be mapped back to `file:line:col`. Nothing is ever constructed from a tag: only
the standard scalar tags are accepted, and plain scalars are resolved with the
YAML 1.2 core rules (so `no` stays text and `0363` stays the text '0363'),
decimals become `Decimal` (never float) and `YYYY-MM-DD` becomes a real date.

Limits keep hostile files cheap to refuse: file size, nesting depth and the
number of nodes after alias expansion (the "billion laughs" bomb).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from engine.errors import Diagnostic, Span

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_DIGITS = 100  # an integer literal; Python refuses to convert more than 4300 digits at all

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR_TAG = "tag:yaml.org,2002:str"
_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_DEC_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\.[0-9]+\Z")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


@dataclass
class PosMap:
    """Where a mapping stands in its file, and each of its keys and values."""

    span: Span
    keys: dict[str, tuple[Span, Any]] = field(default_factory=dict)


@dataclass
class PosSeq:
    """Where a sequence stands in its file, and each of its items."""

    span: Span
    items: list[Any] = field(default_factory=list)


@dataclass
class Document:
    """One parsed file: its data and where every part of it stands."""

    path: str
    data: Any
    pos: Any  # PosMap | PosSeq | Span | None
    text: str = ""
    problems: list = field(default_factory=list)  # non-fatal: duplicate keys, impossible dates

    def span(self, loc: tuple = (), *, key: bool = False) -> Span:
        """The span of the node at `loc` (pydantic-style path).

        Segments that do not exist in the file (union tags, a missing field) are
        skipped, so the nearest existing parent is returned. With `key=True` the
        span of the last mapping key is returned instead of its value.
        """
        node = self.pos
        last_key_span: Span | None = None
        for segment in loc:
            if isinstance(node, PosMap):
                entry = node.keys.get(str(segment))
                if entry is None:
                    continue
                last_key_span, node = entry
            elif isinstance(node, PosSeq) and isinstance(segment, int):
                if 0 <= segment < len(node.items):
                    node = node.items[segment]
                    last_key_span = None
        if key and last_key_span is not None:
            return last_key_span
        return _span_of(node, self.path)


def _span_of(node: Any, path: str) -> Span:
    if isinstance(node, (PosMap, PosSeq)):
        return node.span
    if isinstance(node, Span):
        return node
    return Span(path, 1, 1)


class SourceError(Exception):
    """Raised by `read_document` with the diagnostics that made the file unreadable."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("\n".join(map(str, diagnostics)))


def _mark_span(path: str, mark) -> Span:
    return Span(path, mark.line + 1, mark.column + 1)


def _resolve_plain(value: str, span: Span, problems: list[Diagnostic]) -> Any:
    if value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT_RE.match(value):
        if len(value) > MAX_DIGITS:
            problems.append(Diagnostic("E022", f"getal met {len(value)} cijfers is te lang (ten hoogste {MAX_DIGITS})", span))
            return value
        return int(value)
    if _DEC_RE.match(value):
        return Decimal(value)
    if _DATE_RE.match(value):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            problems.append(Diagnostic("E012", f"ongeldige datum '{value}': deze dag bestaat niet in de kalender", span))
            return value
    return value


def _size(data: Any) -> int:
    if isinstance(data, dict):
        return 1 + sum(_size(v) for v in data.values())
    if isinstance(data, list):
        return 1 + sum(_size(v) for v in data)
    return 1


def _compose(path: str, text: str) -> tuple[Any, Any, list[Diagnostic]]:
    """Compose data and positions from parser events, iteratively."""
    problems: list[Diagnostic] = []
    stack: list[list] = []  # frames: [container, pos, pending_key, pending_key_span, anchor, size]
    anchors: dict[str, tuple[Any, Any, int]] = {}
    root: tuple[Any, Any] | None = None
    documents = 0
    nodes = 0

    def attach(value: Any, pos: Any, size: int, mark) -> None:
        nonlocal root
        if not stack:
            root = (value, pos)
            return
        frame = stack[-1]
        frame[5] += size
        container = frame[0]
        if isinstance(container, list):
            container.append(value)
            frame[1].items.append(pos)
            return
        if frame[2] is _NO_KEY:
            # this value is a key
            if isinstance(value, (dict, list)):
                problems.append(Diagnostic("E013", "een sleutel moet tekst zijn, geen lijst of mapping", _span_of(pos, path)))
                key = "?"
            else:
                key = _key_text(value)
            frame[2] = key
            frame[3] = _span_of(pos, path)
            return
        key, key_span = frame[2], frame[3]
        if key in container:
            first = frame[1].keys[key][0]
            problems.append(Diagnostic("E014", f"sleutel '{key}' komt twee keer voor", key_span,
                                       related=(("eerste keer", first),)))
        else:
            container[key] = value
            frame[1].keys[key] = (key_span, pos)
        frame[2] = _NO_KEY

    for event in yaml.parse(text, Loader=_Loader):
        kind = type(event)
        if kind is yaml.ScalarEvent:
            nodes += 1
            span = _mark_span(path, event.start_mark)
            tag = event.tag
            if tag is not None and tag != _STR_TAG and tag != "!":
                problems.append(Diagnostic("E015", f"YAML-tag '{tag}' is niet toegestaan; gebruik gewone waarden", span))
                value: Any = event.value
            elif not event.style and tag is None:
                value = _resolve_plain(event.value, span, problems)
            else:
                value = event.value
            if event.anchor:
                anchors[event.anchor] = (value, span, 1)
            attach(value, span, 1, event.start_mark)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            nodes += 1
            span = _mark_span(path, event.start_mark)
            if event.tag is not None and event.tag not in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                problems.append(Diagnostic("E015", f"YAML-tag '{event.tag}' is niet toegestaan; gebruik gewone waarden", span))
            if len(stack) >= MAX_DEPTH:
                raise SourceError([Diagnostic("E016", f"te diep genest (meer dan {MAX_DEPTH} niveaus)", span)])
            if kind is yaml.MappingStartEvent:
                stack.append([{}, PosMap(span), _NO_KEY, None, event.anchor, 1])
            else:
                stack.append([[], PosSeq(span), _NO_KEY, None, event.anchor, 1])
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            container, pos, _, _, anchor, size = stack.pop()
            if anchor:
                anchors[anchor] = (container, pos, size)
            attach(container, pos, size, event.end_mark)
        elif kind is yaml.AliasEvent:
            span = _mark_span(path, event.start_mark)
            if event.anchor not in anchors:
                raise SourceError([Diagnostic("E017", f"onbekend anker '*{event.anchor}'", span)])
            value, pos, size = anchors[event.anchor]
            nodes += size
            if nodes > MAX_NODES:
                raise SourceError([Diagnostic(
                    "E018", f"bestand wordt te groot na het uitvouwen van aliassen (meer dan {MAX_NODES} knopen)", span)])
            attach(value, pos, size, event.start_mark)
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise SourceError([Diagnostic("E019", "één YAML-document per bestand verwacht",
                                              _mark_span(path, event.start_mark))])
        if nodes > MAX_NODES:
            raise SourceError([Diagnostic("E018", f"bestand is te groot (meer dan {MAX_NODES} knopen)",
                                          _mark_span(path, event.start_mark))])
    if root is None:
        return None, None, problems
    return root[0], root[1], problems


class _NoKey:
    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "<no key>"


_NO_KEY = _NoKey()


def _key_text(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


_JSON_MESSAGES = {
    "Expecting property name enclosed in double quotes": "verwacht een sleutel tussen dubbele aanhalingstekens",
    "Expecting value": "verwacht een waarde",
    "Expecting ',' delimiter": "verwacht een komma",
    "Expecting ':' delimiter": "verwacht een dubbele punt",
    "Unterminated string starting at": "tekst tussen aanhalingstekens wordt niet afgesloten",
    "Extra data": "onverwachte tekst na het einde van het JSON-document",
    "Invalid control character at": "ongeldig stuurteken in tekst",
    "Invalid \\escape": "ongeldige escape in tekst",
}
_YAML_MESSAGES = {
    "mapping values are not allowed": "een ':' is hier niet toegestaan; zet de waarde tussen aanhalingstekens",
    "did not find expected key": "verwacht een sleutel (let op het inspringen)",
    "could not find expected ':'": "verwacht ':' na de sleutel",
    "did not find expected ',' or ']'": "verwacht ',' of ']' (een lijst wordt niet afgesloten)",
    "did not find expected ',' or '}'": "verwacht ',' of '}' (een mapping wordt niet afgesloten)",
    "found character that cannot start any token": "dit teken kan hier niet staan (een tab om in te springen? gebruik spaties)",
    "found unexpected end of stream": "het bestand houdt onverwacht op (een aanhalingsteken of haakje niet gesloten?)",
    "did not find expected node content": "verwacht een waarde",
    "did not find expected '-' indicator": "verwacht een lijstelement ('- ...'); let op het inspringen",
    "expected <block end>, but found": "onverwacht inspringen",
}


def _translate(message: str, table: dict[str, str]) -> str:
    for english, dutch in table.items():
        if message.startswith(english):
            return dutch
    return message


def parse_text(text: str, path: str, *, json_syntax: bool = False) -> Document:
    """Parse YAML (or JSON, a subset of it) text; raises SourceError with located problems."""
    if json_syntax:
        try:
            json.loads(text, parse_float=str, parse_int=str)  # a syntax check only; values are read below
        except json.JSONDecodeError as exc:
            raise SourceError([Diagnostic("E011", f"ongeldige JSON: {_translate(exc.msg, _JSON_MESSAGES)}",
                                          Span(path, exc.lineno, exc.colno))]) from None
        except RecursionError:
            pass  # too deep for json's own parser: the composer below refuses it at the place our limit is crossed
        # JSON allows tabs as white space where YAML does not; they never occur inside JSON strings.
        text = text.replace("\t", " ")
    try:
        data, pos, problems = _compose(path, text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = _mark_span(path, mark) if mark else Span(path, 1, 1)
        problem = exc.problem or exc.context or "onleesbaar"
        if problem == _LIBYAML_DEPTH:
            raise _depth_error(path, text, mark, span) from None
        raise SourceError([Diagnostic("E010", f"ongeldige YAML: {_translate(problem, _YAML_MESSAGES)}", span)]) from None
    except yaml.reader.ReaderError as exc:
        raise SourceError([Diagnostic("E010", _reader_message(exc), _offset_span(path, text, exc.position))]) from None
    except yaml.YAMLError as exc:
        raise SourceError([Diagnostic("E010", f"ongeldige YAML: {exc}", Span(path, 1, 1))]) from None
    return Document(path, data, pos, text, problems)


# libyaml (in PyYAML 6.0.3 and later) refuses flow nesting deeper than 1,000 levels while scanning ahead, before our
# composer sees the events of the 65th level. The user should see kader's own limit, at the place it is crossed,
# whatever PyYAML is installed: compose the text up to libyaml's mark, where our own check then applies.
_LIBYAML_DEPTH = "exceeded maximum nesting depth"


def _depth_error(path: str, text: str, mark: Any, span: Span) -> SourceError:
    index = getattr(mark, "index", None)
    if isinstance(index, int) and 0 < index < len(text):
        try:
            _compose(path, text[:index])
        except SourceError as own:
            if own.diagnostics[0].code == "E016":
                return own
        except yaml.YAMLError:
            pass
    return SourceError([Diagnostic("E016", f"te diep genest (meer dan {MAX_DEPTH} niveaus)", span)])


def _reader_message(exc: yaml.reader.ReaderError) -> str:
    character = exc.character
    code = ord(character) if isinstance(character, str) else character
    return f"ongeldige YAML: het teken U+{code:04X} is niet toegestaan (een stuurteken of ander onzichtbaar teken)"


def _offset_span(path: str, text: str, position: int) -> Span:
    line = text.count("\n", 0, position) + 1
    return Span(path, line, position - (text.rfind("\n", 0, position) + 1) + 1)


def decode(raw: bytes, path: str) -> str:
    if len(raw) > MAX_FILE_BYTES:
        raise SourceError([Diagnostic(
            "E020", f"bestand is te groot ({len(raw)} bytes; ten hoogste {MAX_FILE_BYTES} toegestaan)", Span(path, 1, 1))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise SourceError([Diagnostic("E021", "bestand is geen geldige UTF-8-tekst", Span(path, line, col))]) from None
    if "\x00" in text:
        index = text.index("\x00")
        line = text.count("\n", 0, index) + 1
        col = index - (text.rfind("\n", 0, index) + 1) + 1
        raise SourceError([Diagnostic("E021", "bestand bevat een NUL-teken; is dit een tekstbestand?", Span(path, line, col))])
    return text


def read_document(path: Path, display: str | None = None) -> Document:
    """Read and parse a YAML or JSON file (JSON by its `.json` suffix)."""
    shown = display or str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise SourceError([Diagnostic("E001", "bestand bestaat niet", Span(shown, 1, 1))]) from None
    except IsADirectoryError:
        raise SourceError([Diagnostic("E002", "dit is een map, geen bestand", Span(shown, 1, 1))]) from None
    except OSError as exc:
        raise SourceError([Diagnostic("E003", f"bestand kan niet gelezen worden: {exc.strerror}", Span(shown, 1, 1))]) from None
    text = decode(raw, shown)
    return parse_text(text, shown, json_syntax=path.suffix.lower() == ".json")


def content_hash(root: Path) -> str:
    """sha256 over every rule file below `root` (relative path and content), in sorted order.

    Only what the loader would read is read: a regular file inside `root`, at most one byte more than the
    loader accepts. A link that leads outside `root`, or to a pipe or device, counts by its target's name
    (the loader refuses it, so no framework is built from it).
    """
    digest = hashlib.sha256()
    real_root = root.resolve()
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml", ".json")
                   and not any(part.startswith(".") for part in p.relative_to(root).parts))
    for path in files:
        try:
            real = path.resolve(strict=True)
            regular = stat.S_ISREG(real.stat().st_mode)
        except (OSError, RuntimeError):
            continue
        if path.is_dir():
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        if not regular or not real.is_relative_to(real_root):
            digest.update(b"refused\0" + os.fsencode(real))
            continue
        with open(real, "rb") as handle:
            digest.update(hashlib.sha256(handle.read(MAX_FILE_BYTES + 1)).digest())
    return "sha256:" + digest.hexdigest()

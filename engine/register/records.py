"""Records of the register, their canonical JSON and the hash chain that links them.

A record is a flat set of text fields plus its position (`seq`). Its hash is the
SHA-256 of the canonical JSON of every field except the hash itself, and that
includes `prev_hash`, the hash of the record before it. Changing a field,
removing a record or putting records in another order therefore breaks the
chain at the first record affected; `verify_chain` names every broken link.

Canonical JSON: keys sorted, no white space, UTF-8, no floats (money is
`Decimal`, written as an exact number), dates as `YYYY-MM-DD` text.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any, Iterable

FORMAT = "kader-register/1"
GENESIS = "sha256:" + "0" * 64
DECISIONS = ("volgt", "wijkt_af")

# The fields of a record, in the order of the database columns.
FIELDS = ("seq", "recorded_at", "case_key", "gemeente", "peildatum", "framework_hash", "engine_version", "assessor",
          "decision", "motivation", "case_json", "assessment_json", "prev_hash", "hash")

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def canonical_json(value: Any) -> str:
    """Deterministic JSON text: sorted keys, no spaces, exact decimals, ISO dates; floats are refused."""
    parts: list[str] = []
    _encode(value, parts)
    return "".join(parts)


def _encode(value: Any, out: list[str]) -> None:
    if value is None or isinstance(value, (bool, str)):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"geen eindig getal: {value}")
        out.append(format(value, "f"))
    elif isinstance(value, _dt.datetime):
        raise TypeError("een tijdstip hoort als tekst in een record")
    elif isinstance(value, _dt.date):
        out.append(json.dumps(value.isoformat()))
    elif isinstance(value, dict):
        out.append("{")
        for index, key in enumerate(sorted(value, key=str)):
            if index:
                out.append(",")
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _encode(value[key], out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out)
        out.append("]")
    else:
        raise TypeError(f"niet in canonieke JSON te schrijven: {type(value).__name__}")


def decode_case(text: str) -> Any:
    """The data of a stored case: exact decimals, and `YYYY-MM-DD` text as a date, as the YAML reader gives them."""
    return _dates(json.loads(text, parse_float=Decimal))


def _dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates(v) for v in value]
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


@dataclass(frozen=True)
class Record:
    seq: int
    recorded_at: str
    case_key: str
    gemeente: str
    peildatum: str
    framework_hash: str
    engine_version: str
    assessor: str
    decision: str
    motivation: str | None
    case_json: str
    assessment_json: str
    prev_hash: str
    hash: str

    def body(self) -> dict:
        """Everything the hash covers: every field but the hash, plus the format name."""
        data = asdict(self)
        del data["hash"]
        data["format"] = FORMAT
        return data

    def computed_hash(self) -> str:
        return chain_hash(self.body())

    @classmethod
    def from_row(cls, row: Iterable[Any]) -> "Record":
        return cls(*row)

    def row(self) -> tuple:
        return tuple(getattr(self, name) for name in FIELDS)


def chain_hash(body: dict) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def seal(seq: int, prev_hash: str, **fields: Any) -> Record:
    """A complete record at position `seq` after the record whose hash is `prev_hash`."""
    draft = Record(seq=seq, prev_hash=prev_hash, hash="", **fields)
    return replace(draft, hash=draft.computed_hash())


@dataclass(frozen=True)
class BrokenLink:
    seq: int
    position: int  # 1-based place in the register, in order of seq
    reason: str
    case_key: str
    recorded_at: str

    def to_json(self) -> dict:
        return {"seq": self.seq, "position": self.position, "reason": self.reason, "case_key": self.case_key,
                "recorded_at": self.recorded_at}


class ChainVerifier:
    """Walks records in order of seq and remembers every broken link (fed one record at a time)."""

    def __init__(self) -> None:
        self.count = 0
        self.head = GENESIS
        self.broken: list[BrokenLink] = []
        self.changed: set[int] = set()  # records whose content no longer matches their own hash

    def feed(self, record: Record) -> None:
        self.count += 1
        position = self.count
        reason = None
        if record.computed_hash() != record.hash:
            reason = "de inhoud van dit record is gewijzigd: de hash klopt niet meer"
            self.changed.add(record.seq)
        elif record.prev_hash != self.head:
            if record.seq != position:
                reason = (f"volgnummer {record.seq} op plaats {position}: er ontbreken records vóór dit record "
                          "of de volgorde is gewijzigd")
            else:
                reason = ("de verwijzing naar het vorige record klopt niet: het vorige record is gewijzigd of "
                          "verwijderd, of de volgorde is gewijzigd")
        elif record.seq != position:
            reason = f"volgnummer {record.seq} op plaats {position}: de nummering is gewijzigd"
        if reason is not None:
            self.broken.append(BrokenLink(record.seq, position, reason, record.case_key, record.recorded_at))
        self.head = record.hash

    @property
    def first_broken(self) -> BrokenLink | None:
        return self.broken[0] if self.broken else None

    @property
    def ok(self) -> bool:
        return not self.broken


def verify_chain(records: Iterable[Record]) -> ChainVerifier:
    verifier = ChainVerifier()
    for record in records:
        verifier.feed(record)
    return verifier

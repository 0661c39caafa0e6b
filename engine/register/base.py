"""What both register backends share: the schema's columns, appending under a lock, reading in order.

A backend (SQLite, PostgreSQL) supplies the connection, the DDL with its
append-only triggers, and two transactions: `_append_transaction` holds the
one lock that serialises appends (so the chain stays a line), `_read_transaction`
gives a consistent snapshot. Everything else is written once, here.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, contextmanager
from typing import Any, Callable, Iterator

from .errors import RegisterError, register_error
from .records import FIELDS, GENESIS, Record, seal
from .store import RuleSet

TABLE = "kader_records"
RULESETS = "kader_rulesets"
META = "kader_meta"
TABLES = (META, RULESETS, TABLE)
APPEND_ONLY = "kader-register: alleen toevoegen is toegestaan; wijzigen en verwijderen worden geweigerd"
CHAIN_ONLY = ("kader-register: een record moet direct na de kop van de keten komen (volgnummer kop + 1, vorige hash = "
              "hash van de kop); overschrijven wordt geweigerd")
ONCE_ONLY = "kader-register: deze sleutel bestaat al; overschrijven wordt geweigerd"
# The schema generation, in kader_meta under 'schema': 2 added the BEFORE INSERT triggers. A register made before
# (no 'schema' key) gets them once, when it is next opened for recording; after that the key cannot be reset.
SCHEMA = "2"
# A stored rule set is at most the rule-set store's limit (64 MiB of files), in base64 inside JSON.
MAX_RULESET_CHARS = 90 * 1024 * 1024

COLUMNS = ", ".join(FIELDS)
CHECKS = (
    "CHECK (seq >= 1)",
    "CHECK (decision IN ('volgt', 'wijkt_af'))",
    "CHECK (decision = 'volgt' OR (motivation IS NOT NULL AND length(trim(motivation)) > 0))",
)


def column_definitions(seq_type: str) -> str:
    columns = [f"seq {seq_type} PRIMARY KEY"]
    columns += [f"{name} TEXT" + (" NOT NULL" if name != "motivation" else "") for name in FIELDS[1:]]
    columns += ["UNIQUE (hash)", "UNIQUE (prev_hash)", *CHECKS]
    return ",\n  ".join(columns)


class Register:
    """An append-only, hash-chained register of assessments."""

    backend = ""
    placeholder = "?"

    def __init__(self, location: str):
        self.location = location  # path or URL (without password), for messages
        self._known_rulesets: set[str] = set()

    # ------------------------------------------------------------ supplied by a backend

    expected_triggers: frozenset[str] = frozenset()  # the append-only and chain triggers the schema creates
    database_errors: tuple[type[Exception], ...] = ()  # the driver's errors, mapped by `_failure`

    def _append_transaction(self) -> AbstractContextManager[Any]:
        """A write transaction holding the one append lock; yields a cursor."""
        raise NotImplementedError

    def _read_transaction(self) -> AbstractContextManager[Any]:
        """A read transaction on one consistent snapshot; yields a cursor."""
        raise NotImplementedError

    def _trigger_problems(self, cursor: Any) -> list[dict]:
        """Each kader trigger that is missing, disabled, fires only on a replica, or differs from kader's definition,
        and each trigger on a register table that kader did not make: [{"trigger", "problem"}]."""
        raise NotImplementedError

    def _scan_cursor(self, cursor: Any) -> Any:
        """A cursor to stream every record through (inside the read transaction of `cursor`)."""
        return cursor

    def _failure(self, exc: Exception, doing: str) -> RegisterError:
        """The driver error `exc`, met while `doing`, as a located RegisterError."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------ shared

    def __enter__(self) -> "Register":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def sql(self, text: str) -> str:
        return text.replace("?", self.placeholder)

    def has_ruleset(self, ruleset_hash: str) -> bool:
        if ruleset_hash in self._known_rulesets:
            return True
        if self.ruleset_text(ruleset_hash) is not None:
            self._known_rulesets.add(ruleset_hash)
            return True
        return False

    def ruleset_hashes(self) -> list[str]:
        """The hashes of every rule set the register stores (their files are not read)."""
        try:
            with self._read_transaction() as cursor:
                cursor.execute(f"SELECT hash FROM {RULESETS} ORDER BY hash")
                return [row[0] for row in cursor.fetchall()]
        except self.database_errors as exc:
            raise self._failure(exc, "lezen") from None

    def ruleset_text(self, ruleset_hash: str) -> str | None:
        try:
            with self._read_transaction() as cursor:
                return read_ruleset(self, cursor, ruleset_hash)
        except self.database_errors as exc:
            raise self._failure(exc, "lezen") from None

    def append(self, fields: dict[str, Any], *, clock: Callable[[], str], ruleset: RuleSet | None = None) -> Record:
        """Append one record after the current head, atomically; `clock()` gives its time, taken under the lock."""
        return self.append_once(fields, clock=clock, ruleset=ruleset)[0]

    def append_once(self, fields: dict[str, Any], *, clock: Callable[[], str], ruleset: RuleSet | None = None,
                    request_key: str | None = None) -> tuple[Record, bool]:
        """Append one record after the current head, atomically; returns the record and whether it is new.

        With `request_key` (an idempotency key), a record already made under that key is returned instead of a
        second one, provided it records the same decision on the same case (else E920). The head is read whole
        and its hash recomputed: after a record whose content does not match its hash (garbage written behind
        kader's back) nothing is appended, so the damage cannot be buried under new records.
        """
        try:
            with self._append_transaction() as cursor:
                if request_key is not None:
                    earlier = self._earlier_request(cursor, request_key, fields)
                    if earlier is not None:
                        return earlier, False
                cursor.execute(f"SELECT {COLUMNS} FROM {TABLE} ORDER BY seq DESC LIMIT 1")
                row = cursor.fetchone()
                head = Record.from_row(row) if row else None
                if head is not None and head.computed_hash() != head.hash:
                    raise register_error("E919", f"de kop van de keten (record {head.seq}) klopt niet met zijn hash: "
                                         "het register is buiten kader om gewijzigd; er wordt niets aan toegevoegd",
                                         self.location, hint="laat de beheerder `kader audit` draaien en het register "
                                         "herstellen uit een reservekopie")
                seq, prev_hash = (head.seq + 1, head.hash) if head else (1, GENESIS)
                record = seal(seq, prev_hash, recorded_at=clock(), **fields)
                if ruleset is not None:
                    cursor.execute(self.sql(f"SELECT 1 FROM {RULESETS} WHERE hash = ?"), (ruleset.hash,))
                    if cursor.fetchone() is None:
                        cursor.execute(self.sql(f"INSERT INTO {RULESETS} (hash, files) VALUES (?, ?)"),
                                       (ruleset.hash, ruleset.to_text()))
                marks = ", ".join("?" * len(FIELDS))
                cursor.execute(self.sql(f"INSERT INTO {TABLE} ({COLUMNS}) VALUES ({marks})"), record.row())
                if request_key is not None:
                    cursor.execute(self.sql(f"INSERT INTO {META} (key, value) VALUES (?, ?)"), (request_key, str(seq)))
        except self.database_errors as exc:
            raise self._failure(exc, "vastleggen") from None
        if ruleset is not None:
            self._known_rulesets.add(ruleset.hash)
        return record, True

    def _earlier_request(self, cursor: Any, request_key: str, fields: dict[str, Any]) -> Record | None:
        cursor.execute(self.sql(f"SELECT value FROM {META} WHERE key = ?"), (request_key,))
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute(self.sql(f"SELECT {COLUMNS} FROM {TABLE} WHERE seq = ?"), (int(row[0]),))
        found = cursor.fetchone()
        record = Record.from_row(found) if found else None
        same = ("case_key", "gemeente", "peildatum", "framework_hash", "assessor", "decision", "motivation", "case_json")
        if record is None or any(getattr(record, name) != fields[name] for name in same):
            raise register_error("E920", "dit --request-id is al gebruikt voor een andere vastlegging"
                                 + (f" (record {record.seq})" if record else ""), self.location,
                                 hint="gebruik per beoordeling een nieuw, eigen verzoekkenmerk")
        return record

    @contextmanager
    def snapshot(self) -> Iterator["Snapshot"]:
        """One consistent view of the register: its rule sets (read when asked for), and the records in order of seq."""
        try:
            with self._read_transaction() as cursor:
                cursor.execute(f"SELECT hash FROM {RULESETS} ORDER BY hash")
                hashes = [row[0] for row in cursor.fetchall()]
                yield Snapshot(cursor, StoredRuleSets(self, cursor, hashes), self)
        except self.database_errors as exc:
            raise self._failure(exc, "lezen") from None

    def records(self) -> list[Record]:
        with self.snapshot() as view:
            return list(view.records())

    def count(self) -> int:
        try:
            with self._read_transaction() as cursor:
                cursor.execute(f"SELECT count(*) FROM {TABLE}")
                return int(cursor.fetchone()[0])
        except self.database_errors as exc:
            raise self._failure(exc, "lezen") from None

    def trigger_problems(self) -> list[dict]:
        """What is wrong with the database's own protection (see `_trigger_problems`); empty when intact."""
        try:
            with self._read_transaction() as cursor:
                return self._trigger_problems(cursor)
        except self.database_errors as exc:
            raise self._failure(exc, "lezen") from None

    def missing_triggers(self) -> list[str]:
        """The names of the kader triggers that are not there, or not as kader made them."""
        return sorted({problem["trigger"] for problem in self.trigger_problems()})


def read_ruleset(register: Register, cursor: Any, ruleset_hash: str) -> str | None:
    """The stored text of one rule set, refused (E921) when it is larger than any rule set kader stores."""
    cursor.execute(register.sql(f"SELECT length(files) FROM {RULESETS} WHERE hash = ?"), (ruleset_hash,))
    row = cursor.fetchone()
    if row is None:
        return None
    if row[0] is None or row[0] > MAX_RULESET_CHARS:
        raise register_error("E921", f"regelset {ruleset_hash} in het register is groter dan kader ooit opslaat "
                             f"({row[0]} tekens): niet gelezen", register.location)
    cursor.execute(register.sql(f"SELECT files FROM {RULESETS} WHERE hash = ?"), (ruleset_hash,))
    return cursor.fetchone()[0]


class StoredRuleSets:
    """The rule sets of one snapshot: their hashes at once, the files of one only when asked for."""

    def __init__(self, register: Register, cursor: Any, hashes: list[str]):
        self.register, self.cursor, self.hashes = register, cursor, hashes

    def get(self, ruleset_hash: str) -> str | None:
        if ruleset_hash not in self.hashes:
            return None
        return read_ruleset(self.register, self.cursor, ruleset_hash)


def not_a_register(location: str, why: str) -> RegisterError:
    return register_error("E910", f"dit is geen kader-register: {why}; het bestand is niet aangeraakt", location,
                          hint="geef met --register of $KADER_REGISTER een register op, of een nieuw pad")


class Snapshot:
    def __init__(self, cursor: Any, rulesets: StoredRuleSets, register: Register):
        self.cursor = cursor
        self.rulesets = rulesets  # framework hash -> stored files (see store.RuleSet), read lazily
        self.register = register

    def records(self) -> Iterator[Record]:
        cursor = self.register._scan_cursor(self.cursor)
        cursor.execute(f"SELECT {COLUMNS} FROM {TABLE} ORDER BY seq")
        while True:
            rows = cursor.fetchmany(200)
            if not rows:
                return
            for row in rows:
                yield Record.from_row(row)

"""The default register: one SQLite file, in WAL mode, mode 0600, append-only by triggers.

Opening is careful not to touch what is not ours: a file is first checked by its
header (SQLite's magic and our application id) without opening it as a
database; a SQLite database with other tables is refused before anything is
written; a register is checked with `PRAGMA quick_check` before use, so a
damaged register gives a clear error instead of being appended to.

Appends run under `BEGIN IMMEDIATE`, which takes SQLite's single write lock
before the head of the chain is read: two processes can never append after
the same record. Commits are `synchronous=FULL`.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .base import (
    APPEND_ONLY,
    CHAIN_ONLY,
    META,
    ONCE_ONLY,
    RULESETS,
    SCHEMA,
    TABLE,
    TABLES,
    Register,
    column_definitions,
    not_a_register,
)
from .errors import RegisterError, register_error
from .records import FORMAT, GENESIS

MAGIC = b"SQLite format 3\x00"
APPLICATION_ID = 0x4B414452  # "KADR"
BUSY_TIMEOUT_SECONDS = 60

_TRIGGERS = {f"{table}_{what}": (f"CREATE TRIGGER {table}_{what} BEFORE {event} ON {table} "
                                  f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
             for table in TABLES for what, event in (("geen_wijziging", "UPDATE"), ("geen_verwijdering", "DELETE"))}
# Before every insert: the new record comes right after the head, and no row is overwritten. `INSERT OR REPLACE`
# deletes the row it conflicts with without firing a DELETE trigger; these refuse it before it gets there.
_TRIGGERS[f"{TABLE}_keten"] = (
    f"CREATE TRIGGER {TABLE}_keten BEFORE INSERT ON {TABLE} "
    f"WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM {TABLE}) "
    f"OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM {TABLE} ORDER BY seq DESC LIMIT 1), '{GENESIS}') "
    f"OR EXISTS (SELECT 1 FROM {TABLE} WHERE hash = NEW.hash OR prev_hash = NEW.prev_hash) "
    f"BEGIN SELECT RAISE(ABORT, '{CHAIN_ONLY}'); END")
_TRIGGERS[f"{RULESETS}_eenmalig"] = (
    f"CREATE TRIGGER {RULESETS}_eenmalig BEFORE INSERT ON {RULESETS} "
    f"WHEN EXISTS (SELECT 1 FROM {RULESETS} WHERE hash = NEW.hash) BEGIN SELECT RAISE(ABORT, '{ONCE_ONLY}'); END")
_TRIGGERS[f"{META}_eenmalig"] = (
    f"CREATE TRIGGER {META}_eenmalig BEFORE INSERT ON {META} "
    f"WHEN EXISTS (SELECT 1 FROM {META} WHERE key = NEW.key) BEGIN SELECT RAISE(ABORT, '{ONCE_ONLY}'); END")


def _schema() -> list[str]:
    statements = [
        f"CREATE TABLE {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"CREATE TABLE {RULESETS} (hash TEXT PRIMARY KEY, files TEXT NOT NULL)",
        f"CREATE TABLE {TABLE} (\n  {column_definitions('INTEGER')}\n)",
        f"CREATE INDEX {TABLE}_gemeente ON {TABLE} (gemeente, recorded_at)",
        *_TRIGGERS.values(),
        f"INSERT INTO {META} (key, value) VALUES ('format', '{FORMAT}')",
        f"INSERT INTO {META} (key, value) VALUES ('schema', '{SCHEMA}')",
        f"PRAGMA application_id = {APPLICATION_ID}",
    ]
    return statements


class SqliteRegister(Register):
    backend = "sqlite"
    database_errors = (sqlite3.Error,)
    expected_triggers = frozenset(_TRIGGERS)

    def __init__(self, path: Path, *, create: bool):
        super().__init__(str(path))
        self.path = path
        self._check_file(create)
        try:
            self.connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as exc:
            raise register_error("E912", f"register kan niet worden geopend: {exc}", self.location) from None
        try:
            self.connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
            self.connection.execute("PRAGMA synchronous = FULL")
            if not self._has_schema():
                if not create:
                    raise not_a_register(self.location, "de database heeft geen registertabellen")
                self._create_schema()
            elif create:
                self._check_private()
                self._upgrade()
            self._check_integrity()
        except RegisterError:
            self.connection.close()
            raise
        except sqlite3.Error as exc:
            self.connection.close()
            raise self._failure(exc, "openen") from None

    # ------------------------------------------------------------ opening

    def _check_file(self, create: bool) -> None:
        """Check the file by its header without opening it as a database (an empty file is a new register)."""
        path = self.path
        if not path.exists():
            if not create:
                raise register_error("E912", "register bestaat niet", self.location)
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                pass  # another process created it a moment ago
            except OSError as exc:
                raise register_error("E912", f"register kan niet worden aangemaakt: {exc.strerror}", self.location) from None
        try:
            info = path.stat()
            with open(path, "rb") as handle:
                header = handle.read(100)
        except OSError as exc:
            raise register_error("E912", f"register kan niet worden gelezen: {exc.strerror}", self.location) from None
        if not stat.S_ISREG(info.st_mode):
            raise not_a_register(self.location, "het is geen gewoon bestand")
        if header and (len(header) < 100 or not header.startswith(MAGIC)):
            raise not_a_register(self.location, "het bestand is geen SQLite-database")
        if header and int.from_bytes(header[68:72], "big") not in (0, APPLICATION_ID):
            raise not_a_register(self.location, "het is een SQLite-database van een ander programma")

    def _check_private(self) -> None:
        mode = self.path.stat().st_mode
        if mode & 0o077:
            raise register_error("E913", f"register is toegankelijk voor anderen (modus {stat.S_IMODE(mode):04o})",
                                 self.location, hint=f"chmod 600 {self.location}")

    def _has_schema(self) -> bool:
        tables = {row[0] for row in self.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if META in tables:
            row = self.connection.execute(f"SELECT value FROM {META} WHERE key = 'format'").fetchone()
            if row is None or row[0] != FORMAT:
                found = row[0] if row else "geen"
                raise register_error("E915", f"onbekend registerformaat '{found}' (deze versie kent {FORMAT})",
                                     self.location)
            return True
        if tables:
            raise not_a_register(self.location, "de SQLite-database heeft andere tabellen")
        return False

    def _create_schema(self) -> None:
        connection = self.connection
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("BEGIN IMMEDIATE")
        try:
            if not self._has_schema():  # another process may have created it while we waited for the lock
                for statement in _schema():
                    connection.execute(statement)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        os.chmod(self.path, 0o600)

    def _upgrade(self) -> None:
        """Give a register of schema 1 the insert triggers of schema 2, once (see base.SCHEMA)."""
        connection = self.connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            if connection.execute(f"SELECT 1 FROM {META} WHERE key = 'schema'").fetchone() is None:
                present = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
                for name in (f"{TABLE}_keten", f"{RULESETS}_eenmalig", f"{META}_eenmalig"):
                    if name not in present:
                        connection.execute(_TRIGGERS[name])
                connection.execute(f"INSERT INTO {META} (key, value) VALUES ('schema', '{SCHEMA}')")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise

    def _check_integrity(self) -> None:
        rows = [row[0] for row in self.connection.execute("PRAGMA quick_check")]
        if rows != ["ok"]:
            raise register_error("E911", f"register is beschadigd: {rows[0]}", self.location,
                                 hint="zet een reservekopie terug; het register is niet aangeraakt")

    # ------------------------------------------------------------ transactions

    def _append_transaction(self):
        """A write transaction that holds the write lock from its start (one appender at a time)."""
        return self._transaction("BEGIN IMMEDIATE")

    def _read_transaction(self):
        return self._transaction("BEGIN")

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Cursor]:
        cursor = self.connection.cursor()
        cursor.execute(begin)
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")

    def _scan_cursor(self, cursor: sqlite3.Cursor) -> sqlite3.Cursor:
        return self.connection.cursor()  # its own cursor, in the same transaction: rule sets are read on the side

    def _trigger_problems(self, cursor: sqlite3.Cursor) -> list[dict]:
        cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        present = {name: (table, sql) for name, table, sql in cursor.fetchall()}
        problems = []
        for name, definition in _TRIGGERS.items():
            if name not in present:
                problems.append({"trigger": name, "problem": "ontbreekt"})
            elif present[name][1] != definition:
                problems.append({"trigger": name, "problem": "de definitie wijkt af van die van kader"})
        for name, (table, _) in sorted(present.items()):
            if name not in _TRIGGERS and table in TABLES:
                problems.append({"trigger": name, "problem": f"onbekende trigger op {table}, niet van kader"})
        return problems

    def _failure(self, exc: Exception, doing: str) -> RegisterError:
        text = str(exc)
        if isinstance(exc, sqlite3.DatabaseError) and ("malformed" in text or "not a database" in text):
            return register_error("E911", f"register is beschadigd ({text})", self.location,
                                  hint="zet een reservekopie terug; het register is niet aangeraakt")
        if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
            return register_error("E916", f"register is bezet: {doing} lukte niet binnen {BUSY_TIMEOUT_SECONDS} s",
                                  self.location)
        if isinstance(exc, sqlite3.IntegrityError):
            return register_error("E917", f"de database weigerde het {doing}: {text}", self.location)
        return register_error("E918", f"{doing} mislukt: {text}", self.location)

    def close(self) -> None:
        self.connection.close()

"""The team register: PostgreSQL, with the same schema and guarantees as the SQLite file.

Appends take a transaction-level advisory lock before they read the head of the
chain, so appends from any number of assessors form one line; `UNIQUE (seq)`
and `UNIQUE (prev_hash)` make the database itself refuse a fork. Triggers
refuse UPDATE, DELETE and TRUNCATE on every register table, and a BEFORE INSERT
trigger refuses a record that does not come right after the head (seq = head + 1,
prev_hash = the head's hash). For a team, give the assessors' database role only
SELECT and INSERT on the tables (see the README): then nobody but the owner can
drop the triggers either.

The advisory lock's key is random per register (kept in kader_meta, so not
derivable from a public string by other users of the database), and waiting for
it is bounded by `lock_timeout`: a session that holds the lock gives the others a
clear "register is bezet" error instead of blocking them for ever.
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import contextmanager
from typing import Any, Iterator
from urllib.parse import urlsplit

from .base import (
    APPEND_ONLY,
    CHAIN_ONLY,
    META,
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

# The advisory lock taken while a register's schema is created (before it has its own random append-lock key).
SCHEMA_LOCK_KEY = int.from_bytes(hashlib.sha256(b"kader-register").digest()[:8], "big", signed=True)
CONNECT_TIMEOUT_SECONDS = 10
LOCK_TIMEOUT_SECONDS = 30

_GUARD = "kader_alleen_toevoegen"
_GUARD_BODY = f" BEGIN RAISE EXCEPTION '{APPEND_ONLY} (% op %)', TG_OP, TG_TABLE_NAME; END "
_CHAIN = "kader_keten"
_CHAIN_BODY = (f" DECLARE head_seq bigint; head_hash text; BEGIN "
               f"SELECT seq, hash INTO head_seq, head_hash FROM {TABLE} ORDER BY seq DESC LIMIT 1; "
               f"IF NEW.seq IS DISTINCT FROM coalesce(head_seq, 0) + 1 "
               f"OR NEW.prev_hash IS DISTINCT FROM coalesce(head_hash, '{GENESIS}') THEN "
               f"RAISE EXCEPTION '{CHAIN_ONLY} (volgnummer %, kop %)', NEW.seq, coalesce(head_seq, 0); END IF; "
               f"RETURN NEW; END ")
_FUNCTIONS = {_GUARD: _GUARD_BODY, _CHAIN: _CHAIN_BODY}
# pg_trigger.tgtype bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate
_TRIGGERS = ({f"{table}_alleen_toevoegen": (table, "BEFORE UPDATE OR DELETE", "ROW", _GUARD, 1 | 2 | 8 | 16)
              for table in TABLES}
             | {f"{table}_geen_truncate": (table, "BEFORE TRUNCATE", "STATEMENT", _GUARD, 2 | 32) for table in TABLES}
             | {f"{TABLE}_keten": (TABLE, "BEFORE INSERT", "ROW", _CHAIN, 1 | 2 | 4)})


def _schema() -> list[str]:
    statements = [
        f"CREATE TABLE {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"CREATE TABLE {RULESETS} (hash TEXT PRIMARY KEY, files TEXT NOT NULL)",
        f"CREATE TABLE {TABLE} (\n  {column_definitions('BIGINT')}\n)",
        f"CREATE INDEX {TABLE}_gemeente ON {TABLE} (gemeente, recorded_at)",
    ]
    for name, body in _FUNCTIONS.items():
        statements.append(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$")
    for name, (table, when, each, function, _) in _TRIGGERS.items():
        statements.append(f"CREATE TRIGGER {name} {when} ON {table} FOR EACH {each} EXECUTE FUNCTION {function}()")
    statements.append(f"INSERT INTO {META} (key, value) VALUES ('format', '{FORMAT}')")
    statements.append(f"INSERT INTO {META} (key, value) VALUES ('schema', '{SCHEMA}')")
    return statements


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://…"
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(":" + parts.password + "@", ":***@", 1)
    query = "&".join("password=***" if item.lower().startswith("password=") else item
                     for item in parts.query.split("&")) if parts.query else ""
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


class PostgresRegister(Register):
    backend = "postgresql"
    placeholder = "%s"
    expected_triggers = frozenset(_TRIGGERS)

    def __init__(self, url: str, *, create: bool, lock_timeout: float | None = None):
        super().__init__(shown_url(url))
        self.lock_timeout = LOCK_TIMEOUT_SECONDS if lock_timeout is None else lock_timeout
        self.lock_key = SCHEMA_LOCK_KEY
        import psycopg

        self.psycopg = psycopg
        self.database_errors = (psycopg.Error,)
        try:
            self.connection = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS,
                                              application_name="kader")
        except psycopg.Error as exc:
            raise register_error("E912", f"geen verbinding met de PostgreSQL-database: {_first_line(exc)}",
                                 self.location) from None
        try:
            self._prepare(create)
        except RegisterError:
            self.connection.close()
            raise
        except psycopg.Error as exc:
            self.connection.close()
            raise self._failure(exc, "openen") from None

    def _prepare(self, create: bool) -> None:
        with self.connection.transaction(), self.connection.cursor() as cursor:
            self._lock(cursor, SCHEMA_LOCK_KEY)
            cursor.execute("SELECT to_regclass(%s), to_regclass(%s)", (META, TABLE))
            meta, records = cursor.fetchone()
            if meta is None:
                if records is not None:
                    raise not_a_register(self.location, f"de tabel {TABLE} bestaat maar {META} ontbreekt")
                if not create:
                    raise not_a_register(self.location, "de database heeft geen registertabellen")
                for statement in _schema():
                    cursor.execute(statement)
            else:
                cursor.execute(f"SELECT value FROM {META} WHERE key = 'format'")
                row = cursor.fetchone()
                if row is None or row[0] != FORMAT:
                    found = row[0] if row else "geen"
                    raise register_error("E915", f"onbekend registerformaat '{found}' (deze versie kent {FORMAT})",
                                         self.location)
                if create:
                    self._upgrade(cursor)
            cursor.execute(f"SELECT value FROM {META} WHERE key = 'lock_key'")
            row = cursor.fetchone()
            if row is None:  # a new register, or one made before the key was random
                value = str(int.from_bytes(secrets.token_bytes(8), "big", signed=True))
                try:
                    with self.connection.transaction():  # a savepoint: an auditor's role may only read
                        cursor.execute(f"INSERT INTO {META} (key, value) VALUES ('lock_key', %s) "
                                       "ON CONFLICT (key) DO NOTHING", (value,))
                except self.psycopg.errors.InsufficientPrivilege:
                    pass
                cursor.execute(f"SELECT value FROM {META} WHERE key = 'lock_key'")
                row = cursor.fetchone() or (str(SCHEMA_LOCK_KEY),)
            try:
                self.lock_key = int(row[0])
            except (TypeError, ValueError):
                raise register_error("E915", "de sleutel van het schrijfslot in kader_meta is geen getal",
                                     self.location) from None

    def _upgrade(self, cursor: Any) -> None:
        """Give a register of schema 1 the insert trigger of schema 2, once, when the role may (the owner)."""
        cursor.execute(f"SELECT 1 FROM {META} WHERE key = 'schema'")
        if cursor.fetchone() is not None:
            return
        try:
            with self.connection.transaction():  # a savepoint: an assessor's role may not create triggers
                cursor.execute(f"CREATE OR REPLACE FUNCTION {_CHAIN}() RETURNS trigger LANGUAGE plpgsql AS $${_CHAIN_BODY}$$")
                cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = to_regclass(%s)",
                               (f"{TABLE}_keten", TABLE))
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE TRIGGER {TABLE}_keten BEFORE INSERT ON {TABLE} FOR EACH ROW "
                                   f"EXECUTE FUNCTION {_CHAIN}()")
                cursor.execute(f"INSERT INTO {META} (key, value) VALUES ('schema', '{SCHEMA}')")
        except self.psycopg.errors.InsufficientPrivilege:
            pass  # the audit names the missing trigger until the owner records once

    def _lock(self, cursor: Any, key: int) -> None:
        cursor.execute(f"SET LOCAL lock_timeout = '{int(self.lock_timeout * 1000)}ms'")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (key,))

    @contextmanager
    def _append_transaction(self) -> Iterator[Any]:
        with self.connection.transaction(), self.connection.cursor() as cursor:
            self._lock(cursor, self.lock_key)
            yield cursor

    @contextmanager
    def _read_transaction(self) -> Iterator[Any]:
        with self.connection.transaction():
            self.connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            with self.connection.cursor() as cursor:
                yield cursor

    def _trigger_problems(self, cursor: Any) -> list[dict]:
        cursor.execute("SELECT t.tgname, c.relname, t.tgenabled, t.tgtype, p.proname, p.prosrc, t.tgqual IS NULL, "
                       "t.tgnargs FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
                       "WHERE NOT t.tgisinternal AND t.tgrelid IN (to_regclass(%s), to_regclass(%s), to_regclass(%s))",
                       TABLES)
        present = {row[0]: row[1:] for row in cursor.fetchall()}
        problems = []
        for name, (table, _, _, function, tgtype) in _TRIGGERS.items():
            found = present.get(name)
            if found is None:
                problems.append({"trigger": name, "problem": "ontbreekt"})
                continue
            relname, enabled, found_type, proname, source, unconditional, nargs = found
            enabled = enabled.decode() if isinstance(enabled, bytes) else enabled
            if enabled == "D":
                problems.append({"trigger": name, "problem": "uitgeschakeld (DISABLE TRIGGER)"})
            elif enabled == "R":
                problems.append({"trigger": name, "problem": "werkt alleen op een replica (ENABLE REPLICA TRIGGER)"})
            if (relname, found_type, proname, source, unconditional, nargs) != (table, tgtype, function,
                                                                                _FUNCTIONS[function], True, 0):
                problems.append({"trigger": name, "problem": "de definitie wijkt af van die van kader"})
        for name, (relname, *_rest) in sorted(present.items()):
            if name not in _TRIGGERS:
                problems.append({"trigger": name, "problem": f"onbekende trigger op {relname}, niet van kader"})
        return problems

    def _scan_cursor(self, cursor: Any) -> Any:
        return self.connection.cursor(name="kader_records_scan")  # server side: rows arrive in batches

    def _failure(self, exc: Exception, doing: str) -> RegisterError:
        errors = self.psycopg.errors
        if isinstance(exc, errors.LockNotAvailable):
            return register_error("E916", f"register is bezet: {doing} lukte niet binnen {self.lock_timeout:g} s, "
                                  "omdat een andere sessie het schrijfslot vasthoudt", self.location,
                                  hint="probeer het later opnieuw; blijft het zo, laat de beheerder in pg_locks kijken "
                                  "welke sessie het slot vasthoudt")
        if isinstance(exc, (errors.IntegrityError, errors.RaiseException)):
            return register_error("E917", f"de database weigerde het {doing}: {_first_line(exc)}", self.location)
        if isinstance(exc, self.psycopg.OperationalError):
            return register_error("E912", f"verbinding met de database verbroken bij {doing}: {_first_line(exc)}",
                                  self.location)
        return register_error("E918", f"{doing} mislukt: {_first_line(exc)}", self.location)

    def close(self) -> None:
        self.connection.close()


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

"""The team register: PostgreSQL, with the same schema and guarantees as the SQLite file.

Appends take a transaction-level advisory lock before they read the head of the
chain, so appends from any number of assessors form one line; `UNIQUE (seq)`
and `UNIQUE (prev_hash)` make the database itself refuse a fork. Triggers
refuse UPDATE, DELETE and TRUNCATE on every register table. For a team, give
the assessors' database role only SELECT and INSERT on the tables (see the
README): then nobody but the owner can drop the triggers either.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from typing import Any, Iterator
from urllib.parse import urlsplit

from .base import APPEND_ONLY, META, RULESETS, TABLE, TABLES, Register, column_definitions, not_a_register
from .errors import RegisterError, register_error
from .records import FORMAT

# The pg_advisory_xact_lock key: the first 8 bytes of sha256(b"kader-register") as a signed 64-bit number.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"kader-register").digest()[:8], "big", signed=True)
CONNECT_TIMEOUT_SECONDS = 10

_TRIGGERS = {f"{table}_alleen_toevoegen": table for table in TABLES} | {f"{table}_geen_truncate": table for table in TABLES}


def _schema() -> list[str]:
    statements = [
        f"CREATE TABLE {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"CREATE TABLE {RULESETS} (hash TEXT PRIMARY KEY, files TEXT NOT NULL)",
        f"CREATE TABLE {TABLE} (\n  {column_definitions('BIGINT')}\n)",
        f"CREATE INDEX {TABLE}_gemeente ON {TABLE} (gemeente, recorded_at)",
        "CREATE OR REPLACE FUNCTION kader_alleen_toevoegen() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{APPEND_ONLY} (% op %)', TG_OP, TG_TABLE_NAME; END $$",
    ]
    for table in TABLES:
        statements.append(f"CREATE TRIGGER {table}_alleen_toevoegen BEFORE UPDATE OR DELETE ON {table} "
                          "FOR EACH ROW EXECUTE FUNCTION kader_alleen_toevoegen()")
        statements.append(f"CREATE TRIGGER {table}_geen_truncate BEFORE TRUNCATE ON {table} "
                          "FOR EACH STATEMENT EXECUTE FUNCTION kader_alleen_toevoegen()")
    statements.append(f"INSERT INTO {META} (key, value) VALUES ('format', '{FORMAT}')")
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

    def __init__(self, url: str, *, create: bool):
        super().__init__(shown_url(url))
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
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            cursor.execute("SELECT to_regclass(%s), to_regclass(%s)", (META, TABLE))
            meta, records = cursor.fetchone()
            if meta is None:
                if records is not None:
                    raise not_a_register(self.location, f"de tabel {TABLE} bestaat maar {META} ontbreekt")
                if not create:
                    raise not_a_register(self.location, "de database heeft geen registertabellen")
                for statement in _schema():
                    cursor.execute(statement)
                return
            cursor.execute(f"SELECT value FROM {META} WHERE key = 'format'")
            row = cursor.fetchone()
            if row is None or row[0] != FORMAT:
                found = row[0] if row else "geen"
                raise register_error("E915", f"onbekend registerformaat '{found}' (deze versie kent {FORMAT})",
                                     self.location)

    @contextmanager
    def _append_transaction(self) -> Iterator[Any]:
        with self.connection.transaction(), self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            yield cursor

    @contextmanager
    def _read_transaction(self) -> Iterator[Any]:
        with self.connection.transaction():
            self.connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            with self.connection.cursor() as cursor:
                yield cursor

    def _trigger_names(self, cursor: Any) -> set[str]:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' AND tgrelid IN "
                       "(to_regclass(%s), to_regclass(%s), to_regclass(%s))", TABLES)
        return {row[0] for row in cursor.fetchall()}

    def _scan_cursor(self, cursor: Any) -> Any:
        return self.connection.cursor(name="kader_records_scan")  # server side: rows arrive in batches

    def _failure(self, exc: Exception, doing: str) -> RegisterError:
        errors = self.psycopg.errors
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

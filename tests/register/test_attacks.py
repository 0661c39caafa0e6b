"""The insider attacks of issue 13, each as a test: the database refuses it, or `kader audit` fails on it.

An insider here can write the database (SQLite file, or the PostgreSQL role with only SELECT and INSERT that the
README recommends for assessors) but does not hold the checkpoint key.
"""

from __future__ import annotations

import sqlite3

import pytest

from engine.register import open_register
from engine.register.records import seal

from .conftest import KEY, RULES, assessor_url, write_case
from .test_audit import audit_json, kader, record, sql


def newest(url: str):
    with open_register(url) as register:
        return register.records()[-1]


def forged_after(head, **changes):
    """A record a forger computes correctly after `head` (or in its place): right seq, prev_hash and hash."""
    fields = {k: getattr(head, k) for k in ("recorded_at", "case_key", "gemeente", "peildatum", "framework_hash",
                                            "engine_version", "assessor", "decision", "motivation", "case_json",
                                            "assessment_json")}
    fields.update(changes)
    return fields


def insert(url: str, record, *, verb: str = "INSERT") -> None:
    from engine.register.base import COLUMNS
    marks = ", ".join("?" * 14)
    sql(url, f"{verb} INTO kader_records ({COLUMNS}) VALUES ({marks})", record.row())


def refused(url: str, action) -> str:
    errors = (sqlite3.DatabaseError,)
    if url.startswith("postgresql://"):
        import psycopg
        errors = (psycopg.Error,)
    with pytest.raises(errors) as caught:
        action()
    return str(caught.value)


@pytest.fixture()
def two(env, tmp_path) -> dict:
    record(env, write_case(tmp_path, "a.yaml", id="casus-a"))
    record(env, write_case(tmp_path, "b.yaml", id="casus-b", vermogen={"totaal": "9000.00"}), "wijkt_af")
    return env


def test_the_newest_record_rewritten_by_insert_or_replace_is_refused(two, register_url):
    """Attack: `INSERT OR REPLACE` of the newest record (SQLite deletes the old row without a DELETE trigger);
    in PostgreSQL the same as an upsert. The BEFORE INSERT trigger refuses both."""
    head = newest(register_url)
    previous = seal(head.seq, head.prev_hash, **forged_after(head, decision="volgt", motivation=None))
    if register_url.startswith("postgresql://"):
        from engine.register.base import COLUMNS
        statement = (f"INSERT INTO kader_records ({COLUMNS}) VALUES ({', '.join('?' * 14)}) ON CONFLICT (seq) "
                     "DO UPDATE SET decision = EXCLUDED.decision, motivation = NULL, hash = EXCLUDED.hash")
        message = refused(register_url, lambda: sql(register_url, statement, previous.row()))
    else:
        message = refused(register_url, lambda: insert(register_url, previous, verb="INSERT OR REPLACE"))
    assert "direct na de kop van de keten" in message
    assert newest(register_url) == head
    code, report = audit_json(two)
    assert code == 0 and report["total_records"] == 2


def test_a_record_that_does_not_follow_the_head_or_overwrites_a_hash_is_refused(two, register_url):
    head = newest(register_url)
    skipping = seal(head.seq + 2, head.hash, **forged_after(head))
    forked = seal(head.seq + 1, head.prev_hash, **forged_after(head))
    for bad in (skipping, forked):
        assert "direct na de kop van de keten" in refused(register_url, lambda bad=bad: insert(register_url, bad))
    if not register_url.startswith("postgresql://"):
        # a record in the right place whose hash is that of record 1: OR REPLACE would delete record 1
        with open_register(register_url) as register:
            first = register.records()[0]
        clash = seal(head.seq + 1, head.hash, **forged_after(head))
        clash = type(clash)(*clash.row()[:-1], first.hash)
        refused(register_url, lambda: insert(register_url, clash, verb="INSERT OR REPLACE"))
        # and a stored rule set cannot be replaced either
        refused(register_url, lambda: sql(register_url, "INSERT OR REPLACE INTO kader_rulesets (hash, files) "
                                          "SELECT hash, '{}' FROM kader_rulesets"))
        refused(register_url, lambda: sql(register_url, "INSERT OR REPLACE INTO kader_meta (key, value) "
                                          "VALUES ('format', 'x')"))
    with open_register(register_url) as register:
        assert len(register.records()) == 2


def test_after_a_garbage_head_nothing_more_is_recorded(two, register_url, tmp_path):
    """Attack: a garbage record in the right place (it passes the database's chain rule, not its own hash). Kader
    no longer appends after it, so the damage cannot be buried, and the audit fails on it."""
    head = newest(register_url)
    garbage = seal(head.seq + 1, head.hash, **forged_after(head, assessment_json="{}"))
    garbage = type(garbage)(*garbage.row()[:-1], "sha256:" + "ab" * 32)
    insert(register_url, garbage)
    result = kader(two, "assess", write_case(tmp_path, "c.yaml", id="casus-c"), "--record", "--assessor", "consulent-7",
                   "--decision", "volgt")
    assert result.exit_code == 1 and "E919" in result.output and "record 3" in result.output
    code, report = audit_json(two)
    assert code == 1 and report["first_broken"]["seq"] == 3 and report["total_records"] == 3


def insider(url: str) -> str:
    """The insider's way in: the SQLite file itself, or the assessors' SELECT + INSERT role in PostgreSQL."""
    return assessor_url(url) if url.startswith("postgresql://") else url


def test_a_garbage_rule_set_in_the_next_rule_sets_slot_is_not_relied_on(two, register_url, rules_copy, tmp_path):
    """Attack: the slot of the next rule set (its hash is predictable from the rule files) pre-filled with garbage,
    so that honest records would never reproduce. Recording checks the stored rule set and refuses."""
    from engine.fwcache import content_hash
    normen = rules_copy / "werk_inkomen" / "normen.yaml"
    normen.write_text(normen.read_text().replace('value: "1401.50"', 'value: "1450.00"'))
    upcoming = content_hash(rules_copy)
    sql(insider(register_url), "INSERT INTO kader_rulesets (hash, files) VALUES (?, ?)",
        (upcoming, '{"kader.yaml": "bmFhbTogeAo="}'))
    env = {**two, "KADER_RULES": str(rules_copy)}
    result = kader(env, "assess", write_case(tmp_path, "c.yaml", id="casus-c"), "--record", "--assessor", "consulent-7",
                   "--decision", "volgt")
    assert result.exit_code == 1 and "E953" in result.output and "niet de gebruikte" in result.output
    with open_register(register_url) as register:
        assert len(register.records()) == 2


def test_the_append_lock_key_is_random_per_register(pg_cluster):
    from engine.register.postgres import SCHEMA_LOCK_KEY
    keys = set()
    for _ in range(2):
        with open_register(pg_cluster.new_database(), create=True) as register:
            keys.add(register.lock_key)
    assert len(keys) == 2 and SCHEMA_LOCK_KEY not in keys


def test_a_session_holding_the_append_lock_gives_a_clear_busy_error_not_a_hang(pg_url, tmp_path, monkeypatch):
    """Attack: one session (the assessors' role) holds the append lock; recording waits at most the lock timeout."""
    import time

    import psycopg

    from engine.register import postgres
    monkeypatch.setattr(postgres, "LOCK_TIMEOUT_SECONDS", 1)
    two = {"KADER_PSEUDONYM_KEY": KEY, "KADER_REGISTER": pg_url, "KADER_RULES": str(RULES),
           "HOME": str(tmp_path / "home"), "COLUMNS": "160", "NO_COLOR": "1"}
    record(two, write_case(tmp_path, "a.yaml", id="casus-a"))
    with psycopg.connect(assessor_url(pg_url)) as holder:  # a transaction, held open
        [key] = holder.execute("SELECT value FROM kader_meta WHERE key = 'lock_key'").fetchone()
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (int(key),))
        started = time.monotonic()
        result = kader(two, "assess", write_case(tmp_path, "c.yaml", id="casus-c"), "--record", "--assessor",
                       "consulent-7", "--decision", "volgt")
        assert time.monotonic() - started < 20
    assert result.exit_code == 1 and "E916" in result.output and "schrijfslot" in result.output


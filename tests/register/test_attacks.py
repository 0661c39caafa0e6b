"""The insider attacks of issue 13, each as a test: the database refuses it, or `kader audit` fails on it.

An insider here can write the database (SQLite file, or the PostgreSQL role with only SELECT and INSERT that the
README recommends for assessors) but does not hold the checkpoint key.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from engine.register import open_register
from engine.register.records import seal

from .conftest import KEY, RULES, assessor_url, drop_triggers, execute, write_case
from .test_audit import audit_json, kader, record, rehash_from, sql


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
    insert(insider(register_url), garbage)  # in PostgreSQL as the assessors' SELECT + INSERT role
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
    from engine.language.fwcache import content_hash
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



# ---------------------------------------------------------------- strict audit


def recreate_triggers(url: str) -> None:
    """What the insider does after cutting records off: put kader's own triggers back, so nothing looks amiss."""
    if url.startswith("postgresql://"):
        from engine.register.postgres import _schema
        execute(url, *[s for s in _schema() if s.startswith(("CREATE OR REPLACE FUNCTION", "CREATE TRIGGER"))])
    else:
        from engine.register.sqlite import _TRIGGERS
        execute(url, *_TRIGGERS.values())


def test_all_triggers_dropped_fails_the_audit(two, register_url):
    """Attack: all triggers dropped (this used to be a "!" warning and then "register in orde")."""
    drop_triggers(register_url)
    code, report = audit_json(two)
    assert code == 1 and report["ok"] is False and report["chain_ok"] is True and report["triggers_ok"] is False
    assert {p["problem"] for p in report["trigger_problems"]} == {"ontbreekt"}
    assert "kader_records_keten" in report["missing_triggers"] and len(report["trigger_problems"]) >= 7
    result = kader(two, "audit")
    assert result.exit_code == 1 and "register NIET in orde" in result.output and "trigger kader_records_keten ontbreekt" in result.output


def test_same_name_triggers_that_do_nothing_fail_the_audit(two, register_url):
    """Attack: the triggers replaced by triggers of the same name that let everything through."""
    drop_triggers(register_url)
    if register_url.startswith("postgresql://"):
        from engine.register.postgres import _TRIGGERS
        statements = ["CREATE FUNCTION kader_niets() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$"]
        for name, (table, when, each, _, _) in _TRIGGERS.items():
            statements.append(f"CREATE TRIGGER {name} {when} ON {table} FOR EACH {each} EXECUTE FUNCTION kader_niets()")
    else:
        from engine.register.sqlite import _TRIGGERS
        statements = [definition.split(" BEGIN ")[0].split(" WHEN ")[0] + " BEGIN SELECT 1; END"
                      for definition in _TRIGGERS.values()]
    execute(register_url, *statements)
    sql(register_url, "UPDATE kader_records SET decision = 'volgt', motivation = NULL WHERE seq = 2")
    code, report = audit_json(two)
    assert code == 1 and report["broken_links"][0]["seq"] == 2
    problems = {p["trigger"]: p["problem"] for p in report["trigger_problems"]}
    assert problems["kader_records_keten"] == "de definitie wijkt af van die van kader"
    assert set(problems.values()) == {"de definitie wijkt af van die van kader"}


@pytest.mark.parametrize("how, problem", [("ENABLE REPLICA TRIGGER", "werkt alleen op een replica"),
                                          ("DISABLE TRIGGER", "uitgeschakeld")])
def test_a_postgresql_trigger_switched_to_replica_only_or_disabled_fails_the_audit(pg_url, tmp_path, how, problem):
    env = {"KADER_PSEUDONYM_KEY": KEY, "KADER_REGISTER": pg_url, "KADER_RULES": str(RULES),
           "HOME": str(tmp_path / "home"), "COLUMNS": "160", "NO_COLOR": "1"}
    record(env, write_case(tmp_path, "a.yaml", id="casus-a"))
    execute(pg_url, f"ALTER TABLE kader_records {how} kader_records_alleen_toevoegen")
    code, report = audit_json(env)
    assert code == 1 and report["chain_ok"] is True
    [found] = report["trigger_problems"]
    assert found["trigger"] == "kader_records_alleen_toevoegen" and found["problem"].startswith(problem)


def test_every_broken_link_is_reported_and_each_changed_record_marked_everywhere(three, register_url):
    drop_triggers(register_url)
    sql(register_url, "UPDATE kader_records SET assessor = 'consulent-9' WHERE seq = 1")
    sql(register_url, "UPDATE kader_records SET case_json = replace(case_json, '9000.00', '100.00') WHERE seq = 3")
    code, report = audit_json(three)
    assert code == 1
    assert [link["seq"] for link in report["broken_links"]] == [1, 3] and report["changed_records"] == [1, 3]
    [changed] = report["not_reproduced"]
    assert (changed["seq"], changed["changed"], changed["chain_intact"]) == (3, True, False)
    assert changed["cause"].startswith("na het vastleggen gewijzigd")
    [deviation] = report["deviations"]
    assert deviation["seq"] == 3 and deviation["changed"] is True
    table = kader(three, "audit").output
    assert "keten gebroken op 2 plaats(en)" in table and "3 ✗ gewijzigd" in table
    page = kader(three, "audit", "--format", "html").stdout
    assert page.count('3 <span class="bad">✗ gewijzigd</span>') == 2  # reproduction and deviations tables


def test_a_forgery_with_a_recomputed_chain_is_told_apart_from_changed_inputs(three, register_url):
    drop_triggers(register_url)
    sql(register_url, "UPDATE kader_records SET case_json = replace(case_json, '9000.00', '100.00') WHERE seq = 3")
    rehash_from(register_url, 3)
    recreate_triggers(register_url)
    code, report = audit_json(three)
    [forged] = report["not_reproduced"]
    assert code == 1 and report["chain_ok"] is True and report["triggers_ok"] is True
    assert (forged["changed"], forged["chain_intact"]) == (False, True)
    assert forged["cause"].startswith("keten intact, toch een andere uitkomst")


def backdated(url: str, assessor: str = "consulent-9"):
    """A record forged in another assessor's name, dated before the head, correctly chained and hashed."""
    head = newest(url)
    return seal(head.seq + 1, head.hash, **forged_after(head, assessor=assessor, recorded_at="2026-01-02T09:00:00.000000Z"))


def test_a_backdated_record_in_another_assessors_name_fails_the_audit(two, register_url):
    """Attack (as the assessors' SELECT + INSERT role in PostgreSQL): a forged, backdated record. The database
    accepts it (it follows the head), the audit flags the time that goes backwards."""
    insert(insider(register_url), backdated(register_url))
    code, report = audit_json(two)
    assert code == 1 and report["chain_ok"] is True and report["not_reproduced"] == []
    [reversal] = report["time_reversals"]
    assert (reversal["seq"], reversal["previous_seq"], reversal["recorded_at"]) == (3, 2, "2026-01-02T09:00:00.000000Z")
    assert "tijd loopt terug: record 3" in kader(two, "audit").output


def test_records_made_with_rules_outside_the_allow_list_fail_the_audit(env, tmp_path, rules_copy):
    """A record made with locally edited rules is reported when an allow-list of sanctioned rule sets is given."""
    from engine.language.fwcache import content_hash
    record(env, write_case(tmp_path, "a.yaml", id="casus-a"))
    allowed = tmp_path / "vastgesteld.txt"
    allowed.write_text(f"# vastgesteld door het college\n{content_hash(RULES)}\n")
    normen = rules_copy / "werk_inkomen" / "normen.yaml"
    normen.write_text(normen.read_text().replace('value: "1401.50"', 'value: "1450.00"'))
    record({**env, "KADER_RULES": str(rules_copy)}, write_case(tmp_path, "b.yaml", id="casus-b"))
    code, report = audit_json(env, "--allowed-rulesets", allowed)
    assert code == 1 and report["not_reproduced"] == []
    [unsanctioned] = report["unsanctioned"]
    assert unsanctioned["seq"] == 2 and unsanctioned["framework_hash"] == content_hash(rules_copy)
    assert audit_json(env)[0] == 0  # without an allow-list both records are in order
    allowed.write_text(f"{content_hash(RULES)}\n  sha256:kapot\n")
    result = kader(env, "audit", "--allowed-rulesets", allowed)
    assert result.exit_code == 2 and f"{allowed}:2:3: error[E964]" in result.output


# ---------------------------------------------------------------- signed checkpoints


@pytest.fixture()
def anchored(three, tmp_path) -> dict:
    """Three records, a key pair, and a checkpoint signed over the head (record 3)."""
    key = tmp_path / "sleutels" / "auditor.key"
    key.parent.mkdir()
    assert kader(three, "checkpoint-key", key).exit_code == 0
    result = kader(three, "audit", "--checkpoint", tmp_path / "checkpoints", "--signing-key", key)
    assert result.exit_code == 0, result.output
    return {"env": three, "key": key, "public": Path(f"{key}.pub"), "folder": tmp_path / "checkpoints"}


def verify(anchored: dict, *extra) -> tuple[int, dict]:
    return audit_json(anchored["env"], "--verify-checkpoints", anchored["folder"], "--public-key", anchored["public"],
                      *extra)


def test_the_key_and_checkpoint_files_are_as_documented(anchored):
    assert oct(anchored["key"].stat().st_mode & 0o777) == "0o600"
    assert anchored["public"].read_text().startswith("ed25519:")
    [file] = list(anchored["folder"].glob("checkpoint-000000000003-*.json"))
    body = json.loads(file.read_text())["checkpoint"]
    assert body["seq"] == 3 and body["head"].startswith("sha256:") and body["key_id"].startswith("ed25519:")
    [files] = body["rulesets"].values()
    assert files["werk_inkomen/normen.yaml"].startswith("sha256:")
    code, report = verify(anchored)
    assert code == 0 and report["anchors_ok"] is True and report["anchors"][0]["seq"] == 3


def test_a_middle_record_rewritten_with_every_later_hash_recomputed_fails_against_the_checkpoint(anchored, register_url):
    """Attack: a record in the middle rewritten, every later hash recomputed, triggers restored."""
    drop_triggers(register_url)
    sql(register_url, "UPDATE kader_records SET decision = 'volgt', motivation = NULL WHERE seq = 3")
    sql(register_url, "UPDATE kader_records SET assessor = 'consulent-9' WHERE seq = 2")
    rehash_from(register_url, 2)
    recreate_triggers(register_url)
    assert audit_json(anchored["env"])[0] == 0  # without the anchor this forgery cannot be seen
    code, report = verify(anchored)
    assert code == 1 and report["chain_ok"] is True
    [anchor] = report["anchors"]
    assert anchor["ok"] is False and "record 3 heeft nu hash" in anchor["problem"] and "herschreven" in anchor["problem"]


def test_the_last_records_cut_off_fail_against_the_checkpoint_and_the_expected_head(anchored, register_url):
    """Attack: drop the trigger, delete the newest records, recreate the trigger."""
    head = newest(register_url)
    drop_triggers(register_url)
    sql(register_url, "DELETE FROM kader_records WHERE seq >= 2")
    recreate_triggers(register_url)
    assert audit_json(anchored["env"])[0] == 0
    code, report = verify(anchored)
    assert code == 1 and "maar 1 records; record 3 ontbreekt" in report["anchors"][0]["problem"]
    code, report = audit_json(anchored["env"], "--expect-head", f"3:{head.hash}")
    assert code == 1 and report["anchors"][0]["source"] == "--expect-head 3"


def test_a_whole_forged_register_swapped_in_fails_against_the_checkpoint(anchored, register_url, tmp_path, pg_cluster):
    """Attack: a forged database with a clean chain and honest-looking records put in the register's place."""
    forged = str(tmp_path / "vervalst.sqlite") if not register_url.startswith("postgresql://") else pg_cluster.new_database()
    env = {**anchored["env"], "KADER_REGISTER": forged}
    for name in ("a", "b", "c"):
        record(env, write_case(tmp_path, f"v{name}.yaml", id=f"vervalst-{name}"))
    assert audit_json(env)[0] == 0
    code, report = audit_json(env, "--verify-checkpoints", anchored["folder"], "--public-key", anchored["public"])
    assert code == 1 and report["anchors"][0]["ok"] is False and "record 3 heeft nu hash" in report["anchors"][0]["problem"]


def test_a_changed_checkpoint_or_one_signed_with_another_key_is_not_trusted(anchored, tmp_path):
    [file] = list(anchored["folder"].glob("checkpoint-*.json"))
    document = json.loads(file.read_text())
    document["checkpoint"]["seq"] = 2
    file.write_text(json.dumps(document))
    code, report = verify(anchored)
    assert code == 1 and "de handtekening klopt niet" in report["anchors"][0]["problem"]
    other = tmp_path / "ander.key"
    assert kader(anchored["env"], "checkpoint-key", other).exit_code == 0
    code, report = audit_json(anchored["env"], "--verify-checkpoints", anchored["folder"], "--public-key", f"{other}.pub")
    assert code == 1 and "niet bij de opgegeven publieke sleutels" in report["anchors"][0]["problem"]


def test_a_pinned_rule_set_changed_after_the_checkpoint_is_named_by_file_once(anchored, register_url):
    drop_triggers(register_url)
    with open_register(register_url) as register:
        [ruleset_hash] = {r.framework_hash for r in register.records()}
        stored = json.loads(register.ruleset_text(ruleset_hash))
    import base64
    normen = base64.b64decode(stored["werk_inkomen/normen.yaml"]).replace(b'"1401.50"', b'"14.01"')
    stored["werk_inkomen/normen.yaml"] = base64.b64encode(normen).decode()
    sql(register_url, "UPDATE kader_rulesets SET files = ?", (json.dumps(stored),))
    code, report = verify(anchored)
    assert code == 1
    named = [a for a in report["anchors"] if a["hash"] == ruleset_hash]
    assert len(named) == 1 and named[0]["problem"].endswith("gewijzigd na het checkpoint: werk_inkomen/normen.yaml")
    assert {r["reason"] for r in report["not_reproduced"]} == {f"regelset {ruleset_hash} laadt niet of is gewijzigd (zie regelsets)"}


def test_no_checkpoint_is_signed_over_a_register_that_is_not_in_order(anchored, register_url, tmp_path):
    drop_triggers(register_url)
    result = kader(anchored["env"], "audit", "--checkpoint", tmp_path / "nieuw", "--signing-key", anchored["key"])
    assert result.exit_code == 1 and "geen checkpoint gemaakt" in result.output
    assert not list((tmp_path / "nieuw").glob("*")) if (tmp_path / "nieuw").exists() else True


def test_a_register_made_before_the_insert_trigger_gets_it_once_when_next_recorded_to(two, register_url, tmp_path):
    """Upgrade: a register of schema 1 (no insert trigger, no 'schema' key) is given the trigger on the next
    recording by a role that may create it, and then audits in order."""
    drop_triggers(register_url)
    sql(register_url, "DELETE FROM kader_meta WHERE key = 'schema'")
    if register_url.startswith("postgresql://"):
        from engine.register.postgres import _schema
        execute(register_url, *[s for s in _schema() if s.startswith(("CREATE OR REPLACE FUNCTION", "CREATE TRIGGER"))
                                and "_keten" not in s])
    else:
        from engine.register.sqlite import _TRIGGERS
        execute(register_url, *[d for name, d in _TRIGGERS.items() if not name.endswith(("_keten", "_eenmalig"))])
    code, report = audit_json(two)
    assert code == 1 and "kader_records_keten" in report["missing_triggers"]
    record(two, write_case(tmp_path, "c.yaml", id="casus-c"))
    code, report = audit_json(two)
    assert code == 0 and report["total_records"] == 3 and report["trigger_problems"] == []


def test_a_checkpoint_is_only_made_over_the_whole_register(anchored, tmp_path):
    result = kader(anchored["env"], "audit", "--gemeente", "soest", "--checkpoint", tmp_path / "deel", "--signing-key",
                   anchored["key"])
    assert result.exit_code == 2 and "laat --since en --gemeente weg" in result.output
    assert not (tmp_path / "deel").exists()


def test_a_checkpoint_without_a_signing_key_is_a_usage_error(anchored, tmp_path):
    result = kader(anchored["env"], "audit", "--checkpoint", tmp_path / "zonder")
    assert result.exit_code == 2 and "error[E968]: --checkpoint vraagt --signing-key" in result.output

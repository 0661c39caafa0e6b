"""`kader audit`: given a register and nothing else, is it consistent, reproducible and untouched, and if not,
exactly which record and why."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from engine.register import open_register
from engine.register.records import seal

from .conftest import KEY, RULES, drop_triggers, execute, write_case


def kader(env: dict, *args) -> object:
    return CliRunner(env=env).invoke(app, [str(a) for a in args])


def record(env: dict, case: Path, decision: str = "volgt", *extra) -> None:
    motivation = ("--motivation", "de consulent kent de situatie beter") if decision == "wijkt_af" else ()
    result = kader(env, "assess", case, "--record", "--assessor", "consulent-7", "--decision", decision, *motivation,
                   *extra)
    assert result.exit_code == 0, result.output


def audit_json(env: dict, *args) -> tuple[int, dict]:
    result = kader(env, "audit", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def sql(url: str, statement: str, params: tuple = ()) -> None:
    if url.startswith("postgresql://"):
        import psycopg
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(statement.replace("?", "%s"), params)
    else:
        with sqlite3.connect(url, isolation_level=None) as connection:
            connection.execute(statement, params)


def rehash_from(url: str, seq: int) -> None:
    """What a careful forger does after changing record `seq`: recompute every hash from there on."""
    with open_register(url) as register:
        records = register.records()
    prev = records[seq - 2].hash if seq > 1 else "sha256:" + "0" * 64
    for old in records[seq - 1:]:
        fields = {k: getattr(old, k) for k in ("recorded_at", "case_key", "gemeente", "peildatum", "framework_hash",
                                               "engine_version", "assessor", "decision", "motivation", "case_json",
                                               "assessment_json")}
        new = seal(old.seq, prev, **fields)
        sql(url, "UPDATE kader_records SET prev_hash = ?, hash = ? WHERE seq = ?", (new.prev_hash, "tijdelijk", new.seq))
        sql(url, "UPDATE kader_records SET hash = ? WHERE seq = ?", (new.hash, new.seq))
        prev = new.hash


def test_an_untouched_register_passes_with_deviations_and_the_ladder_listed(three):
    code, report = audit_json(three)
    assert code == 0
    assert (report["records"], report["chain_ok"], report["first_broken"]) == (3, True, None)
    assert report["not_reproduced"] == [] and report["unequal_treatment"] == []
    [deviation] = report["deviations"]
    assert {k: deviation[k] for k in ("seq", "gemeente", "assessor", "decision", "motivation", "motivated")} == {
        "seq": 3, "gemeente": "soest", "assessor": "consulent-7", "decision": "wijkt_af",
        "motivation": "de consulent kent de situatie beter", "motivated": True}
    assert deviation["proposals"] == [
        {"hulpvraag": "hv1", "provision": "wmo.hbh_maatwerk", "level": 3},
        {"hulpvraag": "hv2", "provision": "werk_inkomen.eigen_middelen", "level": 0}]
    assert report["deviation_counts"] == [
        {"assessor": "consulent-7", "gemeente": "baarn", "records": 1, "deviations": 0},
        {"assessor": "consulent-7", "gemeente": "soest", "records": 2, "deviations": 1}]
    assert report["ladder"] == {
        "baarn": {"0": 0, "1": 0, "2": 0, "3": 2, "4": 0, "5": 0, "geen_voorstel": 0},
        "soest": {"0": 1, "1": 0, "2": 0, "3": 3, "4": 0, "5": 0, "geen_voorstel": 0}}
    assert report["triggers_ok"] is True and report["total_records"] == 3


def test_filters_narrow_the_audit_but_the_chain_is_checked_whole(three):
    _, report = audit_json(three, "--gemeente", "baarn")
    assert (report["records"], report["total_records"], report["deviations"]) == (1, 3, [])
    _, report = audit_json(three, "--since", "2999-01-01")
    assert (report["records"], report["total_records"], report["chain_ok"]) == (0, 3, True)


def test_the_table_says_in_one_screen_whether_the_register_is_in_order(three):
    result = kader(three, "audit")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "✓ keten ongeschonden: 3 records, geen wijziging, verwijdering of andere volgorde" in lines
    assert "✓ alle 3 records reproduceren byte voor byte met hun eigen regelset" in lines
    assert lines[-1] == "✓ register in orde"
    assert "de consulent kent de situatie beter" in result.stdout


def test_the_html_page_is_self_contained_and_escapes_what_it_shows(env, tmp_path):
    case = write_case(tmp_path)
    result = kader(env, "assess", case, "--record", "--assessor", "c<1>", "--decision", "wijkt_af",
                   "--motivation", "<script>alert(1)</script> & meer")
    assert result.exit_code == 0, result.output
    result = kader(env, "audit", "--format", "html")
    assert result.exit_code == 0
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; meer" in page and "<script" not in page
    assert "c&lt;1&gt;" in page
    for external in ("<link", "src=", "href=", "@import", "url("):
        assert external not in page


def test_a_record_changed_in_the_database_is_found_and_named(three, register_url):
    drop_triggers(register_url)
    sql(register_url, "UPDATE kader_records SET assessment_json = replace(assessment_json, '\"level\":3', '\"level\":2') "
                      "WHERE seq = 2")
    code, report = audit_json(three)
    assert code == 1
    assert report["chain_ok"] is False
    assert report["first_broken"]["seq"] == 2 and report["first_broken"]["position"] == 2
    assert report["first_broken"]["reason"] == "de inhoud van dit record is gewijzigd: de hash klopt niet meer"
    [changed] = report["not_reproduced"]
    assert changed["seq"] == 2
    assert changed["differences"][0] == {"path": "$.proposals[0].level", "recorded": 2, "replayed": 3}
    assert report["triggers_ok"] is False and report["missing_triggers"]


def test_a_changed_decision_is_found_by_the_chain(three, register_url):
    drop_triggers(register_url)
    sql(register_url, "UPDATE kader_records SET decision = 'volgt', motivation = NULL WHERE seq = 3")
    code, report = audit_json(three)
    assert code == 1 and report["first_broken"]["seq"] == 3
    assert report["not_reproduced"] == []  # the outcome itself still reproduces; only the chain can tell


def test_a_removed_record_is_found(three, register_url):
    drop_triggers(register_url)
    sql(register_url, "DELETE FROM kader_records WHERE seq = 2")
    code, report = audit_json(three)
    assert code == 1
    assert report["first_broken"]["seq"] == 3 and report["first_broken"]["position"] == 2
    assert report["first_broken"]["reason"].startswith("volgnummer 3 op plaats 2: er ontbreken records")


def test_records_put_in_another_order_are_found(three, register_url):
    drop_triggers(register_url)
    for old, new in ((2, 1000), (3, 2), (1000, 3)):
        sql(register_url, "UPDATE kader_records SET seq = ? WHERE seq = ?", (new, old))
    code, report = audit_json(three)
    assert code == 1 and report["first_broken"]["position"] == 2


def test_a_forged_outcome_with_a_recomputed_chain_still_does_not_reproduce(three, register_url):
    drop_triggers(register_url)
    sql(register_url, "UPDATE kader_records SET case_json = replace(case_json, '\"totaal\":\"9000.00\"', '\"totaal\":\"100.00\"') "
                      "WHERE seq = 3")
    rehash_from(register_url, 3)
    code, report = audit_json(three)
    assert code == 1
    assert report["chain_ok"] is True  # a careful forger can rebuild the chain ...
    [forged] = report["not_reproduced"]  # ... but not make the inputs give the recorded outcome
    assert forged["seq"] == 3
    assert {"path": "$.proposals[1].provision", "recorded": "werk_inkomen.eigen_middelen",
            "replayed": "werk_inkomen.algemene_bijstand"} in forged["differences"]


def test_records_replay_against_their_own_rules_after_the_rules_have_changed(env, tmp_path, rules_copy, register_url):
    env = {**env, "KADER_RULES": str(rules_copy)}
    record(env, write_case(tmp_path))
    normen = rules_copy / "werk_inkomen" / "normen.yaml"
    normen.write_text(normen.read_text().replace('value: "1401.50"', 'value: "1450.00"'))
    record(env, write_case(tmp_path))
    code, report = audit_json(env)
    assert code == 0 and report["not_reproduced"] == []
    assert len(report["rulesets"]) == 2 and all(r["loads"] for r in report["rulesets"])
    with open_register(register_url) as register:
        first, second = register.records()
    assert first.framework_hash != second.framework_hash
    assert '"norm":"1401.50"' in first.assessment_json and '"norm":"1450.00"' in second.assessment_json


def test_a_changed_rule_set_in_the_store_is_found(three, register_url):
    drop_triggers(register_url)
    sql(register_url, "UPDATE kader_rulesets SET files = '{\"kader.yaml\": \"bmFhbTogeAo=\"}'")
    code, report = audit_json(three)
    assert code == 1 and report["chain_ok"] is True
    assert [r["seq"] for r in report["not_reproduced"]] == [1, 2, 3]
    assert report["not_reproduced"][0]["reason"].startswith("regelset sha256:")
    assert report["rulesets"][0]["loads"] is False


def test_equal_facts_with_different_rule_sets_in_two_municipalities_are_unequal_treatment(env, tmp_path, rules_copy):
    record(env, write_case(tmp_path))  # Soest, the framework as it is
    normen = rules_copy / "werk_inkomen" / "normen.yaml"
    normen.write_text(normen.read_text().replace('value: "1401.50"', 'value: "1450.00"'))
    record({**env, "KADER_RULES": str(rules_copy)}, write_case(tmp_path, id="casus-0043", gemeente="baarn"))
    code, report = audit_json(env)
    assert code == 0  # reproducible and untouched, but not consistent:
    [finding] = report["unequal_treatment"]
    assert (finding["a"]["gemeente"], finding["b"]["gemeente"]) == ("soest", "baarn")
    assert {"item": "aanspraak algemene_bijstand", "a": finding["differences"][0]["a"],
            "b": finding["differences"][0]["b"]} == finding["differences"][0]
    assert finding["differences"][0]["a"]["norm"] == "1401.50" and finding["differences"][0]["b"]["norm"] == "1450.00"
    assert finding["cause"].startswith("de records zijn beoordeeld met verschillende regelsets (sha256:")


def test_a_deviation_in_one_municipality_for_equal_facts_is_unequal_treatment(env, tmp_path):
    record(env, write_case(tmp_path))
    record(env, write_case(tmp_path, gemeente="bunschoten"), "wijkt_af")
    _, report = audit_json(env)
    [finding] = report["unequal_treatment"]
    assert finding["differences"] == [{"item": "beslissing", "a": "volgt", "b": "wijkt_af"}]
    assert finding["cause"] == ("de consulent week in bunschoten af van het voorstel en volgde het in soest "
                                "(motivering: de consulent kent de situatie beter)")


def test_differences_from_a_local_level_1_provision_are_allowed(env, tmp_path):
    schulden = [{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "schulden", "persoon": "p1",
                 "feiten": {"schulden_problematisch": False, "zelf_in_staat_met_informatie": False}}]
    record(env, write_case(tmp_path, hulpvragen=schulden))
    record(env, write_case(tmp_path, hulpvragen=schulden, gemeente="bunschoten"))
    _, report = audit_json(env)
    assert [d["proposals"] for d in report["deviations"]] == []
    assert report["ladder"]["soest"]["1"] == 1 and report["ladder"]["bunschoten"]["1"] == 0  # they differ ...
    assert report["unequal_treatment"] == []  # ... because Soest has GOOS, its own voorveld provision


def test_differences_from_an_override_point_are_allowed(env, tmp_path, rules_copy, register_url):
    baarn = rules_copy / "gemeenten" / "baarn.yaml"
    baarn.write_text(baarn.read_text().replace("overrides:\n", "overrides:\n  wmo_bijdrage_minima_percentage:\n"
                                               "    decision: \"Verordening Wmo Baarn (test)\"\n"
                                               "    values:\n      - {from: 2024-01-01, value: \"150\"}\n", 1))
    env = {**env, "KADER_RULES": str(rules_copy)}
    record(env, write_case(tmp_path))
    record(env, write_case(tmp_path, gemeente="baarn"))
    with open_register(register_url) as register:
        soest, baarn_record = register.records()
    assert '"id":"wmo_eigen_bijdrage","eligible":true' in soest.assessment_json  # Soest: eigen bijdrage
    assert '"id":"wmo_eigen_bijdrage","eligible":false' in baarn_record.assessment_json  # Baarn: none, by its override
    _, report = audit_json(env)
    assert report["unequal_treatment"] == []


def test_a_rule_that_reads_the_municipality_cannot_be_loaded_let_alone_recorded(env, tmp_path, rules_copy):
    rules = rules_copy / "wmo" / "voorzieningen.yaml"
    rules.write_text(rules.read_text().replace("rules:\n", (
        "rules:\n"
        "  - id: wmo.hh.alleen_in_baarn\n"
        "    title: Alleen in Baarn zwaarder\n"
        "    legal_basis: \"geen (test)\"\n"
        "    when: hulpvraag.onderwerp == \"huishouden\" and casus.gemeente == \"baarn\"\n"
        "    then:\n"
        "      - floor: 4\n"
        "    reason: in Baarn altijd specialistisch\n\n"), 1))
    env = {**env, "KADER_RULES": str(rules_copy)}
    result = kader(env, "assess", write_case(tmp_path, gemeente="baarn"), "--record", "--assessor", "a1",
                   "--decision", "volgt")
    assert result.exit_code == 1
    assert "error[E170]: het kader is voor alle gemeenten gelijk" in result.stderr
    assert "KADER_REGISTER" not in env or not Path(env["KADER_REGISTER"]).exists()


# ---------------------------------------------------------------- not a register, or a damaged one


def _unchanged(path: Path):
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    return lambda: (path.read_bytes(), path.stat().st_mtime_ns) == before


@pytest.mark.parametrize("kind", ["text", "other_sqlite", "corrupt", "truncated"])
def test_a_file_that_is_not_a_register_or_is_damaged_is_refused_untouched(tmp_path, kind):
    path = tmp_path / "register.sqlite"
    env = {"KADER_PSEUDONYM_KEY": KEY, "KADER_RULES": str(RULES), "KADER_REGISTER": str(path)}
    case = write_case(tmp_path)
    if kind == "text":
        path.write_text("id,naam\n1,iets\n")
        expected = f"{path}:1:1: error[E910]: dit is geen kader-register: het bestand is geen SQLite-database"
    elif kind == "other_sqlite":
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE klanten (id INTEGER)")
        connection.close()
        expected = f"{path}:1:1: error[E910]: dit is geen kader-register: de SQLite-database heeft andere tabellen"
    else:
        for _ in range(3):
            record(env, case)
        raw = bytearray(path.read_bytes())
        if kind == "corrupt":
            raw[4096 + 200: 4096 * 3] = b"\xa5" * (4096 * 2 - 200)
        else:
            raw = raw[: len(raw) // 2]
        path.write_bytes(bytes(raw))
        expected = f"{path}:1:1: error[E911]: register is beschadigd"
    unchanged = _unchanged(path)
    for args in (["audit"], ["assess", case, "--record", "--assessor", "c1", "--decision", "volgt"]):
        result = kader(env, *args)
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines()[0].startswith(expected)
        assert "Traceback" not in result.output
        assert unchanged()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("register")) == ["register.sqlite"]


def test_auditing_a_register_that_does_not_exist_creates_nothing(tmp_path):
    path = tmp_path / "nergens.sqlite"
    result = kader({"KADER_REGISTER": str(path)}, "audit")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{path}:1:1: error[E912]: register bestaat niet"
    assert not path.exists()


def test_a_postgresql_database_without_a_register_is_refused_for_audit(pg_url):
    result = kader({}, "audit", "--register", pg_url)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"{pg_url}:1:1: error[E910]: dit is geen kader-register: de database heeft "
                                             "geen registertabellen; het bestand is niet aangeraakt; geef met --register "
                                             "of $KADER_REGISTER een register op, of een nieuw pad")


def test_a_postgresql_table_of_the_same_name_that_is_not_a_register_is_refused(pg_url, tmp_path):
    execute(pg_url, "CREATE TABLE kader_records (id integer)", "INSERT INTO kader_records VALUES (1)")
    env = {"KADER_PSEUDONYM_KEY": KEY, "KADER_RULES": str(RULES), "KADER_REGISTER": pg_url}
    result = kader(env, "assess", write_case(tmp_path), "--record", "--assessor", "c1", "--decision", "volgt")
    assert result.exit_code == 1
    assert "error[E910]: dit is geen kader-register: de tabel kader_records bestaat maar kader_meta ontbreekt" in result.stderr


def test_an_unreachable_postgresql_server_is_a_located_error_without_the_password(tmp_path):
    url = f"postgresql://kader:geheim@/register?host={tmp_path}&port=1"
    result = kader({}, "audit", "--register", url)
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"postgresql://kader:***@/register?host={tmp_path}&port=1:1:1: error[E912]: geen verbinding "
                            "met de PostgreSQL-database: ")
    assert "geheim" not in result.output


@pytest.mark.parametrize("column, value", [
    ("case_json", "{"), ("case_json", "[]"), ("case_json", '{"id": 1}'), ("assessment_json", "x"),
    ("assessment_json", '{"proposals": 5}'), ("assessment_json", '{"proposals": [1, {"level": "hoog"}]}'),
    ("peildatum", "gisteren"), ("gemeente", "amsterdam"), ("framework_hash", "sha256:onbekend"),
    ("recorded_at", ""), ("prev_hash", "x"), ("hash", "x"), ("assessor", "iemand anders")])
def test_an_audit_of_a_record_changed_into_anything_reports_it_and_never_crashes(three, register_url, column, value):
    drop_triggers(register_url)
    sql(register_url, f"UPDATE kader_records SET {column} = ? WHERE seq = 3", (value,))
    result = kader(three, "audit", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["chain_ok"] is False and report["first_broken"]["seq"] == 3
    assert kader(three, "audit").exit_code == 1 and kader(three, "audit", "--format", "html").exit_code == 1

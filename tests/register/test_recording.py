"""`kader assess --record`: what a record holds, what is refused, and who can read the files."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import engine
from cli import app
from engine.register import case_key, open_register

from .conftest import KEY, RULES, execute, write_case


def kader(env: dict, *args: str):
    return CliRunner(env=env).invoke(app, [str(a) for a in args])


def record(env: dict, case, *extra: str):
    return kader(env, "assess", case, "--record", "--assessor", "consulent-7", *extra)


def test_a_record_holds_inputs_hash_version_peildatum_assessment_and_decision(env, tmp_path, register_url):
    case = write_case(tmp_path)
    plain = kader(env, "assess", case, "--format", "json")
    result = record(env, case, "--decision", "volgt", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stdout == plain.stdout  # recording does not change what the assessor sees
    assert result.stderr.startswith(f"vastgelegd: record 1 in {register_url} (casus hmac-sha256:")

    with open_register(register_url) as register:
        [stored] = register.records()
    key = case_key(KEY.encode(), "casus-0042")
    assert stored.seq == 1
    assert stored.case_key == key
    assert (stored.gemeente, stored.peildatum) == ("soest", "2026-03-01")
    assert stored.framework_hash == engine.load_framework(RULES).hash
    assert stored.engine_version == engine.__version__
    assert (stored.assessor, stored.decision, stored.motivation) == ("consulent-7", "volgt", None)
    assert stored.recorded_at.endswith("Z") and stored.recorded_at[:4] >= "2025"
    inputs = json.loads(stored.case_json)
    assert inputs["id"] == key
    assert inputs["inkomen"] == [{"netto_per_maand": "850.00", "persoon": "p1", "soort": "loon"}]
    recorded = json.loads(stored.assessment_json)
    shown = json.loads(plain.stdout)
    # the law links are derived from the legal bases and the peildatum when shown; the register keeps the assessment
    # without them, so that replaying old records stays byte-identical (docs/assessment.md, legal_basis_links)
    assert shown.pop("legal_basis_links")
    assert recorded.pop("trace")["fired"]  # the full assessment, with its trace
    assert recorded == {**shown, "case_id": key}
    assert "casus-0042" not in stored.case_json + stored.assessment_json
    if not register_url.startswith("postgresql://"):
        with sqlite3.connect(register_url) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("kader-register.sqlite*"))
        assert b"casus-0042" not in raw and b"hmac-sha256:" in raw  # the case id is nowhere in the file


def test_another_municipality_and_date_are_recorded_as_assessed(env, tmp_path, register_url):
    case = write_case(tmp_path)
    result = record(env, case, "--decision", "volgt", "--gemeente", "baarn", "--peildatum", "2026-07-01")
    assert result.exit_code == 0, result.output
    with open_register(register_url) as register:
        [stored] = register.records()
    assert (stored.gemeente, stored.peildatum) == ("baarn", "2026-07-01")
    assert json.loads(stored.case_json)["gemeente"] == "soest"  # the inputs stay as given


def test_a_deviation_is_recorded_with_its_motivation(env, tmp_path, register_url):
    case = write_case(tmp_path)
    result = record(env, case, "--decision", "wijkt_af", "--motivation", "mantelzorger valt volgende maand weg")
    assert result.exit_code == 0, result.output
    with open_register(register_url) as register:
        [stored] = register.records()
    assert (stored.decision, stored.motivation) == ("wijkt_af", "mantelzorger valt volgende maand weg")


def test_a_deviation_without_motivation_is_refused_and_nothing_is_created(tmp_path):
    register = tmp_path / "register.sqlite"
    env = {"KADER_PSEUDONYM_KEY": KEY, "KADER_RULES": str(RULES), "HOME": str(tmp_path / "home")}
    case = write_case(tmp_path)
    result = record(env, case, "--decision", "wijkt_af", "--register", register)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (f"{case}:1:1: error[E903]: een afwijking van het voorstel (wijkt_af) vraagt "
                                             "een motivering; geef --motivation met de reden van de afwijking")
    result = record(env, case, "--decision", "wijkt_af", "--motivation", "   ", "--register", register)
    assert result.exit_code == 2
    assert not register.exists()


def test_recording_options_without_record_are_a_usage_error(env, tmp_path):
    case = write_case(tmp_path)
    result = kader(env, "assess", case, "--assessor", "c1", "--decision", "volgt")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (f"{case}:1:1: error[E900]: --assessor, --decision hoort bij --record; "
                                             "voeg --record toe om de beoordeling vast te leggen")


def test_record_needs_an_assessor_and_a_decision(env, tmp_path):
    case = write_case(tmp_path)
    result = kader(env, "assess", case, "--record")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[:2] == [
        f"{case}:1:1: error[E901]: --record vraagt --assessor: wie beoordeelt (uw medewerkerskenmerk)",
        f"{case}:1:1: error[E901]: --record vraagt --decision volgt of --decision wijkt_af"]


@pytest.mark.parametrize("changes, expected", [
    ({"id": "casus 123456782"},
     "casus.yaml:1:5: error[E940]: veld 'id' bevat een nummer dat op een BSN lijkt (9 cijfers, elfproef): een BSN mag "
     "niet in het register; vervang het door een pseudoniem of een eigen kenmerk zonder persoonsgegevens"),
    ({"hulpvragen": [{"id": "hv1", "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1",
                      "feiten": {"notitie": {"bsn_partner": "1234.56.782"}}}]},
     "casus.yaml:25:20: error[E940]: veld 'hulpvragen[0].feiten.notitie.bsn_partner' bevat een nummer dat op een BSN "
     "lijkt (9 cijfers, elfproef): een BSN mag niet in het register; vervang het door een pseudoniem of een eigen "
     "kenmerk zonder persoonsgegevens"),
    ({"huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1980-05-01", "naam": "J. Jansen"}]}},
     "casus.yaml:10:5: error[E941]: veld 'huishouden.personen[0].naam' is een naam: namen mogen niet in het register; "
     "laat het veld weg"),
    ({"bsn": 111222333},
     "casus.yaml:35:1: error[E940]: veld 'bsn' is een BSN-veld: een BSN mag niet in het register; laat het veld weg"),
])
def test_a_case_with_a_bsn_or_a_name_in_clear_is_refused_naming_the_field(tmp_path, monkeypatch, changes, expected):
    register = tmp_path / "register.sqlite"
    home = tmp_path / "home"
    env = {"KADER_RULES": str(RULES), "HOME": str(home)}
    case = write_case(tmp_path, **changes)
    monkeypatch.chdir(tmp_path)
    result = record(env, "casus.yaml", "--decision", "volgt", "--register", register)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines()[0] == expected
    assert not register.exists() and not home.exists()  # no register, and no key file either
    assert case.exists()


def test_a_nine_digit_number_that_fails_the_elfproef_is_not_a_bsn(env, tmp_path):
    case = write_case(tmp_path, id="dossier-123456789")
    assert record(env, case, "--decision", "volgt").exit_code == 0


def test_a_motivation_with_a_bsn_is_refused(env, tmp_path):
    case = write_case(tmp_path)
    result = record(env, case, "--decision", "wijkt_af", "--motivation", "zie dossier 123456782")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(f"{case}:1:1: error[E942]: --motivation bevat een nummer dat op "
                                                    "een BSN lijkt")


def test_the_register_and_its_wal_files_are_readable_only_by_their_owner(tmp_path):
    path = tmp_path / "kader-register.sqlite"
    env = {"KADER_PSEUDONYM_KEY": KEY, "KADER_RULES": str(RULES), "KADER_REGISTER": str(path)}
    case = write_case(tmp_path)
    old = os.umask(0o022)
    try:
        assert record(env, case, "--decision", "volgt").exit_code == 0
        holder = sqlite3.connect(path)  # while a connection is open the -wal and -shm files exist
        holder.execute("SELECT count(*) FROM kader_records").fetchone()
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob("kader-register.sqlite*")}
        holder.close()
    finally:
        os.umask(old)
    assert modes == {"kader-register.sqlite": 0o600, "kader-register.sqlite-wal": 0o600,
                     "kader-register.sqlite-shm": 0o600}
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
def test_another_user_cannot_read_the_register_or_the_key():
    import tempfile
    folder = Path(tempfile.mkdtemp(prefix="kader-open-"))  # a folder anyone may enter
    try:
        folder.chmod(0o755)
        env = {"KADER_RULES": str(RULES), "KADER_REGISTER": str(folder / "register.sqlite"),
               "KADER_PSEUDONYM_KEY_FILE": str(folder / "sleutel" / "pseudoniem.key")}
        case = write_case(folder)
        old = os.umask(0o022)
        try:
            assert record(env, case, "--decision", "volgt").exit_code == 0
        finally:
            os.umask(old)
        for path in (folder / "register.sqlite", folder / "sleutel" / "pseudoniem.key", case):
            result = subprocess.run(["cat", str(path)], user="nobody", capture_output=True)
            assert (result.returncode == 0) is (path == case), path  # the case file itself is the control
    finally:
        shutil.rmtree(folder)


def test_a_register_readable_by_others_is_refused_for_recording(tmp_path):
    path = tmp_path / "kader-register.sqlite"
    env = {"KADER_PSEUDONYM_KEY": KEY, "KADER_RULES": str(RULES), "KADER_REGISTER": str(path)}
    case = write_case(tmp_path)
    assert record(env, case, "--decision", "volgt").exit_code == 0
    path.chmod(0o644)
    result = record(env, case, "--decision", "volgt")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"{path}:1:1: error[E913]: register is toegankelijk voor anderen "
                                             f"(modus 0644); chmod 600 {path}")


def test_the_database_itself_refuses_update_and_delete(env, tmp_path, register_url):
    case = write_case(tmp_path)
    assert record(env, case, "--decision", "volgt").exit_code == 0
    statements = ["UPDATE kader_records SET decision = 'wijkt_af', motivation = 'x'", "DELETE FROM kader_records",
                  "UPDATE kader_rulesets SET files = '{}'", "DELETE FROM kader_rulesets", "DELETE FROM kader_meta"]
    if register_url.startswith("postgresql://"):
        statements += ["TRUNCATE kader_records", "TRUNCATE kader_rulesets"]
    for statement in statements:
        with pytest.raises(Exception, match="kader-register: alleen toevoegen is toegestaan"):
            execute(register_url, statement)
    with open_register(register_url) as register:
        assert [r.decision for r in register.records()] == ["volgt"]
        assert register.missing_triggers() == []


def test_a_team_role_with_only_select_and_insert_records_but_cannot_change_anything(tmp_path, pg_url):
    owner = {"KADER_PSEUDONYM_KEY": KEY, "KADER_RULES": str(RULES), "KADER_REGISTER": pg_url}
    case = write_case(tmp_path)
    assert record(owner, case, "--decision", "volgt").exit_code == 0  # the owner creates the tables
    execute(pg_url, "CREATE ROLE consulent LOGIN",
            "GRANT SELECT, INSERT ON kader_records, kader_rulesets, kader_meta TO consulent")
    team_url = pg_url.replace("postgresql://kader@", "postgresql://consulent@")
    team = {**owner, "KADER_REGISTER": team_url}
    assert record(team, case, "--decision", "wijkt_af", "--motivation", "andere situatie").exit_code == 0
    assert kader(team, "audit").exit_code == 0
    for statement in ("DROP TRIGGER kader_records_alleen_toevoegen ON kader_records",
                      "ALTER TABLE kader_records DISABLE TRIGGER ALL", "DELETE FROM kader_records"):
        with pytest.raises(Exception, match="must be owner|permission denied"):
            execute(team_url, statement)
    with open_register(team_url) as register:
        assert [r.decision for r in register.records()] == ["volgt", "wijkt_af"]

"""Canonical JSON, the hash chain, the BSN check and the pseudonym key: the building blocks, with concrete values."""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import multiprocessing
import os
import stat
from dataclasses import replace
from decimal import Decimal

import pytest

from engine.register import GENESIS, RegisterError, canonical_json, case_key, load_key, open_register, verify_chain
from engine.register.postgres import shown_url
from engine.register.privacy import looks_like_bsn, passes_elfproef
from engine.register.records import decode_case, seal

FIELDS = dict(recorded_at="2026-03-01T09:00:00.000000Z", case_key="hmac-sha256:ab", gemeente="soest",
              peildatum="2026-03-01", framework_hash="sha256:ff", engine_version="0.1.0", assessor="c1",
              decision="volgt", motivation=None, case_json="{}", assessment_json="{}")


def chain(length: int) -> list:
    records, prev = [], GENESIS
    for seq in range(1, length + 1):
        record = seal(seq, prev, **{**FIELDS, "case_key": f"hmac-sha256:{seq:02x}"})
        records.append(record)
        prev = record.hash
    return records


def test_canonical_json_sorts_keys_has_no_spaces_and_keeps_money_exact():
    value = {"b": [Decimal("850.00"), 3, True, None], "a": {"z": _dt.date(2026, 3, 1), "é": "ë"}}
    assert canonical_json(value) == '{"a":{"z":"2026-03-01","é":"ë"},"b":[850.00,3,true,null]}'


def test_canonical_json_refuses_floats():
    with pytest.raises(TypeError):
        canonical_json({"bedrag": 850.0})


def test_stored_case_reads_back_with_exact_decimals_and_real_dates():
    data = decode_case('{"peildatum":"2026-03-01","bedrag":850.00,"tekst":"2026-02-30"}')
    assert data == {"peildatum": _dt.date(2026, 3, 1), "bedrag": Decimal("850.00"), "tekst": "2026-02-30"}
    assert str(data["bedrag"]) == "850.00"


def test_each_record_hashes_its_fields_and_the_hash_of_the_one_before():
    records = chain(3)
    assert records[0].prev_hash == GENESIS
    assert records[1].prev_hash == records[0].hash and records[2].prev_hash == records[1].hash
    body = canonical_json(records[0].body()).encode()
    assert records[0].hash == "sha256:" + hashlib.sha256(body).hexdigest()
    assert b'"format":"kader-register/1"' in body
    verifier = verify_chain(records)
    assert verifier.ok and verifier.count == 3 and verifier.head == records[2].hash


def test_a_changed_field_breaks_the_chain_at_that_record():
    records = chain(4)
    records[2] = replace(records[2], decision="wijkt_af", motivation="achteraf aangepast")
    broken = verify_chain(records).first_broken
    assert (broken.seq, broken.position) == (3, 3)
    assert broken.reason == "de inhoud van dit record is gewijzigd: de hash klopt niet meer"


def test_a_removed_record_breaks_the_chain_at_the_next_one():
    records = chain(4)
    del records[1]
    broken = verify_chain(records).first_broken
    assert (broken.seq, broken.position) == (3, 2)
    assert broken.reason.startswith("volgnummer 3 op plaats 2: er ontbreken records")


def test_two_records_in_another_order_break_the_chain_where_the_order_changed():
    records = chain(4)
    records[1], records[2] = records[2], records[1]
    broken = verify_chain(records).first_broken
    assert (broken.seq, broken.position) == (3, 2)


def test_a_rehashed_record_still_breaks_the_link_from_the_next_one():
    records = chain(4)
    forged = records[1]
    records[1] = seal(forged.seq, forged.prev_hash, **{**FIELDS, "case_key": forged.case_key, "decision": "wijkt_af",
                                                        "motivation": "vervalst"})
    broken = verify_chain(records).first_broken
    assert (broken.seq, broken.position) == (3, 3)
    assert "verwijzing naar het vorige record klopt niet" in broken.reason


@pytest.mark.parametrize("number, bsn", [("111222333", True), ("123456782", True), ("123456789", False),
                                         ("000000000", False), ("12345678", False)])
def test_elfproef(number, bsn):
    assert passes_elfproef(number) is bsn


@pytest.mark.parametrize("value, bsn", [
    ("123456782", True), (123456782, True), ("casus 1234.56.782", True), ("bsn: 123 456 782", True),
    ("123-45-6782", True), ("1234-56-782", True), ("123/456/782", True), ("123_456_782", True), ("123\u2013456\u2013782", True),
    ("1 2 3 4 5 6 7 8 2", True), ("123\u00a0456\u00a0782", True), ("bsn 123456782 ook", True), ("06-12345678", False),
    ("€ 1.401,50", False), ("NL91ABNA0417164300", False),
    ("casus-0042", False), ("123456789", False), ("1234567820", False), (Decimal("123456782"), False),
    ("2026-03-01", False), (True, False)])
def test_what_looks_like_a_bsn(value, bsn):
    assert looks_like_bsn(value) is bsn


def test_the_case_key_is_an_hmac_of_the_case_id():
    expected = hmac.new(b"geheim-geheim-geheim", b"casus-0042", hashlib.sha256).hexdigest()
    assert case_key(b"geheim-geheim-geheim", "casus-0042") == "hmac-sha256:" + expected
    assert case_key(b"een-andere-sleutel!!", "casus-0042") != case_key(b"geheim-geheim-geheim", "casus-0042")


def test_the_key_comes_from_the_environment_when_set():
    strong = "  3b8f0e5c1a9d7e2f4c6b0a8d3e1f5c7a  "  # 32 hex characters with no runs or repeats: about 129 bits
    assert load_key({"KADER_PSEUDONYM_KEY": strong}) == strong.strip().encode()
    with pytest.raises(RegisterError) as error:
        load_key({"KADER_PSEUDONYM_KEY": "kort"})
    assert str(error.value).startswith("$KADER_PSEUDONYM_KEY:1:1: error[E930]: KADER_PSEUDONYM_KEY is te zwak: een "
                                       "sleutel moet minstens 128 bits toeval bevatten")


@pytest.mark.parametrize("weak", [
    "a" * 64,                                   # one character repeated
    "0123456789abcdef" * 4,                     # a 16-character unit repeated: 64 bits at most
    "abababababababababababababababababababab",  # two characters
    "abcdefghijklmnopqrstuvwxyz0123456789",     # one ascending run
    "test-sleutel-0123456789abcdef",            # the old test key: long enough, too little variety (57 bits)
    "Welkom01Welkom01Welkom01Welkom01",         # a password repeated
])
def test_a_pseudonym_key_with_less_than_128_bits_is_refused(weak, tmp_path):
    """Issue 13: a pseudonym key must carry at least 128 bits; repeated or low-variety keys are refused."""
    with pytest.raises(RegisterError) as error:
        load_key({"KADER_PSEUDONYM_KEY": weak})
    assert "E930" in str(error.value)
    path = tmp_path / "sleutel"
    path.write_text(weak + "\n")
    path.chmod(0o600)
    with pytest.raises(RegisterError) as error:
        load_key({"KADER_PSEUDONYM_KEY_FILE": str(path)})
    assert "E934" in str(error.value) and "128 bits" in str(error.value)


def test_the_key_file_is_created_on_first_use_readable_only_by_its_owner(tmp_path):
    old = os.umask(0o022)
    try:
        key = load_key({"HOME": str(tmp_path)})
    finally:
        os.umask(old)
    path = tmp_path / ".config" / "kader" / "pseudoniem.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(key) == 64 and bytes.fromhex(key.decode())
    assert load_key({"HOME": str(tmp_path)}) == key  # the same key every time after
    assert sorted(p.name for p in path.parent.iterdir()) == ["pseudoniem.key"]  # no scratch file left


def _load(home: str) -> bytes:
    return load_key({"HOME": home})


def test_processes_creating_the_key_at_the_same_moment_all_get_the_same_key(tmp_path):
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        keys = pool.map(_load, [str(tmp_path)] * 12)
    assert len(set(keys)) == 1
    assert sorted(p.name for p in (tmp_path / ".config" / "kader").iterdir()) == ["pseudoniem.key"]


def test_a_key_file_readable_by_others_is_refused(tmp_path):
    path = tmp_path / "sleutel"
    path.write_text("0123456789abcdef0123456789abcdef\n")
    path.chmod(0o644)
    with pytest.raises(RegisterError) as error:
        load_key({"KADER_PSEUDONYM_KEY_FILE": str(path)})
    assert str(error.value) == (f"{path}:1:1: error[E933]: sleutelbestand is leesbaar voor anderen (modus 0644); "
                                f"chmod 600 {path}")


def test_a_postgresql_url_is_shown_without_its_password():
    assert shown_url("postgresql://kader:geheim@db.example:5432/register") == "postgresql://kader:***@db.example:5432/register"
    assert shown_url("postgresql:///register?host=/run/pg&password=geheim") == "postgresql:///register?host=/run/pg&password=***"


def test_a_register_is_named_by_path_sqlite_url_or_postgresql_url(tmp_path):
    with open_register(f"sqlite:///{tmp_path}/r.sqlite", create=True) as register:
        assert (register.backend, register.location) == ("sqlite", f"{tmp_path}/r.sqlite")
    with open_register(None, environ={"KADER_REGISTER": str(tmp_path / "r.sqlite")}) as register:
        assert register.count() == 0
    with pytest.raises(RegisterError) as error:
        open_register("mysql://db/register")
    assert str(error.value) == ("mysql://:1:1: error[E914]: onbekend soort register 'mysql://'; gebruik een bestandspad, "
                                "sqlite:///pad of postgresql://...")

"""Issue 13, item 6: `--request-id` makes recording idempotent, so a retry after a lost confirmation does not
record the decision twice."""

from __future__ import annotations

from engine.register import open_register

from .conftest import write_case
from .test_audit import audit_json, kader


def recorded(env, case, *extra):
    return kader(env, "assess", case, "--record", "--assessor", "consulent-7", *extra)


def test_a_retry_with_the_same_request_id_records_once(env, tmp_path, register_url):
    case = write_case(tmp_path)
    first = recorded(env, case, "--decision", "volgt", "--request-id", "verzoek-2026-0001")
    again = recorded(env, case, "--decision", "volgt", "--request-id", "verzoek-2026-0001")
    assert first.exit_code == 0 and again.exit_code == 0, again.output
    assert "vastgelegd: record 1" in first.stderr and "al vastgelegd op" in again.stderr and "record 1" in again.stderr
    assert first.stdout == again.stdout  # the assessor sees the same assessment
    other = recorded(env, case, "--decision", "volgt", "--request-id", "verzoek-2026-0002")
    assert other.exit_code == 0 and "vastgelegd: record 2" in other.stderr
    with open_register(register_url) as register:
        assert [r.seq for r in register.records()] == [1, 2]
    assert audit_json(env)[0] == 0


def test_a_request_id_reused_for_another_decision_is_refused(env, tmp_path, register_url):
    case = write_case(tmp_path)
    assert recorded(env, case, "--decision", "volgt", "--request-id", "verzoek-2026-0001").exit_code == 0
    result = recorded(env, case, "--decision", "wijkt_af", "--motivation", "toch anders", "--request-id",
                      "verzoek-2026-0001")
    assert result.exit_code == 1 and "error[E920]: dit --request-id is al gebruikt voor een andere vastlegging (record 1)" in result.output
    with open_register(register_url) as register:
        assert len(register.records()) == 1


def test_a_malformed_request_id_or_one_without_record_is_a_usage_error(env, tmp_path):
    case = write_case(tmp_path)
    result = recorded(env, case, "--decision", "volgt", "--request-id", "kort")
    assert result.exit_code == 2 and "error[E906]: --request-id moet 8 tot 128 tekens zijn" in result.output
    result = kader(env, "assess", case, "--request-id", "verzoek-2026-0001")
    assert result.exit_code == 2 and "error[E900]: --request-id hoort bij --record" in result.output

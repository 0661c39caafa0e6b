"""Issue 13, item 5: the privacy holes closed. BSNs with any separator, ids that could carry a name, and BSN-like
case ids in the output of `kader batch` and `kader impact`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli import app

from .conftest import RULES, case_data, write_case

BSN = "123-45-6782"  # a number that passes the elfproef (9*1+8*2+...+2*8-1*2 = 154 = 14*11), written with dashes


def kader(env: dict, *args) -> object:
    return CliRunner(env=env).invoke(app, [str(a) for a in args])


def assess_record(env, case, *extra):
    return kader(env, "assess", case, "--record", *extra)


@pytest.mark.parametrize("written", ["123-45-6782", "123 456 782", "123/456/782", "123_456_782", "123\u2013456\u2013782"])
def test_a_bsn_with_any_separator_is_refused_in_case_motivation_and_assessor(env, tmp_path, written):
    hulpvragen = case_data()["hulpvragen"]
    hulpvragen[0]["feiten"]["notitie"] = f"partner {written}"
    case = write_case(tmp_path, hulpvragen=hulpvragen)
    result = assess_record(env, case, "--assessor", "consulent-7", "--decision", "volgt")
    assert result.exit_code == 1 and "error[E940]" in result.output and written not in result.output
    clean = write_case(tmp_path, "schoon.yaml")
    result = assess_record(env, clean, "--assessor", "consulent-7", "--decision", "wijkt_af",
                           "--motivation", f"zie dossier {written}")
    assert result.exit_code == 1 and "error[E942]: --motivation bevat een nummer dat op een BSN lijkt" in result.output
    result = assess_record(env, clean, "--assessor", f"c{written}", "--decision", "volgt")
    assert result.exit_code == 1 and "error[E942]: --assessor" in result.output
    assert not (tmp_path / "kader-register.sqlite").exists() or "E94" in result.output


@pytest.mark.parametrize("where, value", [("person", "jan-de-vries"), ("hulpvraag", "hulp-voor-fatima"),
                                          ("person", "Piet"), ("hulpvraag", BSN)])
def test_person_and_hulpvraag_ids_that_could_carry_a_name_are_refused_for_the_register(env, tmp_path, where, value):
    data = case_data()
    if where == "person":
        data["huishouden"]["personen"][0]["id"] = value
        for item in data["inkomen"]:
            item["persoon"] = value
        for item in data["hulpvragen"]:
            item["persoon"] = value
    else:
        data["hulpvragen"][0]["id"] = value
    case = write_case(tmp_path, **data)
    result = assess_record(env, case, "--assessor", "consulent-7", "--decision", "volgt")
    assert result.exit_code == 1 and "error[E943]" in result.output and "een of twee letters en een nummer" in result.output
    assert value not in result.output.replace(str(case), "")
    assert kader(env, "assess", case).exit_code == 0  # assessing without recording is not affected


def test_batch_refuses_a_case_whose_id_looks_like_a_bsn_and_writes_the_others(tmp_path):
    lines = [json.dumps({**case_data(id=f"casus-{n}")}) for n in (1, 2)]
    lines.insert(1, json.dumps(case_data(id=f"dossier {BSN}")))
    cases = tmp_path / "cases.jsonl"
    cases.write_text("\n".join(lines) + "\n")
    out = tmp_path / "uit.jsonl"
    result = kader({"KADER_RULES": str(RULES)}, "batch", cases, "--workers", "1", "--out", out)
    assert result.exit_code == 1 and f"{cases}:2:1: error[E946]: kenmerk id lijkt op een BSN" in result.output
    written = out.read_text()
    assert [json.loads(line)["case_id"] for line in written.splitlines()] == ["casus-1", "casus-2"]
    assert "6782" not in written and "6782" not in result.output


def test_impact_does_not_show_a_case_id_that_looks_like_a_bsn(tmp_path, rules_copy):
    normen = rules_copy / "werk_inkomen" / "normen.yaml"
    normen.write_text(normen.read_text().replace('value: "1401.50"', 'value: "1450.00"'))
    cases = tmp_path / "cases.jsonl"
    data = case_data(id=BSN)
    data["hulpvragen"] = [data["hulpvragen"][1]]  # the bijstand request: its norm changes
    cases.write_text(json.dumps(data) + "\n")
    result = kader({"KADER_RULES": str(RULES), "COLUMNS": "200"}, "impact", cases, "--base", RULES,
                   "--proposal", rules_copy, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "6782" not in result.stdout and "kenmerk lijkt op een BSN" in result.stdout

"""`kader batch`: assessments as JSON Lines in input order; bad lines located, skipped and counted."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from cli import app
from engine.tools.batch import LineAssessor, LineFailure, count_lines, read_chunks
from engine.tools.population import case_line, generate

from .conftest import BASE_CASE


def _write(path, lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _case(**changes) -> str:
    data = copy.deepcopy(BASE_CASE)
    data.update(changes)
    return json.dumps(data, ensure_ascii=False)


@pytest.fixture(scope="module")
def population_lines(framework) -> list[str]:
    return [case_line(c) for c in generate(framework, size=600, seed=9)]


# ---------------------------------------------------------------- order and content


def test_two_workers_keep_input_order_and_give_what_one_worker_gives(runner, tmp_path, population_lines):
    source = tmp_path / "cases.jsonl"
    _write(source, population_lines)  # 600 lines: several chunks, spread over the workers
    outputs = {}
    for workers in ("1", "2"):
        target = tmp_path / f"out-{workers}.jsonl"
        result = runner.invoke(app, ["batch", str(source), "--workers", workers, "--out", str(target)])
        assert result.exit_code == 0, result.output
        assert "600 casussen: 600 beoordeeld, 0 mislukt" in result.stderr
        outputs[workers] = target.read_bytes()
    assert outputs["1"] == outputs["2"]
    ids = [json.loads(line)["case_id"] for line in outputs["2"].decode("utf-8").splitlines()]
    assert ids == [json.loads(line)["id"] for line in population_lines]


def test_each_line_is_the_assessment_that_kader_assess_gives(runner, tmp_path, population_lines):
    source = tmp_path / "cases.jsonl"
    _write(source, population_lines[:5])
    result = runner.invoke(app, ["batch", str(source), "--workers", "1"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    for index, line in enumerate(lines):
        single = tmp_path / f"case-{index}.json"
        single.write_text(population_lines[index], encoding="utf-8")
        assessed = runner.invoke(app, ["assess", str(single), "--format", "json"])
        assert assessed.exit_code == 0, assessed.output
        shown = json.loads(assessed.stdout)
        assert shown.pop("legal_basis_links")  # the law links are shown to a reader, not written per batch line
        assert json.loads(line) == shown
        assert line == json.dumps(shown, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------- bad lines


def test_bad_lines_are_located_skipped_and_counted(runner, tmp_path):
    bad_onderwerp = _case(id="vier", hulpvragen=[{"id": "hv1", "domein": "jeugd", "onderwerp": "opvoedingg",
                                                   "persoon": "p1"}])
    lines = [
        _case(id="een"),
        '{"id": "twee", "gemeente": }',
        "",
        bad_onderwerp,
        "[1, 2]",
        _case(id="zes"),
        '{"id": "zeven", "id": "zeven"}',
        _case(id="acht"),
    ]
    source = tmp_path / "cases.jsonl"
    _write(source, lines)
    target = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["batch", str(source), "--workers", "1", "--out", str(target)])
    assert result.exit_code == 1
    shown = str(source)
    errors = [line for line in result.stderr.splitlines() if ": error[" in line]
    column = bad_onderwerp.index('"opvoedingg"') + 1
    assert errors[0].startswith(f"{shown}:2:28: error[E011]: ongeldige JSON")
    assert errors[1].startswith(f"{shown}:4:{column}: error[E519]: onbekend onderwerp 'opvoedingg' in domein jeugd")
    assert errors[2].startswith(f"{shown}:5:1: error[E500]:")
    assert any(e.startswith(f"{shown}:7:") and "error[E014]: sleutel 'id' komt twee keer voor" in e for e in errors)
    assert [json.loads(line)["case_id"] for line in target.read_text(encoding="utf-8").splitlines()] == ["een", "zes", "acht"]
    assert "7 casussen: 3 beoordeeld, 4 mislukt" in result.stderr
    assert "mislukte regels: 2, 4, 5, 7" in result.stderr


def test_bad_lines_with_two_workers_are_reported_with_their_own_line_numbers(runner, tmp_path, population_lines):
    lines = list(population_lines[:520])
    lines[260] = lines[260].replace('"gemeente":"', '"gemeente":"x', 1)
    lines[519] = "{niet json"
    source = tmp_path / "cases.jsonl"
    _write(source, lines)
    target = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["batch", str(source), "--workers", "2", "--out", str(target)])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error[" in line]
    assert ":261:" in errors[0] and "error[E510]: onbekende gemeente 'x" in errors[0]
    assert ":520:2: error[E011]" in errors[1]
    assert len(target.read_text(encoding="utf-8").splitlines()) == 518
    assert "520 casussen: 518 beoordeeld, 2 mislukt" in result.stderr


def test_invalid_utf8_is_located_on_its_line(runner, tmp_path):
    source = tmp_path / "cases.jsonl"
    source.write_bytes(_case(id="een").encode() + b"\n" + b'{"id": "tw\xff"}\n' + _case(id="drie").encode() + b"\n")
    result = runner.invoke(app, ["batch", str(source), "--workers", "1"])
    assert result.exit_code == 1
    assert ":2:11: error[E021]: regel is geen geldige UTF-8-tekst" in result.stderr
    assert [json.loads(line)["case_id"] for line in result.stdout.splitlines()] == ["een", "drie"]


def test_all_good_exits_zero_and_an_empty_file_too(runner, tmp_path):
    source = tmp_path / "cases.jsonl"
    _write(source, [_case(id="een"), _case(id="twee")])
    result = runner.invoke(app, ["batch", str(source), "--workers", "1"])
    assert result.exit_code == 0
    assert "2 casussen: 2 beoordeeld, 0 mislukt" in result.stderr
    empty = tmp_path / "leeg.jsonl"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(empty), "--workers", "1"])
    assert result.exit_code == 0 and result.stdout == ""


def test_a_missing_input_file_is_a_located_error(runner, tmp_path):
    result = runner.invoke(app, ["batch", str(tmp_path / "nergens.jsonl")])
    assert result.exit_code == 1
    assert "nergens.jsonl:1:1: error[E001]: bestand bestaat niet" in result.stderr


def test_batch_help_names_its_options(runner):
    result = runner.invoke(app, ["batch", "--help"])
    assert result.exit_code == 0
    for option in ("--workers", "--out", "--rules"):
        assert option in result.stdout


# ---------------------------------------------------------------- the library


def test_line_numbers_count_blank_lines_and_chunks_cover_the_file(tmp_path):
    source = tmp_path / "cases.jsonl"
    source.write_bytes(b"a\n\nb\nc")  # no newline at the end
    with open(source, "rb") as handle:
        assert count_lines(handle) == 4
        assert list(read_chunks(handle, size=3)) == [(1, [b"a\n", b"\n", b"b\n"]), (4, [b"c"])]


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8)
    | st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**6, max_value=10**6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)
_PATHS = [("gemeente",), ("peildatum",), ("vermogen", "totaal"), ("huishouden", "woonsituatie"),
          ("huishouden", "personen", 0, "beperkt"), ("huishouden", "personen", 0, "geboortedatum"),
          ("hulpvragen", 0, "feiten", "voorliggende_voorziening"), ("hulpvragen", 0, "onderwerp"),
          ("signalen",), ("inkomen",), ("feiten",)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(_PATHS), value=_JSON_VALUES, exponent=st.booleans())
def test_spec_the_fast_json_path_reads_a_line_exactly_as_the_positioned_parser(framework, path, value, exponent):
    data = copy.deepcopy(BASE_CASE)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    text = json.dumps(data, ensure_ascii=False, default=str)
    if exponent:
        text = text.replace('"totaal": "0.00"', '"totaal": 1e3')
    assessor = LineAssessor(framework, "cases.jsonl")
    try:
        fast = assessor.case(text)
    except engine.RuleEngineError as exc:
        fast = [str(d) for d in exc.diagnostics]
    try:
        slow = engine.case_from_text(framework, text, "cases.jsonl", json_syntax=True)
    except engine.RuleEngineError as exc:
        slow = [str(d) for d in exc.diagnostics]
    assert fast == slow


def _framework_dividing_by_vermogen(rules_copy):
    """The rules with one derived fact more that divides by casus.vermogen (Participatiewet art. 34's vermogen as
    divisor): a case with vermogen 0 makes it fail in evaluation (E910)."""
    normen = rules_copy / "werk_inkomen" / "normen.yaml"
    normen.write_text(normen.read_text(encoding="utf-8").replace("derived:\n", (
        "derived:\n  huishouden.inkomen_per_vermogen:\n    type: decimaal\n"
        "    legal_basis: \"Participatiewet art. 34\"\n    formula: casus.inkomen / casus.vermogen\n"), 1),
        encoding="utf-8")
    return engine.load_framework(rules_copy)


def test_a_line_that_fails_in_evaluation_is_reported_on_its_line_with_the_rule_as_a_note(rules_copy):
    framework = _framework_dividing_by_vermogen(rules_copy)
    assessor = LineAssessor(framework, "cases.jsonl")
    assert isinstance(assessor.line(16, _case(vermogen={"totaal": "10.00"}).encode()), str)
    outcome = assessor.line(17, _case(inkomen=[{"persoon": "p1", "soort": "loon", "netto_per_maand": "5.00"}]).encode())
    assert isinstance(outcome, LineFailure)
    (diagnostic,) = outcome.diagnostics
    assert str(diagnostic).startswith("cases.jsonl:17:1: error[E910]: afgeleid feit huishouden.inkomen_per_vermogen")
    (label, span), = diagnostic.related
    assert label == "bron" and span.path.endswith("normen.yaml")



def test_an_output_file_that_cannot_be_written_is_a_located_error(runner, tmp_path):
    source = tmp_path / "cases.jsonl"
    _write(source, [_case(id="een")])
    target = tmp_path / "bestaat-niet" / "uit.jsonl"
    result = runner.invoke(app, ["batch", str(source), "--workers", "1", "--out", str(target)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{target}:1:1: error[E004]: bestand kan niet geschreven worden")


def test_a_failing_derived_fact_is_reported_the_same_once_the_derivation_is_one_compiled_function(rules_copy):
    # After engine.language.calc.WARM_UP cases the derived facts are computed by one straight-line function
    # (engine.evaluation.facts._Plan): a division by zero in one of them (here casus.vermogen 0, Participatiewet
    # art. 34's vermogen as divisor) still stops that case with E910 naming the derived fact and its file.
    from engine.evaluation import facts as facts_module
    from engine.language.calc import WARM_UP
    framework = _framework_dividing_by_vermogen(rules_copy)
    assessor = LineAssessor(framework, "cases.jsonl")
    good = _case(vermogen={"totaal": "10.00"}).encode()
    for number in range(WARM_UP + 2):
        assert isinstance(assessor.line(number + 1, good), str)
    assert any(plan.function is not None for _, plan in facts_module._PLANS.values()
               if plan.derived_facts and plan.derived_facts[0] in framework.derived)
    outcome = assessor.line(40, _case(inkomen=[{"persoon": "p1", "soort": "loon", "netto_per_maand": "5.00"}]).encode())
    assert isinstance(outcome, LineFailure)
    (diagnostic,) = outcome.diagnostics
    assert str(diagnostic).startswith("cases.jsonl:40:1: error[E910]: afgeleid feit huishouden.inkomen_per_vermogen: "
                                      "deling door nul")
    (label, span), = diagnostic.related
    assert label == "bron" and span.path.endswith("normen.yaml")
    assert isinstance(assessor.line(41, good), str)  # and the next case goes on

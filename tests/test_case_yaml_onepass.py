"""A case file (`load_case`) with nothing to report is read in one pass without pydantic (`read_case` hands its
parsed data to engine.evaluation.casejson, which takes a YAML date as the contract's Date does); anything else
takes the full check (`case_from_document`: pydantic's CaseIn and _CaseChecker), which words every problem.
Both give the same case, to the digits of every amount and the order of every dict, or the same diagnostics; the
one-pass path never accepts what the full check refuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.errors import CaseFileError
from engine.evaluation.case import _CONTRACT_PERSON_KEYS, case_from_document, case_part, read_case
from engine.evaluation.casejson import case_from_json
from engine.language.sources import parse_text, read_document

from .conftest import ROOT

EXAMPLE = ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml"


def _outcome(read, framework, document):
    try:
        case = read(framework, document)
    except CaseFileError as exc:
        return "fout", [(d.code, d.message, d.span.line, d.span.col, d.hint) for d in exc.diagnostics]
    return "casus", repr(case), case.source, case.data is document.data


def _case_files() -> list[Path]:
    return sorted(path for path in (ROOT / "scenarios").rglob("*.yaml"))


def test_every_yaml_case_under_scenarios_reads_as_the_full_check_reads_it(framework):
    one_pass = 0
    for path in _case_files():
        document = case_part(read_document(path))
        assert _outcome(read_case, framework, document) == _outcome(case_from_document, framework, document), path
        if isinstance(document.data, dict) and case_from_json(framework, document.data, document.path) is not None:
            one_pass += 1
    # the scenario files are valid cases: nearly all are read in one pass (a float amount or a date-typed fact is
    # left to the full check)
    assert one_pass >= len(_case_files()) * 3 // 4, one_pass


def test_the_example_is_read_in_one_pass_with_its_dates_and_amounts(framework):
    document = case_part(read_document(EXAMPLE))
    case = case_from_json(framework, document.data, document.path)
    assert case is not None
    assert str(case.peildatum) == "2026-03-01" and str(case.melddatum) == "2026-02-20"
    assert [str(p.geboortedatum) for p in case.personen] == ["1961-05-01", "1963-09-12", "2012-02-20", "1990-01-01"]
    assert case.inkomen == (("p1", "loon", __import__("decimal").Decimal("850.00")),)
    assert repr(case) == repr(case_from_document(framework, document))


CASE = """\
id: c1
gemeente: soest
peildatum: {peildatum}
huishouden:
  personen:
    - {{id: {person}, rol: aanvrager, geboortedatum: {geboren}}}
inkomen: [{{persoon: p1, soort: loon, netto_per_maand: {bedrag}}}]
hulpvragen:
  - {{id: hv1, domein: wmo, onderwerp: huishouden, persoon: p1}}
"""


@pytest.mark.parametrize(("peildatum", "person", "geboren", "bedrag"), [
    ("2026-03-01", "p1", "1961-05-01", '"850.00"'),    # valid: one pass
    ("2026-03-01", "p1", "1961-05-01", "850.00"),      # a YAML float: the full check reads its digits
    ("2026-03-01", "p1", "1961-05-01", "850.005"),     # three decimals: E521 (engine.evaluation.case.money)
    ("1850-03-01", "p1", "1961-05-01", '"850.00"'),    # before kader's calendar / the framework's validity
    ("2026-03-01", "p1", "1899-12-31", '"850.00"'),    # born before kader's calendar (types.FIRST_DAY)
    ("2026-03-01 10:00:00", "p1", "1961-05-01", '"850.00"'),  # a YAML timestamp is no date
    ("2026-03-01", "2026-01-01", "1961-05-01", '"850.00"'),   # an id that YAML reads as a date is no text
    ("2026-03-01", "p1", "2026-02-30", '"850.00"'),    # no such day: YAML leaves it text, E500 names it
    ("2026-03-01\npeildatum: 2026-03-02", "p1", "1961-05-01", '"850.00"'),  # a key given twice: the reader's E014
    ("2026-03-01", "p1, id: p1", "1961-05-01", '"850.00"'),  # the same in a person (YAML keeps the last value)
])
def test_a_yaml_case_is_read_as_the_full_check_reads_it(framework, peildatum, person, geboren, bedrag):
    text = CASE.format(peildatum=peildatum, person=person, geboren=geboren, bedrag=bedrag)
    document = parse_text(text, "c.yaml")
    outcome = _outcome(read_case, framework, document)
    assert outcome == _outcome(case_from_document, framework, document)
    if "\npeildatum" in peildatum or ", id:" in person:  # a key given twice (Document.problems): never one pass
        assert outcome[0] == "fout" and "E014" in [code for code, *_ in outcome[1]], outcome
    elif bedrag == '"850.00"' and peildatum == "2026-03-01" and person == "p1" and geboren == "1961-05-01":
        assert outcome[0] == "casus"


def test_the_contract_person_keys_are_person_ins_fields():
    from engine.evaluation.case import PersonIn  # built on first use
    assert set(PersonIn.model_fields) == _CONTRACT_PERSON_KEYS


def test_a_cold_assess_of_a_valid_case_builds_no_pydantic_case_model_and_a_broken_one_still_does():
    """The case models are built on first use (engine.evaluation.case._case_models): not for a valid case."""
    probe = ("import sys, engine\n"
             "from pathlib import Path\n"
             "framework = engine.load_framework()\n"
             f"engine.load_case(framework, Path({str(EXAMPLE)!r}))\n"
             "print('engine.evaluation.casemodels' in sys.modules)\n"
             "try:\n"
             "    engine.case_from_text(framework, 'id: x\\n', 'c.yaml')\n"
             "except engine.CaseFileError as exc:\n"
             "    print(exc.diagnostics[0].code, 'engine.evaluation.casemodels' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "E500", "True"]

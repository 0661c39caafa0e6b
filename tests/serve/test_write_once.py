"""`POST /assess` writes the assessment's JSON once (service.work.assessment_bytes): the legal bases are read from
the encoded text and the links written after it, instead of `attach_links` walking the data and the JSON being
written with them. The bytes must be those of `kader assess --format json` (cli.py: attach_links, to_json_text
and a line break) for every case kader ships, in every gemeente: a legal basis missed or added would change
the `legal_basis_links` an assessor follows to the text of the law in force (docs/assessment.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

import engine
from engine.evaluation.case import load_case
from engine.language.wetten import attach_links
from service.work import assessment_bytes

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "scenarios").rglob("*.yaml"))


def _reference(framework, case, gemeente) -> bytes:
    return (attach_links(framework, engine.assess(framework, case, gemeente=gemeente)).to_json_text() + "\n").encode()


@pytest.mark.parametrize("path", CASES, ids=lambda p: str(p.relative_to(ROOT / "scenarios")))
def test_written_once_are_the_bytes_of_kader_assess_format_json(framework, path):
    case = load_case(framework, path)
    for gemeente in sorted(framework.profiles):
        written = assessment_bytes(framework, engine.assess(framework, case, gemeente=gemeente))
        assert written == _reference(framework, case, gemeente), (path, gemeente)


def test_the_example_household_carries_its_links_once_and_last(framework):
    """gezin-soest: the Participatiewet and Wmo 2015 articles its outcomes rest on are linked, each once."""
    case = load_case(framework, ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml")
    written = assessment_bytes(framework, engine.assess(framework, case)).decode()
    assert written.count('"legal_basis_links"') == 1
    assert written.rstrip().endswith("]\n  }\n}")
    import json
    links = json.loads(written)["legal_basis_links"]
    assert list(links) == sorted(links) and links
    assert all(ref["url"].startswith("https://wetten.overheid.nl/") for refs in links.values() for ref in refs)


def test_legal_bases_are_read_from_the_text_as_the_walk_finds_them_quotes_and_backslashes_too():
    """A legal basis may hold quotes, backslashes and non-ASCII (a court's ECLI, a title in quotes); a key that
    only ends in `legal_basis`, a list item `legal_basis` and an empty basis are no legal basis."""
    from engine.evaluation.assessment import dumps
    from engine.language.wetten import _bases
    from service.work import _legal_bases
    data = {"a": [{"legal_basis": 'Wmo 2015 art. 2.3.5 "maatwerk" \\ lid 3\\'},
                  {"legal_basis": "Participatiewet art. 35 lid 1 \u2013 ä"}, {"my_legal_basis": "Wet X art. 1"}],
            "b": {"legal_basis": "  ", "list": ["legal_basis", 'x": "legal_basis": "y'],
                  "c": {"legal_basis": "\\\\\"", "legal_basis_links": None}}}
    walked: set[str] = set()
    _bases(data, walked)
    assert _legal_bases(dumps(data).encode()) == walked == {'Wmo 2015 art. 2.3.5 "maatwerk" \\ lid 3\\',
                                                   "Participatiewet art. 35 lid 1 \u2013 ä", '\\\\"'}

"""`kader impact` in the terminal is readable at 80 and 100 columns (issue 14 items 3 and 5): the report is laid
out vertically (what changed in the rules with the text before and after on lines of their own, per municipality
and domain only what changed, entitlement ids whole), with snapshots at 80, 100 and 200 columns like the
assessment. `pytest --update-golden` rewrites the snapshots in tests/snapshots/; review them with `git diff`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

from .conftest import ROOT, RULES
from .test_impact_reporting import proposal  # noqa: F401  (the fixture: Soest 120 % -> 130 %, Baarn 36 -> 30)

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
CASES = "scenarios/werk_inkomen"


def _impact(width: int, rules: Path, monkeypatch, *extra: str) -> str:
    monkeypatch.chdir(ROOT)  # the households' sources are shown relative to the working folder
    runner = CliRunner(env={"COLUMNS": str(width), "NO_COLOR": "1", "KADER_RULES": str(RULES)})
    result = runner.invoke(app, ["impact", CASES, "--base", str(RULES), "--proposal", str(rules), *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def _layout(text: str) -> str:
    """From the rule changes on: the two header lines name the folders and hashes of this run, not the layout."""
    body = text[text.index("Wat veranderde in de regels"):]
    return "\n".join(line.rstrip() for line in body.splitlines()) + "\n"


@pytest.mark.parametrize("width", [80, 100, 200])
def test_the_impact_report_matches_its_snapshot(width, proposal, monkeypatch, request):  # noqa: F811
    text = _layout(_impact(width, proposal, monkeypatch))
    snapshot = SNAPSHOTS / f"impact-werk-inkomen-{width}.txt"
    if request.config.getoption("--update-golden"):
        snapshot.write_text(text, encoding="utf-8")
    assert text == snapshot.read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [80, 100])
def test_impact_lines_fit_and_identifiers_are_never_cut(width, proposal, monkeypatch):  # noqa: F811
    text = _impact(width, proposal, monkeypatch)
    body = _layout(text)
    assert max(len(line) for line in body.splitlines()) <= width
    assert "…" not in body  # nothing shortened: no header squeezed to 'c…', no id cut to 'soest.collectie…'
    data = json.loads(_impact(width, proposal, monkeypatch, "--format", "json"))
    words = set(re.split(r"[\s,;()]+", body))
    identifiers = {p["name"] for p in data["rule_changes"]["parameters"]}
    identifiers |= {r["id"] for r in data["rule_changes"]["rules"]}
    identifiers |= {ident for g in data["by_gemeente"].values() for ident in g["by_aanspraak"]}
    identifiers |= {c["subject"] for c in data["changes"]} | {c["case_id"] for c in data["changes"]}
    for ident in identifiers:
        assert ident in words, ident


def test_a_changed_condition_shows_before_and_after_on_lines_of_their_own(proposal, monkeypatch):  # noqa: F811
    """The Wmo eigen-kracht rule (Wmo 2015 art. 2.3.5 lid 3) reads one more fact in the proposal."""
    lines = _impact(80, proposal, monkeypatch).splitlines()
    at = next(i for i, line in enumerate(lines) if "regel: voorwaarde wmo.eigen_kracht.toereikend" in line)
    assert lines[at + 1].split() == ["voor:", "hulpvraag.eigen_kracht_toereikend"]
    assert lines[at + 2].split() == ["na:", "hulpvraag.eigen_kracht_toereikend", "and", "not"]
    assert lines[at + 3].split() == ["hulpvraag.mantelzorg_beschikbaar"]
    # the continuation stays under the text, not under 'na:'
    assert lines[at + 3].index("hulpvraag") == lines[at + 2].index("hulpvraag")


def test_per_gemeente_and_domein_names_only_what_changed(proposal, monkeypatch):  # noqa: F811
    """Soest's raised income limit (120 % -> 130 % of the norm, rules/gemeenten/soest.yaml) gives three households
    in the werk_inkomen scenarios the eigen-risico and collective-insurance schemes: 6 rights more, and the
    eigen-risico compensation of EUR 385,00 a year each. The third is the aanvraagster who lives with another for
    care (scenarios/werk_inkomen/samenwonen-wegens-zorg-minimanorm-alleenstaande-2026-soest.yaml): EUR 1.800,00
    is above 120 % (1.681,80) and within 130 % (1.821,95) of the alleenstaande norm (Pw art. 3 lid 2 onder a,
    art. 21 onder a: 1.401,50)."""
    text = _impact(100, proposal, monkeypatch)
    block = text[text.index("Per gemeente en domein"):text.index("Verdeling over de ladder")]
    assert [line.strip() for line in block.splitlines()[2:] if line.strip()] == [
        "soest · werk_inkomen  3 casussen", "recht erbij 6; per jaar +€ 1.155,00"]

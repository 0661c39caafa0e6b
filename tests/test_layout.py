"""The assessment is readable at 80 to 200 columns (issue 14 item 3): snapshots at 80, 100 and 200 columns.

`pytest --update-golden` rewrites the snapshots in tests/snapshots/; review them with `git diff`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

from .conftest import ROOT, RULES

EXAMPLE = str(ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml")
EIGEN_BIJDRAGE = str(ROOT / "scenarios" / "wmo" / "rolstoel-en-hbh-een-bijdrage-baarn.yaml")
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


HASH = re.compile(r"sha256:[0-9a-f]{12}…")


def _assess(width: int, case: str = EXAMPLE, *extra: str) -> str:
    runner = CliRunner(env={"COLUMNS": str(width), "NO_COLOR": "1", "KADER_RULES": str(RULES)})
    result = runner.invoke(app, ["assess", case, *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("width", [80, 100, 200])
def test_the_assessment_matches_its_snapshot(width, request):
    # the rule-set hash changes with every rule edit; the snapshot pins the layout, not the hash
    text = HASH.sub("sha256:<regelset>…", "\n".join(line.rstrip() for line in _assess(width).splitlines()) + "\n")
    snapshot = SNAPSHOTS / f"assess-gezin-soest-{width}.txt"
    if request.config.getoption("--update-golden"):
        snapshot.write_text(text, encoding="utf-8")
    assert text == snapshot.read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [80, 100])
def test_lines_fit_and_identifiers_are_never_cut(width):
    text = _assess(width)
    assert max(len(line.rstrip()) for line in text.splitlines()) <= width
    assert "…" not in HASH.sub("", text)  # only the rule-set hash is shortened
    data = json.loads(_assess(width, EXAMPLE, "--format", "json"))
    words = set(text.split())
    identifiers = {p["provision"] for p in data["proposals"] if p["provision"]}
    identifiers |= {rule for p in data["proposals"] for rule in p["rules"]}
    identifiers |= {m["fact"] for m in data["missing_facts"]} | {s["rule"] for s in data["signals"]}
    for ident in identifiers:
        assert ident in words or f"({ident})" in words or any(w.startswith(ident) for w in words), ident


def test_each_hulpvraag_is_laid_out_vertically(width=100):
    text = _assess(width)
    block = text[text.index("Hulpvraag hv3"):text.index("Aanspraken")]
    lines = [line.strip() for line in block.splitlines()]
    assert lines[1].startswith("Voorstel") and "Algemene bijstand (levensonderhoud) (niveau 3)" in lines[1]
    assert "werk_inkomen.algemene_bijstand" in lines[2]
    assert any(line.startswith("Niet lichter") for line in lines)


def test_a_signal_raised_by_two_rules_is_shown_once_with_both(width=100):
    text = _assess(width)
    assert text.count("Bied een eerste gesprek schuldhulpverlening aan (schuldhulp)") == 1
    section = text[text.index("(schuldhulp)"):]
    assert "integraal.schulden_in_wmo_of_jeugd" in section.split("signaal")[0]
    assert "werk_inkomen.pw.schulden_gesignaleerd" in section.split("signaal")[0]


def test_an_eigen_bijdrage_reads_as_what_the_client_pays():
    # Wmo 2015 art. 2.1.4a lid 4: one abonnementstarief of € 21,80 per month for all maatwerk together (2026)
    text = _assess(100, EIGEN_BIJDRAGE)
    section = text[text.index("Aanspraken"):]
    assert "betaalt" in section and "de cliënt betaalt € 21,80 per maand" in section
    assert "recht" not in section.split("Termijnen")[0]


def test_explain_lists_only_the_parameters_the_assessment_read(runner):
    out = runner.invoke(app, ["explain", EXAMPLE]).stdout
    listed = out[out.index("Parameters die de beoordeling las"):]
    assert "norm_gehuwden_21 = 2002.13" in listed  # Participatiewet art. 21 onder b, the couple's norm
    assert "norm_alleenstaande_21" not in listed and "abonnementstarief" not in listed

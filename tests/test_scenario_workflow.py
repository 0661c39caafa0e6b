"""`kader test` for checking a change (issue 14 item 7): --failed, -k, a Dutch diff by id, --update with --yes."""

from __future__ import annotations

import json
import shutil

import pytest

from cli import app

from .conftest import ROOT

EXAMPLE = ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml"


@pytest.fixture()
def folder(tmp_path):
    """The example scenario twice: once as it is (passes), once expecting a wrong bijstand amount and term date."""
    target = tmp_path / "scenarios"
    target.mkdir()
    shutil.copy(EXAMPLE, target / "gezin-soest.yaml")
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('bedrag: "885.18"', 'bedrag: "900.00"').replace("{id: wmo_onderzoek, date: 2026-04-07}",
                                                                       "{id: wmo_onderzoek, date: 2026-04-08}")
    text = text.replace("name: ", "name: Verkeerd verwacht, ", 1)
    (target / "gezin-soest-fout.yaml").write_text(text, encoding="utf-8")
    return target


def test_the_diff_names_what_differs_by_id_in_dutch(runner, folder):
    result = runner.invoke(app, ["test", str(folder)])
    assert result.exit_code == 1
    out = result.stdout
    # Participatiewet art. 22a lid 1: the bijstand of this household is € 885,18 (tests/test_cli.py)
    assert "    aanspraak algemene_bijstand, bedrag: andere waarde\n      verwacht: 900.00\n      kreeg:    885.18" in out
    # Wmo 2015 art. 2.3.2 lid 1 with the Algemene termijnenwet: 7 April 2026, after Easter Monday
    assert "    termijn wmo_onderzoek, date: andere waarde\n      verwacht: 2026-04-08\n      kreeg:    2026-04-07" in out
    assert "values changed" not in out
    data = json.loads(runner.invoke(app, ["test", str(folder), "--format", "json"]).stdout)
    failing = next(r for r in data["results"] if not r["passed"])
    assert {"subject": "aanspraak algemene_bijstand", "field": "bedrag", "message": "andere waarde"}.items() \
        <= failing["differences"][0].items()


def test_failed_shows_only_failures(runner, folder):
    out = runner.invoke(app, ["test", str(folder), "--failed"]).stdout
    assert "✗ Verkeerd verwacht" in out and "✓" not in out
    assert out.strip().endswith("1 geslaagd, 1 mislukt")


def test_k_selects_by_file_or_name(runner, folder):
    by_file = runner.invoke(app, ["test", str(folder), "-k", "soest-fout"])
    assert by_file.exit_code == 1 and by_file.stdout.strip().endswith("0 geslaagd, 1 mislukt")
    by_name = runner.invoke(app, ["test", str(folder), "-k", "VERKEERD"])
    assert by_name.stdout.strip().endswith("0 geslaagd, 1 mislukt")
    none = runner.invoke(app, ["test", str(folder), "-k", "bestaat-niet"])
    assert none.exit_code == 1 and none.stdout.strip().endswith("0 geslaagd, 0 mislukt")


def test_update_without_a_terminal_needs_yes(runner, folder):
    before = (folder / "gezin-soest-fout.yaml").read_text(encoding="utf-8")
    result = runner.invoke(app, ["test", str(folder), "--update"])
    assert result.exit_code == 2
    assert "--update:1:1: error[E726]: --update schrijft scenariobestanden: zonder terminal alleen met --yes" in result.stderr
    assert (folder / "gezin-soest-fout.yaml").read_text(encoding="utf-8") == before


def test_update_with_yes_shows_the_diff_then_writes_the_outcome(runner, folder):
    path = folder / "gezin-soest-fout.yaml"
    before = path.read_text(encoding="utf-8")
    result = runner.invoke(app, ["test", str(folder), "--update", "--yes"])
    assert result.exit_code == 0, result.output
    assert "aanspraak algemene_bijstand, bedrag: andere waarde" in result.stdout  # the diff, shown first
    assert result.stderr.strip() == f"bijgewerkt: {path}"
    after = path.read_text(encoding="utf-8")
    assert "{id: algemene_bijstand, eligible: true, norm: '1735.18', bedrag: '885.18'}" in after
    assert "{id: wmo_onderzoek, date: '2026-04-07'}" in after
    assert after.split("expected:")[0] == before.split("expected:")[0]  # name, case and comments as written
    again = runner.invoke(app, ["test", str(folder)])
    assert again.exit_code == 0 and again.stdout.strip().endswith("2 geslaagd, 0 mislukt")

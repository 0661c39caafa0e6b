"""`kader impact` says what changed in the rules first, and writes files it can name (issue 14 item 5)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli import app

from .conftest import ROOT, RULES

CASES = ROOT / "scenarios" / "werk_inkomen"


@pytest.fixture()
def proposal(tmp_path) -> Path:
    """Soest raises its minima schemes' income limit from 120 % to 130 % of the norm (the percentage a
    municipality may set within the framework's bounds, rules/gemeenten/soest.yaml minima_schemes), Baarn shortens
    its IIT reference period (override point iit_referteperiode_maanden), and the Wmo eigen-kracht rule reads one
    more fact."""
    target = tmp_path / "voorstel"
    shutil.copytree(RULES, target)
    soest = target / "gemeenten" / "soest.yaml"
    soest.write_text(soest.read_text(encoding="utf-8").replace('percentage: "120"', 'percentage: "130"'), encoding="utf-8")
    baarn = target / "gemeenten" / "baarn.yaml"
    baarn.write_text(baarn.read_text(encoding="utf-8").replace("{from: 2024-01-01, value: 36}",
                                                               "{from: 2024-01-01, value: 30}"), encoding="utf-8")
    wmo = target / "wmo" / "algemeen.yaml"
    text = wmo.read_text(encoding="utf-8")
    old = "    when: hulpvraag.eigen_kracht_toereikend\n"
    assert old in text
    wmo.write_text(text.replace(old, "    when: hulpvraag.eigen_kracht_toereikend and not hulpvraag.mantelzorg_beschikbaar\n",
                                1), encoding="utf-8")
    return target


def _impact(runner, proposal, *args):
    return runner.invoke(app, ["impact", str(CASES), "--base", str(RULES), "--proposal", str(proposal), *args])


def test_the_json_says_what_changed_in_the_rules(runner, proposal):
    result = _impact(runner, proposal, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data)[:3] == ["base", "proposal", "rule_changes"]
    changes = data["rule_changes"]
    parameters = {(p["name"], p["gemeente"]): p for p in changes["parameters"]}
    assert parameters[("soest.leergeld.percentage", "soest")]["before"] == "120"
    assert parameters[("soest.leergeld.percentage", "soest")]["after"] == "130"
    referte = parameters[("iit_referteperiode_maanden", "baarn")]
    assert (referte["before"][0]["value"], referte["after"][0]["value"]) == ("36", "30")
    assert ("iit_referteperiode_maanden", "soest") not in parameters  # Soest's own override did not change
    rule = next(r for r in changes["rules"] if r["id"] == "wmo.eigen_kracht.toereikend")
    assert rule["when_before"] == "hulpvraag.eigen_kracht_toereikend"
    assert rule["when_after"] == "hulpvraag.eigen_kracht_toereikend and not hulpvraag.mantelzorg_beschikbaar"
    # the raised percentage is named as the cause of every change it made (minima-soest-gezin-een-cent-boven-110)
    assert any(name.endswith(".percentage") and name.startswith("soest.") for name in data["by_parameter"])
    assert data["names"]["soest.eigen_risico"] == "Vergoeding eigen risico zorgverzekering"


def test_added_and_removed_rules_and_provisions_are_listed(runner, proposal):
    soest = proposal / "gemeenten" / "soest.yaml"
    text = soest.read_text(encoding="utf-8")
    start = text.index("provisions:\n")
    end = text.index("minima_schemes:\n")
    soest.write_text(text[:start] + text[end:], encoding="utf-8")  # GOOS, Soest's voorveld for money, is removed
    data = json.loads(_impact(runner, proposal, "--format", "json").stdout)
    assert data["rule_changes"]["removed"]["provisions"] == [
        {"id": "soest.goos", "name": "Geld op Orde Soest (GOOS), inlooppunt geldzaken"}]


def test_the_table_starts_with_the_rule_changes(runner, proposal):
    result = _impact(runner, proposal)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("Wat veranderde in de regels") < out.index("casussen,")
    assert "soest.leergeld.percentage" in out and "36 vanaf 2024-01-01" in out


@pytest.mark.parametrize("name,start", [("impact.json", "{"), ("impact.HTML", "<!DOCTYPE html>")])
def test_out_takes_the_format_from_the_extension_and_says_what_it_wrote(runner, proposal, tmp_path, name, start):
    out = tmp_path / name
    result = _impact(runner, proposal, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith(start)
    assert result.stdout == ""
    assert result.stderr.strip().endswith(f"geschreven: {out}")


def test_out_with_an_unknown_extension_is_refused(runner, proposal, tmp_path):
    result = _impact(runner, proposal, "--out", str(tmp_path / "impact.txt"))
    assert result.exit_code == 2
    assert "--out:1:1: error[E725]: kan het formaat niet afleiden uit 'impact.txt'; gebruik de extensie .json of " \
           ".html, of geef --format" in result.stderr
    assert not (tmp_path / "impact.txt").exists()


def test_the_html_has_one_row_per_household_with_names(runner, proposal, tmp_path):
    out = tmp_path / "impact.html"
    assert _impact(runner, proposal, "--out", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    data = json.loads(_impact(runner, proposal, "--format", "json").stdout)
    households = {(c["case_id"], c["source"]) for c in data["changes"]}
    section = page[page.index("<h2>Gewijzigde casussen"):]
    section = section[:section.index("</section>")]
    assert section.count("<tr><td>") == len(households) > 0
    assert "Vergoeding eigen risico zorgverzekering <code>soest.eigen_risico</code>" in section
    assert "<h2>Wat veranderde in de regels</h2>" in page
    assert "overflow-wrap:anywhere" not in page and "word-break:normal" in page

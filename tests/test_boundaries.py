"""Coverage adds the boundaries the scenarios cross (issue 14 item 7): for each threshold a rule reads."""

from __future__ import annotations

import json

from cli import app

from .conftest import ROOT

EIGHTEEN = str(ROOT / "scenarios" / "jeugd" / "24-achttiende-verjaardag-soest.yaml")
DAY_BEFORE = str(ROOT / "scenarios" / "jeugd" / "25-dag-voor-achttien-soest.yaml")
MINDERJARIG = "persoon.leeftijd < jeugdwet_leeftijdsgrens"  # Jeugdwet art. 1.1: a jeugdige is under 18


def _boundaries(runner, *paths):
    result = runner.invoke(app, ["test", *paths, "--coverage", "--format", "json"])
    return json.loads(result.stdout)["coverage"]["boundaries"]


def _find(items, rule, condition):
    return [item for item in items if item["rule"] == rule and item["condition"] == condition]


def test_a_boundary_tested_from_one_side_is_listed(runner):
    # on the 18th birthday the youth is no longer minderjarig: only the 'onwaar' side of the age limit
    found = _boundaries(runner, EIGHTEEN)
    one = _find(found["one_side"], "jeugd.jeugdige.minderjarig", MINDERJARIG)
    assert one and one[0]["sides"] == ["onwaar"] and one[0]["file"].endswith("rules/jeugd/leeftijd.yaml")


def test_the_day_before_and_the_birthday_together_cover_both_sides(runner):
    found = _boundaries(runner, EIGHTEEN, DAY_BEFORE)
    assert not _find(found["one_side"] + found["never"], "jeugd.jeugdige.minderjarig", MINDERJARIG)
    assert found["both_sides"] >= 1 and found["total"] > 50


def test_the_text_report_names_the_one_sided_boundaries(runner):
    out = runner.invoke(app, ["test", EIGHTEEN, "--coverage"]).stdout
    assert "Grenzen in de regels: " in out and "Grenzen maar aan één kant getest" in out
    assert f"jeugd.jeugdige.minderjarig: {MINDERJARIG}  alleen onwaar" in out

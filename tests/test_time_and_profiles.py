"""The value in force on the peildatum, municipal overrides, and rules valid for a period."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import yaml

import engine

BASE = Path(__file__).resolve().parent / "diagnostics" / "base"
D = dt.date


def test_the_value_in_force_on_the_peildatum(framework):
    norm = framework.parameters["norm_alleenstaande_21"]
    assert norm.at(D(2023, 12, 31)) is None
    assert norm.at(D(2024, 1, 1)) == (Decimal("1283.83"), D(2024, 1, 1))
    assert norm.at(D(2024, 6, 30)) == (Decimal("1283.83"), D(2024, 1, 1))
    assert norm.at(D(2024, 7, 1)) == (Decimal("1308.45"), D(2024, 7, 1))
    assert norm.at(D(2030, 1, 1)) == (Decimal("1419.46"), D(2026, 7, 1))


def test_an_explicit_until_ends_a_value():
    from engine.errors import Span
    from engine.language.framework import ParameterDef
    parameter = ParameterDef("x", "geld", "EUR", "test", (D(2024, 1, 1),), (D(2024, 12, 31),), (Decimal("1.00"),),
                             (None,), None, None, Span("x"))
    assert parameter.at(D(2024, 12, 31)) == (Decimal("1.00"), D(2024, 1, 1))
    assert parameter.at(D(2025, 1, 1)) is None


def test_a_municipal_override_is_used_with_its_decision(tmp_path):
    root = tmp_path / "rules"
    shutil.copytree(BASE, root)
    framework = engine.load_framework(root, cache=False)
    assert framework.parameter("korting", "soest").values == (Decimal("10"),)
    assert framework.parameter("korting", "soest").decision == "Verordening soest (test)"
    assert framework.parameter("tarief", "soest") is framework.parameters["tarief"]


def test_the_trace_shows_which_municipal_decision_set_a_value(framework):
    case = engine.load_case(framework, Path(__file__).resolve().parent.parent / "scenarios" / "voorbeelden" / "gezin-soest.yaml")
    used = engine.assess(framework, case).trace.parameters["iit_referteperiode_maanden"]
    assert used["value"] == "36" and used["decision"].startswith("Verordening individuele inkomenstoeslag Soest")


def test_a_rule_applies_only_within_its_validity(tmp_path):
    root = tmp_path / "rules"
    shutil.copytree(BASE, root)
    (root / "wmo" / "tijd.yaml").write_text("""
rules:
  - id: wmo.vanaf_2026
    title: Vanaf 2026
    legal_basis: "Wmo 2015"
    when: hulpvraag.onderwerp == "huishouden"
    then: [{signal: schuldhulp}]
    reason: nieuw beleid
    valid_from: 2026-01-01
    valid_until: 2026-06-30
""")
    framework = engine.load_framework(root, cache=False)
    fired = {}
    for peildatum in ("2025-12-31", "2026-01-01", "2026-06-30", "2026-07-01"):
        data = {"id": "t", "gemeente": "baarn", "peildatum": peildatum,
                "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1980-01-01"}]},
                "hulpvragen": [{"id": "hv1", "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1"}]}
        result = engine.assess(framework, engine.case_from_text(framework, yaml.safe_dump(data), "t.yaml"))
        fired[peildatum] = [s["id"] for s in result.signals]
    assert fired == {"2025-12-31": [], "2026-01-01": ["schuldhulp"], "2026-06-30": ["schuldhulp"], "2026-07-01": []}

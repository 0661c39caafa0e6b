"""Municipal room declared where the law leaves it, and only there (issue 11 item 8).

- Participatiewet art. 35 lid 3: categorical bijzondere bijstand is only the collective supplementary health
  insurance (or its premium); a profile that declares a flat refund with only an income test on that basis is
  refused (E409), and every minima scheme names the legal basis it really has.
- art. 35 lid 1: the vermogen exemption of art. 34 lid 2 does not apply to bijzondere bijstand; freeing vermogen is
  college policy: an override point between 0 and 100 % of the vermogensgrens.
"""

from __future__ import annotations

from decimal import Decimal

import engine

from .conftest import make_case, person


def _profile(rules_copy, name: str, old: str, new: str):
    path = rules_copy / "gemeenten" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return engine.check_rules(rules_copy)


def test_a_flat_refund_declared_as_categorical_bijzondere_bijstand_is_refused(rules_copy):
    framework, diagnostics = _profile(rules_copy, "baarn.yaml", "    grondslag: individuele_bijzondere_bijstand\n",
                                      "    grondslag: categoriale_bijzondere_bijstand\n")
    assert framework is None
    found = [d for d in diagnostics if d.code == "E409"]
    assert len(found) == 1 and "art. 35 lid 3" in found[0].message


def test_a_scheme_without_its_legal_basis_is_refused(rules_copy):
    framework, diagnostics = _profile(rules_copy, "baarn.yaml", "    grondslag: gemeentelijke_regeling\n", "")
    assert framework is None and any("grondslag" in d.message for d in diagnostics)


def test_the_collective_insurance_is_the_only_categorical_scheme_and_cites_art_35_lid_3(framework):
    found = {}
    for profile in framework.profiles.values():
        for ident, entitlement in profile.entitlements.items():
            found[ident] = entitlement.legal_basis
    assert "art. 35 lid 3" in found["soest.collectieve_zorgverzekering"]
    others = [i for i, basis in found.items() if "art. 35 lid 3" in basis and i != "soest.collectieve_zorgverzekering"]
    assert others == []
    assert "art. 35 lid 1" in found["soest.eigen_risico"] and "art. 35 lid 1" in found["baarn.eigen_risico"]


def _draagkracht(framework, vermogen: str) -> Decimal:
    case = make_case(framework, vermogen={"totaal": vermogen},
                     huishouden={"personen": [person("p1", "aanvrager", "1980-05-01")], "woonsituatie": "huurwoning"},
                     hulpvragen=[{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "bijzondere_kosten",
                                  "persoon": "p1"}])
    result = engine.assess(framework, case)
    return result.trace.source[1].base["huishouden.draagkracht_bijzondere_bijstand"]


def test_freeing_vermogen_for_bijzondere_bijstand_is_a_municipal_choice_within_0_to_100(framework, rules_copy):
    # 2026 vermogensgrens alleenstaande 8000 (art. 34 lid 3); no income: draagkracht is the vermogen not freed
    assert _draagkracht(framework, "9000.00") == Decimal("1000.00")  # framework default: 100 % freed
    local, diagnostics = _profile(rules_copy, "baarn.yaml", "overrides:\n", """overrides:
  bijzondere_bijstand_vrij_vermogen_percentage:
    decision: "proef: beleidsregels bijzondere bijstand"
    values:
      - {from: 2024-01-01, value: "50"}
""")
    assert local is not None, diagnostics
    assert _draagkracht(local, "9000.00") == Decimal("5000.00")  # 9000 - 50 % of 8000

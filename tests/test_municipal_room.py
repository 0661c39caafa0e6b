"""Municipal room declared where the law leaves it, and only there (issue 11 item 8).

- Wmo 2015 art. 2.1.4 lid 3: whether an algemene voorziening carries the abonnementstarief is the verordening's
  choice: a provision's `eigen_bijdrage_parameter` (a 0/1 override point) switches it per municipality.

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


def _hbh_case(framework, gemeente: str):
    """A client who keeps the regie over her household: the algemene voorziening hulp bij het huishouden (level 1)."""
    return make_case(
        framework, gemeente=gemeente, peildatum="2026-03-02",
        huishouden={"personen": [person("p1", "aanvrager", "1950-02-14", beperkt=True)], "woonsituatie": "huurwoning"},
        inkomen=[{"persoon": "p1", "soort": "pensioen", "netto_per_maand": "2600.00"}],
        hulpvragen=[{"id": "hv1", "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1",
                     "feiten": {"eigen_kracht_toereikend": False, "algemeen_gebruikelijke_voorziening": False,
                                "mantelzorg_beschikbaar": False, "regie_over_huishouden": True}}])


def _bijdrage(framework, gemeente: str):
    result = engine.assess(framework, _hbh_case(framework, gemeente))
    assert result.proposals[0]["provision"] == "wmo.hbh_algemene_voorziening"
    return next((e for e in result.entitlements if e["id"] == "wmo_eigen_bijdrage"), None)


OVERRIDE = """  abonnementstarief_hbh_algemene_voorziening:
    decision: "Verordening maatschappelijke ondersteuning (testwaarde): de algemene voorziening hbh is niet aangewezen"
    values:
      - {{from: 2024-01-01, value: {value}}}
"""


def test_whether_the_algemene_voorziening_carries_the_abonnementstarief_is_the_verordenings_choice(rules_copy):
    """Wmo 2015 art. 2.1.4 lid 3: the verordening decides whether an algemene voorziening carries the
    abonnementstarief; the framework declares it an override point (0 or 1) with the kader default 1."""
    framework = engine.load_framework(rules_copy)
    assert _bijdrage(framework, "soest")["bedrag"] == "21.80"  # art. 2.1.4a lid 4, 2026
    framework, diagnostics = _profile(rules_copy, "soest.yaml", "overrides:\n", "overrides:\n" + OVERRIDE.format(value=0))
    assert framework is not None, [d.message for d in diagnostics]
    assert _bijdrage(framework, "soest") is None  # not designated: no abonnementstarief for it
    assert _bijdrage(framework, "baarn")["bedrag"] == "21.80"  # the other municipalities keep the framework's 1


def test_the_abonnementstarief_switch_is_bounded_to_0_or_1(rules_copy):
    framework, diagnostics = _profile(rules_copy, "soest.yaml", "overrides:\n", "overrides:\n" + OVERRIDE.format(value=2))
    assert framework is None and [(d.code, "0 tot en met 1" in d.message) for d in diagnostics] == [("E404", True)]


def test_an_eigen_bijdrage_parameter_that_is_no_0_or_1_switch_is_refused(rules_copy):
    path = rules_copy / "wmo" / "voorzieningen.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("eigen_bijdrage_parameter: abonnementstarief_hbh_algemene_voorziening",
                                 "eigen_bijdrage_parameter: abonnementstarief", 1), encoding="utf-8")
    framework, diagnostics = engine.check_rules(rules_copy)
    assert framework is None and [d.code for d in diagnostics] == ["E134"]

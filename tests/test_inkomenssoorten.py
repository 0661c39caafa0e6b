"""Not every income is middelen (Participatiewet art. 31 lid 2): the income kinds are a declared vocabulary in
kader.yaml, each with how it counts for algemene bijstand, bijzondere bijstand (art. 35 lid 1), minima and the Wmo
bijdrage. Property: across generated incomes, the bijstand counts exactly the kinds the rules say count."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.language.registry import INKOMENSSOORTEN

from .conftest import examples, make_case, person

NOT_MIDDELEN = {"toeslag": "art. 31 lid 2 onder d", "kinderbijslag": "art. 31 lid 2 onder b"}

amounts = st.decimals(min_value=0, max_value=1500, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=examples(80))
@given(entries=st.lists(st.tuples(st.sampled_from(("p1", "p2", "h1")), st.sampled_from(INKOMENSSOORTEN), amounts),
                        max_size=6))
def test_bijstand_counts_the_kinds_of_art_31_and_bijzondere_bijstand_counts_all(framework, entries):
    people = [person("p1", "aanvrager", "1985-01-01"), person("p2", "partner", "1986-01-01"),
              person("h1", "huisgenoot", "1999-01-01", commerciele_huurder=True)]
    case = make_case(framework, huishouden={"personen": people, "woonsituatie": "huurwoning"},
                     inkomen=[{"persoon": p, "soort": s, "netto_per_maand": str(a)} for p, s, a in entries])
    result = engine.assess(framework, case)
    gezin = [(s, a) for p, s, a in entries if p in ("p1", "p2")]  # PW art. 4: aanvrager and partner
    middelen = sum((a for s, a in gezin if s not in NOT_MIDDELEN), Decimal("0.00"))
    item = next(e for e in result.entitlements if e["id"] == "algemene_bijstand")
    norm = Decimal(item["norm"])  # art. 21 onder b, gehuwden
    assert norm == Decimal("2002.13")
    if item["eligible"]:
        assert Decimal(item["bedrag"]) == max(Decimal("0.00"), norm - middelen)
    else:
        assert middelen >= norm
    facts = result.trace.source[1].base
    assert facts["casus.inkomen"] == middelen
    assert facts["casus.inkomen_bijzondere_bijstand"] == sum((a for _, a in gezin), Decimal("0.00"))


def test_every_contract_kind_has_a_treatment_with_a_legal_basis(framework):
    assert set(framework.inkomenssoorten) == set(INKOMENSSOORTEN)
    for kind, article in NOT_MIDDELEN.items():
        assert framework.inkomenssoorten[kind] == {"bijstand": False, "bijzondere_bijstand": True, "minima": False,
                                                   "wmo_bijdrage": False}, article


def test_a_kind_without_treatment_or_outside_the_contract_is_refused(rules_copy):
    path = rules_copy / "kader.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  kinderbijslag:\n    title:", "  kinderbijslag_x:\n    title:", 1)
    path.write_text(text, encoding="utf-8")
    framework, diagnostics = engine.check_rules(rules_copy)
    codes = {d.code for d in diagnostics}
    assert framework is None and {"E147", "E148"} <= codes

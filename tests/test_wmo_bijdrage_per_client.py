"""The Wmo bijdrage is owed per client (Wmo 2015 art. 2.1.4a lid 4: per ongehuwde cliënt of per echtpaar) and its
exemptions apply to that client and that client's spouse (Uitvoeringsbesluit Wmo 2015 art. 3.8 lid 3 onder e en f).
Property: across generated households and sets of clients, the household pays 21.80 (2026) per unit that owes."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st

import engine

from .conftest import examples, make_case, person

MOBILITEIT = {"eigen_kracht_toereikend": False, "algemeen_gebruikelijke_voorziening": False,
              "gebruikelijke_hulp_toereikend": False, "mantelzorg_beschikbaar": False,
              "algemene_voorziening_toereikend": False, "collectief_vervoer_bruikbaar": False}
TARIEF_2026 = Decimal("21.80")  # CAK, abonnementstarief 2026


@settings(max_examples=examples(60))
@given(partner=st.booleans(), others=st.lists(st.sampled_from(("kind", "huisgenoot")), max_size=2),
       years=st.lists(st.integers(1940, 2006), min_size=4, max_size=4), clients=st.lists(st.booleans(), min_size=4,
                                                                                         max_size=4))
def test_one_bijdrage_per_unmarried_client_or_couple_each_with_its_own_exemptions(framework, partner, others, years,
                                                                                  clients):
    roles = ["aanvrager"] + (["partner"] if partner else []) + others
    people = [person(f"p{i}", rol, f"{years[i]}-03-01", beperkt=True) for i, rol in enumerate(roles)]
    chosen = [i for i in range(len(roles)) if clients[i]] or [0]
    hulpvragen = [{"id": f"hv{i}", "domein": "wmo", "onderwerp": "mobiliteit", "persoon": f"p{i}",
                   "feiten": dict(MOBILITEIT)} for i in chosen]
    case = make_case(framework, peildatum="2026-03-10", melddatum="2026-02-02", aanvraagdatum="2026-03-09",
                     huishouden={"personen": people, "woonsituatie": "huurwoning"}, inkomen=None, vermogen=None,
                     feiten={"onderzoek_afgerond": True}, hulpvragen=hulpvragen)
    result = engine.assess(framework, case)
    if any(p["provision"] != "wmo.individuele_vervoersvoorziening" for p in result.proposals):
        event("andere route")
        return  # another route (e.g. the Jeugdwet for a minor): not what this property is about
    aow = {pid: d.get("persoon.aow_leeftijd_bereikt") for pid, d in result.trace.person_derived.items()}
    units = 0
    couple = [i for i in chosen if roles[i] in ("aanvrager", "partner")]
    if couple:
        exempt_f = partner and (not aow["p0"] or not aow["p1"])  # UB art. 3.8 lid 3 onder f
        units += 0 if exempt_f else 1
        if not partner:
            units = 1  # an unmarried aanvrager is a client of his own
    units += sum(1 for i in chosen if roles[i] not in ("aanvrager", "partner"))
    item = next(e for e in result.entitlements if e["id"] == "wmo_eigen_bijdrage")
    assert Decimal(item["bedrag"]) == TARIEF_2026 * units
    assert item["eligible"] is (units > 0)
    event(f"{units} bijdragen")


def _minima_framework(tmp_path):
    """The rules with Soest using its room to exempt minima from the bijdrage (Wmo 2015 art. 2.1.4a lid 5 onder b;
    no gemeente does so today, so the room is exercised through an override in a copy of the rules)."""
    import shutil

    from .conftest import RULES
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    soest = rules / "gemeenten" / "soest.yaml"
    text = soest.read_text(encoding="utf-8")
    override = ("overrides:\n  wmo_bijdrage_minima_percentage:\n    decision: test van de gemeentelijke ruimte\n"
                "    values:\n      - {from: 2024-01-01, value: 120}\n")
    assert "overrides:\n" in text
    soest.write_text(text.replace("overrides:\n", override, 1), encoding="utf-8")
    return engine.load_framework(rules)


def _mobility_case(framework, inkomen):
    return make_case(framework, gemeente="soest", peildatum="2026-03-10", melddatum="2026-02-02",
                     aanvraagdatum="2026-03-09",
                     huishouden={"personen": [person("p1", "aanvrager", "1950-03-01", beperkt=True)],
                                 "woonsituatie": "huurwoning"},
                     inkomen=inkomen, vermogen=None, feiten={"onderzoek_afgerond": True},
                     hulpvragen=[{"id": "hv1", "domein": "wmo", "onderwerp": "mobiliteit", "persoon": "p1",
                                  "feiten": dict(MOBILITEIT)}])


def test_an_exemption_the_case_cannot_decide_leaves_the_per_client_bijdrage_open(tmp_path):
    """A bijdrage per client is not `recht` while a rule that exempts the client cannot be decided: with Soest's
    minima exemption (UB Wmo 2015 art. 3.8 lid 2; Wmo 2015 art. 2.1.4a lid 5 onder b) and no income given, the
    bijdrage is onbekend, names the exemption rule and the income it waits on, and says what it would be."""
    framework = _minima_framework(tmp_path)
    open_ = engine.assess(framework, _mobility_case(framework, None))
    item = next(e for e in open_.entitlements if e["id"] == "wmo_eigen_bijdrage")
    assert (item["eligible"], item["status"], item["bedrag"]) == (None, "onbekend", None)
    assert item["pending_rules"] == ["wmo.bijdrage.minima"]
    assert item["bedrag_indien_recht"] == "21.80"
    assert any(w["fact"] == "casus.inkomen" for w in item["waits_on"]), item["waits_on"]
    low = engine.assess(framework, _mobility_case(framework, [{"persoon": "p1", "soort": "uitkering",
                                                               "netto_per_maand": "1200.00"}]))
    item = next(e for e in low.entitlements if e["id"] == "wmo_eigen_bijdrage")
    assert (item["eligible"], item["bedrag"], item["rules"]) == (False, "0.00", ["wmo.bijdrage.minima"])
    high = engine.assess(framework, _mobility_case(framework, [{"persoon": "p1", "soort": "uitkering",
                                                                "netto_per_maand": "4000.00"}]))
    item = next(e for e in high.entitlements if e["id"] == "wmo_eigen_bijdrage")
    assert (item["eligible"], item["bedrag"]) == (True, "21.80")

"""A derived value the law leaves undetermined by the case's facts (`onbepaald`, docs/rule-language.md), issue 11
item 1 with item 7: with an established presumption of Participatiewet art. 3 lid 4 (tekst vanaf 2026-01-01), or
with the other's income counted although art. 3 lid 2 onder a makes him no partner, kader gives no amount and no
right for algemene bijstand (never the amount it would compute for a single person), names the reason with its
legal basis among the missing facts, and computes again once the facts decide it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.language.calc import UNKNOWN
from engine.language.ir import Undetermined

from .conftest import examples, make_case, person

PRESUMPTIONS = ("gehuwd_geweest_met_huisgenoot", "kind_met_huisgenoot", "samenlevingscontract_met_huisgenoot",
                "geregistreerd_met_huisgenoot")


def _born(day: dt.date, years: int) -> str:
    return day.replace(year=day.year - years, day=min(day.day, 28)).isoformat()


def _assess(framework, people, day, feiten, inkomen=(), vermogen="0.00", kinderen=0):
    people = people + [person(f"k{i}", "kind", _born(day, 4 + i)) for i in range(kinderen)]
    case = make_case(
        framework, peildatum=day.isoformat(), huishouden={"personen": people, "woonsituatie": "huurwoning"},
        inkomen=list(inkomen), vermogen={"totaal": vermogen}, feiten=feiten,
        hulpvragen=[{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1",
                     "feiten": {"voorliggende_voorziening": False}}])
    result = engine.assess(framework, case)
    return next(e for e in result.entitlements if e["id"] == "algemene_bijstand"), result


households = dict(
    day=st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), which=st.sampled_from(PRESUMPTIONS),
    aanvrager=st.integers(21, 60), huisgenoot=st.integers(18, 80), kinderen=st.integers(0, 2),
    loon=st.sampled_from(["0.00", "250.00", "1800.00", "3000.00"]),
    vermogen=st.sampled_from(["0.00", "8000.00", "20000.00"]))


@settings(max_examples=examples(40), deadline=None)
@given(care=st.booleans(), **households)
def test_spec_an_established_presumption_of_art_3_lid_4_leaves_the_bijstand_undetermined_never_a_single_amount(
        framework, day, which, aanvrager, huisgenoot, kinderen, loon, vermogen, care):
    """Participatiewet art. 3 lid 4 onder a-d (from 2026): an adult housemate who is no relative, with one
    presumption established, is a partner; the case enters him as a housemate, so the single person's norm kader
    would compute does not hold. No right, no amount, no norm, no 'bedrag_indien_recht'; the missing facts give the
    reason with art. 3 lid 4 as `onbepaald:huishouden.bijstandsnorm`, decisive. A care need as the established reason
    to live together (art. 3 lid 2 onder a) removes the presumption: then right and amount are computed (a bool and
    an amount or 0.00), as for any housemate."""
    people = [person("p1", "aanvrager", _born(day, aanvrager)), person("h1", "huisgenoot", _born(day, huisgenoot))]
    feiten = {name: name == which for name in PRESUMPTIONS}
    if care:
        feiten["samenwonen_wegens_zorgbehoefte"] = True
    item, result = _assess(framework, people, day, feiten, [{"persoon": "h1", "soort": "loon",
                                                              "netto_per_maand": loon}], vermogen, kinderen)
    entries = [m for m in result.missing_facts if m["fact"] == "onbepaald:huishouden.bijstandsnorm"]
    if care:
        assert entries == []
        if item["eligible"] is not None:  # (a young aanvrager's zoektermijn may still be undecided)
            assert item["bedrag"] is not None and Decimal(item["norm"]) > 0
        return
    assert (item["eligible"], item["bedrag"], item["norm"], item["status"]) == (None, None, None, "onbekend")
    assert "bedrag_indien_recht" not in item
    assert len(entries) == 1 and entries[0]["impact"] == "beslissend"
    assert entries[0]["legal_basis"].startswith("Participatiewet art. 3 lid 2 onder a, lid 3 en lid 4") and "Voer hem in als partner" in entries[0]["question"]
    assert "algemene_bijstand.inkomen_onder_norm" in entries[0]["rules"]
    assert any(w["fact"] == "onbepaald:huishouden.bijstandsnorm" for w in item["waits_on"])
    leefvorm = [m for m in result.missing_facts if m["fact"] == "onbepaald:huishouden.leefvorm"]
    assert [m["legal_basis"] for m in leefvorm] in ([], [entries[0]["legal_basis"]])


@settings(max_examples=examples(25), deadline=None)
@given(care=st.booleans(), **households)
def test_spec_before_2026_the_presumption_leaves_it_open_whatever_the_care_reason(
        framework, day, which, aanvrager, huisgenoot, kinderen, loon, vermogen, care):
    """Art. 3 lid 4 (tekst tot 2026-01-01) was already an irrebuttable presumption (HR 25 September 2009,
    ECLI:NL:HR:2009:BH2580, for the same article of the WWB), and art. 3 lid 2 onder a then excepted only relatives,
    not a care need between others: in 2024-2025 an established presumption leaves the bijstand open with the text of
    that time as legal basis, care reason or not."""
    day = day.replace(year=2025)
    people = [person("p1", "aanvrager", _born(day, aanvrager)), person("h1", "huisgenoot", _born(day, huisgenoot))]
    feiten = {name: name == which for name in PRESUMPTIONS}
    if care:
        feiten["samenwonen_wegens_zorgbehoefte"] = True
    item, result = _assess(framework, people, day, feiten,
                           [{"persoon": "h1", "soort": "loon", "netto_per_maand": loon}], vermogen, kinderen)
    entries = [m for m in result.missing_facts if m["fact"] == "onbepaald:huishouden.bijstandsnorm"]
    assert (item["eligible"], item["bedrag"]) == (None, None)
    assert [e["legal_basis"] for e in entries] == ["Participatiewet art. 3 lid 3 en lid 4 (tekst tot 2026-01-01)"]


@settings(max_examples=examples(30), deadline=None)
@given(day=st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), partner=st.integers(18, 66),
       soort=st.sampled_from(["loon", "uitkering", "toeslag", "kinderbijslag"]),
       bedrag=st.sampled_from(["0.00", "0.01", "300.00"]))
def test_spec_the_others_income_under_art_3_lid_2_onder_a_leaves_the_bijstand_undetermined(
        framework, day, partner, soort, bedrag):
    """Art. 3 lid 2 onder a with art. 31 lid 1 (from 2026): living together for care, the other is no partner and his
    income is not the aanvrager's middelen. A case that counts his income (of a kind that is middelen, art. 31 lid 2
    excludes toeslagen and kinderbijslag) gets no amount but the reason; without such income the amount is
    computed with the single person's norm."""
    people = [person("p1", "aanvrager", _born(day, 55)), person("p2", "partner", _born(day, partner))]
    item, result = _assess(framework, people, day, {"samenwonen_wegens_zorgbehoefte": True},
                           [{"persoon": "p2", "soort": soort, "netto_per_maand": bedrag}])
    counted = soort in ("loon", "uitkering") and Decimal(bedrag) > 0
    entries = [m for m in result.missing_facts if m["fact"] == "onbepaald:huishouden.bijstandsnorm"]
    if counted:
        assert (item["eligible"], item["bedrag"]) == (None, None)
        assert len(entries) == 1 and "art. 3 lid 2 onder a" in entries[0]["legal_basis"]
        assert "Geef alleen het inkomen en vermogen van de aanvrager op" in entries[0]["question"]
    else:
        assert entries == [] and item["eligible"] is True and item["bedrag"] == item["norm"]


def test_the_reason_reaches_json_text_and_the_law_links(framework):
    """The `onbepaald` entry is in the JSON contract (missing_facts with legal_basis, linked to wetten.overheid.nl)
    and in the text an assessor reads."""
    day = dt.date(2026, 5, 4)
    people = [person("p1", "aanvrager", "1981-01-20"), person("h1", "huisgenoot", "1976-03-11")]
    case = make_case(
        framework, peildatum=day.isoformat(), huishouden={"personen": people, "woonsituatie": "huurwoning"},
        inkomen=[], vermogen={"totaal": "0.00"}, feiten={"samenlevingscontract_met_huisgenoot": True},
        hulpvragen=[{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1",
                     "feiten": {"voorliggende_voorziening": False}}])
    result = engine.assess(framework, case)
    data = json.loads(result.to_json_text())
    entry = next(m for m in data["missing_facts"] if m["fact"] == "onbepaald:huishouden.bijstandsnorm")
    basis = "Participatiewet art. 3 lid 2 onder a, lid 3 en lid 4 (tekst vanaf 2026-01-01)"
    assert entry["legal_basis"] == basis
    engine.language.wetten.attach_links(framework, result)
    urls = [r["url"] for r in result.legal_basis_links[basis]]
    assert any("BWBR0015703" in url and "artikel=3&lid=2" in url and "z=2026-05-04" in url for url in urls)


def test_the_evaluators_agree_an_onbepaald_case_applies_only_when_established(framework):
    """The straight-line code and the closures give the same: unknown when the `onbepaald` case holds, the next case
    when its condition cannot be decided (the rules ask those facts), the value otherwise."""
    from engine.language.ir import Lit, Ref

    when = Ref("casus.x", "bool", "fact")
    parts = ((when, Undetermined("stel vast dat x", "Participatiewet art. 3 lid 4", "geld")),
             (None, Lit(Decimal("7.00"), "geld")))
    fast = engine.language.calc.DerivedEvaluator(parts, None, "geld")
    slow = engine.language.calc.DerivedEvaluator(parts, None, "geld")
    slow._call = slow.closures()
    for env, expected in (({"casus.x": True}, UNKNOWN), ({"casus.x": False}, Decimal("7.00")), ({}, Decimal("7.00"))):
        assert fast(env) == expected and slow(env) == expected


BAD = {
    "E150": '      - when: casus.x\n        value: "1"\n        onbepaald: stel vast dat x\n',
    "E151": "      - when: casus.x\n        onbepaald: stel vast dat x\n",
    "E152": '      - when: casus.x\n        value: "1"\n        legal_basis: "Participatiewet art. 3 lid 4"\n',
    "E153": '      - when: casus.x\n        onbepaald: onbekend\n        legal_basis: "Participatiewet art. 3 lid 4"\n',
}


def test_kader_check_refuses_a_malformed_onbepaald_case_where_it_stands(rules_copy):
    """E150-E153, each located at the case in the file."""
    path = rules_copy / "werk_inkomen" / "normen.yaml"
    original = path.read_text(encoding="utf-8")
    for code, case in BAD.items():
        text = original.replace("\nderived:\n", "\nderived:\n  huishouden.proef:\n    type: geld\n"
                                "    legal_basis: \"Participatiewet art. 3 lid 4\"\n    cases:\n"
                                + case.replace("casus.x", "casus.samenwonen_wegens_zorgbehoefte")
                                + '    otherwise: "0"\n', 1)
        path.write_text(text, encoding="utf-8")
        framework, diagnostics = engine.check_rules(rules_copy)
        found = [d for d in diagnostics if d.code == code]
        assert framework is None and len(found) == 1, (code, [(d.code, d.message) for d in diagnostics])
        assert found[0].span is not None and str(found[0].span.path).endswith("normen.yaml") and found[0].span.line > 1
    path.write_text(original, encoding="utf-8")


def _minima(framework, people, day, gemeente, feiten, inkomen, vermogen="0.00", kinderen=0):
    people = people + [person(f"k{i}", "kind", _born(day, 6 + i)) for i in range(kinderen)]
    case = make_case(
        framework, gemeente=gemeente, peildatum=day.isoformat(),
        huishouden={"personen": people, "woonsituatie": "huurwoning"}, inkomen=list(inkomen),
        vermogen={"totaal": vermogen}, feiten=feiten,
        hulpvragen=[{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1",
                     "feiten": {"voorliggende_voorziening": False}}])
    result = engine.assess(framework, case)
    schemes = [e for e in result.entitlements
               if any(c["id"] == "inkomen_binnen_grens" for c in e.get("criteria", []))]
    return schemes, result


@settings(max_examples=examples(30), deadline=None)
@given(gemeente=st.sampled_from(["baarn", "bunschoten", "soest"]), care=st.booleans(), **households)
def test_spec_an_established_presumption_leaves_the_minima_limit_undetermined_no_limit_no_tick(
        framework, gemeente, day, which, aanvrager, huisgenoot, kinderen, loon, vermogen, care):
    """Participatiewet art. 3 lid 4 onder a-d (from 2026) for the minima schemes: the limit is a percentage of the
    norm without kostendelersnorm (huishouden.minimanorm), which is the gehuwden norm with the presumed partner's
    income counted; the case enters him as a housemate, so the single person's limit kader would compute does not
    hold. No scheme shows a limit (grens), a met income criterion or a right; the missing facts name
    `onbepaald:huishouden.minimanorm` with art. 3 lid 4 as legal basis. With a care need established as the reason
    to live together (art. 3 lid 2 onder a) the presumption goes and every scheme has its limit again."""
    people = [person("p1", "aanvrager", _born(day, aanvrager)), person("h1", "huisgenoot", _born(day, huisgenoot))]
    feiten = {name: name == which for name in PRESUMPTIONS}
    if care:
        feiten["samenwonen_wegens_zorgbehoefte"] = True
    schemes, result = _minima(framework, people, day, gemeente, feiten,
                              [{"persoon": "p1", "soort": "loon", "netto_per_maand": loon}], vermogen, kinderen)
    entries = [m for m in result.missing_facts if m["fact"] == "onbepaald:huishouden.minimanorm"]
    if care:
        assert entries == [] and all(Decimal(s["grens"]) > 0 for s in schemes)
        return
    for scheme in schemes:
        income = next(c for c in scheme["criteria"] if c["id"] == "inkomen_binnen_grens")
        assert (scheme["grens"], income["met"]) == (None, None), scheme["id"]
        assert scheme["eligible"] is not True, scheme["id"]
        if scheme["eligible"] is None:
            assert scheme["bedrag"] is None, scheme["id"]
        else:  # no right only when another criterion fails whatever the norm (a child of the right age, ...)
            assert any(c["met"] is False for c in scheme["criteria"]), scheme["id"]
    if schemes:
        assert [e["legal_basis"] for e in entries] == [
            "Participatiewet art. 3 lid 2 onder a, lid 3 en lid 4 (tekst vanaf 2026-01-01)"]
        assert entries[0]["impact"] == "beslissend" and "Voer hem in als partner" in entries[0]["question"]


@settings(max_examples=examples(30), deadline=None)
@given(gemeente=st.sampled_from(["baarn", "bunschoten", "soest"]),
       day=st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), aanvrager=st.integers(21, 60),
       partner=st.integers(18, 80), kinderen=st.integers(0, 2),
       loon=st.sampled_from(["0.00", "1200.00", "1681.80", "1681.81", "2000.00", "2402.56"]),
       other=st.sampled_from(["0.00", "0.00", "400.00"]))
def test_spec_living_together_for_care_the_minima_limit_is_that_of_an_alleenstaande(
        framework, gemeente, day, aanvrager, partner, kinderen, loon, other):
    """Participatiewet art. 3 lid 2 onder a (from 2026): living together because of a care need is no gezamenlijke
    huishouding, so the two are not gehuwden and the minima limit is the percentage of the norm of an alleenstaande
    (art. 21 onder a) or, with a minor child, of an alleenstaande ouder (art. 21 onder a, the same amount since
    2015), never of the gehuwden norm of art. 21 onder b. Every scheme's limit is its percentage of that norm
    (rounded to the cent as kader states it); when the case counts the other's income (art. 31 lid 1: it is not the
    aanvrager's) the norm is left open with that reason instead."""
    people = [person("p1", "aanvrager", _born(day, aanvrager)), person("p2", "partner", _born(day, partner))]
    inkomen = [{"persoon": "p1", "soort": "loon", "netto_per_maand": loon}]
    if other != "0.00":
        inkomen.append({"persoon": "p2", "soort": "uitkering", "netto_per_maand": other})
    schemes, result = _minima(framework, people, day, gemeente, {"samenwonen_wegens_zorgbehoefte": True},
                              inkomen, "0.00", kinderen)
    entries = [m for m in result.missing_facts if m["fact"] == "onbepaald:huishouden.minimanorm"]
    if other != "0.00":
        assert all(s["grens"] is None and s["eligible"] is not True for s in schemes)
        if schemes:
            assert len(entries) == 1 and "art. 3 lid 2 onder a" in entries[0]["legal_basis"]
        return
    assert entries == []
    # art. 21 onder a (alleenstaande, alleenstaande ouder), 21 to AOW age: 1.401,50 per 2026-01-01, 1.419,46 per
    # 2026-07-01 (the consolidated text; the gehuwden norm of art. 21 onder b would be 2.002,13 and 2.027,79)
    norm = Decimal("1401.50") if day < dt.date(2026, 7, 1) else Decimal("1419.46")
    for scheme in schemes:
        percentage = Decimal(scheme["criteria"][0]["reason"].split("%")[0].split()[-1])
        limit = (norm * percentage / 100).quantize(Decimal("0.01"))
        assert abs(Decimal(scheme["grens"]) - limit) <= Decimal("0.01"), scheme["id"]
        income = next(c for c in scheme["criteria"] if c["id"] == "inkomen_binnen_grens")
        assert income["met"] is (Decimal(loon) <= Decimal(scheme["grens"])), scheme["id"]


@settings(max_examples=examples(30), deadline=None)
@given(care=st.booleans(), year=st.sampled_from([2025, 2026]), **households)
def test_spec_competence_college_or_svb_follows_who_is_echtgenoot_under_art_3(
        framework, day, which, aanvrager, huisgenoot, kinderen, loon, vermogen, care, year):
    """Participatiewet art. 47a lid 1 with art. 7 lid 1 onder b: the SVB, not the college, grants bijstand when the
    aanvrager or the echtgenoot has the pensioengerechtigde leeftijd. A housemate (no relative) with that age under
    an established presumption of art. 3 lid 4 is that echtgenoot, although the case enters him as a housemate:
    kader then says neither that the college is competent nor that the SVB is (neither rule fires), and names
    `onbepaald:huishouden.echtgenoot_aow_leeftijd_bereikt`. A younger housemate does not decide it: the college is
    competent (the aanvrager is under 60 here). From 2026 an established care reason removes the presumption."""
    day = day.replace(year=year)
    people = [person("p1", "aanvrager", _born(day, aanvrager)), person("h1", "huisgenoot", _born(day, huisgenoot))]
    feiten = {name: name == which for name in PRESUMPTIONS}
    if care:
        feiten["samenwonen_wegens_zorgbehoefte"] = True
    _, result = _assess(framework, people, day, feiten, [], vermogen, kinderen)
    fired = {f.rule for f in result.trace.fired}
    entries = [m for m in result.missing_facts if m["fact"] == "onbepaald:huishouden.echtgenoot_aow_leeftijd_bereikt"]
    older = huisgenoot >= 68  # above every AOW age (67 years and 3 months at most), below 66: never reached
    if older and not (care and year == 2026):
        assert "werk_inkomen.pw.jonger_dan_aow_leeftijd" not in fired and "werk_inkomen.pw.aow_leeftijd" not in fired
        assert len(entries) == 1 and "art. 47a lid 1" in entries[0]["legal_basis"]
        assert "Voer hem in als partner" in entries[0]["question"]
    elif huisgenoot < 66:
        assert entries == [] and "werk_inkomen.pw.jonger_dan_aow_leeftijd" in fired


@settings(max_examples=examples(25), deadline=None)
@given(day=st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), aanvrager=st.integers(27, 60),
       partner=st.integers(18, 80))
def test_spec_living_together_for_care_the_others_aow_age_does_not_make_the_svb_competent(
        framework, day, aanvrager, partner):
    """Art. 3 lid 2 onder a (from 2026): the other is no echtgenoot, so his or her pensioengerechtigde leeftijd does
    not move the bijstand to the SVB (art. 47a lid 1): the college is competent and computes the bijstand of an
    alleenstaande (no income here: a right, with the amount equal to the norm; from 27, so that the zoektermijn of
    art. 41 lid 4 does not wait on its exceptions)."""
    people = [person("p1", "aanvrager", _born(day, aanvrager)), person("p2", "partner", _born(day, partner))]
    item, result = _assess(framework, people, day, {"samenwonen_wegens_zorgbehoefte": True})
    fired = {f.rule for f in result.trace.fired}
    assert "werk_inkomen.pw.aow_leeftijd" not in fired and "werk_inkomen.pw.jonger_dan_aow_leeftijd" in fired
    assert item["eligible"] is True and item["bedrag"] == item["norm"]


@settings(max_examples=examples(30), deadline=None)
@given(care=st.booleans(), young=st.integers(18, 26), **households)
def test_spec_zoektermijn_art_41_lid_4_with_a_presumed_partner_is_left_open_not_set_nor_dropped(
        framework, day, which, aanvrager, huisgenoot, kinderen, loon, vermogen, care, young):
    """Participatiewet art. 41 lid 4 with art. 3 lid 4 (from 2026): the zoektermijn applies when the aanvraag concerns
    only people under 27; a housemate (no relative) under an established presumption is the partner, so whether it
    applies depends on him, whom the case enters as a housemate. kader neither establishes the term nor says
    it does not apply: `onbepaald:huishouden.zoektermijn_van_toepassing`, decisive, naming art. 41 lid 4 (the term is
    at most shown as possible, depending on that entry). An established care reason (art. 3 lid 2 onder a) removes the presumption."""
    people = [person("p1", "aanvrager", _born(day, young), medisch_urenbeperkt=False, pro_vso_afgelopen_jaar=False),
              person("h1", "huisgenoot", _born(day, huisgenoot))]
    feiten = {name: name == which for name in PRESUMPTIONS}
    if care:
        feiten["samenwonen_wegens_zorgbehoefte"] = True
    _, result = _assess(framework, people, day, feiten, [], vermogen, kinderen)
    entries = [m for m in result.missing_facts if m["fact"] == "onbepaald:huishouden.zoektermijn_van_toepassing"]
    if care:
        assert entries == []
        return
    assert "pw_zoektermijn" not in [d["id"] for d in result.deadlines]
    provisional = [p for p in result.provisional if p["id"] == "pw_zoektermijn"]  # possible, never established
    assert all("onbepaald:huishouden.zoektermijn_van_toepassing" in p["text"] for p in provisional)
    assert len(entries) == 1 and entries[0]["impact"] == "beslissend" and "art. 41 lid 4" in entries[0]["legal_basis"]


@settings(max_examples=examples(25), deadline=None)
@given(day=st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), young=st.integers(18, 26),
       other=st.integers(18, 80))
def test_spec_zoektermijn_living_together_for_care_the_other_does_not_count(framework, day, young, other):
    """Art. 41 lid 4 with art. 3 lid 2 onder a (from 2026): the other is no echtgenoot, so the aanvraag concerns only
    the young aanvrager whatever the other's age: the zoektermijn applies (her exceptions established absent)."""
    people = [person("p1", "aanvrager", _born(day, young), medisch_urenbeperkt=False, pro_vso_afgelopen_jaar=False),
              person("p2", "partner", _born(day, other))]
    _, result = _assess(framework, people, day, {"samenwonen_wegens_zorgbehoefte": True})
    assert "pw_zoektermijn" in [d["id"] for d in result.deadlines]


@settings(max_examples=examples(25), deadline=None)
@given(day=st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)), which=st.sampled_from(PRESUMPTIONS + (None,)),
       aanvrager=st.integers(19, 80), huisgenoot=st.integers(18, 80), care=st.booleans(),
       gemeente=st.sampled_from(["baarn", "bunschoten", "soest"]))
def test_spec_wmo_bijdrage_with_a_housemate_who_is_echtgenoot_under_wmo_art_1_1_2_lid_4_is_not_stated(
        framework, day, which, aanvrager, huisgenoot, care, gemeente):
    """Wmo 2015 art. 1.1.2 lid 2 onder a and lid 4 (its own presumptions, with no care exception, unlike
    Participatiewet art. 3 lid 2 onder a): a housemate under an established presumption is the client's echtgenoot,
    so the bijdrage (one per couple, none when one of them is under the AOW age, Uitvoeringsbesluit Wmo 2015 art. 3.8
    lid 3 onder f) is not what kader would compute for an unmarried client: the bijdrage is onbekend, waiting on
    `onbepaald:huishouden.wmo_echtgenoot_ingevoerd_als_huisgenoot`, whatever the care reason. Without a presumption
    the bijdrage is decided."""
    people = [person("p1", "aanvrager", _born(day, aanvrager), beperkt=True),
              person("h1", "huisgenoot", _born(day, huisgenoot))]
    feiten = {name: name == which for name in PRESUMPTIONS}
    if care:
        feiten["samenwonen_wegens_zorgbehoefte"] = True
    case = make_case(
        framework, gemeente=gemeente, peildatum=day.isoformat(), melddatum=None, aanvraagdatum=None,
        huishouden={"personen": people, "woonsituatie": "huurwoning"}, inkomen=[], vermogen=None, feiten=feiten,
        hulpvragen=[{"id": "hv1", "domein": "wmo", "onderwerp": "dagbesteding", "persoon": "p1",
                     "feiten": {"eigen_kracht_toereikend": False, "mantelzorg_beschikbaar": False,
                                "algemene_voorziening_toereikend": False, "vervoer_naar_dagbesteding_nodig": True}}])
    result = engine.assess(framework, case)
    item = next(e for e in result.entitlements if e["id"] == "wmo_eigen_bijdrage")  # groepsbegeleiding carries it
    waits = [w["fact"] for w in item.get("waits_on", [])]
    if which is not None:
        assert (item["eligible"], item["bedrag"]) == (None, None)
        assert "onbepaald:huishouden.wmo_echtgenoot_ingevoerd_als_huisgenoot" in waits
    else:
        assert "onbepaald:huishouden.wmo_echtgenoot_ingevoerd_als_huisgenoot" not in waits
        assert next(c for c in item["criteria"] if c["id"] == "echtgenoot_bekend")["met"] is True

"""Undecided outcomes (docs/uncertainty.md): never silently absent, never falsely certain.

- A statutory term whose exception facts are unknown is listed as provisional ("geldt, tenzij ... ja is"), with the
  date it would have and the facts that decide it, and those facts are asked in the missing facts
  (Participatiewet art. 41 lid 4: the zoektermijn applies to an aanvraag that only concerns people under 27
  unless an exception is established).
- An entitlement that a rule may still deny is `eligible: null`, `status: "onbekend"`, with no `bedrag`, the
  amount it would have as `bedrag_indien_recht`, and the facts it waits on (Participatiewet art. 15 lid 1: no
  bijstand where a toereikende voorliggende voorziening exists).
- `impact` and counterfactual diffs report a change to or from undecided as its own kind `onbekend`.
"""

from __future__ import annotations

import copy

from hypothesis import event, given, settings
from hypothesis import strategies as st

import engine
from engine.evaluation.provisional import DATE_UNKNOWN, PROVISIONAL
from engine.tools.changes import Differ

from . import strategies as gen
from .conftest import ROOT, examples, make_case, person

FRAMEWORK = engine.load_framework(ROOT / "rules")
YOUNG = "2002-05-01"  # 23 on the peildatum 2026-03-01 of BASE_CASE


def _young(**flags) -> engine.Case:
    return make_case(FRAMEWORK, huishouden={"personen": [person("p1", "aanvrager", YOUNG, **flags)],
                                            "woonsituatie": "huurwoning"})


def _provisional(assessment, kind: str, ident: str) -> dict | None:
    return next((p for p in assessment.provisional if p["kind"] == kind and p["id"] == ident), None)


def _facts(items) -> set[str]:
    return {item["fact"] for item in items}


# ---------------------------------------------------------------- PW art. 41 lid 4: the zoektermijn


def test_zoektermijn_pw_41_lid_4_is_provisional_while_the_exceptions_are_unknown():
    """PW art. 41 lid 4: a 23-year-old alone; medisch urenbeperkt and pro/vso are not given. The term is
    shown as applying (melddatum 2026-02-20 + 4 weeks = 2026-03-20) unless those facts say otherwise."""
    result = engine.assess(FRAMEWORK, _young())
    assert "pw_zoektermijn" not in {d["id"] for d in result.deadlines}
    term = _provisional(result, "deadline", "pw_zoektermijn")
    assert term is not None
    assert term["status"] == PROVISIONAL
    assert term["date"] == "2026-03-20" and term["start"] == "2026-02-20" and term["term"] == "4 weken"
    assert term["legal_basis"] == "Participatiewet art. 41 lid 4"
    assert _facts(term["waits_on"]) == {"persoon.medisch_urenbeperkt", "persoon.pro_vso_afgelopen_jaar"}
    assert all(item.get("persoon") == "p1" for item in term["waits_on"])
    assert term["text"].startswith("geldt, tenzij persoon.medisch_urenbeperkt (p1)")
    asked = {m["fact"]: m for m in result.missing_facts}
    for fact in ("persoon.medisch_urenbeperkt", "persoon.pro_vso_afgelopen_jaar"):
        assert asked[fact]["impact"] == "beslissend"
        assert asked[fact]["persoon"] == "p1"


def test_zoektermijn_established_when_no_exception_applies():
    """PW art. 41 lid 4: with both exceptions answered 'no' the term is established and no longer provisional."""
    result = engine.assess(FRAMEWORK, _young(medisch_urenbeperkt=False, pro_vso_afgelopen_jaar=False))
    assert [d["date"] for d in result.deadlines if d["id"] == "pw_zoektermijn"] == ["2026-03-20"]
    assert _provisional(result, "deadline", "pw_zoektermijn") is None
    assert not {"persoon.medisch_urenbeperkt", "persoon.pro_vso_afgelopen_jaar"} & _facts(result.missing_facts)


def test_zoektermijn_gone_when_an_exception_is_established():
    """PW art. 41 lid 4 onder b (medisch urenbeperkt): no term, neither established nor provisional."""
    result = engine.assess(FRAMEWORK, _young(medisch_urenbeperkt=True))
    assert "pw_zoektermijn" not in {d["id"] for d in result.deadlines}
    assert _provisional(result, "deadline", "pw_zoektermijn") is None


def test_no_zoektermijn_question_for_someone_of_36():
    """PW art. 41 lid 4 concerns people under 27: a 36-year-old is never asked about its exceptions."""
    result = engine.assess(FRAMEWORK, make_case(FRAMEWORK, huishouden={
        "personen": [person("p1", "aanvrager", "1990-01-01")], "woonsituatie": "huurwoning"}))
    assert _provisional(result, "deadline", "pw_zoektermijn") is None
    assert not {"persoon.medisch_urenbeperkt", "persoon.pro_vso_afgelopen_jaar"} & _facts(result.missing_facts)


def test_term_without_melddatum_applies_with_its_date_unknown():
    """PW art. 41 lid 4: the term runs from the melding; without a melddatum it applies, its date is open."""
    result = engine.assess(FRAMEWORK, make_case(FRAMEWORK, melddatum=None, huishouden={
        "personen": [person("p1", "aanvrager", YOUNG, medisch_urenbeperkt=False, pro_vso_afgelopen_jaar=False)],
        "woonsituatie": "huurwoning"}))
    term = _provisional(result, "deadline", "pw_zoektermijn")
    assert term is not None and term["status"] == DATE_UNKNOWN
    assert "date" not in term and term["term"] == "4 weken"
    assert _facts(term["waits_on"]) == {"melddatum"}
    assert "melddatum" in _facts(result.missing_facts)


# ---------------------------------------------------------------- PW art. 15 lid 1: algemene bijstand


def _bijstand(result) -> dict:
    return next(e for e in result.entitlements if e["id"] == "algemene_bijstand")


def test_bijstand_onbekend_while_a_voorliggende_voorziening_is_unknown():
    """PW art. 15 lid 1: with the voorliggende voorziening unknown, the right is not 'ja': it is onbekend,
    without a bedrag; what would be paid is given apart (PW art. 21 onder a: norm alleenstaande 21+, no income)."""
    case = make_case(FRAMEWORK, hulpvragen=[{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud",
                                             "persoon": "p1"}])
    item = _bijstand(engine.assess(FRAMEWORK, case))
    assert item["eligible"] is None and item["status"] == "onbekend"
    assert item["bedrag"] is None
    assert item["pending_rules"] == ["werk_inkomen.pw.voorliggend"]
    assert _facts(item["waits_on"]) == {"hulpvraag.voorliggende_voorziening"}
    decided = _bijstand(engine.assess(FRAMEWORK, make_case(FRAMEWORK)))  # voorliggende_voorziening: false
    assert decided["eligible"] is True and decided["status"] == "recht"
    assert item["bedrag_indien_recht"] == decided["bedrag"] == decided["norm"]
    assert "bedrag_indien_recht" not in decided and "waits_on" not in decided


def test_bijstand_geen_recht_when_denied():
    """PW art. 15 lid 1: a toereikende voorliggende voorziening denies bijstand: status geen_recht, 0.00."""
    case = make_case(FRAMEWORK, hulpvragen=[{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud",
                                             "persoon": "p1", "feiten": {"voorliggende_voorziening": True}}])
    item = _bijstand(engine.assess(FRAMEWORK, case))
    assert item["eligible"] is False and item["status"] == "geen_recht" and item["bedrag"] == "0.00"


def test_a_fact_that_cannot_apply_does_not_keep_bijstand_open():
    """PW art. 15 lid 1 is asked for levensonderhoud and bijzondere kosten only: a schulden hulpvraag without
    it does not make algemene bijstand onbekend."""
    base = copy.deepcopy(make_case.__globals__["BASE_CASE"]["hulpvragen"])
    base.append({"id": "hv2", "domein": "werk_inkomen", "onderwerp": "schulden", "persoon": "p1"})
    item = _bijstand(engine.assess(FRAMEWORK, make_case(FRAMEWORK, hulpvragen=base)))
    assert item["eligible"] is True and item["status"] == "recht"


# ---------------------------------------------------------------- impact: a change to or from onbekend


def test_change_to_and_from_onbekend_is_its_own_kind():
    """Answering the voorliggende voorziening (PW art. 15 lid 1) moves bijstand from onbekend to recht, and the
    zoektermijn (PW art. 41 lid 4) from voorlopig to vast: both are changes of kind `onbekend`."""
    open_case = make_case(FRAMEWORK, huishouden={"personen": [person("p1", "aanvrager", YOUNG)],
                                                 "woonsituatie": "huurwoning"},
                          hulpvragen=[{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud",
                                       "persoon": "p1"}])
    decided_case = make_case(FRAMEWORK, huishouden={
        "personen": [person("p1", "aanvrager", YOUNG, medisch_urenbeperkt=False, pro_vso_afgelopen_jaar=False,
                            kan_bekostigd_onderwijs_volgen=False)],
        "woonsituatie": "huurwoning"})
    before, after = engine.assess(FRAMEWORK, open_case), engine.assess(FRAMEWORK, decided_case)
    changes = {(c.kind, c.subject): c for c in Differ(FRAMEWORK, FRAMEWORK).changes(open_case, before, after)}
    bijstand = changes[("onbekend", "algemene_bijstand")]
    assert (bijstand.before, bijstand.after) == (None, True)
    term = changes[("onbekend", "deadline:pw_zoektermijn")]
    assert (term.before, term.after) == ("voorlopig", "vast")
    assert ("eligibility", "algemene_bijstand") not in changes
    assert ("deadline_new", "pw_zoektermijn") not in changes


# ---------------------------------------------------------------- the terminal view


def test_table_shows_provisional_term_and_amount_if_eligible(runner, tmp_path):
    from cli import app

    case = tmp_path / "jong.yaml"
    case.write_text(f"""id: jong
gemeente: soest
peildatum: 2026-03-01
melddatum: 2026-02-20
huishouden:
  personen:
    - {{id: p1, rol: aanvrager, geboortedatum: {YOUNG}}}
  woonsituatie: huurwoning
inkomen: []
vermogen: {{totaal: "0.00"}}
hulpvragen:
  - {{id: hv1, domein: werk_inkomen, onderwerp: levensonderhoud, persoon: p1}}
""", encoding="utf-8")
    result = runner.invoke(app, ["assess", str(case)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "geldt, tenzij persoon.medisch_urenbeperkt (p1)" in text
    assert "20 maart 2026" in text
    assert "bij recht € 1.401,50 per maand" in text  # PW art. 21 onder a, norm 2026-01-01 (alleenstaande 21+)
    assert "onbekend" in text


# ---------------------------------------------------------------- properties over generated households


@settings(max_examples=examples(60), deadline=None)
@given(data=gen.case_data(FRAMEWORK, focus=(("werk_inkomen", "levensonderhoud"),)), seed=st.integers(0, 3))
def test_every_undecided_outcome_names_its_facts_and_status_matches_eligibility(data, seed):
    """For any household: `status` follows `eligible`; an onbekend entitlement has no bedrag; every provisional
    outcome waits on at least one named fact; a provisional term's facts are asked in the missing facts; nothing
    is both established and provisional."""
    result = engine.assess(FRAMEWORK, gen.load(FRAMEWORK, data))
    for item in result.entitlements:
        assert item["status"] == {True: "recht", False: "geen_recht", None: "onbekend"}[item["eligible"]]
        if item["eligible"] is None:
            assert item["bedrag"] is None
        else:
            assert "bedrag_indien_recht" not in item
    asked = {(m["fact"], m.get("persoon")) for m in result.missing_facts}
    established = {("deadline", d["id"], "") for d in result.deadlines} \
        | {("signal", s["id"], s["hulpvraag"] or "") for s in result.signals} \
        | {("check", c["id"], c["hulpvraag"] or "") for c in result.checks}
    for item in result.provisional:
        assert item["waits_on"], item
        assert item["status"] in (PROVISIONAL, DATE_UNKNOWN)
        key = (item["kind"], item["id"], "" if item["kind"] == "deadline" else item["hulpvraag"] or "")
        assert key not in established
        if item["kind"] == "deadline":
            for fact in item["waits_on"]:
                assert (fact["fact"], fact.get("persoon")) in asked


# ---------------------------------------------------------------- decisive questions (engine.evaluation.decisive)


def _outcomes(result) -> dict:
    """Every outcome, read straight from the JSON contract (independent of engine.evaluation.decisive)."""
    data = result.to_json()
    return {
        "proposals": [(p["hulpvraag"], p["provision"], p["level"]) for p in data["proposals"]],
        "entitlements": [(e["id"], e["eligible"], e["bedrag"]) for e in data["entitlements"]],
        "deadlines": [(d["id"], d["date"]) for d in data["deadlines"]],
        "signals": sorted((s["id"], s["hulpvraag"] or "") for s in data["signals"]),
        "provisional": sorted((p["kind"], p["id"], p["hulpvraag"] or "", p["status"], p.get("date") or "")
                              for p in data["provisional"] if p["kind"] != "check"),
    }


def _answered(case: engine.Case, fact: str, hulpvraag: str | None, persoon: str | None, value) -> engine.Case:
    from engine.evaluation.decisive import with_answer

    return with_answer(case, {"fact": fact, "hulpvraag": hulpvraag, "persoon": persoon}, value)


def test_decisive_questions_for_a_young_applicant_name_what_they_settle():
    """PW art. 15 lid 1 and art. 41 lid 4: for a 23-year-old with nothing else known, the voorliggende voorziening
    settles both the proposal and the right (two open outcomes) and comes first; each zoektermijn exception
    settles the term."""
    from engine.evaluation.decisive import decisive_questions

    case = make_case(FRAMEWORK, huishouden={"personen": [person("p1", "aanvrager", YOUNG)],
                                            "woonsituatie": "huurwoning"},
                     hulpvragen=[{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud",
                                  "persoon": "p1"}])
    questions = decisive_questions(FRAMEWORK, case)
    first = questions[0]
    assert first["fact"] == "hulpvraag.voorliggende_voorziening"
    assert first["settles"] == ["aanspraak:algemene_bijstand", "voorstel:hv1"]
    by_fact = {q["fact"]: q for q in questions}
    assert by_fact["persoon.medisch_urenbeperkt"]["settles"] == ["termijn:pw_zoektermijn"]
    assert by_fact["persoon.medisch_urenbeperkt"]["values"] == [True, False]
    assert all(q["impact"] in ("beslissend", "samen_beslissend", "signaal") for q in questions if q["tested"])
    # a fact that decides only a signal is asked after every fact that decides a proposal, right or term
    kinds = [q["impact"] == "signaal" for q in questions if q["tested"]]
    assert kinds == sorted(kinds)
    for question in questions:
        if question["impact"] == "signaal":
            assert all(name.startswith(("signaal:", "controle:")) for name in question["changes"]), question


def test_no_housemate_question_for_someone_living_alone():
    """Wmo 2015 art. 1.1.1 (gebruikelijke hulp): a one-person household is never asked what a housemate can do."""
    from engine.evaluation.decisive import decisive_questions

    case = make_case(FRAMEWORK, huishouden={"personen": [person("p1", "aanvrager", "1950-01-01")],
                                            "woonsituatie": "huurwoning"},
                     hulpvragen=[{"id": "hv1", "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1"}])
    for question in decisive_questions(FRAMEWORK, case):
        assert "huisgeno" not in question["fact"] and "huisgeno" not in question["question"].lower()


def _half_known(data: dict, keep: int) -> dict:
    """The household as a first intake knows it: of each hulpvraag's facts only every `keep`-th is given."""
    data = copy.deepcopy(data)
    for hv in data.get("hulpvragen", []):
        facts = hv.get("feiten") or {}
        hv["feiten"] = {k: v for i, (k, v) in enumerate(sorted(facts.items())) if i % keep == 0}
    return data


@settings(max_examples=examples(40), deadline=None)
@given(data=gen.case_data(FRAMEWORK, max_hulpvragen=2, plain=True), keep=st.integers(1, 3),
       pick=st.integers(0, 10_000))
def test_a_listed_decisive_fact_changes_an_outcome_for_some_value(data, keep, pick):
    """Answering a fact listed as deciding alone (`beslissend`, or `signaal` for one that decides only a
    signal) with one of its values changes a proposal, right, term or signal; over households given in full
    and with a half or two thirds of the hulpvraag facts left out, as at an intake."""
    from engine.evaluation.decisive import decisive_questions

    case = gen.load(FRAMEWORK, _half_known(data, keep))
    result = engine.assess(FRAMEWORK, case)
    questions = [q for q in decisive_questions(FRAMEWORK, case, result)
                 if q["impact"] in ("beslissend", "signaal") and q["tested"]]
    if not questions:
        return
    event("a listed fact")
    question = questions[pick % len(questions)]
    before = _outcomes(result)
    assert any(_outcomes(engine.assess(FRAMEWORK, _answered(case, question["fact"], question["hulpvraag"],
                                                             question.get("persoon"), value))) != before
               for value in question["values"]), question


@settings(max_examples=examples(40), deadline=None)
@given(data=gen.case_data(FRAMEWORK, max_hulpvragen=2, plain=True), keep=st.integers(1, 3),
       pick=st.integers(0, 10_000), choice=st.integers(0, 1_000))
def test_an_unlisted_fact_changes_no_outcome(data, keep, pick, choice):
    """Answering a yes/no or choice fact that the case leaves open and the decisive questions do not list,
    with any of its values, changes nothing; over households given in full and half known."""
    from engine.evaluation.decisive import decisive_questions

    case = gen.load(FRAMEWORK, _half_known(data, keep))
    result = engine.assess(FRAMEWORK, case)
    questions = decisive_questions(FRAMEWORK, case, result)
    listed = {(q["fact"], q["hulpvraag"], q.get("persoon")) for q in questions}
    # a person fact is one fact of that person, whichever hulpvraag it was traced for
    listed_people = {(q["fact"], q.get("persoon") or next((h.persoon for h in case.hulpvragen if h.id == q["hulpvraag"]),
                                                          None)) for q in questions if q["fact"].startswith("persoon.")}
    vocab = gen.vocabulary(FRAMEWORK)

    def open_fact(info) -> bool:
        return (info.type == "bool" or bool(info.values)) and info.default is None

    open_facts = []
    for hv in case.hulpvragen:
        for name, info in vocab.hulpvraag_facts[hv.domein]:
            key = "hulpvraag." + name
            if open_fact(info) and key not in hv.facts and (not info.onderwerpen or hv.onderwerp in info.onderwerpen):
                open_facts.append((key, hv.id, None, info))
        for name, info in vocab.person_facts:
            key = "persoon." + name
            if open_fact(info) and key not in case.person(hv.persoon).facts:
                open_facts.append((key, hv.id, hv.persoon, info))
    unlisted = [f for f in open_facts if f[:3] not in listed and (f[0], f[1], None) not in listed
                and (f[0], f[2]) not in listed_people]
    if not unlisted:
        return
    event("an unlisted open fact")
    fact, hulpvraag, persoon, info = unlisted[pick % len(unlisted)]
    values = [True, False] if info.type == "bool" else list(info.values)
    value = values[choice % len(values)]
    after = engine.assess(FRAMEWORK, _answered(case, fact, hulpvraag, persoon, value))
    assert _outcomes(after) == _outcomes(result), (fact, hulpvraag, persoon, value)


# ---------------------------------------------------------------- counterfactuals hold on the date they name


@settings(max_examples=examples(20), deadline=None)
@given(data=gen.case_data(FRAMEWORK, max_hulpvragen=2, focus=(("werk_inkomen", "levensonderhoud"),), plain=True))
def test_every_counterfactual_holds_on_its_date_within_the_horizon_and_to_the_cent(data):
    """An age counterfactual names a date within five years; assessing the case on that date shows each outcome
    it names flipped, and on the day before not yet (AOW art. 7a: the limit in force on that date). Money in its
    text is to the cent."""
    import datetime as _dt
    import re

    from dateutil.relativedelta import relativedelta

    from engine.tools.counterfactual import counterfactuals

    case = gen.load(FRAMEWORK, data)
    for item in counterfactuals(FRAMEWORK, case):
        assert not re.search(r"€ -?[\d.]+,\d{3}", item.text), item.text
        if item.date is None:
            continue
        event("an age counterfactual")
        assert case.peildatum < item.date <= case.peildatum + relativedelta(years=5)
        on = engine.assess(FRAMEWORK, case, peildatum=item.date)
        before = engine.assess(FRAMEWORK, case, peildatum=item.date - _dt.timedelta(days=1))
        for outcome in item.outcomes:
            def state(result, outcome=outcome):
                if outcome.kind == "rule":
                    return (outcome.id, outcome.hulpvraag) in {(f.rule, f.hulpvraag or None) for f in result.trace.fired}
                return {f"{e['id']}.{c['id']}": c["met"] for e in result.entitlements for c in e["criteria"]}.get(
                    outcome.id)
            assert state(on) == outcome.after, (item.text, outcome)
            assert state(before) == outcome.before, (item.text, outcome)


def test_a_lighter_provision_on_the_same_rung_is_asked_about():
    """Wmo 2015 art. 2.3.5 lid 3 (eigen kracht, gebruikelijke hulp): the proposal is gebruikelijke hulp (rung 0),
    but eigen kracht, first on that rung, is still open: whether the client can manage on his own changes the
    proposal, so it is asked (found by the property test below over generated households)."""
    from engine.evaluation.decisive import decisive_questions

    feiten = {"algemeen_gebruikelijke_voorziening": False, "algemene_voorziening_toereikend": False,
              "collectief_vervoer_bruikbaar": False, "gebruikelijke_hulp_toereikend": True,
              "huisgenoot_overbelast": False, "mantelzorg_beschikbaar": False, "spoedeisend": False}
    case = make_case(FRAMEWORK, gemeente="baarn", peildatum="2024-01-01", melddatum=None, huishouden={
        "personen": [person("p1", "aanvrager", "2008-01-01"), person("h1", "huisgenoot", "2008-01-01")]},
        hulpvragen=[{"id": "hv1", "domein": "wmo", "onderwerp": "mobiliteit", "persoon": "p1", "feiten": feiten}])
    result = engine.assess(FRAMEWORK, case)
    assert result.proposals[0]["provision"] == "wmo.gebruikelijke_hulp"
    question = next(q for q in decisive_questions(FRAMEWORK, case, result)
                    if q["fact"] == "hulpvraag.eigen_kracht_toereikend")
    assert question["impact"] == "beslissend" and question["changes"] == ["voorstel:hv1"]


# ---------------------------------------------------------------- wording: "geldt, tenzij" only for exceptions

GEZIN_SOEST = ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml"


def _item(result, kind: str, ident: str, hulpvraag: str) -> dict | None:
    return next((p for p in result.provisional if (p["kind"], p["id"], p["hulpvraag"]) == (kind, ident, hulpvraag)),
                None)


def _established(result, kind: str, ident: str, hulpvraag: str) -> bool:
    found = result.signals if kind == "signal" else result.checks
    return any((s["id"], s["hulpvraag"]) == (ident, hulpvraag) for s in found)


def test_decided_by_text_words_each_fact_by_what_it_does():
    from engine.evaluation.provisional import ALSO, IF, UNLESS, decided_by_text

    a, b = {"fact": "persoon.a", "persoon": "p1"}, {"fact": "hulpvraag.b"}
    assert decided_by_text([a, b], {("persoon.a", "p1"): UNLESS, ("hulpvraag.b", None): UNLESS}) \
        == "geldt, tenzij persoon.a (p1) of hulpvraag.b ja is"
    assert decided_by_text([a, b], {("persoon.a", "p1"): IF, ("hulpvraag.b", None): IF}) \
        == "mogelijk: geldt alleen als persoon.a (p1) en hulpvraag.b ja zijn"
    assert decided_by_text([a, b], {("persoon.a", "p1"): IF, ("hulpvraag.b", None): UNLESS}) \
        == "mogelijk: geldt alleen als persoon.a (p1) ja is; tenzij hulpvraag.b ja is"
    assert decided_by_text([a, b], {("persoon.a", "p1"): ALSO}) == "mogelijk: hangt af van persoon.a (p1), hulpvraag.b"


def test_a_signal_that_needs_a_fact_is_worded_geldt_alleen_als_not_geldt_tenzij():
    """Wmo 2015 art. 2.3.5 lid 5 onder b, Zvw art. 10 onder e en f (rule wmo.zvw.persoonlijke_verzorging): the
    Zvw signal is raised only when persoonlijke verzorging is needed. Unknown, it is 'mogelijk: geldt alleen
    als ... ja is' (not 'geldt, tenzij', which would claim it applies): nee removes it, ja establishes it."""
    case = engine.load_case(FRAMEWORK, GEZIN_SOEST)
    result = engine.assess(FRAMEWORK, case)
    item = _item(result, "signal", "zvw", "hv1")
    assert item["text"] == "mogelijk: geldt alleen als hulpvraag.persoonlijke_verzorging_nodig ja is"
    no = engine.assess(FRAMEWORK, _answered(case, "hulpvraag.persoonlijke_verzorging_nodig", "hv1", None, False))
    assert _item(no, "signal", "zvw", "hv1") is None and not _established(no, "signal", "zvw", "hv1")
    yes = engine.assess(FRAMEWORK, _answered(case, "hulpvraag.persoonlijke_verzorging_nodig", "hv1", None, True))
    assert _item(yes, "signal", "zvw", "hv1") is None and _established(yes, "signal", "zvw", "hv1")


def test_a_check_with_exceptions_is_worded_geldt_tenzij():
    """Participatiewet art. 18b lid 1 en 2 (rule werk_inkomen.pw.taaltoets): the taaltoets applies to the
    applicant of 64 unless eight years of Dutch-language education or a language certificate is shown: 'geldt,
    tenzij ... ja is'; either ja removes it, both nee establish it."""
    case = engine.load_case(FRAMEWORK, GEZIN_SOEST)
    result = engine.assess(FRAMEWORK, case)
    item = _item(result, "check", "taaltoets", "hv3")
    assert item["text"] == ("geldt, tenzij persoon.acht_jaar_nederlandstalig_onderwijs (p1) of persoon.taalbewijs "
                            "(p1) ja is")
    one = engine.assess(FRAMEWORK, _answered(case, "persoon.taalbewijs", "hv3", "p1", True))
    assert _item(one, "check", "taaltoets", "hv3") is None and not _established(one, "check", "taaltoets", "hv3")
    both = _answered(_answered(case, "persoon.taalbewijs", "hv3", "p1", False),
                     "persoon.acht_jaar_nederlandstalig_onderwijs", "hv3", "p1", False)
    assert _established(engine.assess(FRAMEWORK, both), "check", "taaltoets", "hv3")


def test_every_provisional_item_of_the_example_is_worded_by_what_decides_it():
    """The 15 provisional items of scenarios/voorbeelden/gezin-soest.yaml: only the ones that apply unless an
    exception is shown say 'geldt, tenzij'; the rest say 'mogelijk: ...'."""
    result = engine.assess(FRAMEWORK, engine.load_case(FRAMEWORK, GEZIN_SOEST))
    texts = {(p["kind"], p["id"], p["hulpvraag"]): p["text"] for p in result.provisional}
    assert len(texts) == 15
    unless = {k for k, t in texts.items() if t.startswith("geldt, tenzij")}
    assert unless == {("check", "taaltoets", "hv3")}
    assert all(t.startswith("mogelijk: ") for k, t in texts.items() if k not in unless)
    assert texts[("signal", "wmo_pgb_niet_mogelijk", "hv1")].startswith(
        "mogelijk: geldt alleen als hulpvraag.pgb_gewenst ja is; hangt ook af van ")  # Wmo 2015 art. 2.3.6 lid 2


def _worded(text: str) -> tuple[list[str], list[str]]:
    """(facts the text says it needs to be ja, facts whose ja the text says ends it)."""
    import re

    needed = re.search(r"geldt alleen als (.*?) ja (?:is|zijn)", text)
    ends = re.search(r"tenzij (.*?) ja is", text)
    return (needed.group(1).split(" en ") if needed else []), (ends.group(1).split(" of ") if ends else [])


@settings(max_examples=examples(30), deadline=None)
@given(data=gen.case_data(FRAMEWORK, max_hulpvragen=2, plain=True), pick=st.integers(0, 10_000))
def test_the_wording_of_a_provisional_item_holds_in_both_directions(data, pick):
    """For a provisional signal, check or term over generated households: a fact the text says it needs
    ('geldt alleen als X ja is') answered nee ends it; a fact the text names as an exception ('tenzij X ja is')
    answered ja ends it (the item is then neither provisional nor established)."""
    case = gen.load(FRAMEWORK, data)
    result = engine.assess(FRAMEWORK, case)
    claims = []
    for item in result.provisional:
        if item["status"] != PROVISIONAL:
            continue
        needed, ends = _worded(item["text"])
        for name, value in [(n, False) for n in needed] + [(n, True) for n in ends]:
            fact = next(w for w in item["waits_on"]
                        if w["fact"] + (f" ({w['persoon']})" if w.get("persoon") else "") == name)
            claims.append((item, fact, value))
    if not claims:
        return
    event("a worded claim")
    item, fact, value = claims[pick % len(claims)]
    after = engine.assess(FRAMEWORK, _answered(case, fact["fact"], fact["hulpvraag"], fact.get("persoon"), value))
    key = (item["kind"], item["id"], item["hulpvraag"])
    assert not any((p["kind"], p["id"], p["hulpvraag"]) == key for p in after.provisional), (item["text"], fact)
    established = {"deadline": [(d["id"], item["hulpvraag"]) for d in after.deadlines],
                   "signal": [(s["id"], s["hulpvraag"]) for s in after.signals],
                   "check": [(c["id"], c["hulpvraag"]) for c in after.checks]}[item["kind"]]
    assert (item["id"], item["hulpvraag"]) not in established, (item["text"], fact, value)


@settings(max_examples=examples(30), deadline=None)
@given(data=gen.case_data(FRAMEWORK, max_hulpvragen=2, plain=True), keep=st.integers(1, 3))
def test_a_fact_only_signal_rules_read_is_tried_as_a_whole_assessment_would(data, keep):
    """The shortcut for a fact that only signal and check rules read (engine.evaluation.decisive._SignalOnly) gives the
    same outcomes and open outcomes as assessing the whole case with the fact answered, for every value."""
    from engine.evaluation import decisive

    case = gen.load(FRAMEWORK, _half_known(data, keep))
    result = engine.assess(FRAMEWORK, case)
    before, still_open = decisive.outcomes(result), decisive.open_outcomes(result)
    shortcut = decisive._SignalOnly(FRAMEWORK, case, result, case.gemeente, case.peildatum, before, still_open)
    for item in decisive.candidates(case, result):
        kind = decisive._value_type(FRAMEWORK, case, item)
        for value in (kind[1] if kind else ()):
            fast = shortcut.answered(item, value)
            if fast is None:
                continue
            event("a fact only signal rules read")
            whole = engine.assess(FRAMEWORK, decisive.with_answer(case, item, value))
            assert fast == (decisive.outcomes(whole), decisive.open_outcomes(whole)), (item["fact"], value)

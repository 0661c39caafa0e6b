"""Issue 11 item 4 across generated households and dates: a statutory term is not dropped because an exception is
unknown. Participatiewet art. 41 lid 4: an aanvraag that only concerns people under 27 (a single person, or spouses
who are both under 27) has a zoektermijn of four weeks from the melding, unless one of them is medisch urenbeperkt
(onder b) or was in praktijkonderwijs or vso in the year before (onder a). Every combination of known and unknown
exceptions gives exactly one of: the term established, the term provisional ("geldt, tenzij") with the unknown
exceptions asked as decisive missing facts, or no term."""

from __future__ import annotations

import datetime as dt

from hypothesis import event, given, settings
from hypothesis import strategies as st

import engine

from .conftest import examples, make_case, person

EXCEPTIONS = ("medisch_urenbeperkt", "pro_vso_afgelopen_jaar")
answer = st.sampled_from([False, None, False, None, True])


def _born(day: dt.date, years: int, days_older: int) -> str:
    birthday = day.replace(year=day.year - years, day=min(day.day, 28))
    return (birthday - dt.timedelta(days=days_older)).isoformat()


@settings(max_examples=examples(80), deadline=None)
@given(day=st.dates(dt.date(2024, 1, 8), dt.date(2027, 12, 31)), age=st.integers(17, 28),
       partner=st.one_of(st.none(), st.none(), st.integers(18, 28)), older=st.integers(0, 300),
       own=st.tuples(answer, answer), theirs=st.tuples(answer, answer))
def test_spec_the_zoektermijn_is_established_provisional_or_absent_never_silently_dropped(
        framework, day, age, partner, older, own, theirs):
    melddatum = day - dt.timedelta(days=5)
    people = [person("p1", "aanvrager", _born(day, age, older),
                     **{name: value for name, value in zip(EXCEPTIONS, own, strict=True) if value is not None})]
    if partner is not None:
        people.append(person("p2", "partner", _born(day, partner, older),
                             **{name: value for name, value in zip(EXCEPTIONS, theirs, strict=True)
                                if value is not None}))
    case = make_case(framework, peildatum=day.isoformat(), melddatum=melddatum.isoformat(), aanvraagdatum=None,
                     huishouden={"personen": people, "woonsituatie": "huurwoning"},
                     inkomen=[], vermogen={"totaal": "0.00"},
                     hulpvragen=[{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud",
                                  "persoon": "p1", "feiten": {"voorliggende_voorziening": False}}])
    result = engine.assess(framework, case)
    established = [d for d in result.deadlines if d["id"] == "pw_zoektermijn"]
    provisional = [p for p in result.provisional if p["kind"] == "deadline" and p["id"] == "pw_zoektermijn"]

    young = 18 <= age < 27 and (partner is None or partner < 27)
    answers = {("p1", n): v for n, v in zip(EXCEPTIONS, own, strict=True)}
    if partner is not None:
        answers.update({("p2", n): v for n, v in zip(EXCEPTIONS, theirs, strict=True)})
    expected_date = (melddatum + dt.timedelta(weeks=4)).isoformat()  # art. 41 lid 4: four weeks after the melding
    if not young or any(v is True for v in answers.values()):
        event("no term")
        assert established == [] and provisional == []
        return
    unknown = {(who, "persoon." + name) for (who, name), v in answers.items() if v is None}
    if not unknown:
        event("established")
        assert [d["date"] for d in established] == [expected_date] and provisional == []
        return
    event("provisional")
    assert established == [] and len(provisional) == 1, (established, provisional)
    term = provisional[0]
    assert term["date"] == expected_date and term["legal_basis"] == "Participatiewet art. 41 lid 4"
    assert term["text"].startswith("geldt, tenzij")
    assert {(w.get("persoon"), w["fact"]) for w in term["waits_on"]} == unknown
    asked = {(m.get("persoon"), m["fact"]): m["impact"] for m in result.missing_facts}
    assert all(asked.get(item) == "beslissend" for item in unknown), (unknown, asked)

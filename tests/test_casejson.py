"""The one-pass reading of a compact JSON case (engine.evaluation.casejson, through caseinput.case_from_line)
against the checked path it sits in front of (json.loads, pydantic's CaseIn and _CaseChecker, the positioned
parser): for every line both give the same case, to the digits of every amount and the order of every dict, or
the same diagnostics. The first path may only ever say "not sure" (None); it never accepts what the checked path
refuses, and a line it is not sure of is read by the checked path as before."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.errors import CaseFileError
from engine.evaluation.casejson import case_from_json
from engine.tools.caseinput import _compact_case, case_from_line, checked_case_from_line
from engine.tools.population import case_line, generate

from .conftest import examples

DISPLAY = "pop.jsonl"


@pytest.fixture(scope="module")
def population(framework) -> list[dict]:
    return list(generate(framework, size=400, seed=5))


def _outcome(read, framework, text: str):
    try:
        case = read(framework, text, DISPLAY)
    except CaseFileError as exc:
        return "fout", [(d.code, d.message, d.span.line, d.span.col, d.hint) for d in exc.diagnostics]
    return "casus", repr(case), case.data


def _same(framework, text: str) -> bool:
    """case_from_line and the checked path agree on `text`; True when the first path itself took the line."""
    assert _outcome(case_from_line, framework, text) == _outcome(checked_case_from_line, framework, text), text
    return _compact_case(framework, text, DISPLAY) is not None


def test_every_population_line_takes_the_first_path_and_gives_the_checked_case(framework, population):
    for data in population:
        assert _same(framework, case_line(data))


def _with(data: dict, path: tuple, value) -> dict:
    changed = copy.deepcopy(data)
    target = changed
    for step in path[:-1]:
        target = target[step]
    if value is _DROP:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


_DROP = object()

# (where, value): values the contract refuses, values it reads otherwise than they are written, and values it
# accepts, at every kind of place a case has; every one is compared between the two paths on a real household.
MUTATIONS = [
    (("id",), ""), (("id",), "x" * 80), (("id",), "x" * 81), (("id",), 12), (("id",), "a\tb"), (("id",), "a\u202eb"),
    (("id",), _DROP), (("gemeente",), "Soest"), (("gemeente",), " BAARN "), (("gemeente",), "utrecht"),
    (("gemeente",), None), (("peildatum",), "2026-02-30"), (("peildatum",), "2026-1-01"),
    (("peildatum",), " 2026-01-01"), (("peildatum",), "20260101"), (("peildatum",), "2023-12-31"),
    (("peildatum",), "2200-01-01"), (("peildatum",), 20260101), (("melddatum",), None), (("melddatum",), _DROP),
    (("melddatum",), "1899-12-31"), (("aanvraagdatum",), "2026-13-01"), (("huishouden", "woonsituatie"), None),
    (("huishouden", "woonsituatie"), "kasteel"), (("huishouden", "woonsituatie"), _DROP),
    (("huishouden", "extra"), 1), (("huishouden", "personen"), []), (("huishouden", "personen"), {}),
    (("huishouden", "personen", 0, "rol"), "partner"), (("huishouden", "personen", 0, "rol"), "Aanvrager"),
    (("huishouden", "personen", 0, "id"), "p" * 41), (("huishouden", "personen", 0, "geboortedatum"), "2030-01-01"),
    (("huishouden", "personen", 0, "geboortedatum"), "1899-01-01"), (("huishouden", "personen", 0, "beperkt"), 1),
    (("huishouden", "personen", 0, "beperkt"), None), (("huishouden", "personen", 0, "beperkt"), True),
    (("huishouden", "personen", 0, "rechtmatig_verblijf"), "ja"), (("huishouden", "personen", 0, "wlz_indicatie"), 1.0),
    (("huishouden", "personen", 0, "wlz_indicatie"), "true"), (("huishouden", "personen", 0, "verblijfsgrond"), "mars"),
    (("huishouden", "personen", 0, "verblijfsgrond"), "overig"), (("huishouden", "personen", 0, "onbekend_feit"), True),
    (("huishouden", "personen", 0, "onderzoek_afgerond"), True),  # a casus fact given for a person
    (("inkomen",), None), (("inkomen",), []), (("inkomen",), [{"persoon": "p1", "soort": "loon", "netto_per_maand": "12.345"}]),
    (("inkomen",), [{"persoon": "p1", "soort": "loon", "netto_per_maand": "-5.00"}]),
    (("inkomen",), [{"persoon": "p1", "soort": "loon", "netto_per_maand": 12.5}]),
    (("inkomen",), [{"persoon": "p1", "soort": "loon", "netto_per_maand": 1200}]),
    (("inkomen",), [{"persoon": "p1", "soort": "loon", "netto_per_maand": "1e3"}]),
    (("inkomen",), [{"persoon": "p1", "soort": "loon", "netto_per_maand": "12,50"}]),
    (("inkomen",), [{"persoon": "p1", "soort": "loon", "netto_per_maand": "1200.50"}]),
    (("inkomen",), [{"persoon": "p1", "soort": "loon", "netto_per_maand": "1000000000000000"}]),
    (("inkomen",), [{"persoon": "p1", "soort": "loon", "netto_per_maand": True}]),
    (("inkomen",), [{"persoon": "p9", "soort": "loon", "netto_per_maand": "10.00"}]),
    (("inkomen",), [{"persoon": "p1", "soort": "salaris", "netto_per_maand": "10.00"}]),
    (("inkomen",), [{"persoon": "p1", "soort": "loon", "netto_per_maand": "10.00", "bruto": "1"}]),
    (("inkomen",), [{"persoon": "p1", "soort": "loon"}]), (("vermogen",), None), (("vermogen",), {"totaal": "-12.50"}),
    (("vermogen",), {"totaal": "0.001"}), (("vermogen",), {"totaal": "1.0"}), (("vermogen",), {"totaal": 0}),
    (("vermogen",), {"totaal": "0", "extra": 1}), (("vermogen",), {}),
    (("hulpvragen",), []), (("hulpvragen", 0, "id"), ""), (("hulpvragen", 0, "domein"), "zorg"),
    (("hulpvragen", 0, "onderwerp"), "vervoer"), (("hulpvragen", 0, "persoon"), "p9"),
    (("hulpvragen", 0, "verwijzer"), "huisarts"), (("hulpvragen", 0, "verwijzer"), "buurman"),
    (("hulpvragen", 0, "verwijzer"), None), (("hulpvragen", 0, "feiten"), None), (("hulpvragen", 0, "feiten"), _DROP),
    (("hulpvragen", 0, "feiten"), []), (("hulpvragen", 0, "feiten"), {"geen_feit": True}),
    (("hulpvragen", 0, "extra"), "x"),
    (("signalen",), ["schulden", "schulden"]), (("signalen",), ["geen_signaal"]), (("signalen",), None),
    (("signalen",), "schulden"), (("signalen",), _DROP), (("signalen",), [1]),
    (("feiten",), None), (("feiten",), _DROP), (("feiten",), {"onderzoek_afgerond": 1}),
    (("feiten",), {"onderzoek_afgerond": True, "wlz_indicatie": True}), (("feiten",), {"onderzoek_afgerond": [True]}),
    (("extra",), 1),
]

# Facts of every type a hulpvraag of each domain declares, with values the contract accepts and refuses.
HULPVRAAG_FACTS = {
    "wmo": [("hulpmiddel_soort", "rolstoel"), ("hulpmiddel_soort", "stoel"), ("hulpmiddel_soort", 3),
            ("hulpmiddel_soort", "rol\u200estoel"), ("mantelzorg_beschikbaar", 0), ("mantelzorg_beschikbaar", 0.5)],
    "jeugd": [("gevraagde_zorg", "behandeling"), ("gi_aangewezen_jeugdhulp", None)],
    "werk_inkomen": [("noodzakelijke_bijzondere_kosten", "150.00"), ("noodzakelijke_bijzondere_kosten", "150.005"),
                     ("noodzakelijke_bijzondere_kosten", 150), ("noodzakelijke_bijzondere_kosten", 150.0),
                     ("noodzakelijke_bijzondere_kosten", "150"), ("noodzakelijke_bijzondere_kosten", True),
                     ("maanden_laag_inkomen", 3), ("maanden_laag_inkomen", "3"), ("maanden_laag_inkomen", True),
                     ("maanden_laag_inkomen", 3.0), ("maanden_laag_inkomen", 10 ** 20),
                     ("oproepen_zonder_verschijnen", -1)],
}


def test_each_mutation_of_a_household_is_read_as_the_checked_path_reads_it(framework, population):
    taken = refused = 0
    for data in population[:6]:
        mutations = list(MUTATIONS)
        for index, hv in enumerate(data["hulpvragen"]):
            mutations += [(("hulpvragen", index, "feiten", name), value)
                          for name, value in HULPVRAAG_FACTS[hv["domein"]]]
        mutations.append((("huishouden", "personen"), data["huishouden"]["personen"] * 2))
        mutations.append((("hulpvragen",), data["hulpvragen"] * 2))
        for path, value in mutations:
            try:
                changed = _with(data, path, value)
            except (KeyError, IndexError, TypeError):
                continue  # this household has no such place
            for text in (case_line(changed), json.dumps(changed, ensure_ascii=False)):  # compact, and with spaces
                if _same(framework, text):
                    taken += 1
                else:
                    refused += 1
    assert taken > 50 and refused > 500  # both ways were exercised


def test_a_key_given_twice_is_the_checked_paths_error_e014_in_any_object(framework, population):
    """orjson keeps the last of two equal keys; the line then writes back shorter, so the checked path reads it
    and says where (E014), as it did before the first path existed. Also when both give the same value."""
    text = case_line(population[0])
    person = '"rol":"aanvrager"'
    first_fact = text[text.index('"feiten":{') + len('"feiten":{'):].split(",")[0]
    for single, twice in (('{"id":', '{"id":"x","id":'), (person, person + "," + person),
                          ('"huishouden":{', '"huishouden":{"personen":[],'),
                          ('"feiten":{' + first_fact, '"feiten":{' + first_fact + "," + first_fact)):
        assert single in text
        doubled = text.replace(single, twice, 1)
        assert _compact_case(framework, doubled, DISPLAY) is None, doubled
        kind, diagnostics = _outcome(case_from_line, framework, doubled)
        assert kind == "fout" and any(code == "E014" and "komt twee keer voor" in message
                                      for code, message, *_ in diagnostics), diagnostics


@pytest.mark.parametrize("text", [
    '{"a":NaN}', '{"a":Infinity}', '{"a":-Infinity}', '{"a":1e400}', '{"a":100000000000000000000000}',
    '{"a":"\\ud800"}', '{"a":"\\ud83d\\ude00"}', '{"a":"\\u00e9"}', '{"a":-0}', '{"a":1.50}', '{"a":1E2}',
    '{"a":"x\x01"}', '[' * 2000 + ']' * 2000, '{"a":1}{"b":2}', '{"a":1,}', '\ufeff{"a":1}',
])
def test_what_orjson_and_the_positioned_parser_read_differently_is_left_to_the_checked_path(framework, text):
    assert _compact_case(framework, text, DISPLAY) is None
    assert _outcome(case_from_line, framework, text) == _outcome(checked_case_from_line, framework, text)


def test_a_float_that_writes_back_the_same_is_still_left_to_the_checked_path(framework, population):
    """json.loads reads 150.5 as Decimal('150.5') and orjson as a float: the first path refuses any float."""
    data = copy.deepcopy(population[0])
    data["feiten"] = {**(data.get("feiten") or {}), "onderzoek_afgerond": 0.5}
    assert case_from_json(framework, data, DISPLAY) is None
    data["vermogen"] = {"totaal": 150.5}
    data["feiten"].pop("onderzoek_afgerond")
    assert case_from_json(framework, data, DISPLAY) is None


_values = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(
    ["", "p1", "hv1", "soest", "2026-01-01", "1980-05-01", "12.50", "ja", "loon", "wmo", "huishouden", "aanvrager"]),
    st.floats(allow_nan=False, allow_infinity=False, width=16), st.just([]), st.just({}))


@settings(max_examples=examples(300))
@given(index=st.integers(0, 399), place=st.integers(0, 10_000), value=_values, drop=st.booleans())
def test_random_changes_anywhere_are_read_as_the_checked_path_reads_them(framework, population, index, place,
                                                                          value, drop):
    data = copy.deepcopy(population[index])
    places = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, child in node.items():
                places.append(path + (key,))
                walk(child, path + (key,))
        elif isinstance(node, list):
            for position, child in enumerate(node):
                places.append(path + (position,))
                walk(child, path + (position,))

    walk(data, ())
    path = places[place % len(places)]
    changed = _with(data, path, _DROP if drop and isinstance(path[-1], str) else value)
    _same(framework, case_line(changed))


def test_a_person_renamed_away_is_two_located_errors_e516_not_an_internal_error(framework, population):
    """The applicant's id no longer matches the `persoon` of its income and its hulpvraag: docs/case.md wants every
    `persoon` to name a person of the household. The unpositioned check made two E516 at one place, one with a
    hint and one without, and sorting them failed (E990 in kader batch); now the positioned parser says both."""
    data = copy.deepcopy(population[268])
    data["huishouden"]["personen"][0]["id"] = "hv1"
    text = case_line(data)
    kind, diagnostics = _outcome(case_from_line, framework, text)
    assert kind == "fout"
    assert [(code, message, line, hint) for code, message, line, _col, hint in diagnostics] == [
        ("E516", "onbekende persoon 'p1'", 1, None), ("E516", "onbekende persoon 'p1'", 1, "personen: hv1, p2")]
    assert diagnostics[0][3] == text.index('"persoon":"p1"') + len('"persoon":') + 1


@pytest.mark.parametrize("text", ["0", "-0", "7", "2094.26", "1872.8", "-12.50", "999999999999999.99",
                                  "1000000000000000", "0.001", "12.345", "007", "1.", ".5", "-", "1e3", " 5",
                                  "5 ", "1,50", "１２", "12.5\n", "-999999999999999"])
@pytest.mark.parametrize("allow_negative", [True, False])
def test_an_amount_as_text_is_read_as_to_decimal_reads_it(text, allow_negative):
    """casejson._money's shortcut for an amount written as `kader population` writes it gives the same Decimal
    as to_decimal plus its checks (at most two decimals, not negative unless allowed), or the same refusal."""
    from decimal import Decimal

    from engine.evaluation.casejson import _money, _Refuse
    from engine.language.types import to_decimal

    try:
        expected = to_decimal(text)
        if expected != expected.quantize(Decimal("0.01")) or (not allow_negative and expected < 0):
            expected = None
    except ValueError:
        expected = None
    try:
        found = _money(text, allow_negative=allow_negative)
    except _Refuse:
        found = None
    assert (str(found) if found is not None else None) == (str(expected) if expected is not None else None)

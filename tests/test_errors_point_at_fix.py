"""Errors that point at the fix (issue 14 item 2), through the commands a user types."""

from __future__ import annotations

import pytest

from cli import app

HEAD = "id: c1\ngemeente: baarn\npeildatum: 2026-03-01\n"
PEOPLE = "huishouden:\n  personen:\n    - {id: p1, rol: aanvrager, geboortedatum: 1980-01-01}\n"
HV = "hulpvragen:\n  - {id: hv1, domein: wmo, onderwerp: huishouden, persoon: p1}\n"


def _assess(runner, tmp_path, text: str):
    path = tmp_path / "casus.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["assess", str(path)])
    return result, [line.replace(str(path), "casus.yaml") for line in result.stderr.splitlines() if line.strip()]


CASES = {
    "misspelt birth date": (
        HEAD + "huishouden:\n  personen:\n    - {id: p1, rol: aanvrager, geboortedtum: 1980-01-01}\n" + HV,
        ["casus.yaml:6:32: error[E500]: verplicht veld 'geboortedatum' ontbreekt; 'geboortedtum' is geen veld; "
         "bedoelde u 'geboortedatum'?"]),
    "misspelt person flag": (
        HEAD + "huishouden:\n  personen:\n    - {id: p1, rol: aanvrager, geboortedatum: 1980-01-01, beperk: true}\n" + HV,
        ["casus.yaml:6:59: error[E501]: onbekend feit 'beperk' voor persoon: het kader declareert het niet; "
         "bedoelde u 'beperkt'?"]),
    "person fact under a hulpvraag": (
        HEAD + PEOPLE + "hulpvragen:\n  - {id: hv1, domein: wmo, onderwerp: huishouden, persoon: p1, "
        "feiten: {wlz_indicatie: false}}\n",
        ["casus.yaml:8:73: error[E504]: feit 'wlz_indicatie' gaat over een persoon, niet over de hulpvraag; "
         "zet het bij die persoon onder huishouden.personen"]),
    "hulpvraag fact on a person": (
        HEAD + "huishouden:\n  personen:\n    - {id: p1, rol: aanvrager, geboortedatum: 1980-01-01, "
        "mantelzorg_beschikbaar: false}\n" + HV,
        ["casus.yaml:6:59: error[E504]: feit 'mantelzorg_beschikbaar' gaat over een hulpvraag, niet over een persoon; "
         "zet het onder 'feiten' van de hulpvraag (domein wmo)"]),
    "decimal comma in a flow mapping": (
        HEAD + PEOPLE + HV + "inkomen: [{persoon: p1, soort: loon, netto_per_maand: 780,50}]\n",
        ["casus.yaml:9:55: error[E025]: '780,50' heeft een komma als decimaalteken; YAML leest hier het getal 780 en "
         "een sleutel '50'; schrijf \"780.50\" (met een punt, tussen aanhalingstekens)"]),
    "decimal comma in text": (
        HEAD + PEOPLE + HV + "vermogen:\n  totaal: 1.250,50\n",
        ["casus.yaml:10:11: error[E500]: '1.250,50' heeft een komma als decimaalteken; kader leest een punt: "
         "schrijf \"1250.50\""]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_mistake_gets_one_message_that_says_the_fix(runner, tmp_path, name):
    text, expected = CASES[name]
    result, lines = _assess(runner, tmp_path, text)
    assert result.exit_code == 1
    assert lines == expected + [f"{len(expected)} fout gevonden"]


def test_gemeente_is_case_insensitive(runner, tmp_path):
    result, lines = _assess(runner, tmp_path, HEAD.replace("baarn", "Baarn") + PEOPLE + HV)
    assert result.exit_code == 0, lines
    assert "gemeente Baarn" in result.stdout


def test_a_case_given_to_kader_test_is_named_a_case(runner, tmp_path):
    path = tmp_path / "casus.yaml"
    path.write_text(HEAD + PEOPLE + HV, encoding="utf-8")
    result = runner.invoke(app, ["test", str(path)])
    assert result.exit_code == 1
    assert f"{path}:1:1: error[E601]: dit is een casus, geen scenario" in result.stdout
    assert f"beoordeel een casus met `kader assess {path}`" in result.stdout

"""A case file's structural errors do not hide its fact errors (issue 14 item 2): like `kader check` for rule
files, one run reports a structural error in one place and a misspelt or wrong fact in a readable other place."""

from __future__ import annotations

from cli import app

CASE = """\
id: c2
gemeente: soest
peildatum: 2026-03-01
huishouden:
  personen:
    - id: p1
      rol: aanvrager
      geboortedtum: 1950-01-01
      beperk: true
    - {id: p2, rol: partnr, geboortedatum: 1952-01-01}
    - {id: k1, rol: kind, geboortedatum: 2015-01-01, mantelzorg_beschikbaar: false}
inkomen: [{persoon: p1, soort: loon, netto_per_maand: 780,00}]
hulpvragen:
  - id: hv1
    domein: wmo
    onderwerp: huishoudn
    persoon: p1
    feiten: {eigen_kracht_toereikend: misschien, mantelzorg_beschikbar: false}
signalen: [schuldn]
"""


def test_structural_and_fact_errors_in_one_run(runner, tmp_path):
    path = tmp_path / "casus.yaml"
    path.write_text(CASE, encoding="utf-8")
    result = runner.invoke(app, ["assess", str(path)])
    assert result.exit_code == 1
    lines = [line.replace(str(path), "casus.yaml") for line in result.stderr.splitlines()]
    assert lines == [
        # structural (the case contract of docs/case.md): a misspelt required field and a role that does not exist
        "casus.yaml:8:7: error[E500]: verplicht veld 'geboortedatum' ontbreekt; 'geboortedtum' is geen veld; "
        "bedoelde u 'geboortedatum'?",
        # the facts around them, still checked against the framework's vocabulary
        "casus.yaml:9:7: error[E501]: onbekend feit 'beperk' voor persoon: het kader declareert het niet; "
        "bedoelde u 'beperkt'?",
        "casus.yaml:10:21: error[E500]: verwacht een van 'aanvrager', 'partner', 'kind' of 'huisgenoot', "
        "gevonden tekst 'partnr'; bedoelde u 'partner'?",
        "casus.yaml:11:54: error[E504]: feit 'mantelzorg_beschikbaar' gaat over een hulpvraag, niet over een persoon; "
        "zet het onder 'feiten' van de hulpvraag (domein wmo)",
        "casus.yaml:12:55: error[E025]: '780,00' heeft een komma als decimaalteken; YAML leest hier het getal 780 en "
        "een sleutel '00'; schrijf \"780.00\" (met een punt, tussen aanhalingstekens)",
        "casus.yaml:16:16: error[E519]: onbekend onderwerp 'huishoudn' in domein wmo; bedoelde u 'huishouden'?",
        "casus.yaml:18:39: error[E503]: hulpvraag.eigen_kracht_toereikend verwacht true of false",
        "casus.yaml:18:50: error[E501]: onbekend feit 'mantelzorg_beschikbar' voor hulpvraag: het kader declareert "
        "het niet; bedoelde u 'mantelzorg_beschikbaar'?",
        "casus.yaml:19:12: error[E520]: onbekend signaal 'schuldn'; bedoelde u 'schulden'?",
        "9 fouten gevonden",
    ]


def test_a_misspelt_fact_next_to_a_missing_field_is_reported(runner, tmp_path):
    """The smallest form: a hulpvraag without `persoon` and a misspelt fact in another hulpvraag."""
    path = tmp_path / "casus.yaml"
    path.write_text(
        "id: c3\ngemeente: Soest\npeildatum: 2026-03-01\n"
        "huishouden: {personen: [{id: p1, rol: aanvrager, geboortedatum: 1950-01-01}]}\n"
        "hulpvragen:\n"
        "  - {id: hv1, domein: wmo, onderwerp: huishouden}\n"
        "  - {id: hv2, domein: wmo, onderwerp: huishouden, persoon: p1, feiten: {mantelzorg_beschikbar: false}}\n",
        encoding="utf-8")
    result = runner.invoke(app, ["assess", str(path)])
    assert result.exit_code == 1
    assert "6:5: error[E500]: verplicht veld 'persoon' ontbreekt" in result.stderr
    assert ("7:73: error[E501]: onbekend feit 'mantelzorg_beschikbar' voor hulpvraag: het kader declareert het niet; "
            "bedoelde u 'mantelzorg_beschikbaar'?") in result.stderr
    assert "2 fouten gevonden" in result.stderr


def test_dutch_habits_get_the_fix(runner, tmp_path):
    """A date written 12-04-1948 and a yes/no written `ja`: the message says what to write instead."""
    path = tmp_path / "casus.yaml"
    path.write_text("id: c4\ngemeente: Baarn\npeildatum: 2026-03-01\n"
                    "huishouden: {personen: [{id: p1, rol: aanvrager, geboortedatum: 12-04-1948, beperkt: ja}]}\n"
                    "hulpvragen: [{id: hv1, domein: wmo, onderwerp: huishouden, persoon: p1}]\n", encoding="utf-8")
    result = runner.invoke(app, ["assess", str(path)])
    assert result.exit_code == 1
    assert ("4:65: error[E500]: verwacht een datum (JJJJ-MM-DD), gevonden '12-04-1948'; schrijf 1948-04-12 "
            "(jaar-maand-dag)") in result.stderr
    assert "4:86: error[E500]: verwacht true of false, gevonden tekst 'ja'; schrijf true" in result.stderr


def test_a_misspelt_required_key_is_said_once(runner, rules_copy):
    """`thenn:` for `then:` in a rule: one message at the key with the suggestion, not also 'onbekende sleutel'."""
    path = rules_copy / "wmo" / "algemeen.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("then:", "thenn:", 1), encoding="utf-8")
    result = runner.invoke(app, ["check", str(rules_copy)])
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if "error[" in line]
    assert len(problems) == 1, problems
    assert problems[0].endswith("error[E100]: verplicht veld 'then' ontbreekt; 'thenn' is geen veld; bedoelde u 'then'?")


def test_a_decimal_comma_in_a_rule_file_does_not_cascade(runner, rules_copy):
    """`value: 176,00` for the threshold of Participatiewet art. 35 lid 2: the comma is explained once; the
    entitlement that reads the parameter is not reported again as unknown wherever a rule denies it."""
    path = rules_copy / "werk_inkomen" / "bijzondere_bijstand.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'value: "176.00"' in text
    path.write_text(text.replace('value: "176.00"', "value: 176,00", 1), encoding="utf-8")
    result = runner.invoke(app, ["check", str(rules_copy)])
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if "error[" in line]
    assert len(problems) == 1, problems
    assert "error[E025]: '176,00' heeft een komma als decimaalteken" in problems[0]

"""The command line as its users meet it: output, exit codes, and located errors for bad input."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from cli import app

from .conftest import ROOT

EXAMPLE = str(ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml")
LOCATED = re.compile(r"^\S+:\d+:\d+: error\[E\d{3}\]: ")


def test_assess_prints_the_explained_proposal(runner):
    result = runner.invoke(app, ["assess", EXAMPLE])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Casus casus-0042" in out and "gemeente Soest" in out and "peildatum 1 maart 2026" in out
    assert "Gebruikelijke hulp van huisgenoten" in out
    assert "wmo.eigen_kracht" in out and "wmo.eigen_kracht.ontoereikend" in out  # why not lighter
    assert "geen automatisch voorstel" in out
    assert "€ 885,18 per maand" in out and "norm € 1.735,18" in out
    assert "7 april 2026" in out  # wmo_onderzoek after Goede Vrijdag and Tweede Paasdag
    assert "Nog nodig" in out and "hulpvraag.dagbehandeling_nodig" in out  # per hulpvraag (issue 14 item 3)


def test_assess_json_follows_the_contract(runner):
    result = runner.invoke(app, ["assess", EXAMPLE, "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data)[:11] == ["case_id", "gemeente", "peildatum", "framework", "engine_version", "proposals",
                               "entitlements", "deadlines", "signals", "checks", "missing_facts"]
    assert data["framework"]["hash"].startswith("sha256:")
    proposal = data["proposals"][2]
    assert {k: proposal[k] for k in ("hulpvraag", "provision", "level")} == {
        "hulpvraag": "hv3", "provision": "werk_inkomen.algemene_bijstand", "level": 3}
    assert proposal["lighter_options_ruled_out"][0] == {
        "level": 0, "provision": "werk_inkomen.eigen_middelen", "rule": "werk_inkomen.pw.eigen_middelen_ontoereikend",
        "reason": "het inkomen ligt onder de norm (strikt, art. 19 lid 1 onder a) en het vermogen niet boven de grens "
                  "(inclusief, art. 34 lid 2 onder b)"}
    bijstand = data["entitlements"][0]
    assert (bijstand["id"], bijstand["eligible"], bijstand["bedrag"], bijstand["norm"], bijstand["periode"]) == (
        "algemene_bijstand", True, "885.18", "1735.18", "maand")
    assert {"id": "wmo_onderzoek", "date": "2026-04-07", "rule": "wmo.melding.termijnen"}.items() <= data["deadlines"][1].items()


def test_assess_in_another_municipality_and_on_another_date(runner):
    result = runner.invoke(app, ["assess", EXAMPLE, "--gemeente", "baarn", "--peildatum", "2025-03-01", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["gemeente"] == "baarn" and data["peildatum"] == "2025-03-01"
    ids = [e["id"] for e in data["entitlements"]]
    assert "soest.jeugdsportfonds" not in ids and "baarn.leergeld" in ids
    # 2025-01-01: B = 1922.07, A = 3: 2 x round(130/300 x 1922.07) = 2 x 832.90
    assert data["entitlements"][0]["norm"] == "1665.80"


def test_python_cli_py_works_like_kader():
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "assess", EXAMPLE, "--format", "json"],
                            capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["case_id"] == "casus-0042"


def test_explain_shows_the_trace_with_legal_references(runner):
    result = runner.invoke(app, ["explain", EXAMPLE])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "wmo.hh.gebruikelijke_hulp" in out and "[Wmo 2015 art. 1.1.1 (gebruikelijke hulp); art. 2.3.5 lid 3]" in out
    assert "omdat:" in out and "als:" in out
    assert "huishouden.bijstandsnorm = € 1.735,18" in out
    assert "norm_gehuwden_21 = 2002.13 (vanaf 1 januari 2026)" in out
    assert "Is behandeling overdag (dagbehandeling) nodig" in out


def test_explain_one_hulpvraag_and_an_unknown_one(runner):
    result = runner.invoke(app, ["explain", EXAMPLE, "--hulpvraag", "hv3"])
    assert result.exit_code == 0
    assert "werk_inkomen.pw.bijstand_toereikend" in result.stdout and "wmo.hh.gebruikelijke_hulp" not in result.stdout
    result = runner.invoke(app, ["explain", EXAMPLE, "--hulpvraag", "hv9"])
    assert result.exit_code == 2
    assert "onbekende hulpvraag 'hv9'; de casus heeft hv1, hv2, hv3" in result.stderr


def test_explain_json_carries_the_trace(runner):
    data = json.loads(runner.invoke(app, ["explain", EXAMPLE, "--format", "json"]).stdout)
    fired = [f["rule"] for f in data["trace"]["fired"]]
    assert "werk_inkomen.pw.bijstand_toereikend" in fired and "integraal.regisseur" in fired
    assert data["trace"]["derived"]["huishouden.aantal_kostendelers"] == 1
    assert data["trace"]["parameters"]["norm_gehuwden_21"] == {
        "value": "2002.13", "from": "2026-01-01", "legal_basis": "Participatiewet art. 21 onder b"}


def test_check_reports_clean_rules_with_stats(runner):
    result = runner.invoke(app, ["check", str(ROOT / "rules"), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["errors"] == []
    for domain in ("wmo", "jeugd", "werk_inkomen"):
        assert set(data["stats"][domain]) >= {"rules", "provisions", "parameters", "facts"}
        assert data["stats"][domain]["rules"] >= 10 and data["stats"][domain]["provisions"] >= 6


def test_check_reports_every_problem_and_exits_1(runner, rules_copy):
    path = rules_copy / "wmo" / "algemeen.yaml"
    path.write_text(path.read_text().replace("when: hulpvraag.eigen_kracht_toereikend\n",
                                             "when: hulpvraag.eigen_kracht_toereiknd\n"))
    profile = rules_copy / "gemeenten" / "soest.yaml"
    profile.write_text(profile.read_text().replace("name: Gemeente Soest\n", "name: Gemeente Soest\nrules: []\n"))
    result = runner.invoke(app, ["check", str(rules_copy)])
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if LOCATED.match(line)]
    assert len(lines) == 2
    assert "onbekend feit 'hulpvraag.eigen_kracht_toereiknd'; bedoelde u 'hulpvraag.eigen_kracht_toereikend'?" in lines[1]
    assert "onbekende sleutel 'rules' in het profiel van soest" in lines[0]
    data = json.loads(runner.invoke(app, ["check", str(rules_copy), "--format", "json"]).stdout)
    assert [e["code"] for e in data["errors"]] == ["E400", "E201"]


def test_test_command_passes_and_fails(runner, tmp_path):
    result = runner.invoke(app, ["test", str(ROOT / "scenarios" / "voorbeelden"), "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["passed"], data["failed"]) == (1, 0)
    broken = tmp_path / "fout.yaml"
    broken.write_text(open(EXAMPLE, encoding="utf-8").read().replace('bedrag: "885.18"', 'bedrag: "900.00"'))
    result = runner.invoke(app, ["test", str(broken)])
    assert result.exit_code == 1
    assert "aanspraak algemene_bijstand, bedrag: andere waarde" in result.stdout  # in Dutch, by id (issue 14)
    assert "verwacht: 900.00" in result.stdout and "kreeg:    885.18" in result.stdout
    data = json.loads(runner.invoke(app, ["test", str(broken), "--format", "json"]).stdout)
    assert data["results"][0]["differences"][0]["path"] == "expected.entitlements[0]['bedrag']"


@pytest.mark.parametrize("args", [
    ["assess"],
    ["assess", EXAMPLE, "--format", "xml"],
    ["assess", EXAMPLE, "--gemeente", "amersfoort"],
    ["assess", EXAMPLE, "--peildatum", "2026-13-01"],
    ["bestaat-niet"],
    ["check", "--onbekend"],
])
def test_wrong_usage_exits_2(runner, args):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


CASE_HEAD = "id: c1\ngemeente: baarn\npeildatum: 2026-03-01\n"
PEOPLE = "huishouden:\n  personen:\n    - {id: p1, rol: aanvrager, geboortedatum: 1980-01-01}\n"
HV = "hulpvragen:\n  - {id: hv1, domein: wmo, onderwerp: huishouden, persoon: p1}\n"

MALFORMED = {
    "yaml syntax": ("case.yaml", CASE_HEAD + PEOPLE + "hulpvragen: [\n", "E010", "ongeldige YAML"),
    "json syntax": ("case.json", '{"id": "c1",\n "gemeente": "baarn",}', "E011", "case.json:2:22: error[E011]: ongeldige JSON: verwacht een sleutel tussen dubbele aanhalingstekens"),
    "empty file": ("case.yaml", "", "E500", "leeg bestand"),
    "not a mapping": ("case.yaml", "- 1\n- 2\n", "E500", "verwacht een mapping"),
    "missing peildatum": ("case.yaml", "id: c1\ngemeente: baarn\n" + PEOPLE + HV, "E500", "verplicht veld 'peildatum'"),
    "unknown key": ("case.yaml", CASE_HEAD + "naam: Jansen\n" + PEOPLE + HV, "E500", "onbekende sleutel 'naam'"),
    "impossible date": ("case.yaml", "id: c1\ngemeente: baarn\npeildatum: 2026-02-30\n" + PEOPLE + HV, "E012",
                        "case.yaml:3:12"),
    "unknown gemeente": ("case.yaml", "id: c1\ngemeente: utrecht\npeildatum: 2026-03-01\n" + PEOPLE + HV, "E510",
                         "onbekende gemeente 'utrecht'"),
    "unknown domein": ("case.yaml", CASE_HEAD + PEOPLE
                       + "hulpvragen:\n  - {id: hv1, domein: wwb, onderwerp: x, persoon: p1}\n", "E518", "onbekend domein 'wwb'"),
    "unknown onderwerp": ("case.yaml", CASE_HEAD + PEOPLE
                          + "hulpvragen:\n  - {id: hv1, domein: wmo, onderwerp: huishoudn, persoon: p1}\n", "E519",
                          "bedoelde u 'huishouden'?"),
    "unknown person": ("case.yaml", CASE_HEAD + PEOPLE
                       + "hulpvragen:\n  - {id: hv1, domein: wmo, onderwerp: huishouden, persoon: p9}\n", "E516",
                       "onbekende persoon 'p9'"),
    "two aanvragers": ("case.yaml", CASE_HEAD + PEOPLE + "    - {id: p2, rol: aanvrager, geboortedatum: 1981-01-01}\n" + HV,
                       "E512", "precies één aanvrager"),
    "three decimals": ("case.yaml", CASE_HEAD + PEOPLE + HV
                       + "inkomen: [{persoon: p1, soort: loon, netto_per_maand: '850.005'}]\n", "E521", "meer dan twee decimalen"),
    "negative income": ("case.yaml", CASE_HEAD + PEOPLE + HV
                        + "inkomen: [{persoon: p1, soort: loon, netto_per_maand: '-5.00'}]\n", "E522", "niet negatief"),
    "undeclared fact": ("case.yaml", CASE_HEAD + PEOPLE
                        + "hulpvragen:\n  - {id: hv1, domein: wmo, onderwerp: huishouden, persoon: p1, feiten: {hulp_nodig: true}}\n",
                        "E501", "onbekend feit 'hulp_nodig'"),
    "fact of another domain": ("case.yaml", CASE_HEAD + PEOPLE
                               + "hulpvragen:\n  - {id: hv1, domein: jeugd, onderwerp: opvoeding, persoon: p1, "
                               "feiten: {mantelzorg_beschikbaar: true}}\n", "E502", "hoort bij domein wmo"),
    "wrong fact type": ("case.yaml", CASE_HEAD + PEOPLE
                        + "hulpvragen:\n  - {id: hv1, domein: wmo, onderwerp: huishouden, persoon: p1, "
                        "feiten: {mantelzorg_beschikbaar: 'ja'}}\n", "E503", "verwacht true of false"),
    "yaml 1.1 yes": ("case.yaml", CASE_HEAD + "huishouden:\n  personen:\n"
                     "    - {id: p1, rol: aanvrager, geboortedatum: 1980-01-01, beperkt: yes}\n" + HV, "E500",
                     "verwacht true of false, gevonden tekst 'yes'"),
    "unknown signal": ("case.yaml", CASE_HEAD + PEOPLE + HV + "signalen: [schuld]\n", "E520", "bedoelde u 'schulden'?"),
    "born after peildatum": ("case.yaml", CASE_HEAD + "huishouden:\n  personen:\n"
                             "    - {id: p1, rol: aanvrager, geboortedatum: 2027-01-01}\n" + HV, "E515", "na de peildatum"),
    "before the framework": ("case.yaml", "id: c1\ngemeente: baarn\npeildatum: 2023-06-01\n" + PEOPLE + HV, "E511",
                             "vóór het begin van het kader"),
    "alias bomb": ("case.yaml", "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True)), "E018",
        "te groot na het uitvouwen van aliassen"),
    "python tag": ("case.yaml", "id: !!python/object/apply:os.system ['true']\n", "E015", "niet toegestaan"),
    "binary file": ("case.yaml", "id: c1\x00\x01", "E021", "NUL-teken"),
    "duplicate key": ("case.yaml", CASE_HEAD + "gemeente: soest\n" + PEOPLE + HV, "E014", "komt twee keer voor"),
    # found by tests/test_spec_hostile.py: each of these ended in "interne fout" (exit 3)
    "number with 5001 digits": ("case.yaml", CASE_HEAD + PEOPLE + HV + "vermogen: {totaal: 1" + "0" * 5000 + "}\n",
                                "E022", "case.yaml:9:20: error[E022]: getal met 5001 cijfers is te lang"),
    "json number with 5001 digits": ("case.json", '{"vermogen": {"totaal": 1' + "0" * 5000 + "}}", "E022",
                                     "case.json:1:25: error[E022]"),
    "amount too large to be exact": ("case.yaml", CASE_HEAD + PEOPLE + HV
                                     + "vermogen: {totaal: '100000000000000000000000000000.00'}\n", "E500",
                                     "getal is te groot"),
    "money fact not a number": ("case.yaml", CASE_HEAD + PEOPLE + "hulpvragen:\n  - {id: hv1, domein: werk_inkomen, "
                                "onderwerp: bijzondere_kosten, persoon: p1, feiten: {noodzakelijke_bijzondere_kosten: NaN}}\n",
                                "E503", "'NaN' is geen getal"),
    "money fact with three decimals": ("case.yaml", CASE_HEAD + PEOPLE + "hulpvragen:\n  - {id: hv1, domein: werk_inkomen, "
                                       "onderwerp: bijzondere_kosten, persoon: p1, "
                                       "feiten: {noodzakelijke_bijzondere_kosten: 12.345}}\n", "E503", "meer dan twee decimalen"),
    "melding at the end of the calendar": ("case.yaml", CASE_HEAD + "melddatum: 9999-12-25\n" + PEOPLE + HV, "E523",
                                           "case.yaml:4:12: error[E523]: datum 9999-12-25 ligt buiten het bereik"),
    "control character": ("case.yaml", CASE_HEAD + "woonplaats: \x7f\n", "E010",
                          "case.yaml:4:13: error[E010]: ongeldige YAML: het teken U+007F is niet toegestaan"),
    "terminal escape in the case id": ("case.yaml", 'id: "x\\e[31mrood"\ngemeente: baarn\npeildatum: 2026-03-01\n' + PEOPLE + HV,
                                       "E500", "case.yaml:1:5: error[E500]: tekst bevat een stuurteken of onzichtbaar teken (U+001B)"),
    "line break in a key": ("case.yaml", CASE_HEAD + PEOPLE + HV + '"a\\nb": 1\n', "E500", "onbekende sleutel 'a\\nb'"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_case_gives_located_errors_and_exit_1(runner, tmp_path, name):
    filename, text, code, fragment = MALFORMED[name]
    path = tmp_path / filename
    path.write_bytes(text.encode("utf-8"))
    result = runner.invoke(app, ["assess", str(path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert LOCATED.match(lines[0]), lines[0]
    assert f"error[{code}]" in result.stderr, result.stderr
    assert fragment in result.stderr, result.stderr


def test_a_missing_file_and_a_folder_are_located_errors(runner, tmp_path):
    result = runner.invoke(app, ["assess", str(tmp_path / "weg.yaml")])
    assert result.exit_code == 1 and "error[E001]: bestand bestaat niet" in result.stderr
    result = runner.invoke(app, ["assess", str(tmp_path)])
    assert result.exit_code == 1 and "error[E002]: dit is een map, geen bestand" in result.stderr


def test_a_malformed_scenario_is_a_failed_scenario_with_located_errors(runner, tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text("name: zonder artikel\ncase: {}\nexpected: {}\n")
    result = runner.invoke(app, ["test", str(path), "--format", "json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["results"][0]["errors"]
    assert {"code": "E600", "message": "verplicht veld 'checks' ontbreekt", "line": 1, "col": 1}.items() <= errors[0].items()


def test_a_scenario_can_assert_that_nothing_of_a_kind_occurs(runner, tmp_path):
    text = open(EXAMPLE, encoding="utf-8").read().replace("  signals:\n    - {id: regisseur}\n    - {id: schuldhulp}\n",
                                                           "  signals: []\n")
    path = tmp_path / "geen-signalen.yaml"
    path.write_text(text)
    data = json.loads(runner.invoke(app, ["test", str(path), "--format", "json"]).stdout)
    difference = data["results"][0]["differences"][0]
    assert difference["path"] == "expected.signals" and difference["expected"] == []
    assert {"regisseur", "schuldhulp"} <= set(difference["actual"])

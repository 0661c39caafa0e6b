"""Writing a case without guessing (issue 14 item 1): `kader schema`, `kader facts`, `kader new-case`.

The schemas come from the pydantic models plus the framework's vocabulary; they must accept every file kader
accepts (every scenario case, every rule file and profile) and refuse the malformed cases the suite already has.
"""

from __future__ import annotations

import datetime as _dt
import json
import re

import jsonschema
import pytest
import yaml

from cli import app

from .conftest import ROOT, RULES
from .test_cli import MALFORMED

SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))


def _plain(data):
    """YAML data as the YAML language server sees it (YAML 1.2: dates are strings)."""
    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, _dt.date) else str(v)))


def _schema(runner, kind: str) -> jsonschema.protocols.Validator:
    result = runner.invoke(app, ["schema", kind])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def case_validator():
    from typer.testing import CliRunner
    return _schema(CliRunner(env={"KADER_RULES": str(RULES)}), "case")


def test_the_case_schema_accepts_every_scenario_case(case_validator):
    assert len(SCENARIOS) > 200
    for path in SCENARIOS:
        case = _plain(yaml.safe_load(path.read_text(encoding="utf-8"))["case"])
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in case_validator.iter_errors(case)]
        assert errors == [], path.name


# The malformed cases of tests/test_cli.py that are valid YAML and wrong in a way a schema can see.
REFUSED = ["not a mapping", "missing peildatum", "unknown key", "unknown gemeente", "unknown domein",
           "unknown onderwerp", "undeclared fact", "fact of another domain", "wrong fact type", "unknown signal",
           "money fact not a number", "line break in a key"]


@pytest.mark.parametrize("name", REFUSED)
def test_the_case_schema_refuses_the_malformed_cases(case_validator, name):
    _, text, _, _ = MALFORMED[name]
    data = _plain(yaml.safe_load(text))
    assert not case_validator.is_valid(data), name


def test_the_case_schema_carries_the_vocabulary(case_validator):
    schema = case_validator.schema
    assert schema["properties"]["gemeente"]["enum"] == ["baarn", "bunschoten", "soest"]
    wmo = next(rule["then"]["properties"] for rule in schema["$defs"]["HulpvraagIn"]["allOf"]
               if rule["if"]["properties"]["domein"]["const"] == "wmo")
    assert "huishouden" in wmo["onderwerp"]["enum"] and "opvoeding" not in wmo["onderwerp"]["enum"]
    fact = wmo["feiten"]["properties"]["mantelzorg_beschikbaar"]
    assert fact["type"] == "boolean" and "Wmo 2015 art. 2.3.2 lid 4 onder c" in fact["description"]
    person = schema["$defs"]["PersonIn"]["properties"]
    assert person["verblijfsgrond"]["enum"][0] == "nederlander"
    # a Dutch decimal comma is not a number kader reads
    assert not case_validator.is_valid({**_plain(yaml.safe_load(MALFORMED["unknown key"][1].replace("naam: Jansen\n", ""))),
                                        "vermogen": {"totaal": "780,00"}})


def _rule_files():
    for path in sorted(RULES.rglob("*.yaml")):
        special = {"kader.yaml": "kader", "algemene_termijnenwet.yaml": "atw", "wetten.yaml": "wetten"}
        kind = special.get(path.name) or ("profile" if path.parent.name == "gemeenten" else "rules")
        yield kind, path


def test_the_rule_schemas_accept_every_rule_file_and_profile(runner):
    validators = {kind: _schema(runner, kind) for kind in ("rules", "kader", "profile", "atw", "wetten")}
    seen = set()
    for kind, path in _rule_files():
        data = _plain(yaml.safe_load(path.read_text(encoding="utf-8")))
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validators[kind].iter_errors(data)]
        assert errors == [], path
        seen.add(kind)
    assert seen == {"rules", "kader", "profile", "atw", "wetten"}


def test_the_rule_schema_refuses_a_misspelt_key_and_a_bad_level(runner):
    validator = _schema(runner, "rules")
    rule = {"id": "wmo.x", "title": "x", "legal_basis": "Wmo 2015 art. 2.3.5", "when": "true", "reason": "x",
            "then": [{"sufices": "wmo.hbh"}]}
    assert not validator.is_valid({"rules": [rule]})
    rule["then"] = [{"suffices": "wmo.hbh"}]
    assert validator.is_valid({"rules": [rule]})
    assert not validator.is_valid({"provisions": {"wmo.x": {"name": "x", "level": 12, "onderwerpen": ["huishouden"],
                                                             "legal_basis": "Wmo 2015"}}})


def test_kader_facts_lists_questions_types_and_scope(runner):
    result = runner.invoke(app, ["facts", "--domein", "wmo", "--onderwerp", "huishouden", "--format", "json"])
    assert result.exit_code == 0, result.output
    found = {(f["scope"], f["name"]): f for f in json.loads(result.stdout)}
    mantelzorg = found[("hulpvraag", "mantelzorg_beschikbaar")]
    assert mantelzorg["place"] == "hulpvragen[].feiten.mantelzorg_beschikbaar" and mantelzorg["type"] == "bool"
    assert mantelzorg["question"].startswith("Kan mantelzorg of iemand uit het sociaal netwerk")
    assert ("persoon", "beperkt") in found and ("persoon", "wlz_indicatie") in found
    assert not any(f["domein"] in ("jeugd", "werk_inkomen") for f in found.values())
    text = runner.invoke(app, ["facts", "--domein", "wmo"]).stdout
    assert "Per hulpvraag (hulpvragen[].feiten)" in text and "  mantelzorg_beschikbaar" in text


def test_kader_facts_refuses_an_unknown_domain_with_a_suggestion(runner):
    result = runner.invoke(app, ["facts", "--domein", "wom"])
    assert result.exit_code == 2
    assert "--domein:1:1: error[E723]: onbekend domein 'wom'; kies uit wmo, jeugd, werk_inkomen" in result.stderr
    assert "bedoelde u 'wmo'?" in result.stderr


ANSWER = re.compile(r"^(\s*)# ([a-z_][a-z0-9_]*): (.*?)(\s+# of.*)?$")


@pytest.mark.parametrize("domein,onderwerp", [("wmo", "huishouden"), ("jeugd", "opvoeding"),
                                              ("werk_inkomen", "levensonderhoud")])
def test_a_new_case_assesses_as_written_and_once_filled(runner, tmp_path, domein, onderwerp):
    path = tmp_path / "casus.yaml"
    result = runner.invoke(app, ["new-case", "--domein", domein, "--onderwerp", onderwerp, "--peildatum", "2026-03-01",
                                 "--gemeente", "Soest", "--out", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"geschreven: {path}"
    as_written = runner.invoke(app, ["assess", str(path), "--format", "json"])
    assert as_written.exit_code == 0, as_written.output
    assert json.loads(as_written.stdout)["missing_facts"], "the empty template still has questions open"
    # answer every question with the example value next to it, as an assessor uncommenting the lines would
    filled = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = ANSWER.match(line)
        filled.append(f"{match.group(1)}{match.group(2)}: {match.group(3)}" if match else line)
    path.write_text("\n".join(filled) + "\n", encoding="utf-8")
    answered = runner.invoke(app, ["assess", str(path), "--format", "json"])
    assert answered.exit_code == 0, answered.output
    assert answered.stderr == ""
    data = json.loads(answered.stdout)
    assert data["gemeente"] == "soest" and data["proposals"][0]["hulpvraag"] == "hv1"
    assert not [m for m in data["missing_facts"] if m["fact"].startswith("hulpvraag.")]


def test_the_case_in_the_readme_assesses_without_a_single_error(runner, tmp_path, case_validator):
    """The command reference's example case, written from docs/commands.md and `kader facts` alone (issue 14: done
    when; the text was in the README until the README was made short)."""
    readme = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Writing a case"):]
    text = section[section.index("```yaml\n") + len("```yaml\n"):]
    text = text[:text.index("```")]
    assert text.startswith("id: ")
    path = tmp_path / "casus.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["assess", str(path), "--format", "json"])
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert json.loads(result.stdout)["proposals"][0]["hulpvraag"] == "hv1"
    assert case_validator.is_valid(_plain(yaml.safe_load(text)))


def test_the_rule_schema_knows_the_onderwerpen(runner):
    validator = _schema(runner, "rules")
    provision = {"name": "x", "level": 1, "onderwerpen": ["huishouden"], "legal_basis": "Wmo 2015 art. 2.2.3"}
    assert validator.is_valid({"provisions": {"wmo.x": provision}})
    assert not validator.is_valid({"provisions": {"wmo.x": {**provision, "onderwerpen": ["huishoudn"]}}})

"""Every endpoint over real HTTP against `kader serve` in its own process, compared with the command line."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

import engine
from cli import app
from engine.evaluation.case import CaseIn
from tests.test_cli import MALFORMED

from .conftest import EXAMPLE, ROOT, case_json, example_case

pytestmark = pytest.mark.slow

runner = CliRunner()


def cli_json(*args: str) -> bytes:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout.encode("utf-8")


def test_assess_gives_the_bytes_of_kader_assess_format_json_for_yaml_and_json_bodies(server, tmp_path):
    expected = cli_json("assess", str(EXAMPLE), "--format", "json")
    as_yaml = server.post("/assess", EXAMPLE.read_bytes(), content_type="application/yaml")
    assert as_yaml.status == 200 and as_yaml.headers["content-type"] == "application/json"
    assert as_yaml.body == expected
    path = tmp_path / "casus.json"
    path.write_bytes(case_json(example_case()))
    as_json = server.post("/assess", path.read_bytes())
    assert as_json.body == cli_json("assess", str(path), "--format", "json") == expected


def test_assess_in_another_gemeente_and_on_another_date_matches_the_command_line(server):
    expected = cli_json("assess", str(EXAMPLE), "--gemeente", "baarn", "--peildatum", "2025-03-01", "--format", "json")
    reply = server.post("/assess?gemeente=baarn&peildatum=2025-03-01", case_json(example_case()))
    assert reply.status == 200 and reply.body == expected
    data = reply.json()
    assert (data["gemeente"], data["peildatum"]) == ("baarn", "2025-03-01")


def test_every_scenario_assesses_to_the_command_lines_bytes(server):
    paths = sorted((ROOT / "scenarios").rglob("*.yaml"))[:40]
    assert len(paths) >= 10
    connection = server.connect()
    for path in paths:
        reply = server.post("/assess", path.read_bytes(), content_type="application/yaml", connection=connection)
        assert reply.status == 200, (path, reply.body[:300])
        assert reply.body == cli_json("assess", str(path), "--format", "json"), path
    connection.close()


def test_explain_gives_the_trace_and_counterfactuals_of_kader_explain(server):
    body = case_json(example_case())
    plain = server.post("/explain", body)
    assert plain.status == 200 and plain.body == cli_json("explain", str(EXAMPLE), "--format", "json")
    assert plain.json()["trace"]["fired"]
    counter = server.post("/explain?counterfactual=true", body)
    assert counter.body == cli_json("explain", str(EXAMPLE), "--counterfactual", "--format", "json")
    # income € 885,18 below the household's bijstandsnorm of € 1.735,18 (Participatiewet art. 21, 22a)
    assert any(c["fact"] == "casus.inkomen" and "€ 885,18 onder de grens van bijstandsnorm (€ 1.735,18)" in c["summary"]
               for c in counter.json()["counterfactuals"])


def test_explain_refuses_a_hulpvraag_the_case_does_not_have(server):
    reply = server.post("/explain?hulpvraag=hv9", case_json(example_case()))
    assert reply.status == 422
    assert reply.json()["diagnostics"] == ["body:1:1: error[E700]: onbekende hulpvraag 'hv9'; de casus heeft hv1, hv2, hv3"]


def test_questions_lists_the_missing_facts_most_decisive_first(server):
    reply = server.post("/questions", case_json(example_case()))
    assert reply.status == 200
    data = reply.json()
    assessed = json.loads(cli_json("assess", str(EXAMPLE), "--format", "json"))
    assert data["missing_facts"] == assessed["missing_facts"]
    # the youth request (hv2) waits on whether another law provides (Jeugdwet art. 1.1, voorliggende voorziening)
    assert data["missing_facts"][0]["fact"] == "hulpvraag.andere_voorliggende_voorziening"
    assert data["missing_facts"][0]["impact"] == "beslissend"
    assert (data["case_id"], data["gemeente"], data["peildatum"]) == ("casus-0042", "soest", "2026-03-01")
    # and the ranked decisive questions of `kader assess --questions`, with what each answer can change
    asked = json.loads(cli_json("assess", str(EXAMPLE), "--questions", "--format", "json"))
    assert data["questions"] == asked["questions"]
    first = data["questions"][0]
    assert first["impact"] in ("beslissend", "samen_beslissend") and "voorstel:hv2" in first["changes"]


def test_facts_lists_declared_and_built_in_facts_with_type_and_legal_basis(server, framework):
    """GET /facts is what `kader facts --format json` lists, with the framework it comes from."""
    from engine.evaluation.factlist import list_facts
    reply = server.get("/facts")
    assert reply.status == 200
    assert reply.json()["facts"] == [entry.to_json() for entry in list_facts(framework, None, None)]
    facts = {(f["scope"], f["name"], f["domein"]): f for f in reply.json()["facts"]}
    mantelzorg = facts[("hulpvraag", "mantelzorg_beschikbaar", "wmo")]
    assert mantelzorg["type"] == "bool" and mantelzorg["place"] == "hulpvragen[].feiten.mantelzorg_beschikbaar"
    assert ("hulpvraag", "mantelzorg_beschikbaar", "jeugd") not in facts  # a Wmo fact, not a youth fact (E502)
    assert reply.json()["framework"]["hash"] == framework.hash
    assert all(f["legal_basis"] for f in facts.values())


def test_schema_case_is_what_kader_schema_case_prints(server, framework):
    """GET /schema/case is the case schema of `kader schema case`: the engine's case model plus the framework's
    vocabulary (facts per scope with their types and allowed values)."""
    from engine.tools.schemas import case_schema
    reply = server.get("/schema/case")
    assert reply.status == 200
    assert reply.json() == json.loads(json.dumps(case_schema(framework)))
    assert reply.json()["additionalProperties"] is False
    assert set(reply.json()["required"]) == {"id", "gemeente", "peildatum", "huishouden", "hulpvragen"}


def test_framework_gives_version_hash_gemeenten_and_periods(server, framework):
    data = server.get("/framework").json()
    assert (data["version"], data["hash"], data["engine_version"]) == (framework.version, framework.hash,
                                                                       engine.__version__)
    assert [g["id"] for g in data["gemeenten"]] == ["baarn", "bunschoten", "soest"]
    periods = data["periods"]
    assert periods[0]["from"] == framework.valid_from.isoformat() and periods[-1]["until"] is None
    # the bijstandsnormen are indexed on 1 January and 1 July (Participatiewet art. 38): each starts a period
    starts = [p["from"] for p in periods]
    assert {"2026-01-01", "2026-07-01"} <= set(starts)
    for earlier, later in zip(periods, periods[1:], strict=False):  # contiguous, no gaps or overlaps
        import datetime as dt
        assert dt.date.fromisoformat(earlier["until"]) + dt.timedelta(days=1) == dt.date.fromisoformat(later["from"])


def test_health_needs_nothing_and_names_the_rules(server, framework):
    reply = server.get("/health")
    assert reply.status == 200 and reply.json() == {"status": "ok", "framework": framework.hash,
                                                    "engine_version": engine.__version__}


LOCATED = re.compile(r"^\S.*:\d+:\d+: error\[E\d{3}\]: ")


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_malformed_case_is_a_422_problem_with_the_command_lines_diagnostics(server, tmp_path, name):
    filename, text, code, _fragment = MALFORMED[name]
    path = tmp_path / filename
    path.write_bytes(text.encode("utf-8"))
    result = runner.invoke(app, ["assess", str(path)])
    expected = [line.replace(str(path), "body") for line in result.stderr.splitlines() if LOCATED.match(line)]
    kind = "application/json" if filename.endswith(".json") else "application/yaml"
    reply = server.post("/assess", text.encode("utf-8"), content_type=kind)
    assert reply.status == 422, reply.body
    assert reply.headers["content-type"] == "application/problem+json"
    problem = reply.json()
    assert problem["status"] == 422 and problem["type"].startswith("urn:kader:problem:")
    assert problem["diagnostics"] == expected
    assert code in [e["code"] for e in problem["errors"]] and {e["file"] for e in problem["errors"]} == {"body"}
    assert "Traceback" not in reply.body.decode("utf-8")


@pytest.mark.parametrize("query, line", [
    ("?gemente=baarn", "?gemente:1:1: error[E702]: onbekende parameter 'gemente'; toegestaan: gemeente, peildatum, "
                       "record, assessor, decision, motivation"),
    ("?gemeente=utrecht", "?gemeente:1:1: error[E510]: onbekende gemeente 'utrecht'; kies uit baarn, bunschoten, soest"),
    ("?peildatum=1-3-2026", "?peildatum:1:1: error[E701]: peildatum moet een datum zijn (JJJJ-MM-DD), niet '1-3-2026'"),
    ("?peildatum=2026-02-30", "?peildatum:1:1: error[E701]: peildatum 2026-02-30 bestaat niet in de kalender"),
    ("?gemeente=baarn&gemeente=soest", "?gemeente:1:1: error[E703]: parameter 'gemeente' staat er meer dan eens"),
    ("?record=misschien", "?record:1:1: error[E704]: record is true of false, niet 'misschien'"),
    ("?assessor=c17", "?record:1:1: error[E900]: --assessor hoort bij --record; voeg --record toe om de beoordeling "
                      "vast te leggen"),
])
def test_a_bad_query_is_a_422_problem_never_a_silent_default(server, query, line):
    reply = server.post("/assess" + query, case_json(example_case()))
    assert reply.status == 422 and reply.json()["diagnostics"] == [line]


def test_unknown_paths_and_methods_are_problems_too(server):
    missing = server.get("/beoordeel")
    assert missing.status == 404 and missing.headers["content-type"] == "application/problem+json"
    wrong = server.get("/assess")
    assert wrong.status == 405 and wrong.json()["status"] == 405


def test_openapi_is_generated_from_the_case_model_and_describes_the_assessment_contract(server):
    document = server.get("/openapi.json").json()
    assert {"/assess", "/explain", "/questions", "/facts", "/schema/case", "/framework", "/health", "/audit"} <= set(
        document["paths"])
    schemas = document["components"]["schemas"]
    case = CaseIn.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in case.pop("$defs").items():
        assert schemas[name] == definition
    assert schemas["CaseIn"] == case
    assess = document["paths"]["/assess"]["post"]
    assert assess["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/CaseIn"}
    assert assess["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AssessmentOut"}
    assert assess["responses"]["422"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"}
    # the fields of the assessment contract (shared/DESIGN.md, README) are all required in the description
    assert set(schemas["AssessmentOut"]["required"]) == {
        "case_id", "gemeente", "peildatum", "framework", "engine_version", "proposals", "entitlements", "deadlines",
        "signals", "checks", "missing_facts"}
    assert {"id", "eligible", "bedrag", "periode", "rules"} <= set(schemas["Entitlement"]["required"])
    assert {"hulpvraag", "provision", "level", "rules", "lighter_options_ruled_out"} <= set(
        schemas["Proposal"]["required"])
    assert {p["name"] for p in assess["parameters"]} == {"gemeente", "peildatum", "record", "assessor", "decision",
                                                          "motivation"}
    assert "/docs" not in document["paths"] and server.get("/docs").status == 404  # no page that loads scripts


def test_the_served_assessment_validates_against_the_openapi_models(server):
    from service.contracts import AssessmentOut, ExplanationOut, QuestionsOut
    body = case_json(example_case())
    AssessmentOut.model_validate_json(server.post("/assess", body).body, strict=True)
    ExplanationOut.model_validate_json(server.post("/explain?counterfactual=true", body).body, strict=True)
    QuestionsOut.model_validate_json(server.post("/questions", body).body, strict=True)

"""POST /impact over real HTTP: the policy officer's impact run, the same JSON as `kader impact --format json`.

The proposal in these tests raises the Wmo abonnementstarief of 2026 from 21,80 to 23,00 euro per maand (the
shared parameter `abonnementstarief`, Besluit maatschappelijke ondersteuning art. 3.8 lid 1 and Regeling
maatschappelijke ondersteuning art. 4 as rules/ cite it), so a household that pays the tarief pays 1,20 more.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

from service import work
from tests.test_impact import household, levensonderhoud, person, raise_tarief, random_households

from .conftest import ROOT, TOKENS, Server

pytestmark = pytest.mark.slow

PROPOSAL = "tarief-23"


def jsonl(cases: list[dict]) -> bytes:
    return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases).encode("utf-8")


@pytest.fixture(scope="module")
def proposals(tmp_path_factory):
    root = tmp_path_factory.mktemp("voorstellen")
    shutil.copytree(ROOT / "rules", root / PROPOSAL)
    raise_tarief(root / PROPOSAL)
    shutil.copytree(ROOT / "rules", root / "kapot")
    (root / "kapot" / "wmo" / "voorstel.yaml").write_text("rules:\n  - id: [kapot\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def impact_server(serve_home, proposals):
    home = serve_home / "impact"
    env = {"KADER_TOKEN_ASSESSOR": TOKENS["assessor"], "KADER_TOKEN_BELEIDSMEDEWERKER": TOKENS["beleidsmedewerker"],
           "KADER_TOKEN_AUDITOR": TOKENS["auditor"]}
    running = Server(home, "--proposals", str(proposals), "--timeout", "4", "--max-body", "3000000", env=env).start()
    yield running
    running.stop()


def post(server, body: bytes, query: str = f"?proposal={PROPOSAL}", role: str | None = "beleidsmedewerker",
         content_type: str = "application/x-ndjson"):
    return server.post("/impact" + query, body, token=TOKENS[role] if role else None, content_type=content_type)


def test_the_policy_officer_gets_the_json_of_kader_impact_for_the_population(impact_server, proposals):
    cases = random_households(30, seed=5)
    reply = post(impact_server, jsonl(cases))
    assert reply.status == 200, reply.body[:600]
    assert reply.headers["content-type"] == "application/json"
    population = impact_server.home / "pop.jsonl"
    population.write_bytes(jsonl(cases))
    cli = subprocess.run([sys.executable, str(ROOT / "cli.py"), "impact", "pop.jsonl", "--base", str(ROOT / "rules"),
                          "--proposal", str(proposals / PROPOSAL), "--format", "json"], cwd=impact_server.home,
                         env=impact_server.env, capture_output=True, timeout=300)
    assert cli.returncode == 0, cli.stderr.decode()
    assert reply.body == cli.stdout.replace(b'"pop.jsonl', b'"body').replace(b"; pop.jsonl:", b"; body:")
    data = reply.json()
    assert data["cases"] == 30 and data["errors"] == []
    assert data["proposal"]["label"].endswith(PROPOSAL)
    # Bmo art. 3.8: the abonnementstarief goes from 21,80 to 23,00: a household that paid it pays 1,20 a month more
    tarief = [c for c in data["changes"] if c["kind"] == "amount" and c["subject"] == "wmo_eigen_bijdrage"]
    assert tarief and all(c["parameters"] == ["abonnementstarief"] for c in tarief)
    assert all(c["per_maand"] == "1.20" for c in tarief if c["before"] != "0.00")
    assert all(c["source"].startswith("body:") for c in data["changes"])


def test_a_json_array_gives_the_same_report_as_json_lines(impact_server):
    cases = random_households(12, seed=9)
    as_lines = post(impact_server, jsonl(cases))
    as_array = post(impact_server, json.dumps(cases, ensure_ascii=False).encode("utf-8"), content_type="application/json")
    assert as_lines.status == as_array.status == 200
    assert as_array.body == as_lines.body


def test_a_bad_line_is_located_in_the_body_and_the_others_are_compared(impact_server):
    good = household("goed", "soest", [person("p1", "aanvrager", "1980-01-01")], "100.00", [levensonderhoud()])
    body = (json.dumps(good) + '\n{"id": "kapot", "gemeente": \n' + json.dumps(dict(good, id="ook-goed")) + "\n").encode()
    reply = post(impact_server, body)
    assert reply.status == 200
    data = reply.json()
    assert data["cases"] == 2
    assert [(e["file"], e["line"], e["code"]) for e in data["errors"]] == [("body", 2, "E011")]


@pytest.mark.parametrize("role,status", [("assessor", 403), ("auditor", 403), (None, 401)])
def test_only_the_policy_officer_may_run_an_impact(impact_server, role, status):
    reply = post(impact_server, jsonl(random_households(2)), role=role)
    assert reply.status == status
    assert reply.headers["content-type"] == "application/problem+json"
    if status == 403:
        assert "beleidsmedewerker" in reply.json()["detail"]


@pytest.mark.parametrize("query", ["?proposal=..%2Frules", "?proposal=%2Fetc", "?proposal=onbekend",
                                   "?proposal=tarief-23%2F..%2F..", "?proposal=.", "", "?proposal=a&proposal=b",
                                   "?base=git%3AHEAD&proposal=tarief-23"])
def test_a_proposal_is_only_a_name_the_operator_put_in_the_proposals_folder(impact_server, query):
    reply = post(impact_server, jsonl(random_households(2)), query=query)
    assert reply.status == 422, reply.body[:300]
    problem = reply.json()
    assert problem["errors"][0]["file"].startswith("?")
    assert problem["errors"][0]["code"] in ("E983", "E702", "E703")
    if problem["errors"][0]["code"] == "E983":
        assert "beschikbaar: " in problem["detail"] and PROPOSAL in problem["detail"]


def test_a_body_that_is_no_population_is_a_located_422(impact_server):
    reply = post(impact_server, b'[{"id": "x",]', content_type="application/json")
    assert reply.status == 422
    assert reply.json()["diagnostics"][0].startswith("body:1:")
    reply = post(impact_server, b'[{"id": "x"}', content_type="application/json")
    assert reply.status == 422


def test_a_population_over_the_size_limit_is_refused_before_it_is_read(impact_server):
    reply = post(impact_server, b"{}\n" * 1_100_000)
    assert reply.status == 413


@pytest.fixture(scope="module")
def short_limit_server(serve_home, proposals):
    """A server whose time limit (0.5 s) an impact of 1,500 households always exceeds (about 3,000 assessments,
    seconds of CPU on any machine), while one assessment stays far inside it: the test does not depend on how fast
    the machine is."""
    env = {"KADER_TOKEN_ASSESSOR": TOKENS["assessor"], "KADER_TOKEN_BELEIDSMEDEWERKER": TOKENS["beleidsmedewerker"]}
    running = Server(serve_home / "kort", "--proposals", str(proposals), "--timeout", "0.5", "--max-body", "3000000",
                     env=env).start()
    yield running
    running.stop()


def test_an_impact_over_the_time_limit_is_a_503_and_the_worker_goes_on(short_limit_server):
    cases = random_households(1500, seed=1)
    started = time.monotonic()
    reply = post(short_limit_server, jsonl(cases))
    assert reply.status == 503 and reply.json()["type"] == "urn:kader:problem:timeout"
    assert time.monotonic() - started < 30
    # the engine thread stops at the end of the chunk it is on (at most 200 cases) and then answers again
    body = json.dumps(cases[0], ensure_ascii=False).encode("utf-8")
    for _ in range(60):
        after = short_limit_server.post("/assess", body, token=TOKENS["assessor"])
        if after.status == 200:
            break
        assert after.status == 503  # still finishing its chunk: a time-out, never an error
        time.sleep(0.25)
    assert after.status == 200 and json.loads(after.body)["case_id"] == cases[0]["id"]


def test_without_proposals_the_service_says_it_compares_none(server):
    reply = server.post("/impact?proposal=x", jsonl(random_households(1)), content_type="application/x-ndjson")
    assert reply.status == 422
    assert reply.json()["errors"][0]["code"] == "E982"


def test_the_impact_stops_between_chunks_once_its_deadline_has_passed():
    import engine
    framework = engine.load_framework(ROOT / "rules")
    with pytest.raises(TimeoutError):
        work.impact_bytes(framework, ROOT / "rules", ROOT, "rules", work.Body(jsonl(random_households(3)), False),
                          time.monotonic() - 1)


def test_the_short_way_for_post_assess_checks_tokens_as_the_other_routes(impact_server):
    """This server has tokens and no CORS, so POST /assess takes the short way (service/fast.py)."""
    from .conftest import case_json, example_case
    body = case_json(example_case())
    for role, status in (("assessor", 200), ("beleidsmedewerker", 200), ("auditor", 403)):
        reply = impact_server.post("/assess", body, token=TOKENS[role])
        assert reply.status == status, (role, reply.body[:300])
    assert "de rol auditor mag dit niet" in impact_server.post("/assess", body, token=TOKENS["auditor"]).json()["detail"]
    for token in (None, "x" * 40, TOKENS["assessor"][:-1]):
        refused = impact_server.post("/assess", body, token=token)
        assert refused.status == 401 and refused.headers["www-authenticate"] == 'Bearer realm="kader"'
        assert refused.headers["content-type"] == "application/problem+json"
    same = impact_server.post("/explain", body, token=TOKENS["auditor"])  # a FastAPI route: the same problem
    short = impact_server.post("/assess", body, token=TOKENS["auditor"])
    assert same.json()["detail"] == short.json()["detail"] and same.json()["type"] == short.json()["type"]
    big = impact_server.post("/assess", b"{" + b" " * 3_100_000 + b"}", token=TOKENS["assessor"])
    assert big.status == 413


def test_a_proposal_whose_rules_are_broken_is_a_located_422_not_a_500(impact_server):
    reply = post(impact_server, jsonl(random_households(2)), query="?proposal=kapot")
    assert reply.status == 422, reply.body[:300]
    problem = reply.json()
    assert problem["type"] == "urn:kader:problem:invalid-proposal"
    assert problem["errors"][0]["file"].endswith("kapot/wmo/voorstel.yaml") and problem["errors"][0]["line"] >= 2

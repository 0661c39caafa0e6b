"""Access: tokens per role (allowed and refused, 401/403), localhost only without tokens, limits, CORS."""

from __future__ import annotations

import os
import socket
import time

import pytest
from typer.testing import CliRunner

from cli import app
from service.access import load_tokens

from .conftest import TOKENS, case_json, example_case

pytestmark = pytest.mark.slow

RECORD = "/assess?record=true&assessor=consulent-17&decision=volgt"
# endpoint -> roles that may call it (the table in README.md, `kader serve`)
MATRIX = [
    ("POST", "/assess", {"assessor", "beleidsmedewerker"}),
    ("POST", "/explain", {"assessor", "beleidsmedewerker"}),
    ("POST", "/questions", {"assessor", "beleidsmedewerker"}),
    ("POST", RECORD, {"assessor"}),
    ("GET", "/audit", {"auditor"}),
    ("GET", "/facts", {"assessor", "beleidsmedewerker", "auditor"}),
    ("GET", "/framework", {"assessor", "beleidsmedewerker", "auditor"}),
    ("GET", "/schema/case", {"assessor", "beleidsmedewerker", "auditor"}),
]


def call(server, method, path, token):
    if method == "POST":
        return server.post(path, case_json(example_case()), token=token)
    return server.get(path, token=token)


@pytest.mark.parametrize("method, path, allowed", MATRIX, ids=[m[1] for m in MATRIX])
def test_each_role_may_what_it_may_and_is_refused_the_rest(token_server, method, path, allowed):
    for role, token in TOKENS.items():
        reply = call(token_server, method, path, token)
        if role in allowed:
            assert reply.status == 200, (role, path, reply.body[:300])
        else:
            assert reply.status == 403, (role, path, reply.status)
            problem = reply.json()
            assert problem["type"] == "urn:kader:problem:forbidden" and f"de rol {role} mag dit niet" in problem["detail"]


@pytest.mark.parametrize("method, path, _allowed", MATRIX, ids=[m[1] for m in MATRIX])
def test_without_a_valid_token_every_endpoint_is_401(token_server, method, path, _allowed):
    for token in (None, "x" * 40, TOKENS["assessor"] + "x", TOKENS["assessor"][:-1]):
        reply = call(token_server, method, path, token)
        assert reply.status == 401, (path, token)
        assert reply.headers["www-authenticate"] == 'Bearer realm="kader"'
        assert reply.headers["content-type"] == "application/problem+json"
    basic = token_server.request(method, path, b"{}", {"authorization": "Basic " + TOKENS["assessor"]})
    assert basic.status == 401


def test_health_and_the_openapi_description_need_no_token(token_server):
    assert token_server.get("/health").status == 200
    assert token_server.get("/openapi.json").json()["components"]["securitySchemes"] == {
        "bearer": {"type": "http", "scheme": "bearer"}}


def test_the_recording_by_an_assessor_is_audited_by_the_auditor(token_server):
    reply = token_server.post(RECORD, case_json(example_case()), token=TOKENS["assessor"])
    assert reply.status == 200 and int(reply.headers["kader-record-seq"]) >= 1
    report = token_server.get("/audit", token=TOKENS["auditor"]).json()
    assert report["chain_ok"] is True and report["records"] >= 1 and report["not_reproduced"] == []


def test_a_body_over_the_limit_is_413_before_the_engine_sees_it(token_server):
    big = b'{"id": "' + b"x" * 70_000 + b'"}'  # the server runs with --max-body 65536
    reply = token_server.post("/assess", big, token=TOKENS["assessor"])
    assert reply.status == 413 and reply.json()["detail"] == "ten hoogste 65536 bytes"


def test_a_body_that_does_not_arrive_in_time_is_408(token_server):
    with socket.create_connection(("127.0.0.1", token_server.port), timeout=30) as raw:
        raw.sendall(b"POST /assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n"
                    b"Authorization: Bearer " + TOKENS["assessor"].encode() + b"\r\n\r\n{\"id\": ")
        started = time.monotonic()
        answer = raw.recv(65536).decode("utf-8", "replace")
        waited = time.monotonic() - started
        head, _, body = answer.partition("\r\n\r\n")
        length = int(next((line.split(":", 1)[1] for line in head.split("\r\n")
                           if line.lower().startswith("content-length:")), "0"))
        while len(body.encode("utf-8")) < length:  # the body may come in a segment of its own
            chunk = raw.recv(65536)
            if not chunk:
                break
            body += chunk.decode("utf-8", "replace")
        answer = head + "\r\n\r\n" + body
    assert answer.startswith("HTTP/1.1 408"), answer[:200]
    assert 1.5 < waited < 20  # the server runs with --timeout 2
    assert "de casus kwam niet binnen 2 s binnen" in answer


def test_no_cors_unless_configured_and_then_only_for_that_origin(server, token_server):
    headers = {"origin": "https://zaaksysteem.example"}
    assert "access-control-allow-origin" not in server.request("GET", "/health", headers=headers).headers
    allowed = token_server.request("GET", "/health", headers=headers)
    assert allowed.headers["access-control-allow-origin"] == "https://zaaksysteem.example"
    other = token_server.request("GET", "/health", headers={"origin": "https://elders.example"})
    assert "access-control-allow-origin" not in other.headers


def test_without_tokens_it_says_so_at_start_and_refuses_a_public_address(server, tmp_path):
    assert "geen tokens ingesteld: alleen bereikbaar vanaf deze machine" in server.output()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KADER_TOKEN_", "KADER_SERVE_"))}
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"], env=env)
    assert result.exit_code == 2
    assert ("--host:1:1: error[E968]: zonder tokens luistert kader serve alleen op deze machine (127.0.0.1 of ::1), "
            "niet op 0.0.0.0") in result.stderr


def test_a_token_file_readable_by_others_or_with_weak_tokens_is_refused_with_located_errors(tmp_path):
    path = tmp_path / "tokens.yaml"
    path.write_text("assessor: [kort]\nconsulent: [" + "z" * 30 + "]\n", encoding="utf-8")
    path.chmod(0o644)
    with pytest.raises(Exception) as refused:
        load_tokens(path, environ={})
    assert [d.code for d in refused.value.diagnostics] == ["E961"]
    path.chmod(0o600)
    with pytest.raises(Exception) as refused:
        load_tokens(path, environ={})
    assert [str(d) for d in refused.value.diagnostics] == [
        f"{path}:1:12: error[E963]: een token moet minstens 24 tekens lang zijn, zonder spaties (bijvoorbeeld de "
        "uitvoer van `openssl rand -hex 32`)",
        f"{path}:2:1: error[E965]: onbekende rol 'consulent'; kies uit assessor, beleidsmedewerker, auditor"]


def test_tokens_from_the_environment_and_their_roles():
    tokens = load_tokens(None, environ={"KADER_TOKEN_AUDITOR": "q" * 30 + ", " + "r" * 30})
    assert tokens.role("q" * 30) == "auditor" and tokens.role("r" * 30) == "auditor"
    assert tokens.role("q" * 29) is None and tokens.role("") is None
    assert load_tokens(None, environ={}) is None

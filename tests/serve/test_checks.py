"""The remaining promises of `kader serve` checked over real HTTP: a client that goes away mid-body is no
internal error, CORS stays off on the short way for POST /assess, and tokens are compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import socket
import time

import pytest

from service.access import Tokens

from .conftest import TOKENS, case_json, example_case

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("path", ["/assess", "/explain"])
def test_a_client_that_goes_away_halfway_its_body_is_no_internal_error(server, path):
    before = server.output()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as raw:
        raw.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n"
                    .encode() + b'{"id": "half')
        time.sleep(0.3)
    time.sleep(0.5)
    assert server.post(path, case_json(example_case())).status == 200  # the worker goes on
    logged = server.output()[len(before):]
    assert "Traceback" not in logged and "interne fout" not in logged, logged


def test_without_cors_no_preflight_and_no_cors_headers_on_the_short_way(server):
    preflight = server.request("OPTIONS", "/assess", headers={"origin": "https://elders.example",
                                                                "access-control-request-method": "POST"})
    assert preflight.status == 405 and "access-control-allow-origin" not in preflight.headers
    reply = server.request("POST", "/assess", case_json(example_case()),
                           {"origin": "https://elders.example", "content-type": "application/json"})
    assert reply.status == 200 and not any(name.startswith("access-control-") for name in reply.headers)


def test_with_cors_configured_post_assess_carries_the_origin_only_for_that_origin(token_server):
    headers = {"authorization": f"Bearer {TOKENS['assessor']}", "content-type": "application/json"}
    allowed = token_server.request("POST", "/assess", case_json(example_case()),
                                   {**headers, "origin": "https://zaaksysteem.example"})
    assert allowed.status == 200 and allowed.headers["access-control-allow-origin"] == "https://zaaksysteem.example"
    other = token_server.request("POST", "/assess", case_json(example_case()), {**headers, "origin": "https://x.example"})
    assert other.status == 200 and "access-control-allow-origin" not in other.headers


def test_a_token_is_compared_with_every_known_digest_whichever_matches(monkeypatch):
    digests = tuple((hashlib.sha256(t.encode()).digest(), role) for role, t in TOKENS.items())
    tokens = Tokens(digests)
    calls = []
    real = hmac.compare_digest

    def counting(a, b):
        calls.append(len(a))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", counting)
    for presented in (TOKENS["assessor"], TOKENS["auditor"], "z" * 40, ""):
        calls.clear()
        tokens.role(presented)
        assert calls == [32, 32, 32]  # all three, each on a 32-byte SHA-256 digest: no early exit, no length leak

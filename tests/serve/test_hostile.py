"""Nothing a client sends gives a 500 or a trace: generated bodies and queries against the real server."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import examples

from .conftest import case_json, example_case

pytestmark = pytest.mark.slow

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20)
KEYS = ["id", "gemeente", "peildatum", "melddatum", "huishouden", "inkomen", "vermogen", "hulpvragen", "signalen",
        "feiten"]


def check(reply) -> None:
    assert reply.status in (200, 413, 422), (reply.status, reply.body[:500])
    text = reply.body.decode("utf-8")
    assert "Traceback" not in text and "File \"" not in text
    if reply.status != 200:
        assert reply.headers["content-type"] == "application/problem+json"
        problem = json.loads(text)
        assert problem["status"] == reply.status and problem["detail"]


@settings(max_examples=examples(60))
@given(st.binary(max_size=300))
def test_random_bytes_are_refused_with_a_problem(server, raw):
    check(server.post("/assess", raw))


@settings(max_examples=examples(60))
@given(st.sampled_from(KEYS), JSON_VALUES, st.sampled_from(["/assess", "/explain", "/questions"]))
def test_one_field_of_the_example_replaced_by_any_json_is_assessed_or_refused(server, key, value, path):
    case = example_case()
    case[key] = value
    check(server.post(path, case_json(case)))


@settings(max_examples=examples(40))
@given(st.dictionaries(st.sampled_from(["gemeente", "peildatum", "record", "assessor", "decision", "motivation",
                                        "counterfactual", "x"]), st.text(max_size=30), max_size=3))
def test_any_query_is_answered_or_refused(server, query):
    from urllib.parse import urlencode
    check(server.post("/explain?" + urlencode(query), case_json(example_case())))


def test_a_deeply_nested_body_is_refused_not_a_crash(server):
    check(server.post("/assess", "[" * 100_000 + "]" * 100_000))
    check(server.post("/assess", "a:\n" + "".join("  " * i + "- \n" for i in range(200)), content_type="application/yaml"))

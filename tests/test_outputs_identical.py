"""The hot path may be made faster, never different: every scenario x municipality and 3,000 population cases give
byte for byte the JSON that the code before issue 16's speed work gave (digests in tests/data/outputs-digest.json,
made by `tests/outputs_digest.py --write` on a checkout of main 6ac7c5d)."""

from __future__ import annotations

import json

import pytest

from . import outputs_digest


@pytest.mark.slow
def test_every_scenario_in_every_gemeente_and_3000_population_cases_give_the_same_json_as_before():
    expected = json.loads(outputs_digest.DIGESTS.read_text(encoding="utf-8"))
    found = outputs_digest.compute()
    assert sum(k.startswith("population ") for k in found) == 13  # the lines, and 12 chunks of 250 cases
    assert sorted(k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k)) == []

"""Shared fixtures: the framework, a case builder, a CLI runner and a scratch copy of the rules."""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

import engine

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


# Property tests (tests/test_spec_*.py) state their number of examples with `examples(n)`; CI runs them as
# written, and KADER_HYPOTHESIS_SCALE=10 runs ten times as many (the same properties, searched harder).
settings.register_profile("kader", deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "kader"))
SCALE = max(1, int(os.environ.get("KADER_HYPOTHESIS_SCALE", "1")))


def examples(n: int) -> int:
    return n * SCALE


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite the expected diagnostics files")


@pytest.fixture(scope="session")
def framework() -> engine.Framework:
    return engine.load_framework(RULES)


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "160", "NO_COLOR": "1", "KADER_RULES": str(RULES)})


@pytest.fixture()
def rules_copy(tmp_path) -> Path:
    """A writable copy of the rules folder, to break on purpose."""
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


BASE_CASE = {
    "id": "test-1",
    "gemeente": "baarn",
    "peildatum": "2026-03-01",
    "melddatum": "2026-02-20",
    "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1980-05-01"}],
                   "woonsituatie": "huurwoning"},
    "inkomen": [],
    "vermogen": {"totaal": "0.00"},
    "hulpvragen": [{"id": "hv1", "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1",
                    "feiten": {"voorliggende_voorziening": False}}],
    "signalen": [],
}


def make_case(framework, **changes) -> engine.Case:
    """A case from BASE_CASE with top-level keys replaced; written as YAML text so it goes through the loader."""
    data = copy.deepcopy(BASE_CASE)
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    return engine.case_from_text(framework, yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "test.yaml")


def person(pid: str, rol: str, born: str, **flags) -> dict:
    return {"id": pid, "rol": rol, "geboortedatum": born, **flags}

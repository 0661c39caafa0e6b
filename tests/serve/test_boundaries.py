"""The service stays outside the engine, and its OpenAPI models hold for every assessment the engine makes."""

from __future__ import annotations

from pathlib import Path

import engine
from engine.evaluation.case import load_case
from service.contracts import AssessmentOut, ExplanationOut
from tests.test_architecture import ENGINE, imports

ROOT = Path(__file__).resolve().parents[2]


def test_the_engine_never_imports_the_web_stack_or_the_service():
    for path in ENGINE.rglob("*.py"):
        assert not imports(path) & {"fastapi", "starlette", "uvicorn", "service", "httptools", "uvloop"}, path


def test_the_command_line_imports_the_service_only_inside_kader_serve():
    text = (ROOT / "cli.py").read_text(encoding="utf-8")
    assert "import service" not in text.split("def serve(")[0] and "from service" not in text.split("def serve(")[0]


def test_every_scenarios_assessment_and_trace_validate_against_the_openapi_models(framework):
    paths = sorted((ROOT / "scenarios").rglob("*.yaml"))
    assert len(paths) > 50
    for path in paths:
        result = engine.assess(framework, load_case(framework, path))
        AssessmentOut.model_validate_json(result.to_json_text(), strict=True)
        ExplanationOut.model_validate_json(result.to_json_text(trace=True), strict=True)

"""Same case + same rule set -> byte-identical JSON, in one process, across processes and from the cache."""

from __future__ import annotations

import os
import subprocess
import sys

import engine

from .conftest import ROOT

EXAMPLE = ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml"


def test_identical_json_for_the_same_case(framework):
    case = engine.load_case(framework, EXAMPLE)
    first = engine.assess(framework, case).to_json_text()
    for _ in range(20):
        assert engine.assess(framework, case).to_json_text() == first


def test_identical_json_across_processes_with_and_without_cache(tmp_path):
    outputs = []
    for env in ({"KADER_CACHE_DIR": str(tmp_path / "c1")}, {"KADER_CACHE_DIR": str(tmp_path / "c1")},
                {"KADER_NO_CACHE": "1"}):
        result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "assess", str(EXAMPLE), "--format", "json"],
                                capture_output=True, cwd=ROOT, env={**os.environ, **env}, stdin=subprocess.DEVNULL)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert list((tmp_path / "c1").glob("framework-*.json"))

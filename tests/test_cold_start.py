"""A cold `kader assess` with its framework in the cache loads only what that command needs (issue 16, the cold
start; README, "One case"): not the rule loader or the rule files' pydantic models (the framework comes from the
cache), not babel (money and dates are written out in views/formatting.py), not the register (only when
recording). The table is the same as the one made while filling the cache."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import RULES

ROOT = RULES.parent
CASE = "scenarios/voorbeelden/gezin-soest.yaml"
PROBE = ("import atexit, sys\n"
         "atexit.register(lambda: sys.stderr.write('MODULES ' + ' '.join(sorted(sys.modules)) + '\\n'))\n"
         f"sys.argv = ['kader', 'assess', {CASE!r}]\n"
         "from cli import main\n"
         "main()\n")
NOT_NEEDED = ("engine.language.loader", "engine.language.models", "engine.language.wettenfile", "engine.register", "babel", "engine.tools.schemas")


def _run(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("KADER_NO_CACHE", "KADER_RULES", "COLUMNS")}
    env.update(KADER_CACHE_DIR=str(tmp_path / "cache"), KADER_CACHE_KEY_FILE=str(tmp_path / "config" / "cache.key"))
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("MODULES ")]
    return done.stdout, set(line.split()[1:])


def test_a_cold_assess_from_the_cache_loads_no_rule_loader_models_babel_or_register(tmp_path):
    filling, first = _run(tmp_path)
    assert list((tmp_path / "cache").glob("framework-*.json"))
    assert "engine.language.loader" in first  # the first run compiled the rules
    table, modules = _run(tmp_path)
    assert table == filling and "Hulpvraag hv1 · wmo / huishouden" in table
    assert sorted(m for m in modules if m.split(".")[0] == "babel" or m in NOT_NEEDED) == []

"""kader's case models run no pydantic plugin (engine/__init__.py): a plugin is code any installed distribution can
register under the `pydantic` entry point group, and pydantic would import it and hand it every case it validates,
personal data included. A model of the program around kader still gets the plugin, and the environment is as it was.
(The rule files' models, built only when rules are compiled, still get it: they hold no personal data.)"""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT, RULES

SPY = '''
SEEN = []


class Handler:
    def __init__(self, name):
        self.name = name

    def on_enter(self, input, **kwargs):
        SEEN.append("validated " + self.name)


class Plugin:
    def new_schema_validator(self, schema, schema_type, schema_type_path, schema_kind, config, plugin_settings):
        SEEN.append("built " + schema_type_path.name)
        return Handler(schema_type_path.name), None, None


plugin = Plugin()
'''

PROBE = f'''
import os
from pathlib import Path
import engine
import kaderspy
from pydantic import BaseModel

framework = engine.load_framework({str(RULES)!r})
case = engine.load_case(framework, Path({str(ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml")!r}))
assert case.id == "casus-0042", case.id


class Outside(BaseModel):
    name: str


Outside(name="x")
print(sorted(set(kaderspy.SEEN)))
print(os.environ.get("PYDANTIC_DISABLE_PLUGINS"))
'''


def test_a_pydantic_plugin_sees_no_case_but_sees_the_models_around_kader(tmp_path):
    (tmp_path / "kaderspy.py").write_text(SPY)
    info = tmp_path / "kaderspy-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: kaderspy\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[pydantic]\nspy = kaderspy:plugin\n")
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    env.update(PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]), KADER_NO_CACHE="1")
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    seen, disabled = done.stdout.splitlines()[-2:]
    seen = {name.split()[-1] for name in eval(seen)}  # noqa: S307 - the list of strings printed above
    case_models = {"CaseIn", "PersonIn", "HouseholdIn", "IncomeIn", "AssetsIn", "HulpvraagIn", "_Open", "_Closed"}
    assert seen & case_models == set()
    # the plugin is installed and works: it saw the model built after kader was imported (and the rule files' models,
    # built when the rules are compiled: not personal data, and not part of a cold `kader assess`)
    assert "Outside" in seen and "KaderFile" in seen
    assert disabled == "None"  # the variable is only set while engine's modules are imported

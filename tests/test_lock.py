"""The install a new user gets: the README's quick start installs from the lock, CI runs it as written, and the lock
holds every dependency of pyproject.toml at an exact version inside its range, with hashes."""
from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCKS = {"requirements/kader.txt": None, "requirements/test.txt": "test"}


def _quick_start() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Quick start")
    section = readme[start:readme.index("\n## ", start + 1)]
    return re.findall(r"```bash\n(.+?)\n```", section)


def _lock(path: str) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) for every requirement of a lock file that applies on this platform."""
    text = (ROOT / path).read_text(encoding="utf-8").replace("\\\n", " ")
    entries = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        hashes = re.findall(r"--hash=(sha256:[0-9a-f]{64})", line)
        requirement = Requirement(re.sub(r"\s*--hash=\S+", "", line))
        if requirement.marker is not None and not requirement.marker.evaluate(default_environment()):
            continue
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{path}: {line} is not pinned to one version"
        entries[canonicalize_name(requirement.name)] = (spec.version, hashes)
    return entries


def test_quick_start_installs_from_the_lock_and_ci_runs_the_test_command_as_written():
    assess, test = _quick_start()
    for command, lock in ((assess, "requirements/kader.txt"), (test, "requirements/test.txt")):
        assert f"pip install --require-hashes -r {lock} && .venv/bin/pip install --no-deps -e ." in command
    assert assess.endswith(".venv/bin/kader assess scenarios/voorbeelden/gezin-soest.yaml")
    assert test.endswith(".venv/bin/python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ci == f"{test} < /dev/null"


def _brought_by_extra(package: str, extra: str) -> set[str]:
    """The names the installed `package` requires for `extra`, from its own metadata (the installed version is the
    locked one: the suite runs in an environment installed from the lock)."""
    environment = {**default_environment(), "extra": extra}
    brought = set()
    for text in importlib.metadata.requires(package) or []:
        requirement = Requirement(text)
        if requirement.marker is not None and "extra" in str(requirement.marker) \
                and requirement.marker.evaluate(environment):
            brought.add(canonicalize_name(requirement.name))
    return brought


@pytest.mark.parametrize("path, extra", LOCKS.items())
def test_the_lock_pins_every_dependency_inside_its_range_with_hashes(path, extra):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    extras = [extra] if extra else []
    while extras:  # an extra may name the project's own other extras: "bbs-kader[serve]"
        for requirement in map(Requirement, project["optional-dependencies"][extras.pop()]):
            if canonicalize_name(requirement.name) == canonicalize_name(project["name"]):
                extras += sorted(requirement.extras)
            else:
                wanted.append(requirement)
    lock = _lock(path)
    for requirement in wanted:
        if requirement.marker is not None and not requirement.marker.evaluate(default_environment()):
            continue
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{requirement.name} of pyproject.toml is missing from {path}: run bash requirements/lock.sh --keep"
        version, hashes = lock[name]
        assert requirement.specifier.contains(version, prereleases=True), \
            f"{path} pins {requirement.name}=={version}, outside pyproject.toml's {requirement.specifier}"
        for extra_name in requirement.extras:  # e.g. psycopg[binary] brings psycopg-binary, dask[distributed] distributed
            brought = _brought_by_extra(requirement.name, extra_name)
            assert brought, f"{requirement}: the installed {requirement.name} declares no extra {extra_name}"
            missing = sorted(n for n in brought if n not in lock)
            assert missing == [], f"{requirement}: extra {extra_name} brings {missing}, not in {path}"
    assert all(hashes for _, hashes in lock.values()), f"{path} has a requirement without a hash"
    if extra:
        runtime = _lock("requirements/kader.txt")
        differing = {n: (runtime[n][0], lock[n][0]) for n in runtime if n in lock and runtime[n][0] != lock[n][0]}
        assert differing == {}, f"the runtime and test locks pin different versions: {differing}"


def test_an_environment_missing_a_locked_package_gets_a_clear_error_not_a_traceback():
    """An environment installed before a dependency was added (here: orjson made unimportable) is told which
    package is missing and how to reinstall from the lock, with exit code 3, instead of an ImportError traceback."""
    code = ("import sys, runpy; sys.modules['orjson'] = None; sys.argv = ['kader', 'check', 'rules']; "
            "runpy.run_path('cli.py', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("kader: error[E007]: het pakket 'orjson' ontbreekt in deze Python-omgeving")
    assert "pip install --require-hashes -r requirements/kader.txt" in result.stderr

"""The compiled-framework cache: used when trustworthy, ignored otherwise, keyed by content."""

from __future__ import annotations

import os
import shutil

import engine
from engine import fwcache

from .conftest import RULES


def _fresh(monkeypatch, tmp_path):
    monkeypatch.setenv("KADER_CACHE_DIR", str(tmp_path / "cache"))
    fwcache._MEMORY.clear()


def test_a_second_load_comes_from_the_cache_and_assesses_the_same(monkeypatch, tmp_path, framework):
    _fresh(monkeypatch, tmp_path)
    first = engine.load_framework(RULES)
    [file] = list((tmp_path / "cache").glob("framework-*.pickle"))
    assert oct(file.stat().st_mode & 0o777) == "0o600" and oct(file.parent.stat().st_mode & 0o777) == "0o700"
    fwcache._MEMORY.clear()
    second = engine.load_framework(RULES)
    assert second is not first and second.hash == first.hash == framework.hash
    case = engine.load_case(second, RULES.parent / "scenarios" / "voorbeelden" / "gezin-soest.yaml")
    assert engine.assess(second, case).to_json_text() == engine.assess(framework, case).to_json_text()


def test_a_changed_rule_file_is_a_different_cache_entry(monkeypatch, tmp_path):
    _fresh(monkeypatch, tmp_path)
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    before = engine.load_framework(copy)
    path = copy / "wmo" / "algemeen.yaml"
    path.write_text(path.read_text().replace("kan de beperking op eigen kracht", "kan de beperking zelf"))
    after = engine.load_framework(copy)
    assert before.hash != after.hash
    assert len(list((tmp_path / "cache").glob("framework-*.pickle"))) == 2


def test_a_cache_others_can_write_or_a_corrupt_file_is_not_used(monkeypatch, tmp_path):
    _fresh(monkeypatch, tmp_path)
    engine.load_framework(RULES)
    [file] = list((tmp_path / "cache").glob("framework-*.pickle"))
    os.chmod(file, 0o666)
    fwcache._MEMORY.clear()
    assert fwcache._read(file) is None
    assert engine.load_framework(RULES).hash.startswith("sha256:")  # rebuilt, and rewritten with mode 0600
    assert oct(file.stat().st_mode & 0o777) == "0o600"
    file.write_bytes(b"not a pickle")
    fwcache._MEMORY.clear()
    assert engine.load_framework(RULES).name.startswith("Uitvoeringskader")


def test_the_cache_can_be_switched_off(monkeypatch, tmp_path):
    _fresh(monkeypatch, tmp_path)
    monkeypatch.setenv("KADER_NO_CACHE", "1")
    engine.load_framework(RULES)
    assert not (tmp_path / "cache").exists()

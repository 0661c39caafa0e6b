"""The compiled-framework cache: used when trustworthy, ignored otherwise, keyed by content."""

from __future__ import annotations

import json
import os
import shutil

import pytest

import engine
from engine.language import fwcache, fwcodec

from .conftest import RULES


def _fresh(monkeypatch, tmp_path):
    monkeypatch.setenv("KADER_CACHE_DIR", str(tmp_path / "cache"))
    fwcache._MEMORY.clear()


def test_a_second_load_comes_from_the_cache_and_assesses_the_same(monkeypatch, tmp_path, framework):
    _fresh(monkeypatch, tmp_path)
    first = engine.load_framework(RULES)
    [file] = list((tmp_path / "cache").glob("framework-*.json"))
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
    assert len(list((tmp_path / "cache").glob("framework-*.json"))) == 2


def test_a_cache_others_can_write_or_a_corrupt_file_is_not_used(monkeypatch, tmp_path):
    _fresh(monkeypatch, tmp_path)
    engine.load_framework(RULES)
    [file] = list((tmp_path / "cache").glob("framework-*.json"))
    os.chmod(file, 0o666)
    fwcache._MEMORY.clear()
    key = file.name[len("framework-"):-len(".json")]
    assert fwcache._read(file, key, fwcache.content_hash(RULES)) is None
    assert engine.load_framework(RULES).hash.startswith("sha256:")  # rebuilt, and rewritten with mode 0600
    assert oct(file.stat().st_mode & 0o777) == "0o600"
    file.write_bytes(b"not a cache file")
    fwcache._MEMORY.clear()
    assert engine.load_framework(RULES).name.startswith("Uitvoeringskader")


NORM = "1401.50"  # bijstandsnorm gehuwden vanaf 2026-01-01 (art. 21 Participatiewet), rules/werk_inkomen/normen.yaml
FORGED = "14.01"


def _cached(monkeypatch, tmp_path) -> tuple:
    _fresh(monkeypatch, tmp_path)
    monkeypatch.setenv("KADER_CACHE_KEY_FILE", str(tmp_path / "config" / "cache.key"))
    engine.load_framework(RULES)
    [file] = list((tmp_path / "cache").glob("framework-*.json"))
    fwcache._MEMORY.clear()
    return file, file.read_bytes()


def test_the_cache_holds_data_only_and_no_pickle():
    """The issue's attack: a pickle in ~/.cache/kader ran code in the next kader command. No pickle is read now."""
    source = (RULES.parent / "engine" / "language" / "fwcache.py").read_text() + (RULES.parent / "engine" / "language" / "fwcodec.py").read_text()
    assert "import pickle" not in source and "import marshal" not in source


def test_a_norm_changed_in_the_cache_is_not_trusted_but_rebuilt(monkeypatch, tmp_path):
    """The issue's attack: a norm swapped in the cache under the official hash (bijstand 885.18 became 18.52)."""
    file, raw = _cached(monkeypatch, tmp_path)
    assert raw.count(f'"{NORM}"'.encode()) >= 1 and oct((tmp_path / "config" / "cache.key").stat().st_mode & 0o777) == "0o600"
    file.write_bytes(raw.replace(f'"{NORM}"'.encode(), f'"{FORGED}"'.encode()))
    framework = engine.load_framework(RULES)
    assert NORM.encode() in fwcodec.dumps(framework) and f'"{FORGED}"'.encode() not in fwcodec.dumps(framework)
    assert file.read_bytes() == raw  # rewritten from the rules


def test_a_forged_cache_with_a_recomputed_mac_under_another_key_is_rebuilt(monkeypatch, tmp_path):
    file, raw = _cached(monkeypatch, tmp_path)
    header, _, data = raw.partition(b"\n")
    forged = data.replace(f'"{NORM}"'.encode(), f'"{FORGED}"'.encode())
    key = file.name[len("framework-"):-len(".json")]
    file.write_bytes(b"kader-cache/2 hmac-sha256:" + fwcache._mac(b"\0" * 32, key, forged) + b"\n" + forged)
    assert f'"{FORGED}"'.encode() not in fwcodec.dumps(engine.load_framework(RULES))
    # the same data under another rule set's cache key does not pass either: the key is part of the MAC
    other = file.with_name("framework-" + "0" * 40 + ".json")
    other.write_bytes(raw)
    os.chmod(other, 0o600)
    assert fwcache._read(other, "0" * 40, fwcache.content_hash(RULES)) is None


def test_the_data_reader_builds_no_class_outside_kader():
    """A cache file naming any other class (os.system, a builtin, a non-data engine class) is refused."""
    for name in ("os:system", "builtins:eval", "engine.language.loader:Loader", "subprocess:Popen", "engine.errors:Span.__init__"):
        for kind in ("O", "G"):
            document = json.dumps([fwcodec.FORMAT, [[kind, name, "a"]], [kind, 0, 0, 1]]).encode()
            with pytest.raises(fwcodec.CacheFormatError):
                fwcodec.loads(document)
    fields = ["path", "line", "col", "end_line", "end_col"]
    for wrong in (["__class__", *fields[1:]], fields[:-1], [*fields, "__dict__"]):
        with pytest.raises(fwcodec.CacheFormatError):
            fwcodec.loads(json.dumps([fwcodec.FORMAT, [["O", "engine.errors:Span", *wrong]],
                                      ["O", 0, 0, *range(len(wrong))]]).encode())
    span = fwcodec.loads(json.dumps([fwcodec.FORMAT, [["O", "engine.errors:Span", *fields]],
                                     ["O", 0, 0, "a.yaml", 1, 2, None, None]]).encode())
    assert repr(span) == "Span(path='a.yaml', line=1, col=2, end_line=None, end_col=None)"


def test_recording_and_audit_never_read_the_cache(monkeypatch, tmp_path):
    """A poisoned cache entry (valid MAC, forged norm) must not reach a pinned rule set: capture and replay load afresh."""
    from engine.register import store
    file, raw = _cached(monkeypatch, tmp_path)
    calls = []
    monkeypatch.setattr(fwcache, "_read", lambda *a: calls.append(a))
    framework = store.load_files(store.snapshot(RULES))
    assert framework.hash == fwcache.content_hash(RULES) and calls == []


def test_the_cache_can_be_switched_off(monkeypatch, tmp_path):
    _fresh(monkeypatch, tmp_path)
    monkeypatch.setenv("KADER_NO_CACHE", "1")
    engine.load_framework(RULES)
    assert not (tmp_path / "cache").exists()


def test_the_engine_fingerprint_covers_every_source_file_rglob_finds():
    """The cache key covers the engine's code: _engine_sources (os.walk, for a cold `kader assess`) finds exactly
    the files, in the order, that `sorted(Path.rglob("*.py"))` finds, so that no change to a source file can leave a
    stale framework in use."""
    expected = [path.relative_to(fwcache._ENGINE_DIR).parts for path in sorted(fwcache._ENGINE_DIR.rglob("*.py"))]
    assert fwcache._engine_sources() == expected
    assert ("language", "fwcache.py") in expected and ("__init__.py",) in expected

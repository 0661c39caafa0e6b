"""The rule-set store: a rule set is kept and found again under its content hash, and nothing else passes for it."""

from __future__ import annotations

import shutil

import pytest

import engine
from engine.register.errors import RegisterError
from engine.register.store import PinnedRuleSetError, RuleSet, capture, load_pinned, materialise

from .conftest import RULES


def test_the_hash_names_the_content_wherever_the_rules_folder_is_and_however_it_is_reached(tmp_path, monkeypatch):
    expected = engine.load_framework(RULES).hash
    copy = tmp_path / "andere-naam"
    shutil.copytree(RULES, copy)
    (tmp_path / "koppeling").symlink_to(copy)
    assert engine.load_framework(copy).hash == expected
    assert engine.load_framework(tmp_path / "koppeling").hash == expected
    monkeypatch.chdir(tmp_path)
    assert engine.load_framework("koppeling").hash == expected


def test_a_captured_rule_set_loads_again_to_the_same_hash(tmp_path):
    framework = engine.load_framework(RULES)
    ruleset = capture(RULES, framework)
    assert "kader.yaml" in ruleset.files and "gemeenten/soest.yaml" in ruleset.files
    assert ruleset.files["kader.yaml"] == (RULES / "kader.yaml").read_bytes()
    pinned = load_pinned(framework.hash, ruleset.to_text())
    assert pinned.hash == framework.hash


def test_rules_that_change_while_recording_are_not_stored_under_the_old_hash(rules_copy):
    framework = engine.load_framework(rules_copy)
    soest = rules_copy / "gemeenten" / "soest.yaml"
    soest.write_text(soest.read_text() + "\n# gewijzigd\n")
    with pytest.raises(RegisterError) as error:
        capture(rules_copy, framework)
    assert error.value.diagnostics[0].code == "E952"


def test_a_store_entry_whose_files_do_not_match_its_hash_is_refused():
    framework = engine.load_framework(RULES)
    files = dict(capture(RULES, framework).files)
    files["gemeenten/soest.yaml"] += b"\n# achteraf aangepast\n"
    with pytest.raises(PinnedRuleSetError, match="de opslag is gewijzigd"):
        load_pinned(framework.hash, RuleSet(framework.hash, files).to_text())
    with pytest.raises(PinnedRuleSetError, match="ontbreekt in het register"):
        load_pinned(framework.hash, None)


@pytest.mark.parametrize("path", ["../buiten.yaml", "/etc/kader.yaml", "wmo/../../buiten.yaml", ""])
def test_a_stored_path_cannot_write_outside_the_scratch_folder(tmp_path, path):
    with pytest.raises(ValueError, match="ongeldig pad"):
        materialise({path: b"x"}, tmp_path / "rules")
    assert not (tmp_path / "buiten.yaml").exists()

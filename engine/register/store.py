"""The content-addressed store of rule sets: the exact rule files a record was assessed with.

A rule set is kept under its framework hash (`Framework.hash`, SHA-256 over the
files the loader read) as the raw bytes of every rule file. Before a rule set is
stored, the snapshot is written to a scratch folder and loaded again: it is only
stored if it loads to the same hash, so what the store holds under a hash is
exactly what that hash names. The audit loads a record's rule set the same way,
and checks the hash again, so a changed store cannot pass for the pinned rules.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from engine.errors import RuleEngineError
from engine.language.framework import Framework
from engine.language.fwcache import content_hash, load_framework

from .errors import register_error
from .records import canonical_json

SUFFIXES = (".yaml", ".yml", ".json")
SKIPPED_DIRS = {"__pycache__"}
MAX_FILES = 2000
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class RuleSet:
    hash: str
    files: dict[str, bytes]  # relative POSIX path -> raw bytes

    def to_text(self) -> str:
        return canonical_json({path: base64.b64encode(raw).decode("ascii") for path, raw in self.files.items()})

    @classmethod
    def from_text(cls, ruleset_hash: str, text: str) -> "RuleSet":
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("geen lijst van bestanden")
        return cls(ruleset_hash, {str(path): base64.b64decode(raw, validate=True) for path, raw in data.items()})


def snapshot(root: Path) -> dict[str, bytes]:
    """The rule files under `root` (YAML and JSON, hidden folders skipped), by relative path."""
    files: dict[str, bytes] = {}
    total = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in sorted(names):
            if not name.endswith(SUFFIXES):
                continue
            path = Path(folder) / name
            raw = path.read_bytes()
            total += len(raw)
            files[path.relative_to(root).as_posix()] = raw
            if len(files) > MAX_FILES or total > MAX_BYTES:
                raise register_error("E951", f"de regelmap is te groot om vast te leggen (meer dan {MAX_FILES} "
                                     f"bestanden of {MAX_BYTES // (1024 * 1024)} MiB)", str(root))
    return files


def _safe_parts(relative: str) -> tuple[str, ...]:
    path = PurePosixPath(relative)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in path.parts):
        raise ValueError(f"ongeldig pad in de regelset: {relative!r}")
    return path.parts


def materialise(files: dict[str, bytes], target: Path) -> None:
    """Write a rule set's files under `target` (paths are checked: nothing escapes `target`)."""
    for relative, raw in sorted(files.items()):
        path = target.joinpath(*_safe_parts(relative))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)


def load_files(files: dict[str, bytes]) -> Framework:
    """Load a rule set from its files (in a scratch folder); raises RuleEngineError if it does not load."""
    with tempfile.TemporaryDirectory(prefix="kader-regelset-") as scratch:
        root = Path(scratch).resolve() / "rules"
        root.mkdir()
        materialise(files, root)
        return load_framework(root, cache=False)  # never the cache: what is pinned is read from its own files


def capture(root: Path, framework: Framework) -> RuleSet:
    """The exact rule files of `framework`, read from `root` and proven to load to the same hash."""
    shown = str(root)
    try:
        files = snapshot(root)
    except OSError as exc:
        raise register_error("E950", f"de regelmap kan niet worden gelezen om vast te leggen: {exc.strerror}",
                             shown) from None
    try:
        copy = load_files(files)
    except RuleEngineError:
        copy = None
    if copy is None or copy.hash != framework.hash:
        raise register_error("E952", "de regels zijn gewijzigd terwijl de casus werd beoordeeld: de vastgelegde "
                             "regelset zou niet de gebruikte zijn", shown, hint="beoordeel en leg opnieuw vast")
    return RuleSet(framework.hash, files)


class PinnedRuleSetError(Exception):
    """A record's rule set is missing, damaged or no longer loads; the message says which."""


def load_pinned(ruleset_hash: str, text: str | None) -> Framework:
    if text is None:
        raise PinnedRuleSetError(f"regelset {ruleset_hash} ontbreekt in het register")
    try:
        files = RuleSet.from_text(ruleset_hash, text).files
    except (ValueError, binascii.Error, TypeError) as exc:
        raise PinnedRuleSetError(f"regelset {ruleset_hash} is beschadigd: {exc}") from None
    try:
        framework = load_files(files)
    except ValueError as exc:
        raise PinnedRuleSetError(f"regelset {ruleset_hash} is beschadigd: {exc}") from None
    except RuleEngineError as exc:
        first = exc.diagnostics[0]
        raise PinnedRuleSetError(f"regelset {ruleset_hash} laadt niet meer met deze engine "
                                 f"({len(exc.diagnostics)} fout(en), eerste: [{first.code}] {first.message})") from None
    if framework.hash != ruleset_hash:
        raise PinnedRuleSetError(f"regelset onder {ruleset_hash} heeft de inhoud {framework.hash}: de opslag is gewijzigd")
    return framework


def check_stored(root: Path, framework: Framework, stored: str, location: str) -> None:
    """Before a record relies on the rule set already stored under `framework.hash`: is it that rule set?

    Someone who may only insert could have filled the slot of the next rule set with garbage beforehand; a record
    made with it would never reproduce. When the stored files are exactly the files in `root` (whose content hash
    is the framework's) that settles it; otherwise the stored files are loaded afresh and must give the hash.
    """
    try:
        if content_hash(root) == framework.hash and RuleSet(framework.hash, snapshot(root)).to_text() == stored:
            return
    except (OSError, RuleEngineError):
        pass
    try:
        load_pinned(framework.hash, stored)
    except PinnedRuleSetError as exc:
        raise register_error("E953", f"de regelset die het register onder deze hash bewaart is niet de gebruikte: {exc}; "
                             "er wordt niets vastgelegd", location,
                             hint="laat de beheerder `kader audit` draaien: iemand heeft het register buiten kader om "
                             "gevuld") from None

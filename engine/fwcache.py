"""Load a framework, from a cache keyed by its content hash when it has been compiled before.

Reading, validating and compiling the rules costs more than a whole assessment;
the result depends only on the rule files and the engine code, so it is kept in
the user's cache directory (`$KADER_CACHE_DIR`, else `$XDG_CACHE_HOME/kader`, else
`~/.cache/kader`), keyed by the sha256 of the rule files plus a fingerprint of
the engine's own source files and Python version. The cache is a pickle, so it
is only read from a directory and file owned by the current user and writable by
nobody else; anything else, or a file that does not load, is ignored and
rebuilt. `KADER_NO_CACHE=1` switches the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path

from . import __version__
from .framework import Framework

_ENGINE_DIR = Path(__file__).resolve().parent
_MEMORY: dict[str, Framework] = {}


def content_hash(root: Path) -> str:
    """sha256 over every rule file below `root` (relative path and content), in sorted order.

    Only what the loader would read is read: a regular file inside `root`, at most one byte more than the
    loader accepts. A link that leads outside `root`, or to a pipe or device, counts by its target's name
    (the loader refuses it, so no framework is built from it).
    """
    from .sources import MAX_FILE_BYTES

    digest = hashlib.sha256()
    real_root = root.resolve()
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml", ".json")
                   and not any(part.startswith(".") for part in p.relative_to(root).parts))
    for path in files:
        try:
            real = path.resolve(strict=True)
            regular = stat.S_ISREG(real.stat().st_mode)
        except (OSError, RuntimeError):
            continue
        if path.is_dir():
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        if not regular or not real.is_relative_to(real_root):
            digest.update(b"refused\0" + os.fsencode(real))
            continue
        with open(real, "rb") as handle:
            digest.update(hashlib.sha256(handle.read(MAX_FILE_BYTES + 1)).digest())
    return "sha256:" + digest.hexdigest()


def _engine_fingerprint() -> str:
    digest = hashlib.sha256(f"{__version__}|{sys.version}|{pickle.HIGHEST_PROTOCOL}".encode())
    for path in sorted(_ENGINE_DIR.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(_ENGINE_DIR)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def cache_dir() -> Path:
    configured = os.environ.get("KADER_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kader"


def _trusted(path: Path) -> bool:
    try:
        stat = path.stat()
    except OSError:
        return False
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022


def _read(file: Path) -> Framework | None:
    if not (_trusted(file.parent) and _trusted(file)):
        return None
    try:
        with open(file, "rb") as handle:
            framework = pickle.load(handle)
    except Exception:  # a half-written or outdated cache file is simply rebuilt
        return None
    return framework if isinstance(framework, Framework) else None


def _write(file: Path, framework: Framework) -> None:
    try:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(file.parent):
            return
        handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=".framework-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(framework, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(temporary, 0o600)
        os.replace(temporary, file)
    except OSError:
        return  # a cache that cannot be written only costs time


def load_framework(root: Path | str | None = None, *, cache: bool = True) -> Framework:
    """The validated framework in `root` (default: `$KADER_RULES` or rules/ next to the project).

    Raises RuleFileError with every problem found when the rules do not load.
    """
    from .loader import check_rules, default_rules_dir, display_path

    path = Path(root) if root is not None else default_rules_dir()
    use_cache = cache and not os.environ.get("KADER_NO_CACHE") and path.is_dir()
    key = None
    if use_cache:
        key = hashlib.sha256(f"{content_hash(path)}|{_engine_fingerprint()}".encode()).hexdigest()[:40]
        framework = _MEMORY.get(key) or _read(cache_dir() / f"framework-{key}.pickle")
        if framework is not None:
            framework.root = display_path(path)
            _MEMORY[key] = framework
            return framework
    framework, diagnostics = check_rules(path)
    if framework is None:
        from .errors import RuleFileError
        raise RuleFileError(diagnostics)
    if key is not None:
        _MEMORY[key] = framework
        _write(cache_dir() / f"framework-{key}.pickle", framework)
    return framework

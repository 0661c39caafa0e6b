"""Load a framework, from a cache keyed by its content hash when it has been compiled before.

Reading, validating and compiling the rules costs more than a whole assessment;
the result depends only on the rule files and the engine code, so it is kept in
the user's cache directory (`$KADER_CACHE_DIR`, else `$XDG_CACHE_HOME/kader`, else
`~/.cache/kader`), keyed by the sha256 of the rule files plus a fingerprint of
the engine's own source files and Python version. `KADER_NO_CACHE=1` switches
the cache off.

Nothing in the cache can run code or change an outcome unnoticed:

- the file holds data only (JSON, see engine/language/fwcodec.py): no pickle, no marshal,
  and reading it builds nothing but kader's own data classes;
- it is authenticated: an HMAC-SHA256 over the cache key and the data, with a
  per-user secret key (`$KADER_CACHE_KEY_FILE`, else `cache.key` in kader's
  config folder, `$XDG_CONFIG_HOME/kader` or `~/.config/kader`; 32 random bytes,
  created on first use with mode 0600). A file that was changed, or written by
  someone without the key, fails the check and is rebuilt from the rules;
- it is only read from a folder and file owned by the current user and writable
  by nobody else, and the framework read must carry the content hash of the rule
  files it is used for.

The register never trusts the cache: capturing a rule set for a record and
replaying a record in the audit load the rules afresh (`cache=False`).
"""

from __future__ import annotations

import fnmatch
import gc
import hashlib
import hmac
import os
import stat
import sys
import tempfile
from pathlib import Path

from engine.keyfile import create_secret_file
from engine.version import __version__

from . import fwcodec
from .framework import Framework
from .sources import content_hash  # noqa: F401 (kept importable from here)

_ENGINE_DIR = Path(__file__).resolve().parent.parent  # the whole engine package
_MEMORY: dict[str, Framework] = {}


def _engine_fingerprint() -> str:
    """The engine's source files (every `*.py` under engine/, as `Path.rglob` finds them, in its order): their paths,
    sizes and modification times, with kader's and Python's version and the cache format."""
    digest = hashlib.sha256(f"{__version__}|{sys.version}|{fwcodec.FORMAT}".encode())
    for parts in _engine_sources():
        info = os.stat(os.path.join(_ENGINE_DIR, *parts))
        digest.update(f"{'/'.join(parts)}|{info.st_size}|{info.st_mtime_ns}".encode())
    return digest.hexdigest()


def _engine_sources() -> list[tuple[str, ...]]:
    """What `sorted(_ENGINE_DIR.rglob("*.py"))` finds, as path parts below engine/ (a Path sorts by its parts), by
    os.walk: a fifth of the time, a few ms of a cold `kader assess` (tests/test_cache.py compares both). Like rglob,
    it does not descend into a linked folder but names every entry that matches."""
    found = []
    for folder, folders, files in os.walk(_ENGINE_DIR):
        base = os.path.relpath(folder, _ENGINE_DIR)
        prefix = () if base == os.curdir else tuple(base.split(os.sep))
        found.extend(prefix + (name,) for name in (*folders, *files) if fnmatch.fnmatchcase(name, "*.py"))
    found.sort()
    return found


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


KEY_FILE_ENV = "KADER_CACHE_KEY_FILE"
_MAGIC = b"kader-cache/2 hmac-sha256:"
_SUFFIX = ".json"


def key_file() -> Path:
    configured = os.environ.get(KEY_FILE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "kader" / "cache.key"


def _cache_key_secret(create: bool) -> bytes | None:
    """The per-user secret of the cache's HMAC (created on first use when `create`); None when unusable."""
    path = key_file()
    for _ in range(2):
        try:
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            if not create:
                return None
            try:
                create_secret_file(path)
            except OSError:
                return None  # no key, no cache: it only costs time
            continue
        except OSError:
            return None
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
                return None
            text = os.read(descriptor, 4096).strip()
        finally:
            os.close(descriptor)
        try:
            key = bytes.fromhex(text.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            return None
        return key if len(key) >= 32 else None
    return None


def _mac(secret: bytes, key: str, data: bytes) -> bytes:
    return hmac.new(secret, f"{key}|".encode() + data, hashlib.sha256).hexdigest().encode()


def _read(file: Path, key: str, expected_hash: str) -> Framework | None:
    """The framework in `file`, if it is ours, untouched (HMAC) and of the rules with `expected_hash`."""
    if not (_trusted(file.parent) and _trusted(file)):
        return None
    secret = _cache_key_secret(create=False)
    if secret is None:
        return None
    try:
        with open(file, "rb") as handle:
            raw = handle.read()
    except OSError:
        return None
    header, _, data = raw.partition(b"\n")
    if not header.startswith(_MAGIC) or not hmac.compare_digest(header[len(_MAGIC):], _mac(secret, key, data)):
        return None  # changed, or written without the key: rebuilt, not trusted
    try:
        framework = fwcodec.loads(data)
    except fwcodec.CacheFormatError:
        return None
    if not isinstance(framework, Framework) or framework.hash != expected_hash:
        return None
    return framework


def _write(file: Path, key: str, framework: Framework) -> None:
    try:
        data = fwcodec.dumps(framework)
    except fwcodec.CacheFormatError:
        return  # not expressible as data: no cache, only time lost
    secret = _cache_key_secret(create=True)
    if secret is None:
        return
    try:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted(file.parent):
            return
        handle, temporary = tempfile.mkstemp(dir=file.parent, prefix=".framework-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(_MAGIC + _mac(secret, key, data) + b"\n" + data)
        os.chmod(temporary, 0o600)
        os.replace(temporary, file)
    except OSError:
        return  # a cache that cannot be written only costs time


def load_framework(root: Path | str | None = None, *, cache: bool = True) -> Framework:
    """The validated framework in `root` (default: `$KADER_RULES` or rules/ next to the project).

    Raises RuleFileError with every problem found when the rules do not load.
    """
    from engine.paths import default_rules_dir, display_path

    path = Path(root) if root is not None else default_rules_dir()
    use_cache = cache and not os.environ.get("KADER_NO_CACHE") and path.is_dir()
    key = None
    if use_cache:
        rules_hash = content_hash(path)
        key = hashlib.sha256(f"{rules_hash}|{_engine_fingerprint()}".encode()).hexdigest()[:40]
        framework = _MEMORY.get(key)
        if framework is None:
            collecting = gc.isenabled()
            gc.disable()
            try:
                framework = _read(cache_dir() / f"framework-{key}{_SUFFIX}", key, rules_hash)
                if framework is not None:
                    # the tens of thousands of objects just read stay for the life of the process (kept in
                    # _MEMORY): moved out of the collector's generations before it runs again, so that no collection
                    # scans them (later ones did, again and again: a sixth of rendering a table in a cold `kader
                    # assess`); frozen before the collector is switched back on, not after, so that not even the
                    # first one can (one measured run collected 53,000 objects there)
                    gc.freeze()
            finally:
                if collecting:
                    gc.enable()
        if framework is not None:
            framework.root = display_path(path)
            _MEMORY[key] = framework
            return framework
    from .loader import check_rules
    framework, diagnostics = check_rules(path)
    if framework is None:
        from engine.errors import RuleFileError
        raise RuleFileError(diagnostics)
    if key is not None:
        _MEMORY[key] = framework
        _write(cache_dir() / f"framework-{key}{_SUFFIX}", key, framework)
    return framework

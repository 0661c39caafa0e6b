"""The pseudonymous case key: an HMAC of the assessor's case id with a secret key.

The key comes from `KADER_PSEUDONYM_KEY`, or from a key file (by default
`~/.config/kader/pseudoniem.key`, or `$KADER_PSEUDONYM_KEY_FILE`) that is
created on first use with 32 random bytes and mode 0600 in a 0700 folder. The
key never goes into the register: whoever holds the register but not the key
cannot turn a case key back into a case id by trying ids. A team that shares
one register shares one key (set `KADER_PSEUDONYM_KEY` for all), so that the
same case gets the same key whoever records it.

A key must carry at least 128 bits of entropy, as far as can be told from its
text: its length (of the shortest unit it repeats) times log2 of the number of
different characters in it, with ascending or descending runs (`abcdef`,
`123456`) counted as one character. `openssl rand -hex 32` gives 256.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import stat
from pathlib import Path
from typing import Mapping

from engine.keyfile import create_secret_file

from .errors import register_error

KEY_ENV = "KADER_PSEUDONYM_KEY"
KEY_FILE_ENV = "KADER_PSEUDONYM_KEY_FILE"
MIN_KEY_CHARS = 16
MIN_KEY_BITS = 128


def estimated_bits(text: str) -> float:
    """A cautious estimate of the entropy of a typed key (see the module text); 0 for one repeated character."""
    n = len(text)
    if n == 0:
        return 0.0
    period = next(p for p in range(1, n + 1) if all(text[i] == text[i % p] for i in range(n)))
    unit = text[:period]
    distinct = len(set(unit))
    if distinct < 2:
        return 0.0
    runs = 1 + sum(1 for a, b in zip(unit, unit[1:], strict=False) if abs(ord(b) - ord(a)) != 1)
    return min(period, runs) * math.log2(distinct)


def _weak(text: str) -> bool:
    return len(text) < MIN_KEY_CHARS or estimated_bits(text) < MIN_KEY_BITS
PREFIX = "hmac-sha256:"


def default_key_file(environ: Mapping[str, str]) -> Path:
    configured = environ.get(KEY_FILE_ENV)
    if configured:
        return Path(configured)
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".config")
    return Path(base) / "kader" / "pseudoniem.key"


def load_key(environ: Mapping[str, str] | None = None) -> bytes:
    """The pseudonym key: from the environment, else from the key file (created on first use)."""
    environ = os.environ if environ is None else environ
    given = environ.get(KEY_ENV)
    if given is not None:
        if _weak(given.strip()):
            raise register_error("E930", f"{KEY_ENV} is te zwak: een sleutel moet minstens {MIN_KEY_BITS} bits "
                                 "toeval bevatten (niet te kort, niet herhaald, genoeg verschillende tekens; bijvoorbeeld "
                                 "de uitvoer van `openssl rand -hex 32`)", f"${KEY_ENV}")
        return given.strip().encode("utf-8")
    return _key_file(default_key_file(environ))


def _key_file(path: Path) -> bytes:
    shown = str(path)
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    try:
        create_secret_file(path)
    except OSError as exc:
        raise register_error("E931", f"sleutelbestand kan niet worden aangemaakt: {exc.strerror}", shown,
                             hint=f"zet {KEY_ENV} of {KEY_FILE_ENV}") from None
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    shown = str(path)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise register_error("E932", "sleutelbestand is geen gewoon bestand", shown)
        if mode & 0o077:
            raise register_error("E933", f"sleutelbestand is leesbaar voor anderen (modus {stat.S_IMODE(mode):04o})",
                                 shown, hint=f"chmod 600 {shown}")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            text = handle.read(4096).decode("utf-8", "replace").strip()
    finally:
        os.close(descriptor)
    if _weak(text):
        raise register_error("E934", f"sleutelbestand bevat geen bruikbare sleutel (minstens {MIN_KEY_BITS} bits "
                             "toeval: niet te kort, niet herhaald, genoeg verschillende tekens)", shown,
                             hint="maak een nieuwe met `openssl rand -hex 32`")
    return text.encode("utf-8")


def case_key(key: bytes, case_id: str) -> str:
    """`hmac-sha256:<hex>` of the case id: the same case and key always give the same case key."""
    return PREFIX + hmac.new(key, case_id.encode("utf-8"), hashlib.sha256).hexdigest()

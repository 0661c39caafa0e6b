"""A per-user secret in a file of its own: 32 random bytes as hex, mode 0600, created atomically.

Used for the pseudonym key of the register (engine.register.pseudonym) and the HMAC key of the framework cache
(engine.language.fwcache); each reads and checks the file itself.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def create_secret_file(path: Path) -> None:
    """Write a new secret to `path` (folders 0700, file 0600), unless a concurrent process wrote one first: the
    file appears whole or not at all, and the loser of a race reads the winner's key. Raises OSError."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(temporary)

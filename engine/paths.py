"""Where the rules are and how a path is shown: small on purpose, so that a command that reads the framework from
the cache does not import the rule loader (and its pydantic models) just to find the rules folder."""

from __future__ import annotations

import os
from pathlib import Path

RULES_ENV = "KADER_RULES"


def default_rules_dir() -> Path:
    """`$KADER_RULES`, or the `rules/` folder next to the project."""
    configured = os.environ.get(RULES_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / "rules"


def display_path(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative

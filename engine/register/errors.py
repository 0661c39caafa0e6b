"""Errors of the register, in the engine's one error family.

A problem with the register itself (not a register, corrupt, unreachable, bad
key) is located at the register's path or URL, line 1 column 1; a problem in a
case that may not be recorded is located at its place in the case file.

Codes: E900-E909 recording options, E910-E929 the register and its database,
E930-E939 the pseudonym key, E940-E949 personal data in a case, E950-E959 the
rule-set store, E960-E968 checkpoints and their keys, E971-E972 the checkpoint signer
and --max-unanchored.
"""

from __future__ import annotations

from engine.errors import Diagnostic, RuleEngineError, Span


class RegisterError(RuleEngineError):
    """The register cannot be opened, read or written, or refuses what was asked."""


class RecordingRefused(RuleEngineError):
    """The case may not be recorded as it is (personal data in clear, a value that cannot be stored exactly)."""


def register_error(code: str, message: str, location: str, *, hint: str | None = None) -> RegisterError:
    return RegisterError(Diagnostic(code, message, Span(location, 1, 1), hint=hint))

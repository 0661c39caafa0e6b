"""Who may call what: bearer tokens per role, from a file or the environment the operator controls.

Roles and what they may do:

| role | may |
| --- | --- |
| `assessor` | assess, explain, questions, record an assessment, read facts, schema and framework |
| `beleidsmedewerker` | assess, explain, questions, impact of a proposal on a population (POST /impact), read |
| `auditor` | audit the register (read-only), read |

Tokens come from a file (`--tokens FILE` or `$KADER_SERVE_TOKENS`: a YAML or JSON mapping of role to a list of
tokens, mode 0600, read with the engine's safe parser so a mistake is a located error), and/or from
`$KADER_TOKEN_ASSESSOR`, `$KADER_TOKEN_BELEIDSMEDEWERKER`, `$KADER_TOKEN_AUDITOR` (comma-separated). Only the
SHA-256 of each token is kept in memory; a presented token is hashed and compared with every known digest by
`hmac.compare_digest`, without stopping at a match, so the time taken does not tell which token or role is
near. No tokens at all means: no access control, and the service then only listens on a loopback address.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from engine import Diagnostic, SourceError, Span, UsageError, read_document

ROLES = ("assessor", "beleidsmedewerker", "auditor")
ENV_FILE = "KADER_SERVE_TOKENS"
ENV_PREFIX = "KADER_TOKEN_"
MIN_TOKEN_CHARS = 24

# permission -> roles that have it
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    "assess": frozenset({"assessor", "beleidsmedewerker"}),
    "record": frozenset({"assessor"}),
    "audit": frozenset({"auditor"}),
    "impact": frozenset({"beleidsmedewerker"}),
}


@dataclass(frozen=True)
class Tokens:
    digests: tuple[tuple[bytes, str], ...]  # (sha256 of a token, its role)

    def role(self, presented: str) -> str | None:
        """The role of a presented token, or None; compares against every digest in constant time each."""
        digest = hashlib.sha256(presented.encode("utf-8", "surrogateescape")).digest()
        found = None
        for known, role in self.digests:
            if hmac.compare_digest(digest, known):
                found = role
        return found

    def roles(self) -> dict[str, int]:
        counts = dict.fromkeys(ROLES, 0)
        for _, role in self.digests:
            counts[role] += 1
        return counts


def _problem(code: str, message: str, where: str, line: int = 1, col: int = 1, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, message, Span(where, line, col), hint=hint)


def _check_token(token: object, where: Span, problems: list[Diagnostic]) -> str | None:
    if not isinstance(token, str) or not token.strip():
        problems.append(Diagnostic("E962", "een token moet tekst zijn", where))
        return None
    if len(token.strip()) < MIN_TOKEN_CHARS or not token.strip().isprintable() or " " in token.strip():
        problems.append(Diagnostic("E963", f"een token moet minstens {MIN_TOKEN_CHARS} tekens lang zijn, zonder spaties "
                                   "(bijvoorbeeld de uitvoer van `openssl rand -hex 32`)", where))
        return None
    return token.strip()


def _from_file(path: Path, problems: list[Diagnostic]) -> list[tuple[str, str]]:
    shown = str(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        problems.append(_problem("E960", f"tokenbestand kan niet gelezen worden: {exc.strerror}", shown))
        return []
    if not stat.S_ISREG(mode):
        problems.append(_problem("E960", "tokenbestand is geen gewoon bestand", shown))
        return []
    if mode & 0o077:
        problems.append(_problem("E961", f"tokenbestand is leesbaar voor anderen (modus {stat.S_IMODE(mode):04o})",
                                 shown, hint=f"chmod 600 {shown}"))
        return []
    try:
        document = read_document(path, shown)
    except SourceError as exc:
        problems.extend(exc.diagnostics)
        return []
    data = document.data
    if not isinstance(data, dict):
        problems.append(_problem("E964", "tokenbestand moet per rol een lijst tokens geven: "
                                 "{assessor: [...], beleidsmedewerker: [...], auditor: [...]}", shown))
        return []
    found = []
    for role, tokens in data.items():
        if role not in ROLES:
            problems.append(Diagnostic("E965", f"onbekende rol '{role}'; kies uit " + ", ".join(ROLES),
                                       document.span((role,), key=True)))
            continue
        if not isinstance(tokens, list):
            problems.append(Diagnostic("E964", f"{role}: verwacht een lijst tokens", document.span((role,))))
            continue
        for index, token in enumerate(tokens):
            checked = _check_token(token, document.span((role, index)), problems)
            if checked:
                found.append((checked, role))
    return found


def load_tokens(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Tokens | None:
    """The configured tokens, or None when none are configured; raises UsageError listing every problem."""
    environ = os.environ if environ is None else environ
    problems: list[Diagnostic] = []
    pairs: list[tuple[str, str]] = []
    file = path or environ.get(ENV_FILE)
    if file:
        pairs += _from_file(Path(file), problems)
    for role in ROLES:
        name = ENV_PREFIX + role.upper()
        for token in (environ.get(name) or "").split(","):
            if token.strip():
                checked = _check_token(token, Span(f"${name}", 1, 1), problems)
                if checked:
                    pairs.append((checked, role))
    seen: dict[str, str] = {}
    for token, role in pairs:
        if seen.setdefault(token, role) != role:
            problems.append(_problem("E966", f"hetzelfde token staat bij {seen[token]} en bij {role}", str(file or "$env")))
    if problems:
        raise UsageError(problems)
    if file and not pairs:
        raise UsageError(_problem("E964", "tokenbestand bevat geen enkel token", str(file)))
    if not pairs:
        return None
    return Tokens(tuple((hashlib.sha256(token.encode("utf-8")).digest(), role) for token, role in pairs))


@functools.lru_cache(maxsize=1024)  # asked for every request without tokens, by the client's address
def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False

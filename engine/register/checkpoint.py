"""Signed checkpoints: a keyed anchor for the register that its writers do not hold.

A hash chain shows that nobody changed a record by accident; someone who can
write the database can still rewrite a record and recompute every later hash,
cut records off the end, or swap in a whole forged database. A checkpoint is the
register's head (sequence number and hash), the time, and the files of every
stored rule set (sha256 per file), signed with an Ed25519 key that only the
auditor holds, and kept outside the register (a folder the auditor chooses; the
one-line form can also be published). Verifying the checkpoints with the public
key shows whether the register still contains exactly that head: a rewrite
before a checkpoint, a cut-off below it and a swapped database all change it.

Files: `checkpoint-<seq>-<time>.json` = {"checkpoint": {...}, "signature":
base64}; the signature covers the canonical JSON of "checkpoint". Keys: a private
key file (PKCS#8 PEM, mode 0600, made by `kader checkpoint-key`) and its public
key file (`ed25519:<hex>`), which is all a verifier needs.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from engine.errors import Diagnostic, Span, UsageError

from .audit import AuditReport, audit
from .base import Register
from .errors import register_error
from .records import canonical_json
from .store import RuleSet

FORMAT = "kader-checkpoint/1"
PUBLIC_PREFIX = "ed25519:"
_HASH = re.compile(r"sha256:[0-9a-f]{64}\Z")
_HEAD = re.compile(r"([1-9][0-9]{0,17}):(sha256:[0-9a-f]{64})\Z")
MAX_CHECKPOINT_BYTES = 16 * 1024 * 1024


def _ed25519():
    from cryptography.hazmat.primitives.asymmetric import ed25519
    return ed25519


def key_id(public_raw: bytes) -> str:
    return PUBLIC_PREFIX + hashlib.sha256(public_raw).hexdigest()[:16]


def create_key(path: Path) -> tuple[Path, str]:
    """A new Ed25519 key pair: `path` (private, PKCS#8 PEM, mode 0600, never overwritten) and `path`.pub."""
    from cryptography.hazmat.primitives import serialization

    private = _ed25519().Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    public_path = Path(f"{path}.pub")
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise register_error("E960", "sleutelbestand bestaat al; het wordt niet overschreven", str(path)) from None
    except OSError as exc:
        raise register_error("E960", f"sleutelbestand kan niet worden aangemaakt: {exc.strerror}", str(path)) from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public_path.write_text(PUBLIC_PREFIX + raw.hex() + "\n", encoding="ascii")
    return public_path, key_id(raw)


def load_signing_key(path: Path) -> Any:
    """The private key in `path`; refused when others may read it."""
    from cryptography.hazmat.primitives import serialization

    shown = str(path)
    try:
        info = path.stat()
        raw = path.read_bytes()
    except OSError as exc:
        raise register_error("E961", f"ondertekensleutel kan niet worden gelezen: {exc.strerror}", shown) from None
    if info.st_mode & 0o077:
        raise register_error("E961", f"ondertekensleutel is leesbaar voor anderen (modus {stat.S_IMODE(info.st_mode):04o})",
                             shown, hint=f"chmod 600 {shown}")
    try:
        key = serialization.load_pem_private_key(raw, password=None)
    except (ValueError, TypeError) as exc:
        raise register_error("E961", f"geen bruikbare ondertekensleutel: {exc}", shown) from None
    if not isinstance(key, _ed25519().Ed25519PrivateKey):
        raise register_error("E961", "de ondertekensleutel is geen Ed25519-sleutel", shown)
    return key


def load_public_keys(paths: list[Path]) -> dict[str, Any]:
    """The verification keys, by key id (several: a rotated key keeps verifying the checkpoints it signed)."""
    keys = {}
    for path in paths:
        shown = str(path)
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise register_error("E962", f"publieke sleutel kan niet worden gelezen: {exc}", shown) from None
        try:
            if not text.startswith(PUBLIC_PREFIX):
                raise ValueError(f"verwacht {PUBLIC_PREFIX}<hex>")
            raw = bytes.fromhex(text[len(PUBLIC_PREFIX):])
            keys[key_id(raw)] = _ed25519().Ed25519PublicKey.from_public_bytes(raw)
        except ValueError as exc:
            raise register_error("E962", f"geen publieke Ed25519-sleutel: {exc}", shown) from None
    return keys


def check_checkpoint_options(signing_key: Path | None, *, whole: bool) -> None:
    """`--checkpoint` needs `--signing-key`, and the whole register (no --since or --gemeente)."""
    problems = []
    if signing_key is None:
        problems.append(Diagnostic("E968", "--checkpoint vraagt --signing-key: de geheime sleutel die het checkpoint "
                                   "ondertekent", Span("--checkpoint", 1, 1), hint="maak er een met kader checkpoint-key"))
    if not whole:
        problems.append(Diagnostic("E968", "een checkpoint geldt het hele register: laat --since en --gemeente weg",
                                   Span("--checkpoint", 1, 1)))
    if problems:
        raise UsageError(problems)


def parse_expect_head(text: str) -> dict:
    match = _HEAD.match(text.strip())
    if match is None:
        raise UsageError(Diagnostic("E963", f"--expect-head '{text}' is niet VOLGNUMMER:sha256:<64 hex>",
                                    Span("--expect-head", 1, 1), hint="neem de kop over uit een eerdere audit"))
    return {"seq": int(match.group(1)), "hash": match.group(2), "source": f"--expect-head {match.group(1)}"}


def read_allowed_rulesets(path: Path) -> set[str]:
    """A file with one sanctioned rule-set hash per line (`#` starts a comment); every bad line is an error."""
    shown = str(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise register_error("E964", f"lijst van vastgestelde regelsets kan niet worden gelezen: {exc}", shown) from None
    allowed, problems = set(), []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if not _HASH.match(text):
            column = len(line) - len(line.lstrip()) + 1
            problems.append(Diagnostic("E964", f"'{text[:80]}' is geen regelset-hash (sha256:<64 hex>)",
                                       Span(shown, number, column)))
        allowed.add(text)
    if problems:
        raise UsageError(problems)
    return allowed


def _file_hashes(text: str | None, ruleset_hash: str) -> dict[str, str] | None:
    if text is None:
        return None
    try:
        files = RuleSet.from_text(ruleset_hash, text).files
    except (ValueError, binascii.Error, TypeError):
        return None
    return {path: "sha256:" + hashlib.sha256(raw).hexdigest() for path, raw in sorted(files.items())}


def make_checkpoint(register: Register, report: AuditReport, key: Any, folder: Path,
                    clock: Callable[[], _dt.datetime]) -> tuple[Path, str]:
    """Sign the audited head into `folder`; returns the file and the one-line form for publication."""
    from cryptography.hazmat.primitives import serialization

    if not report.ok:
        raise register_error("E965", "het register is niet in orde: een checkpoint zou de schade bekrachtigen; er is "
                             "geen checkpoint gemaakt", register.location, hint="zoek eerst uit wat de audit meldt")
    if report.since is not None or report.gemeente is not None:
        raise register_error("E965", "een checkpoint bekrachtigt het hele register: maak het zonder --since en "
                             "--gemeente, zodat elk record is nagespeeld", register.location)
    rulesets = {}
    for ruleset_hash in register.ruleset_hashes():
        rulesets[ruleset_hash] = _file_hashes(register.ruleset_text(ruleset_hash), ruleset_hash)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    moment = clock().astimezone(_dt.timezone.utc)
    body = {"format": FORMAT, "register": register.location, "seq": report.total, "head": report.head,
            "made_at": moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z", "rulesets": rulesets,
            "key_id": key_id(raw)}
    signature = base64.b64encode(key.sign(canonical_json(body).encode("utf-8"))).decode("ascii")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"checkpoint-{report.total:012d}-{moment.strftime('%Y%m%dT%H%M%SZ')}.json"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps({"checkpoint": body, "signature": signature}, indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise register_error("E966", f"checkpoint kan niet worden geschreven: {exc.strerror}", str(folder)) from None
    line = f"kader-checkpoint {report.total}:{report.head} {body['made_at']} {body['key_id']} {signature}"
    return path, line


@dataclass
class Verified:
    heads: list[dict]  # for audit(expect_heads=...)
    problems: list[dict]  # anchors that failed before the register was read (bad signature, unreadable file)
    rulesets: dict[str, tuple[str, dict | None]]  # ruleset hash -> (checkpoint file, file hashes)


def verify_checkpoints(folder: Path, keys: dict[str, Any]) -> Verified:
    """Every checkpoint file in `folder`, its signature checked against `keys` (by key id)."""
    from cryptography.exceptions import InvalidSignature

    files = sorted(folder.glob("checkpoint-*.json")) if folder.is_dir() else []
    if not files:
        raise register_error("E967", "geen checkpoints in deze map", str(folder),
                             hint="maak ze met `kader audit --checkpoint MAP --signing-key SLEUTEL`")
    verified = Verified([], [], {})
    for path in files:
        source = f"checkpoint {path.name}"

        def problem(text: str, source: str = source) -> None:
            verified.problems.append({"source": source, "seq": None, "hash": None, "ok": False, "problem": text})
        try:
            if path.stat().st_size > MAX_CHECKPOINT_BYTES:
                problem("te groot om een checkpoint te zijn")
                continue
            document = json.loads(path.read_text(encoding="utf-8"))
            body, signature = document["checkpoint"], base64.b64decode(document["signature"], validate=True)
            seq, head, key = body["seq"], body["head"], body["key_id"]
            if body.get("format") != FORMAT or not isinstance(seq, int) or not _HASH.match(str(head)):
                raise ValueError("onbekend formaat")
        except (OSError, ValueError, KeyError, TypeError, binascii.Error) as exc:
            problem(f"onleesbaar checkpoint: {exc}")
            continue
        public = keys.get(key)
        if public is None:
            problem(f"ondertekend met sleutel {key}, die niet bij de opgegeven publieke sleutels is")
            continue
        try:
            public.verify(signature, canonical_json(body).encode("utf-8"))
        except (InvalidSignature, ValueError, TypeError):
            problem("de handtekening klopt niet: dit checkpoint is gewijzigd of niet met deze sleutel gemaakt")
            continue
        verified.heads.append({"seq": seq, "hash": head, "source": source, "made_at": body.get("made_at")})
        for ruleset_hash, hashes in (body.get("rulesets") or {}).items():
            verified.rulesets.setdefault(ruleset_hash, (path.name, hashes))
    return verified


def _ruleset_anchors(register: Register, verified: Verified) -> list[dict]:
    """Each rule set a checkpoint saw, compared file by file with what the register holds now."""
    anchors = []
    for ruleset_hash, (name, expected) in sorted(verified.rulesets.items()):
        now = _file_hashes(register.ruleset_text(ruleset_hash), ruleset_hash)
        problem = None
        if now is None:
            problem = f"regelset {ruleset_hash} ontbreekt in het register of is onleesbaar geworden"
        elif expected is not None and now != expected:
            changed = sorted(p for p in set(now) | set(expected) if now.get(p) != expected.get(p))
            problem = f"regelset {ruleset_hash} is gewijzigd na het checkpoint: {', '.join(changed)}"
        anchors.append({"source": f"checkpoint {name}", "seq": None, "hash": ruleset_hash, "ok": problem is None,
                        "problem": problem})
    return [a for a in anchors if not a["ok"]]


def anchored_audit(register: Register, *, since: _dt.date | None = None, gemeente: str | None = None,
                   allowed_rulesets: set[str] | None = None, expect_heads: list[dict] | None = None,
                   checkpoints: Path | None = None, public_keys: dict[str, Any] | None = None,
                   max_unanchored: int | None = None) -> AuditReport:
    """`kader audit` with its anchors: expected heads, and the checkpoints in a folder verified with `public_keys`.

    `max_unanchored` (with `checkpoints`): fail when more records than this follow the newest valid checkpoint, the
    sign that the checkpoint signer stopped or was kept from signing (records after it are not anchored).
    """
    heads = list(expect_heads or [])
    extra: list[dict] = []
    if max_unanchored is not None and checkpoints is None:
        raise UsageError(Diagnostic("E971", "--max-unanchored vraagt --verify-checkpoints: het telt de records na het "
                                    "nieuwste checkpoint", Span("--max-unanchored", 1, 1)))
    if checkpoints is not None:
        if not public_keys:
            raise UsageError(Diagnostic("E962", "--verify-checkpoints vraagt --public-key: de sleutel die de "
                                        "checkpoints moet hebben ondertekend", Span(str(checkpoints), 1, 1)))
        verified = verify_checkpoints(checkpoints, public_keys)
        heads += verified.heads
        extra = verified.problems + _ruleset_anchors(register, verified)
    report = audit(register, since=since, gemeente=gemeente, allowed_rulesets=allowed_rulesets, expect_heads=heads)
    report.anchors = extra + report.anchors
    if max_unanchored is not None:
        report.anchors.append(_unanchored(report, max_unanchored))
    return report


def _unanchored(report: AuditReport, limit: int) -> dict:
    """How many records follow the newest checkpoint whose head the register still holds."""
    held = [a for a in report.anchors if a["ok"] and a.get("seq") is not None and a["source"].startswith("checkpoint ")]
    newest = max(held, key=lambda a: a["seq"], default=None)
    seq = newest["seq"] if newest else 0
    after = report.total - seq
    since = f" (checkpoint van {newest['made_at']})" if newest and newest.get("made_at") else ""
    text = (f"{after} record(s) na het nieuwste geldige checkpoint, record {seq}{since}" if newest
            else f"{after} record(s) en geen geldig checkpoint")
    problem = None
    if after > limit:
        problem = (f"{text}; toegestaan zijn er {limit}: de checkpoint-signer tekent niet (gestopt, geblokkeerd of "
                   "geweigerd); records na het checkpoint zijn niet verankerd")
    return {"source": f"--max-unanchored {limit}", "seq": seq, "hash": newest["hash"] if newest else None,
            "ok": problem is None, "problem": problem, "note": text, "unanchored": after}

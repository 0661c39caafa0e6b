"""The checkpoint signer: signed checkpoints made periodically while assessors record, by a process they do not run.

Recording itself never signs: whoever can run the recording process could read
a key it reads, so an insider assessor would hold the anchor. Instead the
operator runs `kader checkpoint-signer` as its own service account (systemd,
cron with --once), the only account that can read the signing key. It watches
the register's head and, every `every` new records or once `interval` has passed
with at least one new record, audits the whole register against the earlier
checkpoints in its folder (so it never signs over a rewrite of what it already
anchored) and signs the head. An assessor can neither read the key nor stop the
signer (another account); what they can do (lock or damage the register so the
signer cannot sign) is what `kader audit --max-unanchored N` reports: more than
N records after the newest valid checkpoint.

The step (`signer_step`) is one decision and at most one checkpoint; the loop
(`run_signer`) repeats it every `poll` seconds until stopped (SIGTERM, SIGINT).
"""

from __future__ import annotations

import datetime as _dt
import json
import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .base import Register
from .checkpoint import anchored_audit, key_id, make_checkpoint
from .errors import RegisterError


@dataclass(frozen=True)
class SignerPolicy:
    every: int  # sign after this many new records
    interval: _dt.timedelta  # or after this long with at least one new record

    def __post_init__(self) -> None:
        if self.every < 1:
            raise ValueError("every must be at least 1")
        if self.interval <= _dt.timedelta(0):
            raise ValueError("interval must be positive")


@dataclass
class StepResult:
    head_seq: int  # records in the register now
    anchored_seq: int  # head of the newest checkpoint of this key in the folder (0: none)
    signed: Path | None = None  # the checkpoint made in this step
    line: str | None = None  # its one-line form, for publication
    refused: str | None = None  # why a checkpoint that was due was not made

    @property
    def due(self) -> bool:
        return self.signed is not None or self.refused is not None


def _own_public(key: Any) -> tuple[str, Any]:
    from cryptography.hazmat.primitives import serialization
    public = key.public_key()
    return key_id(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)), public


def newest_checkpoint(folder: Path, key_identity: str) -> tuple[int, _dt.datetime | None]:
    """(seq, made_at) of the newest checkpoint in `folder` that names `key_identity`; (0, None) when there is none.

    Only a hint for when the next one is due: the audit that precedes signing verifies every checkpoint's signature.
    """
    best: tuple[int, _dt.datetime | None] = (0, None)
    for path in sorted(folder.glob("checkpoint-*.json")) if folder.is_dir() else []:
        try:
            body = json.loads(path.read_text(encoding="utf-8"))["checkpoint"]
            seq, made = int(body["seq"]), _dt.datetime.fromisoformat(str(body["made_at"]).rstrip("Z"))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if body.get("key_id") == key_identity and seq >= best[0]:
            best = (seq, made.replace(tzinfo=_dt.timezone.utc))
    return best


def signer_step(register: Register, folder: Path, key: Any, policy: SignerPolicy, *,
                clock: Callable[[], _dt.datetime], started: _dt.datetime) -> StepResult:
    """Sign the register's head into `folder` when a checkpoint is due; else do nothing.

    Due: `policy.every` or more records after the newest checkpoint of this key, or at least one new record and
    `policy.interval` passed since that checkpoint (or since `started`, when there is none yet). Before signing, the
    whole register is audited against every checkpoint already in the folder; a register that is not in order
    (including one rewritten or cut below an earlier checkpoint) gets no checkpoint, and the reason is returned.
    """
    identity, public = _own_public(key)
    head = register.count()
    anchored, made_at = newest_checkpoint(folder, identity)
    result = StepResult(head_seq=head, anchored_seq=anchored)
    now = clock().astimezone(_dt.timezone.utc)
    new = head - anchored
    if new <= 0 and head >= anchored:
        return result
    if 0 < new < policy.every and now - (made_at or started) < policy.interval:
        return result
    has_checkpoints = folder.is_dir() and any(folder.glob("checkpoint-*.json"))
    report = anchored_audit(register, checkpoints=folder if has_checkpoints else None,
                            public_keys={identity: public} if has_checkpoints else None)
    if not report.ok:
        problems = [a["problem"] for a in report.anchors if not a["ok"]]
        if not report.chain_ok:
            problems.append(f"keten gebroken bij record {report.first_broken['seq'] if report.first_broken else '?'}")
        if report.trigger_problems:
            problems.append("triggers: " + ", ".join(sorted({p["trigger"] for p in report.trigger_problems})))
        if report.not_reproduced:
            problems.append("niet reproduceerbaar: record " + ", ".join(str(r["seq"]) for r in report.not_reproduced[:5]))
        if report.time_reversals:
            problems.append("tijd loopt terug bij record " + ", ".join(str(r["seq"]) for r in report.time_reversals[:5]))
        result.refused = "; ".join(problems) or "het register is niet in orde"
        return result
    result.signed, result.line = make_checkpoint(register, report, key, folder, clock)
    result.head_seq = report.total
    return result


def run_signer(open_target: Callable[[], Register], folder: Path, key: Any, policy: SignerPolicy, *, poll: float,
               once: bool, report: Callable[[str], None], clock: Callable[[], _dt.datetime],
               stop: threading.Event | None = None) -> int:
    """Repeat `signer_step` every `poll` seconds until SIGTERM/SIGINT (or once). Returns the exit code: 0, or 1 when
    the last due checkpoint was refused or the register could not be read (the loop itself keeps going)."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stop.set())
    started = clock().astimezone(_dt.timezone.utc)
    code = 0
    while True:
        failed = False
        try:
            with open_target() as register:
                step = signer_step(register, folder, key, policy, clock=clock, started=started)
            if step.signed is not None:
                report(f"checkpoint: {step.signed}\n{step.line}")
            elif step.refused is not None:
                report(f"geen checkpoint gemaakt over record {step.head_seq}: {step.refused}")
                failed = True
        except RegisterError as exc:
            report(str(exc))
            failed = True
        code = 1 if failed else (code if step.signed is None else 0)
        # after a refusal or an unreadable register, try again (and say so again) once per interval, not every poll:
        # each try audits the whole register
        if once or stop.wait(policy.interval.total_seconds() if failed else poll):
            return code


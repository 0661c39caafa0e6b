"""Checkpoints made periodically while assessors record (issue 13 item 1), by `kader checkpoint-signer`: a process
of the operator's own account that holds the signing key, so that the assessors' processes never read it.

Both backends; the signer step is driven with a fixed clock, the command itself in a real process once.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.register import open_register
from engine.register.checkpoint import load_signing_key
from engine.register.signer import SignerPolicy, signer_step

from .conftest import drop_triggers, write_case
from .test_attacks import recreate_triggers
from .test_audit import audit_json, kader, record, rehash_from, sql

T0 = _dt.datetime(2026, 12, 7, 9, 0, tzinfo=_dt.timezone.utc)
POLICY = SignerPolicy(every=2, interval=_dt.timedelta(hours=1))


@pytest.fixture()
def signer(env, tmp_path) -> dict:
    key = tmp_path / "signer" / "signer.key"
    key.parent.mkdir()
    assert kader(env, "checkpoint-key", key).exit_code == 0
    return {"env": env, "key": key, "signing": load_signing_key(key), "public": Path(f"{key}.pub"),
            "folder": tmp_path / "checkpoints"}


def step(signer: dict, url: str, at: _dt.datetime):
    with open_register(url) as register:
        return signer_step(register, signer["folder"], signer["signing"], POLICY, clock=lambda: at, started=T0)


def heads(folder: Path) -> list[int]:
    return sorted(json.loads(p.read_text())["checkpoint"]["seq"] for p in folder.glob("checkpoint-*.json"))


def add(env: dict, tmp_path: Path, name: str) -> None:
    record(env, write_case(tmp_path, f"{name}.yaml", id=f"casus-{name}"))


def test_a_checkpoint_every_n_records_and_after_the_interval_with_a_new_record(signer, register_url, tmp_path):
    env = signer["env"]
    add(env, tmp_path, "a")
    assert step(signer, register_url, T0 + _dt.timedelta(minutes=1)).due is False  # 1 new record < every=2
    add(env, tmp_path, "b")
    made = step(signer, register_url, T0 + _dt.timedelta(minutes=2))
    assert made.signed is not None and made.head_seq == 2 and heads(signer["folder"]) == [2]
    assert made.line.startswith("kader-checkpoint 2:sha256:")
    assert step(signer, register_url, T0 + _dt.timedelta(minutes=3)).due is False  # nothing new
    add(env, tmp_path, "c")
    assert step(signer, register_url, T0 + _dt.timedelta(minutes=30)).due is False  # 1 new, interval not passed
    later = step(signer, register_url, T0 + _dt.timedelta(hours=1, minutes=3))  # an hour after checkpoint 2
    assert later.signed is not None and heads(signer["folder"]) == [2, 3]
    code, report = audit_json(env, "--verify-checkpoints", signer["folder"], "--public-key", signer["public"],
                              "--max-unanchored", "0")
    assert code == 0 and [a["seq"] for a in report["anchors"] if a["source"].startswith("checkpoint c")] == [2, 3]
    assert report["anchors"][-1]["unanchored"] == 0


def test_the_signer_refuses_to_sign_over_a_rewrite_below_its_own_checkpoint(signer, register_url, tmp_path):
    """Attack: after checkpoint 2, record 2 rewritten with the chain recomputed and the triggers restored; then more
    records arrive. The signer audits against its earlier checkpoints and does not sanction the forgery."""
    env = signer["env"]
    add(env, tmp_path, "a")
    add(env, tmp_path, "b")
    assert step(signer, register_url, T0).signed is not None
    drop_triggers(register_url)
    sql(register_url, "UPDATE kader_records SET assessor = 'consulent-9' WHERE seq = 2")
    rehash_from(register_url, 2)
    recreate_triggers(register_url)
    add(env, tmp_path, "c")
    add(env, tmp_path, "d")
    refused = step(signer, register_url, T0 + _dt.timedelta(minutes=5))
    assert refused.signed is None and "record 2 heeft nu hash" in refused.refused
    assert heads(signer["folder"]) == [2]
    code, report = audit_json(env, "--verify-checkpoints", signer["folder"], "--public-key", signer["public"])
    assert code == 1 and "herschreven" in report["anchors"][0]["problem"]


def test_a_signer_kept_from_signing_is_reported_by_max_unanchored(signer, register_url, tmp_path):
    """An assessor cannot read the key or stop the signer; what is left (the signer stopped or blocked) shows as
    records after the newest checkpoint: more than --max-unanchored fails the audit."""
    env = signer["env"]
    add(env, tmp_path, "a")
    add(env, tmp_path, "b")
    assert step(signer, register_url, T0).signed is not None
    for name in ("c", "d", "e"):
        add(env, tmp_path, name)
    verify = ("--verify-checkpoints", signer["folder"], "--public-key", signer["public"])
    code, report = audit_json(env, *verify, "--max-unanchored", "3")
    assert code == 0 and report["anchors"][-1]["unanchored"] == 3
    code, report = audit_json(env, *verify, "--max-unanchored", "2")
    [late] = [a for a in report["anchors"] if not a["ok"]]
    assert code == 1 and late["source"] == "--max-unanchored 2" and late["unanchored"] == 3
    assert late["problem"].startswith("3 record(s) na het nieuwste geldige checkpoint, record 2")
    table = kader(env, "audit", *verify, "--max-unanchored", "2")
    assert table.exit_code == 1 and "de checkpoint-signer tekent niet" in " ".join(table.output.split())
    usage = kader(env, "audit", "--max-unanchored", "2")
    assert usage.exit_code == 2 and "E971" in usage.output


def test_the_signer_command_signs_while_recording_and_stops_on_sigterm(signer, register_url, tmp_path):
    """The real command in its own process: it signs once two records are there, and ends cleanly on SIGTERM."""
    env = {**os.environ, **signer["env"]}
    command = [sys.executable, "-m", "cli", "checkpoint-signer", "--checkpoint", str(signer["folder"]),
               "--signing-key", str(signer["key"]), "--every", "2", "--poll", "0.2"]
    process = subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parents[2], stderr=subprocess.PIPE,
                               text=True)
    try:
        add(signer["env"], tmp_path, "a")
        add(signer["env"], tmp_path, "b")
        deadline = time.monotonic() + 60
        while not heads(signer["folder"]) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert heads(signer["folder"]) == [2]
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0 and "kader-checkpoint 2:sha256:" in err


def test_the_signer_refuses_a_key_others_can_read(signer, tmp_path):
    signer["key"].chmod(0o640)
    result = kader(signer["env"], "checkpoint-signer", "--checkpoint", tmp_path / "c", "--signing-key", signer["key"],
                   "--once")
    assert result.exit_code == 1 and "E961" in result.output and not (tmp_path / "c").exists()


class _Stop:
    """A stop event that records how long the signer meant to wait, and stops it after `rounds` waits."""

    def __init__(self, rounds: int):
        self.waits: list[float] = []
        self.rounds = rounds

    def set(self) -> None:
        pass

    def wait(self, timeout: float) -> bool:
        self.waits.append(timeout)
        return len(self.waits) >= self.rounds


def test_an_unreadable_register_is_reported_and_retried_once_per_interval_not_every_poll(signer, tmp_path):
    from engine.register.signer import run_signer
    said, stop = [], _Stop(rounds=2)
    missing = tmp_path / "bestaat-niet.sqlite"
    code = run_signer(lambda: open_register(str(missing)), signer["folder"], signer["signing"], POLICY, poll=5,
                      once=False, report=said.append, clock=lambda: T0, stop=stop)
    assert code == 1 and stop.waits == [3600.0, 3600.0]
    assert len(said) == 2 and "E912" in said[0] and "register bestaat niet" in said[0]
    assert not signer["folder"].exists()

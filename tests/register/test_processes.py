"""Nothing lost, nothing let in: real processes recording at the same time, and a process killed mid-batch."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.register import audit, open_register

from .conftest import KEY, ROOT

WORKER = Path(__file__).resolve().parent / "worker.py"

pytestmark = pytest.mark.slow


def start_worker(target: str, assessor: str, count: int, tmp_path: Path) -> subprocess.Popen:
    env = {**os.environ, "KADER_PSEUDONYM_KEY": KEY, "HOME": str(tmp_path / "home")}
    process = subprocess.Popen([sys.executable, str(WORKER), target, assessor, str(count)], cwd=ROOT, env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    assert line == "ready\n", line + process.stderr.read()
    return process


def test_two_processes_recording_500_each_at_once_end_with_1000_records_in_one_valid_chain(register_url, tmp_path):
    workers = [start_worker(register_url, name, 500, tmp_path) for name in ("consulent-a", "consulent-b")]
    for process in workers:
        process.stdin.write("go\n")
        process.stdin.flush()
    reported = {}
    for process in workers:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        reported[process] = [int(line) for line in out.split()]
    assert [len(seqs) for seqs in reported.values()] == [500, 500]
    everything = sorted(seq for seqs in reported.values() for seq in seqs)
    assert everything == list(range(1, 1001))  # no seq given twice, none skipped
    a, b = reported.values()
    assert min(b) < max(a) and min(a) < max(b)  # the two really interleaved

    with open_register(register_url) as register:
        records = register.records()
        report = audit(register)
    assert [r.seq for r in records] == list(range(1, 1001))
    assert sorted(r.assessor for r in records).count("consulent-a") == 500
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(records, records[1:], strict=False))
    assert len({r.case_key for r in records}) == 1000
    assert report.to_json()["records"] == 1000
    assert report.chain_ok and report.first_broken is None
    assert report.not_reproduced == []
    assert report.exit_code == 0


def test_a_process_killed_with_sigkill_mid_batch_leaves_no_partial_record_and_a_valid_chain(register_url, tmp_path):
    committed: list[int] = []
    for round_, delay in enumerate((0.0, 0.013, 0.029)):
        process = start_worker(register_url, f"consulent-{round_}", 100_000, tmp_path)
        process.stdin.write("go\n")
        process.stdin.flush()
        seen = []
        while len(seen) < 15:
            seen.append(int(process.stdout.readline()))
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        out, _ = process.communicate(timeout=60)
        assert process.returncode == -signal.SIGKILL
        committed += seen + [int(line) for line in out.split()]

    with open_register(register_url) as register:
        records = register.records()
        report = audit(register)
    stored = [r.seq for r in records]
    assert stored == list(range(1, len(stored) + 1))
    assert set(committed) <= set(stored)  # every record the killed processes saw committed is there
    assert len(stored) - len(committed) <= 3  # at most one commit per kill had not been reported yet
    assert report.chain_ok and report.not_reproduced == []  # every stored record is whole: it replays
    if not register_url.startswith("postgresql://"):
        with sqlite3.connect(register_url) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

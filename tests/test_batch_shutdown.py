"""Issue 13, item 6: `kader batch` stops its workers on SIGTERM and when its main process dies, and writes --out
only as a whole (a temporary file renamed at the end)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import BASE_CASE, RULES

ROOT = Path(__file__).resolve().parent.parent


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


@pytest.fixture()
def started(tmp_path):
    """A batch of 40,000 cases over 2 workers, writing to --out over an earlier result; returns once both run."""
    line = json.dumps(BASE_CASE)
    cases = tmp_path / "cases.jsonl"
    cases.write_text((line + "\n") * 40_000)
    out = tmp_path / "uit.jsonl"
    out.write_text("vorige uitvoer\n")
    process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(cases), "--workers", "2", "--out",
                                str(out)], cwd=tmp_path, env={**os.environ, "KADER_RULES": str(RULES)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(alive(children(process.pid))) < 2 or not list(tmp_path.glob(".uit.jsonl.*.tmp")):
        assert process.poll() is None and time.monotonic() < deadline, process.stderr.read().decode()
        time.sleep(0.2)
    time.sleep(1.5)  # the workers are assessing
    workers = alive(children(process.pid))
    yield process, workers, out, tmp_path
    for pid in alive(workers) | ({process.pid} if process.poll() is None else set()):
        os.kill(pid, signal.SIGKILL)


def gone_within(pids: set[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.slow
def test_sigterm_stops_the_workers_and_leaves_the_earlier_output_untouched(started):
    process, workers, out, folder = started
    os.kill(process.pid, signal.SIGTERM)
    assert process.wait(timeout=30) == 128 + signal.SIGTERM
    assert gone_within(workers, 10), "workers still running after SIGTERM of the batch"
    assert out.read_text() == "vorige uitvoer\n" and not list(folder.glob(".uit.jsonl.*.tmp"))


@pytest.mark.slow
def test_workers_end_when_the_main_process_is_killed(started):
    process, workers, out, folder = started
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert gone_within(workers, 10), "workers still running after their main process was killed"
    assert out.read_text() == "vorige uitvoer\n"


def test_out_appears_whole_at_the_end(tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text((json.dumps(BASE_CASE) + "\n") * 3)
    out = tmp_path / "uit.jsonl"
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(cases), "--workers", "1", "--out",
                             str(out)], cwd=tmp_path, env={**os.environ, "KADER_RULES": str(RULES)},
                            capture_output=True, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["case_id"] for line in out.read_text().splitlines()] == ["test-1"] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.jsonl", "uit.jsonl"]

"""Helpers shared by the benchmark scripts: a cached population file and resident-size readings (Linux /proc)."""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

import engine  # noqa: E402
from engine import case_line, generate  # noqa: E402


def population_file(framework: engine.Framework, size: int, seed: int) -> Path:
    """A population of `size` cases for `seed` under the current rules, generated once and then reused."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"population-{framework.short_hash}-{seed}-{size}.jsonl"
    if not path.exists():
        partial = path.with_name(path.name + ".tmp")
        with open(partial, "w", encoding="utf-8", newline="\n") as handle:
            for case in generate(framework, size=size, seed=seed):
                handle.write(case_line(case) + "\n")
        os.replace(partial, path)
    return path


def rss_mb(pid: int | None = None) -> float:
    """Resident set size of a process in MB (VmRSS), 0.0 where /proc is unavailable."""
    try:
        with open(f"/proc/{pid or 'self'}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rss_all() -> dict[str, float]:
    """RSS of this process and of each live worker process."""
    result = {"main": rss_mb()}
    for index, child in enumerate(sorted(multiprocessing.active_children(), key=lambda c: c.pid)):
        result[f"worker{index + 1}"] = rss_mb(child.pid)
    return result


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "")
    except OSError:
        pass
    return f"{cores} cores{', ' + model if model else ''}; Python {sys.version.split()[0]}"


def machine_busy() -> float:
    """CPU seconds all processes on the machine have used since boot (from /proc/stat), 0.0 elsewhere."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = handle.readline().split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")

"""Load test of `kader serve` on this machine: requests/s and latency of POST /assess, memory per worker.

    .venv/bin/python bench/serve.py                              # workers 1 and 2, 20,000 requests each, 4 connections
    .venv/bin/python bench/serve.py --workers 2 --requests 5000 --connections 8
    .venv/bin/python bench/serve.py --memory-requests 100000     # then 100,000 more with 2 workers, RSS every 10,000

Bounded and local only: it starts `kader serve` itself on 127.0.0.1 at a free port (nothing else is ever
contacted), sends at most `--requests` requests per run and stops a run after `--seconds` whatever the count.
The client is a lean asyncio loop over keep-alive HTTP/1.1 connections (closed loop: each connection sends its
next request when the answer is in), posting the example household (scenarios/voorbeelden/gezin-soest.yaml, as
JSON) and checking every answer is the 200 with the bytes of the first. Latency is from writing a request to
having read its whole answer. The client runs on the same cores as the server, as a case-management system
on the same machine would; the CPU other processes used during each run is reported next to the figures.
Not a test: the figures go into docs/speed.md and docs/commands.md (`kader serve`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml
from _common import ROOT, machine, machine_busy, rss_mb

HOST = "127.0.0.1"  # loopback only, by construction
EXAMPLE = ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def children(pid: int, *, workers_only: bool = True) -> list[int]:
    """The worker processes of a uvicorn supervisor (its children started by multiprocessing's spawn_main; not
    multiprocessing's resource tracker), from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read()
            if int(fields[1]) == pid and (not workers_only or b"spawn_main" in command):
                found.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return sorted(found)


def cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


class Server:
    def __init__(self, workers: int, home: Path):
        self.port = free_port()
        env = {**os.environ, "KADER_REGISTER": str(home / "register.sqlite")}
        for name in list(env):
            if name.startswith(("KADER_TOKEN_", "KADER_SERVE_")):
                del env[name]
        self.process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--host", HOST, "--port",
                                         str(self.port), "--workers", str(workers)], cwd=home, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        self.workers = workers
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"kader serve stopped: {self.process.stderr.read().decode()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as raw:
                    raw.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if raw.recv(64).startswith(b"HTTP/1.1 200"):
                        if workers == 1 or len(children(self.process.pid)) >= workers:
                            break
            except OSError:
                pass
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        return [self.process.pid] if self.workers == 1 else children(self.process.pid)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[bytes, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return head, await reader.readexactly(length)


async def load(port: int, request: bytes, expected: bytes, count: int, connections: int, seconds: float) -> dict:
    latencies: list[float] = []
    failures = 0
    remaining = count
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal remaining, failures
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                started = time.perf_counter()
                head, body = await _exchange(reader, writer, request)
                latencies.append(time.perf_counter() - started)
                if not head.startswith(b"HTTP/1.1 200") or body != expected:
                    failures += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {"requests": len(latencies), "failures": failures, "seconds": round(wall, 2),
            "per_second": round(len(latencies) / wall), "p50_ms": round(pct(50), 2), "p95_ms": round(pct(95), 2),
            "p99_ms": round(pct(99), 2), "max_ms": round(latencies[-1] * 1000, 2),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 2)}


def body() -> bytes:
    case = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["case"]
    return json.dumps(case, default=str, ensure_ascii=False).encode("utf-8")


def request_bytes(payload: bytes) -> bytes:
    return (b"POST /assess HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload)


def first_answer(port: int, request: bytes) -> bytes:
    async def once() -> bytes:
        reader, writer = await asyncio.open_connection(HOST, port)
        head, answer = await _exchange(reader, writer, request)
        writer.close()
        if not head.startswith(b"HTTP/1.1 200"):
            raise SystemExit(f"POST /assess failed: {head[:200]!r} {answer[:300]!r}")
        return answer
    return asyncio.run(once())


def measured(function):
    """(result, % of the machine's CPU other processes used meanwhile): our processes' CPU is subtracted."""
    cores = len(os.sched_getaffinity(0))
    busy, wall = machine_busy(), time.perf_counter()
    before = _tree_cpu()
    result = function()
    ours = _tree_cpu() - before
    other = max(0.0, (machine_busy() - busy) - ours) / ((time.perf_counter() - wall) * cores) * 100
    return result, round(other)


def _tree_cpu() -> float:
    """CPU seconds of this process and every kader serve process it started (live ones, from /proc)."""
    return sum(os.times()[:2]) + sum(cpu_seconds([pid] + children(pid, workers_only=False)) for pid in _SERVERS)


_SERVERS: list[int] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--requests", type=int, default=20_000, help="requests per run (after 500 warm-up)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent keep-alive connections")
    parser.add_argument("--seconds", type=float, default=120.0, help="stop a run after this long, whatever the count")
    parser.add_argument("--memory-requests", type=int, default=0, help="then this many with 2 workers, RSS every 10%%")
    args = parser.parse_args()
    if max(args.requests, args.memory_requests) > 1_000_000 or args.connections > 256 or args.seconds > 1800:
        raise SystemExit("bounded: at most 1,000,000 requests, 256 connections and 1800 s per run")
    import tempfile
    payload = body()
    request = request_bytes(payload)
    print(f"machine: {machine()}")
    print(f"POST /assess of {EXAMPLE.relative_to(ROOT)} ({len(payload)} bytes JSON), {args.connections} connections")
    print("| workers | requests | requests/s | p50 | p95 | p99 | max | failures | worker CPU per request | other CPU |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="kader-bench-serve-") as scratch:
        for workers in args.workers:
            server = Server(workers, Path(scratch))
            _SERVERS[:] = [server.process.pid]
            try:
                expected = first_answer(server.port, request)
                asyncio.run(load(server.port, request, expected, 500, args.connections, 30))  # warm-up
                server_cpu = cpu_seconds(server.worker_pids())
                each = [cpu_seconds([pid]) for pid in server.worker_pids()]
                result, other = measured(lambda s=server, e=expected: asyncio.run(load(s.port, request, e, args.requests,
                                                                                       args.connections, args.seconds)))
                per_request = (cpu_seconds(server.worker_pids()) - server_cpu) / max(1, result["requests"]) * 1000
                each = [cpu_seconds([pid]) - before for pid, before in zip(server.worker_pids(), each, strict=True)]
                print(f"| {workers} | {result['requests']:,} | {result['per_second']:,} | {result['p50_ms']} ms | "
                      f"{result['p95_ms']} ms | {result['p99_ms']} ms | {result['max_ms']} ms | {result['failures']} | "
                      f"{per_request:.2f} ms | {other} % |", flush=True)
                rss = ", ".join(f"{rss_mb(pid):.1f}" for pid in server.worker_pids())
                split = " / ".join(f"{100 * c / max(1e-9, sum(each)):.0f} %" for c in each)
                print(f"  resident size of the worker(s) after the run: {rss} MB; share of the work per worker: {split}",
                      flush=True)
            finally:
                server.stop()
        if args.memory_requests:
            server = Server(2, Path(scratch))
            _SERVERS[:] = [server.process.pid]
            try:
                expected = first_answer(server.port, request)
                step = max(1, args.memory_requests // 10)
                done = 0
                started = time.perf_counter()
                print(f"\nmemory over {args.memory_requests:,} requests, 2 workers (MB per worker):")
                while done < args.memory_requests:
                    result = asyncio.run(load(server.port, request, expected, step, args.connections, args.seconds))
                    done += result["requests"]
                    rss = ", ".join(f"{rss_mb(pid):.1f}" for pid in server.worker_pids())
                    print(f"  after {done:>7,}: {rss}  (failures {result['failures']}, "
                          f"{done / (time.perf_counter() - started):,.0f} requests/s so far)", flush=True)
                    if result["requests"] < step:
                        break
            finally:
                server.stop()


if __name__ == "__main__":
    main()

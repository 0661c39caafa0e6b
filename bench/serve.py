"""Load test of `kader serve` on this machine: requests/s and latency of POST /assess, memory per worker.

    .venv/bin/python bench/serve.py                              # workers 1 and 2, 4 connections, wrk if installed
    .venv/bin/python bench/serve.py --workers 2 --connections 2 --seconds 20
    .venv/bin/python bench/serve.py --compare /tmp/kader-main    # the same runs against another source tree, in turn
    .venv/bin/python bench/serve.py --memory-requests 100000     # then 100,000 more with 2 workers, RSS every 10 %

Bounded and local only: it starts `kader serve` itself on 127.0.0.1 at a free port (nothing else is ever
contacted) and stops every run after `--seconds` (and the asyncio client after `--requests`). It posts the
example household (scenarios/voorbeelden/gezin-soest.yaml, as JSON) over keep-alive HTTP/1.1 connections in a
closed loop (each connection sends its next request when the answer is in); latency is from sending a request
to having read its whole answer.

The load generator shares the 2 cores with the server, so it must cost as little as possible, and its cost is
reported (`client CPU`: its CPU time as a share of the run's wall time on all cores, and per request):
- `wrk` (Debian package `wrk`, C, epoll, one thread), used when it is on the PATH: 0.05 to 0.1 ms of CPU per
  request, so nearly all of the machine is left to the server. It checks the status of every answer (any
  non-2xx counts as a failure); the answer's bytes are checked before and after the run.
- otherwise a lean asyncio client in this process: it checks every answer's bytes, but costs two to three times
  the CPU of wrk per request (0.12 to 0.23 ms measured), taken from the server on a 2-core machine.
`--compare DIR` starts the server from another source tree (e.g. `git archive main | tar -x -C DIR`) with the
same Python and runs both in turn for each number of workers, so a before/after ratio is measured under the same
load of the machine. Not a test: the figures go into docs/speed.md (`kader serve`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from _common import ROOT, machine, machine_busy, rss_mb

from service.workers import child_processes

HOST = "127.0.0.1"  # loopback only, by construction
EXAMPLE = ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


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
    def __init__(self, workers: int, home: Path, source: Path = ROOT):
        self.port = free_port()
        env = {**os.environ, "KADER_REGISTER": str(home / "register.sqlite")}
        for name in list(env):
            if name.startswith(("KADER_TOKEN_", "KADER_SERVE_")):
                del env[name]
        self.process = subprocess.Popen([sys.executable, str(source / "cli.py"), "serve", "--host", HOST, "--port",
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
                        if workers == 1 or len(child_processes(self.process.pid)) >= workers:
                            break
            except OSError:
                pass
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        return [self.process.pid] if self.workers == 1 else child_processes(self.process.pid)

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

    started, cpu = time.perf_counter(), sum(os.times()[:2])
    await asyncio.gather(*(client() for _ in range(connections)))
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {"requests": len(latencies), "failures": failures, "seconds": round(wall, 2),
            "per_second": round(len(latencies) / wall), "p50_ms": round(pct(50), 2), "p95_ms": round(pct(95), 2),
            "p99_ms": round(pct(99), 2), "max_ms": round(latencies[-1] * 1000, 2),
            "mean_ms": round(statistics.fmean(latencies) * 1000, 2), "client_cpu": sum(os.times()[:2]) - cpu}


_WRK_SCRIPT = """
local f = io.open(os.getenv("KADER_BENCH_BODY"), "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  io.write(string.format("KADER %d %d %d %d %d %d %.0f %.0f %.0f %.0f %.0f\\n", summary.requests, summary.duration,
    summary.errors.status, summary.errors.connect, summary.errors.read + summary.errors.write,
    summary.errors.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean))
end
"""


def wrk_load(port: int, payload: bytes, connections: int, seconds: float) -> dict:
    """One run of wrk (one thread, `connections` keep-alive connections, `seconds` long), with wrk's own CPU."""
    with tempfile.TemporaryDirectory(prefix="kader-bench-wrk-") as scratch:
        script, data = Path(scratch) / "post.lua", Path(scratch) / "case.json"
        script.write_text(_WRK_SCRIPT, encoding="utf-8")
        data.write_bytes(payload)
        process = subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
                                    "-s", str(script), f"http://{HOST}:{port}/assess"], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, env={**os.environ, "KADER_BENCH_BODY": str(data)})
        output = process.stdout.read().decode("utf-8", "replace")
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    line = next((line for line in output.splitlines() if line.startswith("KADER ")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {output[-500:]}")
    count, micros, bad_status, *errors = (int(float(x)) for x in line.split()[1:7])
    p50, p95, p99, top, mean = (float(x) / 1000 for x in line.split()[7:12])
    wall = micros / 1e6
    return {"requests": count, "failures": bad_status + sum(errors), "seconds": round(wall, 2),
            "per_second": round(count / wall), "p50_ms": round(p50, 2), "p95_ms": round(p95, 2),
            "p99_ms": round(p99, 2), "max_ms": round(top, 2), "mean_ms": round(mean, 2),
            "client_cpu": usage.ru_utime + usage.ru_stime,
            "wrk_cpu": usage.ru_utime + usage.ru_stime}


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
    ours = _tree_cpu() - before + result.get("wrk_cpu", 0.0)  # wrk's CPU: read from its rusage, not os.times()
    other = max(0.0, (machine_busy() - busy) - ours) / ((time.perf_counter() - wall) * cores) * 100
    return result, round(other)


def _tree_cpu() -> float:
    """CPU seconds of this process and every kader serve process it started (live ones, from /proc)."""
    return sum(os.times()[:2]) + sum(cpu_seconds([pid] + child_processes(pid, workers_only=False)) for pid in _SERVERS)


_SERVERS: list[int] = []


def one_run(workers: int, home: Path, source: Path, request: bytes, payload: bytes, args) -> dict:
    """Start a server from `source`, warm it up, load it, stop it: the figures of one run."""
    server = Server(workers, home, source)
    _SERVERS[:] = [server.process.pid]
    try:
        expected = first_answer(server.port, request)
        asyncio.run(load(server.port, request, expected, 500, args.connections, 30))  # warm-up
        pids = server.worker_pids()
        each = [cpu_seconds([pid]) for pid in pids]
        if args.client == "wrk":
            run = lambda: wrk_load(server.port, payload, args.connections, args.seconds)  # noqa: E731
        else:
            run = lambda: asyncio.run(load(server.port, request, expected, args.requests,  # noqa: E731
                                           args.connections, args.seconds))
        result, other = measured(run)
        if first_answer(server.port, request) != expected:  # wrk checks statuses; the bytes are checked here
            result["failures"] += 1
        each = [cpu_seconds([pid]) - before for pid, before in zip(pids, each, strict=True)]
        result.update(other=other, server_ms=sum(each) / max(1, result["requests"]) * 1000,
                      client_ms=result["client_cpu"] / max(1, result["requests"]) * 1000,
                      client_share=100 * result["client_cpu"] / (result["seconds"] * _cores()),
                      rss=[rss_mb(pid) for pid in pids], split=[100 * c / max(1e-9, sum(each)) for c in each])
        return result
    finally:
        server.stop()


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def row(label: str, workers: int, r: dict) -> str:
    return (f"| {label}{workers} | {r['requests']:,} | {r['per_second']:,} | {r['p50_ms']} ms | {r['p95_ms']} ms | "
            f"{r['p99_ms']} ms | {r['max_ms']} ms | {r['failures']} | {r['server_ms']:.2f} ms | "
            f"{r['client_ms']:.3f} ms ({r['client_share']:.0f} %) | {r['other']} % | "
            f"{' / '.join(f'{p:.0f} %' for p in r['split'])} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--client", choices=("auto", "wrk", "asyncio"), default="auto",
                        help="load generator: wrk when installed (auto), or the asyncio client in this process")
    parser.add_argument("--requests", type=int, default=20_000, help="asyncio client: requests per run (after 500 "
                        "warm-up); wrk runs for --seconds")
    parser.add_argument("--connections", type=int, default=4, help="concurrent keep-alive connections")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of a wrk run; the asyncio client stops "
                        "after this long whatever the count")
    parser.add_argument("--compare", type=Path, help="another source tree (with cli.py) to run in turn, as `before`")
    parser.add_argument("--rounds", type=int, default=1, help="with --compare: this many before/after pairs")
    parser.add_argument("--memory-requests", type=int, default=0, help="then this many with 2 workers, RSS every 10%%")
    args = parser.parse_args()
    if max(args.requests, args.memory_requests) > 1_000_000 or args.connections > 256 or args.seconds > 1800 \
            or args.rounds > 10:
        raise SystemExit("bounded: at most 1,000,000 requests, 256 connections, 1800 s per run and 10 rounds")
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "asyncio"
    elif args.client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk); use --client asyncio")
    if args.compare is not None and not (args.compare / "cli.py").is_file():
        raise SystemExit(f"--compare {args.compare}: no cli.py there")
    payload = body()
    request = request_bytes(payload)
    with open("/proc/loadavg", encoding="ascii") as handle:
        load_before = " ".join(handle.read().split()[:3])
    print(f"machine: {machine()}; load average before: {load_before}")
    print(f"POST /assess of {EXAMPLE.relative_to(ROOT)} ({len(payload)} bytes JSON), {args.connections} keep-alive "
          f"connections, client: {args.client}" + (f", {args.seconds:g} s per run" if args.client == "wrk" else ""))
    print("| workers | requests | requests/s | p50 | p95 | p99 | max | failures | server CPU per request "
          "| client CPU per request (share of the machine) | other CPU | share of the work per worker |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="kader-bench-serve-") as scratch:
        for workers in args.workers:
            if args.compare is None:
                result = one_run(workers, Path(scratch), ROOT, request, payload, args)
                print(row("", workers, result), flush=True)
                print(f"  resident size of the worker(s) after the run: "
                      f"{', '.join(f'{m:.1f}' for m in result['rss'])} MB; share of the work per worker: "
                      f"{' / '.join(f'{p:.0f} %' for p in result['split'])}", flush=True)
                continue
            ratios = []
            for _ in range(args.rounds):
                before = one_run(workers, Path(scratch), args.compare.resolve(), request, payload, args)
                print(row("before, ", workers, before), flush=True)
                after = one_run(workers, Path(scratch), ROOT, request, payload, args)
                print(row("after, ", workers, after), flush=True)
                ratios.append((after["per_second"] / max(1, before["per_second"]),
                               after["server_ms"] / max(1e-9, before["server_ms"])))
            print(f"  after / before with {workers} worker(s): requests/s "
                  f"{', '.join(f'{r:.2f}' for r, _ in ratios)}; server CPU per request "
                  f"{', '.join(f'{c:.2f}' for _, c in ratios)}", flush=True)
        if args.memory_requests:
            memory(args, Path(scratch), request, payload)
    with open("/proc/loadavg", encoding="ascii") as handle:
        print(f"load average after: {' '.join(handle.read().split()[:3])}")


def memory(args, home: Path, request: bytes, payload: bytes) -> None:
    """`--memory-requests` more with 2 workers, the resident size of each worker every tenth of them."""
    server = Server(2, home)
    _SERVERS[:] = [server.process.pid]
    try:
        expected = first_answer(server.port, request)
        step = max(1, args.memory_requests // 10)
        done = 0
        started = time.perf_counter()
        print(f"\nmemory over {args.memory_requests:,} requests, 2 workers (MB per worker):")
        while done < args.memory_requests:
            if args.client == "wrk":  # a run of about `step` requests at the rate measured so far
                rate = done / (time.perf_counter() - started) if done else 500
                result = wrk_load(server.port, payload, args.connections, max(1.0, min(120.0, step / rate)))
            else:
                result = asyncio.run(load(server.port, request, expected, step, args.connections, args.seconds))
            done += result["requests"]
            rss = ", ".join(f"{rss_mb(pid):.1f}" for pid in server.worker_pids())
            print(f"  after {done:>7,}: {rss}  (failures {result['failures']}, "
                  f"{done / (time.perf_counter() - started):,.0f} requests/s so far)", flush=True)
            if result["requests"] == 0:
                break
        if first_answer(server.port, request) != expected:
            print("  the answer after the run differs from the first one", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()

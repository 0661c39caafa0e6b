"""Where the CPU of one `kader serve` worker goes for POST /assess: the engine thread against the rest.

    .venv/bin/python bench/serve_profile.py                   # 10 s of wrk (4 connections) against one worker
    .venv/bin/python bench/serve_profile.py --profile 25      # and cProfile of the event-loop thread, top 25
    .venv/bin/python bench/serve_profile.py --http h11 --loop asyncio   # uvicorn without its C extras

Runs the worker's application (`service.app.create_app`, the short way for POST /assess included) under uvicorn
in this process, as `kader serve --workers 1` does (httptools, uvloop, no access log), on 127.0.0.1 at a free
port, and loads it with wrk (Debian package `wrk`; required here) posting the example household. The job
handed to the engine thread is wrapped to add up that thread's CPU time (`time.thread_time`); the process's
CPU time less that is the event loop's: HTTP parsing, the checks, the hop to the engine thread and writing the
answer. Prints both per request, and wrk's CPU per request (the load generator's side). Bounded: one run of at
most 300 s, loopback only. Not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import socket
import threading
import time

from _common import machine
from serve import body, wrk_load


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--http", choices=("httptools", "h11"), default="httptools", help="uvicorn's HTTP parser")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop", help="uvicorn's event loop")
    parser.add_argument("--profile", type=int, default=0, help="print this many functions of the loop thread's profile")
    args = parser.parse_args()
    if args.seconds > 300 or args.connections > 256:
        raise SystemExit("bounded: at most 300 s and 256 connections")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    os.environ.pop("KADER_SERVE_CORS", None)
    for name in [n for n in os.environ if n.startswith("KADER_TOKEN")]:
        del os.environ[name]
    import uvicorn

    from service.app import create_app

    app = create_app()
    engine_cpu = [0.0, 0]
    job = app.job

    def counted(query, payload):
        started = time.thread_time()
        try:
            return job(query, payload)
        finally:
            engine_cpu[0] += time.thread_time() - started
            engine_cpu[1] += 1

    app.job = counted
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, access_log=False, log_level="warning",
                                           proxy_headers=False, server_header=False, limit_concurrency=200,
                                           http=args.http, loop=args.loop))
    profile = cProfile.Profile() if args.profile else None
    result: dict = {}

    def load() -> None:
        while not server.started:
            time.sleep(0.05)
        wrk_load(port, body(), args.connections, 2)  # warm-up
        before, count = sum(os.times()[:2]), engine_cpu[:]
        if profile:
            server.should_profile = True
        result.update(wrk_load(port, body(), args.connections, args.seconds))
        result["process"] = sum(os.times()[:2]) - before
        result["engine"] = engine_cpu[0] - count[0]
        result["n"] = engine_cpu[1] - count[1]
        server.should_exit = True

    if profile:  # the loop thread's profile, only while the measured run lasts
        import asyncio

        async def sample() -> None:
            while not getattr(server, "should_profile", False):
                await asyncio.sleep(0.01)
            profile.enable()
            while not server.should_exit:
                await asyncio.sleep(0.05)
            profile.disable()

        original = server.main_loop

        async def main_loop() -> None:
            asyncio.get_running_loop().create_task(sample())
            await original()

        server.main_loop = main_loop
    threading.Thread(target=load, daemon=True).start()
    server.run()
    n = max(1, result["n"])
    print(f"machine: {machine()}; load average {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print(f"POST /assess of the example household, 1 worker in this process ({args.http}, {args.loop}), wrk "
          f"{args.connections} connections, "
          f"{result['seconds']} s: {result['requests']:,} answers, {result['per_second']} requests/s, "
          f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, failures {result['failures']}")
    print(f"CPU per request: worker {result['process'] / n * 1000:.3f} ms = engine thread "
          f"{result['engine'] / n * 1000:.3f} ms (read the body, assess, write the JSON) + event loop "
          f"{(result['process'] - result['engine']) / n * 1000:.3f} ms (HTTP, checks, hop, send); "
          f"wrk {result['client_cpu'] / max(1, result['requests']) * 1000:.3f} ms")
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.profile)
        print(out.getvalue())


if __name__ == "__main__":
    main()

"""Worker processes for `kader serve --workers N`, each listening on a socket of its own (SO_REUSEPORT).

uvicorn's own `--workers` binds one socket in the supervisor and lets every worker accept on it. With
keep-alive connections that goes wrong: the worker that wakes first accepts every connection waiting at that
moment, and keeps them. Measured with bench/serve.py (4 keep-alive connections, 2 workers): one worker did
all the work and the other none. Here every worker binds its own listening socket to the same address with
SO_REUSEPORT, and the kernel spreads new connections over the workers' sockets (by a hash of the client's
address and port). Linux only lets processes of the same user join such a group, so another user cannot
take connections away; and before the workers start, the supervisor binds the address once without
SO_REUSEPORT, so a second `kader serve` started on the same port (perhaps with other rules) is refused
instead of silently getting half of the connections.

The supervisor (this process) starts the workers with multiprocessing's spawn (each loads the framework and
owns its engine thread), restarts a worker that stops unexpectedly, and on SIGTERM or SIGINT passes the
signal on and waits until every worker has finished its requests (uvicorn's graceful shut-down, so a recording
in flight completes). A worker that stops before it listens stops the service: it would fail again.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
import threading
import time

from engine import Diagnostic, Span, UsageError

GRACE_EXTRA = 15.0  # beyond uvicorn's graceful period, before a worker that hangs is killed


def child_processes(supervisor: int, *, workers_only: bool = True) -> list[int]:
    """The process ids of a supervisor's children, from /proc (Linux), sorted. With `workers_only` only the workers
    multiprocessing spawned (their command line runs `spawn_main`), not its resource tracker. For operators and the
    load benchmark, which watch a running `kader serve --workers N` from outside."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read()
        except (OSError, IndexError, ValueError):
            continue  # the process ended while it was read
        if parent == supervisor and (not workers_only or b"spawn_main" in command):
            found.append(int(entry))
    return sorted(found)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port with SO_REUSEPORT (not yet listening)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host.strip("[]"), port))
    return sock


def _worker(host: str, port: int, options: dict, ready) -> None:  # runs in a spawned worker process
    import uvicorn

    from .app import create_app

    class Server(uvicorn.Server):
        async def startup(self, sockets=None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                ready.set()  # listening: from now on a stop is a crash to recover from, not a failed start

    sock = listening_socket(host, port)
    config = uvicorn.Config(create_app(), **options)  # the settings come from the environment (service.run)
    Server(config).run(sockets=[sock])


def supervise(workers: int, host: str, port: int, options: dict) -> int:
    """Run `workers` worker processes until SIGTERM or SIGINT; the exit status of the service."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise UsageError(Diagnostic("E980", "--workers groter dan 1 vraagt SO_REUSEPORT (Linux, BSD, macOS)",
                                    Span("--workers", 1, 1)))
    try:  # without SO_REUSEPORT: a server already on this address (another kader serve too) makes this fail
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host.strip("[]"), port))
    except OSError as exc:
        raise UsageError(Diagnostic("E981", f"kan niet luisteren op {host}:{port}: {exc.strerror}",
                                    Span("--port", 1, 1))) from None
    context = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def on_signal(_sig, _frame) -> None:
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)

    def start() -> tuple[multiprocessing.Process, object]:
        ready = context.Event()
        process = context.Process(target=_worker, args=(host, port, options, ready), name="kader-serve-worker")
        process.start()
        return process, ready

    running = [start() for _ in range(workers)]
    status = 0
    try:
        while not stop.wait(0.5):
            for index, (process, ready) in enumerate(running):
                if process.is_alive():
                    continue
                if not ready.is_set():
                    print(f"kader serve: werkproces {process.pid} stopte bij het starten (exit {process.exitcode}); "
                          "de dienst stopt", file=sys.stderr)
                    status = 1
                    stop.set()
                    break
                print(f"kader serve: werkproces {process.pid} stopte onverwacht (exit {process.exitcode}); "
                      "een nieuw werkproces start", file=sys.stderr)
                running[index] = start()
    finally:
        for process, _ in running:
            if process.is_alive():
                os.kill(process.pid, signal.SIGTERM)  # graceful: in-flight requests (a recording) finish
        deadline = time.monotonic() + options.get("timeout_graceful_shutdown", 30) + GRACE_EXTRA
        for process, _ in running:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
    return status

"""`kader serve --workers N`: a socket per worker, a second server on the port refused, a crashed worker replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from service.workers import child_processes

from .conftest import ROOT, Server, case_json, example_case

pytestmark = pytest.mark.slow


def workers_of(server: Server) -> list[int]:
    return child_processes(server.process.pid)


def wait_for(condition, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def two(serve_home):
    running = Server(serve_home / "workers", "--workers", "2").start()
    assert wait_for(lambda: len(workers_of(running)) == 2)
    yield running
    running.stop()


def test_a_second_server_on_the_same_port_is_refused_not_given_half_the_connections(two):
    second = subprocess.run([sys.executable, str(ROOT / "cli.py"), "serve", "--port", str(two.port), "--workers", "2"],
                            cwd=two.home, env=two.env, capture_output=True, timeout=120)
    assert second.returncode == 2, second.stderr.decode()
    assert f"--port:1:1: error[E981]: kan niet luisteren op 127.0.0.1:{two.port}" in second.stderr.decode()
    assert two.post("/assess", case_json(example_case())).status == 200


def test_a_worker_that_crashes_is_replaced_and_the_service_keeps_answering(two):
    before = workers_of(two)
    os.kill(before[0], signal.SIGKILL)
    assert wait_for(lambda: len(workers_of(two)) == 2 and before[0] not in workers_of(two))
    assert "stopte onverwacht" in two.output()
    connections = [two.connect() for _ in range(6)]  # new connections, spread over both workers by the kernel
    try:
        for connection in connections:
            assert wait_for(lambda c=connection: two.post("/assess", case_json(example_case()), connection=c).status
                            == 200, 30)
    finally:
        for connection in connections:
            connection.close()
    assert two.process.poll() is None

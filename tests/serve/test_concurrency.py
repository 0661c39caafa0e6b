"""durable-rules is not thread-safe: concurrent requests to one worker must give the bytes of sequential ones."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import ROOT, Server

pytestmark = pytest.mark.slow

CASES = sorted((ROOT / "scenarios").rglob("*.yaml"))[:24]


def test_concurrent_requests_to_one_worker_give_the_same_bytes_as_sequential_ones(server):
    sequential = {}
    for path in CASES:
        reply = server.post("/assess", path.read_bytes(), content_type="application/yaml")
        assert reply.status == 200, path
        sequential[path] = reply.body

    def client(offset: int) -> list[tuple]:
        connection = server.connect()
        seen = []
        for round_ in range(3):
            for index in range(len(CASES)):
                path = CASES[(index + offset + round_) % len(CASES)]
                endpoint = "/assess" if (index + offset) % 4 else "/explain"
                reply = server.post(endpoint, path.read_bytes(), content_type="application/yaml", connection=connection)
                seen.append((path, endpoint, reply.status, reply.body))
        connection.close()
        return seen

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = [item for batch in pool.map(client, range(12)) for item in batch]
    assert len(results) == 12 * 3 * len(CASES)
    explained = {}
    for path, endpoint, status, body in results:
        assert status == 200, (path, body[:300])
        if endpoint == "/assess":
            assert body == sequential[path], path
        else:
            assert explained.setdefault(path, body) == body, path  # every explanation of a case the same
    assert server.process.poll() is None  # the worker is still alive


def test_two_workers_give_the_same_bytes_as_one(serve_home, server):
    two = Server(serve_home / "two-workers", "--workers", "2").start()
    try:
        expected = {path: server.post("/assess", path.read_bytes(), content_type="application/yaml").body
                    for path in CASES[:8]}

        def client(offset: int) -> list[bool]:
            connection = two.connect()
            same = [two.post("/assess", path.read_bytes(), content_type="application/yaml",
                             connection=connection).body == expected[path]
                    for path in list(expected)[offset:] + list(expected)[:offset]]
            connection.close()
            return same

        with ThreadPoolExecutor(max_workers=8) as pool:
            outcomes = [ok for batch in pool.map(client, range(8)) for ok in batch]
        assert outcomes == [True] * 64
    finally:
        assert two.stop() == 0

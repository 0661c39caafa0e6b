"""The worker's one engine thread: every call runs on the same thread, and the time limit answers without
cutting a recording off."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from service.app import EngineThread

from .conftest import ROOT


@pytest.fixture(scope="module")
def core():
    thread = EngineThread(ROOT / "rules")
    yield thread
    thread.close()


def test_every_call_runs_on_the_one_engine_thread_also_when_called_concurrently(core):
    async def many():
        return await asyncio.gather(*(core.run(lambda: threading.get_ident(), timeout=10) for _ in range(50)))
    idents = asyncio.run(many())
    assert len(set(idents)) == 1 and idents[0] != threading.get_ident()


def test_a_call_over_the_time_limit_raises_timeout_and_the_thread_goes_on_afterwards(core):
    async def slow():
        return await core.run(time.sleep, 0.5, timeout=0.05)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        asyncio.run(slow())
    assert time.monotonic() - started < 0.4
    assert asyncio.run(core.run(lambda: 42, timeout=10)) == 42  # after the slow call has finished


def test_without_a_time_limit_a_call_runs_to_its_end(core):
    done = []
    assert asyncio.run(core.run(lambda: (time.sleep(0.2), done.append(1))[1], timeout=None)) is None
    assert done == [1]

"""`kader batch` and `kader impact` on a Dask cluster (--scheduler): a real LocalCluster of worker processes, one
thread each; the output must be byte for byte the single-machine output, also when a worker is killed mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

import engine
from engine.tools.batch import BatchSummary, assess_chunks, read_chunks
from engine.tools.population import case_line, generate

from .conftest import ROOT, RULES
from .test_impact import compare, proposal  # noqa: F401 - the fixture: a minima, rule and tarief change

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local:
        yield local


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    framework = engine.load_framework(RULES)
    path = tmp_path_factory.mktemp("cluster") / "populatie.jsonl"
    lines = [case_line(case) for case in generate(framework, size=400, seed=8)]
    lines[17] = '{"id": "kapot", "gemeente": "soest"'  # a bad line: located, skipped, the others go on
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _batch(population, size, **options):
    framework = engine.load_framework(RULES)
    summary, texts, failures = BatchSummary(), [], []
    with open(population, "rb") as source:
        for chunk in assess_chunks(framework, RULES, "populatie.jsonl", read_chunks(source, size), **options):
            summary.add(chunk)
            texts.append(chunk.text)
            failures += [(f.line, [str(d) for d in f.diagnostics]) for f in chunk.failures]
            yield chunk
    _batch.last = ("".join(texts), failures, summary)


def test_batch_on_a_local_cluster_writes_exactly_the_single_machine_output(cluster, population):
    list(_batch(population, 25, workers=1))
    here = _batch.last
    list(_batch(population, 25, scheduler=cluster.scheduler_address))
    there = _batch.last
    assert there[0] == here[0] and there[1] == here[1]
    assert there[2].assessed == 399 and there[2].failed_lines == [18]
    ids = [json.loads(line)["case_id"] for line in there[0].splitlines()]
    assert len(ids) == len(set(ids)) == 399


def test_a_worker_killed_mid_run_is_retried_without_losing_or_duplicating_a_line(cluster, population):
    from distributed import Client
    list(_batch(population, 10, workers=1))
    expected = _batch.last[0]
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        pids = client.run(os.getpid)
        killed = False
        for index, _chunk in enumerate(_batch(population, 10, scheduler=cluster.scheduler_address)):
            if index == 1 and not killed:
                os.kill(sorted(pids.values())[0], signal.SIGKILL)  # mid-run: chunks of it are in flight on that worker
                killed = True
        deadline = time.monotonic() + 60
        while len(client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)  # the nanny starts a new worker in its place
        assert sorted(client.run(os.getpid).values()) != sorted(pids.values())
    assert killed and _batch.last[0] == expected
    assert _batch.last[2].assessed == 399


def test_impact_on_a_local_cluster_gives_the_same_json(cluster, proposal, population):  # noqa: F811
    here = compare(RULES, proposal, [population], workers=1).to_json()
    there = compare(RULES, proposal, [population], scheduler=cluster.scheduler_address).to_json()
    assert there == here
    assert here["changed"] > 0 and here["cases"] == 399 and len(here["errors"]) == 1


def test_kader_batch_scheduler_option_and_an_unreachable_scheduler(cluster, population, tmp_path):
    out = tmp_path / "uit.jsonl"
    run = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(population), "--scheduler",
                          cluster.scheduler_address, "--out", str(out)], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "KADER_RULES": str(RULES)}, stdin=subprocess.DEVNULL, timeout=300)
    assert run.returncode == 1, run.stderr  # the bad line
    assert ":18:" in run.stderr and len(out.read_text(encoding="utf-8").splitlines()) == 399
    bad = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(population), "--scheduler",
                          "tcp://127.0.0.1:9", "--out", str(tmp_path / "niets.jsonl")], capture_output=True, text=True,
                         cwd=ROOT, env={**os.environ, "KADER_RULES": str(RULES)}, stdin=subprocess.DEVNULL, timeout=120)
    assert bad.returncode == 3 and "error[E955]" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "niets.jsonl").exists()


def test_a_cluster_whose_workers_have_more_threads_is_refused(population):
    from distributed import LocalCluster
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as threaded:
        with pytest.raises(engine.RuleEngineError) as caught:
            list(_batch(population, 25, scheduler=threaded.scheduler_address))
    assert caught.value.diagnostics[0].code == "E957"

"""`kader batch` and `kader impact` on a Dask cluster (`--scheduler ADDRESS`).

The JSON Lines input is cut into the same chunks as on one machine; each chunk is a task on the cluster's
workers. A worker is a process with one thread (durable-rules is not thread-safe; a worker with more threads is
refused) that loads the framework once, the first time a task of that rule set reaches it, and keeps it. The
rules travel with the run: the client sends the files of the rules folder once (`scatter`, to every worker), and
a worker loads them from the same path when that path holds the same rules (a shared file system, or a cluster on
this machine) and otherwise from a private copy of the files it was sent; either way it checks the framework's
content hash before it assesses anything.

Results come back in input order, so the output is byte for byte the single-machine output: batch lines in input
order, impact results per chunk that the client adds up exactly as `engine.tools.impact.run_impact` does for its own
worker processes. A worker that dies (killed, out of memory, its machine gone) loses only the chunks it was
working on; the scheduler runs those again on another worker, and since every chunk's result is taken from its
own task once, no line is lost or written twice. At most a few chunks per worker are in flight, so the client's
memory stays flat however long the input is.

Only population lines go to the cluster; a case or scenario file named on the command line is read by the
client itself (a worker on another machine does not have the file).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections import deque
from pathlib import Path
from typing import Any, Iterable, Iterator

from engine.errors import Diagnostic, RuleEngineError, Span, UsageError

IN_FLIGHT_PER_WORKER = 4  # chunks per worker thread on the cluster at once
CONNECT_SECONDS = 10


class ClusterError(RuleEngineError):
    """The cluster could not be reached or used, or it lost work it could not redo."""

    exit_code = 3


# ---------------------------------------------------------------- the client side


def _client(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(Diagnostic(
            "E954", "--scheduler vraagt Dask: installeer kader met de extra 'cluster' "
            "(pip install -e \".[cluster]\")", Span("--scheduler", 1, 1))) from None
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(Diagnostic("E955", f"de Dask-scheduler op {address} is niet bereikbaar: {exc}",
                                      Span("--scheduler", 1, 1),
                                      hint="start er een met `dask scheduler` en workers met "
                                           "`dask worker ADRES --nthreads 1`")) from None
    workers = client.scheduler_info().get("workers", {})
    threads = {info.get("nthreads", 1) for info in workers.values()}
    if not workers:
        client.close()
        raise ClusterError(Diagnostic("E956", f"de Dask-scheduler op {address} heeft geen workers",
                                      Span("--scheduler", 1, 1), hint="start workers met `dask worker ADRES --nthreads 1`"))
    if threads != {1}:
        client.close()
        raise ClusterError(Diagnostic(
            "E957", "elke Dask-worker moet één thread hebben (durable-rules is niet thread-safe); deze cluster heeft "
            f"workers met {', '.join(str(t) for t in sorted(threads))} threads", Span("--scheduler", 1, 1),
            hint="start de workers met `dask worker ADRES --nthreads 1 --nworkers N`"))
    return client


def rules_files(root: Path) -> dict[str, bytes]:
    """The files of a rules folder, by path relative to it (hidden files and folders left out)."""
    files = {}
    for path in sorted(Path(root).rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            files[relative.as_posix()] = path.read_bytes()
    return files


def _ordered(client, submit: Iterable[Any], display: str) -> Iterator[Any]:
    """Results of futures (or local results, passed through) in the order given, a bounded number in flight."""
    from distributed.client import FutureCancelledError

    limit = max(1, len(client.scheduler_info().get("workers", {}))) * IN_FLIGHT_PER_WORKER
    pending: deque = deque()

    def result(item):
        if not hasattr(item, "result"):
            return item
        try:
            return item.result()
        except (FutureCancelledError, OSError) as exc:
            raise ClusterError(Diagnostic("E958", f"de cluster kon een deel van {display} niet afmaken: "
                                          f"{type(exc).__name__}: {exc}", Span(display, 1, 1))) from None
        except Exception as exc:
            if type(exc).__name__ == "KilledWorker":
                raise ClusterError(Diagnostic(
                    "E959", f"een deel van {display} liet herhaaldelijk een worker stoppen; de uitvoer is onvolledig",
                    Span(display, 1, 1), hint="probeer zonder --scheduler met --workers 1 om de casus te vinden")) from None
            raise
    try:
        for item in submit:
            pending.append(item)
            if len(pending) >= limit:
                yield result(pending.popleft())
        while pending:
            yield result(pending.popleft())
    finally:
        for item in pending:
            if hasattr(item, "cancel"):
                item.cancel()


def batch_chunks(address: str, framework, rules: Path, display: str,
                 chunks: Iterable[tuple[int, list[bytes]]], assessor: type) -> Iterator[Any]:
    """engine.tools.batch.assess_chunks on a Dask cluster: the ChunkResults in input order. `assessor` is the
    class that assesses a chunk on a worker (batch's LineAssessor), passed in so this module imports no tool."""
    client = _client(address)
    try:
        shipped = client.scatter({"rules": (str(Path(rules).resolve()), framework.hash, rules_files(rules))},
                                 broadcast=True, hash=False)["rules"]
        tasks = (client.submit(_batch_task, shipped, display, first, raws, assessor, pure=False, key=f"kader-batch-{first}-"
                               f"{os.getpid()}-{id(shipped)}") for first, raws in chunks)
        yield from _ordered(client, tasks, display)
    finally:
        client.close()


def impact_units(address: str, base, base_path: Path, proposal, proposal_path: Path, work: Iterable[Any], *,
                 evaluator: type, chunk_result: type, shortcut: bool = True) -> Iterator[Any]:
    """engine.tools.impact.evaluate_units on a Dask cluster: the ChunkResults in input order. `evaluator` and
    `chunk_result` are impact's ImpactEvaluator and ChunkResult, passed in so this module imports no tool."""
    client = _client(address)
    local: list[Any] = []

    def here(unit):
        if not local:
            local.append(evaluator(base, proposal, shortcut=shortcut))
        return local[0].unit(unit)

    try:
        versions = client.scatter({"versions": (
            (str(Path(base_path).resolve()), base.hash, rules_files(base_path)),
            (str(Path(proposal_path).resolve()), proposal.hash, rules_files(proposal_path)), shortcut)},
            broadcast=True, hash=False)["versions"]

        def tasks():
            for index, unit in enumerate(work):
                if isinstance(unit, Diagnostic):
                    yield chunk_result(errors=[unit])
                elif unit.path is not None:
                    yield here(unit)
                else:
                    yield client.submit(_impact_task, versions, unit, evaluator, pure=False,
                                        key=f"kader-impact-{index}-{os.getpid()}-{id(versions)}")
        yield from _ordered(client, tasks(), "impact")
    finally:
        client.close()


# ---------------------------------------------------------------- the worker side (one thread per process)

_LOADED: dict[str, Any] = {}  # framework hash -> Framework, per worker process
_LOCK = threading.Lock()


def _framework(shipped: tuple[str, str, dict[str, bytes]]):
    path, expected, files = shipped
    with _LOCK:
        found = _LOADED.get(expected)
        if found is not None:
            return found
        from engine.language.fwcache import load_framework
        framework = None
        if Path(path).is_dir():
            try:
                framework = load_framework(Path(path))
            except RuleEngineError:
                framework = None
        if framework is None or framework.hash != expected:
            copy = Path(tempfile.mkdtemp(prefix="kader-regels-"))
            for name, data in files.items():
                target = copy / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            framework = load_framework(copy)
        if framework.hash != expected:
            raise RuntimeError(f"de regels op deze worker zijn niet die van de run ({framework.hash} != {expected})")
        _LOADED[expected] = framework
        return framework


_ASSESSORS: dict[tuple[str, str], Any] = {}
_EVALUATORS: dict[tuple[str, str, bool], Any] = {}


def _batch_task(shipped, display: str, first: int, raws: list[bytes], line_assessor: type):
    framework = _framework(shipped)
    assessor = _ASSESSORS.get((framework.hash, display))
    if assessor is None:
        assessor = _ASSESSORS[(framework.hash, display)] = line_assessor(framework, display)
    return assessor.chunk(first, raws)


def _impact_task(versions, unit, impact_evaluator: type):
    base_shipped, proposal_shipped, shortcut = versions
    base, proposal = _framework(base_shipped), _framework(proposal_shipped)
    key = (base.hash, proposal.hash, shortcut)
    evaluator = _EVALUATORS.get(key)
    if evaluator is None:
        evaluator = _EVALUATORS[key] = impact_evaluator(base, proposal, shortcut=shortcut)
    return evaluator.unit(unit)

"""Assess a JSON Lines file of cases: in input order, over worker processes, bad lines skipped.

Each line of the input is one case (the case contract of docs/case.md, as
JSON). Each assessed line becomes one line of output: the assessment contract
as compact JSON, in input order. A line that cannot be assessed (invalid JSON,
a case the framework refuses, a failing evaluation) yields located diagnostics
`cases.jsonl:17:23: error[E...]: ...` and no output; the other lines go on.

durable-rules is not thread-safe, so parallel work runs in worker processes,
each of which loads the framework once and then assesses chunks of lines (one
message per chunk, not per case). At most a few chunks are in flight at any
time, so memory stays flat however long the input is.

Lines are read as `kader impact` and `kader compare-gemeenten` read population
lines (engine.tools.caseinput): with `json.loads` only, and the positioned YAML/JSON
parser of `engine.language.sources` only when something is wrong with the line, to say
where; the outcome is the same either way.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import tempfile
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, TextIO

from engine.errors import CaseFileError, Diagnostic, RuleEngineError, Span
from engine.evaluation.assessment import dumps
from engine.evaluation.case import Case
from engine.evaluation.evaluate import assess
from engine.language.framework import Framework
from engine.language.fwcache import load_framework

from .caseinput import case_from_line, decode_line, locate

CHUNK_LINES = 250  # lines per message to a worker
IN_FLIGHT_PER_WORKER = 3  # chunks queued per worker: enough to keep it busy, few enough for flat memory


@dataclass(frozen=True)
class LineFailure:
    line: int
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class ChunkResult:
    """What one chunk of lines produced: the output text (one JSON line per assessed case) and the failures."""

    first_line: int
    lines: int  # input lines covered, blank ones included
    assessed: int
    text: str
    failures: list[LineFailure] = field(default_factory=list)


@dataclass
class BatchSummary:
    lines: int = 0
    cases: int = 0
    assessed: int = 0
    failed: int = 0
    failed_lines: list[int] = field(default_factory=list)

    def add(self, chunk: ChunkResult) -> None:
        self.lines += chunk.lines
        self.assessed += chunk.assessed
        self.failed += len(chunk.failures)
        self.cases += chunk.assessed + len(chunk.failures)
        self.failed_lines.extend(f.line for f in chunk.failures)


class BatchAborted(RuleEngineError):
    """A worker process died (a crash in the C engine, or the rules changed on disk): the output is incomplete."""

    exit_code = 3


# ---------------------------------------------------------------- reading


def open_cases(path: Path, display: str) -> BinaryIO:
    """Open a JSON Lines file for reading in binary (lines are decoded one by one, each with its number)."""
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise CaseFileError(Diagnostic("E001", "bestand bestaat niet", Span(display, 1, 1))) from None
    except IsADirectoryError:
        raise CaseFileError(Diagnostic("E002", "dit is een map, geen bestand", Span(display, 1, 1))) from None
    except OSError as exc:
        raise CaseFileError(Diagnostic("E003", f"bestand kan niet gelezen worden: {exc.strerror}",
                                       Span(display, 1, 1))) from None
    return handle



def count_lines(handle: BinaryIO) -> int:
    """Number of lines in a seekable binary file (for a progress total); the position is restored."""
    start = handle.tell()
    count = 0
    last = b"\n"
    while True:
        block = handle.read(1 << 20)
        if not block:
            break
        count += block.count(b"\n")
        last = block[-1:]
    handle.seek(start)
    return count + (last != b"\n")


def read_chunks(handle: BinaryIO, size: int = CHUNK_LINES) -> Iterator[tuple[int, list[bytes]]]:
    """(number of the first line, raw lines) per chunk; line numbers start at 1 and count blank lines."""
    chunk: list[bytes] = []
    first = 1
    for raw in handle:
        chunk.append(raw)
        if len(chunk) == size:
            yield first, chunk
            first += size
            chunk = []
    if chunk:
        yield first, chunk


# ---------------------------------------------------------------- one line


class LineAssessor:
    """Assesses lines of one input file against one framework; usable in a worker or in-process."""

    def __init__(self, framework: Framework, display: str):
        self.framework = framework
        self.display = display

    def chunk(self, first_line: int, raws: list[bytes]) -> ChunkResult:
        out: list[str] = []
        failures: list[LineFailure] = []
        for offset, raw in enumerate(raws):
            number = first_line + offset
            outcome = self.line(number, raw)
            if outcome is None:
                continue
            if isinstance(outcome, LineFailure):
                failures.append(outcome)
            else:
                out.append(outcome)
        text = "\n".join(out) + "\n" if out else ""
        return ChunkResult(first_line, len(raws), len(out), text, failures)

    def line(self, number: int, raw: bytes) -> str | LineFailure | None:
        """The assessment as one JSON line, a failure, or None for a blank line."""
        try:
            text = self.decode(number, raw)
            if not text or text.isspace():
                return None
            case = self.case(text)
            refused = bsn_like_ids(case)
            if refused:
                return LineFailure(number, (Diagnostic(
                    "E946", f"kenmerk {', '.join(refused)} lijkt op een BSN (9 cijfers, elfproef): deze casus wordt "
                    "niet in de uitvoer geschreven", Span(self.display, number, 1),
                    hint="geef casussen, personen en hulpvragen een eigen kenmerk zonder persoonsgegevens"),))
            return dumps(assess(self.framework, case, reads_only=True).to_json(), indent=None)
        except RuleEngineError as exc:
            return LineFailure(number, tuple(self.locate(number, d) for d in exc.diagnostics))
        except Exception as exc:  # a bug in kader: report it on this line and go on with the others
            return LineFailure(number, (Diagnostic("E990", f"interne fout in kader bij deze casus: "
                                                   f"{type(exc).__name__}: {exc}", Span(self.display, number, 1)),))

    def decode(self, number: int, raw: bytes) -> str:
        return decode_line(raw, number, self.display)

    def case(self, text: str) -> Case:
        return case_from_line(self.framework, text, self.display)

    def locate(self, number: int, diagnostic: Diagnostic) -> Diagnostic:
        return locate(diagnostic, self.display, number)


def bsn_like_ids(case: Case) -> list[str]:
    """The ids of the case, its persons and its hulpvragen that look like a BSN (they would be written out)."""
    found = ["id"] if _looks_like_bsn(case.id) else []
    found += [f"huishouden.personen[{i}].id" for i, person in enumerate(case.personen) if _looks_like_bsn(person.id)]
    found += [f"hulpvragen[{i}].id" for i, hulpvraag in enumerate(case.hulpvragen) if _looks_like_bsn(hulpvraag.id)]
    return found


def _looks_like_bsn(value: str) -> bool:
    """engine.register.privacy.looks_like_bsn: an id with fewer than nine digits (0-9, the only digits it counts) has
    no nine-digit number in it, whatever separates them, so only the others are checked in full."""
    return _NINE_DIGITS.match(value) is not None and _looks_like_bsn_in_full(value)


_NINE_DIGITS = re.compile(r"(?:[^0-9]*[0-9]){9}")


@lru_cache(maxsize=4096)
def _looks_like_bsn_in_full(value: str) -> bool:
    """Remembered per id: person and hulpvraag ids repeat from case to case."""
    from engine.register.privacy import looks_like_bsn
    return looks_like_bsn(value)


# ---------------------------------------------------------------- worker processes

# The assessor of this worker process, set once by `_start_worker` (durable-rules keeps its state per
# process, so every worker has its own framework and engine). Unused in the parent process.
_WORKER: list[LineAssessor] = []


PARENT_POLL_SECONDS = 0.5


def _watch_parent(parent: int) -> None:
    """End this worker when the batch's main process is gone (killed, or crashed without shutting us down)."""
    while True:
        threading.Event().wait(PARENT_POLL_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def _start_worker(rules: str, display: str, expected_hash: str, parent: int | None = None) -> None:
    if parent is not None:
        threading.Thread(target=_watch_parent, args=(parent,), name="kader-ouderwacht", daemon=True).start()
    framework = load_framework(Path(rules))
    if framework.hash != expected_hash:
        raise RuntimeError(f"de regels in {rules} veranderden tijdens de batch ({framework.hash} != {expected_hash})")
    _WORKER.append(LineAssessor(framework, display))


def _worker_chunk(first_line: int, raws: list[bytes]) -> ChunkResult:
    return _WORKER[0].chunk(first_line, raws)


def _ready() -> bool:
    return bool(_WORKER)


def assess_chunks(framework: Framework, rules: Path, display: str, chunks: Iterable[tuple[int, list[bytes]]], *,
                  workers: int = 1, scheduler: str | None = None) -> Iterator[ChunkResult]:
    """Assess chunks of raw lines in input order: in this process (workers=1), over worker processes, or on the
    workers of a Dask cluster (`scheduler`: its address; engine.tools.cluster)."""
    if scheduler is not None:
        from .cluster import batch_chunks
        with _terminated_on_sigterm():
            yield from batch_chunks(scheduler, framework, rules, display, chunks, LineAssessor)
        return
    if workers <= 1:
        assessor = LineAssessor(framework, display)
        with _terminated_on_sigterm():
            for first, raws in chunks:
                yield assessor.chunk(first, raws)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                             initargs=(str(rules), display, framework.hash, os.getpid())) as pool, _terminated_on_sigterm():
        try:
            for warm in [pool.submit(_ready) for _ in range(workers)]:
                warm.result()  # the workers have loaded the framework before the first chunk goes out
            pending: deque[Future] = deque()
            limit = workers * IN_FLIGHT_PER_WORKER
            for first, raws in chunks:
                pending.append(pool.submit(_worker_chunk, first, raws))
                if len(pending) >= limit:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool:
            raise BatchAborted(Diagnostic("E991", "een werkproces van de batch stopte onverwacht; de uitvoer is "
                                          "onvolledig (probeer --workers 1 om de casus te vinden)",
                                          Span(display, 1, 1))) from None
        except BaseException:  # interrupted, terminated, or the caller stopped reading: stop the workers now
            pool.shutdown(wait=False, cancel_futures=True)
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
            raise


@contextmanager
def _terminated_on_sigterm() -> Iterator[None]:
    """While workers run, SIGTERM ends the main process through Python (exit 143), so its workers are stopped and a
    half-written --out is removed, instead of the process vanishing and leaving both behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def atomic_output(path: Path, display: str) -> Iterator[TextIO]:
    """A UTF-8 text file that appears at `path` only when the writing ends without an exception.

    It is written as a temporary file next to `path` and renamed over it at the end; when the batch is interrupted
    or terminated, the temporary file is removed and whatever was at `path` before is left as it was.
    """
    target = Path(path)
    try:
        descriptor, temporary = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".",
                                                 prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise RuleEngineError(Diagnostic("E004", f"bestand kan niet geschreven worden: {exc.strerror}",
                                         Span(display, 1, 1))) from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

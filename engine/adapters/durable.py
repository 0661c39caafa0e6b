"""The one place that talks to durable-rules (see shared/durable-rules.md).

How each sharp edge of durable-rules 2.0.28 is handled here:

- session cap (1024 live sessions per ruleset, then MemoryError): every run gets
  a session to itself, which is emptied for the next run or deleted in a
  `finally`, also on failure (see the last point);
- global host and "already registered": no use of `durable.lang`; one private
  `Host` per process, and rulesets registered under a name that carries the
  framework's content hash, once (so two rule-set versions live side by side);
- not thread-safe, and background timer threads: our `Host` starts no timer
  threads, and one lock guards every call into the engine; batch work uses
  processes;
- swallowed exceptions: every action runs inside our own `try`, which records
  the failing rule; the session state is also read for an `exception` entry;
  either way the run raises `EvaluationError` naming the rule;
- unmatched facts (MessageNotHandledException): every ruleset gets catch-all
  observers for every fact kind (`hv`, `c`, `f`), which match but never fire,
  and a fact of another kind is refused before it reaches the engine. This
  matters twice: after a refused batch, `delete_state` double-frees and aborts
  the whole process (seen with 2.0.28), so a refused session is never deleted;
- deleting a session in which no action ran crashes the process (double free)
  once the host holds more than one ruleset (seen with 2.0.28); a run in which
  no rule fired therefore asserts a heartbeat fact (`k: s`) that one rule per
  ruleset always handles, so a session never ends without an action;
- duplicate facts (MessageObservedException): facts carry the hulpvraag id, and
  a finding is asserted once per (name, hulpvraag) per run;
- a property named `id` breaks joins between facts asserted in separate calls
  (and a reversed join on it crashed the process in our tests): facts never
  carry `id`; the hulpvraag id travels as `hv`;
- a comparison with an absent property on the right-hand side matches:
  `engine.language.compile` adds an existence test;
- fixed C limits (error 303, a 64-entry stack in the alpha network; 255
  properties per fact): one ruleset per group, equality tests first so rules
  fan out early, and an error code from the engine becomes a clear error;
- per case, the library's Python host (`Host`, `_handle_function`, `do_actions`)
  and per firing its action loop (a closure, two clock reads, the session
  state serialised to JSON again, although kader's actions never change that
  state) cost more than the Rete core itself. `run` therefore calls the C
  extension `durable_rules_engine` directly (assert, start the session's
  actions, update the state, complete and start the next, get and delete the
  state): the same calls in the same order as the library, so the same rules
  fire in the same order; the facts go to it as orjson text. Registering a
  ruleset still goes through the library's `Host`. One call is left out: the
  state update after a firing of a rule without a test hook, which only
  replaces the session's state fact by the same text (argued in `_ActionLoop`);
- a session is independent of every other, so the same facts asserted in the
  same ruleset fire the same rules in the same order: `run` remembers, per
  ruleset and facts text (without the session id), what a run that ended
  without an error produced, and answers a repeat from that (the integral
  ruleset sees the same casus facts in most households). Bounded (MEMO_SIZE
  runs, oldest dropped first), and never for a ruleset with a test hook in an
  action (`RuleSpec.action`), whose side effects must happen every run;
- a new session costs the C engine more than most runs (it allocates and clears the join memory of every rule
  of the ruleset: 35-55 µs for a domain ruleset): after a run without an error, `run` retracts every fact the
  run put in its session (the facts asserted, the findings its actions asserted, the heartbeat; durable-rules
  finds a fact by a hash of its properties, so the same text retracts it) and the next run of that ruleset
  uses the emptied session. A run that failed, was refused, or whose retraction did not succeed cleanly has
  its session deleted (or left, when refused) as before, and the next run opens a new one; a ruleset with a
  test hook always gets a new session per run. One live session per ruleset, far below the cap of 1024.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import durable_rules_engine
import orjson
from durable import engine as _durable

from engine.errors import Diagnostic, EvaluationError, Span


class _QuietHost(_durable.Host):
    """A durable-rules host without its background dispatch and timer threads."""

    def _run(self) -> None:  # noqa: D401 - overrides the thread starter
        return None


MEMO_SIZE = 4096  # runs remembered per process (DurableEngine.run); a few hundred bytes each
KINDS = ("hv", "c", "f")  # hulpvraag facts, the casus fact, findings
HEARTBEAT = {"k": "s", "hv": ""}


@dataclass
class RuleSpec:
    """One durable-rules rule: its patterns and what its action does."""

    label: str  # shown in errors, e.g. the framework rule id
    patterns: list[tuple[str, dict]]
    findings: tuple[str, ...] = ()
    finding_scope: str = "hv"  # "hv": per hulpvraag, "c": for the casus
    action: Callable[[dict], None] | None = None  # test hook: extra work inside the action


@dataclass
class Run:
    firings: list[tuple[int, str]] = field(default_factory=list)  # (rule index, hulpvraag id or "")
    findings: set[tuple[str, str]] = field(default_factory=set)
    errors: list[tuple[int, BaseException]] = field(default_factory=list)


class DurableEngine:
    """Registers rulesets once and runs facts through them, one session per run."""

    def __init__(self) -> None:
        self._host = _QuietHost()
        self._lock = threading.RLock()
        self._specs: dict[str, list[RuleSpec]] = {}
        self._rulesets: dict[str, Any] = {}
        self._current: Run | None = None
        self._sids = itertools.count(1)
        # (ruleset, facts as asserted without their session id) -> (firings, findings) of a run that went
        # through the engine without an error; only for rulesets whose actions are ours alone (no test hook)
        self._outcomes: dict[tuple[str, str], tuple[tuple[tuple[int, str], ...], frozenset]] = {}
        self._pure: set[str] = set()
        self._idle: dict[str, str] = {}  # ruleset -> the id of its emptied session, which its next run uses
        self.memo_size = MEMO_SIZE
        self.reuse_sessions = True  # False: a new session for every run, deleted after it (as before issue 16)

    def is_registered(self, name: str) -> bool:
        return name in self._rulesets

    def register(self, name: str, specs: list[RuleSpec]) -> None:
        """Register a ruleset under `name` (idempotent: a name is compiled once per process)."""
        with self._lock:
            if name in self._rulesets:
                return
            definition: dict[str, dict] = {}
            for index, spec in enumerate(specs):
                definition[f"r{index}"] = {
                    "all": [{alias: pattern} for alias, pattern in spec.patterns],
                    "run": self._action(index, spec),
                }
            for kind in KINDS:
                definition[f"observe_{kind}"] = {"all": [{"m": {"k": kind}}, {"z": {"k": "__nooit__"}}], "run": _never}
            definition["heartbeat"] = {"all": [{"m": {"k": "s"}}], "run": _beat}
            try:
                self._host.register_rulesets({name: definition})
            except Exception as exc:  # the C engine reports a bad definition as a bare error
                raise EvaluationError(Diagnostic("E900", f"durable-rules weigert regelset {name}: {exc}",
                                                 Span(name, 1, 1))) from None
            self._specs[name] = specs
            if all(spec.action is None for spec in specs):
                self._pure.add(name)
            ruleset = self._host.get_ruleset(name)
            ruleset._flush_actions = _ActionLoop(ruleset, {f"r{index}" for index, spec in enumerate(specs)
                                                           if spec.action is not None},
                                                 {f"r{index}": (index, spec.findings, spec.finding_scope == "hv")
                                                  for index, spec in enumerate(specs) if spec.action is None})
            self._rulesets[name] = ruleset

    def _action(self, index: int, spec: RuleSpec) -> Callable[[Any], None]:
        findings = spec.findings
        per_hulpvraag = spec.finding_scope == "hv"
        extra = spec.action

        def action(closure: Any) -> None:
            run = self._current
            try:
                matched = closure._m
                hulpvraag = matched["m"]["hv"]
                run.firings.append((index, hulpvraag))
                if extra is not None:
                    extra(matched)
                for name in findings:
                    target = hulpvraag if per_hulpvraag else ""
                    if (name, target) in run.findings:
                        continue
                    run.findings.add((name, target))
                    closure.assert_fact({"k": "f", "n": name, "hv": target})
            except Exception as exc:  # recorded and raised after the run, naming the rule
                run.errors.append((index, exc))

        return action

    def run(self, name: str, facts: list[dict]) -> Run:
        """Assert `facts` in a session of their own; return which rules fired for which hulpvraag."""
        if not facts:
            return Run()
        for fact in facts:
            if fact.get("k") not in KINDS or "id" in fact:
                raise EvaluationError(Diagnostic("E903", f"feit van onbekende soort voor regelset {name}: "
                                                 f"{fact.get('k')!r} (toegestaan: {', '.join(KINDS)}, zonder 'id')",
                                                 Span(name, 1, 1)))
        with self._lock:
            ruleset = self._rulesets[name]
            handle = ruleset._handle
            pure = name in self._pure
            reuse = pure and self.reuse_sessions
            sid = self._idle.pop(name, None) if reuse else None
            if sid is None:
                sid = str(next(self._sids))
            for fact in facts:
                fact["sid"] = sid
            text = _text(facts)
            key = None
            if pure and self.memo_size > 0:
                # the facts without the session id (last in every fact; a quote inside a value is escaped, so
                # the text `,"sid":"N"}` occurs only where the id is)
                key = (name, text.replace(f',"sid":"{sid}"}}', "}"))
                known = self._outcomes.get(key)
                if known is not None:
                    if reuse:
                        self._idle[name] = sid  # nothing was asserted in it: still empty
                    return Run(list(known[0]), set(known[1]))
            run = self._current = Run()
            refused = False
            emptied = False
            heartbeat = None
            try:
                try:
                    loop = ruleset._flush_actions
                    loop.session(sid, _outcome(_c.assert_facts(handle, text), facts), run)
                    if not run.firings:  # no action ran in this session yet: deleting it would crash the process
                        heartbeat = {**HEARTBEAT, "sid": sid}
                        loop.session(sid, _outcome(_c.assert_fact(handle, _text(heartbeat)), heartbeat), run)
                except (_durable.MessageNotHandledException, _durable.MessageObservedException) as exc:
                    refused = True
                    raise EvaluationError(Diagnostic(
                        "E904", f"durable-rules weigerde de feiten in regelset {name}: {type(exc).__name__}",
                        Span(name, 1, 1))) from None
                except durable_rules_engine.error as exc:
                    raise EvaluationError(Diagnostic(
                        "E901", f"durable-rules kon de feiten niet verwerken in regelset {name}: {exc}"
                        + (" (te veel regels passen tegelijk; splits de groep of zet gelijkheidstests voorop)"
                           if "303" in str(exc) else ""), Span(name, 1, 1))) from None
                state = _c.get_state(handle, sid)
                if reuse and not run.errors and not (state and '"exception"' in state):
                    emptied = _empty(handle, sid, text, run, heartbeat)
            finally:
                self._current = None
                if emptied:
                    self._idle[name] = sid
                elif not refused:
                    _c.delete_state(handle, sid)
            specs = self._specs[name]
            if run.errors:
                index, exc = run.errors[0]
                raise EvaluationError(Diagnostic(
                    "E902", f"regel {specs[index].label} faalde tijdens de afleiding: {type(exc).__name__}: {exc}",
                    Span(specs[index].label, 1, 1)))
            if state and '"exception"' in state:
                parsed = json.loads(state)
                if "exception" in parsed:
                    raise EvaluationError(Diagnostic(
                        "E902", f"een regel in {name} faalde tijdens de afleiding: "
                        f"{str(parsed['exception']).splitlines()[0][:200]}", Span(name, 1, 1)))
            if key is not None:
                if len(self._outcomes) >= self.memo_size:
                    del self._outcomes[next(iter(self._outcomes))]  # the oldest first: memory stays bounded
                self._outcomes[key] = (tuple(run.firings), frozenset(run.findings))
            return run


def _empty(handle: Any, sid: str, text: str, run: Run, heartbeat: dict | None) -> bool:
    """Retract from session `sid` every fact the run put in it (the facts asserted as `text`, the findings its
    actions asserted, the heartbeat), so that the session is as a new one and the next run of the ruleset can
    use it; whether that worked (no error, and no action waiting afterwards). A new session costs the C engine
    more than the run (it allocates and clears the memory of every join of the ruleset)."""
    extra = [{"k": "f", "n": name, "hv": target, "sid": sid} for name, target in run.findings]
    if heartbeat is not None:
        extra.append(heartbeat)
    if extra:
        text = text[:-1] + "," + _text(extra)[1:]
    try:
        result = _c.retract_facts(handle, text)
        if result[0] != 0:
            return False
        if _c.start_action_for_state(handle, result[1]):  # never seen: an action that a retraction started
            _c.abandon_action(handle, result[1])
            return False
        return True
    except durable_rules_engine.error:
        return False


_c = durable_rules_engine  # the C extension: every call per case goes straight to it


def _text(facts: Any) -> str:
    """Facts as the JSON text the C engine reads (what the library's `json.dumps(..., ensure_ascii=False)` gives
    to the engine, by orjson: the same values, parsed the same way)."""
    try:
        return orjson.dumps(facts).decode("utf-8")
    except TypeError:  # a value orjson does not write (an integer beyond 64 bits): the library's own way
        return json.dumps(facts, ensure_ascii=False)


def _outcome(result: Any, message: Any) -> int:
    """The state handle of an assert, as the library's `Ruleset._handle_result` reads the engine's answer."""
    if result[0] == 1:
        raise _durable.MessageNotHandledException(message)
    if result[0] == 2:
        raise _durable.MessageObservedException(message)
    if result[0] == 3:
        return 0
    return result[1]


class _Matched:
    """What an action of ours sees of a firing: the matched facts, and a way to assert a new fact in the session."""

    __slots__ = ("_m", "_handle", "_sid")

    def __init__(self, matched: dict, handle: Any, sid: str):
        self._m = matched
        self._handle = handle
        self._sid = sid

    def assert_fact(self, fact: dict) -> None:
        fact["sid"] = self._sid
        _outcome(_c.assert_fact(self._handle, _text(fact)), fact)


class _ActionLoop:
    """Runs a session's actions straight on durable-rules' C engine, as the library's Python host would.

    The library, per assert: `Host._handle_function` -> `Ruleset.assert_facts` (JSON text to the engine) ->
    `Ruleset.do_actions`: `start_action_for_state`, then `_flush_actions`, which per firing builds a `Closure`, runs
    the action through a `Promise`, serialises the session state, `update_state`, then `complete_and_start_action`,
    whose answer is the next firing (or nothing). `session` makes the same engine calls in the same order, so the
    same rules fire in the same order. What it leaves out is what kader does not use: the host's dispatch,
    closures with timers and leases (kader's actions are synchronous and short), and parsing and serialising a
    state that no action of ours changes (the engine's own text of it is handed back). An action that raises
    abandons the action in the engine and the error propagates, as in the library. (Kept as the ruleset's
    `_flush_actions` as well, so that the library's own path, if it is ever taken, runs our loop.)

    One departure from the library's sequence (issue 16, speed5b): after a firing of a rule without a test hook
    (recorded in `session` itself), `update_state` is not called before `complete_and_start_action`. In the C
    engine (events.c, `updateState` -> `handleMessageCore` with ACTION_UPDATE_STATE) that call deletes the
    session's state fact and stores the text it is given in its place, sending it through the alpha network;
    `completeAndStartAction` reads nothing of it (it deletes the current action, takes the next result and
    serialises it). Our actions never change the state, so the text handed back is the engine's own text of it:
    the state after the call equals the state before, and the state fact (`{"sid": .., "id": "sid-N", "$s": 1}`)
    has no `k` property, so it matches no pattern of ours (every pattern tests `k`) and no rule's matches change.
    Skipping it saves a JSON parse, a delete and a store per firing (about 15 a case). A test hook's action (a
    Python callable that could in principle do anything) still gets the library's full sequence.
    """

    def __init__(self, ruleset: Any, needs_facts: set[str],
                 plain: dict[str, tuple[int, tuple[str, ...], bool]] | None = None):
        self._ruleset = ruleset
        self._handle = ruleset._handle
        self._actions = {name: promise._func for name, promise in ruleset._actions.items()}
        self._needs_facts = needs_facts  # actions that see all matched facts (test hooks), not only the hulpvraag
        # rule name -> (index, findings, per hulpvraag) of the rules whose action is only ours (no test hook)
        self._plain = plain or {}

    def session(self, sid: str, state_handle: int, run: Run | None = None) -> None:
        """Run every firing that the assert which gave `state_handle` started, to the end. With `run`, a firing
        of a rule without a test hook is recorded in it here, as `DurableEngine._action` would (the same
        records, the same finding facts asserted in the same order, an error recorded against the rule), without
        the action's closure and the matched-facts object."""
        handle = self._handle
        started = _c.start_action_for_state(handle, state_handle)
        if not started:
            return
        state_text, message = started[0], started[1]
        actions = self._actions
        plain = self._plain if run is not None else {}
        firings = run.firings if run is not None else None
        match = _FIRING.match
        complete = _c.complete_and_start_action
        while message:
            start = match(message) if message.__class__ is str else None
            known = plain.get(start[1]) if start is not None else None
            try:
                if known is not None:
                    index, findings, per_hulpvraag = known
                    hulpvraag = start[3]
                    firings.append((index, hulpvraag))
                    if findings:
                        try:
                            target = hulpvraag if per_hulpvraag else ""
                            for name in findings:
                                if (name, target) in run.findings:
                                    continue
                                run.findings.add((name, target))
                                fact = {"k": "f", "n": name, "hv": target, "sid": sid}
                                _outcome(_c.assert_fact(handle, _text(fact)), fact)
                        except Exception as exc:  # recorded and raised after the run, naming the rule
                            run.errors.append((index, exc))
                    # no `update_state` for a firing of ours: see the class docstring
                else:
                    action_name, matched = self._firing(message)
                    actions[action_name](_Matched(matched, handle, sid))
                    _c.update_state(handle, state_text)
                message = complete(handle, state_handle)
            except BaseException:
                _c.abandon_action(handle, state_handle)
                raise

    def __call__(self, state: dict, result_container: dict, state_offset: int,
                 complete: Callable[[BaseException | None, dict | None], None]) -> None:
        state_text = json.dumps(state, ensure_ascii=False)
        sid = state["sid"]
        message: dict | str | None = result_container.pop("message")  # the first firing, parsed by the library
        while message:
            action_name, matched = self._firing(message)
            try:
                self._actions[action_name](_Matched(matched, self._handle, sid))
                _c.update_state(self._handle, state_text)
                message = _c.complete_and_start_action(self._handle, state_offset)
            except BaseException as error:
                _c.abandon_action(self._handle, state_offset)
                complete(error, None)
                return
        complete(None, state)

    def _firing(self, message: dict | str) -> tuple[str, dict]:
        """The action to run and the facts it matched, from the engine's message (one firing per message).

        Our actions read only the kind and hulpvraag of the fact matched as `m`, which the engine writes
        first, as we asserted them: `{"r4":{"m":{"k": "hv", "hv": "hv1", ...}}}`. Those are read from the
        start of the text, which saves parsing the rest of the fact (a tenth of an assessment); a message of
        any other shape, a hulpvraag id with an escape in it, or an action that sees all facts gets `json.loads`.
        """
        if isinstance(message, str):
            start = _FIRING.match(message)
            if start is not None and start[1] not in self._needs_facts:
                return start[1], {"m": {"k": start[2], "hv": start[3]}}
            message = json.loads(message)
        return next(iter(message.items()))


_FIRING = re.compile(r'\{"([A-Za-z0-9_]+)":\{"m":\{"k": ?"([a-z]+)", ?"hv": ?"([^"\\]*)"[,}]')


def _never(closure: Any) -> None:  # pragma: no cover - observers never fire
    return None


def _beat(closure: Any) -> None:
    """The heartbeat action: its only job is that every session has run one action."""
    return None


_ENGINE: DurableEngine | None = None
_ENGINE_LOCK = threading.Lock()


def engine() -> DurableEngine:
    """The process's engine (durable-rules keeps C state per process)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = DurableEngine()
        return _ENGINE

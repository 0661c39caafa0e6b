"""Formulas and conditions as straight-line Python, compiled once per expression (on its first evaluation).

`engine.language.calc.compile_closure` turns an expression (IR) into nested closures: one Python call per node, each
evaluation. The functions made here compute the same thing in one Python function per expression, with local
variables instead of calls, and the same three-valued logic, order of evaluation and errors (a node evaluated
by the closure is evaluated here, in the same order, and one it skips is skipped here too), so every outcome is
the same; `tests/test_pycode.py` checks them against the closures on every expression of the framework.

Nothing from the rule files becomes program text: the source holds only names this module makes (`v3`, `c7`),
operators from fixed tables and keywords; every fact key, literal, option list and rounding mode from the rules
is a value in the function's namespace (`c7`), never spliced into the source. An expression too deeply nested
for straight-line code (Python's limit on indentation) keeps its closure.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from .ir import UNKNOWN, And, Arith, Call, Cmp, FindingRef, IfExp, In, Lit, Neg, Not, Or, Ref, Undetermined

MAX_DEPTH = 40  # indentation levels; deeper expressions keep their closures

_CMP = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ARITH = {"+": "+", "-": "-", "*": "*"}


class _TooDeep(Exception):
    pass


class _Emitter:
    def __init__(self, closure: Callable[[Any], Callable]):
        self.lines: list[str] = []
        self.names: dict[str, Any] = {}
        self.counter = 0
        self.closure = closure  # engine.language.calc.compile_closure, for the few calls kept as closures

    def const(self, value: Any) -> str:
        name = f"c{len(self.names)}"
        self.names[name] = value
        return name

    def var(self) -> str:
        self.counter += 1
        return f"v{self.counter}"

    def line(self, depth: int, text: str) -> None:
        if depth > MAX_DEPTH:
            raise _TooDeep
        self.lines.append("    " * depth + text)

    def emit(self, node: Any, target: str, depth: int) -> None:  # noqa: C901 - one branch per node kind
        """Lines at `depth` that leave the value of `node` in `target`."""
        if isinstance(node, Lit):
            self.line(depth, f"{target} = {self.const(node.value)}")
        elif isinstance(node, Ref):
            self.line(depth, f"{target} = get({self.const(node.key)}, U)")
        elif isinstance(node, Undetermined):  # a derived fact's case `onbepaald`: no value
            self.line(depth, f"{target} = U")
        elif isinstance(node, FindingRef):
            self.line(depth, f"{target} = get({self.const('finding:' + node.name)}, U)")
        elif isinstance(node, Not):
            inner = self.var()
            self.emit(node.item, inner, depth)
            self.line(depth, f"{target} = U if {inner} is U else not {inner}")
        elif isinstance(node, (And, Or)):
            self._junction(list(node.items), isinstance(node, Or), target, depth)
        elif isinstance(node, Cmp):
            left, right = self.var(), self.var()
            self.emit(node.left, left, depth)
            self.line(depth, f"if {left} is U:")
            self.line(depth + 1, f"{target} = U")
            self.line(depth, "else:")
            self.emit(node.right, right, depth + 1)
            self.line(depth + 1, f"{target} = U if {right} is U else ({left} {_CMP[node.op]} {right})")
        elif isinstance(node, In):
            item = self.var()
            negated = self.const(node.negated)
            if isinstance(node.options, tuple):
                options = self.const(frozenset(o.value for o in node.options))
                self.emit(node.item, item, depth)
                self.line(depth, f"{target} = U if {item} is U else (({item} in {options}) != {negated})")
            else:
                items = self.var()
                self.emit(node.item, item, depth)
                self.emit(node.options, items, depth)
                self.line(depth, f"{target} = U if ({item} is U or {items} is U) else "
                                 f"(({item} in {items}) != {negated})")
        elif isinstance(node, Arith):
            left, right = self.var(), self.var()
            self.emit(node.left, left, depth)
            self.line(depth, f"if {left} is U:")
            self.line(depth + 1, f"{target} = U")
            self.line(depth, "else:")
            self.emit(node.right, right, depth + 1)
            self.line(depth + 1, f"if {right} is U:")
            self.line(depth + 2, f"{target} = U")
            if node.op in _ARITH:
                self.line(depth + 1, "else:")
                self.line(depth + 2, f"{target} = {left} {_ARITH[node.op]} {right}")
            else:
                self.line(depth + 1, f"elif {right} == 0:")
                self.line(depth + 2, "raise FormulaError('deling door nul')")
                self.line(depth + 1, "else:")
                self.line(depth + 2, f"{target} = DIVIDE(Decimal({left}), Decimal({right}))")
        elif isinstance(node, Neg):
            inner = self.var()
            self.emit(node.item, inner, depth)
            self.line(depth, f"{target} = U if {inner} is U else -{inner}")
        elif isinstance(node, Call) and node.name == "afronden":
            inner = self.var()
            self.emit(node.args[0], inner, depth)
            self.line(depth, f"{target} = ROUND({inner}, {self.const(node.args[1].value)})")
        elif isinstance(node, Call):  # aantal, aantal_kinderen, min, max: their closures (a loop over persons)
            self.line(depth, f"{target} = {self.const(self.closure(node))}(env)")
        elif isinstance(node, IfExp):
            test = self.var()
            self.emit(node.test, test, depth)
            self.line(depth, f"if {test} is U:")
            self.line(depth + 1, f"{target} = U")
            self.line(depth, f"elif {test}:")
            self.emit(node.then, target, depth + 1)
            self.line(depth, "else:")
            self.emit(node.orelse, target, depth + 1)
        else:
            raise TypeError(f"unknown IR node {node!r}")

    def _junction(self, parts: list, dominant: bool, target: str, depth: int) -> None:
        """Kleene `or` (dominant True) / `and`: the parts in order until one has the dominant value, else UNKNOWN
        when any part was unknown, else the other value; exactly the parts the closure evaluates."""
        unknown = self.var()
        self.line(depth, f"{unknown} = False")
        test = "{0} is not U and {0}" if dominant else "{0} is not U and not {0}"
        for part in parts:
            value = self.var()
            self.emit(part, value, depth)
            self.line(depth, "if " + test.format(value) + ":")
            self.line(depth + 1, f"{target} = {dominant}")
            self.line(depth, "else:")
            depth += 1
            self.line(depth, f"if {value} is U:")
            self.line(depth + 1, f"{unknown} = True")
        self.line(depth, f"{target} = U if {unknown} else {not dominant}")


def _namespace(emitter: _Emitter) -> dict[str, Any]:
    from .arithmetic import _DIVISION_CONTEXT, FormulaError, round_money
    return {"__builtins__": {}, "U": UNKNOWN, "Decimal": Decimal, "FormulaError": FormulaError,
            "DIVIDE": _DIVISION_CONTEXT.divide, "ROUND": round_money, **emitter.names}


def _build(emitter: _Emitter, name: str, parameters: str = "env", prelude: str = "    get = env.get\n",
           extra: dict[str, Any] | None = None) -> Callable:
    """The function `name(parameters)` whose body is `prelude` and the emitter's lines (text this module writes;
    `extra`: more values in its namespace). The only place in kader that calls exec."""
    source = f"def {name}({parameters}):\n{prelude}" + "\n".join(emitter.lines) + "\n"
    namespace = _namespace(emitter)
    namespace.update(extra or {})
    exec(compile(source, f"<kader {name}>", "exec"), namespace)  # noqa: S102 - our own text, see the docstring
    return namespace[name]


def expression_function(node: Any, closure: Callable[[Any], Callable]) -> Callable[[dict], Any]:
    """`env -> value` for one expression, as straight-line Python (or its closure when too deep)."""
    emitter = _Emitter(closure)
    try:
        emitter.emit(node, "result", 1)
        emitter.line(1, "return result")
        return _build(emitter, "expression")
    except (_TooDeep, RecursionError, SyntaxError, MemoryError):
        return closure(node)


def _derived_body(emitter: _Emitter, parts: tuple, finisher: str, depth: int, give: Callable[[int, str], None]) -> None:
    """The lines of a derived fact's cases from `depth` on: the first case whose condition holds gives the value
    (`give(depth, expression)` writes how it is given: a return, or an assignment and a break)."""
    top = depth
    for condition, formula in parts:
        depth = top
        if condition is not None and isinstance(formula, Undetermined):
            test = emitter.var()  # `onbepaald` only when its condition is established; unknown: the next case
            emitter.emit(condition, test, top)
            emitter.line(top, f"if {test} is not U and {test}:")
            give(top + 1, "U")
            continue
        if condition is not None:
            test = emitter.var()
            emitter.emit(condition, test, top)
            emitter.line(top, f"if {test} is U:")
            give(top + 1, "U")
            emitter.line(top, f"if {test}:")
            depth = top + 1
        value = emitter.var()
        emitter.emit(formula, value, depth)
        give(depth, f"U if {value} is U else {finisher.format(value)}")
        if condition is None:
            return
    give(top, "U")


def _finisher(emitter: _Emitter, finish: Callable[[Any], Any], rounding: str | None, money: bool) -> str:
    """How a derived fact's value is finished (engine.language.calc.DerivedEvaluator._finish), written out:
    rounded as named; else money made a Decimal; else the value as it is."""
    if rounding is not None:
        return f"ROUND({{0}}, {emitter.const(rounding)})"
    if money:
        return f"({{0}} if {{0}}.__class__ is Decimal else {emitter.const(finish)}({{0}}))"
    return "{0}"


def derived_function(parts: tuple, finish: Callable[[Any], Any],
                     closure: Callable[[Any], Callable], *, rounding: str | None = None,
                     money: bool = False) -> Callable[[dict], Any] | None:
    """`env -> value` for a derived fact (the first case whose condition holds gives the value, `finish` rounds
    it), or None when too deep (the caller keeps its closures). `rounding` and `money` say what `finish` does
    (engine.language.calc.DerivedEvaluator._finish), so that it is written out here."""
    emitter = _Emitter(closure)
    try:
        finisher = _finisher(emitter, finish, rounding, money)
        _derived_body(emitter, parts, finisher, 1, lambda depth, value: emitter.line(depth, f"return {value}"))
        return _build(emitter, "derived")
    except (_TooDeep, RecursionError, SyntaxError, MemoryError):
        return None


def derivation_function(steps: tuple, closure: Callable[[Any], Callable], make_envs: Callable, fail: Callable
                        ) -> Callable[[dict, dict, list], None] | None:
    """`(base, persons, aliases) -> None`: every derived fact of `steps` computed in order, in one straight-line
    body, as engine.evaluation.facts._derive computes them one call at a time (the same values written to the
    same dicts in the same order); None when a formula is too deep (the caller keeps its loop).

    A step is (key, parts, finish, rounding, money, person-scoped?, read by a person-scoped one?, alias ->
    (alias key, read by a person-scoped one?)). `make_envs(base, persons)` gives the (person's facts, its
    environment) pairs, made at the first person-scoped step; `fail(index, error)` raises the located error of
    the step whose formula failed. Keys and aliases are values in the namespace, never program text."""
    emitter = _Emitter(closure)

    def give(depth: int, value: str) -> None:
        emitter.line(depth, f"r = {value}")
        emitter.line(depth, "break")
    try:
        emitter.line(1, "penvs = None")
        emitter.line(1, "at = 0")
        emitter.line(1, "try:")
        for index, (key, parts, finish, rounding, money, person, read, alias_keys) in enumerate(steps):
            finisher = _finisher(emitter, finish, rounding, money)
            name = emitter.const(key)
            emitter.line(2, f"at = {index}")
            if person:
                emitter.line(2, "if penvs is None:")
                emitter.line(3, "penvs = MAKE_ENVS(base, persons)")
                emitter.line(2, "for facts, env in penvs:")
                emitter.line(3, "get = env.get")
                emitter.line(3, "while True:")
                _derived_body(emitter, parts, finisher, 4, give)
                emitter.line(3, "if r is not U:")
                emitter.line(4, f"facts[{name}] = r")
                emitter.line(4, f"env[{name}] = r")
                emitter.line(2, "for alias, pid in aliases:")
                emitter.line(3, "f = persons[pid]")
                emitter.line(3, f"if {name} in f:")
                emitter.line(4, f"ak, ar = {emitter.const(alias_keys)}[alias]")
                emitter.line(4, f"v = base[ak] = f[{name}]")
                emitter.line(4, "if ar:")
                emitter.line(5, "for _, e in penvs:")
                emitter.line(6, "e[ak] = v")
            else:
                emitter.line(2, "env = base")
                emitter.line(2, "get = base.get")
                emitter.line(2, "while True:")
                _derived_body(emitter, parts, finisher, 3, give)
                emitter.line(2, "if r is not U:")
                emitter.line(3, f"base[{name}] = r")
                if read:
                    emitter.line(3, "if penvs is not None:")
                    emitter.line(4, "for _, e in penvs:")
                    emitter.line(5, f"e[{name}] = r")
        emitter.line(1, "except FormulaError as error:")
        emitter.line(2, "FAIL(at, error)")
        return _build(emitter, "derivation", "base, persons, aliases", "", {"MAKE_ENVS": make_envs, "FAIL": fail})
    except (_TooDeep, RecursionError, SyntaxError, MemoryError):
        return None


def fact_function(values: tuple, money: tuple, members: tuple, hoisted: tuple,
                  unknown: Any) -> Callable[[dict, dict], dict]:
    """`(fact, env) -> fact` that adds the properties of one asserted fact to `fact`, as
    engine.language.compile.fact_values computes them (the same properties in the same order; a value equal to
    `unknown` left out), in one straight-line body. The arguments are fact_values' plan: (property, key) of plain
    and of money values, (property, key, item) of list memberships, (property, evaluator) of hoisted tests. The
    property names, fact keys and items are values in the namespace (`c3`), never program text."""
    emitter = _Emitter(lambda node: None)
    unknown_name = emitter.const(unknown)
    lines = emitter.lines

    def add(value: str, name: str, test: str = "") -> None:
        lines.append(f"    v = {value}")
        lines.append(f"    if v is not {unknown_name}:")
        lines.append(f"        fact[{emitter.const(name)}] = {test or 'v'}")
    for name, key in values:
        add(f"get({emitter.const(key)}, {unknown_name})", name)
    for name, key in money:
        add(f"get({emitter.const(key)}, {unknown_name})", name, "INT(v * 100)")
    for name, key, item in members:
        add(f"get({emitter.const(key)}, {unknown_name})", name, f"{emitter.const(item)} in v")
    for name, evaluate in hoisted:
        call = f"{emitter.const(evaluate)}._call(env)" if hasattr(evaluate, "_call") else f"{emitter.const(evaluate)}(env)"
        add(call, name, "BOOL(v)")
    lines.append("    return fact")
    return _build(emitter, "fact_fields", "fact, env", extra={"INT": int, "BOOL": bool})

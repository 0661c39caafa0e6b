"""Evaluate IR in Python with exact numbers and three-valued logic.

Each IR node becomes a closure `env -> value`; `env` maps a fact key
(`casus.inkomen`) to its value and a missing key means UNKNOWN. `False and
UNKNOWN` is False, `True and UNKNOWN` is UNKNOWN (Kleene). Division uses a
28-digit decimal context; money is rounded only where a formula says so, with
the rounding rule it names.
"""

from __future__ import annotations

import operator
from decimal import Decimal
from typing import Any, Callable

from .arithmetic import _DIVISION_CONTEXT, ROUNDING_MODES, FormulaError, round_money  # noqa: F401
from .ir import UNKNOWN, And, Arith, Call, Cmp, FindingRef, IfExp, In, Lit, Neg, Not, Or, Ref, Undetermined

Env = dict  # key -> value; a missing key is UNKNOWN; "finding:<name>" -> bool
Closure = Callable[[Env], Any]


def compile_closure(node: Any) -> Closure:
    """Build a Python closure that evaluates the IR with three-valued logic."""
    if isinstance(node, Lit):
        value = node.value
        return lambda env: value
    if isinstance(node, Undetermined):
        return lambda env: UNKNOWN
    if isinstance(node, Ref):
        key = node.key
        return lambda env: env.get(key, UNKNOWN)
    if isinstance(node, FindingRef):
        key = "finding:" + node.name
        return lambda env: env.get(key, UNKNOWN)
    if isinstance(node, Not):
        inner = compile_closure(node.item)

        def _not(env):
            value = inner(env)
            return UNKNOWN if value is UNKNOWN else not value
        return _not
    if isinstance(node, (And, Or)):
        return _junction([compile_closure(i) for i in node.items], dominant=isinstance(node, Or))
    if isinstance(node, Cmp):
        return _compile_cmp(node)
    if isinstance(node, In):
        return _compile_in(node)
    if isinstance(node, Arith):
        return _compile_arith(node)
    if isinstance(node, Neg):
        inner = compile_closure(node.item)
        return lambda env: (lambda v: UNKNOWN if v is UNKNOWN else -v)(inner(env))
    if isinstance(node, Call):
        return _compile_call(node)
    if isinstance(node, IfExp):
        test, then, orelse = compile_closure(node.test), compile_closure(node.then), compile_closure(node.orelse)

        def _if(env):
            value = test(env)
            if value is UNKNOWN:
                return UNKNOWN
            return then(env) if value else orelse(env)
        return _if
    raise TypeError(f"unknown IR node {node!r}")


def _junction(parts: list[Closure], dominant: bool) -> Closure:
    """`and` (dominant False) or `or` (dominant True) in Kleene logic: the dominant value decides, else UNKNOWN wins."""

    def junction(env):
        unknown = False
        for part in parts:
            value = part(env)
            if value is UNKNOWN:
                unknown = True
            elif bool(value) is dominant:
                return dominant
        return UNKNOWN if unknown else not dominant
    return junction


_ARITH_FUNCS = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_CMP_FUNCS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
              ">=": operator.ge}


def _compile_cmp(node: Cmp) -> Closure:
    left, right, func = compile_closure(node.left), compile_closure(node.right), _CMP_FUNCS[node.op]

    def _cmp(env):
        a = left(env)
        if a is UNKNOWN:
            return UNKNOWN
        b = right(env)
        if b is UNKNOWN:
            return UNKNOWN
        return func(a, b)
    return _cmp


def _compile_in(node: In) -> Closure:
    item = compile_closure(node.item)
    negated = node.negated
    if isinstance(node.options, tuple):
        options = frozenset(o.value for o in node.options)

        def _in(env):
            value = item(env)
            if value is UNKNOWN:
                return UNKNOWN
            return (value in options) != negated
        return _in
    collection = compile_closure(node.options)

    def _in_list(env):
        value, items = item(env), collection(env)
        if value is UNKNOWN or items is UNKNOWN:
            return UNKNOWN
        return (value in items) != negated
    return _in_list


def _compile_arith(node: Arith) -> Closure:
    """The operator is chosen once, not per evaluation: + - * as a function of the table, / with its checks."""
    left, right, op = compile_closure(node.left), compile_closure(node.right), node.op
    func = _ARITH_FUNCS.get(op)
    if func is not None:
        def _operate(env):
            a = left(env)
            if a is UNKNOWN:
                return UNKNOWN
            b = right(env)
            return UNKNOWN if b is UNKNOWN else func(a, b)
        return _operate

    def _arith(env):
        a = left(env)
        if a is UNKNOWN:
            return UNKNOWN
        b = right(env)
        if b is UNKNOWN:
            return UNKNOWN
        if b == 0:
            raise FormulaError("deling door nul")
        return _DIVISION_CONTEXT.divide(Decimal(a), Decimal(b))
    return _arith


def _compile_call(node: Call) -> Closure:
    if node.name == "aantal":
        key = node.args[0].key

        def _count(env):
            total = 0
            unknown = False
            for person in env["__personen__"]:
                value = person.get(key, UNKNOWN)
                if value is UNKNOWN:
                    unknown = True
                elif value:
                    total += 1
            return UNKNOWN if unknown else total
        return _count
    if node.name == "aantal_kinderen":
        low, high = node.args[0].value, node.args[1].value

        def _children(env):
            total = 0
            for person in env["__personen__"]:
                if person["persoon.rol"] == "kind":
                    age = person["persoon.leeftijd"]
                    if low <= age < high:
                        total += 1
            return total
        return _children
    if node.name == "afronden":
        inner, mode = compile_closure(node.args[0]), node.args[1].value
        if mode not in ROUNDING_MODES:  # the loader refuses it; round_money says so at evaluation, as before
            return lambda env: round_money(inner(env), mode)
        quantum, rounding = ROUNDING_MODES[mode]

        def _round(env):  # round_money(inner(env), mode) with the mode looked up once
            value = inner(env)
            if value is UNKNOWN:
                return UNKNOWN
            return Decimal(value).quantize(quantum, rounding=rounding)
        return _round
    parts = [compile_closure(a) for a in node.args]
    pick = min if node.name == "min" else max
    if len(parts) == 2:
        first, second = parts

        def _minmax2(env):  # _minmax of two: both evaluated, UNKNOWN if either is, else min/max of the two
            a = first(env)
            b = second(env)
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            return pick(a, b)
        return _minmax2

    def _minmax(env):
        values = [p(env) for p in parts]
        if any(v is UNKNOWN for v in values):
            return UNKNOWN
        return pick(values)
    return _minmax


# Evaluations of an expression by its closures before it is compiled to straight-line Python. One assessment
# evaluates an expression up to 24 times (the provisional outcomes retry undecided rules; every case under
# scenarios/), so that a one-off `kader assess` compiles none: at 8 the example household compiled 14 (about 13 ms
# of CPU, docs/speed.md); a batch compiles an expression it reads in every case after a few cases.
WARM_UP = 32


def _warming(owner: Any, closure: Callable[[dict], Any], straight: Callable[[], Callable[[dict], Any]]):
    """`owner._call` for an expression's first WARM_UP evaluations: its closures (cheap to build, no `compile`),
    then the straight-line function (engine.language.pycode) takes over. Both compute the same (tests/test_pycode.py); an
    expression evaluated a few times, as in one cold `kader assess`, is never compiled (130 calls of Python's
    `compile`, about a tenth of that command, before the warm-up), one evaluated for every case of a batch is
    compiled after at most WARM_UP cases."""
    remaining = WARM_UP

    def warming(env: dict) -> Any:
        nonlocal remaining
        remaining -= 1
        if remaining <= 0:
            owner._call = straight()
        return closure(env)
    return warming


class Evaluator:
    """A compiled expression that survives pickling: only the IR is stored; the function is built on first use,
    as straight-line Python (engine.language.pycode), which computes what `compile_closure` does, faster."""

    __slots__ = ("node", "_call")

    def __init__(self, node: Any):
        self.node = node
        self._call = self._first

    def _first(self, env: dict) -> Any:
        from .pycode import expression_function
        self._call = _warming(self, compile_closure(self.node), lambda: expression_function(self.node, compile_closure))
        return self._call(env)

    def __call__(self, env: dict) -> Any:
        return self._call(env)

    def __getstate__(self) -> Any:
        return self.node

    def __setstate__(self, node: Any) -> None:
        self.node = node
        self._call = self._first


class DerivedEvaluator:
    """A derived fact: the first case whose condition holds gives the value, rounded as the framework states.
    Built on first use as straight-line Python (engine.language.pycode), or from closures where that is too deep."""

    __slots__ = ("parts", "rounding", "type", "_compiled", "_call")

    def __init__(self, parts: tuple, rounding: str | None, type_: str):
        self.parts, self.rounding, self.type = parts, rounding, type_
        self._build()

    def _build(self) -> None:
        self._compiled = None
        self._call = self._first

    def _first(self, env: dict) -> Any:
        from .pycode import derived_function
        closures = self.closures()

        def straight() -> Callable[[dict], Any]:
            return derived_function(self.parts, self._finish, compile_closure, rounding=self.rounding,
                                    money=self.type == "geld") or closures
        self._call = _warming(self, closures, straight)
        return self._call(env)

    def closures(self) -> Callable[[dict], Any]:
        """Evaluation by closures (the fallback for a formula too deep for straight-line code; the tests' reference)."""
        self._compiled = [(None if c is None else compile_closure(c), compile_closure(v), isinstance(v, Undetermined))
                          for c, v in self.parts]
        return self._closures

    def __call__(self, env: dict) -> Any:
        return self._call(env)

    def _closures(self, env: dict) -> Any:
        value: Any = UNKNOWN
        for condition, formula, undetermined in self._compiled:
            if condition is not None:
                outcome = condition(env)
                if outcome is UNKNOWN:
                    if undetermined:
                        continue  # `onbepaald` only when its condition is established
                    return UNKNOWN
                if not outcome:
                    continue
            value = formula(env)
            break
        if value is UNKNOWN:
            return UNKNOWN
        return self._finish(value)

    def _finish(self, value: Any) -> Any:
        if self.rounding is not None:
            return round_money(value, self.rounding)
        if self.type == "geld" and not isinstance(value, Decimal):
            return Decimal(value)
        return value

    def __getstate__(self) -> Any:
        return self.parts, self.rounding, self.type

    def __setstate__(self, state: Any) -> None:
        self.parts, self.rounding, self.type = state
        self._build()

"""Compile rule conditions to durable-rules conditions, one ruleset per group.

A group is a domain (its hulpvraag and casus rules) or `integraal` (casus rules
across domains). Each rule becomes a durable-rules rule whose main pattern
matches the hulpvraag fact (`k: hv`) or the casus fact (`k: c`), and whose
`finding("x")` references become joined patterns on finding facts (`k: f`):
a finding one rule asserts is what another rule matches (forward chaining).

What the engine compares itself: text, yes/no, whole numbers and money, as
integer cents, so comparisons are exact. What it cannot do exactly (arithmetic,
which durable-rules does in floating point, and decimals or dates) is evaluated
in Python with `Decimal` before the facts are asserted, and reaches the engine
as a yes/no field. Negation is pushed down to the comparisons, so that a fact
the case does not give never makes a rule fire (three-valued logic).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from engine.errors import Diagnostic

from .calc import UNKNOWN, WARM_UP, Evaluator
from .ir import BOOL, GEHEEL, GELD, LIJST, TEKST, And, Cmp, FindingRef, In, Lit, Not, Or, Ref

DIRECT_TYPES = frozenset({BOOL, GEHEEL, GELD, TEKST})
MAX_FIELDS = 240  # durable-rules holds at most 255 properties per fact
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_DURABLE_OP = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}


@dataclass(frozen=True)
class FieldSpec:
    """One property of an asserted fact and how to compute it from the evaluation environment."""

    name: str
    kind: str  # "value" | "member" | "hoist"
    key: str = ""
    type: str = ""
    item: str = ""
    evaluate: Callable[[dict], Any] | None = None
    text: str = ""


@dataclass
class CompiledRule:
    rule_id: str
    scope: str
    patterns: list[tuple[str, dict]]
    findings: tuple[str, ...]  # names this rule asserts


@dataclass
class CompiledGroup:
    name: str
    ruleset_name: str
    rules: list[CompiledRule] = field(default_factory=list)
    hv_fields: list[FieldSpec] = field(default_factory=list)
    casus_fields: list[FieldSpec] = field(default_factory=list)

    @property
    def has_hulpvraag_rules(self) -> bool:
        return any(r.scope == "hulpvraag" for r in self.rules)

    @property
    def has_casus_rules(self) -> bool:
        return any(r.scope == "casus" for r in self.rules)


class _Fields:
    def __init__(self) -> None:
        self.specs: dict[tuple, FieldSpec] = {}

    def get(self, identity: tuple, make: Callable[[str], FieldSpec]) -> str:
        spec = self.specs.get(identity)
        if spec is None:
            spec = make(f"v{len(self.specs)}")
            self.specs[identity] = spec
        return spec.name


class _Compiler:
    def __init__(self, fields: _Fields):
        self.fields = fields

    def value_field(self, ref: Ref) -> str:
        return self.fields.get(("value", ref.key), lambda name: FieldSpec(name, "value", ref.key, ref.type))

    def hoist(self, node: Any) -> dict:
        from .ir import render
        name = self.fields.get(("hoist", node), lambda n: FieldSpec(n, "hoist", evaluate=Evaluator(node),
                                                                      text=render(node)))
        return {name: True}

    def test(self, node: Any, negate: bool = False) -> dict:
        """A durable-rules test for a boolean IR node, with negation pushed inward."""
        if isinstance(node, Not):
            return self.test(node.item, not negate)
        if isinstance(node, (And, Or)):
            conjunction = isinstance(node, And) != negate
            parts = [self.test(item, negate) for item in node.items]
            return {"$and" if conjunction else "$or": parts}
        if isinstance(node, Cmp):
            op = _NEGATE[node.op] if negate else node.op
            return self.compare(op, node.left, node.right, node, negate)
        if isinstance(node, In):
            return self.membership(node, node.negated != negate)
        if isinstance(node, Ref) and node.type == BOOL:
            return {self.value_field(node): not negate}
        if isinstance(node, FindingRef):
            raise _Unsupported(node, "finding(...) kan alleen als losse voorwaarde met 'and' gecombineerd worden, "
                               "niet binnen 'or' of 'not'")
        return self.hoist(Not(node) if negate else node)

    def compare(self, op: str, left: Any, right: Any, original: Cmp, negate: bool) -> dict:
        if isinstance(left, Lit) and isinstance(right, Ref):
            left, right, op = right, left, _FLIP[op]
        if isinstance(left, Ref) and left.type in DIRECT_TYPES:
            if isinstance(right, Lit):
                literal = _literal(right, left.type)
                if literal is not _NO:
                    name = self.value_field(left)
                    return {name: literal} if op == "==" else {_DURABLE_OP[op]: {name: literal}}
            elif isinstance(right, Ref) and right.type == left.type:
                if left.type in (BOOL, TEKST) and op not in ("==", "!="):
                    return self.hoist(Not(original) if negate else original)
                a, b = self.value_field(left), self.value_field(right)
                test = {a: {"$m": b}} if op == "==" else {_DURABLE_OP[op]: {a: {"$m": b}}}
                # durable-rules lets a comparison with an absent field match; require both.
                return {"$and": [{"$ex": {b: 1}}, test]}
        return self.hoist(Not(original) if negate else original)

    def membership(self, node: In, negated: bool) -> dict:
        if isinstance(node.options, tuple):
            tests = [self.compare("!=" if negated else "==", node.item, option,
                                  Cmp("==", node.item, option), False) for option in node.options]
            if len(tests) == 1:
                return tests[0]
            return {"$and" if negated else "$or": tests}
        ref, item = node.options, node.item
        if isinstance(ref, Ref) and ref.type == LIJST and isinstance(item, Lit):
            name = self.fields.get(("member", ref.key, item.value),
                                   lambda n: FieldSpec(n, "member", ref.key, LIJST, item=item.value))
            return {name: not negated}
        return self.hoist(Not(node) if negated else node)


class _Unsupported(Exception):
    def __init__(self, node: Any, message: str):
        self.node = node
        self.message = message


class _No:
    pass


_NO = _No()


def _literal(lit: Lit, field_type: str) -> Any:
    """The literal as durable-rules must see it for a field of `field_type`, or _NO if not exact."""
    value = lit.value
    if field_type == GELD:
        if lit.type not in (GEHEEL, GELD, "decimaal") or isinstance(value, bool):
            return _NO
        cents = Decimal(value) * 100
        return int(cents) if cents == cents.to_integral_value() else _NO
    if field_type == GEHEEL:
        if isinstance(value, bool):
            return _NO
        if isinstance(value, int):
            return value
        if isinstance(value, Decimal) and value == value.to_integral_value():
            return int(value)
        return _NO
    if field_type == BOOL:
        return value if isinstance(value, bool) else _NO
    if field_type == TEKST:
        return value if isinstance(value, str) else _NO
    return _NO


def _conjuncts(node: Any) -> list[Any]:
    if isinstance(node, And):
        out = []
        for item in node.items:
            out.extend(_conjuncts(item))
        return out
    return [node]


def _test_order(test: dict) -> tuple:
    """Equality tests on text first, so that rules share alpha nodes and fan out early."""
    (key, value), = test.items() if len(test) == 1 else (("~", None),)
    if not key.startswith("$") and isinstance(value, str):
        return (0, key, value)
    if not key.startswith("$") and isinstance(value, bool):
        return (1, key, str(value))
    return (2, "", "")


def compile_rule(rule: Any, group: str, fields: _Fields, finding_scopes: dict[str, str]) -> CompiledRule:
    compiler = _Compiler(fields)
    conjuncts = _conjuncts(rule.when)
    finding_refs = [c for c in conjuncts if isinstance(c, FindingRef)]
    tests = [compiler.test(c) for c in conjuncts if not isinstance(c, FindingRef)]
    tests.sort(key=_test_order)
    kind = "hv" if rule.scope == "hulpvraag" else "c"
    main = [{"k": kind}]
    if rule.valid_from is not None:
        main.append({"$gte": {"peil": _day(rule.valid_from)}})
    if rule.valid_until is not None:
        main.append({"$lte": {"peil": _day(rule.valid_until)}})
    main.extend(tests)
    patterns: list[tuple[str, dict]] = [("m", {"$and": main} if len(main) > 1 else main[0])]
    for index, finding in enumerate(finding_refs):
        join: Any = {"m": "hv"} if finding_scopes.get(finding.name) == "hulpvraag" else ""
        patterns.append((f"f{index}", {"$and": [{"k": "f"}, {"n": finding.name}, {"hv": join}]}))
    produced = tuple(c.finding for c in rule.then if c.finding is not None)
    return CompiledRule(rule.id, rule.scope, patterns, produced)


def _day(day) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def compile_framework(framework: Any) -> list[Diagnostic]:
    """Compile every group of the framework; returns located problems (nothing is registered yet)."""
    problems: list[Diagnostic] = []
    groups: dict[str, CompiledGroup] = {}
    hv_fields: dict[str, _Fields] = {}
    casus_fields: dict[str, _Fields] = {}
    for rule in framework.rules.values():
        group = groups.get(rule.group)
        if group is None:
            group = groups[rule.group] = CompiledGroup(rule.group, f"kader_{framework.short_hash}_{rule.group}")
            hv_fields[rule.group], casus_fields[rule.group] = _Fields(), _Fields()
        fields = hv_fields[rule.group] if rule.scope == "hulpvraag" else casus_fields[rule.group]
        try:
            group.rules.append(compile_rule(rule, rule.group, fields, framework.finding_scopes))
        except _Unsupported as exc:
            problems.append(Diagnostic("E340", exc.message, rule.span))
    for name, group in groups.items():
        group.hv_fields = list(hv_fields[name].specs.values())
        group.casus_fields = list(casus_fields[name].specs.values())
        for kind, specs in (("hulpvraag", group.hv_fields), ("casus", group.casus_fields)):
            if len(specs) > MAX_FIELDS:
                last = next(r for r in reversed(list(framework.rules.values())) if r.group == name)
                problems.append(Diagnostic("E342", f"de regels van {name} gebruiken samen {len(specs)} gegevens per "
                                           f"{kind}; durable-rules houdt er ten hoogste {MAX_FIELDS} bij: splits de regels",
                                           last.span))
    framework.groups = groups
    return problems


_PLANS: dict[int, tuple[list[FieldSpec], tuple, tuple, tuple, tuple]] = {}


def _plan(specs: list[FieldSpec]) -> tuple[tuple, tuple, tuple, tuple]:
    """The specs by kind, as plain tuples (once per list of specs: a group's fields do not change)."""
    found = _PLANS.get(id(specs))
    if found is None or found[0] is not specs:
        values = tuple((s.name, s.key) for s in specs if s.kind == "value" and s.type != GELD)
        money = tuple((s.name, s.key) for s in specs if s.kind == "value" and s.type == GELD)
        members = tuple((s.name, s.key, s.item) for s in specs if s.kind == "member")
        hoisted = tuple((s.name, s.evaluate) for s in specs if s.kind not in ("value", "member"))
        if len(_PLANS) > 256:  # frameworks loaded and dropped (tests, impact runs): keep the cache small
            _PLANS.clear()
        found = _PLANS[id(specs)] = (specs, values, money, members, hoisted)
    return found[1:]


def fact_values(specs: list[FieldSpec], env: dict, unknown: Any) -> dict:
    """The properties of one asserted fact; an unknown value is left out (so no test on it matches)."""
    values, money, members, hoisted = _plan(specs)
    get = env.get
    fact = {name: value for name, key in values if (value := get(key, unknown)) is not unknown}
    for name, key in money:
        value = get(key, unknown)
        if value is not unknown:
            fact[name] = int(value * 100)
    for name, key, item in members:
        items = get(key, unknown)
        if items is not unknown:
            fact[name] = item in items
    for name, evaluate in hoisted:
        value = evaluate(env)
        if value is not unknown:
            fact[name] = bool(value)
    return fact


class FactBuilder:
    """Adds the properties of one asserted fact to a dict, as `fact_values` computes them: `builder.fill(fact,
    env) -> fact`. Its first WARM_UP fills go through `fact_values`; after that one straight-line function
    (engine.language.pycode.fact_function) does it, so that a one-off `kader assess` compiles none."""

    __slots__ = ("specs", "fill", "_remaining")

    def __init__(self, specs: list[FieldSpec]):
        self.specs = specs
        self._remaining = WARM_UP
        self.fill: Callable[[dict, dict], dict] = self._warming

    def _warming(self, fact: dict, env: dict) -> dict:
        self._remaining -= 1
        if self._remaining <= 0:
            from .pycode import fact_function
            self.fill = fact_function(*_plan(self.specs), UNKNOWN)
        fact.update(fact_values(self.specs, env, UNKNOWN))
        return fact


_BUILDERS: dict[int, tuple[list[FieldSpec], FactBuilder]] = {}


def fact_builder(specs: list[FieldSpec]) -> FactBuilder:
    """The FactBuilder of a group's list of field specs, once per list (a group's fields do not change)."""
    found = _BUILDERS.get(id(specs))
    if found is None or found[0] is not specs:
        if len(_BUILDERS) > 256:  # frameworks loaded and dropped (tests, impact runs): keep the cache small
            _BUILDERS.clear()
        found = _BUILDERS[id(specs)] = (specs, FactBuilder(specs))
    return found[1]

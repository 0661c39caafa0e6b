"""Straight-line Python (engine.language.pycode) computes what the closures of engine.language.calc compute: the same value, the same
UNKNOWN, the same error, for every expression of the framework over the facts of real cases; and nothing from a rule
file becomes program text."""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

import pytest

import engine
from engine.evaluation.facts import build_facts
from engine.language.calc import UNKNOWN, DerivedEvaluator, Evaluator, FormulaError, compile_closure
from engine.language.ir import And, Arith, Cmp, In, Lit, Not, Or, Ref
from engine.language.pycode import derived_function, expression_function
from engine.tools.population import generate


def _expressions(framework):
    for rule in framework.rules.values():
        yield f"regel {rule.id}", rule.when
    for gemeente in sorted(framework.profiles):
        for entitlement in framework.entitlements_for(gemeente):
            for criterion in entitlement.criteria:
                yield f"{entitlement.id}.{criterion.id}", criterion.when
            for name, node, _ in entitlement.amounts:
                yield f"{entitlement.id}.{name}", node


def _outcome(function, env):
    try:
        value = function(env)
    except FormulaError as exc:
        return ("fout", str(exc))
    return (type(value).__name__, value) if value is not UNKNOWN else ("onbekend",)


def _envs(framework, count=120):
    envs = []
    for data in generate(framework, size=count, seed=3):
        case = engine.case_from_text(framework, __import__("json").dumps(data), "pop.json")
        facts = build_facts(framework, case, case.gemeente, case.peildatum)
        envs.append(facts.base)
        envs += [facts.hulpvraag(hv, framework) for hv in case.hulpvragen]
        envs.append({"__personen__": []})  # nothing known: every expression UNKNOWN or decided by its literals
    return envs


def test_every_expression_and_derived_fact_of_the_framework_gives_what_its_closure_gives(framework):
    envs = _envs(framework)
    checked = 0
    for label, node in _expressions(framework):
        if node is None:
            continue
        closure, straight = compile_closure(node), expression_function(node, compile_closure)
        assert straight.__name__ == "expression", label  # not the closure fallback
        for env in envs:
            assert _outcome(straight, env) == _outcome(closure, env), label
        checked += 1
    for derived in framework.derived.values() if isinstance(framework.derived, dict) else framework.derived:
        reference = DerivedEvaluator(derived.parts, derived.rounding, derived.type)
        reference.closures()
        assert derived_function(derived.parts, reference._finish, compile_closure) is not None, derived.key
        fresh = DerivedEvaluator(derived.parts, derived.rounding, derived.type)
        for env in envs:
            assert _outcome(fresh, env) == _outcome(reference._closures, env), derived.key
        checked += 1
    assert checked > 100


X, Y = Ref("casus.x", "geheel", "fact"), Ref("casus.y", "geheel", "fact")


@pytest.mark.parametrize("node, env, expected", [
    (And((Cmp(">", X, Lit(1, "geheel")), Cmp(">", Y, Lit(1, "geheel")))), {"casus.x": 0}, False),  # Kleene: False wins
    (And((Cmp(">", X, Lit(1, "geheel")), Cmp(">", Y, Lit(1, "geheel")))), {"casus.x": 5}, UNKNOWN),
    (Or((Cmp(">", X, Lit(1, "geheel")), Cmp(">", Y, Lit(1, "geheel")))), {"casus.y": 5}, True),
    (Or((Cmp(">", X, Lit(1, "geheel")), Cmp(">", Y, Lit(1, "geheel")))), {"casus.y": 0}, UNKNOWN),
    (Not(Cmp("==", X, Lit(3, "geheel"))), {"casus.x": 3}, False),
    (In(X, (Lit(1, "geheel"), Lit(2, "geheel")), True), {"casus.x": 2}, False),
    (Arith("/", X, Y, "decimaal"), {"casus.x": 1, "casus.y": 3}, Decimal("0.3333333333333333333333333333")),
])
def test_straight_line_python_keeps_three_valued_logic_and_28_digit_division(node, env, expected):
    assert expression_function(node, compile_closure)(env) == expected if expected is not UNKNOWN else \
        expression_function(node, compile_closure)(env) is UNKNOWN


def test_a_part_the_closure_skips_is_skipped_too_so_a_division_by_zero_behind_a_false_is_no_error():
    guarded = And((Cmp(">", X, Lit(0, "geheel")), Cmp(">", Arith("/", Lit(1, "geheel"), X, "decimaal"), Lit(0, "geheel"))))
    function = expression_function(guarded, compile_closure)
    assert function({"casus.x": 0}) is False
    with pytest.raises(FormulaError, match="deling door nul"):
        expression_function(Arith("/", Lit(1, "geheel"), X, "decimaal"), compile_closure)({"casus.x": 0})


def test_text_from_a_rule_file_is_a_value_never_program_text():
    hostile = "x'); import os; os._exit(3) #"
    node = Cmp("==", Ref(hostile, "tekst", "fact"), Lit(hostile + '"\n', "tekst"))
    function = expression_function(node, compile_closure)
    assert function({hostile: hostile + '"\n'}) is True
    assert function({hostile: "anders"}) is False
    assert hostile not in "".join(str(c) for c in function.__code__.co_consts if isinstance(c, str))


def test_an_expression_too_deep_for_straight_line_code_keeps_its_closure():
    node = Cmp(">", X, Lit(0, "geheel"))
    for _ in range(60):
        node = Not(Cmp("==", Lit(True, "bool"), node))
    function = expression_function(node, compile_closure)
    assert function.__name__ != "expression"
    assert function({"casus.x": 1}) == compile_closure(node)({"casus.x": 1})


def test_evaluators_build_their_function_on_first_use_and_survive_a_round_trip():
    evaluator = Evaluator(Cmp("<", X, Lit(_dt.date(2026, 1, 1), "datum")))
    assert evaluator({"casus.x": _dt.date(2025, 1, 1)}) is True
    copy = Evaluator.__new__(Evaluator)
    copy.__setstate__(evaluator.__getstate__())
    assert copy({}) is UNKNOWN


def test_an_expression_runs_on_its_closures_until_warm_then_on_straight_line_python():
    """A cold `kader assess` evaluates most expressions once or twice: they are not compiled; a batch compiles
    them after engine.language.calc.WARM_UP evaluations. The value is the same on both sides of the switch."""
    from engine.language.calc import WARM_UP
    evaluator = Evaluator(Cmp("<", X, Lit(_dt.date(2026, 1, 1), "datum")))
    values = [evaluator({"casus.x": _dt.date(2025, 1, 1)}) for _ in range(WARM_UP - 1)]
    assert evaluator._call.__name__ == "warming"
    values += [evaluator({"casus.x": _dt.date(2025, 1, 1)}) for _ in range(2)]
    assert evaluator._call.__name__ == "expression"
    assert values == [True] * (WARM_UP + 1)
    derived = DerivedEvaluator(((Cmp(">", X, Lit(0, "geheel")), Arith("*", X, Lit(Decimal("1.5"), "decimaal"), "geld")),
                                (None, Lit(Decimal("0"), "geld"))), "cent", "geld")
    outcomes = [derived({"casus.x": 3}) for _ in range(WARM_UP + 1)] + [derived({"casus.x": -1}), derived({})]
    assert derived._call.__name__ == "derived"
    assert outcomes == [Decimal("4.50")] * (WARM_UP + 1) + [Decimal("0"), UNKNOWN]


def test_every_group_fact_filled_by_straight_line_python_is_the_fact_fact_values_gives(framework):
    """The facts asserted in durable-rules are filled by one straight-line function per group's field list
    after warm-up (engine.language.compile.FactBuilder): the same properties, in the same order (the text the
    C engine reads, and the key of the adapter's memo of runs), for the casus and hulpvraag facts of real cases;
    an unknown value is left out, a money value is whole cents, a hoisted test a yes/no."""
    from engine.language.calc import WARM_UP
    from engine.language.compile import FactBuilder, _plan, fact_values
    from engine.language.pycode import fact_function
    envs = _envs(framework, count=60)
    compared = 0
    for group in framework.groups.values():
        for specs in (group.casus_fields, group.hv_fields):
            if not specs:
                continue
            straight = fact_function(*_plan(specs), UNKNOWN)
            for env in envs:
                expected = {"k": "c", **fact_values(specs, env, UNKNOWN)}
                got = straight({"k": "c"}, env)
                assert list(got.items()) == list(expected.items()), group.name
                compared += 1
            builder = FactBuilder(specs)
            filled = [builder.fill({}, envs[0]) for _ in range(WARM_UP + 4)]  # through the warm-up and after
            assert builder.fill.__name__ == "fact_fields"
            assert all(list(f.items()) == list(fact_values(specs, envs[0], UNKNOWN).items()) for f in filled)
    assert compared > 1000
    kinds = {spec.kind for group in framework.groups.values() for spec in group.hv_fields + group.casus_fields}
    assert {"value", "member", "hoist"} <= kinds  # every kind of property was compared


def test_a_fact_key_or_item_from_a_rule_file_is_a_value_in_the_fact_function_never_program_text():
    from engine.language.pycode import fact_function
    hostile = "x'] = 1; import os; os._exit(3) #"
    straight = fact_function(((hostile, hostile),), ((hostile + "g", "casus.geld"),), ((hostile + "m", "l", hostile),),
                             (), UNKNOWN)
    fact = straight({}, {hostile: 5, "casus.geld": Decimal("12.34"), "l": frozenset({hostile})})
    assert fact == {hostile: 5, hostile + "g": 1234, hostile + "m": True}
    assert straight({}, {}) == {}
    assert hostile not in "".join(str(c) for c in straight.__code__.co_consts if isinstance(c, str))

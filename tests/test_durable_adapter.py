"""Every sharp edge of durable-rules (shared/durable-rules.md), each with a regression test."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.adapters.durable import DurableEngine, RuleSpec
from engine.errors import EvaluationError

from .conftest import make_case


def _hv(name: str, kind: str = "hv", **fields) -> dict:
    return {"k": kind, "hv": name, **fields}


def test_two_thousand_sequential_cases_do_not_exhaust_the_session_table(framework, monkeypatch):
    # The C engine holds 1024 sessions per ruleset; a case that is not deleted leaks one. Without the memo of
    # runs, so that every one of the 2,000 assessments opens (and must delete) sessions of its own.
    import engine
    from engine.adapters.durable import engine as durable_engine
    monkeypatch.setattr(durable_engine(), "memo_size", 0)
    case = make_case(framework)
    for _ in range(2000):
        result = engine.assess(framework, case)
    assert result.entitlements[0]["id"] == "algemene_bijstand"


def test_raw_adapter_survives_more_runs_than_the_session_cap():
    adapter = DurableEngine()
    adapter.register("cap", [RuleSpec("cap.regel", [("m", {"$and": [{"k": "hv"}, {"$gte": {"x": 5}}]})])])
    fired = 0
    for index in range(2100):
        fired += len(adapter.run("cap", [_hv(f"h{index}", x=index % 10)]).firings)
    assert fired == 2100 // 2


def test_an_exception_inside_a_rule_action_surfaces_naming_the_rule():
    adapter = DurableEngine()

    def broken(matched):
        raise ZeroDivisionError("deling door nul in de actie")

    adapter.register("boom", [RuleSpec("wmo.kapotte_regel", [("m", {"k": "hv"})], action=broken)])
    with pytest.raises(EvaluationError) as error:
        adapter.run("boom", [_hv("hv1")])
    assert "wmo.kapotte_regel" in str(error.value)
    assert "ZeroDivisionError" in str(error.value)
    # and the session is cleaned up: the next run works
    with pytest.raises(EvaluationError):
        adapter.run("boom", [_hv("hv2")])


def test_an_interrupt_inside_an_action_propagates_and_the_engine_goes_on():
    # Our action loop abandons the action in the C engine and lets Ctrl-C through; the session is deleted
    # without a crash and the next run of the same ruleset fires as usual.
    adapter = DurableEngine()
    interrupt = [True]

    def hook(matched):
        if interrupt[0]:
            raise KeyboardInterrupt

    adapter.register("stop", [RuleSpec("wmo.onderbroken", [("m", {"k": "hv"})], findings=("gezien",), action=hook),
                              RuleSpec("wmo.daarna", [("m", {"$and": [{"k": "f"}, {"n": "gezien"}]})])])
    with pytest.raises(KeyboardInterrupt):
        adapter.run("stop", [_hv("hv1")])
    interrupt[0] = False
    run = adapter.run("stop", [_hv("hv2")])
    assert run.firings == [(0, "hv2"), (1, "hv2")]
    assert run.findings == {("gezien", "hv2")}


def test_two_rule_set_versions_live_in_one_process():
    adapter = DurableEngine()
    adapter.register("kader_aaaa_wmo", [RuleSpec("v1", [("m", {"$and": [{"k": "hv"}, {"$gte": {"x": 10}}]})])])
    adapter.register("kader_bbbb_wmo", [RuleSpec("v2", [("m", {"$and": [{"k": "hv"}, {"$gte": {"x": 20}}]})])])
    adapter.register("kader_aaaa_wmo", [RuleSpec("ignored", [("m", {"k": "hv"})])])  # idempotent, no "already registered"
    assert len(adapter.run("kader_aaaa_wmo", [_hv("a", x=15)]).firings) == 1
    assert len(adapter.run("kader_bbbb_wmo", [_hv("a", x=15)]).firings) == 0


def test_two_framework_versions_in_one_process(framework, rules_copy):
    import engine
    text = (rules_copy / "werk_inkomen" / "normen.yaml").read_text()
    (rules_copy / "werk_inkomen" / "normen.yaml").write_text(
        text.replace('{from: 2026-01-01, value: "1401.50"', '{from: 2026-01-01, value: "1500.00"'))
    other = engine.load_framework(rules_copy)
    assert other.hash != framework.hash
    case = make_case(framework)
    first = engine.assess(framework, case).entitlements[0]
    second = engine.assess(other, make_case(other)).entitlements[0]
    assert (first["norm"], second["norm"]) == ("1401.50", "1500.00")


def test_a_three_step_chain_of_findings():
    adapter = DurableEngine()
    join = {"hv": {"m": "hv"}}
    specs = [
        RuleSpec("a", [("m", {"$and": [{"k": "hv"}, {"$gte": {"x": 5}}]})], findings=("fa",)),
        RuleSpec("b", [("m", {"k": "hv"}), ("f0", {"$and": [{"k": "f"}, {"n": "fa"}, join]})], findings=("fb",)),
        RuleSpec("c", [("m", {"k": "hv"}), ("f0", {"$and": [{"k": "f"}, {"n": "fb"}, join]})], findings=("fc",)),
    ]
    adapter.register("chain", specs)
    run = adapter.run("chain", [_hv("hv1", x=7), _hv("hv2", x=1)])
    assert sorted(run.firings) == [(0, "hv1"), (1, "hv1"), (2, "hv1")]
    assert run.findings == {("fa", "hv1"), ("fb", "hv1"), ("fc", "hv1")}


def test_a_three_step_chain_in_the_framework_language(rules_copy):
    import engine
    (rules_copy / "wmo" / "keten.yaml").write_text('''
rules:
  - id: wmo.keten.a
    title: A
    legal_basis: "Wmo 2015 art. 2.3.2"
    when: hulpvraag.onderwerp == "huishouden"
    then: [{finding: stap_a}]
    reason: stap a
  - id: wmo.keten.b
    title: B
    legal_basis: "Wmo 2015 art. 2.3.2"
    when: finding("stap_a")
    then: [{finding: stap_b}]
    reason: stap b
  - id: wmo.keten.c
    title: C
    legal_basis: "Wmo 2015 art. 2.3.2"
    when: finding("stap_b") and persoon.leeftijd >= 18
    then: [{signal: regisseur}]
    reason: stap c
''')
    framework = engine.load_framework(rules_copy)
    case = make_case(framework, hulpvragen=[{"id": "hv1", "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1"}])
    result = engine.assess(framework, case)
    fired = [f.rule for f in result.trace.fired]
    assert fired.index("wmo.keten.a") < fired.index("wmo.keten.b") < fired.index("wmo.keten.c")
    assert {"id": "regisseur", "rule": "wmo.keten.c"}.items() <= next(
        s for s in result.signals if s["rule"] == "wmo.keten.c").items()


def test_a_fact_no_rule_matches_is_not_an_error():
    adapter = DurableEngine()
    adapter.register("quiet", [RuleSpec("r", [("m", {"$and": [{"k": "hv"}, {"x": 99}]})])])
    assert adapter.run("quiet", [_hv("hv1", x=1), {"k": "c", "hv": ""}]).firings == []


def test_sessions_in_which_no_rule_fired_are_deleted_without_a_crash():
    # With two rulesets in the host, deleting a session in which no action ran double-frees and aborts the
    # process (durable-rules 2.0.28); the adapter then asserts its heartbeat fact first. In a child process,
    # so that a regression shows as a failed test, not as a dead test run.
    program = textwrap.dedent("""
        from engine.adapters.durable import DurableEngine, RuleSpec
        adapter = DurableEngine()
        adapter.register("een", [RuleSpec("r1", [("m", {"$and": [{"k": "hv"}, {"x": 99}]})])])
        adapter.register("twee", [RuleSpec("r2", [("m", {"$and": [{"k": "hv"}, {"x": 98}]})])])
        for reuse in (False, True):  # a new session deleted after every run; the emptied session reused
            adapter.reuse_sessions = reuse
            for index in range(50):
                for name in ("een", "twee"):
                    assert adapter.run(name, [{"k": "hv", "hv": f"h{index}", "x": 1}]).firings == []
            assert adapter.run("twee", [{"k": "hv", "hv": "raak", "x": 98}]).firings == [(0, "raak")]
        print("heel")
    """)
    child = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120,
                           cwd=Path(__file__).resolve().parent.parent)
    assert (child.returncode, child.stdout.strip()) == (0, "heel"), child.stderr[-2000:]


@pytest.mark.parametrize("hulpvraag", ["hv1", 'hv "twee"', "hv\\drie", "hulpvraag-één", "hv, }"])
def test_every_hulpvraag_id_reaches_the_action_as_asserted(hulpvraag):
    # The action loop reads the hulpvraag of a firing from the start of the engine's message and parses the
    # whole message when that start has another shape (an escaped quote or backslash, a finding fact).
    adapter = DurableEngine()
    adapter.register("ids", [RuleSpec("r", [("m", {"$and": [{"k": "hv"}, {"x": 1}]})], findings=("gevonden",)),
                             RuleSpec("f", [("m", {"$and": [{"k": "f"}, {"n": "gevonden"}]})])])
    run = adapter.run("ids", [_hv(hulpvraag, x=1), _hv("ander", x=2)])
    assert run.firings == [(0, hulpvraag), (1, hulpvraag)]
    assert run.findings == {("gevonden", hulpvraag)}


def test_a_finding_asserted_by_two_rules_is_kept_once():
    adapter = DurableEngine()
    specs = [RuleSpec("r1", [("m", {"k": "hv"})], findings=("dubbel",)),
             RuleSpec("r2", [("m", {"k": "hv"})], findings=("dubbel",))]
    adapter.register("dup", specs)
    run = adapter.run("dup", [_hv("hv1"), _hv("hv2")])
    assert len(run.firings) == 4
    assert run.findings == {("dubbel", "hv1"), ("dubbel", "hv2")}


def test_a_fact_of_an_unknown_kind_is_refused_before_it_reaches_the_engine():
    # A batch durable-rules refuses (MessageNotHandledException) must not have its session deleted:
    # delete_state then double-frees and aborts the process. Unknown kinds never get that far.
    adapter = DurableEngine()
    adapter.register("kinds", [RuleSpec("r", [("m", {"k": "hv"})])])
    with pytest.raises(EvaluationError, match="onbekende soort"):
        adapter.run("kinds", [{"k": "iets", "hv": "hv1"}])
    with pytest.raises(EvaluationError, match="zonder 'id'"):
        adapter.run("kinds", [{"k": "hv", "hv": "hv1", "id": "x"}])
    assert len(adapter.run("kinds", [_hv("hv1")]).firings) == 1


def test_compiled_facts_never_carry_an_id_property(framework):
    # A property named `id` breaks joins between facts asserted in separate calls.
    for group in framework.groups.values():
        for rule in group.rules:
            for _, pattern in rule.patterns:
                assert '"id"' not in str(pattern).replace("'", '"')
    from engine.evaluation.facts import build_facts
    from engine.language.compile import fact_values
    case = make_case(framework)
    facts = build_facts(framework, case, "baarn", case.peildatum)
    for group in framework.groups.values():
        assert "id" not in fact_values(group.hv_fields, facts.hulpvraag(case.hulpvragen[0], framework), object())


def test_comparison_with_an_absent_field_never_matches():
    # durable-rules' comparison with an absent right-hand field is undefined (it matched in one of our
    # experiments and not in another); the compiler always adds an existence test, checked here.
    adapter = DurableEngine()
    guarded = RuleSpec("guarded", [("m", {"$and": [{"k": "hv"}, {"$ex": {"y": 1}}, {"$lt": {"x": {"$m": "y"}}}]})])
    adapter.register("absent", [guarded])
    for fact in (_hv("hv1", x=1), _hv("hv2", x=-5, z=3), _hv("hv3")):
        assert adapter.run("absent", [fact]).firings == []
    assert adapter.run("absent", [_hv("hv4", x=1, y=2)]).firings == [(0, "hv4")]


def test_the_compiler_guards_every_field_to_field_comparison(framework):
    def references(test):
        (op, body), = test.items()
        if isinstance(body, dict):
            return [v["$m"] for v in body.values() if isinstance(v, dict) and "$m" in v]
        return []

    def check(node, guarded):
        (key, value), = node.items()
        if key in ("$and", "$or"):
            here = set(guarded)
            if key == "$and":
                here |= {next(iter(item["$ex"])) for item in value if "$ex" in item}
            for item in value:
                check(item, here)
        else:
            for field in references(node):
                assert field in guarded, f"unguarded field comparison reached the engine: {node}"

    compared = 0
    for group in framework.groups.values():
        for rule in group.rules:
            for _, pattern in rule.patterns:
                check(pattern, set())
                compared += str(pattern).count("$m")
    assert compared > 0, "the framework has field-to-field comparisons; this test must see them"


def test_the_largest_ruleset_of_the_framework_runs_with_many_rules_matching(framework):
    import engine
    largest = max(framework.groups.values(), key=lambda g: len(g.rules))
    domain = largest.name if largest.name != "integraal" else "wmo"
    onderwerp = framework.domains[domain].onderwerpen[0]
    case = make_case(framework, hulpvragen=[
        {"id": f"hv{i}", "domein": domain, "onderwerp": o, "persoon": "p1"}
        for i, o in enumerate(framework.domains[domain].onderwerpen)], signalen=list(framework.case_signals))
    result = engine.assess(framework, case)
    assert len(result.proposals) == len(framework.domains[domain].onderwerpen)
    assert onderwerp


def test_a_repeated_run_is_answered_from_the_memo_without_the_engine(monkeypatch):
    import engine.adapters.durable as durable
    adapter = DurableEngine()
    adapter.register("memo", [RuleSpec("memo.a", [("m", {"$and": [{"k": "hv"}, {"$gte": {"x": 5}}]})], ("f1",)),
                              RuleSpec("memo.b", [("m", {"$and": [{"k": "hv"}, {"x": 7}]})])])
    first = adapter.run("memo", [_hv("hv1", x=7), _hv("hv2", x=1)])
    assert (first.firings, first.findings) == ([(0, "hv1"), (1, "hv1")], {("f1", "hv1")})
    calls = []
    monkeypatch.setattr(durable._c, "assert_facts", lambda *a: calls.append(a))  # the engine must not be asked
    again = adapter.run("memo", [_hv("hv1", x=7), _hv("hv2", x=1)])
    assert (again.firings, again.findings, calls) == (first.firings, first.findings, [])
    again.firings.append((9, "x"))  # a copy: the remembered run stays as it was
    assert adapter.run("memo", [_hv("hv1", x=7), _hv("hv2", x=1)]).firings == [(0, "hv1"), (1, "hv1")]
    monkeypatch.undo()
    other = adapter.run("memo", [_hv("hv1", x=5), _hv("hv2", x=1)])  # other facts: the engine decides
    assert other.firings == [(0, "hv1")]


def test_a_ruleset_with_an_action_hook_or_a_failing_run_is_never_remembered():
    seen = []
    adapter = DurableEngine()
    adapter.register("hook", [RuleSpec("hook.a", [("m", {"$and": [{"k": "hv"}, {"x": 1}]})],
                                       action=lambda matched: seen.append(matched["m"]["hv"]))])
    adapter.run("hook", [_hv("hv1", x=1)])
    adapter.run("hook", [_hv("hv1", x=1)])
    assert seen == ["hv1", "hv1"]  # the hook ran both times

    def fail(matched):
        raise ValueError("kapot")
    adapter.register("fails", [RuleSpec("fails.a", [("m", {"$and": [{"k": "hv"}, {"x": 1}]})], action=fail)])
    for _ in range(2):
        with pytest.raises(EvaluationError, match="fails.a"):
            adapter.run("fails", [_hv("hv1", x=1)])
    assert adapter._outcomes == {}


def _chain_specs() -> list[RuleSpec]:
    """A ruleset with casus and hulpvraag rules, ranges, a hulpvraag finding chain and a casus finding that a
    hulpvraag rule joins (as compile.compile_rule writes them)."""
    return [
        RuleSpec("c.laag", [("m", {"$and": [{"k": "c"}, {"$lt": {"inkomen": 1500}}]})], ("laag_inkomen",), "c"),
        RuleSpec("hv.oud", [("m", {"$and": [{"k": "hv"}, {"$gte": {"leeftijd": 67}}]})], ("oudere",)),
        RuleSpec("hv.zorg", [("m", {"$and": [{"k": "hv"}, {"zorg": True}]})], ("zorgvraag",)),
        RuleSpec("hv.beide", [("m", {"$and": [{"k": "hv"}, {"zorg": True}]}),
                              ("f0", {"$and": [{"k": "f"}, {"n": "oudere"}, {"hv": {"m": "hv"}}]})], ("beide",)),
        RuleSpec("hv.minima", [("m", {"k": "hv"}),
                               ("f0", {"$and": [{"k": "f"}, {"n": "laag_inkomen"}, {"hv": ""}]}),
                               ("f1", {"$and": [{"k": "f"}, {"n": "beide"}, {"hv": {"m": "hv"}}]})]),
        RuleSpec("hv.soort", [("m", {"$and": [{"k": "hv"}, {"soort": "wmo"}]})]),
    ]


def test_a_reused_session_fires_exactly_as_a_new_session_run_after_run():
    # A run retracts what it put in its session, and the next run of the ruleset uses that session (a new one
    # costs the C engine more than most runs). 400 runs of varied households, each compared with the same
    # facts in a new session of an adapter that never reuses one, without the memo of runs.
    import random
    reusing, fresh = DurableEngine(), DurableEngine()
    fresh.reuse_sessions = False
    for adapter in (reusing, fresh):
        adapter.memo_size = 0
        adapter.register("keten", _chain_specs())
    draw = random.Random(16)
    fired = set()
    for index in range(400):
        facts = [{"k": "c", "hv": "", "inkomen": draw.choice([900, 1499, 1500, 2600])}]
        for number in range(draw.randint(0, 3)):
            hulpvraag = {"k": "hv", "hv": f"hv{number}", "leeftijd": draw.choice([17, 66, 67, 90]),
                         "soort": draw.choice(["wmo", "jeugd"])}
            if draw.random() < 0.7:
                hulpvraag["zorg"] = draw.random() < 0.6
            facts.append(hulpvraag)
        first = reusing.run("keten", [dict(f) for f in facts])
        second = fresh.run("keten", [dict(f) for f in facts])
        assert (sorted(first.firings), first.findings) == (sorted(second.firings), second.findings), (index, facts)
        fired |= {index for index, _ in first.firings}
    assert fired == {0, 1, 2, 3, 4, 5}  # every rule fired at some point
    assert len(reusing._idle) == 1 and fresh._idle == {}


def test_after_a_refused_run_the_next_run_gets_a_new_session_and_fires_as_usual():
    # Two equal facts in one batch: durable-rules refuses the second (MessageObservedException). That session
    # is half filled and must not be reused (nor deleted: see the refused-batch edge above).
    adapter = DurableEngine()
    adapter.memo_size = 0
    adapter.register("twee", _chain_specs())
    assert adapter.run("twee", [_hv("hv1", leeftijd=70)]).findings == {("oudere", "hv1")}
    used = adapter._idle["twee"]
    with pytest.raises(EvaluationError, match="E904|weigerde"):
        adapter.run("twee", [_hv("hv1", leeftijd=70), _hv("hv1", leeftijd=70)])
    assert "twee" not in adapter._idle
    run = adapter.run("twee", [_hv("hv2", leeftijd=20, zorg=True)])
    assert (run.firings, run.findings) == ([(2, "hv2")], {("zorgvraag", "hv2")})
    assert adapter._idle["twee"] != used


def test_without_the_state_update_after_our_firings_the_same_rules_fire_as_in_the_library_sequence(monkeypatch):
    # The action loop leaves out `update_state` after a firing of a rule without a test hook (the state is
    # unchanged, and the state fact matches no pattern: engine/adapters/durable.py, _ActionLoop). A rule with a
    # test hook still gets the library's full sequence (update_state, then complete_and_start_action). 400
    # varied households through both, each in a new session and without the memo: the same firings and findings.
    import random

    from engine.adapters import durable
    updates = []
    real_update = durable._c.update_state
    monkeypatch.setattr(durable, "_c", _CountingEngine(real_update, updates))
    plain, hooked = DurableEngine(), DurableEngine()
    plain.reuse_sessions = False
    plain.memo_size = hooked.memo_size = 0
    plain.register("zonder", _chain_specs())
    specs = _chain_specs()
    for spec in specs:
        spec.action = lambda matched: None
    hooked.register("met", specs)
    draw = random.Random(5)
    fired = 0
    for index in range(400):
        facts = [{"k": "c", "hv": "", "inkomen": draw.choice([900, 1500])}]
        for number in range(draw.randint(1, 3)):
            facts.append({"k": "hv", "hv": f"hv{number}", "leeftijd": draw.choice([17, 67]),
                          "soort": draw.choice(["wmo", "jeugd"]), "zorg": draw.random() < 0.6})
        before = len(updates)
        first = plain.run("zonder", [dict(f) for f in facts])
        assert len(updates) == before or not first.firings  # only the heartbeat's action updates the state
        second = hooked.run("met", [dict(f) for f in facts])
        assert len(updates) - before >= len(second.firings)  # the library's sequence: one update per firing
        assert (sorted(first.firings), first.findings) == (sorted(second.firings), second.findings), (index, facts)
        fired += len(first.firings)
    assert fired > 400


class _CountingEngine:
    """durable_rules_engine with its `update_state` counted."""

    def __init__(self, real_update, calls: list):
        self._real_update = real_update
        self._calls = calls

    def update_state(self, *args):
        self._calls.append(args)
        return self._real_update(*args)

    def __getattr__(self, name):
        import durable_rules_engine
        return getattr(durable_rules_engine, name)

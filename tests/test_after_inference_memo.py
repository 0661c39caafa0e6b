"""What the steps after inference remember per framework object (issue 16, speed4c) gives what computing it anew
gives: term end dates (Algemene termijnenwet) and the trace's records of fired rules."""

from __future__ import annotations

import dataclasses
import datetime as dt

import engine
from engine.evaluation import provisional
from engine.evaluation.assessment import FiredRule
from engine.language.termijnen import deadline

from .conftest import make_case


def test_term_end_is_the_atw_deadline_and_is_remembered_within_a_bound(framework, monkeypatch):
    # 5 working days from Tuesday 22 December 2026: the 25th and 26th are Kerstdagen (Atw art. 3 lid 1), the 26th
    # and 27th a weekend, so the term ends on Wednesday 30 December
    first = provisional.term_end(framework, dt.date(2026, 12, 22), False, {"working_days": 5})
    assert first == dt.date(2026, 12, 30)
    assert provisional.term_end(framework, dt.date(2026, 12, 22), False, {"working_days": 5}) is first
    # 6 weeks from Friday 13 November 2026 end on eerste Kerstdag: extended to Monday 28 December (Atw art. 1 lid 1)
    assert provisional.term_end(framework, dt.date(2026, 11, 13), True, {"weeks": 6}) == dt.date(2026, 12, 28)
    assert provisional.term_end(framework, dt.date(2026, 11, 13), False, {"weeks": 6}) == dt.date(2026, 12, 25)
    assert deadline(dt.date(2026, 11, 13), weeks=6, algemene_termijnenwet=True,
                    days_off=framework.holidays) == dt.date(2026, 12, 28)
    monkeypatch.setattr(provisional, "_TERM_ENDS", 3)
    for day in range(1, 10):
        provisional.term_end(framework, dt.date(2026, 3, day), False, {"days": 1})
    assert len(framework.memo["term_ends"]) <= 3


def test_a_fired_rule_is_recorded_as_the_same_immutable_tuple_in_every_assessment(framework):
    case = make_case(framework)
    first, second = engine.assess(framework, case), engine.assess(framework, case)
    assert first.trace.fired and len(first.trace.fired) == len(second.trace.fired)
    for one, other in zip(first.trace.fired, second.trace.fired, strict=True):
        assert one is other and isinstance(one, FiredRule)
    # a framework object with a fresh memo records the same firings, made anew
    fresh = engine.assess(dataclasses.replace(framework), case)
    assert fresh.trace.fired == first.trace.fired
    assert all(a is not b for a, b in zip(fresh.trace.fired, first.trace.fired, strict=True))
    assert fresh.to_json(trace=True) == first.to_json(trace=True)

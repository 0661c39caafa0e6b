"""Every period in which a provision is in force has a value for each parameter it reads (`kader check`, E146).

A provision here is what reads parameters and applies on a peildatum: a rule (from its `valid_from`, or the start
of the framework, to its `valid_until` or open) and an entitlement (from the start of the framework, open). Through
derived facts, it reads the parameters of their formulas (engine.language.reach). A parameter table, for the framework and
for every municipality with an override, must cover each such period with a value or with a period marked
`te_verifieren` and its reason; otherwise the provision would say nothing, or `eligible` with no amount, and no
one would know why. Parameters keyed by another date than the peildatum (a table by birth period) are read at
that date and not checked here.
"""

from __future__ import annotations

import datetime as _dt

from engine.errors import Diagnostic

from .framework import Framework, ParameterDef
from .reach import Reach

ONE_DAY = _dt.timedelta(days=1)


def _gaps(start: _dt.date, end: _dt.date | None, parameter: ParameterDef):
    """The parts of [start, end] (end None: open) the parameter's table does not cover."""
    first, last = parameter.covers()
    if start < first and (end is None or end >= start):
        yield start, min(end, first - ONE_DAY) if end is not None else first - ONE_DAY
    if last is not None and (end is None or end > last):
        yield max(start, last + ONE_DAY), end


def _readers(framework: Framework):
    """(kind, id, from, until, parameter names, gemeenten) of every rule and entitlement."""
    reach = Reach(framework)
    everywhere = (None, *sorted(framework.profiles))
    for rule in framework.rules.values():
        names = reach.parameters(rule.when)
        if names:
            yield "regel", rule.id, rule.valid_from, rule.valid_until, names, everywhere
    seen: set[str] = set()
    for gemeente in everywhere:
        for entitlement in (framework.entitlements_for(gemeente) if gemeente else framework.entitlements.values()):
            if entitlement.gemeente is None and entitlement.id in seen:
                continue
            seen.add(entitlement.id)
            names = frozenset(k for k in reach.entitlement_keys(entitlement) if k in framework.parameters)
            if names:
                where = (entitlement.gemeente,) if entitlement.gemeente else everywhere
                yield "aanspraak", entitlement.id, None, None, names, where


def check_periods(framework: Framework) -> list[Diagnostic]:
    found: dict[tuple, Diagnostic] = {}
    for kind, ident, valid_from, valid_until, names, gemeenten in _readers(framework):
        start = max(valid_from or framework.valid_from, framework.valid_from)
        for name in sorted(names):
            for gemeente in gemeenten:
                parameter = framework.parameter(name, gemeente) if gemeente else framework.parameters[name]
                if parameter.key != "peildatum" or (gemeente and parameter is framework.parameters[name]):
                    continue  # keyed by another date; or no override here (checked once, for the framework)
                for gap_from, gap_until in _gaps(start, valid_until, parameter):
                    key = (name, gemeente if parameter.decision else None, gap_from, gap_until)
                    if key in found:
                        continue
                    period = f"van {gap_from} tot en met {gap_until}" if gap_until else f"vanaf {gap_from}"
                    who = f" (override van {gemeente})" if parameter.decision else ""
                    found[key] = Diagnostic(
                        "E146", f"parameter '{name}'{who} heeft geen waarde {period}, terwijl {kind} {ident} dan geldt "
                        "en hem leest", parameter.span,
                        hint="vul de bedragen voor die periode in, of markeer de periode met 'te_verifieren' en de reden")
    return list(found.values())

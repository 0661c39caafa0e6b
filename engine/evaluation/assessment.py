"""The result of one assessment, and its JSON form (the contract of docs/assessment.md).

The JSON keys of the contract come first and keep their names; extra keys only
add information. Same case + same rule set -> byte-identical JSON: every list
has a defined order, and `to_json_text` fixes separators and key order.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import orjson


class FiredRule(NamedTuple):  # a tuple: an assessment holds dozens, made for every case
    rule: str
    hulpvraag: str  # "" for a casus rule
    conclusions: tuple[str, ...]


@dataclass
class Trace:
    """Why the assessment came out as it did: rules that fired, findings, derived facts, parameters used.

    The derived facts and parameters are gathered only when someone reads them (`kader explain`, the JSON
    trace); an assessment in a batch never pays for them.
    """

    fired: list[FiredRule] = field(default_factory=list)
    findings: list[tuple[str, str]] = field(default_factory=list)  # (name, hulpvraag or "")
    source: Any = field(default=None, repr=False, compare=False)  # (framework, facts) the values are read from
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def derived(self) -> dict[str, Any]:
        """Derived facts of the household and the casus: key -> value."""
        if "derived" not in self._cache:
            framework, facts = self.source
            _complete(facts)
            self._cache["derived"] = {d.key: facts.base[d.key] for d in framework.derived
                                      if d.scope != "persoon" and d.key in facts.base}
        return self._cache["derived"]

    @property
    def person_derived(self) -> dict[str, dict[str, Any]]:
        """Derived facts per person: person id -> key -> value."""
        if "person_derived" not in self._cache:
            framework, facts = self.source
            _complete(facts)
            self._cache["person_derived"] = {
                pid: {d.key: values[d.key] for d in framework.derived if d.scope == "persoon" and d.key in values}
                for pid, values in facts.persons.items()}
        return self._cache["person_derived"]

    @property
    def parameters(self) -> dict[str, dict]:
        """The parameters in force on the peildatum: name -> {value, from, legal_basis, decision}."""
        if "parameters" not in self._cache:
            framework, facts = self.source
            self._cache["parameters"] = {
                name: {"value": format(value, "f"), "from": start.isoformat(),
                       "legal_basis": framework.parameters[name].legal_basis,
                       **({"decision": decision} if decision else {})}
                for name, (value, start, decision) in sorted(facts.parameters_used.items())}
        return self._cache["parameters"]

    def to_json(self) -> dict:
        return {
            "fired": [{"rule": f.rule, "hulpvraag": f.hulpvraag or None, "conclusions": list(f.conclusions)}
                      for f in self.fired],
            "findings": [{"finding": n, "hulpvraag": h or None} for n, h in self.findings],
            "derived": {k: _plain(v) for k, v in self.derived.items()},
            "person_derived": {p: {k: _plain(v) for k, v in d.items()} for p, d in self.person_derived.items()},
            "parameters": self.parameters,
        }


@dataclass
class Assessment:
    case_id: str
    gemeente: str
    peildatum: _dt.date
    framework: dict
    engine_version: str
    proposals: list[dict]
    entitlements: list[dict]
    deadlines: list[dict]
    signals: list[dict]
    checks: list[dict]
    missing_facts: list[dict]
    trace: Trace = field(default_factory=Trace)
    # deadlines, signals and checks whose rule the case cannot decide yet, and terms without a start date
    # (docs/uncertainty.md): each with `status` ("voorlopig" | "datum_onbekend") and the facts it `waits_on`
    provisional: list[dict] = field(default_factory=list)
    # the decisive questions, ranked (engine.evaluation.decisive), only when asked for: None means not computed
    questions: list[dict] | None = None
    # legal basis -> its statute references with the wetten.overheid.nl address in force on the peildatum
    # (engine.language.wetten.legal_basis_links), only when asked for: None means not computed
    legal_basis_links: dict[str, list] | None = None

    def to_json(self, *, trace: bool = False) -> dict:
        data = {
            "case_id": self.case_id,
            "gemeente": self.gemeente,
            "peildatum": self.peildatum.isoformat(),
            "framework": self.framework,
            "engine_version": self.engine_version,
            "proposals": self.proposals,
            "entitlements": self.entitlements,
            "deadlines": self.deadlines,
            "signals": self.signals,
            "checks": self.checks,
            "missing_facts": self.missing_facts,
            "provisional": self.provisional,
        }
        if self.questions is not None:
            data["questions"] = self.questions
        if trace:
            data["trace"] = self.trace.to_json()
        if self.legal_basis_links is not None:
            data["legal_basis_links"] = self.legal_basis_links
        return data

    def to_json_text(self, *, trace: bool = False, indent: int | None = 2) -> str:
        return dumps(self.to_json(trace=trace), indent=indent)


def _complete(facts: Any) -> None:
    """The derived facts an assessment left out because nothing it ran reads them (engine.evaluation.facts.complete)."""
    if getattr(facts, "skipped", ()):
        from .facts import complete
        complete(facts)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return value


def _default(value: Any) -> Any:
    plain = _plain(value)
    if plain is value:
        raise TypeError(f"not JSON serialisable: {type(value).__name__}")
    return plain


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """The JSON text of `data`: compact (indent None) or indented by 2, non-ASCII as is, Decimal as its digits.

    Written by orjson (a tenth of an assessment's CPU less than the standard library's encoder); what orjson would
    write differently or not at all (a key that is not a string, an integer beyond 64 bits, a lone surrogate,
    another indent) goes to `json.dumps`, which gives the text both agree on for everything else."""
    if indent in (None, 2):
        try:
            return orjson.dumps(data, default=_default, option=_ORJSON_INDENT if indent else 0).decode("utf-8")
        except TypeError:  # orjson.JSONEncodeError: written below as before
            pass
    separators = (",", ": ") if indent is not None else (",", ":")
    return json.dumps(data, ensure_ascii=False, indent=indent, separators=separators, default=_default)


_ORJSON_INDENT = orjson.OPT_INDENT_2


def dumps_utf8(data: Any) -> bytes:
    """`dumps(data).encode("utf-8")` without the text in between (orjson writes UTF-8): for the service, which
    sends bytes."""
    try:
        return orjson.dumps(data, default=_default, option=_ORJSON_INDENT)
    except TypeError:  # what orjson writes differently: as `dumps` does
        return dumps(data).encode("utf-8")

"""Case + framework at the peildatum -> the facts rules and formulas read.

The result is a set of plain dicts keyed by fact name (`casus.inkomen`,
`persoon.leeftijd`, `hulpvraag.onderwerp`, a parameter name). A fact the case
does not give is simply absent (UNKNOWN to the evaluator), unless the contract
or the framework states a default. Parameter values are those in force on the
peildatum, with the municipality's override where it has one. Derived facts are
evaluated in dependency order.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .calc import UNKNOWN, FormulaError
from .case import Case, Hulpvraag
from .errors import Diagnostic, EvaluationError
from .framework import Framework
from .registry import BUILTINS, PERSON_ALIASES
from .termijnen import age


@dataclass
class Facts:
    base: dict[str, Any]  # casus, huishouden, aanvrager, partner, parameters, derived (non-person)
    persons: dict[str, dict[str, Any]]  # person id -> persoon.* facts
    parameters_used: dict[str, tuple[Decimal, _dt.date, str | None]] = field(default_factory=dict)
    _hulpvraag_env: dict[str, dict] = field(default_factory=dict)

    def hulpvraag(self, hv: Hulpvraag, framework: Framework) -> dict[str, Any]:
        env = self._hulpvraag_env.get(hv.id)
        if env is None:
            env = dict(self.base)
            env.update(self.persons.get(hv.persoon, {}))
            env["hulpvraag.domein"] = hv.domein
            env["hulpvraag.onderwerp"] = hv.onderwerp
            env["hulpvraag.verwijzer"] = hv.verwijzer or BUILTINS["hulpvraag.verwijzer"].default
            for key, info in framework.hulpvraag_facts.get(hv.domein, {}).items():
                if info.default is not None:
                    env[key] = info.default
            env.update(hv.facts)
            self._hulpvraag_env[hv.id] = env
        return env


def _person_facts(framework: Framework, case: Case, peildatum: _dt.date) -> dict[str, dict[str, Any]]:
    persons = {}
    declared_defaults = {key: info.default for key, info in framework.facts.items()
                         if key.startswith("persoon.") and info.declared_in is not None and info.default is not None}
    for person in case.personen:
        years, months = age(person.geboortedatum, peildatum)
        facts: dict[str, Any] = dict(declared_defaults)
        facts.update(person.facts)
        facts["persoon.rol"] = person.rol
        facts["persoon.leeftijd"] = years
        facts["persoon.leeftijd_maanden"] = months
        persons[person.id] = facts
    return persons


def _household(case: Case, persons: dict[str, dict]) -> dict[str, Any]:
    children = [p for p in case.personen if p.rol == "kind"]
    facts: dict[str, Any] = {
        "huishouden.aantal_personen": len(case.personen),
        "huishouden.aantal_volwassenen": sum(1 for p in case.personen if persons[p.id]["persoon.leeftijd"] >= 18),
        "huishouden.aantal_kinderen": len(children),
        "huishouden.aantal_minderjarige_kinderen": sum(1 for p in children if persons[p.id]["persoon.leeftijd"] < 18),
        "huishouden.heeft_partner": any(p.rol == "partner" for p in case.personen),
    }
    if children:
        facts["huishouden.jongste_kind_leeftijd"] = min(persons[p.id]["persoon.leeftijd"] for p in children)
    if case.woonsituatie is not None:
        facts["huishouden.woonsituatie"] = case.woonsituatie
    return facts


def _casus(framework: Framework, case: Case, gemeente: str, peildatum: _dt.date) -> dict[str, Any]:
    domains = sorted({hv.domein for hv in case.hulpvragen})
    facts: dict[str, Any] = {
        "casus.gemeente": gemeente,
        "casus.signalen": frozenset(case.signalen),
        "casus.domeinen": frozenset(domains),
        "casus.aantal_domeinen": len(domains),
        "casus.melding_ontvangen": case.melddatum is not None,
        "casus.aanvraag_ontvangen": case.aanvraagdatum is not None,
    }
    if case.melddatum is not None:
        facts["casus.dagen_sinds_melding"] = (peildatum - case.melddatum).days
        if case.aanvraagdatum is not None:
            facts["casus.dagen_melding_tot_aanvraag"] = (case.aanvraagdatum - case.melddatum).days
    if case.inkomen is not None:
        # the bijstand unit: aanvrager and partner (a lodger's or a child's earnings are not theirs)
        gezin = {p.id for p in case.personen if p.rol in ("aanvrager", "partner")}
        facts["casus.inkomen"] = sum((amount for who, _, amount in case.inkomen if who in gezin), Decimal("0.00"))
        facts["huishouden.inkomen"] = sum((amount for _, _, amount in case.inkomen), Decimal("0.00"))
    if case.vermogen is not None:
        facts["casus.vermogen"] = case.vermogen
    for key, info in framework.facts.items():
        if key.startswith("casus.") and info.declared_in is not None and info.default is not None:
            facts[key] = info.default
    facts.update(case.facts)
    return facts


def _copy_aliases(base: dict, case: Case, persons: dict[str, dict], keys=None) -> None:
    for alias in PERSON_ALIASES:
        person = next((p for p in case.personen if p.rol == alias), None)
        if person is None:
            continue
        for key, value in persons[person.id].items():
            if keys is None or key in keys:
                base[alias + key[len("persoon"):]] = value


def build_facts(framework: Framework, case: Case, gemeente: str, peildatum: _dt.date) -> Facts:
    persons = _person_facts(framework, case, peildatum)
    base: dict[str, Any] = {}
    used: dict[str, tuple[Decimal, _dt.date, str | None]] = {}
    for name in framework.parameters:
        parameter = framework.parameter(name, gemeente)
        found = parameter.at(peildatum)
        if found is not None:
            base[name] = found[0] if parameter.type != "geheel" else int(found[0])
            used[name] = (found[0], found[1], parameter.decision)
    base.update(_casus(framework, case, gemeente, peildatum))
    base.update(_household(case, persons))
    _copy_aliases(base, case, persons)
    base["__personen__"] = [persons[p.id] for p in case.personen]
    for derived in framework.derived:
        try:
            if derived.scope == "persoon":
                for person in case.personen:
                    facts = persons[person.id]
                    value = derived.evaluate({**base, **facts})
                    if value is not UNKNOWN:
                        facts[derived.key] = value
                _copy_aliases(base, case, persons, keys={derived.key})
            else:
                value = derived.evaluate(base)
                if value is not UNKNOWN:
                    base[derived.key] = value
        except FormulaError as exc:
            raise EvaluationError(Diagnostic("E910", f"afgeleid feit {derived.key}: {exc}", derived.span)) from None
    return Facts(base, persons, used)

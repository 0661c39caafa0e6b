"""A case from a parsed JSON document in one pass, without pydantic: the common path of a population line.

`case_from_json` builds exactly the `Case` that `engine.evaluation.case.case_from_document` builds, but only for
a case that the latter accepts without a word: every value of the one JSON type the contract wants for it (a
string, true/false, an integer, an object, an array), every key known, every check of the case contract and of the
framework's vocabulary passing. For anything else it returns None, and the caller takes the full path (pydantic's
validation and the checks of `_CaseChecker`), which says what is wrong and where. So this path never words an
error itself, and it only accepts a subset of what the full path accepts: when in doubt, it says None.

It uses the same value checks as the full path (`_plain_line`, `to_decimal`, `_check_value`, `_coerce`,
`date_problem`) and computes per framework what the full path looks up per case (the declared facts by scope and
domain, the onderwerpen per domain). tests/test_casejson.py compares the two paths on the population and on
mutated cases: the same case (`repr`, with every Decimal's digits and every dict's order) or None.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from typing import Any

from engine.language.framework import Framework
from engine.language.registry import INKOMENSSOORTEN, ROLES, VERWIJZERS, WOONSITUATIES
from engine.language.types import _plain_line, date_problem, to_decimal

from .casedata import Case, Hulpvraag, Person, _check_value, _coerce, _declared_table

_CASE_KEYS = frozenset(("id", "gemeente", "peildatum", "melddatum", "aanvraagdatum", "huishouden", "inkomen",
                        "vermogen", "hulpvragen", "signalen", "feiten"))
_HOUSEHOLD_KEYS = frozenset(("personen", "woonsituatie"))
_PERSON_KEYS = ("id", "rol", "geboortedatum", "beperkt", "studiefinanciering", "commerciele_huurder",
                "rechtmatig_verblijf")  # PersonIn's fields; any other key of a person is a fact
_FLAG_FIELDS = (("persoon.beperkt", "beperkt"), ("persoon.studiefinanciering", "studiefinanciering"),
                ("persoon.commerciele_huurder", "commerciele_huurder"),
                ("persoon.rechtmatig_verblijf", "rechtmatig_verblijf"))  # PersonIn's yes/no fields, in its order
_FLAGS = {"persoon.beperkt": False, "persoon.studiefinanciering": False, "persoon.commerciele_huurder": False,
          "persoon.rechtmatig_verblijf": True}  # their defaults
_FLAG_KEYS = frozenset(key for _, key in _FLAG_FIELDS)
_INCOME_KEYS = frozenset(("persoon", "soort", "netto_per_maand"))
_HULPVRAAG_KEYS = frozenset(("id", "domein", "onderwerp", "persoon", "verwijzer", "feiten"))
_ROLES = frozenset(ROLES)
_VERWIJZERS = frozenset(VERWIJZERS)
_WOONSITUATIES = frozenset(WOONSITUATIES)
_INKOMENSSOORTEN = frozenset(INKOMENSSOORTEN)
_CENT = Decimal("0.01")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATES: dict[str, _dt.date] = {}  # ISO text -> date already found in kader's calendar (dates repeat across cases)


class _Refuse(Exception):
    """Not a case this path is sure of: take the full path."""


class _Tables:
    """What the checks look up, once per framework object."""

    def __init__(self, framework: Framework):
        self.profiles = framework.profiles
        self.valid_from = framework.valid_from
        self.signals = framework.case_signals
        self.onderwerpen = {name: frozenset(domain.onderwerpen) for name, domain in framework.domains.items()}
        self.persoon = _scope(_declared_table(framework, "persoon", None))
        # a person's keys: its yes/no fields (PersonIn) and its declared yes/no facts -> the fact's key
        self.persoon_fields = ({**self.persoon[0], **{key: fact for fact, key in _FLAG_FIELDS}}, self.persoon[1])
        self.casus = _scope(_declared_table(framework, "casus", None))
        self.hulpvraag = {domain: _scope(_declared_table(framework, "hulpvraag", domain))
                          for domain in framework.domains}


def _scope(table: dict) -> tuple[dict, dict]:
    """(name -> key of every yes/no fact, name -> every declared fact) of one scope."""
    return {name: info.key for name, info in table.items() if info.type == "bool"}, table


def _tables(framework: Framework) -> _Tables:
    tables = framework.memo.get("casejson")
    if tables is None:
        tables = framework.memo["casejson"] = _Tables(framework)
    return tables


def _line(value: Any, longest: int | None = None) -> str:
    """A PlainLine (an id or a name): text on one line, without steering characters, 1..longest characters."""
    if type(value) is not str or (longest is not None and not 0 < len(value) <= longest):
        raise _Refuse
    try:
        return _plain_line(value)
    except ValueError:
        raise _Refuse from None


def _date(value: Any) -> _dt.date:
    """A Date as ISO text, or a date a YAML file gives (taken as it is, as _to_date does), in kader's calendar
    (engine.language.types._to_date, and no date_problem)."""
    found = _DATES.get(value) if type(value) is str else None
    if found is not None:
        return found
    if type(value) is _dt.date:  # not a datetime, which the contract refuses
        if date_problem(value):
            raise _Refuse
        return value
    if type(value) is not str or not _ISO_DATE.fullmatch(value):
        raise _Refuse
    try:
        day = _dt.date.fromisoformat(value)
    except ValueError:
        raise _Refuse from None
    if date_problem(day):
        raise _Refuse
    if len(_DATES) >= 4096:
        _DATES.clear()
    _DATES[value] = day
    return day


def _optional_date(data: dict, key: str) -> _dt.date | None:
    value = data.get(key)
    return None if value is None else _date(value)


_MONEY_TEXT = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,2})?\Z")  # an amount as `kader population` writes it


def _money(value: Any, *, allow_negative: bool) -> Decimal:
    """A Number (engine.language.types.to_decimal) with at most two decimals, not negative unless allowed."""
    if type(value) is str and _MONEY_TEXT.match(value):
        # what to_decimal reads (a subset of its _NUMBER_RE, below 10^15, at most two decimals): the same Decimal
        number = Decimal(value)
        if not allow_negative and number < 0:
            raise _Refuse
        return number
    if type(value) is not str and type(value) is not int:
        raise _Refuse  # a float is read by the full path as a Decimal of its digits; true/false is an error
    try:
        number = to_decimal(value)
    except ValueError:
        raise _Refuse from None
    if number != number.quantize(_CENT) or (not allow_negative and number < 0):
        raise _Refuse
    return number


def _facts(scope: tuple[dict, dict], given: Any, out: dict[str, Any]) -> dict[str, Any]:
    """`_CaseChecker.facts` for facts that pass: each known at its scope, each value of its type."""
    flags, table = scope
    for name, value in given.items():
        key = flags.get(name)
        if key is not None and (value is True or value is False):  # the common case
            out[key] = value
        else:
            _fact(table, name, value, out)
    return out


def _fact(table: dict, name: str, value: Any, out: dict[str, Any]) -> None:
    info = table.get(name)
    if info is None:
        raise _Refuse
    kind = type(value)
    if kind is not str and kind is not int and kind is not bool:
        raise _Refuse  # no float (the full path reads it as a Decimal of its digits), no null, list or object
    if _check_value(info, info.key, value) is not None:
        raise _Refuse
    out[info.key] = _coerce(info, value)


def _optional_mapping(data: dict, key: str) -> dict:
    value = data.get(key)
    if value is None:
        return {}  # absent, or `feiten: null`: no facts (the contract's default)
    if type(value) is not dict:
        raise _Refuse
    return value


def case_from_json(framework: Framework, data: Any, source: str) -> Case | None:
    """The case of a document parsed from JSON (strings, integers, true/false, null, lists and dicts, no floats
    needed) when it has nothing to report, else None (the full path then says what is wrong)."""
    try:
        return _case(_tables(framework), data, source)
    except _Refuse:
        return None


def _case(tables: _Tables, data: Any, source: str) -> Case:
    if type(data) is not dict or not _CASE_KEYS.issuperset(data):
        raise _Refuse
    case_id = _line(data.get("id"), 80)
    gemeente = _line(data.get("gemeente"))
    if gemeente not in tables.profiles:
        gemeente = gemeente.strip().lower()  # names are case-insensitive, as in _CaseChecker.check
        if gemeente not in tables.profiles:
            raise _Refuse
    peildatum = _date(data.get("peildatum"))
    if peildatum < tables.valid_from:
        raise _Refuse
    melddatum = _optional_date(data, "melddatum")
    aanvraagdatum = _optional_date(data, "aanvraagdatum")

    household = data.get("huishouden")
    if type(household) is not dict or not _HOUSEHOLD_KEYS.issuperset(household):
        raise _Refuse
    woonsituatie = household.get("woonsituatie")
    if woonsituatie is not None and (type(woonsituatie) is not str or woonsituatie not in _WOONSITUATIES):
        raise _Refuse
    people = household.get("personen")
    if type(people) is not list or not people:
        raise _Refuse
    persons: list[Person] = []
    ids: set[str] = set()
    applicants = partners = 0
    flags, persoon_facts = tables.persoon_fields
    for person in people:
        if type(person) is not dict:
            raise _Refuse
        person_id = _line(person.get("id"), 40)
        rol = person.get("rol")
        if type(rol) is not str or rol not in _ROLES or person_id in ids:
            raise _Refuse
        ids.add(person_id)
        applicants += rol == "aanvrager"
        partners += rol == "partner"
        birth = _date(person.get("geboortedatum"))
        if birth > peildatum:
            raise _Refuse
        facts = dict(_FLAGS)  # PersonIn's yes/no fields first, in its order, then the declared facts given
        for name, value in person.items():
            key = flags.get(name)
            if key is not None and (value is True or value is False):  # a declared yes/no fact, or a field
                facts[key] = value
            elif name not in _PERSON_KEYS:
                _fact(persoon_facts, name, value, facts)
            elif name in _FLAG_KEYS:
                raise _Refuse  # a yes/no field that is not true or false
        persons.append(Person(person_id, rol, birth, facts))
    if applicants != 1 or partners > 1:
        raise _Refuse

    income = data.get("inkomen")
    if income is not None:
        if type(income) is not list:
            raise _Refuse
        entries = []
        for entry in income:
            if type(entry) is not dict or len(entry) != 3 or not _INCOME_KEYS.issuperset(entry):
                raise _Refuse
            persoon = _line(entry["persoon"])
            soort = entry["soort"]
            if persoon not in ids or type(soort) is not str or soort not in _INKOMENSSOORTEN:
                raise _Refuse
            entries.append((persoon, soort, _money(entry["netto_per_maand"], allow_negative=False)))
        income = tuple(entries)
    assets = data.get("vermogen")
    if assets is not None:
        if type(assets) is not dict or len(assets) != 1 or "totaal" not in assets:
            raise _Refuse
        assets = _money(assets["totaal"], allow_negative=True)

    questions = data.get("hulpvragen")
    if type(questions) is not list or not questions:
        raise _Refuse
    hulpvragen: list[Hulpvraag] = []
    hv_ids: set[str] = set()
    for hv in questions:
        if type(hv) is not dict or not _HULPVRAAG_KEYS.issuperset(hv):
            raise _Refuse
        hv_id = _line(hv.get("id"), 40)
        domein = _line(hv.get("domein"))
        onderwerp = _line(hv.get("onderwerp"))
        persoon = _line(hv.get("persoon"))
        verwijzer = hv.get("verwijzer")
        if (hv_id in hv_ids or persoon not in ids or domein not in tables.onderwerpen
                or onderwerp not in tables.onderwerpen[domein]
                or (verwijzer is not None and (type(verwijzer) is not str or verwijzer not in _VERWIJZERS))):
            raise _Refuse
        hv_ids.add(hv_id)
        facts = _facts(tables.hulpvraag[domein], _optional_mapping(hv, "feiten"), {})
        hulpvragen.append(Hulpvraag(hv_id, domein, onderwerp, persoon, verwijzer, facts))

    signalen = data.get("signalen", ())
    if type(signalen) is not list and signalen != ():
        raise _Refuse
    for signal in signalen:
        if type(signal) is not str or signal not in tables.signals:
            raise _Refuse
    casus_facts = _facts(tables.casus, _optional_mapping(data, "feiten"), {})
    return Case(case_id, gemeente, peildatum, melddatum, aanvraagdatum, tuple(persons), woonsituatie, income, assets,
                tuple(hulpvragen), tuple(dict.fromkeys(signalen)), casus_facts, source, data)

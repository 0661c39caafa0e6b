"""Hypothesis strategies for cases, built from the framework's own vocabulary.

Nothing here names a fact, onderwerp, signal or norm of today's rules: the
domains and onderwerpen come from `framework.domains`, the facts a case may give
from `framework.facts` (type, allowed values, the domain that declares them and
the onderwerpen they matter for), the signals from `framework.case_signals`, and
the money and age boundaries from the parameters in force. When the rules
change, the generated cases follow.

A strategy yields case *data* (plain dicts, dates as `datetime.date`, money as
two-decimal strings, as a person would write them); `case_yaml` and `case_json`
turn it into text, and `load` reads that text through the real loader
(`engine.case_from_text`), so every generated case is also a test of the reader.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
from dataclasses import dataclass
from decimal import Decimal

import yaml
from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

import engine
from engine.language.registry import INKOMENSSOORTEN, VERWIJZERS, WOONSITUATIES

# Ages where the law draws a line: school age and minima schemes (4, 6), adulthood (18), the
# bijstand norms for young people (21), the kostendelersnorm and the study rule (27). The
# pensioengerechtigde leeftijd is read from the framework (any `*leeftijd_maanden` parameter).
BOUNDARY_AGES = (0, 4, 6, 12, 16, 17, 18, 20, 21, 26, 27, 40)
SAFETY_SIGNALS = ("huiselijk_geweld", "kindermishandeling")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Vocabulary:
    """What a case may say, read from one framework."""

    gemeenten: tuple[str, ...]
    valid_from: _dt.date
    peildata: tuple[_dt.date, ...]  # the days parameters change, to generate around
    domains: dict[str, tuple[str, ...]]
    person_facts: tuple[tuple[str, engine.language.framework.FactInfo], ...]
    casus_facts: tuple[tuple[str, engine.language.framework.FactInfo], ...]
    hulpvraag_facts: dict[str, tuple[tuple[str, engine.language.framework.FactInfo], ...]]  # domain -> facts
    case_signals: tuple[str, ...]
    onderwerpen: tuple[tuple[str, str], ...]  # every (domain, onderwerp)
    answered: tuple[tuple[str, str], ...]  # those some provision of the framework addresses
    money: tuple[Decimal, ...]  # every money parameter value: norms, limits, thresholds
    ages_months: tuple[int, ...]  # boundary ages in months


_VOCABULARIES: dict[str, Vocabulary] = {}


def vocabulary(framework: engine.Framework) -> Vocabulary:
    found = _VOCABULARIES.get(framework.hash)
    if found is not None:
        return found
    declared = {k: i for k, i in framework.facts.items() if i.declared_in is not None}

    def scoped(scope: str):
        return tuple(sorted((k.split(".", 1)[1], i) for k, i in declared.items() if k.startswith(scope + ".")))

    hulpvraag_facts = {  # hulpvraag facts are declared per domain (kader.yaml ones shared by all)
        domain: tuple(sorted((k.split(".", 1)[1], i) for k, i in framework.hulpvraag_facts.get(domain, {}).items()
                             if i.declared_in is not None))
        for domain in framework.domains
    }
    money: set[Decimal] = set()
    ages = {12 * a for a in BOUNDARY_AGES}
    starts: set[_dt.date] = set()
    for name, parameter in framework.parameters.items():
        starts.update(parameter.starts)
        if parameter.type == "geld":
            money.update(v for v in parameter.values if v is not None and v > 0)  # None: te verifiëren
        if parameter.type == "geheel" and name.endswith("leeftijd_maanden"):
            ages.update(int(v) for v in parameter.values if v is not None)
    for profile in framework.profiles.values():
        for parameter in profile.overrides.values():
            starts.update(parameter.starts)
    onderwerpen = tuple((d, o) for d, domain in framework.domains.items() for o in domain.onderwerpen)
    horizon = framework.valid_from + _dt.timedelta(days=5 * 366)
    peildata = tuple(sorted(d for s in starts for d in (s - _dt.timedelta(days=1), s)
                            if framework.valid_from <= d <= horizon))
    found = Vocabulary(
        gemeenten=tuple(sorted(framework.profiles)),
        valid_from=framework.valid_from,
        peildata=peildata or (framework.valid_from,),
        domains={name: tuple(d.onderwerpen) for name, d in framework.domains.items()},
        onderwerpen=onderwerpen,
        answered=tuple(pair for pair in onderwerpen if any(framework.provisions_for(*pair, g) for g in framework.profiles))
        or onderwerpen,
        person_facts=scoped("persoon"),
        casus_facts=scoped("casus"),
        hulpvraag_facts=hulpvraag_facts,
        case_signals=tuple(framework.case_signals),
        money=tuple(sorted(money)),
        ages_months=tuple(sorted(ages)),
    )
    _VOCABULARIES[framework.hash] = found
    return found


# ---------------------------------------------------------------- values


def money_text(value: Decimal) -> str:
    return format(value.quantize(CENT), "f")


@st.composite
def money(draw, vocab: Vocabulary, *, negative: bool = False) -> str:
    """A two-decimal amount: around a norm or limit of the framework (one cent either side), or anywhere."""
    kind = draw(st.sampled_from(("pivot", "pivot", "near", "free", "zero")))
    if kind == "zero" or not vocab.money:
        value = Decimal(0)
    elif kind == "free":
        value = Decimal(draw(st.integers(0, 1_000_000))) * CENT
    else:
        pivot = draw(st.sampled_from(vocab.money))
        share = draw(st.sampled_from((Decimal(1), Decimal(1), Decimal("1.1"), Decimal("1.2"), Decimal("0.5"),
                                      Decimal("0.25"))))
        delta = draw(st.sampled_from((-1, 0, 1))) if kind == "pivot" else draw(st.integers(-20_000, 20_000))
        value = max(Decimal(0), (pivot * share).quantize(CENT) + delta * CENT)
    if negative and draw(st.integers(0, 9)) == 0:
        value = -value
    return money_text(value)


@st.composite
def birth_date(draw, vocab: Vocabulary, peildatum: _dt.date, *, min_years: int = 0, max_years: int = 95) -> _dt.date:
    """A birth date that puts the person at, just before or just after a boundary age, or anywhere."""
    candidates = [m for m in vocab.ages_months if min_years * 12 <= m <= max_years * 12]
    if candidates and draw(st.booleans()):
        months = draw(st.sampled_from(candidates))
        shift = draw(st.sampled_from((-1, 0, 1, -31, 31)))
    else:
        months = draw(st.integers(min_years * 12, max_years * 12 + 11))
        shift = draw(st.integers(-15, 15))
    born = peildatum - relativedelta(months=months) + _dt.timedelta(days=shift)
    return min(born, peildatum)


def fact_value(vocab: Vocabulary, info, peildatum: _dt.date, *, rare_true: bool = False):
    """A valid value for a declared fact, by its type (with `rare_true`, a yes/no fact is mostly no)."""
    if info.type == "bool":
        return st.sampled_from((False, False, False, True)) if rare_true else st.booleans()
    if info.type == "geheel":
        return st.integers(0, 40)
    if info.type == "geld":
        return money(vocab)
    if info.type == "decimaal":
        return st.integers(0, 20_000).map(lambda cents: format(Decimal(cents) * CENT, "f"))
    if info.type == "tekst":
        if info.values:
            return st.sampled_from(info.values)
        return st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
    if info.type == "datum":
        return st.integers(-400, 60).map(lambda days: peildatum + _dt.timedelta(days=days))
    raise AssertionError(f"no strategy for fact type {info.type}")


@st.composite
def some_facts(draw, vocab: Vocabulary, facts, peildatum: _dt.date, *, onderwerp: str | None = None,
               rare_true: bool = False) -> dict:
    """Every relevant fact given (two times in three), or each one given or left out (unknown).

    Facts declared for another onderwerp only are given rarely.
    """
    result = {}
    complete = draw(st.integers(0, 2)) > 0
    for name, info in facts:
        relevant = onderwerp is None or not info.onderwerpen or onderwerp in info.onderwerpen
        if (relevant and complete) or draw(st.integers(0, 9)) < (7 if relevant else 1):
            result[name] = draw(fact_value(vocab, info, peildatum, rare_true=rare_true))
    return result


# ---------------------------------------------------------------- the case


@st.composite
def person(draw, vocab: Vocabulary, pid: str, rol: str, peildatum: _dt.date, *, min_years: int, max_years: int,
           plain: bool = False) -> dict:
    data = {"id": pid, "rol": rol,
            "geboortedatum": draw(birth_date(vocab, peildatum, min_years=min_years, max_years=max_years))}
    if plain and draw(st.integers(0, 3)):
        return data  # nothing special about this person: every flag and fact at its default or unknown
    for flag in ("beperkt", "studiefinanciering", "commerciele_huurder", "rechtmatig_verblijf"):
        choice = draw(st.sampled_from((None, None, False, True)))
        if choice is not None:
            data[flag] = choice
    # person facts are mostly circumstances that exclude (detention, a Wlz indication): mostly no
    data.update(draw(some_facts(vocab, vocab.person_facts, peildatum, rare_true=True)))
    return data


@st.composite
def peildatum(draw, vocab: Vocabulary) -> _dt.date:
    if draw(st.booleans()):
        return draw(st.sampled_from(vocab.peildata))
    return vocab.valid_from + _dt.timedelta(days=draw(st.integers(0, 4 * 365)))


@st.composite
def case_data(draw, framework: engine.Framework, *, max_hulpvragen: int = 4,
              focus: tuple[tuple[str, str], ...] | None = None, plain: bool = False) -> dict:
    """One household with its hulpvragen, valid against the case contract and the framework's vocabulary.

    With `focus` (pairs of domain and onderwerp) the first hulpvraag is one of those; the others come from
    every onderwerp, those that some provision answers more often than those no provision answers. With
    `plain`, most persons carry no flags or facts and yes/no facts are mostly no (so that exclusions such as
    detention or a voorliggende voorziening are rarer).
    """
    vocab = vocabulary(framework)
    peil = draw(peildatum(vocab))
    personen = [draw(person(vocab, "p1", "aanvrager", peil, min_years=16, max_years=90, plain=plain))]
    if draw(st.booleans()):
        personen.append(draw(person(vocab, "p2", "partner", peil, min_years=17, max_years=90, plain=plain)))
    for index in range(draw(st.integers(0, 3))):
        personen.append(draw(person(vocab, f"k{index + 1}", "kind", peil, min_years=0, max_years=30, plain=plain)))
    for index in range(draw(st.integers(0, 2))):
        personen.append(draw(person(vocab, f"h{index + 1}", "huisgenoot", peil, min_years=16, max_years=90,
                                    plain=plain)))
    ids = [p["id"] for p in personen]
    data: dict = {"id": "gegenereerd", "gemeente": draw(st.sampled_from(vocab.gemeenten)), "peildatum": peil}
    for field in ("melddatum", "aanvraagdatum"):
        if draw(st.booleans()):
            data[field] = peil - _dt.timedelta(days=draw(st.integers(0, 90)))
    data["huishouden"] = {"personen": personen}
    if draw(st.booleans()):
        data["huishouden"]["woonsituatie"] = draw(st.sampled_from(WOONSITUATIES))
    if draw(st.integers(0, 4)):
        data["inkomen"] = [{"persoon": draw(st.sampled_from(ids)), "soort": draw(st.sampled_from(INKOMENSSOORTEN)),
                            "netto_per_maand": draw(money(vocab))} for _ in range(draw(st.integers(0, 2)))]
    if draw(st.integers(0, 4)):
        data["vermogen"] = {"totaal": draw(money(vocab, negative=True))}
    hulpvragen = []
    for index in range(draw(st.integers(1, max_hulpvragen))):
        if hulpvragen and draw(st.integers(0, 3)) == 0:  # the same question again, e.g. for the partner
            earlier = draw(st.sampled_from(hulpvragen))
            domain, onderwerp = earlier["domein"], earlier["onderwerp"]
        else:
            choices = focus if focus and index == 0 else (vocab.answered if draw(st.integers(0, 4)) else vocab.onderwerpen)
            domain, onderwerp = draw(st.sampled_from(choices))
        hv = {"id": f"hv{index + 1}", "domein": domain, "onderwerp": onderwerp, "persoon": draw(st.sampled_from(ids))}
        if draw(st.integers(0, 3)) == 0:
            hv["verwijzer"] = draw(st.sampled_from(VERWIJZERS))
        feiten = draw(some_facts(vocab, vocab.hulpvraag_facts[domain], peil, onderwerp=onderwerp, rare_true=plain))
        if feiten:
            hv["feiten"] = feiten
        hulpvragen.append(hv)
    data["hulpvragen"] = hulpvragen
    signals = draw(st.lists(st.sampled_from(vocab.case_signals), unique=True, max_size=3)) if vocab.case_signals else []
    if signals:
        data["signalen"] = signals
    feiten = draw(some_facts(vocab, vocab.casus_facts, peil))
    if feiten:
        data["feiten"] = feiten
    return data


# ---------------------------------------------------------------- text and loading


def _plain(value):
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(type(value).__name__)


def case_yaml(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def case_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, default=_plain, indent=1)


def load(framework: engine.Framework, data: dict, *, as_json: bool = False) -> engine.Case:
    if as_json:
        return engine.case_from_text(framework, case_json(data), "gegenereerd.json", json_syntax=True)
    return engine.case_from_text(framework, case_yaml(data), "gegenereerd.yaml")


# ---------------------------------------------------------------- changes for monotonicity


def with_signal(data: dict, signal: str) -> dict:
    changed = copy.deepcopy(data)
    signals = changed.setdefault("signalen", [])
    if signal not in signals:
        signals.append(signal)
    return changed


def with_person(data: dict, extra: dict) -> dict:
    changed = copy.deepcopy(data)
    changed["huishouden"]["personen"].append(extra)
    return changed


def with_hulpvraag_fact(data: dict, fact: str, value, *, domains: set[str]) -> dict:
    """Set one hulpvraag fact on every hulpvraag of a domain that declares it."""
    changed = copy.deepcopy(data)
    for hv in changed["hulpvragen"]:
        if hv["domein"] in domains:
            hv.setdefault("feiten", {})[fact] = value
    return changed


def with_more_income(data: dict, cents: int, person_id: str) -> dict:
    changed = copy.deepcopy(data)
    entries = changed.setdefault("inkomen", [])
    if entries:
        entry = entries[0]
        entry["netto_per_maand"] = money_text(Decimal(entry["netto_per_maand"]) + cents * CENT)
    else:
        entries.append({"persoon": person_id, "soort": "overig", "netto_per_maand": money_text(cents * CENT)})
    return changed


def with_more_vermogen(data: dict, cents: int) -> dict:
    changed = copy.deepcopy(data)
    current = Decimal(changed.get("vermogen", {}).get("totaal", "0.00"))
    changed["vermogen"] = {"totaal": money_text(current + cents * CENT)}
    return changed

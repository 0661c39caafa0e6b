"""A synthetic, reproducible population of households for impact runs.

`generate(framework, size=..., seed=...)` yields cases as plain JSON-ready
dicts (the case contract of docs/case.md): household structure, ages,
incomes and vermogen drawn *relative to the framework's own norms*, requests
for help over the three domains with answers from the framework's declared
fact vocabulary, and signals. Nobody in it is real; ids are `pop-<seed>-<n>`.

Reproducible: case n draws from `random.Random("<seed>/<n>")` and from nothing
else (no global randomness, no clock), so the same seed and the same rules give
a byte-identical file, and the first k cases do not depend on `size`. Because
the vocabulary (onderwerpen, facts, signals) and the norms are read from the
framework, the population follows the rules as they change.

Why each distribution looks the way it does: docs/population.md.
"""

from __future__ import annotations

import datetime as _dt
import json
import random
from decimal import Decimal
from typing import Any, Iterator

from engine.errors import CaseFileError, Diagnostic, EvaluationError, Span, UsageError
from engine.evaluation.case import case_from_document
from engine.evaluation.facts import build_facts
from engine.language.calc import UNKNOWN
from engine.language.framework import FactInfo, Framework
from engine.language.registry import INKOMENSSOORTEN, VERWIJZERS, WOONSITUATIES
from engine.language.sources import Document

DEFAULT_PEILDATUM = _dt.date(2026, 1, 1)
CENT = Decimal("0.01")

# -- municipalities: inhabitants, rounded (assumption, see docs/population.md)
INWONERS = {"baarn": 25_000, "bunschoten": 22_500, "soest": 47_500}
INWONERS_ONBEKEND = 25_000

# -- household types of households that ask for help, per municipality
HOUSEHOLD_TYPES = ("alleenstaande", "alleenstaande_ouder", "paar", "paar_met_kinderen")
HOUSEHOLD_MIX = {
    "baarn": (42, 10, 25, 23),
    "bunschoten": (33, 9, 23, 35),
    "soest": (42, 11, 24, 23),
}
HOUSEHOLD_MIX_DEFAULT = (40, 10, 24, 26)
HUISGENOOT_RATE = 0.08  # an adult housemate who is neither partner nor child (a possible kostendeler)
ADULT_CHILD_RATE = 0.12  # a parent of 38+ also has a child of 18 or older living at home

# -- age of the aanvrager: bands (from, to inclusive) with weights per household type
AGE_BANDS = ((18, 20), (21, 26), (27, 44), (45, 66), (67, 79), (80, 95))
AGE_WEIGHTS = {
    "alleenstaande": (4, 10, 22, 30, 22, 12),
    "alleenstaande_ouder": (3, 10, 62, 25, 0, 0),
    "paar": (1, 6, 18, 35, 28, 12),
    "paar_met_kinderen": (1, 5, 64, 30, 0, 0),
}
OLDER_SHIFT = {"baarn": 1.15, "bunschoten": 0.85, "soest": 1.10}  # weight factor for the 67+ bands
CHILD_COUNTS = {"bunschoten": (30, 35, 22, 13)}  # 1, 2, 3, 4 children
CHILD_COUNTS_DEFAULT = (40, 38, 15, 7)

# -- person flags of the contract, by age (share with own limitations)
BEPERKT_BY_AGE = ((45, 0.08), (67, 0.18), (80, 0.35), (200, 0.60))  # (below age, share)
WOONSITUATIE_MIX = {"huurwoning": 56, "koopwoning": 34, "inwonend": 6, "instelling": 1, "geen_vaste_woonplek": 1}
WOONSITUATIE_UNKNOWN = 0.02

# -- income as a ratio of the household's applicable norm; vermogen as a ratio of its limit
INCOME_MISSING = 0.02
INCOME_MIX = (("geen", 8), ("laag", 12), ("rond_norm", 65), ("staart", 15))
VERMOGEN_MISSING = 0.03
VERMOGEN_MIX = (("schuld", 6), ("laag", 44), ("midden", 15), ("rond_grens", 25), ("hoog", 10))
FALLBACK_NORM = Decimal("1401.50")  # only if the framework cannot give a norm for the household
FALLBACK_GRENS = Decimal("8000.00")

# -- requests for help
HULPVRAAG_COUNTS = (60, 28, 12)  # 1, 2, 3 hulpvragen
DOMAIN_WEIGHTS = {"wmo": 1.0, "jeugd": 2.5, "werk_inkomen": 1.5}  # jeugd only in households with minors
ONDERWERP_WEIGHTS = {
    "wmo": {"huishouden": 30, "hulpmiddelen": 15, "mobiliteit": 15, "begeleiding": 15, "woning": 7,
            "dagbesteding": 6, "mantelzorg": 3, "clientondersteuning": 3, "respijt": 2, "beschermd_wonen": 2,
            "opvang": 2},
    "jeugd": {"opvoeding": 30, "psychisch": 25, "ontwikkeling": 20, "gedrag": 15, "beperking": 10},
    "werk_inkomen": {"levensonderhoud": 30, "schulden": 25, "bijzondere_kosten": 20, "werk": 8,
                     "inkomenstoeslag": 8, "inburgering": 6, "studietoeslag": 3},
}
ONDERWERP_WEIGHT_UNKNOWN = 2
VERWIJZER_MIX = {"huisarts": 35, "jeugdarts": 10, "medisch_specialist": 5, "gecertificeerde_instelling": 3}
VERWIJZER_NONE = 47

# Answers to the framework's questions. A hulpvraag gets a latent zwaarte in [0, 1); a question whose
# "yes" means lighter help suffices is true below its threshold, one whose "yes" means heavier help is
# needed is true above it, so the answers of one hulpvraag hang together. Other yes/no questions have
# a plain rate; a question nobody listed here (a new rule) is true with GENERIC_TRUE.
LIGHT_BELOW = {
    "eigen_kracht_toereikend": 0.15, "algemeen_gebruikelijke_voorziening": 0.25, "mantelzorg_beschikbaar": 0.40,
    "regie_over_huishouden": 0.45, "eigen_mogelijkheden_toereikend": 0.15, "lichte_opvoedvraag": 0.35,
    "basishulp_volstaat": 0.55, "zelf_in_staat_met_informatie": 0.25, "kan_budget_zelf_beheren": 0.55,
}
HEAVY_ABOVE = {
    "schulden_problematisch": 0.35, "bewind_nodig": 0.85, "dagbehandeling_nodig": 0.80, "verblijf_nodig": 0.90,
    "psychische_problematiek_zelfstandig_wonen_onmogelijk": 0.75,
}
TRUE_RATES = {
    "voorliggende_voorziening": 0.15, "pleeggezin_in_belang_kind": 0.70, "meervoudige_oorzaken": 0.10,
    "wlz_indicatie": 0.03, "verblijft_in_inrichting": 0.005, "ingezetene_van_nederland": 0.99,
    "gedetineerd": 0.003, "verblijf_buitenland_langer_dan_4_weken": 0.01, "medisch_urenbeperkt": 0.08,
    "pro_vso_afgelopen_jaar": 0.05, "onvoldoende_ouderlijke_steun": 0.50,
    "bloedverwant_eerste_of_tweede_graad": 0.50, "betaalt_wlz_of_bw_bijdrage": 0.02,
    # among relative housemates most are a parent or an adult child (the other relatives: siblings, grandparents,
    # in-laws); few of the others are second-degree blood relatives with a care need
    "bloedverwant_eerste_graad": 0.65, "bloedverwant_tweede_graad_met_zorgbehoefte": 0.10,
    # Participatiewet art. 3 lid 2 onder a and lid 4, art. 24a: rare situations, except that a partner is mostly
    # also the toeslagpartner
    "samenwonen_wegens_zorgbehoefte": 0.02, "partner_is_toeslagpartner": 0.90, "gehuwd_geweest_met_huisgenoot": 0.02,
    "kind_met_huisgenoot": 0.02, "samenlevingscontract_met_huisgenoot": 0.02, "geregistreerd_met_huisgenoot": 0.02,
}
PERSON_FACT_ROLES = {  # asked only about these roles
    "bloedverwant_eerste_of_tweede_graad": ("huisgenoot",), "bloedverwant_eerste_graad": ("huisgenoot",),
    "bloedverwant_tweede_graad_met_zorgbehoefte": ("huisgenoot",),
}
# person questions asked only after an answer to another (drawn after it, in this order): whether a relative
# housemate is a parent or child (Participatiewet art. 3 lid 2 onder a, Wmo 2015 art. 1.1.2 lid 2 onder a) only for
# a relative; whether a relative who is no parent or child is a second-degree blood relative with a care need (the
# exception before 2026) only when he is known not to be one
PERSON_FACT_AFTER = {
    "bloedverwant_eerste_graad": ("bloedverwant_eerste_of_tweede_graad", True),
    "bloedverwant_tweede_graad_met_zorgbehoefte": ("bloedverwant_eerste_graad", False),
}
PERSON_FACT_AGES = {  # person questions an assessor only asks in an age range (from, to inclusive)
    "onvoldoende_ouderlijke_steun": (18, 20), "medisch_urenbeperkt": (18, 26), "pro_vso_afgelopen_jaar": (18, 26),
}
GENERIC_TRUE = 0.30
UNANSWERED = 0.07  # a question without a default is left open (unknown) this often
MONEY_MEDIAN = 250  # a money question (e.g. noodzakelijke_bijzondere_kosten): log-normal around this

# -- signals per household; a signal the framework adds later gets SIGNAL_UNKNOWN
SIGNAL_RATES = {
    "schulden": 0.14, "huisuitzetting_dreigt": 0.025, "afsluiting_energie_dreigt": 0.02,
    "afsluiting_water_dreigt": 0.005, "opzegging_zorgverzekering_dreigt": 0.015, "huiselijk_geweld": 0.03,
    "kindermishandeling": 0.03, "dakloos": 0.0, "crisis": 0.015,
}
SIGNAL_UNKNOWN = 0.01
SCHULDEN_BELOW_NORM = 0.30  # schulden signal when the income is below the norm
SCHULDEN_WITH_HULPVRAAG = 0.60  # ... and when the household asks for help with schulden


def generate(framework: Framework, *, size: int, seed: int, gemeente: str | None = None,
             peildatum: _dt.date | None = None) -> Iterator[dict]:
    """The `size` cases, lazily; raises UsageError at once for a bad gemeente, size or peildatum."""
    peildatum = peildatum or DEFAULT_PEILDATUM
    if size < 0:
        raise UsageError(Diagnostic("E720", f"--size moet 0 of meer zijn, niet {size}", Span("--size", 1, 1)))
    if gemeente is not None and gemeente not in framework.profiles:
        raise UsageError(Diagnostic("E721", f"onbekende gemeente '{gemeente}'; kies uit "
                                    + ", ".join(sorted(framework.profiles)), Span("--gemeente", 1, 1)))
    if peildatum < framework.valid_from:
        raise UsageError(Diagnostic("E722", f"peildatum {peildatum} ligt vóór het begin van het kader "
                                    f"({framework.valid_from})", Span("--peildatum", 1, 1)))
    return _cases(_Builder(framework, peildatum), size, seed, gemeente)


def _cases(builder: "_Builder", size: int, seed: int, gemeente: str | None) -> Iterator[dict]:
    for index in range(size):
        rng = random.Random(f"{seed}/{index}")
        yield builder.case(rng, f"pop-{seed}-{index + 1:06d}", gemeente)


def case_line(case: dict) -> str:
    """One line of a population file: compact JSON, keys in contract order, no trailing newline."""
    return json.dumps(case, ensure_ascii=False, separators=(",", ":"))


class _Builder:
    def __init__(self, framework: Framework, peildatum: _dt.date):
        self.framework = framework
        self.peildatum = peildatum
        gemeenten = sorted(framework.profiles)
        self.gemeenten = gemeenten
        self.gemeente_weights = [INWONERS.get(g, INWONERS_ONBEKEND) for g in gemeenten]
        declared = [info for info in framework.facts.values() if info.declared_in is not None]
        # hulpvraag facts are declared per domain (kader.yaml ones shared by all)
        self.hv_facts = {domain: sorted((i for i in facts.values() if i.declared_in is not None), key=lambda i: i.key)
                         for domain, facts in framework.hulpvraag_facts.items()}
        self.person_facts = [i for i in declared if i.key.startswith("persoon.")]
        self.casus_facts = [i for i in declared if i.key.startswith("casus.")]
        self.signals = list(framework.case_signals)
        bijstand = framework.entitlements.get("algemene_bijstand")
        self.norm = next((evaluate for name, _, evaluate in bijstand.amounts if name == "norm"), None) if bijstand else None

    # ------------------------------------------------------------ one case

    def case(self, rng: random.Random, case_id: str, gemeente: str | None) -> dict:
        gemeente = gemeente or rng.choices(self.gemeenten, self.gemeente_weights)[0]
        kind = rng.choices(HOUSEHOLD_TYPES, HOUSEHOLD_MIX.get(gemeente, HOUSEHOLD_MIX_DEFAULT))[0]
        persons, ages = self.persons(rng, gemeente, kind)
        melddatum = self.peildatum - _dt.timedelta(days=rng.randrange(0, 43))
        case: dict[str, Any] = {"id": case_id, "gemeente": gemeente, "peildatum": self.peildatum.isoformat(),
                                "melddatum": melddatum.isoformat()}
        if rng.random() < 0.4:
            aanvraag = min(melddatum + _dt.timedelta(days=rng.randrange(0, 15)), self.peildatum)
            case["aanvraagdatum"] = aanvraag.isoformat()
        household: dict[str, Any] = {"personen": persons}
        if rng.random() >= WOONSITUATIE_UNKNOWN:
            household["woonsituatie"] = _weighted(rng, {k: v for k, v in WOONSITUATIE_MIX.items() if k in WOONSITUATIES})
        case["huishouden"] = household
        hulpvragen = self.hulpvragen(rng, persons, ages)
        case["hulpvragen"] = hulpvragen
        # the casus answers first: some decide the norm (Participatiewet art. 3 lid 2 onder a, art. 24a), and the
        # income is drawn around the norm this household really has
        feiten = self.answers(rng, self.casus_facts, 0.0)
        if feiten:
            case["feiten"] = feiten
        norm, grens = self.norms(case, gemeente)
        case.pop("feiten", None)
        ratio = self.income(rng, case, persons, ages, norm)
        schulden_hv = any(hv["onderwerp"] == "schulden" for hv in hulpvragen)
        signals = self.draw_signals(rng, ratio, schulden_hv, any(a < 18 for a in ages.values()),
                                    household.get("woonsituatie") == "geen_vaste_woonplek")
        self.vermogen(rng, case, grens, "schulden" in signals)
        case["hulpvragen"] = case.pop("hulpvragen")  # contract order: inkomen and vermogen come first
        case["signalen"] = signals
        if feiten:
            case["feiten"] = feiten
        self.check(case)
        return case

    # ------------------------------------------------------------ the household

    def persons(self, rng: random.Random, gemeente: str, kind: str) -> tuple[list[dict], dict[str, int]]:
        weights = list(AGE_WEIGHTS[kind])
        shift = OLDER_SHIFT.get(gemeente, 1.0)
        weights = [w * shift if band[0] >= 67 else w for w, band in zip(weights, AGE_BANDS, strict=True)]
        low, high = rng.choices(AGE_BANDS, weights)[0]
        age = rng.randint(low, high)
        persons = [self.person(rng, "p1", "aanvrager", age)]
        ages = {"p1": age}
        if kind in ("paar", "paar_met_kinderen"):
            partner_age = min(max(age + round(rng.gauss(0, 4)), 18), 99)
            persons.append(self.person(rng, "p2", "partner", partner_age))
            ages["p2"] = partner_age
        if kind in ("alleenstaande_ouder", "paar_met_kinderen"):
            count = rng.choices((1, 2, 3, 4), CHILD_COUNTS.get(gemeente, CHILD_COUNTS_DEFAULT))[0]
            youngest_parent = min(ages.values())
            for n in range(count):
                child_age = rng.randint(0, max(0, min(17, youngest_parent - 18)))
                persons.append(self.person(rng, f"k{n + 1}", "kind", child_age))
                ages[f"k{n + 1}"] = child_age
            if youngest_parent >= 38 and rng.random() < ADULT_CHILD_RATE:
                child_age = rng.randint(18, youngest_parent - 20)
                persons.append(self.person(rng, f"k{count + 1}", "kind", child_age))
                ages[f"k{count + 1}"] = child_age
        if rng.random() < HUISGENOOT_RATE:
            housemate_age = rng.randint(19, 70)
            housemate = self.person(rng, "h1", "huisgenoot", housemate_age)
            if rng.random() < 0.35:
                housemate["commerciele_huurder"] = True
            if housemate_age < 30 and rng.random() < 0.30:
                housemate["studiefinanciering"] = True
            persons.append(housemate)
            ages["h1"] = housemate_age
        return persons, ages

    def person(self, rng: random.Random, pid: str, rol: str, age: int) -> dict:
        anniversary = _dt.date(self.peildatum.year - age, self.peildatum.month, min(self.peildatum.day, 28))
        born = anniversary - _dt.timedelta(days=rng.randrange(0, 365))
        person: dict[str, Any] = {"id": pid, "rol": rol, "geboortedatum": born.isoformat()}
        if age >= 18 and rng.random() < next(share for below, share in BEPERKT_BY_AGE if age < below):
            person["beperkt"] = True
        if 18 <= age < 27 and rol in ("aanvrager", "partner", "kind") and rng.random() < 0.15:
            person["studiefinanciering"] = True
        if rng.random() < 0.005:
            person["rechtmatig_verblijf"] = False
        facts = [f for f in self.person_facts if age >= 18 or f.declared_in == "kader"]
        order = list(PERSON_FACT_AFTER)
        facts.sort(key=lambda f: order.index(_name(f)) + 1 if _name(f) in order else 0)  # stable: others keep order
        for info in facts:
            after = PERSON_FACT_AFTER.get(_name(info))
            if after is not None:
                earlier = next((f for f in self.person_facts if _name(f) == after[0]), None)
                given = person.get(after[0], earlier.default if earlier is not None else None)
                if given is not after[1]:
                    continue  # asked only after that answer
            ages = PERSON_FACT_AGES.get(_name(info))
            if ages is not None and not ages[0] <= age <= ages[1]:
                continue
            if rol not in PERSON_FACT_ROLES.get(_name(info), (rol,)):
                continue
            value = self.answer(rng, info, 0.0)
            if value is not _OMIT:
                person[_name(info)] = value
        return person

    # ------------------------------------------------------------ requests for help

    def hulpvragen(self, rng: random.Random, persons: list[dict], ages: dict[str, int]) -> list[dict]:
        minors = [p["id"] for p in persons if ages[p["id"]] < 18]
        aanvrager_age = ages["p1"]
        weights = {}
        for domain in self.framework.domains:
            weight = DOMAIN_WEIGHTS.get(domain, 1.0)
            if domain == "wmo" and aanvrager_age >= 65:
                weight *= 3
            if domain == "jeugd" and not minors:
                weight = 0.0
            if domain == "werk_inkomen" and aanvrager_age >= 67:
                weight *= 0.3
            weights[domain] = weight
        wanted = rng.choices((1, 2, 3), HULPVRAAG_COUNTS)[0]
        taken: set[tuple[str, str]] = set()
        result = []
        for _ in range(wanted * 3):  # a few tries: one household asks about one onderwerp once
            if len(result) == wanted:
                break
            domain = _weighted(rng, weights)
            onderwerpen = self.framework.domains[domain].onderwerpen
            known = ONDERWERP_WEIGHTS.get(domain, {})
            onderwerp = _weighted(rng, {o: known.get(o, ONDERWERP_WEIGHT_UNKNOWN) for o in onderwerpen})
            if (domain, onderwerp) in taken:
                continue
            taken.add((domain, onderwerp))
            result.append(self.hulpvraag(rng, f"hv{len(result) + 1}", domain, onderwerp, persons, ages, minors))
        return result

    def hulpvraag(self, rng: random.Random, hv_id: str, domain: str, onderwerp: str, persons: list[dict],
                  ages: dict[str, int], minors: list[str]) -> dict:
        if domain == "jeugd" and minors:
            who = rng.choice(minors)
        elif domain == "wmo":
            adults = [p for p in persons if p["rol"] in ("aanvrager", "partner")]
            limited = [p for p in adults if p.get("beperkt")]
            who = rng.choice(limited or adults)["id"]
        else:
            who = "p1"
        hulpvraag: dict[str, Any] = {"id": hv_id, "domein": domain, "onderwerp": onderwerp, "persoon": who}
        if domain == "jeugd" and rng.random() * 100 >= VERWIJZER_NONE:
            hulpvraag["verwijzer"] = _weighted(rng, {k: v for k, v in VERWIJZER_MIX.items() if k in VERWIJZERS})
        zwaarte = rng.betavariate(1.4, 2.2)
        feiten = {}
        for info in self.hv_facts.get(domain, ()):
            if info.onderwerpen and onderwerp not in info.onderwerpen:
                continue
            value = self.answer(rng, info, zwaarte)
            if value is not _OMIT:
                feiten[_name(info)] = value
        if feiten:
            hulpvraag["feiten"] = feiten
        return hulpvraag

    def answers(self, rng: random.Random, facts: list[FactInfo], zwaarte: float) -> dict:
        result = {}
        for info in facts:
            value = self.answer(rng, info, zwaarte)
            if value is not _OMIT:
                result[_name(info)] = value
        return result

    def answer(self, rng: random.Random, info: FactInfo, zwaarte: float) -> Any:
        """An answer to one declared question, or _OMIT (left open, or the default that needs no saying)."""
        name = _name(info)
        if info.default is None and rng.random() < UNANSWERED:
            return _OMIT
        if info.type == "bool":
            if name in LIGHT_BELOW:
                value = zwaarte < LIGHT_BELOW[name]
            elif name in HEAVY_ABOVE:
                value = zwaarte > HEAVY_ABOVE[name]
            else:
                value = rng.random() < TRUE_RATES.get(name, GENERIC_TRUE)
        elif info.type == "geld":
            amount = Decimal(str(round(min(max(rng.lognormvariate(0, 1.0) * MONEY_MEDIAN, 5), 10_000), 2)))
            value = format(amount.quantize(CENT), "f")
        elif info.type == "geheel":
            value = rng.randint(0, 5)
        elif info.type == "decimaal":
            value = format(Decimal(rng.randrange(0, 10_001)) / 100, "f")
        elif info.type == "tekst" and info.values:
            value = rng.choice(info.values)
        else:  # free text or a date: nothing plausible to invent (docs/population.md)
            return _OMIT
        if info.default is not None and value == info.default:
            return _OMIT
        return value

    # ------------------------------------------------------------ money

    def norms(self, case: dict, gemeente: str) -> tuple[Decimal | None, Decimal | None]:
        """The household's applicable norm and vermogensgrens, as the framework computes them."""
        parsed = self.parse(case)
        facts = build_facts(self.framework, parsed, gemeente, self.peildatum)
        norm = self.norm(facts.base) if self.norm is not None else UNKNOWN
        grens = facts.base.get("huishouden.vermogensgrens", UNKNOWN)
        return (norm if norm is not UNKNOWN and norm > 0 else None,
                grens if grens is not UNKNOWN and grens > 0 else None)

    def income(self, rng: random.Random, case: dict, persons: list[dict], ages: dict[str, int],
               norm: Decimal | None) -> Decimal | None:
        if rng.random() < INCOME_MISSING:
            return None
        band = _weighted(rng, dict(INCOME_MIX))
        if band == "geen":
            case["inkomen"] = []
            return Decimal(0)
        if band == "laag":
            ratio = rng.uniform(0.30, 0.90)
        elif band == "rond_norm":
            ratio = rng.uniform(0.90, 1.30)
        else:
            ratio = min(1.30 + rng.expovariate(2.0), 4.0)
        total = ((norm or FALLBACK_NORM) * Decimal(str(round(ratio, 4)))).quantize(CENT)
        aow = ages["p1"] >= 67
        soort = "pensioen" if aow else ("loon" if rng.random() < 0.55 else "uitkering")
        partner = next((p for p in persons if p["rol"] == "partner"), None)
        entries = []
        if partner is not None and rng.random() < 0.5:
            share = (total * Decimal(str(round(rng.uniform(0.1, 0.5), 2)))).quantize(CENT)
            partner_soort = "pensioen" if ages[partner["id"]] >= 67 else ("loon" if rng.random() < 0.6 else "uitkering")
            entries.append({"persoon": "p1", "soort": _soort(soort), "netto_per_maand": format(total - share, "f")})
            entries.append({"persoon": partner["id"], "soort": _soort(partner_soort), "netto_per_maand": format(share, "f")})
        else:
            entries.append({"persoon": "p1", "soort": _soort(soort), "netto_per_maand": format(total, "f")})
        case["inkomen"] = entries
        return Decimal(str(round(ratio, 4))) if norm else None

    def vermogen(self, rng: random.Random, case: dict, grens: Decimal | None, schulden: bool) -> None:
        if rng.random() < VERMOGEN_MISSING:
            return
        grens = grens or FALLBACK_GRENS
        band = "schuld" if schulden and rng.random() < 0.30 else _weighted(rng, dict(VERMOGEN_MIX))
        if band == "schuld":
            amount = -Decimal(rng.randrange(10_000, 1_500_000)) / 100
        else:
            low, high = {"laag": (0.0, 0.25), "midden": (0.25, 0.80), "rond_grens": (0.80, 1.20), "hoog": (1.20, 6.0)}[band]
            amount = grens * Decimal(str(round(rng.uniform(low, high), 4)))
        case["vermogen"] = {"totaal": format(amount.quantize(CENT), "f")}

    # ------------------------------------------------------------ signals

    def draw_signals(self, rng: random.Random, ratio: Decimal | None, schulden_hv: bool, minors: bool,
                     homeless: bool) -> list[str]:
        found = []
        for signal in self.signals:
            rate = SIGNAL_RATES.get(signal, SIGNAL_UNKNOWN)
            if signal == "schulden":
                if schulden_hv:
                    rate = SCHULDEN_WITH_HULPVRAAG
                elif ratio is not None and ratio < 1:
                    rate = SCHULDEN_BELOW_NORM
            elif signal == "kindermishandeling" and not minors:
                rate = 0.0
            elif signal == "dakloos":
                rate = 1.0 if homeless else 0.0
            if rng.random() < rate:
                found.append(signal)
        return found

    # ------------------------------------------------------------ checks

    def parse(self, case: dict):
        return case_from_document(self.framework, Document("<populatie>", case, None))

    def check(self, case: dict) -> None:
        """Every generated case passes the framework's case validation (or this is a bug, said loudly)."""
        try:
            self.parse(case)
        except CaseFileError as exc:
            raise EvaluationError(Diagnostic("E723", f"de populatiegenerator maakte casus {case['id']} die het kader "
                                             f"weigert: {exc.diagnostics[0].message}", Span("<populatie>", 1, 1))) from None


class _Omit:
    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "<omit>"


_OMIT = _Omit()


def _name(info: FactInfo) -> str:
    return info.key.split(".", 1)[1]


def _soort(soort: str) -> str:
    return soort if soort in INKOMENSSOORTEN else "overig"


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]

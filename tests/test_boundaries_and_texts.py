"""Consistency of the texts and the reading of boundaries (issue 11 item 10).

- Participatiewet art. 19 lid 1 onder a: the income must be "lager dan" the norm (strict): equal gives no right.
- art. 34 lid 2 onder b: vermogen is exempt "voorzover dit minder bedraagt dan" the limit, so only the part above
  the limit counts (inclusive): vermogen equal to the limit leaves nothing to take into account.
- Wmo 2015 art. 2.3.5 lid 6: a Wlz indication (a CIZ decision) is a ground to refuse maatwerk, a pending
  application is not; the question and the rule's reason must say the same.
"""

from __future__ import annotations

import re

import engine
from engine.language.ir import Cmp, Ref, render, walk

from .conftest import make_case, person


def bijstand(framework, inkomen: str, vermogen: str):
    case = make_case(framework, huishouden={"personen": [person("p1", "aanvrager", "1980-05-01")],
                                            "woonsituatie": "huurwoning"},
                     inkomen=[{"persoon": "p1", "soort": "uitkering", "netto_per_maand": inkomen}],
                     vermogen={"totaal": vermogen})
    result = engine.assess(framework, case)
    return next(e for e in result.entitlements if e["id"] == "algemene_bijstand")


def test_income_equal_to_the_norm_gives_no_bijstand_and_one_cent_less_does(framework):
    # 2026-03-01, art. 21 onder a: 1401.50
    assert bijstand(framework, "1401.50", "0.00")["eligible"] is False
    item = bijstand(framework, "1401.49", "0.00")
    assert (item["eligible"], item["bedrag"]) == (True, "0.01")


def test_vermogen_equal_to_the_limit_is_allowed_and_one_cent_more_is_not(framework):
    # 2026, art. 34 lid 3 onder a: 8000.00
    assert bijstand(framework, "0.00", "8000.00")["eligible"] is True
    assert bijstand(framework, "0.00", "8000.01")["eligible"] is False


def test_the_wlz_question_and_the_rule_reason_agree_that_an_application_does_not_count(framework):
    question = framework.facts["persoon.wlz_indicatie"].label
    assert "Alleen een aanvraag telt" in question and "niet" in question
    rule = framework.rules["wmo.wlz_voorliggend"]
    assert "lopende aanvraag is geen grond" in rule.reason
    assert "of die is aangevraagd" not in rule.reason


READING = re.compile(r"strikt|inclusief|ten minste|ten hoogste|tot en met|gelijk aan|op of boven|niet boven|niet meer dan|"
                     r"op of onder|niet hoger dan|lager dan|minder dan|meer dan|hoger dan|jonger dan|nog niet|bereikt|te boven|vanaf", re.I)


def _thresholds(framework, node) -> list[str]:
    """The order comparisons in a condition that involve a parameter or a norm/limit derived from one."""
    found = []
    for cmp in walk(node):
        if isinstance(cmp, Cmp) and cmp.op in ("<", "<=", ">", ">="):
            keys = {ref.key for ref in walk(cmp) if isinstance(ref, Ref)}
            if any(k in framework.parameters or k in LIMITS for k in keys):
                found.append(render(cmp))
    return found


LIMITS = {"huishouden.bijstandsnorm", "huishouden.vermogensgrens", "huishouden.minimanorm"}


def test_spec_every_comparison_against_a_limit_states_its_reading(framework):
    """Issue 11 item 10: where a rule or an entitlement criterion compares a fact with a limit of the law (a
    parameter, the norm, the vermogensgrens), its reason says whether the limit itself is in or out ("lager dan",
    "ten minste", "strikt", "inclusief", "nog niet bereikt", ...), so a reader can check the boundary against the
    article (e.g. Participatiewet art. 19 lid 1 onder a "lager is dan": strict; art. 34 lid 2 onder b "minder bedraagt
    dan": the part above the limit counts)."""
    silent = []
    for rule in framework.rules.values():
        if _thresholds(framework, rule.when) and not READING.search(rule.reason or ""):
            silent.append(rule.id)
    entitlements = list(framework.entitlements.values())
    entitlements += [e for p in framework.profiles.values() for e in p.entitlements.values()]
    for entitlement in entitlements:
        for criterion in entitlement.criteria:
            if _thresholds(framework, criterion.when) and not READING.search(criterion.reason or ""):
                silent.append(f"{entitlement.id}.{criterion.id}")
    assert silent == []
    assert len([r for r in framework.rules.values() if _thresholds(framework, r.when)]) >= 25  # the scan sees them


EXCLUSION = re.compile(r"(?:alleen )?een (?P<what>[a-z ]+?) (?:telt niet|is geen reden|is geen grond)", re.I)


def test_spec_a_rule_reason_never_counts_what_its_facts_question_excludes(framework):
    """Issue 11 item 10: a question that tells the assessor something does not count ("Alleen een aanvraag telt niet",
    "Een drukke baan of studie is geen reden") and the reason of a rule that reads that fact must agree: where the
    reason mentions the excluded thing, it says in the same clause that it does not count."""
    facts = dict(framework.facts)
    for per_domain in framework.hulpvraag_facts.values():
        facts.update(per_domain)
    checked, contradictions = 0, []
    for key, info in facts.items():
        for match in EXCLUSION.finditer(info.label or ""):
            noun = re.compile(r"\b" + re.escape(match.group("what").split()[-1].lower()) + r"\b")  # aanvraag, studie
            name = key.split(".", 1)[1]
            for rule in framework.rules.values():
                if not any(ref.split(".", 1)[-1] == name for ref in rule.references):
                    continue
                for clause in re.split(r"[;:.]", rule.reason or ""):
                    if noun.search(clause.lower()):
                        checked += 1
                        if not re.search(r"\b(geen|niet|niets)\b", clause):
                            contradictions.append((key, rule.id, clause.strip()))
    assert contradictions == []
    assert checked >= 2  # the Wlz application and the busy job are both checked

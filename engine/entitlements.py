"""Entitlements: formulas over parameters and facts, with exact money.

An entitlement applies when the case has the hulpvraag (or, for the Wmo eigen
bijdrage, the proposal) it requires. It is eligible when every criterion holds
and no rule denies it; a criterion that cannot be decided from the case makes
eligibility unknown (null), never a guess. Amounts are rounded with the rule the
framework states, and `bedrag` is what is paid: 0.00 when not eligible, null
when eligibility is unknown.

A rule that denies the entitlement but cannot be decided from the case (`pending`)
keeps eligibility unknown too: `status` is then "onbekend" and the amount that
would be paid if the right exists, where it follows from what is known, is
`bedrag_indien_recht` (docs/uncertainty.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .calc import UNKNOWN, FormulaError, round_money
from .case import Case
from .errors import Diagnostic, EvaluationError
from .framework import EntitlementDef, Framework

ZERO = Decimal("0.00")


def money_text(value: Any) -> str | None:
    if value is UNKNOWN or value is None:
        return None
    return format(Decimal(value).quantize(Decimal("0.01")) + ZERO, "f")


def applies(framework: Framework, entitlement: EntitlementDef, case: Case, proposals: list[dict]) -> bool:
    requires = entitlement.requires
    if requires.eigen_bijdrage is not None:
        for proposal in proposals:
            if proposal["provision"] is None or proposal["domein"] != requires.domein:
                continue
            provision = framework.provision(proposal["provision"])
            if provision is not None and provision.eigen_bijdrage == requires.eigen_bijdrage:
                return True
        return False
    for hv in case.hulpvragen:
        if hv.domein == requires.domein and (not requires.onderwerp or hv.onderwerp in requires.onderwerp):
            return True
    return False


STATUS = {True: "recht", False: "geen_recht", None: "onbekend"}


def evaluate_entitlement(entitlement: EntitlementDef, env: dict, denials: list[str],
                         pending: tuple[str, ...] | list[str] = ()) -> dict:
    criteria = []
    outcome: Any = True
    for criterion in entitlement.criteria:
        try:
            met = criterion.evaluate(env)
        except FormulaError as exc:
            raise EvaluationError(Diagnostic("E911", f"aanspraak {entitlement.id}, criterium {criterion.id}: {exc}",
                                             entitlement.span)) from None
        criteria.append({"id": criterion.id, "met": None if met is UNKNOWN else bool(met),
                         "reason": criterion.reason, "legal_basis": criterion.legal_basis})
        if met is UNKNOWN:
            if outcome is True:
                outcome = UNKNOWN
        elif not met:
            outcome = False
    if denials:
        outcome = False
    elif pending and outcome is True:
        outcome = UNKNOWN
    amounts: dict[str, str | None] = {}
    for name, _, evaluate in entitlement.amounts:
        try:
            value = evaluate(env)
        except FormulaError as exc:
            raise EvaluationError(Diagnostic("E911", f"aanspraak {entitlement.id}, bedrag {name}: {exc}",
                                             entitlement.span)) from None
        amounts[name] = money_text(round_money(value, entitlement.rounding))
    if_eligible = amounts.get("bedrag")
    if outcome is False:
        amounts["bedrag"] = money_text(ZERO)
    elif outcome is UNKNOWN or entitlement.in_kind:
        amounts["bedrag"] = None
    eligible = None if outcome is UNKNOWN else outcome
    result: dict[str, Any] = {
        "id": entitlement.id,
        "eligible": eligible,
        "bedrag": amounts.pop("bedrag"),
        "periode": entitlement.periode,
    }
    result.update(amounts)
    result["status"] = STATUS[eligible]
    if eligible is None and if_eligible is not None and not entitlement.in_kind:
        result["bedrag_indien_recht"] = if_eligible
    if entitlement.in_kind:
        result["vorm"] = "natura"
    result["rules"] = list(denials)
    result["title"] = entitlement.title
    result["legal_basis"] = entitlement.legal_basis
    result["criteria"] = criteria
    if pending and eligible is None:
        result["pending_rules"] = list(pending)
    if entitlement.gemeente is not None:
        result["gemeente"] = entitlement.gemeente
        result["decision"] = entitlement.decision
    return result

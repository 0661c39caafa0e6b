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

from engine.errors import Diagnostic, EvaluationError
from engine.language.calc import UNKNOWN, FormulaError, round_money
from engine.language.framework import EntitlementDef, Framework

from .case import Case

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


_MONEY_TEXTS: dict[Decimal, str] = {}  # amount -> its text; a population has the same few amounts again and again
_MONEY_TEXTS_KEPT = 4096  # then the memory starts over


def money_text(value: Any) -> str | None:
    """The amount in euros with two decimals (quantized to the cent, half to even: the amounts here have been
    rounded by the rule's `rounding` before)."""
    if value is UNKNOWN or value is None:
        return None
    if type(value) is not Decimal or not value.is_finite():  # only finite Decimals are remembered
        return format(Decimal(value).quantize(CENT) + ZERO, "f")
    found = _MONEY_TEXTS.get(value)
    if found is None:
        if len(_MONEY_TEXTS) >= _MONEY_TEXTS_KEPT:
            _MONEY_TEXTS.clear()
        found = _MONEY_TEXTS[value] = format(value.quantize(CENT) + ZERO, "f")
    return found


def applies(framework: Framework, entitlement: EntitlementDef, case: Case, proposals: list[dict],
            values: dict | None = None) -> bool:
    """`values`: the parameter values in force (a provision's eigen_bijdrage may depend on one)."""
    requires = entitlement.requires
    if requires.eigen_bijdrage is not None:
        for proposal in proposals:
            if proposal["provision"] is None or proposal["domein"] != requires.domein:
                continue
            provision = framework.provision(proposal["provision"])
            if provision is not None and provision.carries(requires.eigen_bijdrage, values):
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


def waits_on(missing, entitlement: EntitlementDef, result: dict, env: dict, hv_id: str,
             pending: list[tuple[Any, str]]) -> list[dict]:
    """What an undecided entitlement waits on: the facts of its unknown criteria and, unless a criterion already
    fails, of the rules that may still deny it (`pending`: rule and hulpvraag)."""
    def record() -> None:
        for criterion, outcome in zip(entitlement.criteria, result["criteria"], strict=True):
            if outcome["met"] is None:
                missing.explain_expression(criterion.when, env, hv_id, f"{entitlement.id}.{criterion.id}",
                                           "beslissend")
        if not any(c["met"] is False for c in result["criteria"]):
            for rule, hv in pending:
                missing.explain_rule(rule, hv, "beslissend")
    return missing.gather(record)


def client_hulpvragen(framework: Framework, entitlement: EntitlementDef, case: Case, proposals: list[dict],
                      values: dict | None = None) -> list:
    """The hulpvragen an entitlement `per: client` is owed for: of its domain, with a proposal under its regime (or,
    without one, of the onderwerpen it requires)."""
    requires = entitlement.requires
    found = []
    by_hv = {p["hulpvraag"]: p for p in proposals}
    for hv in case.hulpvragen:
        if hv.domein != requires.domein:
            continue
        if requires.eigen_bijdrage is not None:
            proposal = by_hv.get(hv.id)
            provision = framework.provision(proposal["provision"]) if proposal and proposal["provision"] else None
            if provision is None or not provision.carries(requires.eigen_bijdrage, values):
                continue
        elif requires.onderwerp and hv.onderwerp not in requires.onderwerp:
            continue
        found.append(hv)
    return found


def client_units(case: Case, hulpvragen: list) -> list[tuple[str, list]]:
    """(unit, hulpvragen): one unit per unmarried client, one for the married couple of aanvrager and partner
    (Wmo 2015 art. 2.1.4a lid 4: per ongehuwde cliënt of per echtpaar). The case contract knows no marriage between
    other housemates, so each of them is an unmarried client."""
    roles = {p.id: p.rol for p in case.personen}
    has_partner = any(p.rol == "partner" for p in case.personen)
    units: dict[str, list] = {}
    for hv in hulpvragen:
        role = roles.get(hv.persoon)
        key = "echtpaar" if has_partner and role in ("aanvrager", "partner") else hv.persoon
        units.setdefault(key, []).append(hv)
    return list(units.items())


def per_client(framework: Framework, entitlement: EntitlementDef, case: Case, facts, proposals: list[dict],
               denied_for: dict[str, list[str]], missing, pending_for: dict[str, list] | None = None) -> dict:
    """An entitlement owed once per unmarried client or per married couple, each unit judged with its own client's
    facts and the rules that deny it for that client (or for the whole case). `bedrag` is the sum over the units;
    it is 0.00 only when every unit is exempt, and unknown when a unit's outcome is. `pending_for`: per hulpvraag
    ("" for the case) the rules that deny the entitlement and that the case cannot decide yet (an exemption whose
    facts are missing): a unit they concern is not `recht` but undecided, waiting on those rules' facts."""
    pending_for = pending_for or {}
    units = client_units(case, client_hulpvragen(framework, entitlement, case, proposals, facts.base))
    results = []
    for _, hulpvragen in units:
        env = facts.hulpvraag(hulpvragen[0], framework)
        rules = list(denied_for.get("", []))
        pending = [(rule, "") for rule in pending_for.get("", [])]
        for hv in hulpvragen:
            rules += [r for r in denied_for.get(hv.id, []) if r not in rules]
            pending += [(rule, hv.id) for rule in pending_for.get(hv.id, [])]
        result = evaluate_entitlement(entitlement, env, rules, list(dict.fromkeys(r.id for r, _ in pending)))
        if result["eligible"] is None:
            result["waits_on"] = waits_on(missing, entitlement, result, env, hulpvragen[0].id, pending)
        results.append(result)
    if not results:  # applies, but no hulpvraag of its own: judged for the case as a whole
        return evaluate_entitlement(entitlement, facts.base, list(denied_for.get("", [])),
                                    [rule.id for rule in pending_for.get("", [])])
    combined = dict(results[0])
    for key in ("waits_on", "bedrag_indien_recht", "pending_rules"):
        combined.pop(key, None)
    outcomes = [r["eligible"] for r in results]
    combined["eligible"] = True if True in outcomes else (None if None in outcomes else False)
    combined["status"] = STATUS[combined["eligible"]]
    bedragen = [r["bedrag"] for r in results]
    combined["bedrag"] = None if None in bedragen else money_text(sum((Decimal(b) for b in bedragen), ZERO))
    if combined["eligible"] is None:
        # what the units still wait on; an amount only where every unit's amount follows from what is known
        combined["waits_on"] = [w for r in results for w in r.get("waits_on", [])]
        pending = list(dict.fromkeys(rule for r in results for rule in r.get("pending_rules", [])))
        if pending:
            combined["pending_rules"] = pending
        known = [r.get("bedrag_indien_recht", r["bedrag"]) for r in results]
        if None not in known and not entitlement.in_kind:
            combined["bedrag_indien_recht"] = money_text(sum((Decimal(b) for b in known), ZERO))
    combined["rules"] = list(dict.fromkeys(rule for r in results for rule in r["rules"]))
    return combined

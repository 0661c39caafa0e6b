"""Pydantic models of the rule files: kader.yaml, the domain files and municipal profiles.

Every model forbids unknown keys and is frozen; identifiers are strict text.
Expressions stay text here; `engine.language.loader` parses them against the vocabulary
once all files are read, so that references across files can be checked.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, model_validator

from .types import BoundedDate, Expression, Number, PlainText

Identifier = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]
Name = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[PlainText, Field(min_length=1)]
LegalBasis = Annotated[PlainText, Field(min_length=3)]

FactType = Literal["bool", "geheel", "geld", "decimaal", "tekst", "datum"]
Scope = Literal["hulpvraag", "persoon", "casus"]
Rounding = Literal["cent", "cent_naar_beneden", "cent_naar_boven", "euro", "euro_naar_beneden", "euro_naar_boven"]


class Strict(BaseModel):
    """Unknown keys are errors; scalars are strict (each field says so), lists may be written as YAML lists."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# ---------------------------------------------------------------- kader.yaml


class Rung(Strict):
    level: StrictInt = Field(ge=0, le=9)
    name: Text
    description: Text | None = None


class Domain(Strict):
    name: Text
    legal_basis: LegalBasis
    onderwerpen: tuple[Name, ...] = Field(min_length=1)


class Label(Strict):
    title: Text
    legal_basis: LegalBasis
    description: Text | None = None


class FactDecl(Strict):
    scope: Scope
    type: FactType
    question: Text
    legal_basis: LegalBasis
    values: tuple[Name, ...] | None = None
    default: StrictBool | StrictInt | StrictStr | None = None
    onderwerpen: tuple[Name, ...] | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _values_only_for_text(self) -> "FactDecl":
        if self.values is not None and self.type != "tekst":
            raise ValueError("'values' kan alleen bij type tekst")
        if self.type == "tekst" and not self.values:
            raise ValueError("een feit van type tekst noemt zijn toegestane waarden in 'values'")
        return self


class ParamValue(Strict):
    from_: BoundedDate = Field(alias="from")
    value: Number | None = None
    until: BoundedDate | None = None
    source: Text | None = None
    # a period in which the provision is in force but the amount could not be verified: the reason, instead of a
    # value (the value is then unknown and kader says so; never a guess)
    te_verifieren: Text | None = None

    @model_validator(mode="after")
    def _value_or_reason(self) -> "ParamValue":
        if (self.value is None) == (self.te_verifieren is None):
            raise ValueError("een periode noemt een 'value' of, als het bedrag niet te verifiëren was, "
                             "'te_verifieren' met de reden (niet allebei)")
        return self


class Override(Strict):
    allowed: StrictBool
    min: Number | None = None
    max: Number | None = None
    # the municipality may go above the framework's value but not below the value of the same period (a statutory
    # minimum that changes over time, such as the studietoeslag of PW art. 36b)
    min_kaderwaarde: StrictBool = False
    legal_basis: LegalBasis | None = None


PARAMETER_KEYS = ("peildatum", "persoon.geboortedatum", "casus.melddatum", "casus.aanvraagdatum")


class Parameter(Strict):
    type: Literal["geld", "decimaal", "geheel"]
    unit: Text
    legal_basis: LegalBasis
    # the date the periods are read at: the peildatum (default), or a date of the case such as a person's birth
    # date (a table by birth period); a keyed parameter is read as `persoon.<naam>` or `casus.<naam>`
    key: Literal["peildatum", "persoon.geboortedatum", "casus.melddatum", "casus.aanvraagdatum"] = "peildatum"
    values: tuple[ParamValue, ...] = Field(min_length=1)
    override: Override | None = None
    verify: Text | None = None
    description: Text | None = None


class Case_(Strict):
    when: Expression
    value: Expression | None = None
    # instead of a value: the law leaves it undetermined by the case's facts; the reason names what would decide it
    # (checked by the loader: E150-E152, docs/rule-language.md "Undetermined values")
    onbepaald: Text | None = None
    legal_basis: LegalBasis | None = None


class Derived(Strict):
    type: FactType
    legal_basis: LegalBasis
    formula: Expression | None = None
    cases: tuple[Case_, ...] | None = None
    otherwise: Expression | None = None
    rounding: Rounding | None = None
    values: tuple[Name, ...] | None = None
    description: Text | None = None

    @model_validator(mode="after")
    def _formula_or_cases(self) -> "Derived":
        if (self.formula is None) == (self.cases is None):
            raise ValueError("geef precies één van 'formula' of 'cases'")
        if self.otherwise is not None and self.cases is None:
            raise ValueError("'otherwise' hoort bij 'cases'")
        return self


class Provision(Strict):
    name: Text
    level: StrictInt = Field(ge=0, le=9)
    onderwerpen: tuple[Name, ...] = Field(min_length=1)
    legal_basis: LegalBasis
    eigen_bijdrage: Literal["abonnementstarief", "geen", "eigen_regime"] | None = None
    # the provision carries its eigen_bijdrage only where this parameter (0 or 1, a municipal override point) is 1
    eigen_bijdrage_parameter: Name | None = None
    description: Text | None = None


class Target(Strict):
    provision: Identifier | None = None
    level: StrictInt | None = None
    levels: tuple[StrictInt, ...] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"provision": value}
        return value

    @model_validator(mode="after")
    def _one(self) -> "Target":
        given = [x for x in (self.provision, self.level, self.levels) if x is not None]
        if len(given) != 1:
            raise ValueError("noem een voorziening, of 'level: N', of 'levels: [N, ...]'")
        return self

    def levels_set(self) -> tuple[int, ...]:
        if self.level is not None:
            return (self.level,)
        return self.levels or ()


class Term(Strict):
    days: StrictInt | None = Field(default=None, ge=1, le=366)
    weeks: StrictInt | None = Field(default=None, ge=1, le=104)
    months: StrictInt | None = Field(default=None, ge=1, le=60)
    working_days: StrictInt | None = Field(default=None, ge=1, le=60)
    # a term the verordening sets within a statutory maximum: a parameter (an override point bounded by that
    # maximum) counted in `unit`
    parameter: Name | None = None
    unit: Literal["days", "weeks", "months", "working_days"] | None = None

    @model_validator(mode="after")
    def _one(self) -> "Term":
        fixed = sum(x is not None for x in (self.days, self.weeks, self.months, self.working_days))
        if (self.parameter is None) != (self.unit is None):
            raise ValueError("een termijn uit een parameter noemt 'parameter' en 'unit' (days, weeks, months of "
                             "working_days)")
        if fixed + (self.parameter is not None) != 1:
            raise ValueError("een termijn noemt precies één van days, weeks, months, working_days, of een "
                             "parameter met unit")
        return self


class DeadlineRef(Strict):
    id: Name
    term: Term | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"id": value}
        return value


CONCLUSION_KINDS = ("finding", "suffices", "excludes", "floor", "signal", "check", "deadline", "denies")


class Conclusion(Strict):
    finding: Name | None = None
    suffices: Target | None = None
    excludes: Target | None = None
    floor: StrictInt | None = Field(default=None, ge=0, le=9)
    signal: Name | None = None
    check: Name | None = None
    deadline: DeadlineRef | None = None
    denies: Identifier | None = None

    @model_validator(mode="after")
    def _one(self) -> "Conclusion":
        given = [k for k in CONCLUSION_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("elke conclusie noemt precies één van: " + ", ".join(CONCLUSION_KINDS))
        return self

    @property
    def kind(self) -> str:
        return next(k for k in CONCLUSION_KINDS if getattr(self, k) is not None)


class Rule(Strict):
    id: Identifier
    title: Text
    legal_basis: LegalBasis
    when: Expression
    then: tuple[Conclusion, ...] = Field(min_length=1)
    reason: Text
    scope: Literal["hulpvraag", "casus"] = "hulpvraag"
    valid_from: BoundedDate | None = None
    valid_until: BoundedDate | None = None
    note: Text | None = None


class Criterion(Strict):
    id: Name
    when: Expression
    legal_basis: LegalBasis
    reason: Text


class Requires(Strict):
    domein: Name
    onderwerp: tuple[Name, ...] | None = None
    eigen_bijdrage: Literal["abonnementstarief"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_onderwerp(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("onderwerp"), str):
            return {**value, "onderwerp": (value["onderwerp"],)}
        return value


class Entitlement(Strict):
    title: Text
    legal_basis: LegalBasis
    periode: Literal["maand", "jaar", "eenmalig"]
    requires: Requires
    criteria: tuple[Criterion, ...] = ()
    amounts: dict[Name, Expression] = Field(min_length=1)
    rounding: Rounding
    # huishouden: one amount for the case; client: owed once per unmarried client or per married couple (aanvrager
    # and partner) among the persons of the hulpvragen it requires, each judged on its own (Wmo 2015 art. 2.1.4a)
    per: Literal["huishouden", "client"] = "huishouden"
    description: Text | None = None

    @model_validator(mode="after")
    def _has_bedrag(self) -> "Entitlement":
        if "bedrag" not in self.amounts:
            raise ValueError("'amounts' noemt in elk geval 'bedrag'")
        return self


class DeadlineDecl(Strict):
    title: Text
    legal_basis: LegalBasis
    from_: Literal["melddatum", "aanvraagdatum"] = Field(alias="from")
    term: Term
    algemene_termijnenwet: StrictBool = False


class Bounds(Strict):
    min: Number
    max: Number


class MinimaTest(Strict):
    """The framework's minima income test that municipal minima schemes build on."""

    legal_basis: LegalBasis
    requires: Requires
    inkomen: Expression
    norm: Expression
    vermogen: Expression
    vermogensgrens: Expression
    percentage: Bounds
    description: Text | None = None


INKOMENSDOELEN = ("bijstand", "bijzondere_bijstand", "minima", "wmo_bijdrage")


class Behandeling(Strict):
    """How the law treats an income kind for one purpose: counted or not, and why."""

    telt: StrictBool
    legal_basis: LegalBasis
    note: Text | None = None


class Inkomenssoort(Strict):
    """An income kind of the case contract and how it counts: for algemene bijstand (PW art. 31-33), bijzondere
    bijstand (art. 35 lid 1: art. 31 lid 2 does not apply), the minima thresholds and the Wmo bijdrage."""

    title: Text
    bijstand: Behandeling
    bijzondere_bijstand: Behandeling
    minima: Behandeling
    wmo_bijdrage: Behandeling
    verify: Text | None = None


class KaderFile(Strict):
    name: Text
    version: Text
    legal_basis: LegalBasis
    valid_from: BoundedDate
    ladder: tuple[Rung, ...] = Field(min_length=2)
    domains: dict[Name, Domain]
    case_signals: dict[Name, Label]
    signals: dict[Name, Label]
    checks: dict[Name, Label] = {}
    facts: dict[Name, FactDecl] = {}
    parameters: dict[Name, Parameter] = {}
    derived: dict[StrictStr, Derived] = {}
    inkomenssoorten: dict[Name, Inkomenssoort] = {}
    description: Text | None = None


class DomainFile(Strict):
    case_signals: dict[Name, Label] = {}
    signals: dict[Name, Label] = {}
    checks: dict[Name, Label] = {}
    facts: dict[Name, FactDecl] = {}
    parameters: dict[Name, Parameter] = {}
    derived: dict[StrictStr, Derived] = {}
    provisions: dict[Identifier, Provision] = {}
    rules: tuple[Rule, ...] = ()
    entitlements: dict[Identifier, Entitlement] = {}
    deadlines: dict[Name, DeadlineDecl] = {}
    minima_test: MinimaTest | None = None
    description: Text | None = None


# ---------------------------------------------------------------- municipal profiles


class OverrideValue(Strict):
    decision: Text
    values: tuple[ParamValue, ...] = Field(min_length=1)
    verify: Text | None = None


class LocalProvision(Strict):
    name: Text
    domain: Name
    level: StrictInt
    onderwerpen: tuple[Name, ...] = Field(min_length=1)
    decision: Text
    legal_basis: LegalBasis | None = None
    description: Text | None = None


class AgeBand(Strict):
    van: StrictInt = Field(ge=0, le=120)
    tot: StrictInt = Field(ge=1, le=121)


GRONDSLAGEN = {
    "categoriale_bijzondere_bijstand": "Participatiewet art. 35 lid 3 (categoriale bijzondere bijstand: alleen een "
                                       "collectieve aanvullende zorgverzekering of een bijdrage in de premie)",
    "individuele_bijzondere_bijstand": "Participatiewet art. 35 lid 1 (bijzondere bijstand na individuele toets)",
    "gemeentelijke_regeling": "gemeentelijke regeling buiten de Participatiewet (verordening of subsidie)",
    "fonds_derden": "fonds of stichting van derden, met gemeentelijke bijdrage (geen bijstand)",
}


class MinimaScheme(Strict):
    title: Text
    decision: Text
    # the legal basis the scheme really has (GRONDSLAGEN); categorical bijzondere bijstand is only the collective
    # supplementary health insurance (PW art. 35 lid 3)
    grondslag: Literal["categoriale_bijzondere_bijstand", "individuele_bijzondere_bijstand", "gemeentelijke_regeling",
                       "fonds_derden"]
    collectieve_zorgverzekering: StrictBool = False
    percentage: Number
    bedrag: Number | None = None  # absent: help in kind (natura)
    periode: Literal["maand", "jaar", "eenmalig"]
    per: Literal["huishouden", "kind", "persoon"] = "huishouden"
    leeftijd: AgeBand | None = None
    description: Text | None = None
    verify: Text | None = None


class ProfileFile(Strict):
    gemeente: Name
    name: Text
    overrides: dict[Name, OverrideValue] = {}
    provisions: dict[Identifier, LocalProvision] = {}
    minima_schemes: dict[Name, MinimaScheme] = {}
    description: Text | None = None

"""The JSON contracts the service speaks, as pydantic models: the source of its OpenAPI description.

The case a client sends is described by the engine's own case model (`engine.evaluation.case.CaseIn`), so the request
schema is the one the engine validates against. The assessment is produced by `Assessment.to_json_text`, the
same function `kader assess --format json` uses; the models below only *describe* it for OpenAPI (the service
never re-serialises through them, so the bytes stay identical). They name the fields of the contract in
shared/DESIGN.md and docs as required and allow extra fields, because the contract is extended, never renamed;
tests/test_serve_contracts.py checks every scenario's assessment against them.
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class FrameworkRef(_Open):
    name: str
    version: str
    hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")


class LighterOption(_Open):
    level: int
    provision: Optional[str]
    rule: Optional[str]
    reason: str


class Proposal(_Open):
    hulpvraag: str
    provision: Optional[str] = Field(description="null: geen automatisch voorstel (zie status en reason)")
    level: Optional[int]
    rules: list[str]
    lighter_options_ruled_out: list[LighterOption]
    status: str
    name: str
    domein: str
    onderwerp: str
    reason: str
    legal_basis: Optional[str]


class Criterion(_Open):
    id: str
    met: Optional[bool] = Field(description="null: onbekend, een feit ontbreekt")
    reason: str
    legal_basis: str


class Entitlement(_Open):
    id: str
    eligible: Optional[bool] = Field(description="null: niet vast te stellen met de gegeven feiten")
    bedrag: Optional[str] = Field(description="euro's als tekst met twee decimalen", pattern=r"^-?[0-9]+\.[0-9]{2}$")
    periode: str
    rules: list[str]
    title: str
    legal_basis: str
    criteria: list[Criterion]


class Deadline(_Open):
    id: str
    date: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    rule: str
    rules: list[str]
    title: str
    legal_basis: str


class Signal(_Open):
    id: str
    rule: str
    reason: str
    hulpvraag: Optional[str]
    title: str
    legal_basis: str


class Check(_Open):
    id: str
    rule: str
    hulpvraag: Optional[str]
    title: str
    legal_basis: str


class MissingFact(_Open):
    hulpvraag: Optional[str]
    fact: str
    question: str
    rules: list[str]
    impact: str


class AssessmentOut(_Open):
    """The assessment, exactly as `kader assess --format json` prints it."""

    case_id: str
    gemeente: str
    peildatum: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    framework: FrameworkRef
    engine_version: str
    proposals: list[Proposal]
    entitlements: list[Entitlement]
    deadlines: list[Deadline]
    signals: list[Signal]
    checks: list[Check]
    missing_facts: list[MissingFact]


class ExplanationOut(AssessmentOut):
    """The assessment with its trace (`kader explain --format json`), plus counterfactuals when asked for."""

    trace: dict[str, Any]
    counterfactuals: Optional[list[dict[str, Any]]] = None


class DecisiveQuestion(_Open):
    """One question of `kader assess --questions`: an unknown fact whose answer can change an outcome now."""

    hulpvraag: Optional[str]
    fact: str
    question: str
    impact: str = Field(description="beslissend, samen_beslissend or signaal (changes only a signal)")
    rules: list[str]
    type: Optional[str] = None
    values: Optional[list] = None
    settles: list[str] = Field(description="the open outcomes one answer settles on its own")
    changes: list[str] = Field(description="the outcomes some answer changes (voorstel:hv1, recht:..., ...)")


class QuestionsOut(_Open):
    """What is still needed to decide: the ranked decisive questions (as `kader assess --questions` lists them),
    then the missing facts of the assessment."""

    case_id: str
    gemeente: str
    peildatum: str
    framework: FrameworkRef
    questions: list[DecisiveQuestion]
    missing_facts: list[MissingFact]


class FactOut(_Open):
    scope: str = Field(description="persoon, hulpvraag of casus")
    name: str = Field(description="de sleutel zoals de casus hem schrijft")
    place: str = Field(description="waar het feit in een casusbestand staat")
    type: str
    values: Optional[list[str]]
    default: Any = Field(description="de waarde als de casus het feit niet geeft; null: onbekend")
    question: str
    legal_basis: str
    domein: Optional[str] = Field(description="het domein dat het feit declareert; 'kader': alle domeinen; null: casuscontract")
    onderwerpen: Optional[list[str]] = Field(description="bij een hulpvraagfeit: alleen gevraagd bij deze onderwerpen")


class FactsOut(_Open):
    framework: FrameworkRef
    facts: list[FactOut]


class Period(_Open):
    start: str = Field(alias="from")
    until: Optional[str] = Field(description="laatste dag; null: open")


class GemeenteOut(_Open):
    id: str
    name: str


class FrameworkOut(_Open):
    name: str
    version: str
    hash: str
    engine_version: str
    valid_from: str
    gemeenten: list[GemeenteOut]
    periods: list[Period] = Field(description="perioden waarin dezelfde regels en parameterwaarden gelden")


class HealthOut(_Open):
    status: Literal["ok"]
    framework: str
    engine_version: str


class DiagnosticOut(_Open):
    code: str
    severity: str
    message: str
    file: str
    line: int
    col: int
    hint: Optional[str] = None


class Problem(_Open):
    """RFC 9457 problem details, with the located diagnostics of the command line."""

    type: str
    title: str
    status: int
    detail: str
    instance: Optional[str] = None
    errors: Optional[list[DiagnosticOut]] = None
    diagnostics: Optional[list[str]] = Field(default=None, description="dezelfde regels als op de opdrachtregel: "
                                             "bestand:regel:kolom: error[E…]: melding")

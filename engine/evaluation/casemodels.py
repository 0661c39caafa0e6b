"""The case contract as pydantic models: the full check of a case file, which says what is wrong and where.

Built on first use (`engine.evaluation.case._case_models`), not when kader is imported: a case that
`engine.evaluation.casejson.case_from_json` accepts needs no pydantic model, and building these six costs a cold
`kader assess` about 20 ms. They run no pydantic plugin (tests/test_no_pydantic_plugins.py).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from engine.language.registry import INKOMENSSOORTEN, ROLES, VERWIJZERS, WOONSITUATIES
from engine.language.types import Date, Number, PlainLine

_Id = PlainLine


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonIn(_Open):
    id: _Id = Field(min_length=1, max_length=40)
    rol: Literal[ROLES]  # type: ignore[valid-type]
    geboortedatum: Date
    beperkt: StrictBool = False
    studiefinanciering: StrictBool = False
    commerciele_huurder: StrictBool = False
    rechtmatig_verblijf: StrictBool = True


class HouseholdIn(_Closed):
    personen: tuple[PersonIn, ...] = Field(min_length=1)
    woonsituatie: Literal[WOONSITUATIES] | None = None  # type: ignore[valid-type]


class IncomeIn(_Closed):
    persoon: _Id
    soort: Literal[INKOMENSSOORTEN]  # type: ignore[valid-type]
    netto_per_maand: Number


class AssetsIn(_Closed):
    totaal: Number


class HulpvraagIn(_Closed):
    id: _Id = Field(min_length=1, max_length=40)
    domein: _Id
    onderwerp: _Id
    persoon: _Id
    verwijzer: Literal[VERWIJZERS] | None = None  # type: ignore[valid-type]
    feiten: dict[StrictStr, Any] | None = {}  # `feiten:` with nothing under it (only comments) gives no facts


class CaseIn(_Closed):
    id: _Id = Field(min_length=1, max_length=80)
    gemeente: _Id
    peildatum: Date
    melddatum: Date | None = None
    aanvraagdatum: Date | None = None
    huishouden: HouseholdIn
    inkomen: tuple[IncomeIn, ...] | None = None
    vermogen: AssetsIn | None = None
    hulpvragen: tuple[HulpvraagIn, ...] = Field(min_length=1)
    signalen: tuple[StrictStr, ...] = ()
    feiten: dict[StrictStr, Any] | None = {}  # `feiten:` with nothing under it (only comments) gives no facts

"""The pydantic models of wetten.yaml (see engine/wetten.py), apart so that the framework's `Wetten` can be read
from the cache without importing the rule files' models."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictStr

from .models import Strict, Text


class WetDecl(Strict):
    bwb: Annotated[StrictStr, Field(pattern=r"^BWBR[0-9]{7}$")]
    namen: tuple[Text, ...] = Field(min_length=1)


class WettenFile(Strict):
    description: Text | None = None
    wetten: dict[str, WetDecl]
    andere_bronnen: tuple[Text, ...] = ()

"""Days made equal to the generally recognised holidays by royal decree (Algemene termijnenwet art. 3 lid 3).

The Crown may, per decree, make a day equal to the holidays of art. 3 lid 1; a statutory term that ends on such
a day is extended like one ending on a holiday (art. 1 lid 1), and it is no working day. These days are data of
the rules folder, in `algemene_termijnenwet.yaml`, one entry per decree with its title and the days it names:

```yaml
legal_basis: "Algemene termijnenwet art. 3 lid 3"
gelijkgestelde_dagen:
  - besluit: "Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en 26 mei 2028 met een algemeen erkende feestdag"
    dagen: [2026-01-02, 2026-05-15, 2027-05-07, 2028-04-28, 2028-05-26]
```

`kader check` refuses a day the decree's title does not name (a typo in either), a day named twice, and a day
that is already a Saturday, Sunday or holiday of art. 3 lid 1 and 2 (the decree would then change nothing).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field

from .models import LegalBasis, Strict, Text
from .termijnen import atw_days_off
from .types import BoundedDate
from .validation import validate

if TYPE_CHECKING:
    from .loader import Loader

FILE = "algemene_termijnenwet.yaml"
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")


class Besluit(Strict):
    besluit: Text
    legal_basis: LegalBasis = "Algemene termijnenwet art. 3 lid 3"
    source: Text | None = None
    verify: Text | None = None
    dagen: tuple[BoundedDate, ...] = Field(min_length=1)


class AtwFile(Strict):
    legal_basis: LegalBasis
    description: Text | None = None
    gelijkgestelde_dagen: tuple[Besluit, ...] = ()


def dutch(day: _dt.date) -> str:
    """`2 januari 2026`, as a decree's title writes a date."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def load_gelijkgestelde_dagen(loader: "Loader", root: Path) -> tuple[tuple[_dt.date, str], ...]:
    """(day, decree title) for every day made equal to a holiday; problems go to the loader's sink."""
    path = root / FILE
    if not path.exists():
        return ()
    document = loader.read(path, "algemene_termijnenwet")
    if document is None:
        return ()
    parsed, problems = validate(AtwFile, document, code="E100")
    loader.sink.extend(problems)
    if parsed is None:
        return ()
    found: dict[_dt.date, str] = {}
    for index, decree in enumerate(parsed.gelijkgestelde_dagen):
        title = " ".join(decree.besluit.split())
        for position, day in enumerate(decree.dagen):
            span = document.span(("gelijkgestelde_dagen", index, "dagen", position))
            if dutch(day) not in title:
                loader.sink.error("E143", f"{day} ({dutch(day)}) staat niet in de titel van het besluit; controleer de "
                                  "datum tegen het besluit", span)
                continue
            if day in found:
                loader.sink.error("E144", f"{day} is al gelijkgesteld (in '{found[day]}')", span)
                continue
            if day.weekday() >= 5 or day in atw_days_off(day.year):
                loader.sink.error("E145", f"{day} is al een zaterdag, zondag of feestdag van art. 3 lid 1 of 2 "
                                  "Algemene termijnenwet; gelijkstelling verandert niets", span)
                continue
            found[day] = title
    return tuple(sorted(found.items()))

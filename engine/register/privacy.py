"""No BSN and no name in clear in the register.

Before a case is recorded, every key and value of the case file (nested ones
too) is scanned: a number of nine digits that passes the elfproef looks like a
BSN (burgerservicenummer) and is refused, as are fields named like a name
(`naam`, `voornaam`, `achternaam`, ...) or a BSN (`bsn`, ...). The error names
the field and its place in the file; it never repeats the number itself.
"""

from __future__ import annotations

import re
from typing import Any

from engine.errors import Diagnostic, Span
from engine.sources import Document

from .errors import RecordingRefused

NAME_KEYS = frozenset({"naam", "voornaam", "voornamen", "achternaam", "geslachtsnaam", "roepnaam", "voorletters",
                       "tussenvoegsel"})
BSN_KEYS = frozenset({"bsn", "burgerservicenummer", "sofinummer"})
_BSN_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{9}|[0-9]{4}[ .][0-9]{2}[ .][0-9]{3}|[0-9]{3}[ .][0-9]{3}[ .][0-9]{3})(?![0-9])")
HINT = "vervang het door een pseudoniem of een eigen kenmerk zonder persoonsgegevens"


def passes_elfproef(digits: str) -> bool:
    """The BSN check: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is a multiple of 11 (and not all zeros)."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


def looks_like_bsn(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 10_000_000 <= value <= 999_999_999 and passes_elfproef(f"{value:09d}")
    if isinstance(value, str):
        return any(passes_elfproef(re.sub(r"[ .]", "", m.group(1))) for m in _BSN_IN_TEXT.finditer(value))
    return False


def _field(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(de casus)"


def personal_data(document: Document) -> list[Diagnostic]:
    """Every field of the document that holds (or is named like) a BSN or a name."""
    problems: list[Diagnostic] = []
    stack: list[tuple[tuple, Any]] = [((), document.data)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                here = loc + (key,)
                lowered = str(key).lower()
                if lowered in NAME_KEYS:
                    problems.append(Diagnostic("E941", f"veld '{_field(here)}' is een naam: namen mogen niet in het "
                                               "register", document.span(here, key=True), hint="laat het veld weg"))
                elif lowered in BSN_KEYS:
                    problems.append(Diagnostic("E940", f"veld '{_field(here)}' is een BSN-veld: een BSN mag niet in "
                                               "het register", document.span(here, key=True), hint="laat het veld weg"))
                elif looks_like_bsn(key):
                    problems.append(Diagnostic("E940", f"sleutel '{_field(here)}' lijkt een BSN (9 cijfers, elfproef)",
                                               document.span(here, key=True), hint=HINT))
                else:
                    stack.append((here, item))
        elif isinstance(value, list):
            stack.extend((loc + (index,), item) for index, item in enumerate(value))
        elif looks_like_bsn(value):
            problems.append(Diagnostic("E940", f"veld '{_field(loc)}' bevat een nummer dat op een BSN lijkt (9 cijfers, "
                                       "elfproef): een BSN mag niet in het register", document.span(loc), hint=HINT))
    return problems


def check_free_text(text: str | None, what: str, location: str) -> None:
    """Refuse a motivation or assessor id that contains a BSN-like number."""
    if text and looks_like_bsn(text):
        raise RecordingRefused(Diagnostic("E942", f"{what} bevat een nummer dat op een BSN lijkt (9 cijfers, elfproef): "
                                          "een BSN mag niet in het register", Span(location, 1, 1), hint=HINT))


def refuse_personal_data(document: Document) -> None:
    problems = personal_data(document)
    if problems:
        raise RecordingRefused(problems)

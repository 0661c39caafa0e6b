"""No BSN and no name in clear in the register.

Before a case is recorded, every key and value of the case file (nested ones
too) is scanned: a number of nine digits that passes the elfproef looks like a
BSN (burgerservicenummer) and is refused, however its digits are grouped (spaces,
dots, dashes, slashes or other separators between them), as are fields named like a name
(`naam`, `voornaam`, `achternaam`, ...) or a BSN (`bsn`, ...). The error names
the field and its place in the file; it never repeats the number itself.
"""

from __future__ import annotations

import re
from typing import Any

from engine.errors import Diagnostic, Span
from engine.language.sources import Document

from .errors import RecordingRefused

NAME_KEYS = frozenset({"naam", "voornaam", "voornamen", "achternaam", "geslachtsnaam", "roepnaam", "voorletters",
                       "tussenvoegsel"})
BSN_KEYS = frozenset({"bsn", "burgerservicenummer", "sofinummer"})
# Digits written in groups with any separator a person might type between them (space, dot, dash, slash,
# underscore, comma, colon, the Unicode dashes and spaces), at most two separator characters at a time.
_SEPARATOR = r"[\s.\-_/\\,:;|+·\u2010-\u2015\u2212\u00a0\u202f]"
_DIGIT_RUN = re.compile(rf"[0-9]+(?:{_SEPARATOR}{{1,2}}[0-9]+)*")
_GROUPS = re.compile(r"[0-9]+")
HINT = "vervang het door een pseudoniem of een eigen kenmerk zonder persoonsgegevens"
# Person and hulpvraag ids stay in clear in the stored case, so they may not be able to carry a name:
# one or two letters and a number (p1, k2, hv3, h1), as the examples and `kader population` write them.
ID_PATTERN = re.compile(r"[a-z]{1,2}[0-9]{1,6}\Z")


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
        return any(_bsn_in_run(m.group(0)) for m in _DIGIT_RUN.finditer(value))
    return False


def _bsn_in_run(run: str) -> bool:
    """Do consecutive digit groups of `run` (digits split by separators) make nine digits that pass the elfproef?"""
    groups = _GROUPS.findall(run)
    for start in range(len(groups)):
        digits = ""
        for group in groups[start:]:
            digits += group
            if len(digits) >= 9:
                break
        if len(digits) == 9 and passes_elfproef(digits):
            return True
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
        elif _is_id(loc) and not (isinstance(value, str) and ID_PATTERN.match(value)):
            problems.append(Diagnostic("E943", f"kenmerk '{_field(loc)}' moet een of twee letters en een nummer zijn "
                                       "(zoals p1, k2, hv3): een ander kenmerk kan een naam bevatten en blijft in het "
                                       "register leesbaar", document.span(loc),
                                       hint="nummer personen en hulpvragen, bijvoorbeeld p1, p2 en hv1"))
            continue
        elif looks_like_bsn(value):
            problems.append(Diagnostic("E940", f"veld '{_field(loc)}' bevat een nummer dat op een BSN lijkt (9 cijfers, "
                                       "elfproef): een BSN mag niet in het register", document.span(loc), hint=HINT))
    return problems


def _is_id(loc: tuple) -> bool:
    """Is `loc` the id of a person or a hulpvraag, or a reference to a person (`persoon`) in the case?"""
    if len(loc) == 4 and loc[:2] == ("huishouden", "personen") and loc[3] == "id":
        return True
    if len(loc) == 3 and loc[0] == "hulpvragen" and loc[2] in ("id", "persoon"):
        return True
    return len(loc) == 3 and loc[0] == "inkomen" and loc[2] == "persoon"


def check_free_text(text: str | None, what: str, location: str) -> None:
    """Refuse a motivation or assessor id that contains a BSN-like number."""
    if text and looks_like_bsn(text):
        raise RecordingRefused(Diagnostic("E942", f"{what} bevat een nummer dat op een BSN lijkt (9 cijfers, elfproef): "
                                          "een BSN mag niet in het register", Span(location, 1, 1), hint=HINT))


def refuse_personal_data(document: Document) -> None:
    problems = personal_data(document)
    if problems:
        raise RecordingRefused(problems)

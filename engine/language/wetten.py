"""Every legal basis resolves to a law (its BWB identifier) and an article, so it can link to the law's text.

The laws are data of the rules folder (`wetten.yaml`): each with its identifier in the Basiswettenbestand and the
names a legal basis may use. A legal basis is read segment by segment (split on ";" outside brackets): a segment
that starts with a law's name sets the law, "art. X" (with "lid N" and "onder x") names the article, and a segment
that starts with "art." continues the law named before it. Sources that are not statutes are declared as
`andere_bronnen` (a segment starting with one of them), or carry their own address (http...) or an ECLI. A legal
basis without any statute article must consist of such sources only; otherwise `kader check` refuses it (E191).

`resolve(text)` gives the references; `link(reference, peildatum)` the address of the article on
wetten.overheid.nl in the version in force on that date (a juriconnect reference, which the site resolves).
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import Diagnostic, Span

from .validation import validate

if TYPE_CHECKING:
    from .loader import Loader

FILE = "wetten.yaml"


def __getattr__(name: str) -> Any:
    """WetDecl and WettenFile, the pydantic models of wetten.yaml, live in engine/wettenfile.py: a framework read
    from the cache holds a `Wetten`, and reading it should not import the rule files' models (engine.language.models)."""
    if name in ("WetDecl", "WettenFile"):
        from . import wettenfile
        return getattr(wettenfile, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Reference:
    """A legal reference found in a legal basis: the wet (with its BWB id), artikel, lid and onderdeel."""

    wet: str  # the name as the legal basis writes it
    bwb: str
    artikel: str | None
    lid: str | None
    onder: str | None

    def to_json(self) -> dict[str, Any]:
        return {"wet": self.wet, "bwb": self.bwb, "artikel": self.artikel, "lid": self.lid, "onder": self.onder}


@dataclass(frozen=True)
class Wetten:
    """The names of the laws kader knows, to find the references in a legal basis."""

    names: tuple[tuple[str, str], ...]  # (name, bwb), longest name first
    others: tuple[str, ...]

    def segments(self, text: str) -> list[str]:
        found, depth, current = [], 0, ""
        for char in text:
            depth += char in "([" and 1 or (-1 if char in ")]" else 0)
            if char == ";" and depth == 0:
                found.append(current)
                current = ""
            else:
                current += char
        found.append(current)
        return [" ".join(s.split()) for s in found if s.strip()]

    def resolve(self, text: str) -> tuple[list[Reference], list[str]]:
        """(statute references, segments that are neither a statute nor a declared other source)."""
        refs: list[Reference] = []
        unresolved: list[str] = []
        law: tuple[str, str] | None = None
        for segment in self.segments(text):
            named = next(((n, b) for n, b in self.names if segment == n or segment.startswith(n + " ")
                          or segment.startswith(n + ",")), None)
            if named is not None:
                law, rest = named, segment[len(named[0]):]
            elif law is not None and segment.startswith(("art.", "artikel", "lid ", "onder ")):
                rest = segment
            else:
                if not (segment.startswith(self.others) or "http" in segment or "ECLI:" in segment):
                    unresolved.append(segment)
                law = None
                continue
            head = rest.split("(", 1)[0]
            found = cited(head)
            if not found:
                refs.append(Reference(law[0], law[1], None, None, None))
            for artikel, lid, onder in found:
                reference = Reference(law[0], law[1], artikel, lid, onder)
                if reference not in refs:
                    refs.append(reference)
        return refs, unresolved


TOKEN = re.compile(r"art(?:ikel(?:en)?|\.)|[0-9]+[a-z]*(?:[.:][0-9]+[a-z]*)*(?:\s*-\s*[0-9]+[a-z]*)?|[a-z]+|,")
ARTICLE_ID = re.compile(r"[0-9]+[a-z]*(?:[.:][0-9]+[a-z]*)*")
MAX_RANGE = 12  # "art. 20-24" names each article of a short range; a longer one only its ends


def cited(head: str) -> list[tuple[str, str | None, str | None]]:
    """Every (artikel, lid, onder) a segment cites, in order: "art. 3 lid 2 onder a, lid 3 en lid 4" gives article
    3 with lid 2 (onder a), lid 3 and lid 4; "art. 11, 19, 20-24, 34" each article; "art. 18b lid 4, 9 en 13" each
    lid. A later letter under the same lid ("onder a en b") adds nothing to the link, which names the lid."""
    found: list[list] = []
    mode = None
    for token in TOKEN.findall(head):
        if token.startswith("art"):
            mode = "art"
        elif token in ("lid", "leden"):
            mode = "lid" if found else None
        elif token == "onder":
            mode = "onder" if found else None
        elif token in ("en", ",", "tot", "met"):
            continue
        elif mode == "art" and ARTICLE_ID.match(token):
            for artikel in _range(token):
                found.append([artikel, None, None])
        elif mode == "lid" and token.isdigit():
            if found[-1][1] is None:
                found[-1][1] = token
            else:
                found.append([found[-1][0], token, None])
        elif mode == "onder" and len(token) <= 2 and token.isalpha():
            if found[-1][2] is None:
                found[-1][2] = token
        else:
            mode = None  # another word: what follows is no longer part of this citation
    return [(a, lid, onder) for a, lid, onder in found]


def _range(token: str) -> list[str]:
    if "-" not in token:
        return [token]
    first, last = (part.strip() for part in token.split("-", 1))
    if first.isdigit() and last.isdigit() and 0 < int(last) - int(first) <= MAX_RANGE:
        return [str(n) for n in range(int(first), int(last) + 1)]
    return [first, last]


def link(reference: Reference, peildatum: _dt.date) -> str:
    """The article on wetten.overheid.nl, in the version in force on `peildatum` (juriconnect)."""
    day = peildatum.isoformat()
    url = f"https://wetten.overheid.nl/jci1.3:c:{reference.bwb}"
    if reference.artikel:
        url += f"&artikel={reference.artikel}"
        if reference.lid:
            url += f"&lid={reference.lid}"
    return url + f"&z={day}&g={day}"


def load_wetten(loader: "Loader", root: Path) -> Wetten | None:
    path = root / FILE
    if not path.exists():
        return None
    document = loader.read(path, "wetten")
    if document is None:
        return None
    from .wettenfile import WettenFile
    parsed, problems = validate(WettenFile, document, code="E100")
    loader.sink.extend(problems)
    if parsed is None:
        return None
    names: dict[str, str] = {}
    for key, wet in parsed.wetten.items():
        for name in wet.namen:
            if name in names:
                loader.sink.error("E192", f"de naam '{name}' staat bij twee wetten",
                                  document.span(("wetten", key, "namen")))
            names[name] = wet.bwb
    ordered = tuple(sorted(names.items(), key=lambda item: -len(item[0])))
    return Wetten(ordered, tuple(parsed.andere_bronnen))


def check_legal_bases(framework, wetten: Wetten, fallback: Span) -> list[Diagnostic]:
    """E191 for every legal basis with no statute article that is not made of declared other sources only."""
    from .reach import cited_elements
    found = []
    for kind, ident, bases, span in cited_elements(framework):
        for basis in bases:
            refs, unresolved = wetten.resolve(basis)
            if any(r.artikel for r in refs):
                continue
            if unresolved or not basis.strip():
                found.append(Diagnostic(
                    "E191", f"de rechtsgrond van {kind} {ident} verwijst naar geen wetsartikel en niet naar een "
                    f"verklaarde andere bron: '{(unresolved or [basis])[0]}'", span or fallback,
                    hint="noem de wet (zie wetten.yaml) en het artikel, of voeg de bron toe aan andere_bronnen"))
    return found


def links(framework, text: str, peildatum: _dt.date) -> dict[str, Any]:
    """The statute references of a legal basis with their address on wetten.overheid.nl on `peildatum`."""
    wetten = getattr(framework, "wetten", None)
    if wetten is None:
        return {"legal_basis": text, "references": [], "unresolved": [text]}
    refs, unresolved = wetten.resolve(text)
    return {"legal_basis": text, "peildatum": peildatum.isoformat(),
            "references": [{**r.to_json(), "url": link(r, peildatum)} for r in refs], "unresolved": unresolved}


def _bases(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "legal_basis" and isinstance(item, str) and item.strip():
                found.add(item)
            else:
                _bases(item, found)
    elif isinstance(value, list):
        for item in value:
            _bases(item, found)


def legal_basis_links(framework, data: dict, peildatum: _dt.date, rules: tuple[str, ...] = ()) -> dict[str, list]:
    """For every legal basis in an assessment's JSON `data` (and of the `rules` named, e.g. those that fired),
    its statute references with the address of the text in force on `peildatum`: legal basis -> references.

    A legal basis made only of other sources (wetten.yaml andere_bronnen, an ECLI, an address) has no statute
    reference and is left out; the order is the sorted legal basis text, so the JSON stays byte-identical."""
    if getattr(framework, "wetten", None) is None:
        return {}
    found: set[str] = set()
    _bases(data, found)
    for rule_id in rules:
        rule = framework.rules.get(rule_id)
        if rule is not None and rule.legal_basis:
            found.add(rule.legal_basis)
    return links_of(framework.wetten, found, peildatum)


def links_of(wetten: Wetten, bases, peildatum: _dt.date) -> dict[str, list]:
    """`legal_basis_links` for the legal bases (non-empty texts) already found, e.g. read from the encoded JSON
    by the service (service.work.assessment_bytes), which then need not walk the assessment's data."""
    out: dict[str, list] = {}
    for text in sorted(bases):
        refs = _linked(wetten, text, peildatum)
        if refs:
            out[text] = [dict(r) for r in refs]  # copies: the cached entries are shared between assessments
    return out


@functools.lru_cache(maxsize=16384)
def _linked(wetten: Wetten, text: str, peildatum: _dt.date) -> tuple[dict, ...]:
    """The statute references of one legal basis with their addresses on `peildatum`: the same for every
    assessment of a framework (`Wetten` is frozen and compared by value), so computed once per text and day."""
    refs, _ = wetten.resolve(text)
    return tuple({**r.to_json(), "url": link(r, peildatum)} for r in refs)


def attach_links(framework, assessment, *, trace: bool = False):
    """Set `assessment.legal_basis_links` for the legal bases its JSON shows (with `trace`: also of the rules that
    fired and the parameters used), and return the assessment."""
    data = assessment.to_json(trace=trace)
    fired = tuple(dict.fromkeys(f.rule for f in assessment.trace.fired)) if trace else ()
    assessment.legal_basis_links = legal_basis_links(framework, data, assessment.peildatum, fired)
    return assessment

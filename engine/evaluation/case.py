"""Read a case (casus) file and check it against the framework's vocabulary.

The structure follows the case contract of docs/case.md; every fact a case
gives beyond it (a person's `wlz_indicatie`, a hulpvraag's
`mantelzorg_beschikbaar`, a casus-level fact) must be declared by the framework,
with the right type and an allowed value. Problems are reported all at once,
each at its place in the file.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import CaseFileError, Diagnostic, sorted_diagnostics
from engine.language.framework import Framework
from engine.language.sources import Document, PosMap, SourceError, parse_text, read_document
from engine.language.types import date_problem as _date_problem
from engine.language.validation import validate

from .casedata import Case, Hulpvraag, Person, _check_value, _coerce, _declared_table, _is_declared

if TYPE_CHECKING:
    from engine.evaluation.casemodels import CaseIn


# PersonIn's fields (tests/test_case_yaml_onepass.py compares them); any other key of a person is a fact
_CONTRACT_PERSON_KEYS = frozenset(("id", "rol", "geboortedatum", "beperkt", "studiefinanciering", "commerciele_huurder",
                                   "rechtmatig_verblijf"))
_CASE_MODELS = frozenset(("CaseIn", "PersonIn", "HouseholdIn", "IncomeIn", "AssetsIn", "HulpvraagIn"))


def _case_models():
    """engine.evaluation.casemodels, imported (its models built) on first use, with no pydantic plugin, as
    engine/__init__.py imports kader's modules."""
    import sys
    models = sys.modules.get("engine.evaluation.casemodels")
    if models is None:
        import os
        before = os.environ.get("PYDANTIC_DISABLE_PLUGINS")
        os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
        try:
            from engine.evaluation import casemodels as models
        finally:
            if before is None:
                del os.environ["PYDANTIC_DISABLE_PLUGINS"]
            else:
                os.environ["PYDANTIC_DISABLE_PLUGINS"] = before
    return models


def __getattr__(name: str) -> Any:
    if name in _CASE_MODELS:
        return getattr(_case_models(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _CaseChecker:
    def __init__(self, framework: Framework, document: Document):
        self.framework = framework
        self.document = document
        self.problems: list[Diagnostic] = []

    def error(self, code: str, message: str, loc: tuple, *, key: bool = False, hint: str | None = None) -> None:
        self.problems.append(Diagnostic(code, message, self.document.span(loc, key=key), hint=hint))

    def declared(self, scope: str, name: str, loc: tuple, *, domain: str | None = None):
        key = f"{scope}.{name}"
        info = self.framework.fact(key, domain)
        if info is None or info.declared_in is None:
            elsewhere = self.framework.hulpvraag_domains(key) if scope == "hulpvraag" else []
            if elsewhere:
                self.error("E502", f"feit '{name}' hoort bij domein {', '.join(elsewhere)}, niet bij {domain}", loc, key=True)
                return None
            from engine.language.validation import _decimal_comma
            comma = _decimal_comma(self.document, self.document.span(loc, key=True), name)
            if comma is not None:  # `feiten: {kosten: 12,50}`
                self.problems.append(comma)
                return None
            elsewhere_scope = self.other_scope(scope, name)
            if elsewhere_scope:
                about, where = elsewhere_scope
                here = {"persoon": "een persoon", "hulpvraag": "de hulpvraag", "casus": "de casus als geheel"}[scope]
                self.error("E504", f"feit '{name}' gaat over {about}, niet over {here}", loc, key=True, hint=where)
                return None
            known = (self.framework.hulpvraag_facts.get(domain, {}) if scope == "hulpvraag" else self.framework.facts)
            candidates = [k.split(".", 1)[1] for k, i in known.items()
                          if k.startswith(scope + ".") and i.declared_in is not None]
            if scope == "persoon":
                candidates += sorted(_CONTRACT_PERSON_KEYS)
            close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
            self.error("E501", f"onbekend feit '{name}' voor {scope}: het kader declareert het niet", loc, key=True,
                       hint=f"bedoelde u '{close[0]}'?" if close else None)
            return None
        return info

    def other_scope(self, scope: str, name: str) -> tuple[str, str] | None:
        """Where a fact given at the wrong scope belongs, said as where to put it; None if it is not declared."""
        framework = self.framework
        if scope != "persoon" and (name in _CONTRACT_PERSON_KEYS or _is_declared(framework.facts.get(f"persoon.{name}"))):
            return "een persoon", "zet het bij die persoon onder huishouden.personen"
        if scope != "hulpvraag":
            domains = framework.hulpvraag_domains(f"hulpvraag.{name}")
            if domains:
                return "een hulpvraag", "zet het onder 'feiten' van de hulpvraag (domein " + ", ".join(domains) + ")"
        if scope != "casus" and _is_declared(framework.facts.get(f"casus.{name}")):
            return "de casus als geheel", "zet het onder 'feiten' op het hoogste niveau van de casus"
        return None

    def facts(self, scope: str, given: dict, loc: tuple, domain: str | None = None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        table = _declared_table(self.framework, scope, domain)
        for name, value in given.items():
            info = table.get(name)
            if info is None:
                self.declared(scope, name, loc + (name,), domain=domain)  # says why, with a suggestion
                continue
            if info.type == "bool" and (value is True or value is False):  # the common case, checked in full
                result[info.key] = value
                continue
            problem = _check_value(info, info.key, value)
            if problem:
                self.error("E503", problem, loc + (name,))
                continue
            result[info.key] = _coerce(info, value)
        return result

    def check(self, parsed: CaseIn) -> Case | None:
        framework = self.framework
        gemeente = parsed.gemeente
        if gemeente not in framework.profiles and gemeente.strip().lower() in framework.profiles:
            gemeente = gemeente.strip().lower()  # `Soest` is the municipality soest: names are case-insensitive
        if gemeente not in framework.profiles:
            self.error("E510", f"onbekende gemeente '{parsed.gemeente}'; kies uit " + ", ".join(sorted(framework.profiles)),
                       ("gemeente",))
        for name, value in (("peildatum", parsed.peildatum), ("melddatum", parsed.melddatum),
                            ("aanvraagdatum", parsed.aanvraagdatum)):
            if value is not None and _date_problem(value):
                self.error("E523", _date_problem(value), (name,))
        if parsed.peildatum < framework.valid_from:
            self.error("E511", f"peildatum {parsed.peildatum} ligt vóór het begin van het kader ({framework.valid_from})",
                       ("peildatum",))
        persons: list[Person] = []
        ids: set[str] = set()
        roles = [p.rol for p in parsed.huishouden.personen]
        if roles.count("aanvrager") != 1:
            self.error("E512", f"het huishouden heeft precies één aanvrager nodig, niet {roles.count('aanvrager')}",
                       ("huishouden", "personen"))
        if roles.count("partner") > 1:
            self.error("E513", "het huishouden kan ten hoogste één partner hebben", ("huishouden", "personen"))
        for index, person in enumerate(parsed.huishouden.personen):
            loc = ("huishouden", "personen", index)
            if person.id in ids:
                self.error("E514", f"persoon '{person.id}' komt twee keer voor", loc + ("id",))
            ids.add(person.id)
            if _date_problem(person.geboortedatum):
                self.error("E523", _date_problem(person.geboortedatum), loc + ("geboortedatum",))
            elif person.geboortedatum > parsed.peildatum:
                self.error("E515", f"geboortedatum {person.geboortedatum} ligt na de peildatum", loc + ("geboortedatum",))
            extra = {k: v for k, v in (person.model_extra or {}).items()}
            facts = {f"persoon.{k}": getattr(person, k) for k in
                     ("beperkt", "studiefinanciering", "commerciele_huurder", "rechtmatig_verblijf")}
            facts.update(self.facts("persoon", extra, loc))
            persons.append(Person(person.id, person.rol, person.geboortedatum, facts))
        income = None
        if parsed.inkomen is not None:
            income = []
            for index, entry in enumerate(parsed.inkomen):
                if entry.persoon not in ids:
                    self.error("E516", f"onbekende persoon '{entry.persoon}'", ("inkomen", index, "persoon"))
                self.money(entry.netto_per_maand, ("inkomen", index, "netto_per_maand"), allow_negative=False)
                income.append((entry.persoon, entry.soort, entry.netto_per_maand))
            income = tuple(income)
        assets = None
        if parsed.vermogen is not None:
            self.money(parsed.vermogen.totaal, ("vermogen", "totaal"), allow_negative=True)
            assets = parsed.vermogen.totaal
        hulpvragen = []
        hv_ids: set[str] = set()
        for index, hv in enumerate(parsed.hulpvragen):
            loc = ("hulpvragen", index)
            if hv.id in hv_ids:
                self.error("E517", f"hulpvraag '{hv.id}' komt twee keer voor", loc + ("id",))
            hv_ids.add(hv.id)
            if hv.persoon not in ids:
                self.error("E516", f"onbekende persoon '{hv.persoon}'", loc + ("persoon",),
                           hint="personen: " + ", ".join(sorted(ids)))
            if not self.domain(hv.domein, hv.onderwerp, loc):
                continue
            facts = self.facts("hulpvraag", hv.feiten or {}, loc + ("feiten",), domain=hv.domein)
            hulpvragen.append(Hulpvraag(hv.id, hv.domein, hv.onderwerp, hv.persoon, hv.verwijzer, facts))
        self.signals(parsed.signalen)
        casus_facts = self.facts("casus", parsed.feiten or {}, ("feiten",))
        if self.problems:
            return None
        return Case(parsed.id, gemeente, parsed.peildatum, parsed.melddatum, parsed.aanvraagdatum,
                    tuple(persons), parsed.huishouden.woonsituatie, income, assets, tuple(hulpvragen),
                    tuple(dict.fromkeys(parsed.signalen)), casus_facts, self.document.path, self.document.data)

    def domain(self, domein: str, onderwerp: Any, loc: tuple) -> bool:
        """Whether a hulpvraag's domain is known (its facts can be checked); says what is wrong otherwise."""
        framework = self.framework
        domain = framework.domains.get(domein)
        if domain is None:
            close = difflib.get_close_matches(domein, list(framework.domains), n=1, cutoff=0.6)
            self.error("E518", f"onbekend domein '{domein}'", loc + ("domein",),
                       hint=f"bedoelde u '{close[0]}'?" if close else "domeinen: " + ", ".join(framework.domains))
            return False
        if isinstance(onderwerp, str) and onderwerp not in domain.onderwerpen:
            close = difflib.get_close_matches(onderwerp, list(domain.onderwerpen), n=1, cutoff=0.6)
            self.error("E519", f"onbekend onderwerp '{onderwerp}' in domein {domein}", loc + ("onderwerp",),
                       hint=f"bedoelde u '{close[0]}'?" if close else "onderwerpen: " + ", ".join(domain.onderwerpen))
        return True

    def signals(self, signalen) -> None:
        signals = self.framework.case_signals
        for index, signal in enumerate(signalen):
            if isinstance(signal, str) and signal not in signals:
                close = difflib.get_close_matches(signal, list(signals), n=1, cutoff=0.6)
                self.error("E520", f"onbekend signaal '{signal}'", ("signalen", index),
                           hint=f"bedoelde u '{close[0]}'?" if close else "signalen: " + ", ".join(signals))

    def check_readable(self, data: Any) -> None:
        """The vocabulary checks of `check` on whatever parts of a case are readable when its structure is not (a
        missing field, a wrong role): the facts of every person and hulpvraag and of the casus, the domains,
        onderwerpen and signals, so that one run reports a misspelt fact next to a structural error."""
        if not isinstance(data, dict):
            return
        household = data.get("huishouden")
        persons = household.get("personen") if isinstance(household, dict) else None
        for index, person in enumerate(persons if isinstance(persons, list) else []):
            if isinstance(person, dict):
                extra = {k: v for k, v in person.items() if isinstance(k, str) and k not in _CONTRACT_PERSON_KEYS}
                self.facts("persoon", extra, ("huishouden", "personen", index))
        hulpvragen = data.get("hulpvragen")
        for index, hv in enumerate(hulpvragen if isinstance(hulpvragen, list) else []):
            if not isinstance(hv, dict) or not isinstance(hv.get("domein"), str):
                continue
            loc = ("hulpvragen", index)
            if self.domain(hv["domein"], hv.get("onderwerp"), loc) and isinstance(hv.get("feiten"), dict):
                feiten = {k: v for k, v in hv["feiten"].items() if isinstance(k, str)}
                self.facts("hulpvraag", feiten, loc + ("feiten",), domain=hv["domein"])
        if isinstance(data.get("signalen"), list):
            self.signals(data["signalen"])
        if isinstance(data.get("feiten"), dict):
            self.facts("casus", {k: v for k, v in data["feiten"].items() if isinstance(k, str)}, ("feiten",))

    def money(self, value: Decimal, loc: tuple, *, allow_negative: bool) -> None:
        if value != value.quantize(Decimal("0.01")):
            self.error("E521", f"bedrag {value} heeft meer dan twee decimalen", loc)
        if not allow_negative and value < 0:
            self.error("E522", f"bedrag {value} mag niet negatief zijn", loc)


def case_from_document(framework: Framework, document: Document) -> Case:
    """The full check of a case (pydantic's CaseIn and `_CaseChecker`): the case, or CaseFileError with every
    problem at its place."""
    parsed, problems = validate(_case_models().CaseIn, document, code="E500")
    checker = _CaseChecker(framework, document)
    if parsed is None:
        # The structure is broken somewhere; the facts in the readable parts are still checked (a problem at a
        # place the structure check already named is not said twice).
        checker.check_readable(document.data)
        taken = {(d.span.line, d.span.col) for d in problems}
        raise CaseFileError(sorted_diagnostics(
            problems + [d for d in checker.problems if (d.span.line, d.span.col) not in taken]))
    case = checker.check(parsed)
    if case is None:
        raise CaseFileError(checker.problems)
    return case


def case_part(document: Document) -> Document:
    """The `case:` part of a scenario file, with its positions; any other document as it is."""
    data = document.data
    if isinstance(data, dict) and "case" in data and "expected" in data and isinstance(document.pos, PosMap):
        return Document(document.path, data["case"], document.pos.keys["case"][1], document.text)
    return document


def load_case(framework: Framework, path: Path | str, display: str | None = None) -> Case:
    """Read and check a case file (YAML or JSON), or the case of a scenario file; raises CaseFileError."""
    try:
        document = read_document(Path(path), display)
    except SourceError as exc:
        raise CaseFileError(exc.diagnostics) from None
    return read_case(framework, case_part(document))


def read_case(framework: Framework, document: Document) -> Case:
    """The case of a file read by `load_case`: `case_from_document`'s, without building pydantic's models when the
    case has nothing to report. engine.evaluation.casejson reads such a case in one pass (taking a YAML date as the
    contract's Date does); anything else, the reader's own problems included (a key given twice, where the data
    keeps the last value; an impossible date), takes the full check, which words every problem.
    tests/test_case_yaml_onepass.py compares the two on every case file under scenarios/ and on broken ones."""
    if not document.problems and type(document.data) is dict:
        from .casejson import case_from_json
        case = case_from_json(framework, document.data, document.path)
        if case is not None:
            return case
    return case_from_document(framework, document)


def case_from_text(framework: Framework, text: str, display: str, *, json_syntax: bool = False) -> Case:
    try:
        document = parse_text(text, display, json_syntax=json_syntax)
    except SourceError as exc:
        raise CaseFileError(exc.diagnostics) from None
    return case_from_document(framework, document)


def gemeente_option(framework: Framework, value: str | None, where: str = "--gemeente") -> str | None:
    """A municipality named on the command line, case-insensitive; the list is the profiles in rules/gemeenten/."""
    if value is None:
        return None
    name = value.strip().lower()
    if name not in framework.profiles:
        from engine.errors import Span, UsageError
        close = difflib.get_close_matches(name, list(framework.profiles), n=1, cutoff=0.6)
        raise UsageError(Diagnostic("E722", f"onbekende gemeente '{value}'; kies uit " + ", ".join(sorted(framework.profiles)),
                                    Span(where, 1, 1), hint=f"bedoelde u '{close[0]}'?" if close else None))
    return name

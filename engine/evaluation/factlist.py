"""What a case may say: the facts per scope (`kader facts`) and a commented case template (`kader new-case`).

Both come from the framework's declared vocabulary, so they list exactly what `kader assess` accepts: the facts a
case may give per person, per hulpvraag (of a domain, and where a fact is asked only for some onderwerpen, of those)
and for the casus, with their question, type, allowed values and legal basis.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
from dataclasses import dataclass

from engine.errors import Diagnostic, Span, UsageError
from engine.language.framework import FactInfo, Framework
from engine.language.registry import BUILTINS, INKOMENSSOORTEN, ROLES, WOONSITUATIES

# Where a fact of each scope is written in a case file.
PLACES = {"persoon": "huishouden.personen[].{name}", "hulpvraag": "hulpvragen[].feiten.{name}",
          "casus": "feiten.{name}"}
CONTRACT_PERSON_FLAGS = ("beperkt", "studiefinanciering", "commerciele_huurder", "rechtmatig_verblijf")
TYPE_TEXT = {"bool": "true/false", "geheel": "geheel getal", "geld": 'bedrag, bijvoorbeeld "780.00"',
             "decimaal": 'getal, bijvoorbeeld "0.5"', "tekst": "tekst", "datum": "datum JJJJ-MM-DD"}


@dataclass(frozen=True)
class FactEntry:
    scope: str           # persoon | hulpvraag | casus
    name: str            # the key as written in the case
    place: str           # where it goes in a case file
    type: str
    values: tuple[str, ...] | None
    default: object
    question: str
    legal_basis: str
    domein: str | None   # the domain that declares it; None for the case contract, "kader" for all domains
    onderwerpen: tuple[str, ...] | None  # a hulpvraag fact asked only for these onderwerpen

    def to_json(self) -> dict:
        return {"scope": self.scope, "name": self.name, "place": self.place, "type": self.type,
                "values": list(self.values) if self.values else None, "default": self.default,
                "question": self.question, "legal_basis": self.legal_basis, "domein": self.domein,
                "onderwerpen": list(self.onderwerpen) if self.onderwerpen else None}


def _entry(scope: str, info: FactInfo, domain: str | None) -> FactEntry:
    name = info.key.split(".", 1)[1]
    return FactEntry(scope, name, PLACES[scope].format(name=name), info.type, info.values, info.default, info.label,
                     info.legal_basis, domain, info.onderwerpen)


def check_domain_and_onderwerp(framework: Framework, domein: str | None, onderwerp: str | None) -> None:
    """A usage error (exit 2) with a suggestion for an unknown domain or onderwerp."""
    if domein is not None and domein not in framework.domains:
        close = difflib.get_close_matches(domein, list(framework.domains), n=1, cutoff=0.6)
        raise UsageError(Diagnostic("E723", f"onbekend domein '{domein}'; kies uit " + ", ".join(framework.domains),
                                    Span("--domein", 1, 1), hint=f"bedoelde u '{close[0]}'?" if close else None))
    if onderwerp is None:
        return
    allowed = (framework.domains[domein].onderwerpen if domein else
               tuple(sorted({o for d in framework.domains.values() for o in d.onderwerpen})))
    if onderwerp not in allowed:
        close = difflib.get_close_matches(onderwerp, list(allowed), n=1, cutoff=0.6)
        where = f" in domein {domein}" if domein else ""
        raise UsageError(Diagnostic("E724", f"onbekend onderwerp '{onderwerp}'{where}; kies uit " + ", ".join(allowed),
                                    Span("--onderwerp", 1, 1), hint=f"bedoelde u '{close[0]}'?" if close else None))


def list_facts(framework: Framework, domein: str | None = None, onderwerp: str | None = None) -> list[FactEntry]:
    """The facts a case may give, for one domain (and onderwerp) or for all; person, hulpvraag, casus in that order."""
    check_domain_and_onderwerp(framework, domein, onderwerp)
    domains = [domein] if domein else [d for d in framework.domains
                                       if onderwerp is None or onderwerp in framework.domains[d].onderwerpen]
    entries: list[FactEntry] = []
    for name in CONTRACT_PERSON_FLAGS:
        builtin = BUILTINS[f"persoon.{name}"]
        entries.append(FactEntry("persoon", name, PLACES["persoon"].format(name=name), builtin.type, builtin.values,
                                 builtin.default, builtin.label, builtin.source, None, None))
    for scope in ("persoon", "casus"):
        for key, info in sorted(framework.facts.items()):
            if key.startswith(scope + ".") and info.declared_in is not None and \
                    (info.declared_in == "kader" or info.declared_in in domains):
                entries.append(_entry(scope, info, info.declared_in))
    seen: set[str] = set()
    hulpvraag: list[FactEntry] = []
    for domain in domains:
        for key, info in sorted(framework.hulpvraag_facts.get(domain, {}).items()):
            if info.declared_in is None or key in seen:
                continue
            if onderwerp is not None and info.onderwerpen and onderwerp not in info.onderwerpen:
                continue
            seen.add(key)
            hulpvraag.append(_entry("hulpvraag", info, info.declared_in))
    order = {"persoon": 0, "hulpvraag": 1, "casus": 2}
    return sorted(entries + hulpvraag, key=lambda e: order[e.scope])


# ---------------------------------------------------------------- the template


def _comment(text: str, indent: str, width: int = 100) -> list[str]:
    """`text` as comment lines at `indent`, wrapped at word boundaries."""
    import textwrap
    return [indent + "# " + line for line in textwrap.wrap(text, width=width - len(indent) - 2)] or [indent + "#"]


def _example(entry: FactEntry) -> str:
    if entry.type == "bool":
        return "true   # of false"
    if entry.type == "tekst" and entry.values:
        return f"{entry.values[0]}   # of: " + ", ".join(entry.values[1:]) if len(entry.values) > 1 else entry.values[0]
    if entry.type == "geld":
        return '"0.00"'
    if entry.type == "geheel":
        return "0"
    if entry.type == "datum":
        return "2026-01-01"
    return '"0"'


def _fact_lines(entries: list[FactEntry], indent: str) -> list[str]:
    lines: list[str] = []
    for entry in entries:
        lines += _comment(f"{entry.question} [{entry.legal_basis}] ({TYPE_TEXT[entry.type]})", indent)
        lines.append(f"{indent}# {entry.name}: {_example(entry)}")
    return lines


def new_case_template(framework: Framework, domein: str, onderwerp: str, *, peildatum: _dt.date,
                      gemeente: str | None = None) -> str:
    """A commented case file for one hulpvraag: valid as written (it assesses), with every question of the framework
    for that domain and onderwerp as a commented line to answer. The questions the assessment of the empty case still
    asks come first."""
    check_domain_and_onderwerp(framework, domein, onderwerp)
    if gemeente is not None and gemeente not in framework.profiles:
        from .case import gemeente_option
        gemeente_option(framework, gemeente)
    gemeente = gemeente or sorted(framework.profiles)[0]
    facts = list_facts(framework, domein, onderwerp)
    asked = _asked_first(framework, domein, onderwerp, gemeente, peildatum)
    facts.sort(key=lambda e: (f"{e.scope}.{e.name}" not in asked,))
    person = [e for e in facts if e.scope == "persoon" and e.name not in CONTRACT_PERSON_FLAGS]
    flags = [e for e in facts if e.scope == "persoon" and e.name in CONTRACT_PERSON_FLAGS]
    hulpvraag = [e for e in facts if e.scope == "hulpvraag"]
    casus = [e for e in facts if e.scope == "casus"]
    lines = [
        f"# Casus voor kader: één hulpvraag {domein} / {onderwerp}. Geschreven door `kader new-case`.",
        "# Zoals hij is kan hij beoordeeld worden (`kader assess BESTAND`); vul de gegevens van het huishouden in en",
        "# beantwoord de vragen: haal het # weg voor een feit en zet de juiste waarde. Elke vraag die open blijft,",
        "# noemt `kader assess` onder 'Nog nodig om te beslissen'. Alle feiten: `kader facts --domein "
        f"{domein} --onderwerp {onderwerp}`.",
        "id: casus-nieuw                # uw eigen kenmerk van de casus; nooit een BSN of naam",
        f"gemeente: {gemeente}" + " " * max(1, 22 - len(gemeente)) + "# " + " | ".join(sorted(framework.profiles)),
        f"peildatum: {peildatum.isoformat()}         # de datum waarop beoordeeld wordt (JJJJ-MM-DD)",
        f"melddatum: {peildatum.isoformat()}         # de datum van de melding; voor de wettelijke termijnen",
        "huishouden:",
        "  personen:",
        "    - id: p1",
        "      rol: aanvrager           # " + " | ".join(ROLES),
        "      geboortedatum: 1980-01-01  # vul in (JJJJ-MM-DD)",
    ]
    lines += _fact_lines(flags + person, "      ")
    child = _child_birth(peildatum) if domein == "jeugd" else None
    if child:
        lines += ["    - id: k1", "      rol: kind", f"      geboortedatum: {child}  # vul in (JJJJ-MM-DD)"]
    lines += [
        "    # meer personen: - {id: p2, rol: partner, geboortedatum: 1982-06-15}",
        "  woonsituatie: huurwoning      # " + " | ".join(WOONSITUATIES),
        "inkomen:                       # netto per maand, per persoon en soort; een bedrag als tekst met een punt",
        '  - {persoon: p1, soort: loon, netto_per_maand: "0.00"}   # soort: ' + " | ".join(INKOMENSSOORTEN),
        'vermogen: {totaal: "0.00"}      # het in aanmerking te nemen vermogen van het huishouden',
        "hulpvragen:",
        "  - id: hv1",
        f"    domein: {domein}",
        f"    onderwerp: {onderwerp}       # " + " | ".join(framework.domains[domein].onderwerpen),
        f"    persoon: {'k1' if child else 'p1'}                 # de persoon om wie het gaat",
    ]
    if domein == "jeugd":
        lines.append("    # verwijzer: huisarts         # huisarts | jeugdarts | medisch_specialist | gecertificeerde_instelling")
    lines.append("    feiten:")
    lines += _fact_lines(hulpvraag, "      ")
    lines.append("signalen: []                   # " + ", ".join(framework.case_signals))
    lines.append("feiten:")
    lines += _fact_lines(casus, "  ")
    return "\n".join(lines) + "\n"


def _asked_first(framework: Framework, domein: str, onderwerp: str, gemeente: str, peildatum: _dt.date) -> set[str]:
    """The facts the assessment of the empty case says are still missing (they decide first)."""
    from .case import case_from_text
    from .evaluate import assess
    skeleton = {"id": "casus-nieuw", "gemeente": gemeente, "peildatum": peildatum.isoformat(),
                "melddatum": peildatum.isoformat(),
                "huishouden": {"personen": [{"id": "p1", "rol": "aanvrager", "geboortedatum": "1980-01-01"}],
                               "woonsituatie": "huurwoning"},
                "inkomen": [{"persoon": "p1", "soort": "loon", "netto_per_maand": "0.00"}],
                "vermogen": {"totaal": "0.00"},
                "hulpvragen": [{"id": "hv1", "domein": domein, "onderwerp": onderwerp, "persoon": "p1"}]}
    if domein == "jeugd":  # youth help is for a child of the household
        skeleton["huishouden"]["personen"].append({"id": "k1", "rol": "kind", "geboortedatum": _child_birth(peildatum)})
        skeleton["hulpvragen"][0]["persoon"] = "k1"
    case = case_from_text(framework, json.dumps(skeleton), "casus-nieuw.json", json_syntax=True)
    return {item["fact"] for item in assess(framework, case).to_json()["missing_facts"]}


def _child_birth(peildatum: _dt.date) -> str:
    """A placeholder birth date of a ten-year-old on the peildatum (1 January, so it exists in every year)."""
    return _dt.date(peildatum.year - 10, 1, 1).isoformat()

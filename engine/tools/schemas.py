"""JSON Schemas of the files people write, from the pydantic models plus the framework's declared vocabulary.

`case_schema(framework)` describes a case file: the case contract (the pydantic model `CaseIn`) with, filled in
from the framework, the municipalities (its profiles), the domains with their onderwerpen, the signals, and the
declared facts per scope (person, hulpvraag per domain, casus) with their type, allowed values, question and legal
basis. `rules_schema()` describes a domain rule file, `kader_schema()` kader.yaml and `profile_schema(framework)` a
municipal profile. An editor with the YAML language server completes and checks files against them.

A schema can say less than kader checks (expressions, references between files, dates before the peildatum are
checked by `kader check` and `kader assess`), but it never refuses what kader accepts: the tests validate every
scenario case and every rule file against them.
"""

from __future__ import annotations

import copy
from typing import Any

from engine.evaluation.case import CaseIn
from engine.language.framework import FactInfo, Framework
from engine.language.models import DomainFile, KaderFile, ProfileFile
from engine.language.registry import BUILTINS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# Numbers as kader reads them: a JSON/YAML number, or a decimal string with a point ("780.00", never "780,00").
NUMBER_TEXT = r"^\s*-?(0|[1-9][0-9]*)(\.[0-9]+)?\s*$"
NUMBER = {"anyOf": [{"type": "number"}, {"type": "string", "pattern": NUMBER_TEXT}],
          "description": "bedrag of getal: een getal of tekst met een punt als decimaalteken, bijvoorbeeld \"780.00\""}
DATE = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "description": "datum JJJJ-MM-DD"}
WRITTEN_PERSON_FLAGS = ("beperkt", "studiefinanciering", "commerciele_huurder", "rechtmatig_verblijf")

TYPE_NAMES = {"bool": "ja/nee (true/false)", "geheel": "geheel getal", "geld": "bedrag in euro's",
              "decimaal": "getal", "tekst": "tekst uit een lijst", "datum": "datum JJJJ-MM-DD"}


def fact_schema(info: FactInfo) -> dict[str, Any]:
    """The schema of one declared fact's value, with its question and legal basis as description."""
    kind = info.type
    if kind == "bool":
        schema: dict[str, Any] = {"type": "boolean"}
    elif kind == "geheel":
        schema = {"type": "integer"}
    elif kind in ("geld", "decimaal"):
        schema = {"anyOf": copy.deepcopy(NUMBER["anyOf"])}
    elif kind == "datum":
        schema = {k: v for k, v in DATE.items() if k != "description"}
    else:
        schema = {"type": "string"}
        if info.values:
            schema["enum"] = list(info.values)
    schema["description"] = f"{info.label} [{info.legal_basis}]"
    return schema


def _declared(framework: Framework, scope: str, domain: str | None = None) -> dict[str, FactInfo]:
    """name -> declared fact a case may give at `scope` (for hulpvraag: of `domain`)."""
    source = framework.hulpvraag_facts.get(domain or "", {}) if scope == "hulpvraag" else framework.facts
    prefix = scope + "."
    return {key[len(prefix):]: info for key, info in sorted(source.items())
            if key.startswith(prefix) and info.declared_in is not None}


def _numbers_and_dates(node: Any) -> Any:
    """pydantic writes kader's exact numbers as number-or-any-string and dates without a pattern; say it exactly."""
    if isinstance(node, dict):
        if node.get("anyOf") == [{"type": "number"}, {"type": "string"}]:
            extra = {k: v for k, v in node.items() if k not in ("anyOf", "title")}
            return {**copy.deepcopy(NUMBER), **extra}
        if node.get("format") == "date" and node.get("type") == "string":
            return {**node, "pattern": DATE["pattern"]}
        return {k: _numbers_and_dates(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_numbers_and_dates(v) for v in node]
    return node


def _untitled(node: Any) -> Any:
    """Drop pydantic's generated titles ("Netto Per Maand"): they are noise in an editor's completion list."""
    if isinstance(node, dict):
        return {k: _untitled(v) for k, v in node.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(node, list):
        return [_untitled(v) for v in node]
    return node


def case_schema(framework: Framework) -> dict[str, Any]:
    """The JSON Schema of a case file for this framework."""
    schema = _untitled(_numbers_and_dates(CaseIn.model_json_schema()))
    defs = schema["$defs"]
    schema = {"$schema": DRAFT, "title": f"kader casus ({framework.name} {framework.version})",
              "description": "Een huishouden met zijn hulpvragen, te beoordelen met `kader assess`.", **schema}
    props = schema["properties"]
    props["gemeente"] = {"type": "string", "enum": sorted(framework.profiles),
                         "description": "gemeente: een van de profielen in rules/gemeenten/"}
    props["signalen"] = {"type": "array", "items": {"type": "string", "enum": list(framework.case_signals)},
                         "description": "signalen bij de casus"}
    casus = _declared(framework, "casus")
    props["feiten"] = {"type": ["object", "null"], "additionalProperties": False, "description": "feiten over de casus als geheel",
                       "properties": {name: fact_schema(info) for name, info in casus.items()}}
    person = defs["PersonIn"]
    person["additionalProperties"] = False
    for name, info in _declared(framework, "persoon").items():
        person["properties"][name] = fact_schema(info)
    for name in WRITTEN_PERSON_FLAGS:
        builtin = BUILTINS[f"persoon.{name}"]
        person["properties"][name]["description"] = f"{builtin.label} [{builtin.source}]"
    hulpvraag = defs["HulpvraagIn"]
    hulpvraag["properties"]["domein"] = {"type": "string", "enum": list(framework.domains)}
    hulpvraag["properties"]["onderwerp"] = {
        "type": "string", "enum": sorted({o for d in framework.domains.values() for o in d.onderwerpen})}
    hulpvraag["properties"]["feiten"] = {"type": ["object", "null"], "description": "antwoorden op de vragen van het kader "
                                         "voor deze hulpvraag (zie `kader facts --domein D`)"}
    per_domain = []
    for name, domain in framework.domains.items():
        facts = _declared(framework, "hulpvraag", name)
        per_domain.append({
            "if": {"properties": {"domein": {"const": name}}, "required": ["domein"]},
            "then": {"properties": {
                "onderwerp": {"enum": list(domain.onderwerpen)},
                "feiten": {"additionalProperties": False,
                           "properties": {key: fact_schema(info) for key, info in facts.items()}}}}})
    hulpvraag["allOf"] = per_domain
    return schema


def _shorthand(defs: dict, name: str, field: str, pattern: str) -> None:
    """A model that also accepts a bare string for one field (`suffices: wmo.x` for `{provision: wmo.x}`)."""
    defs[name] = {"anyOf": [{"type": "string", "pattern": pattern}, defs[name]]}


def _rule_file_schema(model, title: str, description: str) -> dict[str, Any]:
    schema = _untitled(_numbers_and_dates(model.model_json_schema(by_alias=True)))
    defs = schema.get("$defs", {})
    identifier = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
    if "Target" in defs:
        _shorthand(defs, "Target", "provision", identifier)
    if "DeadlineRef" in defs:
        _shorthand(defs, "DeadlineRef", "id", r"^[a-z][a-z0-9_]*$")
    if "Requires" in defs:
        onderwerp = defs["Requires"]["properties"]["onderwerp"]
        onderwerp["anyOf"].insert(0, {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"})
    _expressions(schema)
    return {"$schema": DRAFT, "title": title, "description": description, **schema}


EXPRESSION_FIELDS = {"when", "value", "formula", "otherwise", "inkomen", "norm", "vermogen", "vermogensgrens"}


def _expressions(node: Any, key: str | None = None) -> None:
    """An expression may also be written as a bare number or true/false (kader reads it as expression text)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, dict) and k in EXPRESSION_FIELDS and v.get("type") == "string" and "minLength" in v:
                node[k] = {"anyOf": [v, {"type": "number"}, {"type": "boolean"}],
                           "description": "uitdrukking in de regeltaal (docs/rule-language.md)"}
            elif k == "amounts" and isinstance(v, dict) and isinstance(v.get("additionalProperties"), dict):
                v["additionalProperties"] = {"anyOf": [v["additionalProperties"], {"type": "number"}]}
            else:
                _expressions(v, k)
    elif isinstance(node, list):
        for v in node:
            _expressions(v)


def rules_schema(framework: Framework | None = None) -> dict[str, Any]:
    """The JSON Schema of a domain rule file (rules/<domein>/*.yaml, rules/integraal/*.yaml); with a framework, the
    domains and onderwerpen its kader.yaml declares are the allowed values where a rule file names them."""
    schema = _rule_file_schema(DomainFile, "kader regelbestand",
                               "Feiten, parameters, voorzieningen, regels, aanspraken en termijnen van een domein; "
                               "`kader check` controleert daarnaast de uitdrukkingen en verwijzingen.")
    if framework is not None:
        _vocabulary(schema["$defs"], framework)
    return schema


def _vocabulary(defs: dict, framework: Framework) -> None:
    onderwerpen = sorted({o for d in framework.domains.values() for o in d.onderwerpen})
    one = {"type": "string", "enum": onderwerpen}
    if "Provision" in defs:
        defs["Provision"]["properties"]["onderwerpen"]["items"] = one
    if "FactDecl" in defs:
        defs["FactDecl"]["properties"]["onderwerpen"]["anyOf"][0]["items"] = one
    if "Requires" in defs:
        requires = defs["Requires"]["properties"]
        requires["domein"] = {"type": "string", "enum": list(framework.domains)}
        requires["onderwerp"]["anyOf"][0] = one
        requires["onderwerp"]["anyOf"][1]["items"] = one


def kader_schema() -> dict[str, Any]:
    """The JSON Schema of rules/kader.yaml."""
    return _rule_file_schema(KaderFile, "kader.yaml", "Naam, versie, ladder, domeinen en de gedeelde woordenschat.")


def profile_schema(framework: Framework | None = None) -> dict[str, Any]:
    """The JSON Schema of a municipal profile (rules/gemeenten/<gemeente>.yaml)."""
    schema = _rule_file_schema(ProfileFile, "kader gemeenteprofiel",
                               "De ruimte van één gemeente: override-punten, voorveld (niveau 1) en minimaregelingen.")
    if framework is not None:
        _vocabulary(schema["$defs"], framework)
        schema["$defs"]["LocalProvision"]["properties"]["onderwerpen"]["items"] = {
            "type": "string", "enum": sorted({o for d in framework.domains.values() for o in d.onderwerpen})}
        points = sorted(name for name, p in framework.parameters.items() if p.override is not None and p.override.allowed)
        schema["properties"]["overrides"]["propertyNames"] = {"enum": points}
        schema["$defs"]["LocalProvision"]["properties"]["domain"] = {"type": "string", "enum": list(framework.domains)}
    return schema


def atw_schema() -> dict[str, Any]:
    """The JSON Schema of rules/algemene_termijnenwet.yaml (days made equal to holidays, Atw art. 3 lid 3)."""
    from engine.language.atw import AtwFile
    return _rule_file_schema(AtwFile, "algemene_termijnenwet.yaml",
                             "De dagen die bij besluit met een algemeen erkende feestdag zijn gelijkgesteld, per besluit.")


def wetten_schema() -> dict[str, Any]:
    """The JSON Schema of rules/wetten.yaml (the laws a legal basis resolves to, with their BWB identifiers)."""
    from engine.language.wetten import WettenFile
    return _rule_file_schema(WettenFile, "wetten.yaml",
                             "De wetten waarnaar een legal_basis verwijst, met hun BWB-nummer, en de andere bronnen.")


SCHEMAS = ("case", "rules", "kader", "profile", "atw", "wetten")


def schema(framework: Framework, kind: str) -> dict[str, Any]:
    """`kader schema KIND`: one of SCHEMAS."""
    if kind == "case":
        return case_schema(framework)
    if kind == "rules":
        return rules_schema(framework)
    if kind == "kader":
        return kader_schema()
    if kind == "profile":
        return profile_schema(framework)
    if kind == "atw":
        return atw_schema()
    if kind == "wetten":
        return wetten_schema()
    raise ValueError(kind)

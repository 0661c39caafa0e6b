"""Municipal profiles: the bounded room each municipality has within the framework.

A profile may set values for declared override points (within the bounds the
framework gives, citing the decision that sets them), add local voorveld
provisions (level 1 only) and minima schemes built on the framework's minima
income test. Anything else is refused with a located error that says the
framework fixes it for all municipalities.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from .framework import ParameterDef, Profile, ProvisionDef
from .models import GRONDSLAGEN, Entitlement, ProfileFile
from .sources import Document
from .validation import _close, validate_partial

if TYPE_CHECKING:
    from .loader import Loader

FIXED_FOR_ALL = "het kader legt dit vast voor alle gemeenten"
PROFILE_ROOM = ("een gemeenteprofiel mag alleen 'overrides' (van override-punten), 'provisions' (voorveld, niveau 1) "
                "en 'minima_schemes' bevatten")
VOORVELD = 1


def _profile_hint(loc: tuple) -> str | None:
    if len(loc) == 1:
        return f"{FIXED_FOR_ALL}; {PROFILE_ROOM}"
    return None


def load_profile(loader: "Loader", stem: str, document: Document) -> Profile | None:
    sink = loader.sink
    parsed, problems = validate_partial(ProfileFile, document, code="E400", extra_hint=_profile_hint)
    for problem in problems:
        if problem.message.startswith("onbekende sleutel") and problem.hint and problem.hint.startswith(FIXED_FOR_ALL):
            sink.error("E400", problem.message + f" in het profiel van {stem}", problem.span, hint=problem.hint)
        else:
            sink.items.append(problem)
    if parsed is None:
        return None
    if parsed.gemeente != stem:  # the file name is the municipality: a profile file adds a municipality
        sink.error("E401", f"profiel heet {stem}.yaml maar noemt gemeente '{parsed.gemeente}'", document.span(("gemeente",)))
    gemeente = parsed.gemeente
    overrides = _overrides(loader, parsed, document)
    provisions = _provisions(loader, gemeente, parsed, document)
    schemes = _minima_schemes(loader, gemeente, parsed, document)
    return Profile(gemeente, parsed.name, overrides, provisions, schemes, document.span(()))


def _overrides(loader: "Loader", parsed: ProfileFile, document: Document) -> dict[str, ParameterDef]:
    sink = loader.sink
    result: dict[str, ParameterDef] = {}
    for name, override in parsed.overrides.items():
        loc = ("overrides", name)
        span = document.span(loc, key=True)
        parameter = loader.parameters.get(name)
        if parameter is None:
            sink.error("E402", f"onbekende parameter '{name}'", span, hint=_close(name, list(loader.parameters)))
            continue
        if parameter.override is None or not parameter.override.allowed:
            sink.error("E403", f"parameter '{name}' is geen override-punt: {FIXED_FOR_ALL}", span,
                       related=(("gedeclareerd", parameter.span),))
            continue
        timeline = loader.timeline(override.values, parameter.type, document, loc + ("values",))
        if timeline is None:
            continue
        low, high = parameter.override.min, parameter.override.max
        in_bounds = True
        for index, value in enumerate(timeline[2]):
            if value is None:
                continue
            if (low is not None and value < low) or (high is not None and value > high):
                bounds = f"{low if low is not None else '-'} tot en met {high if high is not None else '-'}"
                sink.error("E404", f"waarde {value} voor '{name}' ligt buiten de grenzen die het kader stelt ({bounds})",
                           document.span(loc + ("values", index, "value")), related=(("grenzen", parameter.span),))
                in_bounds = False
        if in_bounds and parameter.override.min_kaderwaarde:
            in_bounds = _not_below_framework(sink, name, parameter, timeline, document, loc)
        if in_bounds:
            result[name] = ParameterDef(name, parameter.type, parameter.unit, parameter.legal_basis, *timeline,
                                        parameter.override, parameter.verify, span, override.decision,
                                        pending=loader.pending(override.values))
    return result


def _provisions(loader: "Loader", gemeente: str, parsed: ProfileFile, document: Document) -> dict[str, ProvisionDef]:
    sink = loader.sink
    result: dict[str, ProvisionDef] = {}
    for name, provision in parsed.provisions.items():
        loc = ("provisions", name)
        span = document.span(loc, key=True)
        if not name.startswith(gemeente + "."):
            sink.error("E405", f"lokale voorziening '{name}' moet beginnen met '{gemeente}.'", span)
            continue
        if provision.domain not in loader.kader.domains:
            sink.error("E133", f"onbekend domein '{provision.domain}'", document.span(loc + ("domain",)),
                       hint=_close(provision.domain, list(loader.kader.domains)))
            continue
        if provision.level != VOORVELD:
            sink.error("E406", f"een gemeente mag alleen voorzieningen op niveau {VOORVELD} (voorveld) toevoegen; "
                       f"niveau {provision.level}: {FIXED_FOR_ALL}", document.span(loc + ("level",)))
            continue
        loader.check_onderwerpen(provision.domain, provision.onderwerpen, document, loc + ("onderwerpen",))
        result[name] = ProvisionDef(name, provision.name, provision.domain, provision.level, provision.onderwerpen,
                                    provision.legal_basis or provision.decision, None, span, gemeente,
                                    provision.decision, order=len(result))
    return result


def _minima_schemes(loader: "Loader", gemeente: str, parsed: ProfileFile, document: Document) -> dict:
    sink = loader.sink
    result = {}
    if parsed.minima_schemes and loader.minima_test is None:
        sink.error("E407", "het kader kent geen minima_test om minimaregelingen op te bouwen",
                   document.span(("minima_schemes",), key=True))
        return result
    for name, scheme in parsed.minima_schemes.items():
        loc = ("minima_schemes", name)
        test = loader.minima_test[0]
        bounds = test.percentage
        if not bounds.min <= scheme.percentage <= bounds.max:
            sink.error("E404", f"percentage {scheme.percentage} ligt buiten de grenzen die het kader stelt "
                       f"({bounds.min} tot en met {bounds.max})", document.span(loc + ("percentage",)),
                       related=(("minima_test", loader.minima_test[1].span(loader.minima_test[2])),))
            continue
        if scheme.grondslag == "categoriale_bijzondere_bijstand" and not scheme.collectieve_zorgverzekering:
            sink.error("E409", "categoriale bijzondere bijstand kan alleen als collectieve aanvullende "
                       "zorgverzekering of als bijdrage in de premie daarvan (Participatiewet art. 35 lid 3); een "
                       "vergoeding met alleen een inkomenstoets is dat niet", document.span(loc + ("grondslag",)),
                       hint="kies de grondslag die de regeling werkelijk heeft: individuele_bijzondere_bijstand "
                            "(art. 35 lid 1), gemeentelijke_regeling of fonds_derden")
            continue
        if scheme.leeftijd is not None and scheme.leeftijd.tot <= scheme.leeftijd.van:
            sink.error("E408", "leeftijd: 'tot' moet groter zijn dan 'van'", document.span(loc + ("leeftijd",)))
            continue
        entitlement = Entitlement.model_validate(_scheme_entitlement(test, scheme))
        definition = loader.entitlement(f"{gemeente}.{name}", entitlement, document, loc,
                                        document.span(loc, key=True), gemeente, scheme.decision, scheme.per,
                                        in_kind=scheme.bedrag is None)
        if definition is not None:
            settings = (("percentage", format(scheme.percentage, "f")),
                        ("bedrag", format(scheme.bedrag, "f") if scheme.bedrag is not None else "natura"),
                        ("periode", scheme.periode), ("per", scheme.per),
                        ("leeftijd", f"{scheme.leeftijd.van}-{scheme.leeftijd.tot}" if scheme.leeftijd else "alle"))
            result[definition.id] = dataclasses.replace(definition, settings=settings)
    return result


def _scheme_entitlement(test, scheme) -> dict:
    """The entitlement a minima scheme stands for, written in the framework's expression language."""
    percentage = scheme.percentage
    basis = f"{GRONDSLAGEN[scheme.grondslag]}; {scheme.decision}"
    criteria = [
        {"id": "inkomen_binnen_grens",
         "when": f"({test.inkomen}) <= ({test.norm}) * {percentage} / 100",
         "legal_basis": basis,
         "reason": f"inkomen ten hoogste {percentage}% van de norm (inclusief: op de grens telt mee)"},
        {"id": "vermogen_binnen_grens",
         "when": f"({test.vermogen}) <= ({test.vermogensgrens})",
         "legal_basis": basis,
         "reason": "vermogen niet boven de vermogensgrens"},
    ]
    count = "1"
    if scheme.leeftijd is not None:
        band = f"aantal_kinderen({scheme.leeftijd.van}, {scheme.leeftijd.tot})"
        criteria.append({"id": "doelgroep", "when": f"{band} >= 1", "legal_basis": scheme.decision,
                         "reason": f"kind van {scheme.leeftijd.van} tot {scheme.leeftijd.tot} jaar in het huishouden"})
        if scheme.per == "kind":
            count = band
    elif scheme.per == "kind":
        count = "huishouden.aantal_kinderen"
        criteria.append({"id": "doelgroep", "when": "huishouden.aantal_kinderen >= 1", "legal_basis": scheme.decision,
                         "reason": "kind in het huishouden"})
    elif scheme.per == "persoon":
        count = "huishouden.aantal_personen"
    return {
        "title": scheme.title,
        "legal_basis": basis,
        "periode": scheme.periode,
        "requires": test.requires.model_dump(exclude_none=True),
        "criteria": criteria,
        "amounts": {
            "grens": f"({test.norm}) * {percentage} / 100",
            "bedrag": f"{scheme.bedrag} * {count}" if scheme.bedrag is not None else "0",
        },
        "rounding": "cent",
    }


def _not_below_framework(sink, name: str, parameter: ParameterDef, timeline, document: Document, loc: tuple) -> bool:
    """An override with `min_kaderwaarde`: in every period, not below the framework's value of that period."""
    starts, ends, values = timeline[0], timeline[1], timeline[2]
    ok = True
    for index, value in enumerate(values):
        if value is None:
            continue
        end = ends[index]
        for start_f, end_f, framework_value in zip(parameter.starts, parameter.ends, parameter.values, strict=True):
            overlaps = (end is None or start_f <= end) and (end_f is None or starts[index] <= end_f)
            if framework_value is not None and overlaps and value < framework_value:
                first = max(starts[index], start_f)
                sink.error("E404", f"waarde {value} voor '{name}' ligt onder de kaderwaarde {framework_value} die vanaf "
                           f"{first} geldt; de gemeente mag alleen meer geven",
                           document.span(loc + ("values", index, "value")), related=(("kaderwaarde", parameter.span),))
                ok = False
                break
    return ok

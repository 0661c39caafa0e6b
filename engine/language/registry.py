"""The built-in vocabulary: facts that come straight from the case contract.

The framework declares its own facts (questions an assessor answers), derived
facts (formulas) and parameters in YAML; the facts below are the ones every case
carries by contract (docs/case.md) or that follow mechanically from it, such
as a person's age in whole years on the peildatum. Every name a rule file uses
is resolved through this registry plus the framework's declarations; nothing is
ever looked up with `getattr` on a string from a file.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ir import BOOL, GEHEEL, GELD, LIJST, TEKST

ROLES = ("aanvrager", "partner", "kind", "huisgenoot")
VERWIJZERS = ("huisarts", "jeugdarts", "medisch_specialist", "gecertificeerde_instelling", "geen")
WOONSITUATIES = ("huurwoning", "koopwoning", "inwonend", "instelling", "geen_vaste_woonplek")
INKOMENSSOORTEN = ("loon", "uitkering", "pensioen", "alimentatie", "studiefinanciering", "toeslag", "kinderbijslag",
                   "overig")
CONTRACT = "casuscontract (docs/case.md)"


@dataclass(frozen=True)
class Builtin:
    """A built-in fact of kader, with its type, label and source."""

    key: str
    type: str
    label: str
    source: str
    values: tuple[str, ...] | None = None
    default: object = None  # the contract's own default for an absent flag


PERSON_FACTS: tuple[Builtin, ...] = (
    Builtin("persoon.rol", TEKST, "rol in het huishouden", CONTRACT, ROLES),
    Builtin("persoon.leeftijd", GEHEEL, "leeftijd in hele jaren op de peildatum", "leeftijd uit geboortedatum en peildatum"),
    Builtin("persoon.leeftijd_maanden", GEHEEL, "leeftijd in hele maanden op de peildatum",
            "leeftijd uit geboortedatum en peildatum"),
    Builtin("persoon.beperkt", BOOL, "heeft eigen beperkingen: kan huishouden of zorg niet overnemen", CONTRACT,
            default=False),
    Builtin("persoon.studiefinanciering", BOOL, "kan studiefinanciering (Wsf 2000) of WTOS krijgen", CONTRACT,
            default=False),
    Builtin("persoon.commerciele_huurder", BOOL, "woont er op commerciële basis (schriftelijk, marktconform)",
            CONTRACT, default=False),
    Builtin("persoon.rechtmatig_verblijf", BOOL, "Nederlander of rechtmatig verblijvend (Vw 2000 art. 8 a-e, l)",
            CONTRACT, default=True),
    Builtin("persoon.inkomen", GELD, "netto inkomen per maand van deze persoon dat als middelen telt (Participatiewet "
            "art. 31-33: niet de inkomenssoorten van art. 31 lid 2); onbekend als de casus geen inkomen noemt", CONTRACT),
)

HOUSEHOLD_FACTS: tuple[Builtin, ...] = (
    Builtin("huishouden.woonsituatie", TEKST, "woonsituatie", CONTRACT, WOONSITUATIES),
    Builtin("huishouden.aantal_personen", GEHEEL, "aantal personen in het huishouden", CONTRACT),
    Builtin("huishouden.aantal_volwassenen", GEHEEL, "aantal personen van 18 jaar of ouder", CONTRACT),
    Builtin("huishouden.aantal_kinderen", GEHEEL, "aantal kinderen (rol kind), elke leeftijd", CONTRACT),
    Builtin("huishouden.aantal_minderjarige_kinderen", GEHEEL, "aantal kinderen jonger dan 18", CONTRACT),
    Builtin("huishouden.heeft_partner", BOOL, "aanvrager heeft een partner in het huishouden", CONTRACT),
    Builtin("huishouden.jongste_kind_leeftijd", GEHEEL, "leeftijd van het jongste kind", CONTRACT),
    Builtin("huishouden.inkomen", GELD, "netto inkomen per maand van alle personen in het huishouden samen", CONTRACT),
)

CASE_FACTS: tuple[Builtin, ...] = (
    Builtin("casus.gemeente", TEKST, "gemeente", CONTRACT, ("baarn", "bunschoten", "soest")),
    Builtin("casus.inkomen", GELD, "netto inkomen per maand van de aanvrager en zijn partner (het gezin, "
            "Participatiewet art. 4 lid 1 onder c) dat als middelen telt (art. 31-33: niet de inkomenssoorten van "
            "art. 31 lid 2, zie inkomenssoorten in kader.yaml); inkomen van kinderen en huisgenoten telt niet mee",
            CONTRACT),
    Builtin("casus.inkomen_bijzondere_bijstand", GELD, "netto inkomen per maand van het gezin voor de draagkracht in "
            "de bijzondere bijstand: alle middelen, ook die van art. 31 lid 2 (Participatiewet art. 35 lid 1)", CONTRACT),
    Builtin("casus.inkomen_minima", GELD, "netto inkomen per maand van het gezin voor de inkomensgrenzen van het "
            "minimabeleid (de inkomenssoorten die daarvoor tellen, zie inkomenssoorten in kader.yaml)", CONTRACT),
    Builtin("casus.inkomen_wmo_bijdrage", GELD, "netto inkomen per maand van het gezin voor de inkomensgrens van de "
            "Wmo-bijdrage (de inkomenssoorten die daarvoor tellen, zie inkomenssoorten in kader.yaml)", CONTRACT),
    Builtin("casus.vermogen", GELD, "in aanmerking te nemen vermogen van het huishouden", CONTRACT),
    Builtin("casus.aantal_domeinen", GEHEEL, "aantal domeinen met een hulpvraag", CONTRACT),
    Builtin("casus.domeinen", LIJST, "domeinen met een hulpvraag", CONTRACT),
    Builtin("casus.signalen", LIJST, "signalen bij de casus", CONTRACT),
    Builtin("casus.melding_ontvangen", BOOL, "de casus noemt een melddatum", CONTRACT),
    Builtin("casus.aanvraag_ontvangen", BOOL, "de casus noemt een aanvraagdatum", CONTRACT),
    Builtin("casus.dagen_sinds_melding", GEHEEL, "kalenderdagen van de melddatum tot de peildatum", CONTRACT),
    Builtin("casus.dagen_melding_tot_aanvraag", GEHEEL, "kalenderdagen van de melddatum tot de aanvraagdatum", CONTRACT),
)

HULPVRAAG_FACTS: tuple[Builtin, ...] = (
    Builtin("hulpvraag.domein", TEKST, "domein van de hulpvraag", CONTRACT),
    Builtin("hulpvraag.onderwerp", TEKST, "onderwerp van de hulpvraag", CONTRACT),
    Builtin("hulpvraag.verwijzer", TEKST, "wettelijke verwijzer", "Jeugdwet art. 2.6 lid 1 onder e; art. 3.5",
            VERWIJZERS, default="geen"),
)

BUILTINS: dict[str, Builtin] = {b.key: b for b in PERSON_FACTS + HOUSEHOLD_FACTS + CASE_FACTS + HULPVRAAG_FACTS}

# Person facts are also reachable through the two fixed roles of a household.
PERSON_ALIASES = ("aanvrager", "partner")


def person_alias(key: str, alias: str) -> str:
    """`persoon.leeftijd` -> `aanvrager.leeftijd`."""
    return alias + key[len("persoon"):]

"""Issue 14, done when: a case written from the README and `kader facts` alone assesses without a single error
message on the first try. This one was written that way for this test: a single parent in Bunschoten asking for
bijstand and help with raising her son; facts taken from `kader facts --domein werk_inkomen --onderwerp
levensonderhoud` and `kader facts --domein jeugd --onderwerp opvoeding`, the municipality written as a person
would (`Bunschoten`), child benefit as an income soort, the schema modeline of the README on top."""

from __future__ import annotations

import json

from cli import app

CASE = """\
# yaml-language-server: $schema=casus.schema.json
id: casus-0211
gemeente: Bunschoten
peildatum: 2026-04-01
melddatum: 2026-03-25
huishouden:
  personen:
    - id: p1
      rol: aanvrager
      geboortedatum: 1990-05-10
      verblijfsgrond: nederlander
      acht_jaar_nederlandstalig_onderwijs: true
    - {id: k1, rol: kind, geboortedatum: 2016-03-01}
  woonsituatie: huurwoning
inkomen:
  - {persoon: p1, soort: kinderbijslag, netto_per_maand: "310.00"}
vermogen: {totaal: "1500.00"}
hulpvragen:
  - id: hv1
    domein: werk_inkomen
    onderwerp: levensonderhoud
    persoon: p1
    feiten:
      voorliggende_voorziening: false
      kosten_voor_de_melding: false
  - id: hv2
    domein: jeugd
    onderwerp: opvoeding
    persoon: k1
    feiten:
      eigen_mogelijkheden_toereikend: false
      andere_voorliggende_voorziening: false
      lichte_opvoedvraag: true
signalen: [schulden]
"""


def test_a_case_written_from_the_readme_and_kader_facts_assesses_on_the_first_try(runner, tmp_path):
    path = tmp_path / "alleenstaande-ouder.yaml"
    path.write_text(CASE, encoding="utf-8")
    table = runner.invoke(app, ["assess", str(path)])
    assert table.exit_code == 0 and table.stderr == "", table.output
    data = json.loads(runner.invoke(app, ["assess", str(path), "--format", "json"]).stdout)
    assert data["gemeente"] == "bunschoten"
    hv1, hv2 = data["proposals"]
    assert (hv1["hulpvraag"], hv1["provision"], hv1["level"]) == ("hv1", "werk_inkomen.algemene_bijstand", 3)
    # Participatiewet art. 21 onder a: norm alleenstaande ouder 21-AOW per 2026-01-01 EUR 1.401,50; child benefit
    # is no income for the bijstand (art. 31 lid 2 onder b), so she receives the whole norm
    [bijstand] = [e for e in data["entitlements"] if e["id"] == "algemene_bijstand"]
    assert (bijstand["eligible"], bijstand["norm"], bijstand["bedrag"]) == (True, "1401.50", "1401.50")
    # the youth request is not decided: kader says so and names the questions that decide it (Jeugdwet art. 1.2)
    assert (hv2["hulpvraag"], hv2["provision"], hv2["status"]) == ("hv2", None, "geen_automatisch_voorstel")
    assert {m["fact"] for m in data["missing_facts"]} == {"hulpvraag.meervoudige_oorzaken", "hulpvraag.zvw_aanspraak",
                                                          "persoon.wlz_indicatie"}

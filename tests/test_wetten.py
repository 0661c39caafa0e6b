"""A link to the law on every legal basis (issue 11 item 11): every legal basis resolves to a law's BWB identifier
and an article (and lid where cited), so it can link to wetten.overheid.nl for the version in force on the
peildatum; kader check refuses a legal basis that resolves to neither a statute article nor a declared source."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from cli import app
from engine.language.wetten import link
from engine.tools.coverage import _elements

from .conftest import examples


def test_every_legal_basis_of_the_framework_resolves(framework):
    bases = [basis for _, _, found, _ in _elements(framework) for basis in found]
    assert len(bases) > 500
    for basis in bases:
        refs, unresolved = framework.wetten.resolve(basis)
        assert any(r.artikel for r in refs) or not unresolved, basis


def test_a_reference_continues_its_law_after_a_semicolon_and_reads_lid_and_onder(framework):
    refs, unresolved = framework.wetten.resolve(
        "Participatiewet art. 41 lid 4 en 5; art. 7 lid 3 onder b; Wmo 2015 art. 2.3.5 lid 6 (kan weigeren; ook lid 7)")
    assert unresolved == []
    assert [(r.bwb, r.artikel, r.lid, r.onder) for r in refs] == [
        ("BWBR0015703", "41", "4", None), ("BWBR0015703", "41", "5", None), ("BWBR0015703", "7", "3", "b"),
        ("BWBR0035362", "2.3.5", "6", None)]


def test_every_article_and_member_a_segment_cites_is_a_reference(framework):
    """Issue 11 item 11: "art. 3 lid 2 onder a, lid 3 en lid 4" cites three members of art. 3, "art. 11, 19, 20-24"
    each article of the list and of a short range, "art. 18b lid 4, 9 en 13" three members; a second letter under
    the same member ("onder a en b", "onder a tot en met d") adds no other link (the link names the member)."""
    cases = {
        "Participatiewet art. 3 lid 2 onder a, lid 3 en lid 4 (tekst vanaf 2026-01-01)":
            [("3", "2", "a"), ("3", "3", None), ("3", "4", None)],
        "Participatiewet art. 11, 19, 20-24, 34": [(a, None, None) for a in ("11", "19", "20", "21", "22", "23", "24",
                                                                           "34")],
        "Participatiewet art. 18b lid 4, 9 en 13": [("18b", "4", None), ("18b", "9", None), ("18b", "13", None)],
        "Participatiewet art. 3 lid 4 onder a tot en met d": [("3", "4", "a")],
        "Algemene wet bestuursrecht art. 4:13 lid 2 (acht weken; art. 44)": [("4:13", "2", None)],
        "Algemene termijnenwet art. 1 lid 1 en art. 3 lid 3 (Besluit van 2 januari 2026)": [("1", "1", None),
                                                                                          ("3", "3", None)],
    }
    for text, expected in cases.items():
        refs, unresolved = framework.wetten.resolve(text)
        assert unresolved == [] and [(r.artikel, r.lid, r.onder) for r in refs] == expected, text


@settings(max_examples=examples(60))
@given(day=st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)),
       article=st.sampled_from(["34", "36b", "2.3.5", "4:13", "7a"]), lid=st.one_of(st.none(), st.integers(1, 12)))
def test_the_link_names_the_law_the_article_and_the_version_of_the_peildatum(framework, day, article, lid):
    text = f"Participatiewet art. {article}" + (f" lid {lid}" if lid else "")
    (ref,), _ = framework.wetten.resolve(text)
    url = link(ref, day)
    assert url.startswith("https://wetten.overheid.nl/jci1.3:c:BWBR0015703&artikel=" + article)
    assert (f"&lid={lid}" in url) is bool(lid)
    assert url.endswith(f"&z={day.isoformat()}&g={day.isoformat()}")


def test_kader_check_refuses_a_legal_basis_it_cannot_resolve(rules_copy):
    path = rules_copy / "wmo" / "bijdrage.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('legal_basis: "Uitvoeringsbesluit Wmo 2015 art. 3.8 lid 3 onder a"',
                                 'legal_basis: "het besluit over de bijdrage"', 1), encoding="utf-8")
    framework, diagnostics = engine.check_rules(rules_copy)
    assert framework is None
    found = [d for d in diagnostics if d.code == "E191"]
    assert found and "het besluit over de bijdrage" in found[0].message


def test_kader_wet_prints_the_link(runner):
    result = runner.invoke(app, ["wet", "Algemene wet bestuursrecht art. 4:13 lid 2", "--peildatum", "2026-03-01",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["references"][0]["url"] == (
        "https://wetten.overheid.nl/jci1.3:c:BWBR0005537&artikel=4:13&lid=2&z=2026-03-01&g=2026-03-01")
    unresolved = runner.invoke(app, ["wet", "zomaar een tekst"])
    assert unresolved.exit_code == 1 and "geen wetsartikel" in unresolved.output


def test_assess_json_links_every_statute_legal_basis_it_shows_to_the_version_of_the_peildatum(runner):
    """Issue 11 item 11: the assessment JSON carries, per legal basis it shows, the wetten.overheid.nl address of
    each cited article in the version in force on the peildatum (Juriconnect 1.3.1, docs/assessment.md)."""
    result = runner.invoke(app, ["assess", "docs/voorbeeld-casus.yaml", "--format", "json", "--peildatum", "2026-03-01"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    links = data["legal_basis_links"]
    shown = {p["legal_basis"] for p in data["proposals"] if p["legal_basis"]}
    shown |= {e["legal_basis"] for e in data["entitlements"]} | {d["legal_basis"] for d in data["deadlines"]}
    statute = {b for b in shown if not b.startswith("fonds of stichting van derden")}  # third parties: no statute
    assert len(statute) > 5 and statute <= set(links)
    assert list(links) == sorted(links)
    for refs in links.values():
        for ref in refs:
            assert ref["url"].startswith(f"https://wetten.overheid.nl/jci1.3:c:{ref['bwb']}")
            assert ref["url"].endswith("&z=2026-03-01&g=2026-03-01")
            if ref["artikel"]:
                assert f"&artikel={ref['artikel']}" in ref["url"]
    # the bijstand beslistermijn rests on Awb art. 4:13 lid 2 (BWBR0005537): its link names article and lid
    assert any(r["url"].startswith("https://wetten.overheid.nl/jci1.3:c:BWBR0005537&artikel=4:13&lid=2&")
               for refs in links.values() for r in refs)


def test_a_legal_basis_of_other_sources_only_gets_no_link(framework):
    from engine.language.wetten import legal_basis_links
    data = {"checks": [{"legal_basis": "Uitvoeringskader BBS, integrale aanpak"}],
            "signals": [{"legal_basis": "Participatiewet art. 24a lid 1"}]}
    found = legal_basis_links(framework, data, dt.date(2025, 6, 1))
    assert list(found) == ["Participatiewet art. 24a lid 1"]
    assert found["Participatiewet art. 24a lid 1"][0]["url"] == (
        "https://wetten.overheid.nl/jci1.3:c:BWBR0015703&artikel=24a&lid=1&z=2025-06-01&g=2025-06-01")


def test_explain_lists_the_law_texts_in_force_on_the_peildatum(runner):
    result = runner.invoke(app, ["explain", "docs/voorbeeld-casus.yaml", "--peildatum", "2025-07-01"])
    assert result.exit_code == 0, result.output
    assert "Wetteksten (versie geldend op" in result.stdout
    assert ("Wmo 2015 art. 2.1.4 lid 3: https://wetten.overheid.nl/jci1.3:c:BWBR0035362&artikel=2.1.4&lid=3"
            "&z=2025-07-01&g=2025-07-01") in result.stdout


def test_no_legal_basis_or_text_cites_the_design_notes_users_do_not_have():
    """Issue 11: a legal basis names the law, verordening or beleidsregel it rests on, never a section of the
    project's design notes ("domain 1.11", "domain 6.3 X-5"), which users do not have. YAML comments aside."""
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    found = []
    for path in sorted([*(root / "rules").rglob("*.yaml"), *(root / "scenarios").rglob("*.yaml")]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.lstrip().startswith("#") and re.search(r"\bdomain [0-9]", line.split(" #")[0]):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert found == []

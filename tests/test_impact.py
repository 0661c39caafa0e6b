"""`kader impact`: every case under two versions of the rules, what changed for whom, and which rules did it."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

import pytest
import yaml

import engine
from cli import app
from engine.evaluation.facts import build_facts
from engine.tools.impact import impact, run_impact
from engine.tools.revisions import RevisionError, load_version, rules_version

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
CENT = Decimal("0.01")


def person(pid: str, rol: str, born: str, **flags) -> dict:
    return {"id": pid, "rol": rol, "geboortedatum": born, **flags}


def household(ident: str, gemeente: str, personen: list[dict], inkomen: str, hulpvragen: list[dict],
              vermogen: str = "0.00") -> dict:
    return {"id": ident, "gemeente": gemeente, "peildatum": "2026-03-01", "melddatum": "2026-02-20",
            "huishouden": {"personen": personen, "woonsituatie": "huurwoning"},
            "inkomen": [{"persoon": personen[0]["id"], "soort": "loon", "netto_per_maand": inkomen}],
            "vermogen": {"totaal": vermogen}, "hulpvragen": hulpvragen}


def levensonderhoud(hv: str = "hv1") -> dict:
    return {"id": hv, "domein": "werk_inkomen", "onderwerp": "levensonderhoud", "persoon": "p1",
            "feiten": {"voorliggende_voorziening": False}}


def huishouden(hv: str = "hv1") -> dict:
    return {"id": hv, "domein": "wmo", "onderwerp": "huishouden", "persoon": "p1",
            "feiten": {"eigen_kracht_toereikend": False, "algemeen_gebruikelijke_voorziening": False,
                       "mantelzorg_beschikbaar": False, "regie_over_huishouden": False}}


def write_jsonl(path: Path, cases: list[dict]) -> Path:
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    return path


def compare(base: Path | str, proposal: Path | str, cases: list[Path], **options):
    with rules_version(str(base), RULES) as b, rules_version(str(proposal), RULES) as p:
        load_version(b)
        load_version(p)
        return run_impact(b, p, cases, **options)


def money_scheme(profile: Path) -> tuple[str, dict]:
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    return next((name, s) for name, s in data["minima_schemes"].items() if s.get("bedrag"))


def set_percentage(profile: Path, scheme: str, value: Decimal) -> None:
    text = profile.read_text(encoding="utf-8")
    start = text.index(f"\n  {scheme}:")
    at = text.index("percentage:", start)
    profile.write_text(text[:at] + f'percentage: "{value}"' + text[text.index("\n", at):], encoding="utf-8")


def test_raising_soests_minima_percentage_makes_exactly_these_households_eligible(rules_copy, tmp_path):
    profile = rules_copy / "gemeenten" / "soest.yaml"
    name, scheme = money_scheme(profile)
    old = Decimal(str(scheme["percentage"]))
    new = old + 10
    set_percentage(profile, name, new)
    ident = f"soest.{name}"

    # The limit of the scheme for this household, from the framework's own formula (norm x percentage / 100).
    framework = engine.load_framework(RULES)
    kid = person("k1", "kind", "2016-06-01")
    probe = engine.case_from_text(framework, json.dumps(household("probe", "soest", [person("p1", "aanvrager", "1990-01-01"),
                                                                                       kid], "0.00", [levensonderhoud()])),
                                  "probe.json", json_syntax=True)
    grens = next(node for key, node, _ in framework.profiles["soest"].entitlements[ident].amounts if key == "grens")
    limit_old = engine.language.calc.compile_closure(grens)(build_facts(framework, probe, "soest", probe.peildatum).base)
    limit_new = limit_old / old * new
    below_old = limit_old.quantize(CENT, rounding=ROUND_FLOOR)
    below_new = limit_new.quantize(CENT, rounding=ROUND_FLOOR)
    incomes = [Decimal("0.00"), below_old - CENT, below_old, below_old + CENT, ((below_old + below_new) / 2).quantize(CENT),
               below_new - CENT, below_new, below_new + CENT, below_new + 100]
    cases, expected = [], set()
    for gemeente in ("soest", "baarn"):
        for index, income in enumerate(incomes):
            case_id = f"{gemeente}-{index}"
            cases.append(household(case_id, gemeente, [person("p1", "aanvrager", "1990-01-01"), kid], str(income),
                                   [levensonderhoud()]))
            if gemeente == "soest" and limit_old < income <= limit_new:
                expected.add(case_id)
    assert len(expected) == 4  # a cent above the old limit, in between, a cent below and at the new limit
    population = write_jsonl(tmp_path / "huishoudens.jsonl", cases)

    report = compare(RULES, rules_copy, [population], workers=1)
    data = report.to_json()
    assert data["cases"] == 18 and data["errors"] == []
    assert {c["subject"] for c in data["changes"]} == {ident}
    gained = [c for c in data["changes"] if c["kind"] == "eligibility"]
    assert {c["case_id"] for c in gained} == expected
    assert all(c["before"] is False and c["after"] is True for c in gained)
    assert all(c["criteria"] == [f"{ident}.inkomen_binnen_grens"] for c in gained)
    amounts = [c for c in data["changes"] if c["kind"] == "amount"]
    assert {c["case_id"] for c in amounts} == expected
    assert {c["per_jaar"] for c in amounts} == {format(Decimal(str(scheme["bedrag"])), "f")}
    soest = data["by_gemeente"]["soest"]
    assert soest["changed"] == 4 and soest["by_aanspraak"][ident]["gained"] == 4
    assert Decimal(soest["per_jaar"]) == 4 * Decimal(str(scheme["bedrag"]))
    assert data["by_gemeente"]["baarn"]["changed"] == 0
    assert data["assessed"] == {"twice": 9, "once": 9}  # Baarn's rules did not change: assessed once


RULE = """rules:
  - id: wmo.voorstel.partner_hoogbejaard
    title: Geen gebruikelijke hulp van een hoogbejaarde partner
    legal_basis: "Wmo 2015 art. 1.1.1 (gebruikelijke hulp); art. 2.3.5 lid 3"
    when: hulpvraag.onderwerp == "huishouden" and partner.leeftijd >= {age}
    then:
      - excludes: wmo.gebruikelijke_hulp
    reason: van een partner van {age} jaar of ouder wordt niet verwacht dat die het huishouden overneemt
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@example.org", *args],
                   check=True, capture_output=True)


@pytest.fixture()
def project(tmp_path) -> Path:
    """A git project whose last commit lowers the age in a Wmo rule from 90 to 80."""
    root = tmp_path / "project"
    shutil.copytree(RULES, root / "rules")
    (root / "rules" / "wmo" / "voorstel.yaml").write_text(RULE.format(age=90), encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "huidige regels")
    (root / "rules" / "wmo" / "voorstel.yaml").write_text(RULE.format(age=80), encoding="utf-8")
    git(root, "commit", "-q", "-am", "voorstel: vanaf 80 jaar geen gebruikelijke hulp van de partner")
    return root


def test_a_git_revision_with_a_changed_rule_reports_the_change_and_its_rule(project, tmp_path):
    cases = []
    for age in (79, 80, 85, 89, 90, 95):
        born = f"{2026 - age - 1}-06-01"
        cases.append(household(f"wmo-{age}", "bunschoten", [person("p1", "aanvrager", "1940-01-01", beperkt=True),
                                                           person("p2", "partner", born)], "1500.00", [huishouden()]))
    cases.append(household("werk", "bunschoten", [person("p1", "aanvrager", "1990-01-01")], "100.00",
                           [levensonderhoud()]))
    population = write_jsonl(tmp_path / "wmo.jsonl", cases)
    report = impact("git:HEAD~1", "git:HEAD", project / "rules", [population], workers=1)
    data = report.to_json()
    assert data["base"]["label"].startswith("git:HEAD~1 (") and data["proposal"]["label"].startswith("git:HEAD (")
    assert data["errors"] == []
    changed = {c["case_id"]: c for c in data["changes"] if c["kind"] in ("lighter", "heavier", "provision")}
    assert set(changed) == {"wmo-80", "wmo-85", "wmo-89"}, data["changes"]
    for change in changed.values():
        assert change["before"]["provision"] == "wmo.gebruikelijke_hulp"
        assert change["after"]["provision"] != "wmo.gebruikelijke_hulp"
        assert change["rules"] == ["wmo.voorstel.partner_hoogbejaard"]
        assert change["subject"] == "hv1" and change["domein"] == "wmo"
    assert data["by_rule"]["wmo.voorstel.partner_hoogbejaard"] >= 3
    assert data["assessed"] == {"twice": 6, "once": 1}  # the Participatiewet case: no Wmo rules run for it


def test_an_unknown_revision_or_a_folder_outside_git_is_a_located_error(project, tmp_path):
    with pytest.raises(RevisionError) as unknown:
        with rules_version("git:bestaat-niet", project / "rules"):
            pass
    assert str(unknown.value.diagnostics[0]).startswith("git:bestaat-niet:1:1: error[E803]: onbekende git-revisie")
    outside = tmp_path / "los" / "rules"
    shutil.copytree(RULES, outside)
    with pytest.raises(RevisionError) as no_repo:
        with rules_version("git:HEAD", outside):
            pass
    assert no_repo.value.diagnostics[0].code == "E801"
    with pytest.raises(engine.UsageError):
        with rules_version(str(tmp_path / "geen-map"), RULES):
            pass


def random_households(count: int, seed: int = 7) -> list[dict]:
    """Varied households over the three municipalities and the three domains (deterministic)."""
    rng = random.Random(seed)
    result = []
    for index in range(count):
        personen = [person("p1", "aanvrager", f"{rng.randint(1940, 2006)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                           beperkt=rng.random() < 0.4)]
        if rng.random() < 0.5:
            personen.append(person("p2", "partner", f"{rng.randint(1935, 2000)}-05-05", beperkt=rng.random() < 0.3))
        for k in range(rng.choice([0, 1, 2])):
            personen.append(person(f"k{k}", "kind", f"{rng.randint(2008, 2024)}-03-0{k + 1}"))
        hulpvragen = []
        for n, kind in enumerate(rng.sample(["wmo", "wi", "jeugd"], rng.choice([1, 1, 2]))):
            hv = f"hv{n + 1}"
            if kind == "wmo":
                wmo = huishouden(hv)
                wmo["feiten"].update(regie_over_huishouden=rng.random() < 0.5, mantelzorg_beschikbaar=rng.random() < 0.3)
                hulpvragen.append(wmo)
            elif kind == "wi" or not any(p["rol"] == "kind" for p in personen):
                hulpvragen.append(levensonderhoud(hv))
            else:
                hulpvragen.append({"id": hv, "domein": "jeugd", "onderwerp": "opvoeding", "persoon": "k0",
                                   "feiten": {"eigen_mogelijkheden_toereikend": False}})
        result.append(household(f"r{index}", rng.choice(["baarn", "bunschoten", "soest"]), personen,
                                f"{rng.randint(0, 3200)}.{rng.randint(0, 99):02d}", hulpvragen,
                                f"{rng.randint(0, 20000)}.00"))
    return result


def raise_tarief(rules: Path) -> None:
    """The Wmo abonnementstarief of 2026 goes from 21,80 to 23,00 (a parameter every municipality shares)."""
    for path in sorted(rules.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "abonnementstarief:" in text and '{from: 2026-01-01, value: "21.80"' in text:
            path.write_text(text.replace('{from: 2026-01-01, value: "21.80"', '{from: 2026-01-01, value: "23.00"'),
                            encoding="utf-8")
            return
    raise AssertionError("the abonnementstarief of 2026 (21.80) is not in rules/ any more: update this test")


@pytest.fixture()
def proposal(rules_copy) -> Path:
    """A proposal that changes one municipality's minima scheme, one Wmo rule and a shared Wmo parameter."""
    profile = rules_copy / "gemeenten" / "soest.yaml"
    name, scheme = money_scheme(profile)
    set_percentage(profile, name, Decimal(str(scheme["percentage"])) + 15)
    (rules_copy / "wmo" / "voorstel.yaml").write_text(RULE.format(age=70), encoding="utf-8")
    raise_tarief(rules_copy)
    return rules_copy


def test_assessing_a_case_once_when_its_rules_are_the_same_changes_nothing_in_the_result(proposal, tmp_path):
    population = write_jsonl(tmp_path / "mix.jsonl", random_households(150))
    fast = compare(RULES, proposal, [population], workers=1).to_json()
    full = compare(RULES, proposal, [population], workers=1, shortcut=False).to_json()
    assert fast["changed"] > 0 and fast["assessed"]["once"] > 20 and full["assessed"]["once"] == 0
    tarief = [c for c in fast["changes"] if c["kind"] == "amount" and c["subject"] == "wmo_eigen_bijdrage"]
    assert tarief and all(c["parameters"] == ["abonnementstarief"] for c in tarief)
    assert all(c["per_maand"] == "1.20" and c["household_pays"] for c in tarief if c["before"] != "0.00")
    fast.pop("assessed")
    full.pop("assessed")
    assert fast == full


@pytest.mark.slow
def test_worker_processes_give_the_same_result_in_the_same_order(proposal, tmp_path):
    population = write_jsonl(tmp_path / "mix.jsonl", random_households(120, seed=3))
    one = compare(RULES, proposal, [population], workers=1).to_json()
    two = compare(RULES, proposal, [population], workers=2).to_json()
    assert one == two and one["changed"] > 0


def test_a_bad_population_line_is_located_and_the_others_go_on(tmp_path):
    good = household("goed", "soest", [person("p1", "aanvrager", "1980-01-01")], "100.00", [levensonderhoud()])
    lines = [json.dumps(good), '{"id": "kapot", "gemeente": ', json.dumps(dict(good, id="elders", gemeente="amersfoort")),
             "", json.dumps(dict(good, id="ook-goed"))]
    population = tmp_path / "pop.jsonl"
    population.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = compare(RULES, RULES, [population, tmp_path / "bestaat-niet.yaml"], workers=1)
    assert report.cases == 2
    shown = [str(d) for d in report.errors]
    assert shown[0].startswith(f"{engine.language.loader.display_path(population)}:2:") and "error[E011]" in shown[0]
    assert shown[1].startswith(f"{engine.language.loader.display_path(population)}:3:") and "amersfoort" in shown[1]
    assert shown[2].endswith("error[E001]: bestand of map bestaat niet")
    assert report.assessed_twice == 0  # the same rules: nothing can change


def test_kader_impact_json_and_table(runner, proposal, tmp_path):
    population = write_jsonl(tmp_path / "mix.jsonl", random_households(40, seed=11))
    result = runner.invoke(app, ["impact", "--base", str(RULES), "--proposal", str(proposal), str(population),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"cases", "changed", "by_gemeente", "changes"} <= set(data)
    assert data["cases"] == 40 and data["changed"] == len({c["case_id"] for c in data["changes"]})
    for change in data["changes"]:
        assert {"case_id", "kind", "before", "after", "rules"} <= set(change)
    assert set(data["by_gemeente"]) == {"baarn", "bunschoten", "soest"}
    table = runner.invoke(app, ["impact", "--base", str(RULES), "--proposal", str(proposal), str(population)])
    assert table.exit_code == 0
    assert "Verdeling over de ladder" in table.stdout and f"{data['changed']} gewijzigd" in table.stdout


def test_kader_impact_usage_and_input_errors(runner, tmp_path):
    missing = runner.invoke(app, ["impact", "--base", str(tmp_path / "nergens"), "--proposal", str(RULES)])
    assert missing.exit_code == 2
    assert "error[E806]" in missing.stderr
    workers = runner.invoke(app, ["impact", "--base", str(RULES), "--proposal", str(RULES), "--workers", "0"])
    assert workers.exit_code == 2
    bad = tmp_path / "pop.jsonl"
    bad.write_text("{kapot\n", encoding="utf-8")
    located = runner.invoke(app, ["impact", "--base", str(RULES), "--proposal", str(RULES), str(bad)])
    assert located.exit_code == 1
    assert f"{engine.language.loader.display_path(bad)}:1:2: error[E011]" in located.stderr


def test_a_change_to_provisional_is_counted_as_its_own_kind(rules_copy, tmp_path):
    """PW art. 41 lid 4 and lid 11: if the framework no longer presumes that the college does not take up an
    aanvraag early (the fact loses its default), the zoektermijn of a young applicant is no longer established but
    provisional: `kader impact` reports a change of kind `onbekend` (vast -> voorlopig), not a lost term."""
    bijstand = rules_copy / "werk_inkomen" / "bijstand.yaml"
    text = bijstand.read_text(encoding="utf-8")
    start = text.index("  zoektermijn_eerder_in_behandeling:")
    at = text.index("    default: false\n", start)
    bijstand.write_text(text[:at] + text[at + len("    default: false\n"):], encoding="utf-8")
    young = person("p1", "aanvrager", "2002-05-01", medisch_urenbeperkt=False, pro_vso_afgelopen_jaar=False,
                   kan_bekostigd_onderwijs_volgen=False)
    cases = write_jsonl(tmp_path / "cases.jsonl", [household("jong", "soest", [young], "0.00", [levensonderhoud()])])
    report = compare(RULES, rules_copy, [cases]).to_json()
    changes = [(c["kind"], c["subject"], c["before"], c["after"]) for c in report["changes"]]
    assert ("onbekend", "deadline:pw_zoektermijn", "vast", "voorlopig") in changes
    assert not [c for c in changes if c[0].startswith("deadline_")]
    assert report["by_gemeente"]["soest"]["by_domein"]["werk_inkomen"]["onbekend"] >= 1
    assert "onbekend" in report["kinds"]


def test_a_minima_percentage_reruns_only_what_follows_from_the_rules_and_gives_the_full_result(rules_copy, tmp_path):
    """A minima scheme's income limit (a setting of Soest's profile, read only by that entitlement) cannot change
    which rules fire: the proposal's assessment takes the base's inference and redoes facts, entitlements, terms
    and missing facts; the report is the one of assessing every case twice in full. A Wmo rule change does not
    qualify: those cases are assessed in full."""
    from engine.tools.caseinput import read_unit, units
    from engine.tools.impact import ImpactEvaluator

    profile = rules_copy / "gemeenten" / "soest.yaml"
    name, scheme = money_scheme(profile)
    set_percentage(profile, name, Decimal(str(scheme["percentage"])) + 10)
    from engine.tools.population import case_line, generate
    population = tmp_path / "soest.jsonl"
    population.write_text("".join(case_line(c) + "\n" for c in generate(engine.load_framework(RULES), size=300,
                                                                        seed=5, gemeente="soest")), encoding="utf-8")
    shared = compare(RULES, rules_copy, [population], workers=1).to_json()
    full = compare(RULES, rules_copy, [population], workers=1, shortcut=False).to_json()
    assert shared["changed"] > 0 and any(c["kind"] == "eligibility" for c in shared["changes"])
    shared.pop("assessed")
    full.pop("assessed")
    assert shared == full
    base, proposal = engine.load_framework(RULES), engine.load_framework(rules_copy)
    evaluator = ImpactEvaluator(base, proposal)
    for unit in units([population]):
        evaluator.unit(unit)
    soest = sum(1 for unit in units([population]) for _, _, case in read_unit(base, unit) if case.gemeente == "soest")
    assert 0 < evaluator.inference_shared <= soest
    (rules_copy / "wmo" / "voorstel.yaml").write_text(RULE.format(age=80), encoding="utf-8")
    ruled = ImpactEvaluator(base, engine.load_framework(rules_copy))
    assert not ruled.equivalence.same_inference("baarn", frozenset({"wmo"}))
    assert ruled.equivalence.same_inference("baarn", frozenset({"jeugd"}))

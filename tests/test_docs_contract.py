"""The contracts in docs/case.md and docs/assessment.md stay true to the code, so that they cannot silently drift.

docs/case.md: the example case is the file docs/voorbeeld-casus.yaml and assesses without errors; every field
it documents exists in the case model (and every field of the model is documented); its tables of roles,
verwijzers, woonsituaties, inkomenssoorten, onderwerpen, case signals and declared facts equal the framework's.
docs/assessment.md: its example is what `kader assess docs/voorbeeld-casus.yaml --format json` prints (the
rule-set hash aside), and every key the tool emits, with or without the trace, is documented there.

When the rules gain or change a fact, or the example's assessment changes, rewrite both from the code with
`.venv/bin/python tests/test_docs_contract.py --update` and review the change with `git diff docs/`
(`... facts` only prints the fact rows).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CASE_DOC = DOCS / "case.md"
ASSESSMENT_DOC = DOCS / "assessment.md"
EXAMPLE = DOCS / "voorbeeld-casus.yaml"
FACT_SCOPES = ("persoon", "casus", "hulpvraag")


# -- helpers shared by the tests and by the `facts` printer below

def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def fact_rows(framework) -> list[str]:
    """One table row per fact a case may give, as docs/case.md lists them: persoon, casus, then hulpvraag
    facts per domain, each sorted by name."""
    declared = [i for i in framework.facts.values() if i.declared_in is not None]
    for domain in framework.domains:
        declared += [i for i in framework.hulpvraag_facts.get(domain, {}).values() if i.declared_in is not None]
    scope_order = {s: n for n, s in enumerate(FACT_SCOPES)}
    domain_order = {d: n for n, d in enumerate(("kader", *framework.domains))}
    declared.sort(key=lambda i: (scope_order[i.key.split(".")[0]], domain_order[i.declared_in], i.key))
    rows = []
    for info in declared:
        values = ", ".join(f"`{v}`" for v in info.values) if info.values else ""
        default = "onbekend" if info.default is None else f"`{json.dumps(info.default)}`"
        onderwerpen = ", ".join(info.onderwerpen) if info.onderwerpen else "alle"
        rows.append(f"| `{info.key}` | {info.declared_in} | {info.type} | {values} | {default} | {onderwerpen} | "
                    f"{_cell(info.label)} ({_cell(info.legal_basis)}) |")
    return rows


def _doc_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _section(lines: list[str], heading: str) -> list[str]:
    """The lines under a markdown heading, up to the next heading of the same or a higher level."""
    start = next(n for n, line in enumerate(lines) if line.strip() == heading)
    level = len(heading) - len(heading.lstrip("#"))
    end = next((n for n in range(start + 1, len(lines))
                if lines[n].startswith("#") and len(lines[n]) - len(lines[n].lstrip("#")) <= level), len(lines))
    return lines[start + 1:end]


def _first_cells(lines: list[str]) -> list[str]:
    """The first cell (without backticks) of every table row that names something in backticks."""
    found = []
    for line in lines:
        match = re.match(r"\|\s*`([^`]+)`\s*\|", line)
        if match:
            found.append(match.group(1))
    return found


def _code_block(lines: list[str], language: str) -> str:
    start = next(n for n, line in enumerate(lines) if line.strip() == "```" + language)
    end = next(n for n in range(start + 1, len(lines)) if lines[n].strip() == "```")
    return "\n".join(lines[start + 1:end]) + "\n"


def _model_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every field path of the case model: `huishouden.personen[].rol`, `hulpvragen[].feiten`, ..."""
    from typing import get_args, get_origin
    paths = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        inner = annotation
        is_list = False
        for _ in range(3):  # unwrap Optional[...] and tuple[X, ...]
            args = [a for a in get_args(inner) if a is not type(None) and a is not Ellipsis]
            if get_origin(inner) is tuple:
                is_list = True
            if get_origin(inner) in (tuple, None) and not args:
                break
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                break
            if len(args) == 1:
                inner = args[0]
            else:
                break
        path += "[]" if is_list else ""
        paths.add(path)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            paths |= _model_paths(inner, path + ".")
    return paths


# -- docs/case.md

@pytest.fixture(scope="module")
def framework():
    import engine
    return engine.load_framework(ROOT / "rules")


def test_the_example_case_assesses_without_errors_and_is_the_one_in_the_doc(framework):
    """The annotated example in docs/case.md is docs/voorbeeld-casus.yaml, and `kader assess` takes it (exit 0)."""
    from typer.testing import CliRunner

    from cli import app
    assert _code_block(_doc_lines(CASE_DOC), "yaml") == EXAMPLE.read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["assess", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["case_id"] == "casus-voorbeeld-0001"
    assert [p["hulpvraag"] for p in data["proposals"]] == ["hv1", "hv2", "hv3", "hv4"]
    # Participatiewet art. 22a: married couple with one kostendeler (A = 3): 2 x 43 1/3 % of the net minimum
    # wage, minus the couple's income of 850.00 (the housemate's wage is not theirs, art. 4 lid 1 onder c)
    bijstand = next(e for e in data["entitlements"] if e["id"] == "algemene_bijstand")
    assert (bijstand["eligible"], bijstand["norm"], bijstand["bedrag"]) == (True, "1735.18", "885.18")


def test_the_json_example_is_a_case_kader_assesses(framework):
    """The JSON case in docs/case.md reads as JSON and assesses: a valide partner takes over the household
    (gebruikelijke hulp, Wmo 2015 art. 1.1.1 and art. 2.3.5 lid 3), so the proposal is level 0."""
    import engine
    from engine.evaluation.case import case_from_text
    text = _code_block(_doc_lines(CASE_DOC), "json")
    case = case_from_text(framework, text, "docs/case.md", json_syntax=True)
    proposal = engine.assess(framework, case).to_json()["proposals"][0]
    assert (proposal["provision"], proposal["level"]) == ("wmo.gebruikelijke_hulp", 0)


def test_every_case_field_in_the_doc_exists_in_the_model_and_the_reverse():
    from engine.evaluation.case import CaseIn
    documented = set(_first_cells(_section(_doc_lines(CASE_DOC), "## Fields")))
    assert documented == _model_paths(CaseIn)


def test_the_person_flags_and_their_defaults_are_the_models():
    """Person flags: beperkt, studiefinanciering, commerciele_huurder default false; rechtmatig_verblijf true."""
    from engine.evaluation.case import PersonIn
    rows = [line for line in _section(_doc_lines(CASE_DOC), "## Fields") if "huishouden.personen[]." in line]
    for flag in ("beperkt", "studiefinanciering", "commerciele_huurder", "rechtmatig_verblijf"):
        row = next(r for r in rows if r.startswith(f"| `huishouden.personen[].{flag}`"))
        assert f"`{json.dumps(PersonIn.model_fields[flag].default)}`" in row, row


@pytest.mark.parametrize("heading, values", [
    ("### Rollen (`rol`)", "ROLES"),
    ("### Woonsituatie (`woonsituatie`)", "WOONSITUATIES"),
    ("### Soorten inkomen (`soort`)", "INKOMENSSOORTEN"),
    ("### Verwijzers (`verwijzer`)", "VERWIJZERS"),
])
def test_the_closed_value_lists_are_the_registrys(heading, values):
    from engine.language import registry
    assert _first_cells(_section(_doc_lines(CASE_DOC), heading)) == list(getattr(registry, values))


def test_the_domains_and_onderwerpen_are_the_frameworks(framework):
    rows = {}
    for line in _section(_doc_lines(CASE_DOC), "### Domeinen en onderwerpen (`domein`, `onderwerp`)"):
        match = re.match(r"\|\s*`([^`]+)`\s*\|[^|]*\|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = re.findall(r"`([^`]+)`", match.group(2))
    assert rows == {name: list(domain.onderwerpen) for name, domain in framework.domains.items()}


def test_the_case_signals_are_the_frameworks(framework):
    documented = _first_cells(_section(_doc_lines(CASE_DOC), "### Signalen (`signalen`)"))
    assert documented == list(framework.case_signals)


def test_every_declared_fact_is_documented_as_the_framework_declares_it(framework):
    """Name, declaring domain, type, allowed values, default, onderwerpen, question and legal basis."""
    lines = _section(_doc_lines(CASE_DOC), "## Feiten")
    documented = [line for line in lines if re.match(r"\|\s*`(persoon|casus|hulpvraag)\.", line)]
    expected = fact_rows(framework)
    missing = [row for row in expected if row not in documented]
    stale = [row for row in documented if row not in expected]
    assert not missing and not stale, (
        "docs/case.md differs from the rules; regenerate with `.venv/bin/python tests/test_docs_contract.py facts`"
        f"\nmissing or changed: {missing[:3]}\nnot in the rules: {stale[:3]}")


def test_the_documented_error_codes_are_ones_the_case_reader_raises():
    """Every `E5xx` in docs/case.md is raised by engine/evaluation/case.py and every `E0xx` by the reader (engine/language/sources.py),
    and every code they raise is documented."""
    source = (ROOT / "engine" / "evaluation" / "case.py").read_text(encoding="utf-8")
    raised = set(re.findall(r'"(E5\d\d)"', source))
    documented = set()
    for line in _section(_doc_lines(CASE_DOC), "## Fouten"):
        if line.startswith("| `E"):
            documented |= set(re.findall(r"`(E\d{3})`", line.split("|")[1]))
    assert {c for c in documented if c.startswith("E5")} == raised
    reader = (ROOT / "engine" / "language" / "sources.py").read_text(encoding="utf-8")
    assert {c for c in documented if c.startswith("E0")} == set(re.findall(r'"(E0\d\d)"', reader))


# -- docs/assessment.md

def _key_paths(value, path: str, found: set, maps: frozenset) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            sub = f"{path}.*" if path in maps else (f"{path}.{key}" if path else key)
            found.add(sub)
            _key_paths(inner, sub, found, maps)
    elif isinstance(value, list):
        for inner in value:
            _key_paths(inner, path + "[]", found, maps)


MAPS = frozenset({"trace.derived", "trace.person_derived", "trace.person_derived.*", "trace.parameters",
                  "legal_basis_links"})


def _documented_keys() -> set[str]:
    return set(_first_cells(_section(_doc_lines(ASSESSMENT_DOC), "## Fields")))


def test_the_example_assessment_is_what_the_tool_prints():
    """docs/assessment.md shows the real output for docs/voorbeeld-casus.yaml (only the rule-set hash may differ)."""
    from typer.testing import CliRunner

    from cli import app
    result = CliRunner().invoke(app, ["assess", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    actual = json.loads(result.stdout)
    shown = json.loads(_code_block(_doc_lines(ASSESSMENT_DOC), "json"))
    shown["framework"]["hash"] = actual["framework"]["hash"]
    assert shown == actual, ("the example in docs/assessment.md is out of date; paste the output of "
                             "`kader assess docs/voorbeeld-casus.yaml --format json`")


def test_every_key_the_tool_emits_is_documented_and_every_documented_key_is_emitted(framework):
    """Over every scenario case and the example, with the trace of `kader explain --format json`."""
    import engine
    from engine.evaluation.case import load_case
    from engine.language.wetten import attach_links
    emitted: set[str] = set()
    files = sorted((ROOT / "scenarios").rglob("*.yaml")) + [EXAMPLE]
    for path in files:
        assessment = attach_links(framework, engine.assess(framework, load_case(framework, path)), trace=True)
        _key_paths(assessment.to_json(trace=True), "", emitted, MAPS)
    # the named amounts an entitlement declares are documented by name, as `entitlements[].<name>`
    amounts = {name for e in framework.entitlements.values() for name, _, _ in e.amounts}
    amounts |= {name for p in framework.profiles.values() for e in p.entitlements.values() for name, _, _ in e.amounts}
    documented = _documented_keys()
    undocumented = sorted(k for k in emitted if k not in documented)
    assert not undocumented, f"emitted by the tool but not documented in docs/assessment.md: {undocumented}"
    never = sorted(k for k in documented - emitted
                   if not (k.startswith("entitlements[].") and k.split(".", 1)[1] in amounts)
                   and not k.startswith("counterfactuals"))
    assert not never, f"documented in docs/assessment.md but emitted for no scenario: {never}"


def test_the_counterfactual_keys_are_documented():
    """`kader explain --counterfactual --format json` adds counterfactuals; their keys are in the doc too."""
    import engine
    from engine.evaluation.case import load_case
    from engine.tools.counterfactual import counterfactuals
    fw = engine.load_framework(ROOT / "rules")
    case = load_case(fw, ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml")
    found = counterfactuals(fw, case, gemeente=case.gemeente, peildatum=case.peildatum,
                            assessment=engine.assess(fw, case))
    emitted: set[str] = set()
    _key_paths({"counterfactuals": [c.to_json() for c in found]}, "", emitted, MAPS)
    assert found and "counterfactuals[].days" in emitted  # an age threshold is among them
    assert sorted(emitted - _documented_keys()) == []


def _update_docs() -> None:
    """Rewrite the fact rows of docs/case.md and the example of docs/assessment.md from the rules and the tool."""
    from typer.testing import CliRunner

    import engine
    from cli import app
    rows = fact_rows(engine.load_framework(ROOT / "rules"))
    lines = _doc_lines(CASE_DOC)
    # each table of facts (persoon, casus, hulpvraag per domain) is a run of rows; replace run by run, in order
    width = rows[0].count("|")  # the tables of computed facts further on have fewer columns
    is_row = [any(line.startswith(f"| `{scope}.") for scope in FACT_SCOPES) and line.count("|") == width
              for line in lines]
    runs = [n for n in range(len(lines)) if is_row[n] and (n == 0 or not is_row[n - 1])]
    groups: list[list[str]] = []
    for row in rows:
        scope = row.split("|")[1].strip().strip("`").split(".")[0]
        key = (scope, row.split("|")[2].strip() if scope == "hulpvraag" else "")
        if not groups or groups[-1][0] != key:
            groups.append([key])
        groups[-1].append(row)
    if len(groups) != len(runs):
        raise SystemExit(f"docs/case.md has {len(runs)} fact tables, the rules {len(groups)}: add the table by hand")
    for start, group in reversed(list(zip(runs, groups, strict=True))):
        end = start
        while end < len(lines) and is_row[end]:
            end += 1
        lines[start:end] = group[1:]
    CASE_DOC.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["assess", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.output
    text = ASSESSMENT_DOC.read_text(encoding="utf-8")
    start = text.index("```json\n") + len("```json\n")
    end = text.index("```", start)
    ASSESSMENT_DOC.write_text(text[:start] + result.stdout.rstrip("\n") + "\n" + text[end:], encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:] == ["facts"]:
        import engine
        print("\n".join(fact_rows(engine.load_framework(ROOT / "rules"))))
    elif sys.argv[1:] == ["--update"]:
        _update_docs()  # review the result with `git diff docs/`
    else:
        print(__doc__)

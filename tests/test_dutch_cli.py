"""The command line speaks Dutch (issue 14 item 4): usage errors and help, through typer's and click's hooks."""

from __future__ import annotations

import pytest
from typer.main import get_command

from cli import app

from .conftest import ROOT

EXAMPLE = str(ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml")

USAGE = {
    ("assess",): "argument CASE ontbreekt",
    ("assess", EXAMPLE, "--bogus"): "onbekende optie: --bogus",
    ("assess", EXAMPLE, "--format", "xml"): "ongeldige waarde voor --format: kies uit: table, json",
    ("assess", EXAMPLE, "--peildatum", "2026-13-01"): "ongeldige waarde voor --peildatum: verwacht een datum als JJJJ-MM-DD",
    ("facts", "--domain", "wmo"): "onbekende optie: --domain (bedoelde u --domein of --format?)",
    ("population", "--size", "-1", "--seed", "1", "--out", "x.jsonl"):
        "ongeldige waarde voor --size: verwacht een geheel getal van ten minste 0",
    ("new-case", "--domein", "wmo"): "optie --onderwerp ontbreekt",
}


@pytest.mark.parametrize("args", list(USAGE), ids=[" ".join(a[:1] + a[2:]) for a in USAGE])
def test_usage_errors_are_dutch_and_exit_2(runner, args):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("Gebruik: ") and "[OPTIES]" in lines[0]
    assert lines[1].startswith("Probeer '") and lines[1].endswith(" --help' voor hulp.")
    assert lines[-1] == "Fout: " + USAGE[args]


def test_an_unknown_command_lists_the_commands(runner):
    result = runner.invoke(app, ["bestaat-niet"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("Fout: onbekende opdracht; kies uit: assess, audit, batch, check")


def test_every_help_is_dutch(runner):
    group = get_command(app)
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    assert "Gebruik: " in top.stdout and "Opdrachten:" in top.stdout and "Toon deze hulp en stop." in top.stdout
    for name in group.commands:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        out = result.stdout
        assert out.startswith("Gebruik: ") and "Opties:" in out and "Toon deze hulp en stop." in out, name
        assert "Usage:" not in out and "Options:" not in out and "Show this message" not in out, name

"""The command line speaks Dutch (issue 14 item 4): usage errors and help, through typer's and click's hooks."""

from __future__ import annotations

import pytest
from typer.main import get_command

from cli import app

from .conftest import ROOT

EXAMPLE = str(ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml")

USAGE = {
    ("assess",): "argument CASUS ontbreekt",
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


def test_a_misspelt_command_gets_a_suggestion(runner):
    result = runner.invoke(app, ["populatoin"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Fout: onbekende opdracht 'populatoin'; bedoelde u population?"


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


# click's and typer's English boilerplate: none of it may appear in any --help
ENGLISH = ("Usage:", "Options:", "Arguments:", "Commands:", "Show this message", "[default:", "default:", "env var",
           "[required]", "required]", "(dynamic)", "<path>", "<str>", "<int", "<float", "range>", "list[", "%Y",
           "datetime", " TEXT", " FILE", " DIR", "x>=", "x<=")


def _help_texts(runner):
    group = get_command(app)
    yield "kader", runner.invoke(app, ["--help"])
    for name in group.commands:
        yield name, runner.invoke(app, [name, "--help"])


def test_no_english_boilerplate_in_any_help(runner):
    """Issue 14 item 4: every --help of every command is Dutch, its markers included."""
    for name, result in _help_texts(runner):
        assert result.exit_code == 0, name
        for word in ENGLISH:
            assert word not in result.stdout, (name, word)


def test_help_markers_are_dutch_and_come_from_the_parameters(runner):
    """Defaults, environment variables, ranges and required parameters are named in Dutch."""
    def flat(*args):  # click wraps help at 80 columns; compare the words
        return " ".join(runner.invoke(app, list(args)).stdout.split())
    assess = flat("assess", "--help")
    assert "CASUS Casusbestand (YAML of JSON). [verplicht]" in assess
    assert "--format <table|json>" in assess and "[standaard: table]" in assess
    assert "--rules PAD" in assess and "[omgevingsvariabele: KADER_RULES]" in assess
    assert "--peildatum JJJJ-MM-DD" in assess
    serve = flat("serve", "--help")
    assert "--port GETAL" in serve and "[standaard: 8000; van 1 tot en met 65535]" in serve
    assert "[ten minste 0,001]" in serve
    population = flat("population", "--help")
    assert "[ten minste 0; verplicht]" in population
    assert runner.invoke(app, ["check", "--help"]).stdout.startswith("Gebruik: kader check [OPTIES] [REGELMAP]")


def test_every_argument_has_a_dutch_name():
    """An argument's name is what usage lines and errors show (`argument CASUS ontbreekt`): never the Python name."""
    for name, command in get_command(app).commands.items():
        for param in command.params:
            if param.param_type_name == "argument":
                assert param.metavar and param.metavar.isupper(), (name, param.name)


def test_the_update_question_is_dutch(monkeypatch, capsys):
    """`kader test --update` in a terminal asks per scenario in Dutch: j/ja or n/nee, Enter is nee, else again."""
    import io

    from views.usage import ask_yes_no
    monkeypatch.setattr("sys.stdin", io.StringIO("misschien\nja\n\nn\n"))
    assert ask_yes_no("s.yaml: huidige uitkomst als verwachte uitkomst schrijven?") is True
    assert ask_yes_no("t.yaml: schrijven?") is False  # Enter: the default, nee
    assert ask_yes_no("u.yaml: schrijven?") is False
    err = capsys.readouterr().err
    assert err.startswith("s.yaml: huidige uitkomst als verwachte uitkomst schrijven? [j/N]: Antwoord j (ja) of n (nee).\n")
    assert "y/N" not in err and "invalid input" not in err

"""`kader facts` is readable at 80 columns (issue 14 item 3): a long question wraps at spaces under its own
start, never back to the left edge where it would read as a new fact."""

from __future__ import annotations

from typer.testing import CliRunner

from cli import app

from .conftest import RULES


def test_facts_wrap_under_their_own_indent_at_80_columns():
    runner = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1", "KADER_RULES": str(RULES)})
    result = runner.invoke(app, ["facts", "--domein", "werk_inkomen"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(line == line.rstrip() for line in lines)
    # every line is a heading (no indent), a fact key (two spaces) or part of its description (four)
    for line in lines:
        if line:
            indent = len(line) - len(line.lstrip(" "))
            assert indent in (0, 2, 4), line
            assert indent != 0 or line.startswith(("Per ", "Voor de casus")), line
    # the question of Participatiewet art. 10b (beschut werk) is longer than a line: its second line stays indented
    at = lines.index("  advies_beschut_werk")
    assert lines[at + 2].startswith("    Heeft het college, op advies van UWV,")
    assert lines[at + 3].startswith("    ") and "beschutte omgeving" in lines[at + 3]

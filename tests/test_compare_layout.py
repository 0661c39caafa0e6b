"""`kader compare-gemeenten` in the terminal is readable at 80 columns (issue 14 items 3 and 6): one block per
difference, each municipality's outcome on a line of its own, identifiers never cut."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli import app

from .conftest import ROOT, RULES

CASES = str(ROOT / "scenarios" / "werk_inkomen")


def _run(*extra: str) -> str:
    runner = CliRunner(env={"COLUMNS": "80", "NO_COLOR": "1", "KADER_RULES": str(RULES)})
    result = runner.invoke(app, ["compare-gemeenten", CASES, *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_compare_gemeenten_at_80_columns():
    text = _run()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80 and all(line == line.rstrip() for line in lines)
    assert "…" not in text
    data = json.loads(_run("--format", "json"))
    keys = {d["key"].split("@", 1)[0] for d in data["differences"] if d["section"] == "entitlements"}
    assert keys and all(f"aanspraak {key} (" in text for key in keys)
    # Soest's eigen-risico compensation (its minima scheme, rules/gemeenten/soest.yaml): one block, one line each
    at = lines.index("   • aanspraak soest.eigen_risico (recht)")
    assert lines[at + 1:at + 5] == ["       baarn: geen recht", "       bunschoten: geen recht",
                                    "       soest: recht 385.00 per jaar",
                                    "       oorzaak: minimaregeling – minimaregeling van soest"]

"""Diagnostics, `kader check` and `kader test` reports."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from engine import Diagnostic


def render_diagnostics(console: Console, diagnostics: list[Diagnostic]) -> None:
    """One GNU-style line per problem (`file:line:col: error[E201]: ...`), then the related places."""
    for diagnostic in diagnostics:
        console.print(Text(str(diagnostic)), soft_wrap=True, highlight=False)
        for label, span in diagnostic.related:
            console.print(Text(f"{span}: note: {label}", style="dim"), soft_wrap=True, highlight=False)
    if diagnostics:
        count = len(diagnostics)
        console.print(Text(f"{count} fout{'en' if count != 1 else ''} gevonden", style="bold red"), highlight=False)


def render_check(console: Console, root: str, diagnostics: list[Diagnostic], stats: dict) -> None:
    if diagnostics:
        render_diagnostics(console, diagnostics)
        return
    table = Table(title=f"{root}: geen fouten", title_justify="left")
    for column in ("domein", "regels", "voorzieningen", "parameters", "feiten", "afgeleid", "aanspraken"):
        table.add_column(column, justify="right" if column != "domein" else "left")
    for name, counts in stats.items():
        if name == "gemeenten":
            continue
        table.add_row(name, *(str(counts[k]) for k in ("rules", "provisions", "parameters", "facts", "derived",
                                                          "entitlements")))
    console.print(table)
    profiles = Table(title="Gemeenteprofielen", title_justify="left")
    for column in ("gemeente", "overrides", "lokale voorzieningen", "minimaregelingen"):
        profiles.add_column(column)
    for gemeente, counts in stats.get("gemeenten", {}).items():
        profiles.add_row(gemeente, str(counts["overrides"]), str(counts["provisions"]), str(counts["minima_schemes"]))
    console.print(profiles)


def _shown(value) -> str:
    """A value of a scenario diff as a person reads it: true/false/null as in the file, mappings as `a: b`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return str(value)


def render_test(console: Console, results: list, *, failed_only: bool = False) -> None:
    for result in results:
        if failed_only and result.passed:
            continue
        mark = Text("✓ ", style="green") if result.passed else Text("✗ ", style="bold red")
        console.print(Text.assemble(mark, result.name, (f"  {result.path}:{result.line}", "dim"),
                                    (f"  [{result.checks}]" if result.checks else "", "dim")), highlight=False)
        for diagnostic in result.errors:
            console.print(Text(f"    {diagnostic}"), soft_wrap=True, highlight=False)
        for difference in result.differences:
            where = difference.get("subject") or difference["path"]
            if difference.get("field"):
                where += f", {difference['field']}"
            console.print(Text(f"    {where}: {difference['message']}", style="red"), highlight=False)
            console.print(Text(f"      verwacht: {_shown(difference['expected'])}"), highlight=False)
            console.print(Text(f"      kreeg:    {_shown(difference['actual'])}"), highlight=False)
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    style = "bold green" if not failed else "bold red"
    console.print(Text(f"{passed} geslaagd, {failed} mislukt", style=style), highlight=False)

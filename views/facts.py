"""`kader facts`: the facts a case may give, grouped by scope, each with its place, type, question and source."""

from __future__ import annotations

from rich.console import Console

from engine import TYPE_TEXT, FactEntry

from .formatting import print_indented

SCOPES = {"persoon": "Per persoon (huishouden.personen[])", "hulpvraag": "Per hulpvraag (hulpvragen[].feiten)",
          "casus": "Voor de casus (feiten)"}


def render_facts(console: Console, entries: list[FactEntry]) -> None:
    for scope, title in SCOPES.items():
        group = [e for e in entries if e.scope == scope]
        if not group:
            continue
        console.print(f"[bold]{title}[/bold]")
        for entry in group:
            kind = TYPE_TEXT[entry.type]
            if entry.values:
                kind = " | ".join(entry.values)
            where = []
            if entry.domein:
                where.append(f"domein {entry.domein}" if entry.domein != "kader" else "alle domeinen")
            else:
                where.append("casuscontract")
            if entry.onderwerpen:
                where.append("onderwerp " + ", ".join(entry.onderwerpen))
            if entry.default is not None:
                where.append(f"standaard {str(entry.default).lower()}")
            console.print(f"  {entry.name}", style="bold", highlight=False, soft_wrap=True)
            for line in (f"{kind}; " + "; ".join(where), entry.question, f"[{entry.legal_basis}]"):
                # a long line wraps at spaces under its own start, not at the left edge
                print_indented(console, line, 4)
        console.print()

"""`kader test --coverage`: what no scenario exercises, for the people who write scenarios."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

LABELS = {"rules": "regels", "articles": "wetsartikelen", "provisions": "voorzieningen", "parameters": "parameters",
          "entitlements": "aanspraken", "deadlines": "termijnen"}


def render_coverage(console: Console, coverage: dict, *, limit: int = 40) -> None:
    count = coverage["scenarios"]
    plural = "" if count == 1 else "'s"
    table = Table(title=f"Dekking door {count} scenario{plural}", title_justify="left")
    table.add_column("onderdeel")
    table.add_column("geraakt", justify="right")
    table.add_column("totaal", justify="right")
    table.add_column("dekking", justify="right")
    for key, label in LABELS.items():
        part = coverage[key]
        style = "green" if part["percentage"] >= 80 else "yellow" if part["percentage"] >= 50 else "red"
        table.add_row(label, str(part["covered"]), str(part["total"]), Text(f"{part['percentage']:.1f}%", style=style))
    console.print(table)
    for key, label in LABELS.items():
        uncovered = coverage[key]["uncovered"]
        if not uncovered:
            continue
        console.print(Text(f"Niet geraakt: {label} ({len(uncovered)})", style="bold"))
        for item in uncovered[:limit]:
            console.print(Text.assemble("  ", (item["id"], "cyan"), ("  " + _detail(key, item), "dim")),
                          soft_wrap=True, highlight=False)
        if len(uncovered) > limit:
            console.print(Text(f"  … en nog {len(uncovered) - limit} (zie --format json)", style="dim"))
    render_boundaries(console, coverage.get("boundaries"), limit=limit)


def render_boundaries(console: Console, boundaries: dict | None, *, limit: int = 40) -> None:
    """The thresholds rules read, and whether scenarios lie on both sides of each."""
    if not boundaries:
        return
    console.print(Text.assemble(("Grenzen in de regels: ", "bold"), f"{boundaries['both_sides']} van "
                                f"{boundaries['total']} aan beide kanten getest ({boundaries['percentage']:.1f}%)"))
    for key, label in (("one_side", "maar aan één kant getest"), ("never", "door geen scenario beslist")):
        items = boundaries[key]
        if not items:
            continue
        console.print(Text(f"Grenzen {label} ({len(items)})", style="bold"))
        for item in items[:limit]:
            side = f"  alleen {item['sides'][0]}" if item["sides"] else ""
            console.print(Text.assemble("  ", (item["rule"], "cyan"), f": {item['condition']}",
                                        (f"{side}  {item['file']}:{item['line']}", "dim")), soft_wrap=True,
                          highlight=False)
        if len(items) > limit:
            console.print(Text(f"  … en nog {len(items) - limit} (zie --format json)", style="dim"))


def _detail(key: str, item: dict) -> str:
    if key == "articles":
        users = item["cited_by"]
        return "genoemd door " + ", ".join(users[:3]) + (f" en {len(users) - 3} meer" if len(users) > 3 else "")
    where = f"{item['file']}:{item['line']}" if "file" in item else ""
    extra = item.get("title") or (f"niveau {item['level']}" if "level" in item else item.get("unit", ""))
    return "  ".join(x for x in (where, extra) if x)

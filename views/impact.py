"""`kader impact` on the command line: what changes, for whom, and which rules made the difference."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .formatting import count, money, print_indented
from .rulediff import rule_change_rows

KIND_LABELS = {
    "lighter": "lichter", "heavier": "zwaarder", "provision": "andere voorziening", "eligibility": "recht",
    "amount": "bedrag", "signal_new": "nieuw signaal", "signal_lost": "signaal vervalt", "check_new": "nieuwe controle",
    "check_lost": "controle vervalt", "deadline_new": "nieuwe termijn", "deadline_lost": "termijn vervalt",
    "deadline_moved": "termijn verschoven", "onbekend": "van of naar onbekend",
}


def describe_value(kind: str, value, *, pays: bool = False) -> str:
    """One side of a change in words; `pays`: the entitlement is one the household pays (an eigen bijdrage)."""
    if kind in ("lighter", "heavier", "provision"):
        if value["provision"] is None:
            return "geen automatisch voorstel"
        return f"{value['provision']} (niveau {value['level']})"
    if kind == "eligibility":
        words = {True: "betaalt", False: "betaalt niet", None: "onbekend"} if pays else \
            {True: "recht", False: "geen recht", None: "onbekend"}
        return words.get(value, "n.v.t.") if not isinstance(value, str) else value
    if kind == "onbekend":  # an entitlement (true/false/null) or a term, signal or check (its status)
        if isinstance(value, str):
            return value.replace("_", " ")
        return {True: "recht", False: "geen recht", None: "onbekend"}.get(value, "n.v.t.")
    if kind == "amount":
        return money(value)
    if kind.startswith("deadline"):
        return value or "–"
    return "ja" if value else "nee"


def why(change: dict) -> str:
    parts = list(change["rules"])
    parts += [f"criterium {c}" for c in change.get("criteria", [])]
    parts += [f"parameter {p}" for p in change.get("parameters", [])]
    return ", ".join(parts) or "–"


def signed(value: str) -> str:
    """'+€ 12,00', '-€ 3,50', or '–' for no change."""
    if float(value) == 0:
        return "–"
    text = money(value)
    return text if "-" in text else "+" + text


TALLY_LABELS = (  # (key in by_domein, label): what a user reads; only what changed is shown
    ("lighter", "lichter"), ("heavier", "zwaarder"), ("provision", "andere voorziening op dezelfde trede"),
    ("eligibility_gained", "recht erbij"), ("eligibility_lost", "recht eraf"),
    ("eigen_bijdrage_new", "gaat eigen bijdrage betalen"), ("eigen_bijdrage_lost", "betaalt geen eigen bijdrage meer"),
    ("signals_new", "nieuw signaal"), ("signals_lost", "signaal vervalt"), ("deadlines_new", "nieuwe termijn"),
    ("deadlines_lost", "termijn vervalt"), ("deadlines_moved", "termijn verschoven"),
    ("onbekend", "van of naar onbekend"),
)


def _indented(console: Console, lines: list[tuple[int, Text | str]]) -> None:
    """Lines at their indent; a line too long for the terminal wraps at word boundaries under its own start, and
    an identifier longer than the line is folded, never cut."""
    for indent, text in lines:
        print_indented(console, text, indent)


def render_impact(console: Console, report: dict, *, limit: int = 50) -> None:
    """The impact report laid out vertically (readable at 80 columns): what changed in the rules, how many
    households changed, per municipality and domain only the changes that occur, the ladder, the entitlements,
    what made the difference, and each changed household."""
    base, proposal = report["base"], report["proposal"]
    console.print(Text.assemble(("Impact van ", "bold"), (proposal["label"], "bold cyan"), (" ten opzichte van ", "bold"),
                                (base["label"], "bold cyan")))
    console.print(Text(f"basis {base['version']} {base['hash'][:19]}…  ·  voorstel {proposal['version']} "
                       f"{proposal['hash'][:19]}…", style="dim"))
    render_rule_changes(console, report.get("rule_changes") or {})
    assessed = report["assessed"]
    console.print()
    console.print(Text.assemble(count(report["cases"], "casus", "casussen") + ", ", (f"{report['changed']} gewijzigd", "bold"),
                                f"  ({assessed['twice']} onder beide versies beoordeeld, {assessed['once']} eenmaal: "
                                "voor hun gemeente en domeinen zijn de regels gelijk)"))
    if report["errors"]:
        console.print(Text(f"{count(len(report['errors']), 'fout', 'fouten')}: niet elke casus kon worden gelezen of beoordeeld (zie stderr)",
                           style="bold red"))
    _render_tallies(console, report)
    console.print()
    console.print(Text("Verdeling over de ladder: voorstellen per niveau 0–5, voor → na (geen: geen automatisch "
                       "voorstel)", style="bold"))
    console.print(Padding(_ladder_table(report), (0, 0, 0, 2)))
    _render_rights(console, report)
    reasons = reason_rows(report)
    if reasons:
        console.print()
        console.print(Text("Wat het verschil maakte (aantal wijzigingen)", style="bold"))
        width = max(len(str(number)) for _, number in reasons[:30])
        _indented(console, [(3, f"{str(number).rjust(width)}  {label}") for label, number in reasons[:30]])
    changes = report["changes"]
    if changes:
        console.print()
        render_changed_households(console, changes, limit=limit)


def _render_tallies(console: Console, report: dict) -> None:
    rows = []
    for gemeente, data in report["by_gemeente"].items():
        for domein, tally in data["by_domein"].items():
            parts = [f"{label} {tally.get(key, 0)}" for key, label in TALLY_LABELS if tally.get(key, 0)]
            for key, label in (("per_maand", "per maand"), ("per_jaar", "per jaar")):
                if float(tally[key]) != 0:
                    parts.append(f"{label} {signed(tally[key])}")
            head = Text.assemble((f"{gemeente} · {domein}", "bold"), f"  {count(tally['cases'], 'casus', 'casussen')}")
            rows.append((head, Text("; ".join(parts) if parts else "geen wijziging",
                                    style="" if parts else "dim")))
    if not rows:
        return
    console.print()
    console.print(Text("Per gemeente en domein", style="bold"))
    lines: list[tuple[int, Text | str]] = [
        (3, Text("bedragen netto voor huishoudens; onbekend: een uitkomst werd onbeslist of juist beslist", style="dim"))]
    for head, text in rows:
        lines += [(3, head), (6, text)]
    _indented(console, lines)


def _render_rights(console: Console, report: dict) -> None:
    rows = []
    for gemeente, data in report["by_gemeente"].items():
        for ident, right in data["by_aanspraak"].items():
            parts = [f"{label} {right[key]}" for key, label in (("gained", "recht erbij"), ("lost", "recht eraf"),
                                                                 ("amount_changes", "bedragen anders")) if right[key]]
            parts += [f"{label} {signed(right[key])}" for key, label in (("per_maand", "per maand"),
                                                                           ("per_jaar", "per jaar"))
                      if float(right[key]) != 0]
            rows.append((Text.assemble(f"{gemeente}  ", (ident, "cyan")), "; ".join(parts) or "geen wijziging"))
    if not rows:
        return
    console.print()
    console.print(Text("Aanspraken", style="bold"))
    lines: list[tuple[int, Text | str]] = []
    for head, text in rows:
        lines += [(3, head), (6, text)]
    _indented(console, lines)


def render_changed_households(console: Console, changes: list[dict], *, limit: int = 50) -> None:
    """Every changed household as a block of lines (its changes, then what made the difference), so that ids are
    shown whole at any width; at most `limit` changes."""
    households: dict[tuple[str, str], list[dict]] = {}
    for change in changes[:limit]:
        households.setdefault((change["case_id"], change["source"]), []).append(change)
    console.print(Text(f"Gewijzigde casussen ({len(changes)} wijzigingen"
                       + (f", de eerste {limit}" if len(changes) > limit else "") + ")", style="bold"))
    for (case_id, source), items in households.items():
        _indented(console, [(2, Text.assemble((case_id, "bold cyan"), f"  {items[0]['gemeente']}  ", (source, "dim")))])
        grid = Table.grid(padding=(0, 1), pad_edge=False)
        grid.add_column(width=3, no_wrap=True)
        grid.add_column(overflow="fold", ratio=1)
        for change in items:
            kind = change["kind"]
            pays = change.get("household_pays", False)
            grid.add_row("  •", Text.assemble((KIND_LABELS[kind], "bold"), ": ", (change["subject"], "cyan"), ": ",
                                              f"{describe_value(kind, change['before'], pays=pays)} → "
                                              f"{describe_value(kind, change['after'], pays=pays)}",
                                              ("\nwaardoor: " + why(change), "dim")))
        console.print(grid)


def render_rule_changes(console: Console, changes: dict) -> None:
    """What changed in the rules, before whom it affects: one block per change (what, the name whole, then the
    text before and after on lines of their own, wrapped at spaces)."""
    rows = rule_change_rows(changes)
    if not rows:
        console.print(Text("Geen inhoudelijke wijziging in de regels.", style="dim"))
        return
    console.print()
    console.print(Text("Wat veranderde in de regels", style="bold"))
    for what, name, before, after in rows:
        _indented(console, [(3, Text.assemble("• ", (what, "bold"), " ", (name, "cyan")))])
        if before and after and before != "bestaat" and after != "bestaat":
            sides = Table.grid(padding=(0, 1), pad_edge=False)
            sides.add_column(no_wrap=True, style="dim")
            sides.add_column(overflow="fold", ratio=1)
            sides.add_row("voor:", before)
            sides.add_row("na:", after)
            console.print(Padding(sides, (0, 0, 0, 5)))
        elif after and after != "bestaat":  # a rule whose conclusion or other fields changed
            _indented(console, [(5, after)])


def reason_rows(report: dict) -> list[tuple[str, int]]:
    rows = [(f"regel {r}", n) for r, n in report["by_rule"].items()]
    rows += [(f"criterium {c}", n) for c, n in report["by_criterion"].items()]
    rows += [(f"parameter {p}", n) for p, n in report["by_parameter"].items()]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def _ladder_table(report: dict) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    table.add_column("gemeente", no_wrap=True)
    levels = None
    for gemeente, data in report["by_gemeente"].items():
        before, after = data["ladder"]["before"], data["ladder"]["after"]
        if levels is None:
            levels = list(before)
            for level in levels:
                table.add_column(str(level), justify="right",
                                 no_wrap=True)
        cells = []
        for level in levels:
            a, b = before[level], after[level]
            cells.append(Text(f"{a} → {b}", style="bold" if a != b else "") if a != b else Text(str(a), style="dim"))
        table.add_row(gemeente, *cells)
    return table

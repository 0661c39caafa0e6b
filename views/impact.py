"""`kader impact` on the command line: what changes, for whom, and which rules made the difference."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .formatting import count, money
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


def render_impact(console: Console, report: dict, *, limit: int = 50) -> None:
    base, proposal = report["base"], report["proposal"]
    console.print(Text.assemble(("Impact van ", "bold"), (proposal["label"], "bold cyan"), (" ten opzichte van ", "bold"),
                                (base["label"], "bold cyan")))
    console.print(Text(f"basis {base['version']} {base['hash'][:19]}…  ·  voorstel {proposal['version']} "
                       f"{proposal['hash'][:19]}…", style="dim"))
    render_rule_changes(console, report.get("rule_changes") or {})
    assessed = report["assessed"]
    console.print(Text.assemble(count(report["cases"], "casus", "casussen") + ", ", (f"{report['changed']} gewijzigd", "bold"),
                                f"  ({assessed['twice']} onder beide versies beoordeeld, {assessed['once']} eenmaal: "
                                "voor hun gemeente en domeinen zijn de regels gelijk)"))
    if report["errors"]:
        console.print(Text(f"{count(len(report['errors']), 'fout', 'fouten')}: niet elke casus kon worden gelezen of beoordeeld (zie stderr)",
                           style="bold red"))
    table = Table(title="Per gemeente en domein", title_justify="left")
    table.caption = ("anders: een andere voorziening op dezelfde trede; recht +/−: recht erbij of eraf; bijdrage +/−: "
                     "gaat eigen bijdrage betalen of niet meer; bedragen netto voor huishoudens; termijn +/−/↔: nieuw, "
                     "vervallen, verschoven; onbekend: een uitkomst werd onbeslist of juist beslist")
    table.caption_justify = "left"
    for column, justify in (("gemeente", "left"), ("domein", "left"), ("casussen", "right"), ("lichter", "right"),
                            ("zwaarder", "right"), ("anders", "right"), ("recht +", "right"), ("recht −", "right"),
                            ("bijdrage +/−", "right"), ("per maand", "right"), ("per jaar", "right"),
                            ("signaal +/−", "right"), ("termijn +/−/↔", "right"), ("onbekend", "right")):
        table.add_column(column, justify=justify, no_wrap=column in ("gemeente", "domein", "per maand", "per jaar"))
    for gemeente, data in report["by_gemeente"].items():
        for domein, tally in data["by_domein"].items():
            table.add_row(gemeente, domein, str(tally["cases"]), str(tally["lighter"]), str(tally["heavier"]),
                          str(tally["provision"]), str(tally["eligibility_gained"]), str(tally["eligibility_lost"]),
                          f"{tally['eigen_bijdrage_new']}/{tally['eigen_bijdrage_lost']}",
                          signed(tally["per_maand"]), signed(tally["per_jaar"]),
                          f"{tally['signals_new']}/{tally['signals_lost']}",
                          f"{tally['deadlines_new']}/{tally['deadlines_lost']}/{tally['deadlines_moved']}",
                          str(tally.get("onbekend", 0)))
    if table.row_count:
        console.print(table)
    console.print(_ladder_table(report))
    rights = Table(title="Aanspraken", title_justify="left")
    for column, justify in (("gemeente", "left"), ("aanspraak", "left"), ("recht erbij", "right"),
                            ("recht eraf", "right"), ("bedragen anders", "right"), ("per maand", "right"),
                            ("per jaar", "right")):
        rights.add_column(column, justify=justify)
    for gemeente, data in report["by_gemeente"].items():
        for ident, right in data["by_aanspraak"].items():
            rights.add_row(gemeente, ident, str(right["gained"]), str(right["lost"]), str(right["amount_changes"]),
                           signed(right["per_maand"]), signed(right["per_jaar"]))
    if rights.row_count:
        console.print(rights)
    reasons = reason_rows(report)
    if reasons:
        table = Table(title="Wat het verschil maakte", title_justify="left")
        table.add_column("regel, criterium of parameter")
        table.add_column("wijzigingen", justify="right")
        for label, number in reasons[:30]:
            table.add_row(label, str(number))
        console.print(table)
    changes = report["changes"]
    if changes:
        render_changed_households(console, changes, limit=limit)


def render_changed_households(console: Console, changes: list[dict], *, limit: int = 50) -> None:
    """Every changed household as a block of lines (its changes, then what made the difference), so that ids are
    shown whole at any width; at most `limit` changes."""
    households: dict[tuple[str, str], list[dict]] = {}
    for change in changes[:limit]:
        households.setdefault((change["case_id"], change["source"]), []).append(change)
    console.print(Text(f"Gewijzigde casussen ({len(changes)} wijzigingen"
                       + (f", de eerste {limit}" if len(changes) > limit else "") + ")", style="bold"))
    for (case_id, source), items in households.items():
        console.print(Text.assemble("  ", (case_id, "bold cyan"), f"  {items[0]['gemeente']}  ", (source, "dim")),
                      highlight=False)
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
    """What changed in the rules, before whom it affects."""
    rows = rule_change_rows(changes)
    if not rows:
        console.print(Text("Geen inhoudelijke wijziging in de regels.", style="dim"))
        return
    table = Table(title="Wat veranderde in de regels", title_justify="left")
    for column in ("wat", "naam", "voor", "na"):
        table.add_column(column, overflow="fold", no_wrap=column == "naam")  # a name is typed: never cut or folded
    for row in rows:
        table.add_row(*row)
    console.print(table)


def reason_rows(report: dict) -> list[tuple[str, int]]:
    rows = [(f"regel {r}", n) for r, n in report["by_rule"].items()]
    rows += [(f"criterium {c}", n) for c, n in report["by_criterion"].items()]
    rows += [(f"parameter {p}", n) for p, n in report["by_parameter"].items()]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def _ladder_table(report: dict) -> Table:
    table = Table(title="Verdeling over de ladder (voorstellen per niveau: voor → na)", title_justify="left")
    table.add_column("gemeente")
    levels = None
    for gemeente, data in report["by_gemeente"].items():
        before, after = data["ladder"]["before"], data["ladder"]["after"]
        if levels is None:
            levels = list(before)
            for level in levels:
                table.add_column("geen voorstel" if level == "geen" else f"niveau {level}", justify="right")
        cells = []
        for level in levels:
            a, b = before[level], after[level]
            cells.append(Text(f"{a} → {b}", style="bold" if a != b else "") if a != b else Text(str(a), style="dim"))
        table.add_row(gemeente, *cells)
    return table

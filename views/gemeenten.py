"""`kader compare-gemeenten`: every difference between the municipalities with its cause, and the defects."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .formatting import count

SECTIONS = {"proposals": "voorstel", "entitlements": "aanspraak", "deadlines": "termijn", "signals": "signaal",
            "checks": "controle", "missing_facts": "ontbrekend feit"}


def _values(values: dict) -> str:
    return ", ".join(f"{g} {_value(v)}" for g, v in values.items())


def _value(value) -> str:
    return {True: "ja", False: "nee", None: "onbekend"}.get(value, str(value)) if not isinstance(value, str) else value


def _group(item: dict) -> tuple:
    """Differences that are the same apart from which hulpvraag of which case they concern."""
    section, key = item["section"], item["key"]
    if section == "proposals":
        key = "hulpvraag"
    elif section == "missing_facts":
        key = key.split(":", 1)[-1]
    elif "@" in key:
        key = key.split("@", 1)[0]
    values = _values(item["values"]) if section == "proposals" else ""
    return section, key, item["field"], item.get("cause_kind") or "", item.get("cause") or "", values


def render_gemeenten(console: Console, report: dict, *, limit: int = 50) -> None:
    differences, defects = report["differences"], report["defects"]
    console.print(Text.assemble(f"{count(report['cases'], 'casus', 'casussen')} in {', '.join(report['gemeenten'])} vergeleken: ",
                                (f"{len(differences)} toegestane verschillen", "bold"), ", ",
                                (f"{len(defects)} harmonisatiefouten", "bold red" if defects else "bold green"),
                                f"; {report.get('households_differing', 0)} huishoudens krijgen niet overal hetzelfde"))
    grouped: dict[tuple, list[dict]] = {}
    for item in differences:
        grouped.setdefault(_group(item), []).append(item)
    if grouped:
        table = Table(title="Toegestane verschillen, naar oorzaak", title_justify="left", show_lines=True)
        for column in ("wat", "verschil", "oorzaak", "casussen"):
            table.add_column(column)
        for (section, key, what, kind, cause, _), items in sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            cases = ", ".join(i["case_id"] for i in items[:3]) + (f" en {len(items) - 3} meer" if len(items) > 3 else "")
            table.add_row(f"{SECTIONS.get(section, section)} {key}\n{what}", _values(items[0]["values"]),
                          Text.assemble((kind or "", "cyan"), "\n", cause or ""), f"{len(items)}: {cases}")
        console.print(table)
    for item in defects[:limit]:
        console.print(Text.assemble(("harmonisatiefout ", "bold red"), f"{item['source']} casus {item['case_id']}: ",
                                    f"{SECTIONS.get(item['section'], item['section'])} {item['key']} ({item['field']}) "
                                    f"verschilt: {_values(item['values'])}"), soft_wrap=True, highlight=False)
        console.print(Text(f"    {item['defect']}" + (f" [{', '.join(item['rules'])}]" if item.get("rules") else ""),
                           style="red"), soft_wrap=True, highlight=False)
    if len(defects) > limit:
        console.print(Text(f"… en nog {len(defects) - limit} harmonisatiefouten (zie --format json)", style="red"))

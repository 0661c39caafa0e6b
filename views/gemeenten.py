"""`kader compare-gemeenten`: every difference between the municipalities with its cause, and the defects."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from .formatting import count, print_indented

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
    print_indented(console, Text.assemble(
        f"{count(report['cases'], 'casus', 'casussen')} in {', '.join(report['gemeenten'])} vergeleken: ",
        (f"{len(differences)} toegestane verschillen", "bold"), ", ",
        (f"{len(defects)} harmonisatiefouten", "bold red" if defects else "bold green"),
        f"; {report.get('households_differing', 0)} huishoudens krijgen niet overal hetzelfde"), 0)
    grouped: dict[tuple, list[dict]] = {}
    for item in differences:
        grouped.setdefault(_group(item), []).append(item)
    if grouped:
        # one block per difference (readable at 80 columns, ids never cut): what, each municipality's outcome on a
        # line of its own, the cause, and the households it concerns
        console.print()
        console.print(Text("Toegestane verschillen, naar oorzaak", style="bold"))
        for (section, key, what, kind, cause, _), items in sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            cases = ", ".join(i["case_id"] for i in items[:3]) + (f" en {len(items) - 3} meer" if len(items) > 3 else "")
            print_indented(console, Text.assemble("• ", (f"{SECTIONS.get(section, section)} ", "bold"), (key, "cyan"),
                                                  f" ({what})"), 3)
            for gemeente, value in items[0]["values"].items():
                print_indented(console, f"{gemeente}: {_value(value)}", 7)
            if kind or cause:
                print_indented(console, Text.assemble(("oorzaak: ", "dim"), (kind, "cyan"),
                                                      f" – {cause}" if cause and cause != kind else ""), 7)
            print_indented(console, Text.assemble(count(len(items), "casus", "casussen"), ": ", cases), 7)
    for item in defects[:limit]:
        console.print(Text.assemble(("harmonisatiefout ", "bold red"), f"{item['source']} casus {item['case_id']}: ",
                                    f"{SECTIONS.get(item['section'], item['section'])} {item['key']} ({item['field']}) "
                                    f"verschilt: {_values(item['values'])}"), soft_wrap=True, highlight=False)
        console.print(Text(f"    {item['defect']}" + (f" [{', '.join(item['rules'])}]" if item.get("rules") else ""),
                           style="red"), soft_wrap=True, highlight=False)
    if len(defects) > limit:
        console.print(Text(f"… en nog {len(defects) - limit} harmonisatiefouten (zie --format json)", style="red"))

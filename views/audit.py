"""The auditor's view of `kader audit` on the command line: chain, reproduction, deviations, equal treatment, ladder."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from engine.register import AuditReport

OK = Text("✓ ", style="bold green")
BAD = Text("✗ ", style="bold red")
WARN = Text("! ", style="bold yellow")


def shown(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, dict):
        return ", ".join(f"{k} {shown(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value) or "geen"
    return str(value)


def scope_text(report: AuditReport) -> str:
    scope = []
    if report.since:
        scope.append(f"vanaf {report.since.isoformat()}")
    if report.gemeente:
        scope.append(f"gemeente {report.gemeente}")
    return f" ({', '.join(scope)})" if scope else ""


def not_reproduced_text(report: AuditReport) -> str:
    count = len(report.not_reproduced)
    return f"{count} record reproduceert niet" if count == 1 else f"{count} records reproduceren niet"


def render_audit(console: Console, report: AuditReport) -> None:
    console.print(Text.assemble(("Audit van ", "bold"), (report.register, "bold cyan"), f" ({report.backend})  ·  ",
                                f"{report.records} records onderzocht{scope_text(report)}, {report.total} in de keten"),
                  highlight=False)
    console.print(Text(f"kop van de keten: {report.head}", style="dim"), highlight=False)
    _chain(console, report)
    _reproduction(console, report)
    _deviations(console, report)
    _unequal(console, report)
    _ladder(console, report)
    verdict = "in orde" if report.ok else "NIET in orde"
    console.print(Text.assemble(OK if report.ok else BAD, (f"register {verdict}", "bold")), highlight=False)


MAX_SHOWN = 20


def record_label(seq: int, report: AuditReport) -> str:
    """A record's number, marked wherever it is shown when it is changed or in a broken link."""
    return f"{seq} ✗ gewijzigd" if seq in report.changed_records else str(seq)


def _chain(console: Console, report: AuditReport) -> None:
    if report.chain_ok:
        console.print(Text.assemble(OK, f"keten ongeschonden: {report.total} records, geen wijziging, verwijdering of "
                                    "andere volgorde"), highlight=False)
    else:
        links = report.broken_links
        console.print(Text.assemble(BAD, (f"keten gebroken op {len(links)} plaats(en):", "bold red")), highlight=False)
        for broken in links[:MAX_SHOWN]:
            console.print(Text(f"  record {broken['seq']} (plaats {broken['position']}, vastgelegd "
                               f"{broken['recorded_at']}): {broken['reason']}"), highlight=False)
        if len(links) > MAX_SHOWN:
            console.print(Text(f"  … en nog {len(links) - MAX_SHOWN} (alle in --format json)"), highlight=False)
    for problem in report.trigger_problems:
        console.print(Text.assemble(BAD, f"beveiliging van de database: trigger {problem['trigger']} "
                                    f"{problem['problem']}"), highlight=False)
    for item in report.time_reversals[:MAX_SHOWN]:
        console.print(Text.assemble(BAD, f"tijd loopt terug: record {item['seq']} vastgelegd {item['recorded_at']}, "
                                    f"vóór record {item['previous_seq']} ({item['previous_recorded_at']})"),
                      highlight=False)
    if report.allowed_rulesets is not None:
        if report.unsanctioned:
            hashes = sorted({item["framework_hash"] for item in report.unsanctioned})
            console.print(Text.assemble(BAD, f"{len(report.unsanctioned)} record(s) met een regelset die niet is "
                                        f"vastgesteld: {', '.join(hashes)} (records "
                                        f"{', '.join(str(i['seq']) for i in report.unsanctioned[:MAX_SHOWN])})"),
                          highlight=False)
        else:
            console.print(Text.assemble(OK, "elk record is gemaakt met een vastgestelde regelset"), highlight=False)
    for anchor in report.anchors:
        if anchor["ok"]:
            console.print(Text.assemble(OK, f"{anchor['source']}: " + anchor.get(
                "note", f"record {anchor['seq']} heeft nog de verwachte hash")),
                          highlight=False)
        else:
            console.print(Text.assemble(BAD, f"{anchor['source']}: {anchor['problem']}"), highlight=False)


def _reproduction(console: Console, report: AuditReport) -> None:
    if not report.not_reproduced:
        console.print(Text.assemble(OK, f"alle {report.records} records reproduceren byte voor byte met hun eigen "
                                    "regelset"), highlight=False)
        return
    console.print(Text.assemble(BAD, (not_reproduced_text(report), "bold red")),
                  highlight=False)
    table = Table(expand=True)
    for column in ("record", "gemeente", "casus", "waarom", "verschillen (vastgelegd → opnieuw)"):
        table.add_column(column)
    for item in report.not_reproduced:
        differences = "\n".join(f"{d['path']}: {shown(d['recorded'])} → {shown(d['replayed'])}"
                                for d in item.get("differences", []))
        table.add_row(record_label(item["seq"], report), item["gemeente"], item["case_key"][:24] + "…",
                      f"{item['reason']}\n{item.get('cause', '')}".strip(), differences or "–")
    console.print(table)


def _deviations(console: Console, report: AuditReport) -> None:
    table = Table(title="Afwijkingen van het voorstel per consulent en gemeente", title_justify="left", expand=True)
    for column in ("consulent", "gemeente", "records", "afwijkingen"):
        table.add_column(column, justify="right" if column in ("records", "afwijkingen") else "left")
    for row in report.deviation_counts:
        table.add_row(row["assessor"], row["gemeente"], str(row["records"]), str(row["deviations"]))
    if report.deviation_counts:
        console.print(table)
    if not report.deviations:
        console.print(Text.assemble(OK, "geen afwijkingen van het voorstel"), highlight=False)
        return
    details = Table(title="Motiveringen", title_justify="left", expand=True)
    for column in ("record", "vastgelegd", "consulent", "gemeente", "voorstel", "motivering"):
        details.add_column(column)
    for item in report.deviations:
        proposal = "\n".join(f"{p['hulpvraag']}: {p['provision'] or 'geen automatisch voorstel'}" for p in item["proposals"])
        motivation = Text(item["motivation"]) if item["motivated"] else Text("ONTBREEKT", style="bold red")
        details.add_row(record_label(item["seq"], report), item["recorded_at"][:10], item["assessor"], item["gemeente"], proposal, motivation)
    console.print(details)


def _unequal(console: Console, report: AuditReport) -> None:
    if not report.unequal_treatment:
        console.print(Text.assemble(OK, "gelijke gevallen kregen in elke gemeente dezelfde uitkomst, op de lokale ruimte "
                                    "na"), highlight=False)
        return
    table = Table(title="Ongelijke behandeling: gelijke feiten, andere uitkomst, buiten de override-punten",
                  title_justify="left", expand=True)
    for column in ("records", "verschil", "oorzaak"):
        table.add_column(column)
    for item in report.unequal_treatment:
        a, b = item["a"], item["b"]
        who = f"{a['gemeente']}: {', '.join(map(str, a['records']))}\n{b['gemeente']}: {', '.join(map(str, b['records']))}"
        what = "\n".join(f"{d['item']}: {shown(d['a'])} ↔ {shown(d['b'])}" for d in item["differences"])
        table.add_row(who, what, item["cause"])
    console.print(table)


def _ladder(console: Console, report: AuditReport) -> None:
    if not report.ladder:
        return
    table = Table(title="Voorstellen per trede van de ladder", title_justify="left")
    keys = list(next(iter(report.ladder.values())))
    table.add_column("gemeente")
    for key in keys:
        table.add_column("geen voorstel" if key == "geen_voorstel" else f"niveau {key}", justify="right")
    for gemeente, counts in report.ladder.items():
        total = sum(counts.values()) or 1
        table.add_row(gemeente, *(f"{counts[k]} ({100 * counts[k] / total:.0f}%)" for k in keys))
    console.print(table)

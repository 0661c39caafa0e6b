"""Text rendering of `kader verify` (engine.tools.verify.Report as JSON)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from engine import TITLES


def render_verify(console: Console, report: dict, *, witnesses_shown: int = 3) -> None:
    findings = report["findings"]
    head = (f"kader verify {report['rules']} op {report['peildatum']} voor {', '.join(report['gemeenten'])}: "
            f"{report['queries']} vragen aan de solver in {report['seconds']:.1f} s "
            f"(time-out {report['timeout_per_query_ms']} ms per vraag)")
    console.print(escape(head))
    if report.get("base"):
        console.print(escape(f"alleen wat nieuw is ten opzichte van {report['base']} "
                             f"({report['base_findings']} bevindingen daar)"))
    if not findings:
        console.print("geen bevindingen: geen conflicten, gaten, dode regels of time-outs gevonden")
        return
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding["kind"]] = counts.get(finding["kind"], 0) + 1
    console.print(escape("bevindingen: " + ", ".join(f"{n} {k}" for k, n in counts.items())))
    shown: dict[str, int] = {}
    for finding in findings:
        kind = finding["kind"]
        console.print()
        console.print(escape(f"{TITLES[kind]} [{', '.join(finding['gemeenten'])}]"), style="bold")
        console.print(escape("  " + finding["message"]))
        if finding.get("onderwerpen"):
            console.print(escape("  onderwerpen: " + ", ".join(finding["onderwerpen"])))
        for rule in finding["rules"]:
            console.print(escape(f"  {rule['at']}: {rule['id']}"))
        if "witness" in finding:
            verdict = {True: "bevestigd door de engine", False: "NIET bevestigd door de engine",
                       None: "niet door de engine beoordeeld"}[finding["confirmed_by_engine"]]
            console.print(escape(f"  getuige: {verdict}: {finding.get('engine') or ''}"))
            if finding.get("witness_file"):
                console.print(escape(f"  kader assess {finding['witness_file']}"))
            elif shown.get(kind, 0) < witnesses_shown:
                shown[kind] = shown.get(kind, 0) + 1
                import yaml
                text = yaml.safe_dump(finding["witness"], sort_keys=False, allow_unicode=True)
                for line in text.splitlines():
                    console.print(escape("    " + line))

"""`kader audit --format html`: one self-contained page (inline style, no scripts, no external requests)."""

from __future__ import annotations

from html import escape

from engine.register import AuditReport

from .audit import not_reproduced_text, scope_text, shown

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;color:#1b1b1b;
line-height:1.4;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f2f2f2}td.n{text-align:right}
.ok{color:#1a7f37;font-weight:bold}.bad{color:#c62828;font-weight:bold}.warn{color:#9a6700;font-weight:bold}
code{font-size:.85em;word-break:break-all}.muted{color:#666}
"""


def _e(value: object) -> str:
    return escape(shown(value) if not isinstance(value, str) else value)


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _label(seq: int, report: AuditReport) -> str:
    """A record's number, marked in red wherever it is shown when it is changed or in a broken link."""
    return f'{seq} <span class="bad">✗ gewijzigd</span>' if seq in report.changed_records else str(seq)


def _status(ok: bool, text: str) -> str:
    return f'<p class="{"ok" if ok else "bad"}">{"✓" if ok else "✗"} {escape(text)}</p>'


def render_audit_html(report: AuditReport) -> str:
    parts = [f"<h1>Audit van {escape(report.register)}</h1>",
             f'<p>{report.records} records onderzocht{escape(scope_text(report))}, {report.total} in de keten '
             f'({escape(report.backend)}). <span class="muted">Kop van de keten: <code>{escape(report.head)}</code></span></p>',
             _status(report.ok, "register in orde" if report.ok else "register NIET in orde"),
             "<h2>Keten</h2>"]
    if report.chain_ok:
        parts.append(_status(True, f"ongeschonden: {report.total} records, geen wijziging, verwijdering of andere volgorde"))
    else:
        parts.append(_status(False, f"gebroken op {len(report.broken_links)} plaats(en)"))
        parts.append(_table(["record", "plaats", "vastgelegd", "wat"], [
            [str(b["seq"]), str(b["position"]), _e(b["recorded_at"]), _e(b["reason"])] for b in report.broken_links]))
    for problem in report.trigger_problems:
        parts.append(_status(False, f"beveiliging van de database: trigger {problem['trigger']} {problem['problem']}"))
    for item in report.time_reversals:
        parts.append(_status(False, f"tijd loopt terug: record {item['seq']} vastgelegd {item['recorded_at']}, vóór record "
                                    f"{item['previous_seq']} ({item['previous_recorded_at']})"))
    if report.allowed_rulesets is not None:
        if report.unsanctioned:
            parts.append(_status(False, f"{len(report.unsanctioned)} record(s) met een regelset die niet is vastgesteld"))
            parts.append(_table(["record", "vastgelegd", "consulent", "regelset"], [
                [_label(u["seq"], report), _e(u["recorded_at"]), _e(u["assessor"]), f"<code>{_e(u['framework_hash'])}</code>"]
                for u in report.unsanctioned]))
        else:
            parts.append(_status(True, "elk record is gemaakt met een vastgestelde regelset"))
    for anchor in report.anchors:
        parts.append(_status(anchor["ok"], f"{anchor['source']}: " + (
            anchor.get("note", f"record {anchor['seq']} heeft nog de verwachte hash") if anchor["ok"]
            else anchor["problem"])))
    parts.append("<h2>Reproduceerbaarheid</h2>")
    if not report.not_reproduced:
        parts.append(_status(True, f"alle {report.records} records reproduceren byte voor byte met hun eigen regelset"))
    else:
        parts.append(_status(False, not_reproduced_text(report)))
        parts.append(_table(["record", "gemeente", "casus", "waarom", "verschillen (vastgelegd → opnieuw)"], [
            [_label(i["seq"], report), _e(i["gemeente"]), f"<code>{_e(i['case_key'])}</code>",
             _e(i["reason"]) + (f"<br>{_e(i['cause'])}" if i.get("cause") else ""),
             "<br>".join(f"<code>{_e(d['path'])}</code>: {_e(d['recorded'])} → {_e(d['replayed'])}"
                         for d in i.get("differences", []))]
            for i in report.not_reproduced]))
    parts.append("<h2>Afwijkingen van het voorstel</h2>")
    if report.deviation_counts:
        parts.append(_table(["consulent", "gemeente", "records", "afwijkingen"], [
            [_e(r["assessor"]), _e(r["gemeente"]), str(r["records"]), str(r["deviations"])]
            for r in report.deviation_counts], numeric={2, 3}))
    if report.deviations:
        parts.append(_table(["record", "vastgelegd", "consulent", "gemeente", "voorstel", "motivering"], [
            [_label(d["seq"], report), _e(d["recorded_at"][:10]), _e(d["assessor"]), _e(d["gemeente"]),
             "<br>".join(f"{_e(p['hulpvraag'])}: {_e(p['provision'] or 'geen automatisch voorstel')}" for p in d["proposals"]),
             _e(d["motivation"]) if d["motivated"] else '<span class="bad">ontbreekt</span>']
            for d in report.deviations]))
    else:
        parts.append(_status(True, "geen afwijkingen van het voorstel"))
    parts.append("<h2>Gelijke behandeling</h2>")
    if report.unequal_treatment:
        parts.append(_status(False, f"{len(report.unequal_treatment)} keer kregen gelijke feiten een andere uitkomst "
                                    "buiten de override-punten"))
        parts.append(_table(["records", "verschil", "oorzaak"], [
            [f"{_e(u['a']['gemeente'])}: {_e(u['a']['records'])}<br>{_e(u['b']['gemeente'])}: {_e(u['b']['records'])}",
             "<br>".join(f"{_e(d['item'])}: {_e(d['a'])} ↔ {_e(d['b'])}" for d in u["differences"]), _e(u["cause"])]
            for u in report.unequal_treatment]))
    else:
        parts.append(_status(True, "gelijke gevallen kregen in elke gemeente dezelfde uitkomst, op de lokale ruimte na"))
    if report.ladder:
        keys = list(next(iter(report.ladder.values())))
        parts.append("<h2>Voorstellen per trede van de ladder</h2>")
        parts.append(_table(["gemeente"] + ["geen voorstel" if k == "geen_voorstel" else f"niveau {k}" for k in keys], [
            [_e(g)] + [str(counts[k]) for k in keys] for g, counts in report.ladder.items()],
            numeric=set(range(1, len(keys) + 1))))
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n<title>kader audit: '
            f"{escape(report.register)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")

"""`kader impact --format html`: one self-contained page to share, with charts drawn as inline SVG.

Nothing on the page is fetched: styles and charts are inline, there is no
script and no font from elsewhere, and a Content-Security-Policy forbids any
request. The charts: the distribution of proposals over the ladder before and
after the change, per municipality (stacked bars), the change in amounts per
municipality and entitlement (bars left and right of zero, per year), and the
number of changes of each kind per municipality.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Iterable

from .impact import KIND_LABELS, describe_value, reason_rows, signed
from .rulediff import rule_change_rows

WIDTH = 760
LEVEL_COLOURS = ["#d9f0d3", "#a6dba0", "#5aae61", "#1b7837", "#762a83", "#40004b"]
NO_PROPOSAL_COLOUR = "#bdbdbd"
MORE, LESS = "#2166ac", "#d6604d"
KIND_COLOURS = {"lighter": "#5aae61", "heavier": "#762a83", "provision": "#8c96c6", "eligibility": "#2166ac",
                "amount": "#4393c3", "signal_new": "#f4a582", "signal_lost": "#d6604d", "check_new": "#fddbc7",
                "check_lost": "#b2182b", "deadline_new": "#bababa", "deadline_lost": "#878787",
                "deadline_moved": "#4d4d4d", "onbekend": "#e6ab02"}
CHANGES_SHOWN = 1000

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;color:#1a1a1a;
background:#f6f6f3;line-height:1.45}
main{max-width:980px;margin:0 auto;padding:24px}
header{background:#14375e;color:#fff;padding:24px}
header .inner{max-width:980px;margin:0 auto}
h1{margin:0 0 6px;font-size:26px}
h2{font-size:19px;margin:32px 0 8px}
.sub{opacity:.85;font-size:14px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}
.card{background:#fff;color:#1a1a1a;border-radius:8px;padding:12px 16px;min-width:140px;box-shadow:0 1px 2px rgba(0,0,0,.12)}
.card b{display:block;font-size:24px}
.card span{font-size:13px;color:#555}
section{background:#fff;border-radius:8px;padding:8px 20px 16px;margin-top:16px;box-shadow:0 1px 2px rgba(0,0,0,.12)}
svg.chart{display:block;max-width:100%;height:auto;font-size:12px}
svg.chart text{fill:#1a1a1a}
.legend{display:flex;flex-wrap:wrap;gap:12px;font-size:13px;margin:6px 0}
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px;border-radius:2px}
table{border-collapse:collapse;width:100%;font-size:13px}
.scroll{overflow-x:auto}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e3e3e3;vertical-align:top;overflow-wrap:normal;
word-break:normal;hyphens:manual}
td ul{margin:0;padding-left:16px}
th{background:#f0f0ec;overflow-wrap:normal}
td.n{text-align:right;white-space:nowrap}
.muted{color:#666;font-size:13px}
.err{color:#b2182b;font-family:ui-monospace,monospace;font-size:12px}
code{font-size:12px}
a.wet{font-size:12px;color:#14375e;white-space:nowrap}
"""


def _e(value) -> str:
    return escape(str(value), quote=True)


def ladder_chart(report: dict) -> str:
    """Two stacked bars per municipality (before, after): the share of proposals on each rung."""
    gemeenten = report["by_gemeente"]
    levels = next(iter(gemeenten.values()))["ladder"]["before"].keys() if gemeenten else []
    label_w, bar_w, bar_h, gap = 150, WIDTH - 150 - 20, 22, 18
    height = max(1, len(gemeenten)) * (2 * bar_h + 8 + gap) + 10
    parts = [f'<svg class="chart ladder" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="Verdeling over de ladder, voor en na">']
    y = 8
    for gemeente, data in gemeenten.items():
        for side, title in (("before", "voor"), ("after", "na")):
            counts = data["ladder"][side]
            total = sum(counts.values())
            parts.append(f'<text x="0" y="{y + bar_h - 7}">{_e(gemeente.capitalize())} · {title}</text>')
            x = float(label_w)
            for level in levels:
                count = counts[level]
                if not count:
                    continue
                w = bar_w * count / total
                colour = NO_PROPOSAL_COLOUR if level == "geen" else LEVEL_COLOURS[int(level) % len(LEVEL_COLOURS)]
                name = "geen automatisch voorstel" if level == "geen" else f"niveau {level}"
                parts.append(f'<rect class="seg" data-gemeente="{_e(gemeente)}" data-side="{side}" data-level="{_e(level)}" '
                             f'data-count="{count}" x="{x:.2f}" y="{y}" width="{w:.2f}" height="{bar_h}" fill="{colour}">'
                             f'<title>{_e(gemeente)} {title}: {name}: {count} van {total} voorstellen</title></rect>')
                if w > 28:
                    dark = level not in ("geen", "0", "1")
                    parts.append(f'<text x="{x + w / 2:.2f}" y="{y + bar_h - 7}" text-anchor="middle" '
                                 f'style="fill:{"#fff" if dark else "#1a1a1a"}">{count}</text>')
                x += w
            y += bar_h + 4
        y += gap
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{LEVEL_COLOURS[int(level) % len(LEVEL_COLOURS)] if level != "geen" else NO_PROPOSAL_COLOUR}">'
                     f'</i>{"geen automatisch voorstel" if level == "geen" else "niveau " + _e(level)}</span>'
                     for level in levels)
    return f'<div class="legend">{legend}</div>' + "".join(parts)


def _diverging(rows: list[tuple[str, float, str, str]], css: str, label: str, left: str, right: str) -> str:
    """Bars left (negative) and right (positive) of an axis: (row label, value, shown value, tooltip)."""
    label_w, bar_h, gap = 260, 20, 10
    half = (WIDTH - label_w - 20) / 2
    axis = label_w + half
    largest = max(abs(value) for _, value, _, _ in rows) or 1.0
    height = len(rows) * (bar_h + gap) + 30
    parts = [f'<svg class="chart {css}" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{_e(label)}">',
             f'<line x1="{axis}" y1="0" x2="{axis}" y2="{height - 20}" stroke="#555" stroke-width="1"/>',
             f'<text x="{axis - 6}" y="{height - 6}" text-anchor="end">{_e(left)}</text>',
             f'<text x="{axis + 6}" y="{height - 6}">{_e(right)}</text>']
    y = 4
    for name, value, shown, tooltip in rows:
        w = max(2.0, (half - 160) * abs(value) / largest) if value else 0.0
        x = axis if value >= 0 else axis - w
        parts.append(f'<text x="0" y="{y + bar_h - 6}">{_e(name)}</text>')
        parts.append(f'<rect class="bar" data-value="{value}" x="{x:.2f}" y="{y}" width="{w:.2f}" height="{bar_h}" '
                     f'fill="{MORE if value >= 0 else LESS}"><title>{_e(tooltip)}</title></rect>')
        tx, anchor = (x + w + 6, "start") if value >= 0 else (x - 6, "end")
        parts.append(f'<text x="{tx:.2f}" y="{y + bar_h - 6}" text-anchor="{anchor}">{_e(shown)}</text>')
        y += bar_h + gap
    parts.append("</svg>")
    return "".join(parts)


def amount_chart(report: dict) -> str:
    """Per municipality and entitlement, the change in what is paid per year: right is more, left is less."""
    rows = []
    for gemeente, data in report["by_gemeente"].items():
        for ident, right in data["by_aanspraak"].items():
            value = float(right["per_jaar"])
            if not value:
                continue
            pays = right["household_pays"]
            net, shown = (-value, -Decimal(right["per_jaar"])) if pays else (value, Decimal(right["per_jaar"]))
            what = "betaalt" if pays else "ontvangt"
            rows.append((f"{gemeente.capitalize()} · {ident}", net, signed(str(shown)) + " per jaar",
                         f"{ident} in {gemeente}: het huishouden {what} {signed(right['per_jaar'])} per jaar "
                         f"({signed(right['per_maand'])} per maand); {right['amount_changes']} bedragen anders"))
    if not rows:
        return '<p class="muted">Geen bedrag verandert.</p>'
    return _diverging(rows, "amounts", "Verandering in bedragen per jaar", "minder voor huishoudens",
                      "meer voor huishoudens")


def rights_chart(report: dict) -> str:
    """Per municipality and entitlement, how many households gain (right) or lose (left) the right to it."""
    rows = []
    for gemeente, data in report["by_gemeente"].items():
        for ident, right in data["by_aanspraak"].items():
            pays = right["household_pays"]
            for count, word, sign in ((right["gained"], "gaan betalen" if pays else "erbij", -1 if pays else 1),
                                      (right["lost"], "betalen niet meer" if pays else "eraf", 1 if pays else -1)):
                if count:
                    tip = (f"{ident} in {gemeente}: {count} huishoudens {word}" if pays else
                           f"{ident} in {gemeente}: {count} huishoudens krijgen het recht {word}")
                    rows.append((f"{gemeente.capitalize()} · {ident}", float(sign * count), f"{count} {word}", tip))
    if not rows:
        return '<p class="muted">Niemand krijgt of verliest een recht.</p>'
    return _diverging(rows, "rights", "Huishoudens die een recht krijgen of verliezen", "nadeliger", "gunstiger")


def kinds_chart(report: dict) -> str:
    """Per municipality, how many changes of each kind (one bar per kind that occurs)."""
    counts: dict[str, dict[str, int]] = {}
    for change in report["changes"]:
        counts.setdefault(change["gemeente"], {}).setdefault(change["kind"], 0)
        counts[change["gemeente"]][change["kind"]] += 1
    rows = [(g, k, n) for g in sorted(counts) for k, n in sorted(counts[g].items(), key=lambda kv: -kv[1])]
    if not rows:
        return '<p class="muted">Geen wijzigingen.</p>'
    label_w, bar_h, gap = 260, 16, 6
    largest = max(n for _, _, n in rows)
    height = len(rows) * (bar_h + gap) + 6
    parts = [f'<svg class="chart kinds" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="Soorten wijzigingen per gemeente">']
    y = 3
    for gemeente, kind, n in rows:
        w = max(2.0, (WIDTH - label_w - 80) * n / largest)
        parts.append(f'<text x="0" y="{y + bar_h - 4}">{_e(gemeente.capitalize())} · {_e(KIND_LABELS[kind])}</text>')
        parts.append(f'<rect class="bar" data-kind="{kind}" x="{label_w}" y="{y}" width="{w:.2f}" height="{bar_h}" '
                     f'fill="{KIND_COLOURS[kind]}"><title>{n}</title></rect>')
        parts.append(f'<text x="{label_w + w + 6:.2f}" y="{y + bar_h - 4}">{n}</text>')
        y += bar_h + gap
    parts.append("</svg>")
    return "".join(parts)


def _table(head: Iterable[str], rows: Iterable[Iterable[str]], numeric: set[int] = frozenset()) -> str:
    out = ['<div class="scroll"><table><thead><tr>', "".join(f"<th>{_e(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def law(ident: str, links: dict) -> str:
    """Links to the articles of `ident`'s legal basis on wetten.overheid.nl (in force on the report's peildatum;
    `links` is the report's legal_basis_links): a navigation the reader chooses, nothing the page fetches."""
    entry = links.get(ident)
    if not entry:
        return ""
    shown = []
    seen = set()
    for ref in entry["references"]:
        if ref["url"] in seen or not ref["url"].startswith("https://wetten.overheid.nl/"):
            continue
        seen.add(ref["url"])
        label = f"{ref['wet']} art. {ref['artikel']}" + (f" lid {ref['lid']}" if ref.get("lid") else "")
        shown.append(f'<a class="wet" href="{_e(ref["url"])}" title="{_e(entry["legal_basis"])}">{_e(label)}</a>')
    return " " + " ".join(shown) if shown else ""


def _named(ident: str, names: dict, links: dict | None = None) -> str:
    name = names.get(ident)
    shown = f"{_e(name)} <code>{_e(ident)}</code>" if name and name != ident else f"<code>{_e(ident)}</code>"
    return shown + law(ident, links or {})


def _side(change: dict, value, names: dict, links: dict) -> str:
    kind = change["kind"]
    if kind in ("lighter", "heavier", "provision") and isinstance(value, dict) and value.get("provision"):
        return f"{_named(value['provision'], names, links)} (niveau {value['level']})"
    return _e(describe_value(kind, value, pays=change.get("household_pays", False)))


def household_rows(report: dict, limit: int) -> list[list[str]]:
    """One row per household: every change of that household as a line, with names as well as ids."""
    names = report.get("names") or {}
    links = report.get("legal_basis_links") or {}
    grouped: dict[tuple[str, str], list[dict]] = {}
    for change in report["changes"]:
        grouped.setdefault((change["case_id"], change["source"]), []).append(change)
    rows = []
    for (case_id, source), changes in list(grouped.items())[:limit]:
        lines, reasons = [], []
        for change in changes:
            subject = change["subject"]
            shown = _named(subject.split("@", 1)[0], names, links) + (f" bij {_e(subject.split('@', 1)[1])}"
                                                               if "@" in subject else "")
            lines.append(f"<li>{_e(KIND_LABELS[change['kind']])}: {shown}: {_side(change, change['before'], names, links)} → "
                         f"{_side(change, change['after'], names, links)}</li>")
            for item in [*change["rules"], *(f"criterium {c}" for c in change.get("criteria", [])),
                         *(f"parameter {p}" for p in change.get("parameters", []))]:
                if item not in reasons:
                    reasons.append(item)
        rows.append([f"{_e(case_id)}<br><span class='muted'>{_e(source)}</span>", _e(changes[0]["gemeente"]),
                     "<ul>" + "".join(lines) + "</ul>",
                     "<ul>" + "".join(f"<li>{_named(r, names, links) if ' ' not in r else _e(r) + law(r.split(' ', 1)[1], links)}</li>"
                                      for r in reasons) + "</ul>"
                     if reasons else "–"])
    return rows


def render_html(report: dict) -> str:
    links = report.get("legal_basis_links") or {}
    base, proposal = report["base"], report["proposal"]
    tallies = [t for g in report["by_gemeente"].values() for t in g["by_domein"].values()]
    gained = sum(t["eligibility_gained"] for t in tallies)
    lost = sum(t["eligibility_lost"] for t in tallies)
    per_jaar = sum((Decimal(g["per_jaar"]) for g in report["by_gemeente"].values()), Decimal("0.00"))
    cards = [(report["cases"], "casussen"), (report["changed"], "casussen gewijzigd"), (gained, "keer recht erbij"),
             (lost, "keer recht eraf"), (signed(str(per_jaar)), "per jaar voor huishoudens")]
    domain_rows = []
    for gemeente, data in report["by_gemeente"].items():
        for domein, t in data["by_domein"].items():
            domain_rows.append([_e(gemeente), _e(domein), str(t["cases"]), str(t["lighter"]), str(t["heavier"]),
                                str(t["provision"]), str(t["eligibility_gained"]), str(t["eligibility_lost"]),
                                f"{t['eigen_bijdrage_new']}/{t['eigen_bijdrage_lost']}",
                                _e(signed(t["per_maand"])), _e(signed(t["per_jaar"])),
                                f"{t['signals_new']}/{t['signals_lost']}",
                                f"{t['deadlines_new']}/{t['deadlines_lost']}/{t['deadlines_moved']}",
                                str(t.get("onbekend", 0))])
    names = report.get("names") or {}
    reasons = []
    for label, n in reason_rows(report):
        kind, _, ident = label.partition(" ")
        shown = f"{_e(kind)} {_named(ident, names, links)}" if kind == "regel" else _e(label) + law(ident, links)
        reasons.append([shown, str(n)])
    change_rows = household_rows(report, CHANGES_SHOWN)
    more = len({(c["case_id"], c["source"]) for c in report["changes"]}) - CHANGES_SHOWN
    errors = "".join(f'<div class="err">{_e(d["file"])}:{d["line"]}:{d["col"]}: error[{_e(d["code"])}]: '
                     f'{_e(d["message"])}</div>' for d in report["errors"])
    page = [
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Impact: {_e(proposal['label'])} ten opzichte van {_e(base['label'])}</title>",
        f"<style>{CSS}</style></head><body>",
        '<header><div class="inner"><h1>Wat verandert er, en voor wie?</h1>',
        f'<div class="sub">Voorstel <b>{_e(proposal["label"])}</b> (versie {_e(proposal["version"])}, '
        f'<code>{_e(proposal["hash"][:19])}</code>) ten opzichte van <b>{_e(base["label"])}</b> '
        f'(versie {_e(base["version"])}, <code>{_e(base["hash"][:19])}</code>)'
        + (f'; rechtsgronden gelinkt naar de wettekst die gold op {_e(report["peildatum"])}, de laatste peildatum '
           "van de casussen" if report.get("peildatum") and links else "") + "</div>",
        '<div class="cards">' + "".join(f"<div class='card'><b>{_e(v)}</b><span>{_e(k)}</span></div>" for v, k in cards),
        "</div></div></header><main>",
        "<section><h2>Wat veranderde in de regels</h2>"
        + (_table(["wat", "naam", "voor", "na"], [[_e(c) + (law(c.split(" ", 1)[0], links) if i == 1 else "")
                                                    for i, c in enumerate(row)] for row in rule_change_rows(
            report.get("rule_changes") or {})]) if rule_change_rows(report.get("rule_changes") or {}) else
           '<p class="muted">Geen inhoudelijke wijziging in de regels.</p>') + "</section>",
        '<section><h2>Verdeling over de ladder, voor en na</h2><p class="muted">Per gemeente het aandeel voorstellen op '
        "elk niveau van de ladder (zo licht als mogelijk, zo zwaar als nodig), onder de huidige regels (voor) en onder "
        "het voorstel (na).</p>" + ladder_chart(report) + "</section>",
        '<section><h2>Recht erbij, recht eraf</h2><p class="muted">Per gemeente en aanspraak het aantal huishoudens dat '
        "onder het voorstel een recht krijgt of verliest; rechts wat gunstiger is voor het huishouden (ook: geen eigen "
        "bijdrage meer), links wat nadeliger is.</p>" + rights_chart(report) + "</section>",
        '<section><h2>Bedragen per jaar</h2><p class="muted">Verandering van wat huishoudens ontvangen of betalen, per '
        "gemeente en aanspraak, gezien vanuit het huishouden: rechts meer ontvangen of minder betalen; maandbedragen "
        "maal twaalf.</p>" + amount_chart(report) + "</section>",
        "<section><h2>Soorten wijzigingen</h2>" + kinds_chart(report) + "</section>",
        "<section><h2>Per gemeente en domein</h2>"
        + (_table(["gemeente", "domein", "casussen", "lichter", "zwaarder", "andere voorz.", "recht erbij", "recht eraf",
                   "eigen bijdrage +/−", "per maand", "per jaar", "signalen +/−", "termijnen +/−/↔", "onbekend"], domain_rows,
                  set(range(2, 13)))
           if domain_rows else '<p class="muted">Niets verandert.</p>') + "</section>",
        "<section><h2>Wat het verschil maakte</h2>"
        + (_table(["regel, criterium of parameter", "wijzigingen"], reasons, {1}) if reasons else
           '<p class="muted">Geen regel maakte verschil.</p>') + "</section>",
        f"<section><h2>Gewijzigde casussen ({len(report['changes'])} wijzigingen in {report['changed']} casussen)</h2>"
        + (_table(["huishouden", "gemeente", "wat verandert (voor → na)", "waardoor"], change_rows) if change_rows else
           '<p class="muted">Geen.</p>')
        + (f'<p class="muted">… en nog {more} huishoudens; alle staan in <code>--format json</code>.</p>' if more > 0 else "")
        + "</section>",
        (f"<section><h2>Niet beoordeeld ({len(report['errors'])})</h2>{errors}</section>" if errors else ""),
        f'<p class="muted">{report["assessed"]["twice"]} casussen onder beide versies beoordeeld, '
        f'{report["assessed"]["once"]} eenmaal (voor hun gemeente en domeinen zijn de regels gelijk). '
        "Gemaakt met kader impact.</p>",
        "</main></body></html>",
    ]
    return "\n".join(page) + "\n"

"""What changed in the rules, as rows for the terminal and the HTML page of `kader impact`."""

from __future__ import annotations


def _values(timeline) -> str:
    if timeline is None or timeline == []:
        return "–"
    if isinstance(timeline, str):
        return timeline
    return "; ".join(f"{t['value'] if t['value'] is not None else 'te verifiëren'} vanaf {t['from']}"
                     + (f" tot en met {t['until']}" if t["until"] else "")
                     for t in timeline)


def rule_change_rows(changes: dict) -> list[tuple[str, str, str, str]]:
    """(what, name, before, after) for every change in the rules, parameters first."""
    rows: list[tuple[str, str, str, str]] = []
    for p in changes.get("parameters", []):
        what = f"parameter ({p['gemeente']})" if p["gemeente"] else "parameter (kader)"
        rows.append((what, p["name"], _values(p["before"]), _values(p["after"])))
    for r in changes.get("rules", []):
        extra = []
        if r["then_changed"]:
            extra.append("conclusie gewijzigd")
        extra += [f"{f} gewijzigd" for f in r["other"]]
        if r["when_before"] != r["when_after"]:
            rows.append(("regel: voorwaarde", f"{r['id']} ({r['title']})", r["when_before"],
                         r["when_after"] + (f" ({', '.join(extra)})" if extra else "")))
        else:
            rows.append(("regel", f"{r['id']} ({r['title']})", "", ", ".join(extra)))
    for d in changes.get("derived", []):
        rows.append(("afgeleid feit: formule", d["key"], d["before"], d["after"]))
    for side, label in (("added", "nieuw"), ("removed", "vervallen")):
        for kind, name in (("rules", "regel"), ("provisions", "voorziening"), ("entitlements", "aanspraak"),
                           ("derived", "afgeleid feit"), ("parameters", "parameter")):
            for item in changes.get(side, {}).get(kind, []):
                ident = item.get("id") or item.get("key") or item.get("name")
                title = item.get("title") or item.get("name") if (item.get("id") or item.get("key")) else None
                shown = f"{ident} ({title})" if title and title != ident else ident
                rows.append((f"{name} {label}", shown, "" if side == "added" else "bestaat", "bestaat"
                             if side == "added" else ""))
    return rows

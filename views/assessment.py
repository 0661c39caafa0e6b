"""The assessor's view of one assessment: proposals with why and why-not, amounts, terms."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from engine import Assessment, Framework

from .formatting import PERIODS, day, money, yes_no


def _header(assessment: Assessment) -> Text:
    fw = assessment.framework
    return Text.assemble(
        ("Casus ", "bold"), (assessment.case_id, "bold cyan"), "  ·  gemeente ", (assessment.gemeente.capitalize(), "bold"),
        "  ·  peildatum ", day(assessment.peildatum), "\n",
        (f"{fw['name']}, versie {fw['version']} ({fw['hash'][:19]}…)  ·  engine {assessment.engine_version}", "dim"),
    )


def proposals_table(assessment: Assessment, framework: Framework) -> Table:
    table = Table(title="Voorstellen per hulpvraag", title_justify="left", show_lines=True, expand=True)
    table.add_column("Hulpvraag", no_wrap=True)
    table.add_column("Voorstel")
    table.add_column("Niveau", justify="center")
    table.add_column("Waarom")
    table.add_column("Waarom niet lichter")
    for proposal in assessment.proposals:
        subject = f"{proposal['hulpvraag']}\n{proposal['domein']} / {proposal['onderwerp']}"
        if proposal["provision"] is None:
            name = Text("geen automatisch voorstel", style="bold yellow")
            level = "–"
        else:
            name = Text.assemble((proposal["name"], "bold green"), "\n", (proposal["provision"], "dim"))
            if proposal.get("gemeente"):
                name.append(f"\n(voorveld {proposal['gemeente'].capitalize()})", style="dim")
            level = str(proposal["level"])
        why = Text(proposal["reason"])
        for rule in proposal["rules"]:
            why.append(f"\n{rule}", style="dim")
            why.append(f" [{framework.rules[rule].legal_basis}]", style="dim italic")
        lighter = Text()
        for first, last, entry in _grouped(proposal["lighter_options_ruled_out"]):
            if lighter:
                lighter.append("\n")
            what = entry["provision"] or "(geen voorziening)"
            lighter.append(f"{first}–{last} " if first != last else f"{first} ", style="bold")
            lighter.append(f"{what}: ", style="cyan")
            lighter.append(entry["reason"])
            if entry["rule"]:
                lighter.append(f" ({entry['rule']})", style="dim")
        table.add_row(subject, name, level, why, lighter or Text("–", style="dim"))
    return table


def _grouped(entries: list[dict]):
    """Consecutive rungs passed for the same reason without a provision (a floor) shown as one line."""
    groups: list[list] = []
    for entry in entries:
        last = groups[-1] if groups else None
        if (last is not None and entry["provision"] is None and last[2]["provision"] is None
                and entry["rule"] == last[2]["rule"] and entry["rule"] is not None and entry["level"] == last[1] + 1):
            last[1] = entry["level"]
        else:
            groups.append([entry["level"], entry["level"], entry])
    return groups


def entitlements_table(assessment: Assessment) -> Table | None:
    if not assessment.entitlements:
        return None
    table = Table(title="Aanspraken", title_justify="left", expand=True)
    table.add_column("Aanspraak")
    table.add_column("Recht", justify="center")
    table.add_column("Bedrag", justify="right", no_wrap=True)
    table.add_column("Grondslag")
    table.add_column("Toelichting")
    for item in assessment.entitlements:
        amount = "in natura" if item.get("vorm") == "natura" and item["eligible"] else money(item["bedrag"])
        if item["bedrag"] is not None or item.get("vorm") == "natura":
            amount += f" {PERIODS[item['periode']]}" if item["eligible"] else ""
        elif item.get("bedrag_indien_recht") is not None:  # undecided: what would be paid if the right exists
            amount += f"\n(bij recht {money(item['bedrag_indien_recht'])} {PERIODS[item['periode']]})"
        basis = []
        for key in ("norm", "grens"):
            if key in item:
                basis.append(f"{key} {money(item[key])}")
        notes = Text()
        for criterion in item["criteria"]:
            mark = {True: "✓", False: "✗", None: "?"}[criterion["met"]]
            if notes:
                notes.append("\n")
            notes.append(f"{mark} {criterion['reason']}", style={True: "green", False: "red", None: "yellow"}[criterion["met"]])
        for rule in item["rules"]:
            if notes:
                notes.append("\n")
            notes.append(f"✗ uitgesloten door {rule}", style="red")
        for rule in item.get("pending_rules", ()):
            notes.append(f"\n? nog niet beslist: {rule}", style="yellow")
        if item.get("waits_on"):
            notes.append("\nwacht op: " + _facts(item["waits_on"]), style="yellow")
        title = Text.assemble((item["title"], "bold"), "\n", (item["id"], "dim"))
        table.add_row(title, yes_no(item["eligible"]), amount, "\n".join(basis) or "–", notes or "–")
    return table


def _facts(items: list[dict]) -> str:
    return ", ".join(item["fact"] + (f" ({item['persoon']})" if item.get("persoon") else "") for item in items)


def _provisional(assessment: Assessment, kind: str) -> list[dict]:
    return [item for item in getattr(assessment, "provisional", ()) if item["kind"] == kind]


def deadlines_table(assessment: Assessment) -> Table | None:
    provisional = _provisional(assessment, "deadline")
    if not assessment.deadlines and not provisional:
        return None
    table = Table(title="Termijnen", title_justify="left", expand=True)
    table.add_column("Termijn")
    table.add_column("Uiterlijk", no_wrap=True)
    table.add_column("Berekening")
    table.add_column("Grondslag")
    for item in assessment.deadlines:
        table.add_row(Text.assemble((item["title"], "bold"), "\n", (item["id"], "dim")), day(item["date"]),
                      f"{item['from']} {day(item['start'])} + {item['term']}", item["legal_basis"])
    for item in provisional:  # a term that applies unless the named facts say otherwise, or without a start date
        when = day(item["date"]) if item.get("date") else "onbekend"
        how = f"{item['from']} {day(item['start'])} + {item['term']}" if item.get("start") else \
            f"{item['from']} onbekend + {item['term']}"
        table.add_row(Text.assemble((item["title"], "bold"), "\n", (item["id"], "dim"), "\n",
                                    (f"voorlopig: {item['text']}", "yellow")),
                      Text(when, style="yellow"), how, item["legal_basis"])
    return table


def signals_table(assessment: Assessment) -> Table | None:
    signals, checks = _provisional(assessment, "signal"), _provisional(assessment, "check")
    if not assessment.signals and not assessment.checks and not signals and not checks:
        return None
    table = Table(title="Signalen en controles", title_justify="left", expand=True)
    table.add_column("Soort", no_wrap=True)
    table.add_column("Wat")
    table.add_column("Waarom")
    table.add_column("Regel")
    for item in assessment.signals:
        table.add_row("signaal", Text.assemble((item["title"], "bold"), f"\n{item['id']}"), item["reason"],
                      f"{item['rule']}\n{item['legal_basis']}")
    for item in assessment.checks:
        table.add_row("controle", Text.assemble((item["title"], "bold"), f"\n{item['id']}"), "",
                      f"{item['rule']}\n{item['legal_basis']}")
    for what, items in (("signaal", signals), ("controle", checks)):  # rule undecided: shown as provisional
        for item in items:
            table.add_row(Text(f"{what}\n(voorlopig)", style="yellow"),
                          Text.assemble((item["title"], "bold"), f"\n{item['id']}"),
                          Text(f"{item.get('reason', '')}\n{item['text']}".strip(), style="yellow"),
                          f"{', '.join(item['rules'])}\n{item['legal_basis']}")
    return table


IMPACT = {"beslissend": "beslissend", "samen_beslissend": "beslissend samen met een ander feit",
          "kan_voorstel_wijzigen": "kan het voorstel wijzigen"}


def questions_table(assessment: Assessment) -> Table | None:
    """The decisive questions (kader assess --questions), most decisive first, with what each answer settles."""
    if not assessment.questions:
        return None
    table = Table(title="Beslissende vragen (meest beslissend eerst)", title_justify="left", expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Hulpvraag", no_wrap=True)
    table.add_column("Vraag")
    table.add_column("Feit")
    table.add_column("Beslist")
    for number, item in enumerate(assessment.questions, 1):
        where = item["hulpvraag"] or "casus"
        if item.get("persoon"):
            where += f" ({item['persoon']})"
        if not item.get("tested", True):
            settles = "niet per waarde getoetst"
        elif item.get("settles"):
            settles = ", ".join(item["settles"])
        else:
            settles = IMPACT.get(item["impact"], item["impact"]) + ": " + ", ".join(item.get("changes", []))
        table.add_row(str(number), where, item["question"], item["fact"], settles)
    return table


def missing_table(assessment: Assessment) -> Table | None:
    if assessment.questions is not None:
        return questions_table(assessment)
    if not assessment.missing_facts:
        return None
    table = Table(title="Nog nodig om te beslissen", title_justify="left", expand=True)
    table.add_column("Hulpvraag", no_wrap=True)
    table.add_column("Vraag")
    table.add_column("Feit")
    table.add_column("Belang")
    for item in assessment.missing_facts:
        where = item["hulpvraag"] or "casus"
        if item.get("persoon"):
            where += f" ({item['persoon']})"
        table.add_row(where, item["question"], item["fact"],
                      "beslissend" if item["impact"] == "beslissend" else "kan het voorstel wijzigen")
    return table


def render_assessment(console: Console, assessment: Assessment, framework: Framework) -> None:
    console.print(Panel(_header(assessment), expand=True))
    for part in (proposals_table(assessment, framework), entitlements_table(assessment), deadlines_table(assessment),
                 signals_table(assessment), missing_table(assessment)):
        if part is not None:
            console.print(part)


def render_explanation(console: Console, assessment: Assessment, framework: Framework, hulpvraag: str | None) -> None:
    from engine.ir import render as render_expression

    console.print(_header(assessment))
    fired = assessment.trace.fired
    for proposal in assessment.proposals:
        if hulpvraag and proposal["hulpvraag"] != hulpvraag:
            continue
        root = Tree(Text.assemble(("Hulpvraag ", "bold"), (proposal["hulpvraag"], "bold cyan"),
                                  f"  {proposal['domein']} / {proposal['onderwerp']}"))
        if proposal["provision"]:
            branch = root.add(Text.assemble(("Voorstel: ", "bold"), (proposal["name"], "bold green"),
                                            f" ({proposal['provision']}, niveau {proposal['level']})  ",
                                            (f"[{proposal['legal_basis']}]", "dim")))
        else:
            branch = root.add(Text.assemble(("Geen automatisch voorstel: ", "bold yellow"), proposal["reason"]))
        for rule_id in proposal["rules"]:
            _rule_node(branch, framework, rule_id, render_expression)
        if proposal["lighter_options_ruled_out"]:
            lighter = root.add(Text("Waarom niet lichter", style="bold"))
            for entry in proposal["lighter_options_ruled_out"]:
                node = lighter.add(Text.assemble((f"niveau {entry['level']} ", "bold"),
                                                 (entry["provision"] or "(geen voorziening)", "cyan"), f": {entry['reason']}"))
                if entry["rule"]:
                    _rule_node(node, framework, entry["rule"], render_expression)
        others = [f for f in fired if f.hulpvraag == proposal["hulpvraag"] and f.rule not in proposal["rules"]]
        if others:
            more = root.add(Text("Andere regels die vuurden", style="bold"))
            for item in others:
                _rule_node(more, framework, item.rule, render_expression, item.conclusions)
        missing = [m for m in assessment.missing_facts if m["hulpvraag"] == proposal["hulpvraag"]]
        if missing:
            ask = root.add(Text("Nog nodig om te beslissen", style="bold yellow"))
            for item in missing:
                ask.add(Text.assemble(item["question"], (f"  ({item['fact']}; {', '.join(item['rules'])})", "dim")))
        console.print(root)
    if hulpvraag:
        return
    casus = [f for f in fired if not f.hulpvraag]
    tree = Tree(Text("Casus", style="bold"))
    if casus:
        rules = tree.add(Text("Regels over de hele casus", style="bold"))
        for item in casus:
            _rule_node(rules, framework, item.rule, render_expression, item.conclusions)
    if assessment.entitlements:
        rights = tree.add(Text("Aanspraken", style="bold"))
        for item in assessment.entitlements:
            node = rights.add(Text.assemble((item["title"], "bold"), f": recht {yes_no(item['eligible'])}, bedrag "
                                            f"{money(item['bedrag']) if item.get('vorm') != 'natura' else 'in natura'}  ",
                                            (f"[{item['legal_basis']}]", "dim")))
            for criterion in item["criteria"]:
                node.add(f"{yes_no(criterion['met'])}: {criterion['reason']}  [{criterion['legal_basis']}]")
            for rule in item.get("pending_rules", ()):
                node.add(Text(f"onbekend: regel {rule} kan het recht nog uitsluiten", style="yellow"))
            if item.get("bedrag_indien_recht") is not None:
                node.add(Text(f"bij recht: {money(item['bedrag_indien_recht'])}", style="yellow"))
            if item.get("waits_on"):
                node.add(Text(f"wacht op: {_facts(item['waits_on'])}", style="yellow"))
    provisional = getattr(assessment, "provisional", [])
    if provisional:
        open_ = tree.add(Text("Voorlopig (nog niet beslist)", style="bold yellow"))
        for item in provisional:
            label = {"deadline": "termijn", "signal": "signaal", "check": "controle"}[item["kind"]]
            when = f", uiterlijk {day(item['date'])}" if item.get("date") else ""
            node = open_.add(Text.assemble(f"{label} ", (item["id"], "bold"), f"{when}: {item['text']}  ",
                                           (f"[{item['legal_basis']}]", "dim")))
            for rule in item["rules"]:
                _rule_node(node, framework, rule, render_expression)
    derived = tree.add(Text("Afgeleide feiten", style="bold"))
    by_key = {d.key: d for d in framework.derived}
    for key, value in assessment.trace.derived.items():
        shown = money(value) if by_key[key].type == "geld" else str(value)
        derived.add(Text.assemble(f"{key} = ", (shown, "bold"), (f"  [{by_key[key].legal_basis}]", "dim")))
    used = tree.add(Text("Parameters op de peildatum", style="bold"))
    for name, info in assessment.trace.parameters.items():
        label = f"{name} = {info['value']} (vanaf {day(info['from'])})"
        if info.get("decision"):
            label += f", gemeentelijke keuze: {info['decision']}"
        used.add(Text.assemble(label, (f"  [{info['legal_basis']}]", "dim")))
    console.print(tree)
    casus_missing = [m for m in assessment.missing_facts if m["hulpvraag"] is None]
    if casus_missing:
        ask = Tree(Text("Nog nodig om te beslissen (casus)", style="bold yellow"))
        for item in casus_missing:
            ask.add(Text.assemble(item["question"], (f"  ({item['fact']}; {', '.join(item['rules'])})", "dim")))
        console.print(ask)


def _rule_node(parent: Tree, framework: Framework, rule_id: str, render_expression, conclusions=None) -> None:
    rule = framework.rules[rule_id]
    node = parent.add(Text.assemble((rule_id, "cyan"), f" — {rule.title}  ", (f"[{rule.legal_basis}]", "dim")))
    node.add(Text.assemble(("omdat: ", "italic"), rule.reason))
    node.add(Text.assemble(("als: ", "italic"), (render_expression(rule.when), "dim")))
    if conclusions:
        node.add(Text.assemble(("dus: ", "italic"), ", ".join(conclusions)))


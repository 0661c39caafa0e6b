"""The assessor's view of one assessment: proposals with why and why-not, amounts, terms."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from engine import Assessment, Framework

from .formatting import PERIODS, day, money, yes_no
from .grid import Grid


def _header(assessment: Assessment) -> Text:
    fw = assessment.framework
    return Text.assemble(
        ("Casus ", "bold"), (assessment.case_id, "bold cyan"), "  ·  gemeente ", (assessment.gemeente.capitalize(), "bold"),
        "  ·  peildatum ", day(assessment.peildatum), "\n",
        (f"{fw['name']}, versie {fw['version']} ({fw['hash'][:19]}…)  ·  engine {assessment.engine_version}", "dim"),
    )


LABEL_WIDTH = 13  # "Nog nodig" and "Niet lichter" fit; the rest of the line is for the text


def block(rows: list[tuple[str, Text]], indent: int = 2) -> Table:
    """Labelled lines, the label column fixed and the text wrapped at word boundaries in the rest of the width.

    Each outcome is a list of (label, text) rows, so that another line (a status, a provisional outcome) is one more
    row in that list."""
    grid = Grid.grid(padding=(0, 1), pad_edge=False)  # laid out as Table.grid lays it out, faster (views/grid.py)
    grid.add_column(width=indent, no_wrap=True)
    grid.add_column(width=LABEL_WIDTH, no_wrap=True, style="bold")
    grid.add_column(overflow="fold", ratio=1)
    blank = Text("")
    for label, text in rows:  # Text, not str: a label made from the case (a hulpvraag id) is never read as markup
        grid.add_row(blank, Text(label) if isinstance(label, str) else label, text)
    return grid


def _rule_line(framework: Framework, rule_id: str) -> Text:
    rule = framework.rules.get(rule_id)
    text = Text.assemble(("regel ", "dim"), (rule_id, "cyan"))
    if rule is not None:
        text.append(f" [{rule.legal_basis}]", style="dim")
    return text


def proposal_rows(proposal: dict, framework: Framework, missing: list[dict]) -> list[tuple[str, Text]]:
    """The rows of one hulpvraag: proposal, why, each lighter rung and why not, what is still needed."""
    rows: list[tuple[str, Text]] = []
    if proposal["provision"] is None:
        rows.append(("Voorstel", Text("geen automatisch voorstel", style="bold yellow")))
    else:
        name = Text.assemble((proposal["name"], "bold green"), f" (niveau {proposal['level']})\n",
                             (proposal["provision"], "cyan"))
        if proposal.get("gemeente"):
            name.append(f"  voorveld {proposal['gemeente'].capitalize()}", style="dim")
        rows.append(("Voorstel", name))
    rows.append(("Waarom", Text(proposal["reason"])))
    for rule in proposal["rules"]:
        rows.append(("", _rule_line(framework, rule)))
    for first, last, entry in _grouped(proposal["lighter_options_ruled_out"]):
        label = f"niveau {first}" if first == last else f"niveau {first}–{last}"
        text = Text.assemble((entry["provision"] or "geen voorziening", "cyan"), ": ", entry["reason"])
        rows.append(("Niet lichter" if not any(r[0] == "Niet lichter" for r in rows) else "", Text(label, style="bold")))
        rows.append(("", text))
        if entry["rule"]:
            rows.append(("", _rule_line(framework, entry["rule"])))
    for index, item in enumerate(missing):
        where = f" (persoon {item['persoon']})" if item.get("persoon") else ""
        rows.append(("Nog nodig" if index == 0 else "", Text.assemble(item["question"] + where, "\n",
                                                                      (item["fact"], "cyan"),
                                                                      (f"  {_impact(item)}", "dim"))))
    return rows


def _impact(item: dict) -> str:
    return "beslissend" if item["impact"] == "beslissend" else "kan het voorstel wijzigen"


def _grouped(entries: list[dict]):
    """Consecutive rungs passed for the same reason without a provision (a floor) shown as one line."""
    groups: list[list] = []
    for entry in entries:
        last = groups[-1] if groups else None
        if (last is not None and entry["provision"] is None and last[2]["provision"] is None
                and entry["rule"] == last[2]["rule"] and entry["rule"] is not None and entry["level"] == last[1] + 1):
            last[1] = entry["level"]
        elif (last is not None and entry["provision"] is None and last[2]["provision"] is None and entry["rule"] is None
              and last[2]["rule"] is None and entry["level"] == last[1] + 1):
            last[1] = entry["level"]  # rungs with no provision for this onderwerp at all
        else:
            groups.append([entry["level"], entry["level"], entry])
    return groups


def _pays(framework: Framework, ident: str) -> bool:
    """An entitlement the household pays (a Wmo eigen bijdrage), not one it receives."""
    definition = framework.entitlements.get(ident)
    return definition is not None and definition.requires.eigen_bijdrage is not None


def entitlement_rows(item: dict, framework: Framework) -> list[tuple[str, Text]]:
    """One entitlement: what the household receives, or for an eigen bijdrage what the client pays."""
    pays = _pays(framework, item["id"])
    period = PERIODS.get(item["periode"], item["periode"])
    if pays:
        if item["eligible"] is True:
            label, outcome = "betaalt", Text(f"de cliënt betaalt {money(item['bedrag'])} {period}", style="bold")
        elif item["eligible"] is False:
            label, outcome = "betaalt niet", Text("de cliënt betaalt geen eigen bijdrage", style="bold")
        else:
            label, outcome = "onbekend", Text("nog niet te zeggen of de cliënt een eigen bijdrage betaalt",
                                              style="bold yellow")
    elif item["eligible"] is True:
        amount = "in natura" if item.get("vorm") == "natura" else money(item["bedrag"])
        label, outcome = "recht", Text(f"{amount} {period}", style="bold green")
    elif item["eligible"] is False:
        label, outcome = "geen recht", Text("geen recht", style="bold red")
    else:
        label, outcome = "onbekend", Text("nog niet te beslissen", style="bold yellow")
    rows = [(label, Text.assemble((item["title"], "bold"), " (", (item["id"], "cyan"), ")")), ("", outcome)]
    basis = [f"{key} {money(item[key])}" for key in ("norm", "grens") if key in item]
    if basis:
        rows.append(("", Text(", ".join(basis), style="dim")))
    for criterion in item["criteria"]:
        mark = {True: "✓", False: "✗", None: "?"}[criterion["met"]]
        rows.append(("", Text(f"{mark} {criterion['reason']}",
                              style={True: "green", False: "red", None: "yellow"}[criterion["met"]])))
    for rule in item["rules"]:
        rows.append(("", Text.assemble(("✗ uitgesloten door ", "red"), (rule, "cyan"))))
    if item.get("bedrag_indien_recht") is not None:  # undecided: what would be paid if the right exists
        rows.append(("", Text(f"bij recht {money(item['bedrag_indien_recht'])} {period}", style="yellow")))
    for rule in item.get("pending_rules", ()):
        rows.append(("", Text.assemble(("? nog niet beslist: ", "yellow"), (rule, "cyan"))))
    if item.get("waits_on"):
        rows.append(("", Text("wacht op: " + _facts(item["waits_on"]), style="yellow")))
    return rows


def _facts(items: list[dict]) -> str:
    return ", ".join(item["fact"] + (f" ({item['persoon']})" if item.get("persoon") else "") for item in items)


def _provisional(assessment: Assessment, kind: str) -> list[dict]:
    return [item for item in getattr(assessment, "provisional", ()) if item["kind"] == kind]


IMPACT = {"beslissend": "beslissend", "samen_beslissend": "beslissend samen met een ander feit",
          "kan_voorstel_wijzigen": "kan het voorstel wijzigen", "signaal": "beslist alleen een signaal"}


def question_rows(assessment: Assessment) -> list[tuple[str, Text]]:
    """The decisive questions (kader assess --questions), most decisive first, with what each answer settles."""
    rows = []
    for number, item in enumerate(assessment.questions or [], 1):
        where = item["hulpvraag"] or "casus"
        if item.get("persoon"):
            where += f" ({item['persoon']})"
        if not item.get("tested", True):
            settles = "niet per waarde getoetst"
        elif item.get("settles"):
            settles = ("alleen een signaal: " if item["impact"] == "signaal" else "") + ", ".join(item["settles"])
        else:
            settles = IMPACT.get(item["impact"], item["impact"]) + ": " + ", ".join(item.get("changes", []))
        rows.append((f"{number}. {where}", Text.assemble(item["question"], "\n", (item["fact"], "cyan"),
                                                        ("\nbeslist: " + settles, "dim"))))
    return rows


def grouped_by_id(items: list[dict]) -> list[tuple[dict, list[dict]]]:
    """Signals or checks raised by more than one rule: once per id, with every rule that raised it."""
    groups: dict[str, list[dict]] = {}
    for item in items:
        groups.setdefault(item["id"], []).append(item)
    return [(found[0], found) for found in groups.values()]


def _section(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, style="bold underline"))


def render_assessment(console: Console, assessment: Assessment, framework: Framework) -> None:
    console.print(_header(assessment))
    for proposal in assessment.proposals:
        _section(console, f"Hulpvraag {proposal['hulpvraag']} · {proposal['domein']} / {proposal['onderwerp']}")
        missing = [m for m in assessment.missing_facts if m["hulpvraag"] == proposal["hulpvraag"]]
        console.print(block(proposal_rows(proposal, framework, missing)))
    if assessment.entitlements:
        _section(console, "Aanspraken")
        for item in assessment.entitlements:
            console.print(block(entitlement_rows(item, framework)))
    provisional_deadlines = _provisional(assessment, "deadline")
    if assessment.deadlines or provisional_deadlines:
        _section(console, "Termijnen")
        rows = []
        for item in assessment.deadlines:
            rows.append(("uiterlijk", Text.assemble((day(item["date"]), "bold"), ": ", item["title"], " (",
                                                     (item["id"], "cyan"), ")")))
            rows.append(("", Text(f"{item['from']} {day(item['start'])} + {item['term']}; {item['legal_basis']}",
                                  style="dim")))
        for item in provisional_deadlines:  # applies unless the named facts say otherwise, or without a start date
            when = day(item["date"]) if item.get("date") else "datum onbekend"
            start = day(item["start"]) if item.get("start") else "onbekend"
            rows.append(("voorlopig", Text.assemble((when, "bold yellow"), ": ", item["title"], " (",
                                                     (item["id"], "cyan"), ")")))
            rows.append(("", Text(item["text"], style="yellow")))
            rows.append(("", Text(f"{item['from']} {start} + {item['term']}; {item['legal_basis']}", style="dim")))
        console.print(block(rows))
    provisional_signals = _provisional(assessment, "signal") + _provisional(assessment, "check")
    if assessment.signals or assessment.checks or provisional_signals:
        _section(console, "Signalen en controles")
        rows = []
        for kind, items in (("signaal", assessment.signals), ("controle", assessment.checks)):
            for first, found in grouped_by_id(items):
                rows.append((kind, Text.assemble((first["title"], "bold"), " (", (first["id"], "cyan"), ")")))
                for item in found:
                    where = f" (hulpvraag {item['hulpvraag']})" if item.get("hulpvraag") else ""
                    line = Text.assemble(("regel ", "dim"), (item["rule"], "cyan"), (where, "dim"))
                    if item.get("reason"):
                        line.append(f": {item['reason']}")
                    rows.append(("", line))
        for item in provisional_signals:  # the rule is undecided: shown as provisional, with what it waits on
            kind = "signaal" if item["kind"] == "signal" else "controle"
            rows.append(("voorlopig", Text.assemble(f"{kind}: ", (item["title"], "bold"), " (", (item["id"], "cyan"), ")")))
            if item.get("reason"):
                rows.append(("", Text(item["reason"])))
            rows.append(("", Text(item["text"], style="yellow")))
            rows.append(("", Text.assemble(("regel ", "dim"), (", ".join(item["rules"]), "cyan"))))
        console.print(block(rows))
    if assessment.questions is not None:
        _section(console, "Beslissende vragen (meest beslissend eerst)")
        console.print(block(question_rows(assessment)) if assessment.questions else
                      Text("geen: geen antwoord op een ontbrekend feit kan nu een uitkomst wijzigen"))
    casus_missing = [m for m in assessment.missing_facts if m["hulpvraag"] is None]
    if casus_missing:
        _section(console, "Nog nodig om te beslissen (casus)")
        console.print(block([("", Text.assemble(item["question"], "\n", (item["fact"], "cyan"), f"  {_impact(item)}"))
                             for item in casus_missing]))


def render_explanation(console: Console, assessment: Assessment, framework: Framework, hulpvraag: str | None,
                       read: set[str] | None = None) -> None:
    """The trace as a tree; `read`: the keys the assessment read (engine.tools.coverage.keys_read), so that only the
    parameters and derived facts it used are listed, not all in force."""
    from engine import render as render_expression

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
        if read is not None and key not in read:
            continue
        shown = money(value) if by_key[key].type == "geld" else str(value)
        derived.add(Text.assemble(f"{key} = ", (shown, "bold"), (f"  [{by_key[key].legal_basis}]", "dim")))
    used = tree.add(Text("Parameters die de beoordeling las (op de peildatum)" if read is not None
                         else "Parameters op de peildatum", style="bold"))
    for name, info in assessment.trace.parameters.items():
        if read is not None and name not in read:
            continue
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
    render_law_links(console, assessment)


def render_law_links(console: Console, assessment: Assessment) -> None:
    """Every statute article the explanation cites, once, with its text on wetten.overheid.nl as in force on the
    peildatum (engine.language.wetten.attach_links fills `legal_basis_links`; nothing is printed when it did not run)."""
    if not assessment.legal_basis_links:
        return
    seen: dict[str, str] = {}
    for refs in assessment.legal_basis_links.values():
        for ref in refs:
            label = " ".join(p for p in (ref["wet"], f"art. {ref['artikel']}" if ref["artikel"] else "",
                                         f"lid {ref['lid']}" if ref["lid"] else "") if p)
            seen.setdefault(ref["url"], label)
    console.print(Text(f"Wetteksten (versie geldend op {day(assessment.peildatum.isoformat())})", style="bold"))
    for url, label in sorted(seen.items(), key=lambda item: (item[1], item[0])):
        console.print(Text.assemble(f"  {label}: ", (url, f"link {url}")), soft_wrap=True)


def _rule_node(parent: Tree, framework: Framework, rule_id: str, render_expression, conclusions=None) -> None:
    rule = framework.rules[rule_id]
    node = parent.add(Text.assemble((rule_id, "cyan"), f" — {rule.title}  ", (f"[{rule.legal_basis}]", "dim")))
    node.add(Text.assemble(("omdat: ", "italic"), rule.reason))
    node.add(Text.assemble(("als: ", "italic"), (render_expression(rule.when), "dim")))
    if conclusions:
        node.add(Text.assemble(("dus: ", "italic"), ", ".join(conclusions)))


"""`kader explain --counterfactual`: what would have to change, by how much, to flip an outcome."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text
from rich.tree import Tree


def _concerns(item: dict, hulpvraag: str) -> bool:
    return any(o["hulpvraag"] == hulpvraag for o in item["outcomes"]) or \
        any(e["subject"] == hulpvraag or e["subject"].endswith("@" + hulpvraag) for e in item["effects"])


def render_counterfactuals(console: Console, items: list[dict], hulpvraag: str | None = None) -> None:
    if hulpvraag is not None:
        items = [c for c in items if _concerns(c, hulpvraag)]
    tree = Tree(Text("Wat als: de kleinste verandering van één feit die een uitkomst omdraait (gecontroleerd)",
                     style="bold"))
    if not items:
        tree.add(Text("geen uitkomst hangt aan een drempel die één getal uit de casus kan passeren", style="dim"))
    for item in items:
        node = tree.add(Text(item["summary"]))
        flips = ", ".join(o["id"] + (f" ({o['hulpvraag']})" if o["hulpvraag"] else "") for o in item["outcomes"])
        node.add(Text.assemble(("draait om: ", "italic"), (flips, "cyan")))
        effects = node.add(Text("dan verandert:", style="italic"))
        for line in item["consequences"]:
            effects.add(line)
    console.print(tree)

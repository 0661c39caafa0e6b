"""A rich `Table.grid` of `Text` cells that lays out its rows with less of rich's machinery: the same lines.

rich renders every cell of a table through two nested `Console.render_lines` (the cell's `Padding`, then the
`Text` inside it), each dispatching through `Console.render`, casting, styling and cutting its segments into lines
again; for the labelled blocks of `kader assess` (views/assessment.py: a few hundred cells) that was most of
rendering the table, about a tenth of the cold command. `Grid` keeps everything of `Table` that decides the layout
(the column widths, the padding of each cell, wrapping the text, cropping and padding the lines) and makes, per
`Text` cell, the lines those two calls make, from the same functions of rich in the same order (`Text`'s own
rendering, `Segment.split_and_crop_lines`, the padding's segments, the cell's style added as `Segment.apply_style`
adds it). Anything else (a box, a header or footer, row styles, a cell that is not exactly a `Text`, a width of
nothing) goes through rich's own `Table._render`. tests/test_grid.py compares both, segment by segment, for every
case under scenarios/ at several widths, with and without colour.
"""

from __future__ import annotations

from typing import Iterable

from rich.console import Console, ConsoleOptions
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text


class Grid(Table):
    """`Table.grid(...)` with `Text` cells, laid out as rich lays it out (see the module docstring)."""

    def _fast(self) -> bool:
        return (self.box is None and not self.show_header and not self.show_footer and not self.row_styles
                and not self.show_edge and all(row.style is None for row in self.rows))

    def _render(self, console: Console, options: ConsoleOptions, widths: list[int]) -> Iterable[Segment]:
        if not self._fast():
            yield from super()._render(console, options, widths)
            return
        columns = self.columns
        row_cells = list(zip(*(self._get_cells(console, index, column) for index, column in enumerate(columns)),
                             strict=False))  # as rich: a column with fewer cells ends the rows
        get_style = console.get_style
        new_line = Segment.line()
        row_style = Style.null()  # no row styles (checked by _fast): what Table.get_row_style gives
        column_options = [options.update(width=width, justify=column.justify, no_wrap=column.no_wrap,
                                         overflow=column.overflow, height=None, highlight=column.highlight)
                          for width, column in zip(widths, columns, strict=True)]
        for row_cell in row_cells:
            cells = []
            styles = []
            for render_options, cell in zip(column_options, row_cell, strict=True):
                style = get_style(cell.style) + row_style
                lines = _cell_lines(console, render_options, cell.renderable, style)
                if lines is None:
                    lines = console.render_lines(cell.renderable, render_options, style=style)
                cells.append(lines)
                styles.append(style)
            max_height = max(1, max(len(lines) for lines in cells))
            row_height = max(len(lines) for lines in cells)
            # what Table._render does with a row's cells: align each in the row's height, then set its shape
            cells[:] = [Segment.set_shape(_ALIGN.get(cell.vertical, Segment.align_bottom)(lines, width, row_height, style),
                                          width, max_height)
                        for width, lines, style, cell in zip(widths, cells, styles, row_cell, strict=True)]
            for line_no in range(max_height):
                for rendered_cell in cells:
                    yield from rendered_cell[line_no]
                yield new_line


_ALIGN = {"top": Segment.align_top, "middle": Segment.align_middle, "bottom": Segment.align_bottom}


def _cell_lines(console: Console, options: ConsoleOptions, cell: object, style: Style) -> list[list[Segment]] | None:
    """The lines of `console.render_lines(cell, options, style=style)` for a `Padding` of a `Text` without top or
    bottom padding, or None for any other cell (rendered by rich itself)."""
    if type(cell) is not Padding or not cell.expand or cell.top or cell.bottom:
        return None
    text = cell.renderable
    if type(text) is not Text:
        return None
    left, right = cell.left, cell.right
    width = options.max_width
    inner = options.update_width(width - left - right)
    if width < 1 or inner.max_width < 1:
        return None
    pad_style = console.get_style(cell.style)
    if pad_style:  # Padding's own style is applied by its render_lines: not the case here ("none")
        return None
    # Padding.__rich_console__: console.render_lines(text, inner, style=pad_style, pad=True), a falsy style
    inner_lines = Segment.split_and_crop_lines(text.__rich_console__(console, inner), inner.max_width,
                                               include_new_lines=False, pad=True, style=pad_style)
    left_pad = [Segment(" " * left, pad_style)] if left else []
    right_pad = [Segment(" " * right, pad_style)] if right else []
    lines = []
    for line in inner_lines:
        # the segments Padding yields for the line, with the cell's style added as Segment.apply_style adds it;
        # Table's render_lines then splits them into the same line again: exactly `width` cells, so uncut
        segments = left_pad + line + right_pad
        if style:
            add = style.__add__
            segments = [Segment(piece, add(piece_style)) for piece, piece_style, _ in segments]
        lines.append([segment for segment in segments if segment.text])
    return lines

"""Progress bars and summaries for `kader batch` and `kader population` (on stderr)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from engine import Diagnostic


def count(value: int) -> str:
    """12345 -> '12.345' (Dutch digit grouping)."""
    return f"{value:,}".replace(",", ".")


def seconds(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " s"


class ProgressBar:
    """A rich progress bar on the console (drawn only on a terminal); messages print above it."""

    def __init__(self, console: Console, description: str, total: int | None, unit: str):
        self.console = console
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            MofNCompleteColumn(),
            TextColumn(unit),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not console.is_terminal,
            transient=False,
        )
        self.task = self.progress.add_task(description, total=total)

    def __enter__(self) -> "ProgressBar":
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def advance(self, amount: int) -> None:
        self.progress.advance(self.task, amount)

    def diagnostics(self, diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> None:
        """GNU one-liners (`cases.jsonl:17:5: error[E011]: ...`), each followed by its related places."""
        for diagnostic in diagnostics:
            self.console.print(Text(str(diagnostic)), soft_wrap=True, highlight=False)
            for label, span in diagnostic.related:
                self.console.print(Text(f"{span}: note: {label}", style="dim"), soft_wrap=True, highlight=False)


def render_batch_summary(console: Console, summary, elapsed: float, workers: int, target: str) -> None:
    rate = summary.cases / elapsed if elapsed > 0 else 0.0
    text = Text.assemble(
        (f"{count(summary.cases)} casus{'sen' if summary.cases != 1 else ''}: ", "bold"),
        (f"{count(summary.assessed)} beoordeeld", "green"),
        ", ",
        (f"{count(summary.failed)} mislukt", "bold red" if summary.failed else ""),
        f" in {seconds(elapsed)} ({count(round(rate))} per seconde, {workers} werkproces"
        f"{'sen' if workers != 1 else ''}); uitvoer: {target}",
    )
    console.print(text, soft_wrap=True, highlight=False)
    if summary.failed:
        shown = ", ".join(map(str, summary.failed_lines[:20]))
        more = f" en {count(summary.failed - 20)} meer" if summary.failed > 20 else ""
        console.print(Text(f"mislukte regels: {shown}{more}", style="red"), soft_wrap=True, highlight=False)


def render_population_summary(console: Console, size: int, seed: int, target: str, peildatum: str,
                              framework_hash: str) -> None:
    console.print(Text(f"{count(size)} huishouden{'s' if size != 1 else ''} geschreven naar {target} "
                       f"(seed {seed}, peildatum {peildatum}, regels {framework_hash})"),
                  soft_wrap=True, highlight=False)

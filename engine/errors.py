"""One error family for everything a user can get wrong, carrying positions.

Errors are data: a `Diagnostic` holds a stable code, a plain-text Dutch message,
the span it points at and, where useful, a hint and related spans. `str()` of a
diagnostic is the GNU one-liner `file:line:col: error[E201]: message`; richer
rendering (snippets, colour) belongs to the command line, never here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def one_line(text: str) -> str:
    """`text` with every character that could break a line or reorder a terminal (controls, line and
    paragraph separators, bidi and other format characters) written as an escape such as `\\n` or `\\u202e`."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii") for c in text)


@dataclass(frozen=True, order=True)
class Span:
    """A position in a source file; line and column are 1-based."""

    path: str
    line: int = 1
    col: int = 1
    end_line: int | None = None
    end_col: int | None = None

    def __str__(self) -> str:
        return one_line(f"{self.path}:{self.line}:{self.col}")


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a file, at its place, with its code and a hint."""

    code: str
    message: str
    span: Span
    severity: str = "error"
    hint: str | None = None
    related: tuple[tuple[str, Span], ...] = ()
    legal_basis: str | None = None

    def __str__(self) -> str:
        """One line, always: control, line-break and bidi characters from a file show as escapes."""
        text = f"{self.span}: {self.severity}[{self.code}]: {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return one_line(text)

    def sort_key(self) -> tuple:
        return (self.span.path, self.span.line, self.span.col, self.code, self.message)

    def to_json(self) -> dict:
        data = {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.span.path,
            "line": self.span.line,
            "col": self.span.col,
        }
        if self.hint:
            data["hint"] = self.hint
        if self.related:
            data["related"] = [
                {"label": label, "file": s.path, "line": s.line, "col": s.col} for label, s in self.related
            ]
        return data


def sorted_diagnostics(diagnostics) -> list[Diagnostic]:
    unique = {(d.sort_key(), d.hint): d for d in diagnostics}
    # two at the same place with the same message, one with a hint and one without: the one without first
    return [unique[k] for k in sorted(unique, key=lambda k: (k[0], k[1] is not None, k[1] or ""))]


class RuleEngineError(Exception):
    """Base of every error a user can cause; holds one or more diagnostics."""

    exit_code = 1

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = sorted_diagnostics(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class RuleFileError(RuleEngineError):
    """A rule file, parameter file or municipal profile is malformed."""


class CaseFileError(RuleEngineError):
    """A case (casus) file is malformed or does not fit the framework's vocabulary."""


class ScenarioFileError(RuleEngineError):
    """A scenario file is malformed."""


class EvaluationError(RuleEngineError):
    """Evaluation failed: a rule action raised, a formula divided by zero, ..."""


class UsageError(RuleEngineError):
    """The caller combined options that cannot go together (exit code 2)."""

    exit_code = 2


@dataclass
class DiagnosticSink:
    """Collects diagnostics while loading, so that every problem is reported at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, span: Span, *, hint: str | None = None,
              related: tuple[tuple[str, Span], ...] = ()) -> None:
        self.items.append(Diagnostic(code, message, span, hint=hint, related=related))

    def extend(self, diagnostics) -> None:
        self.items.extend(diagnostics)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, cls: type[RuleEngineError] = RuleFileError) -> None:
        if self.items:
            raise cls(self.items)

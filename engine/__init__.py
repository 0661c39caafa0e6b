"""kader: the shared execution framework of Baarn, Bunschoten and Soest as code.

The public API is small: load a framework, load a case, assess it. Rendering
(tables, JSON text, HTML) belongs to the command line, not to this package.
"""

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    CaseFileError,
    Diagnostic,
    EvaluationError,
    RuleEngineError,
    RuleFileError,
    ScenarioFileError,
    Span,
    UsageError,
)
from .evaluation.assessment import Assessment  # noqa: E402
from .evaluation.case import Case, case_from_text, load_case  # noqa: E402
from .evaluation.evaluate import assess  # noqa: E402
from .language.framework import Framework  # noqa: E402
from .language.fwcache import load_framework  # noqa: E402


def check_rules(root=None):
    """Load and validate the rules in `root`; return (framework or None, every diagnostic, sorted)."""
    from .language.loader import check_rules as _check
    return _check(root)


def default_rules_dir():
    """`$KADER_RULES`, or the rules/ folder next to the project."""
    from .language.loader import default_rules_dir as _default
    return _default()

__all__ = [
    "Assessment", "Case", "CaseFileError", "Diagnostic", "EvaluationError", "Framework", "RuleEngineError",
    "RuleFileError", "ScenarioFileError", "Span", "UsageError", "__version__", "assess", "case_from_text",
    "check_rules", "default_rules_dir", "load_case", "load_framework",
]

"""kader: the shared execution framework of Baarn, Bunschoten and Soest as code.

The public API is small: load a framework, load a case, assess it. Rendering
(tables, JSON text, HTML) belongs to the command line, not to this package.

The package is in parts, each a folder with its own rules of import (tests/test_architecture.py):

- engine/language/    the rule language: models, reading and checking rule files, expressions, compilation
- engine/evaluation/  the assessment of one case: facts for the peildatum, inference, selection, entitlements
- engine/tools/       for policy officers: scenarios, coverage, impact, harmonisation, population, batch
- engine/register/    the register and its audit (hash chain, pseudonyms, checkpoints)
- engine/adapters/    durable.py, the only module that talks to durable-rules
- engine/errors.py, paths.py, keyfile.py, version.py: the shared base every part may use
"""

import os as _os

# kader's own pydantic models (the case's, which see personal data, and the checks built at import) run no pydantic
# plugin: a plugin is code that any installed distribution can register (an entry point) and that pydantic would
# import and hand every case it validates. PYDANTIC_DISABLE_PLUGINS is set only while the modules below are imported
# (where those models are built), as typer does for its own; it also spares a cold `kader assess` pydantic's scan of
# every installed distribution's entry points (about 6 ms). tests/test_no_pydantic_plugins.py
_PLUGINS = _os.environ.get("PYDANTIC_DISABLE_PLUGINS")
_os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
try:
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
    from .version import __version__  # noqa: E402
finally:
    if _PLUGINS is None:
        del _os.environ["PYDANTIC_DISABLE_PLUGINS"]
    else:
        _os.environ["PYDANTIC_DISABLE_PLUGINS"] = _PLUGINS


def check_rules(root=None):
    """Load and validate the rules in `root`; return (framework or None, every diagnostic, sorted)."""
    from .language.loader import check_rules as _check
    return _check(root)


def default_rules_dir():
    """`$KADER_RULES`, or the rules/ folder next to the project."""
    from .paths import default_rules_dir as _default
    return _default()


# The rest of the public API, imported on first use (PEP 562), so that `import engine` costs no more than the
# names above and a command loads only the part it needs. cli.py, views/, service/ and bench/ import from here
# (or from engine.register), never from a module inside a part: tests/test_architecture.py checks that.
_LAZY = {
    # engine.paths
    "display_path": "engine.paths",
    # engine.language.ir
    "render": "engine.language.ir",
    # engine.language.sources
    "decode": "engine.language.sources", "Document": "engine.language.sources",
    "parse_text": "engine.language.sources", "read_document": "engine.language.sources",
    "SourceError": "engine.language.sources",
    # engine.language.types
    "date_problem": "engine.language.types",
    # engine.language.wetten
    "attach_links": "engine.language.wetten", "links": "engine.language.wetten", "links_of": "engine.language.wetten",
    # engine.evaluation.assessment
    "dumps": "engine.evaluation.assessment", "dumps_utf8": "engine.evaluation.assessment",
    # engine.evaluation.case
    "case_from_document": "engine.evaluation.case", "case_part": "engine.evaluation.case",
    "CaseIn": "engine.evaluation.case", "gemeente_option": "engine.evaluation.case",
    # engine.evaluation.decisive
    "DECISION": "engine.evaluation.decisive", "decisive_questions": "engine.evaluation.decisive",
    # engine.evaluation.factlist
    "FactEntry": "engine.evaluation.factlist", "list_facts": "engine.evaluation.factlist",
    "new_case_template": "engine.evaluation.factlist", "TYPE_TEXT": "engine.evaluation.factlist",
    # engine.evaluation.intake
    "AnswerError": "engine.evaluation.intake", "Intake": "engine.evaluation.intake",
    "parse_answer": "engine.evaluation.intake", "parse_assignment": "engine.evaluation.intake",
    "Progress": "engine.evaluation.intake", "Question": "engine.evaluation.intake",
    # engine.tools.batch
    "assess_chunks": "engine.tools.batch", "atomic_output": "engine.tools.batch",
    "BatchSummary": "engine.tools.batch", "CHUNK_LINES": "engine.tools.batch", "count_lines": "engine.tools.batch",
    "LineAssessor": "engine.tools.batch", "open_cases": "engine.tools.batch", "read_chunks": "engine.tools.batch",
    # engine.tools.caseinput
    "case_from_line": "engine.tools.caseinput",
    # engine.tools.counterfactual
    "counterfactuals": "engine.tools.counterfactual",
    # engine.tools.coverage
    "keys_read": "engine.tools.coverage", "scenario_coverage": "engine.tools.coverage",
    # engine.tools.gemeenten
    "compare_gemeenten": "engine.tools.gemeenten",
    # engine.tools.impact
    "impact": "engine.tools.impact", "run_impact": "engine.tools.impact",
    # engine.tools.population
    "case_line": "engine.tools.population", "DEFAULT_PEILDATUM": "engine.tools.population",
    "generate": "engine.tools.population",
    # engine.tools.revisions
    "load_version": "engine.tools.revisions", "rules_version": "engine.tools.revisions",
    "RulesVersion": "engine.tools.revisions",
    # engine.tools.scenario_update
    "rewrite": "engine.tools.scenario_update",
    # engine.tools.scenarios
    "run_scenarios": "engine.tools.scenarios",
    # engine.tools.schemas
    "case_schema": "engine.tools.schemas", "schema": "engine.tools.schemas",
    # engine.tools.verify
    "TITLES": "engine.tools.verify", "verify_rules": "engine.tools.verify",
    # engine.register.privacy
    "refuse_personal_data": "engine.register.privacy",
    # engine.register.signer
    "run_signer": "engine.register.signer", "SignerPolicy": "engine.register.signer",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'engine' has no attribute '{name}'")
    from importlib import import_module
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Assessment", "Case", "CaseFileError", "Diagnostic", "EvaluationError", "Framework", "RuleEngineError",
    "RuleFileError", "ScenarioFileError", "Span", "UsageError", "__version__", "assess", "case_from_text",
    "check_rules", "default_rules_dir", "load_case", "load_framework", *_LAZY,
]

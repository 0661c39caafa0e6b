"""The assessment: one household, one peildatum, one outcome.

Owns the case file (case.py), the facts for the peildatum (facts.py), inference through the adapter
(evaluate.py), the ladder selection (select.py), entitlements (entitlements.py), missing facts and the
provisional outcome (missing.py, provisional.py), the assessment result and its JSON (assessment.py), and
what the assessor asks next (decisive.py, intake.py, factlist.py).

May import: the rule language (engine.language), the adapter (engine.adapters) and the shared base. Never the
tools for policy officers (engine.tools) or the register. tests/test_architecture.py enforces this.
"""

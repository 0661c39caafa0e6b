"""The adapter to durable-rules: durable.py is the only module that talks to the Rete engine.

May import: the shared base (engine.errors). Used by the assessment (engine.evaluation.evaluate).
tests/test_architecture.py enforces this.
"""

"""The tools for policy officers and rule authors, built on the assessment.

Owns scenario files and `kader test` (scenarios.py, scenario_update.py), coverage and its boundaries
(coverage.py, boundaries.py), impact of a proposal and its parts (impact.py, changes.py, slices.py,
caseinput.py, revisions.py, rulediff.py), harmonisation between municipalities (harmonisation.py,
gemeenten.py), counterfactuals (counterfactual.py), the synthetic population (population.py), batch runs
(batch.py, on a Dask cluster: cluster.py), the proofs of `kader verify` (verify.py, verify_model.py) and the
JSON schemas of `kader schema` (schemas.py).

May import: the rule language, the assessment, the register and the shared base. Nothing in the language or
the assessment imports a tool. tests/test_architecture.py enforces this.
"""

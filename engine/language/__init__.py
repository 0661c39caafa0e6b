"""The rule language: what a rule file may say, and how it becomes a framework.

Owns the models of the rule files and profiles (models.py, types.py), reading YAML/JSON with positions
(sources.py), validation (validation.py), the loader (loader.py reads the files; loading/ holds one unit per
section of a rule file and the cross-file checks; profiles.py, atw.py, inforce.py, vocabulary.py, wetten.py),
expressions and their IR (expr.py, ir.py), compilation and calculation (compile.py, calc.py, arithmetic.py, pycode.py), the framework itself
(framework.py, registry.py, reach.py), the calendar of legal terms (termijnen.py) and the framework cache
(fwcache.py, fwcodec.py).

May import: the standard library, its own modules and the shared base (engine.errors, engine.paths,
engine.keyfile, engine.version). Never the assessment (engine.evaluation), the tools, the register or the
adapter: a rule file means the same whatever runs it. tests/test_architecture.py enforces this.
"""

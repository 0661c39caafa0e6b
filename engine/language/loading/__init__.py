"""The units of the rule loader, one per section of a rule file.

engine/language/loader.py reads the files and composes these units into its `Loader`: kader.py (kader.yaml and
what every file shares), facts.py, parameters.py (with their timelines), derived.py (derived facts),
provisions.py, entitlements.py (entitlements and terms), rules.py (rules and their findings), profiles.py (the
municipal profiles); expressions.py parses an expression at its place for any section, common.py holds what
they share, and crossfile.py the checks that need every file, which run after all files are read.

Part of the rule language: may import what engine/language may import.
"""

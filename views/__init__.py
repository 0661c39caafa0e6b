"""Rendering for the `kader` command: rich tables and trees, Dutch money and dates.

Everything here turns engine results (plain data) into text; nothing here
evaluates. The engine package never imports this package, rich or typer.
"""

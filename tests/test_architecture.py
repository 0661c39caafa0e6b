"""The boundaries the house style asks for, checked on the source.

engine/ is in parts (engine/__init__.py lists them). The import graph of engine/ is built from the source with the
ast module: every `import` and `from ... import` anywhere in a module (also inside a function, where the lazy imports
are), except under `if TYPE_CHECKING:`, which never runs. Relative imports are resolved; `from pkg import name` is an
edge to the module pkg.name when that is a module, else to pkg. Importing a.b.c also runs a/__init__.py, but that is
not counted as an edge (the package's own API imports its parts; counting it would make every module a cycle).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "engine"

# The parts of engine/ and the parts each may import. "base" is engine/errors.py, paths.py, keyfile.py and
# version.py; "api" is engine/__init__.py, the public API, which re-exports from every part and which no module
# inside engine/ may import (it would make a cycle through the package).
PARTS = ("language", "evaluation", "tools", "register", "adapters")
ALLOWED = {
    "base": {"base"},
    "language": {"base", "language"},
    "adapters": {"base", "adapters"},
    "evaluation": {"base", "language", "adapters", "evaluation"},
    "register": {"base", "language", "evaluation", "register"},
    "tools": {"base", "language", "evaluation", "register", "tools"},
    "api": {"base", "language", "adapters", "evaluation", "register", "tools"},
}
BASE = {"__init__.py", "errors.py", "paths.py", "keyfile.py", "version.py"}
EVALUATION = ("evaluation/evaluate.py", "evaluation/select.py", "language/calc.py", "evaluation/entitlements.py",
              "evaluation/facts.py", "evaluation/missing.py", "language/termijnen.py", "language/ir.py")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_nodes(tree: ast.AST):
    """Every node of `tree` except what sits under `if TYPE_CHECKING:` (never executed)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                stack.extend(child.orelse)
            else:
                stack.append(child)


def import_graph(root: Path) -> dict[str, set[str]]:
    """module -> the modules of the same package tree (`root`, e.g. engine/) it imports, anywhere in its source."""
    paths = {module_name(root, p): p for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = graph.setdefault(name, set())
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in paths else module for a in node.names]
            else:
                continue
            edges |= {target for target in targets if target in paths and target != name}
    return graph


def part_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "api"
    return parts[1] if parts[1] in PARTS else "base"


def violations(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Every import from one part into a part it may not import."""
    return sorted((a, b) for a, targets in graph.items() for b in targets if part_of(b) not in ALLOWED[part_of(a)])


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative): each is an import cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_every_module_of_engine_is_in_a_part():
    loose = sorted(p.name for p in ENGINE.glob("*.py") if p.name not in BASE)
    assert loose == [], f"modules directly in engine/ that belong in a part: {loose}"
    for part in PARTS:
        docstring = ast.get_docstring(ast.parse((ENGINE / part / "__init__.py").read_text(encoding="utf-8")))
        assert docstring and "import" in docstring, f"engine/{part}/__init__.py does not say what it may import"


def test_the_parts_import_only_in_the_allowed_directions():
    """The language never imports the assessment, the assessment never imports the tools or the register, the
    adapter only the base; no module inside engine/ imports the package's API (engine/__init__.py)."""
    graph = import_graph(ENGINE)
    assert len(graph) > 60 and "engine.evaluation.evaluate" in graph["engine"]
    assert "engine.adapters.durable" in graph["engine.evaluation.evaluate"]
    assert violations(graph) == []


def test_engine_has_no_import_cycles():
    graph = import_graph(ENGINE)
    assert cycles(graph) == []


def test_the_checker_finds_a_wrong_direction_and_a_cycle_in_a_synthetic_graph():
    graph = {
        "engine.language.calc": {"engine.evaluation.facts"},        # the language imports the assessment
        "engine.evaluation.facts": {"engine.tools.batch", "engine.errors"},  # the assessment imports a tool
        "engine.tools.batch": {"engine.evaluation.facts"},
        "engine.errors": set(),
        "engine.language.fwcache": {"engine"},                       # the package API from inside
        "engine": {"engine.language.fwcache"},
    }
    assert violations(graph) == [("engine.evaluation.facts", "engine.tools.batch"),
                                 ("engine.language.calc", "engine.evaluation.facts"),
                                 ("engine.language.fwcache", "engine")]
    assert cycles(graph) == [["engine", "engine.language.fwcache"], ["engine.evaluation.facts", "engine.tools.batch"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_checker_finds_a_seeded_violation_in_a_copy_of_engine(tmp_path):
    """A function-level import added to a copy of the real source is found, as a wrong direction and as a cycle."""
    copy = tmp_path / "engine"
    shutil.copytree(ENGINE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert violations(import_graph(copy)) == [] and cycles(import_graph(copy)) == []
    calc = copy / "language" / "calc.py"
    calc.write_text(calc.read_text(encoding="utf-8") + "\n\ndef _seeded():\n    from ..evaluation import facts\n"
                    "    return facts\n", encoding="utf-8")
    graph = import_graph(copy)
    assert ("engine.language.calc", "engine.evaluation.facts") in violations(graph)
    assert any({"engine.language.calc", "engine.evaluation.facts"} <= set(cycle) for cycle in cycles(graph))
    typing_only = copy / "language" / "ir.py"
    typing_only.write_text(typing_only.read_text(encoding="utf-8") + "\nfrom typing import TYPE_CHECKING\n\n"
                           "if TYPE_CHECKING:\n    from engine.tools import batch\n", encoding="utf-8")
    assert ("engine.language.ir", "engine.tools.batch") not in violations(import_graph(copy))


CALLERS = [ROOT / "cli.py", *sorted((ROOT / "views").rglob("*.py")), *sorted((ROOT / "service").rglob("*.py")),
           *sorted((ROOT / "bench").rglob("*.py"))]
# bench/trust.py measures the adapter and the batch worker by their code objects: it names private functions on
# purpose. Tests may import any module directly (they test it).
MAY_REACH_IN = {ROOT / "bench" / "trust.py": {"engine.adapters", "engine.adapters.durable", "engine.tools.batch"}}


def test_callers_use_the_public_api_only():
    """cli.py, views/, service/ and bench/ import from `engine` (and the register package), not from its parts."""
    for path in CALLERS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                if module.startswith("engine.") and module != "engine.register":
                    assert module in MAY_REACH_IN.get(path, ()), f"{path.relative_to(ROOT)}:{node.lineno}: {module}"


@pytest.mark.parametrize("name", sorted(__import__("engine")._LAZY))
def test_every_name_of_the_public_api_resolves(name):
    import engine
    value = getattr(engine, name)
    assert getattr(value, "__name__", name) == name or not callable(value)


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_engine_never_imports_rendering_or_the_command_line():
    for path in ENGINE.rglob("*.py"):
        assert not imports(path) & {"rich", "typer", "click", "views", "cli"}, path


def test_evaluation_modules_do_no_file_io_and_read_no_environment():
    for name in EVALUATION:
        found = imports(ENGINE / name) & {"yaml", "pathlib", "os", "io", "shutil"}
        assert not found, f"{name} imports {found}"
        text = (ENGINE / name).read_text(encoding="utf-8")
        assert "open(" not in text, name


def test_no_hidden_clock_in_the_engine():
    for path in ENGINE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for clock in ("date.today(", "datetime.now(", "datetime.today(", "time.time("):
            assert clock not in text, f"{path.name} reads the clock: {clock}"


def test_only_the_adapter_imports_durable_rules():
    for path in ENGINE.rglob("*.py"):
        if path.name != "durable.py":
            assert not imports(path) & {"durable", "durable_rules_engine"}, path


def test_nothing_calls_eval_or_exec():
    """Nothing calls eval/exec/compile, except engine/language/pycode.py, which turns checked expressions into Python
    functions (issue 16) from text it writes itself: only its own names, operators from fixed tables and keywords;
    every value from the rules is in the namespace (tests/test_pycode.py checks hostile rule text). There, only
    `_build` may call them."""
    for path in list(ENGINE.rglob("*.py")) + [ROOT / "cli.py"] + list((ROOT / "views").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed: set[int] = set()
        if path == ENGINE / "language" / "pycode.py":
            build = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "_build")
            allowed = {id(n) for n in ast.walk(build)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and id(node) not in allowed:
                assert node.func.id not in ("eval", "exec", "compile", "__import__"), path


def test_ruff_lint_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_command_has_help_and_is_in_the_command_reference():
    """Every command is documented in docs/commands.md (the README links there and shows one example per user)."""
    from typer.main import get_command

    from cli import app
    reference = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    command = get_command(app)
    for name, sub in command.commands.items():
        assert sub.help and len(sub.help) > 20, name
        assert f"kader {name}" in reference, f"docs/commands.md does not document `kader {name}`"


def test_the_loader_reads_each_section_of_a_rule_file_in_its_own_unit():
    """Issue 18 item 3: one small unit per section, composed by the Loader, the cross-file checks in one of them."""
    from engine.language.loader import Loader
    units = {cls.__module__.rsplit(".", 1)[1]: cls for cls in Loader.__mro__[1:-1]}
    assert set(units) == {"kader", "facts", "parameters", "expressions", "derived", "provisions", "entitlements",
                          "rules", "profiles", "crossfile"}
    assert {"declare_derived", "build_derived", "order_derived"} <= set(vars(units["derived"]))
    assert {"check_findings", "check_whole_framework"} <= set(vars(units["crossfile"]))
    for path in [ENGINE / "language" / "loader.py", *(ENGINE / "language" / "loading").glob("*.py")]:
        assert len(path.read_text(encoding="utf-8").splitlines()) < 300, f"{path.name} is not small"
    # no method is defined twice (a unit silently overriding another's)
    names = [name for cls in units.values() for name in vars(cls) if not name.startswith("__")]
    assert len(names) == len(set(names))
    assert not set(names) & {n for n in vars(Loader) if not n.startswith("__")}

"""Hostile and broken input: never a traceback, only located errors and exit 1; nothing in a file is executed.

- generated malformed case files (YAML and JSON, broken as text and as structure) through `kader assess`;
- generated malformed rule files through `kader check`;
- rule files that try to escape the expression language, refused at load time, fast, with no side effect
  (a marker file and a Python audit hook prove that nothing ran);
- YAML alias bombs, deep nesting and files above the size limit, refused quickly;
- symbolic links that would make the loader read outside the rules folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, note, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from typer.testing import CliRunner

import engine
from cli import app

from . import strategies as gen
from .conftest import ROOT, examples

FRAMEWORK = engine.load_framework(ROOT / "rules")
BASE = Path(__file__).resolve().parent / "diagnostics" / "base"
LOCATED = re.compile(r"^\S.*:\d+:\d+: (error\[E\d{3}\]|note): ")
SUMMARY = re.compile(r"^\d+ fout(en)? gevonden$")
RUNNER = CliRunner(env={"COLUMNS": "160", "NO_COLOR": "1", "KADER_RULES": str(ROOT / "rules")})
QUICK = 3.0  # seconds of CPU: generous, only to catch a refusal that takes the whole input in first
# CPU time of this process, not wall time: on a shared machine the wall time of the same work grows with the load
# (a check at 3 s wall failed at load 10), while a refusal that reads the whole input still costs the CPU it did.
HANG = 20.0  # seconds of wall time, for what must not block (a pipe, /dev/zero): blocking costs no CPU


def assert_clean(result, what: str) -> None:
    """Exit 0 (the mutation happened to leave a valid file) or exit 1 with only located errors."""
    if currently_in_test_context():
        note(f"exit {result.exit_code}\nstdout: {result.stdout[-2000:]}\nstderr: {result.stderr[-2000:]}")
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), f"{what}: exit {result.exit_code}: {result.stderr}"
    if result.exit_code == 1:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert lines, f"{what}: exit 1 without a message"
        assert LOCATED.match(lines[0]), lines[0]
        assert SUMMARY.match(lines[-1]), lines[-1]
        for line in lines[:-1]:
            assert LOCATED.match(line), f"not a located diagnostic: {line!r}"


# ------------------------------------------------------------------ ways to break a file

HOSTILE_SCALARS = (
    "1" + "0" * 5000, "-" + "9" * 40 + ".00", "100000000000000000000000000000.00", "1e999999", "NaN", ".inf",
    "-.inf", "9999-12-31", "0001-01-01", "2026-02-30", "!!python/object/apply:os.system ['true']", "*nergens",
    "&a [*a, *a]", "!!binary aGFsbG8=", "{", "[", "'", '"', ":", "- ", "? ", "|", ">", "%YAML 1.1", "---", "...",
    "\ufeff", "\u202e", "ｅｖａｌ", "@", "`", "\t", "0363", "no", "1e3", "12.345", "-0.00", "[[[[[[[[[[]]]]]]]]]]",
)


@st.composite
def broken_text(draw, text: str) -> str:
    """The text with one to three edits: a slice deleted, junk or a hostile token inserted, a value
    replaced, lines swapped or re-indented."""
    for _ in range(draw(st.integers(1, 3))):
        lines = text.split("\n")
        edit = draw(st.sampled_from(("delete", "insert", "value", "swap", "indent", "token")))
        if edit == "delete" and text:
            start = draw(st.integers(0, len(text) - 1))
            text = text[:start] + text[start + draw(st.integers(1, 40)):]
        elif edit in ("insert", "token"):
            where = draw(st.integers(0, len(text)))
            junk = draw(st.sampled_from(HOSTILE_SCALARS)) if edit == "token" else draw(st.text(max_size=12))
            text = text[:where] + junk + text[where:]
        elif edit == "value":
            index = draw(st.integers(0, len(lines) - 1))
            head, sep, _ = lines[index].partition(": ")
            lines[index] = head + (sep or ": ") + draw(st.sampled_from(HOSTILE_SCALARS))
            text = "\n".join(lines)
        elif edit == "swap" and len(lines) > 1:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif edit == "indent":
            index = draw(st.integers(0, len(lines) - 1))
            shift = draw(st.integers(-4, 4))
            lines[index] = " " * max(shift, 0) + lines[index][max(-shift, 0):]
            text = "\n".join(lines)
    return text


ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**40), 10**40) | st.text(max_size=20) | st.dates()
    | st.sampled_from(HOSTILE_SCALARS) | st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, prefix + (index,))


@st.composite
def broken_structure(draw, data):
    """The data with one to three parts replaced by any value (a wrong type, a huge number, a hostile text)."""
    data = json.loads(json.dumps(data, default=str))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = draw(ANY_VALUE)
    return data


EXTREMES = {
    "number": ("1" + "0" * 5000, "-" + "9" * 40 + ".00", "100000000000000000000000000000.00", "1e999999", "NaN",
               "Infinity", "-0.001", "12.345", "0x10", " 12.00", 10**30, -(10**30), "__GROOT_GETAL__"),
    "date": ("0001-01-01", "9999-12-31", "9999-12-25", "1900-02-29", "2026-13-01", "20260301", 20260301),
    "text": ("", " ", "x" * 5000, "a\nb", "\u202e", "__import__('os')", "../../etc/passwd", "\x00", "ｅｖａｌ"),
}


def _kind(value) -> str:
    text = str(value)
    if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
        return "number"
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return "date"
    return "text"


@st.composite
def extreme_leaf(draw, data):
    """The data with one to three leaves replaced by an extreme value of their own kind: a number with
    thousands of digits, a date at the end of the calendar, a text with a line break."""
    data = json.loads(json.dumps(data, default=str))
    for _ in range(draw(st.integers(1, 3))):
        leaves = [p for p in _paths(data) if p and not isinstance(_get(data, p), (dict, list))]
        if not leaves:
            break
        path = draw(st.sampled_from(leaves))
        _get(data, path[:-1])[path[-1]] = draw(st.sampled_from(EXTREMES[_kind(_get(data, path))]))
    return data


def _get(data, path):
    for step in path:
        data = data[step]
    return data


BIG = "1" + "0" * 5000  # written unquoted in place of __GROOT_GETAL__: Python cannot even dump it as an int


def _dump(data, as_json: bool) -> str:
    if as_json:
        return json.dumps(data, ensure_ascii=False, default=str).replace('"__GROOT_GETAL__"', BIG)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).replace("__GROOT_GETAL__", BIG)


# ------------------------------------------------------------------ cases through `kader assess`


def _assess_text(text: str, suffix: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"casus{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        return RUNNER.invoke(app, ["assess", str(path), "--format", "json"])


@settings(max_examples=examples(150))
@given(st.data(), st.booleans())
def test_spec_a_case_broken_as_text_is_refused_with_located_errors(draw, as_json):
    data = draw.draw(gen.case_data(FRAMEWORK, max_hulpvragen=2))
    text = draw.draw(broken_text(gen.case_json(data) if as_json else gen.case_yaml(data)))
    note(text)
    assert_clean(_assess_text(text, ".json" if as_json else ".yaml"), "kader assess")


@settings(max_examples=examples(150))
@given(st.data(), st.booleans())
def test_spec_a_case_broken_in_structure_is_refused_with_located_errors(draw, as_json):
    data = draw.draw(broken_structure(draw.draw(gen.case_data(FRAMEWORK, max_hulpvragen=2))))
    text = _dump(data, as_json)
    note(text)
    assert_clean(_assess_text(text, ".json" if as_json else ".yaml"), "kader assess")


@settings(max_examples=examples(150))
@given(st.data(), st.booleans())
def test_spec_a_case_with_extreme_values_is_assessed_or_refused_with_located_errors(draw, as_json):
    data = draw.draw(extreme_leaf(draw.draw(gen.case_data(FRAMEWORK, max_hulpvragen=2))))
    text = _dump(data, as_json)
    note(text)
    assert_clean(_assess_text(text, ".json" if as_json else ".yaml"), "kader assess")


@settings(max_examples=examples(60))
@given(st.text(max_size=200), st.sampled_from((".yaml", ".json")))
def test_spec_any_text_as_a_case_is_refused_with_located_errors(text, suffix):
    assert_clean(_assess_text(text, suffix), "kader assess")


# ------------------------------------------------------------------ rule files through `kader check`

RULE_FILES = ("kader.yaml", "wmo/huishouden.yaml", "werk_inkomen/bijstand.yaml", "gemeenten/soest.yaml")


def _check_with(relative: str, text: str):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "rules"
        shutil.copytree(BASE, root)
        (root / relative).write_text(text, encoding="utf-8", errors="surrogatepass")
        return RUNNER.invoke(app, ["check", str(root)])


@settings(max_examples=examples(120))
@given(st.data(), st.sampled_from(RULE_FILES))
def test_spec_a_rule_file_broken_as_text_is_refused_with_located_errors(draw, relative):
    text = draw.draw(broken_text((BASE / relative).read_text(encoding="utf-8")))
    note(text)
    assert_clean(_check_with(relative, text), "kader check")


@settings(max_examples=examples(80))
@given(st.data(), st.sampled_from(RULE_FILES))
def test_spec_a_rule_file_with_extreme_values_is_refused_or_accepted_cleanly(draw, relative):
    original = yaml.safe_load((BASE / relative).read_text(encoding="utf-8"))
    text = _dump(draw.draw(extreme_leaf(original)), as_json=False)
    note(text)
    assert_clean(_check_with(relative, text), "kader check")


@settings(max_examples=examples(120))
@given(st.data(), st.sampled_from(RULE_FILES))
def test_spec_a_rule_file_broken_in_structure_is_refused_with_located_errors(draw, relative):
    original = yaml.safe_load((BASE / relative).read_text(encoding="utf-8"))
    text = _dump(draw.draw(broken_structure(original)), as_json=False)
    note(text)
    assert_clean(_check_with(relative, text), "kader check")


# ------------------------------------------------------------------ nothing in a rule file is executed

class Watch:
    """A Python audit hook (PEP 578) that records, while on, what would show that something ran:
    code executed, a process started, a file opened."""

    RAN = ("exec", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "subprocess.Popen",
           "ctypes.dlopen", "socket.connect", "os.remove", "os.rename", "shutil.rmtree", "webbrowser.open")

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] | None = None
        sys.addaudithook(self.hook)

    def hook(self, event: str, args: tuple) -> None:
        if self.events is not None and (event in self.RAN or event == "open"):
            self.events.append((event, str(args[0]) if args else ""))

    def __enter__(self) -> list[tuple[str, str]]:
        self.events = []
        return self.events

    def __exit__(self, *exc) -> None:
        self.events = None


WATCH = Watch()


def _load_watched(root: Path):
    """check_rules on `root`, after a warm-up load of the clean base (so that every lazy import is done),
    returning the result, the time it took (CPU and wall seconds) and what the audit hook saw."""
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(BASE, Path(folder) / "rules")
        engine.check_rules(Path(folder) / "rules")
    cpu, wall = time.process_time(), time.perf_counter()
    with WATCH as events:
        framework, diagnostics = engine.check_rules(root)
    return framework, diagnostics, (time.process_time() - cpu, time.perf_counter() - wall), list(events)


def _outside(events, root: Path) -> list[str]:
    """Files opened outside the rules folder (resolved, so a link does not hide where it leads)."""
    real = root.resolve()
    return [path for event, path in events if event == "open" and not Path(path).resolve().is_relative_to(real)]


ESCAPES = {
    "__import__": "__import__('os').system('touch {marker}') == 0",
    "open": "open('{marker}', 'w') == 0",
    "eval": "eval(\"__import__('os').system('touch {marker}')\") == 0",
    "exec": "exec(\"open('{marker}', 'w')\") == 0",
    "compile": "compile('1', 'x', 'eval') == 1",
    "getattr": "getattr(hulpvraag, '__class__') == 1",
    "dunder attribute": "hulpvraag.regie.__class__.__bases__ == 1",
    "subclasses": "().__class__.__base__.__subclasses__() == 1",
    "builtins": "__builtins__ == 1",
    "globals": "globals() == 1",
    "breakpoint": "breakpoint() == 1",
    "lambda": "(lambda: __import__('os').system('touch {marker}'))() == 0",
    "list comprehension": "[__import__('os').system('touch {marker}') for x in [1]] == [0]",
    "set comprehension": "{{open('{marker}', 'w') for x in [1]}} == 1",
    "dict comprehension": "{{x: open('{marker}', 'w') for x in [1]}} == 1",
    "generator": "any(open('{marker}', 'w') for x in [1])",
    "walrus": "(x := 1) == 1",
    "f-string": "f\"{{open('{marker}', 'w')}}\" == ''",
    "subscript": "casus.signalen[0] == 'schulden'",
    "starred call": "min(*[1, 2]) > 0",
    "keyword call": "min(1, 2, key=open) > 0",
    "unknown function": "print('{marker}') == 1",
    "fullwidth eval": "ｅｖａｌ('1') == 1",
    "huge exponent": "10**10**10 > 1",
    "exponent tower": "9**9**9**9 > 1",
    "pow": "pow(10, 10) > 1",
    "huge literal": "1" + "0" * 100 + " > 1",
    "float overflow": "1e999 > 1",
    "text repeat": "'a' * 1000000000 == 'a'",
    "bytes": "b'x' == b'x'",
    "is": "hulpvraag.regie is True",
    "yield": "(yield 1) == 1",
    "await": "(await hulpvraag.regie) == 1",
    "two statements": "True; __import__('os').system('touch {marker}')",
    "import statement": "import os",
    "deep brackets": "(" * 300 + "True" + ")" * 300,
    "deep not": "not " * 480 + "True",
    "deep minus": "-" * 1900 + "1 > 0",
    "many parts": "1 + " * 450 + "1 > 0",
    "too long": "True and " * 300 + "True",
}
PLACES = {  # where an expression stands in the base framework, and what replaces it there
    "when": ("    when: not hulpvraag.regie\n", "    when: {text}\n"),
    "formula": ("    formula: huishouden.aantal_volwassenen\n", "    formula: {text}\n"),
    "amount": ("    amounts: {bedrag: tarief}\n", "    amounts: {{bedrag: {text}}}\n"),
}


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_spec_an_escape_from_the_expression_language_is_refused_fast_and_never_runs(tmp_path, name, place):
    marker = tmp_path / "gepwnd"
    root = tmp_path / "rules"
    shutil.copytree(BASE, root)
    target = root / "wmo" / "huishouden.yaml"
    original, replacement = PLACES[place]
    text = target.read_text(encoding="utf-8")
    expression = ESCAPES[name].format(marker=marker)
    if place == "formula":
        expression = "1 if " + expression + " else 2"  # a formula yields a number, not yes/no
    line = text[: text.index(original)].count("\n") + 1
    target.write_text(text.replace(original, replacement.format(text=json.dumps(expression, ensure_ascii=False))),
                      encoding="utf-8")
    framework, diagnostics, seconds, events = _load_watched(root)
    assert framework is None
    here = [d for d in diagnostics if d.span.path.endswith("wmo/huishouden.yaml") and d.span.line == line]
    assert here, [str(d) for d in diagnostics]
    assert all(d.code.startswith("E3") for d in here), [str(d) for d in here]
    assert seconds[0] < QUICK
    assert not marker.exists()
    assert [e for e in events if e[0] != "open"] == [], "something ran while the rules were read"
    assert _outside(events, root) == []


# ------------------------------------------------------------------ bombs, giant files, pipes and links

BOMB = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))


# The whole located line is pinned, not only the code: a user sees the same refusal, at the same place, whether
# libyaml (which since PyYAML 6.0.3 refuses flow nesting beyond 1,000 levels itself) or kader's own limit stops it.
@pytest.mark.parametrize("name, content, expected", [
    ("alias bomb", BOMB, ":6:8: error[E018]: bestand wordt te groot na het uitvouwen van aliassen (meer dan 200000 knopen)"),
    ("deep nesting", "a: " + "[" * 50_000 + "]" * 50_000 + "\n", ":1:67: error[E016]: te diep genest (meer dan 64 niveaus)"),
    ("above the size limit", "# " + "x" * (3 * 1024 * 1024) + "\n",
     ":1:1: error[E020]: bestand is te groot (2097153 bytes; ten hoogste 2097152 toegestaan)"),
    ("110,000 keys", "".join(f"k{i}: 0\n" for i in range(110_000)),
     ":100000:9: error[E018]: bestand is te groot (meer dan 200000 knopen)"),
], ids=lambda value: value if " " in value and len(value) < 40 else "")
def test_spec_a_rule_file_bomb_is_refused_quickly(tmp_path, name, content, expected):
    root = tmp_path / "rules"
    shutil.copytree(BASE, root)
    (root / "wmo" / "huishouden.yaml").write_text(content, encoding="utf-8")
    start = time.process_time()
    result = RUNNER.invoke(app, ["check", str(root)])
    assert time.process_time() - start < QUICK
    assert_clean(result, "kader check")
    assert result.exit_code == 1
    assert f"{root / 'wmo' / 'huishouden.yaml'}{expected}" in result.stderr.splitlines()


@pytest.mark.parametrize("name, filename, content, expected", [
    ("alias bomb", "casus.yaml", BOMB,
     ":6:8: error[E018]: bestand wordt te groot na het uitvouwen van aliassen (meer dan 200000 knopen)"),
    ("deep JSON", "casus.json", "[" * 100_000 + "]" * 100_000, ":1:65: error[E016]: te diep genest (meer dan 64 niveaus)"),
    ("deep YAML", "casus.yaml", "- " * 20_000 + "x\n", ":1:129: error[E016]: te diep genest (meer dan 64 niveaus)"),
    ("above the size limit", "casus.yaml", "id: " + "x" * (3 * 1024 * 1024) + "\n",
     ":1:1: error[E020]: bestand is te groot (2097153 bytes; ten hoogste 2097152 toegestaan)"),
], ids=lambda value: value if " " in value and len(value) < 40 else "")
def test_spec_a_case_bomb_is_refused_quickly(tmp_path, name, filename, content, expected):
    path = tmp_path / filename
    path.write_text(content, encoding="utf-8")
    start = time.process_time()
    result = RUNNER.invoke(app, ["assess", str(path)])
    assert time.process_time() - start < QUICK
    assert_clean(result, "kader assess")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{path}{expected}"


def _max_rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_spec_a_giant_rule_file_is_refused_without_reading_it(tmp_path):
    # a sparse file of 4 GiB: reading it whole would take seconds and gigabytes
    root = tmp_path / "rules"
    shutil.copytree(BASE, root)
    with open(root / "wmo" / "groot.yaml", "wb") as handle:
        handle.truncate(4 * 1024**3)
    before = _max_rss_mb()
    start = time.process_time()
    check = RUNNER.invoke(app, ["check", str(root)])
    assess = RUNNER.invoke(app, ["assess", str(ROOT / "scenarios" / "voorbeelden" / "gezin-soest.yaml"),
                                 "--rules", str(root)])  # also through the cache key of the rules
    assert time.process_time() - start < QUICK
    assert _max_rss_mb() - before < 200
    for result in (check, assess):
        assert_clean(result, "groot bestand")
        assert result.exit_code == 1 and "groot.yaml:1:1: error[E020]: bestand is te groot" in result.stderr


def _link_cases(tmp_path: Path):
    outside = tmp_path / "buiten"
    outside.mkdir()
    (outside / "geheim.yaml").write_text("facts: {}\n", encoding="utf-8")
    shutil.copytree(BASE / "gemeenten", outside / "gemeenten")
    return outside


@pytest.mark.parametrize("name", ["file in a domain", "municipal profile", "kader.yaml", "domain folder",
                                  "profiles folder", "device", "pipe"])
def test_spec_links_and_special_files_cannot_make_the_loader_read_outside_the_rules_folder(tmp_path, name):
    outside = _link_cases(tmp_path)
    root = tmp_path / "rules"
    shutil.copytree(BASE, root)
    if name == "file in a domain":
        shown = root / "wmo" / "buiten.yaml"
        shown.symlink_to(outside / "geheim.yaml")
    elif name == "municipal profile":
        shown = root / "gemeenten" / "baarn.yaml"
        shown.unlink()
        shown.symlink_to(outside / "gemeenten" / "baarn.yaml")
    elif name == "kader.yaml":
        shown = root / "kader.yaml"
        shutil.move(shown, outside / "kader.yaml")
        shown.symlink_to(outside / "kader.yaml")
    elif name == "domain folder":
        shown = root / "werk_inkomen"
        shutil.move(shown, outside / "werk_inkomen")
        shown.symlink_to(outside / "werk_inkomen", target_is_directory=True)
    elif name == "profiles folder":
        shown = root / "gemeenten"
        shutil.rmtree(shown)
        shown.symlink_to(outside / "gemeenten", target_is_directory=True)
    elif name == "device":
        shown = root / "wmo" / "nul.yaml"
        shown.symlink_to("/dev/zero")
    else:
        shown = root / "wmo" / "pijp.yaml"
        os.mkfifo(shown)
    framework, diagnostics, seconds, events = _load_watched(root)
    assert seconds[1] < HANG  # a pipe or /dev/zero never ends; it must not be opened at all
    assert framework is None
    first = diagnostics[0]
    assert (first.code, first.span.path, first.span.line) == ("E005" if name == "pipe" else "E004",
                                                              str(shown), 1), [str(d) for d in diagnostics]
    assert _outside(events, root) == []
    # and the cache key of `kader assess --rules` (a hash of the rule files) does not read them either
    start = time.perf_counter()
    with WATCH as events:
        engine.language.fwcache.content_hash(root)
    assert time.perf_counter() - start < HANG and _outside(events, root) == []


def test_spec_a_link_inside_the_rules_folder_is_followed(tmp_path):
    root = tmp_path / "rules"
    shutil.copytree(BASE, root)
    (root / "gemeenten" / "baarn.yaml").unlink()
    (root / "gemeenten" / "baarn.yaml").symlink_to(root / "gemeenten" / "bunschoten.yaml")
    framework, diagnostics = engine.check_rules(root)
    assert [d.code for d in diagnostics] != [] or framework is not None
    assert not [d for d in diagnostics if d.code in ("E004", "E005")]


def test_spec_texts_in_rule_files_are_never_used_as_paths(tmp_path):
    # legal bases, sources and decisions that look like paths or URLs stay text: nothing is opened
    root = tmp_path / "rules"
    shutil.copytree(BASE, root)
    huishouden = root / "wmo" / "huishouden.yaml"
    text = huishouden.read_text(encoding="utf-8")
    text = text.replace('legal_basis: "Wmo 2015 art. 1.1.1"', 'legal_basis: "../../../../etc/passwd"', 1)
    text = text.replace('value: "20.60"}', 'value: "20.60", source: "file:///etc/shadow"}', 1)
    huishouden.write_text(text, encoding="utf-8")
    soest = root / "gemeenten" / "soest.yaml"
    soest.write_text(soest.read_text(encoding="utf-8").replace("Verordening soest (test)", "/etc/passwd"))
    framework, diagnostics, _, events = _load_watched(root)
    assert diagnostics == [] and framework is not None
    assert framework.fact("hulpvraag.regie", "wmo").legal_basis == "../../../../etc/passwd"
    assert _outside(events, root) == []
    assert [e for e in events if e[0] != "open"] == []


# ------------------------------------------------------------------ nothing from a file steers the terminal

TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
UNSAFE_TEXT = st.text(alphabet=st.sampled_from("ab[]/ \x1b\x07\x9b\u202e\u2066\r") | st.characters(codec="utf-8"),
                      min_size=1, max_size=12)


@settings(max_examples=examples(60))
@given(st.data(), st.sampled_from(("assess", "explain")))
def test_spec_text_from_a_case_never_reaches_the_terminal_as_control_characters(draw, command):
    # an escape sequence in a case id could recolour, retitle or rewrite the assessor's terminal
    data = draw.draw(gen.case_data(FRAMEWORK, max_hulpvragen=2))
    data["id"] = draw.draw(UNSAFE_TEXT)
    for index, hv in enumerate(data["hulpvragen"]):
        hv["id"] = draw.draw(UNSAFE_TEXT) + str(index)
    text = gen.case_yaml(data)
    note(text)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "casus.yaml"
        path.write_text(text, encoding="utf-8")
        result = RUNNER.invoke(app, [command, str(path)])
    assert_clean(result, f"kader {command}")
    assert not TERMINAL_UNSAFE.search(result.stdout + result.stderr), "a control character reached the terminal"


@settings(max_examples=examples(60))
@given(st.data())
def test_spec_a_broken_scenario_file_is_a_failed_scenario_not_a_crash(draw):
    data = draw.draw(gen.case_data(FRAMEWORK, max_hulpvragen=2))
    scenario = {"name": "gegenereerd", "checks": "Participatiewet art. 11", "case": data,
                "expected": {"proposals": [{"hulpvraag": data["hulpvragen"][0]["id"], "level": 3}]}}
    text = draw.draw(broken_text(gen.case_yaml(scenario)))
    note(text)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        result = RUNNER.invoke(app, ["test", str(path), "--format", "json"])
    assert "Traceback" not in result.output and "interne fout" not in result.output
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert report["passed"] + report["failed"] == 1
    for error in report["results"][0].get("errors", []):
        assert error["line"] >= 1 and error["col"] >= 1 and error["code"].startswith("E")

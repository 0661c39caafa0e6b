"""Every command example in the README and in docs/ runs as written (issue 18).

An example is a line in a ```bash block that starts with `kader`, `curl` or `dask`. One that needs something the
suite does not start here says so at its end: `# needs a server` (`kader serve` and the requests to it),
`# needs a cluster` (a Dask scheduler, `--scheduler`), `# needs PostgreSQL` (a `postgresql://` register; those
run in tests/register/test_readme.py against a real server). Every other `kader` example runs, in the order of its
document, in a scratch git repository with the project's rules and scenarios (so `git:main` and `git:HEAD~1`
resolve), with the files an example takes as given (a rules folder to propose, a case file in JSON Lines, an
answers file) made beforehand. It must exit 0, or 1 where the command reports what it found (`kader verify` finding
a gap), and print no error of its own. The install commands of the quick start are checked by tests/test_lock.py;
the deployment sketches in ```text blocks (a signer service, the audit's anchors) are not run.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARK = re.compile(r"[#;]\s*needs (a server|a cluster|PostgreSQL)\s*$")
KEY = "9f3c1e7a5b2d80c4e6a1f7b3d9c05e28a4f6b1d3c7e9a2f05b8d4c6e1a3f7b92"  # 256 bits, as `openssl rand -hex 32`


@dataclass(frozen=True)
class Example:
    document: str
    line: int
    command: str
    needs: str | None

    def __str__(self) -> str:
        return f"{self.document}:{self.line}: {self.command}"


def examples(path: Path) -> list[Example]:
    text = path.read_text(encoding="utf-8")
    found = []
    for block in re.finditer(r"```bash\n(.*?)```", text, flags=re.S):
        first = text.count("\n", 0, block.start(1)) + 1
        lines = block.group(1).split("\n")
        index = 0
        while index < len(lines):
            start = index
            command = lines[index]
            while command.endswith("\\") and index + 1 < len(lines):
                index += 1
                command = command[:-1] + " " + lines[index].strip()
            index += 1
            command = command.strip()
            if command.startswith(("kader ", "curl ", "dask ")):
                mark = MARK.search(command)
                found.append(Example(path.relative_to(ROOT).as_posix(), first + start, command,
                                     mark.group(1) if mark else None))
    return found


ALL = [example for path in DOCUMENTS for example in examples(path)]


def needs(command: str) -> set[str]:
    """What an example needs, judged from the command itself."""
    found = set()
    if command.startswith("curl ") or command.startswith("kader serve"):
        found.add("a server")
    if command.startswith("dask ") or "--scheduler" in command:
        found.add("a cluster")
    if "postgresql://" in command:
        found.add("PostgreSQL")
    return found


def test_the_documents_have_examples_for_every_user():
    readme = [e.command for e in ALL if e.document == "README.md"]
    assert any(c.startswith("kader assess") for c in readme)        # the assessor
    assert any(c.startswith("kader impact") for c in readme)        # the policy officer
    assert any(c.startswith("kader audit") for c in readme)         # the auditor
    assert len(ALL) > 50


def test_an_example_is_marked_exactly_when_it_needs_a_server_a_cluster_or_postgresql():
    for example in ALL:
        required = needs(example.command)
        if example.needs is None:
            assert not required, f"{example}: mark it `# needs {' and '.join(sorted(required))}`"
        else:
            assert example.needs in required, f"{example}: marked `needs {example.needs}` but does not need it"


def _given(work: Path) -> None:
    """The files the examples take as the reader's own: a proposal's rules folder beside the checkout, a few cases
    as JSON Lines, the answers to the intake's questions."""
    proposal = work.parent / "voorstel" / "rules"
    shutil.copytree(ROOT / "rules", proposal)
    runner = CliRunner()
    result = runner.invoke(app, ["population", "--size", "20", "--seed", "3", "--out", str(work / "casussen.jsonl")])
    assert result.exit_code == 0, result.output
    shutil.copy(work / "casussen.jsonl", work / "populatie.jsonl")
    (work / "antwoorden.yaml").write_text("hv1.algemeen_gebruikelijke_voorziening: nee\n", encoding="utf-8")


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A scratch git repository with this project's rules and scenarios, on a branch `main` with two commits (so that
    `git:main` and `git:HEAD~1` resolve without depending on the history of the checkout, which may be shallow)."""
    work = tmp_path_factory.mktemp("docs") / "kader"
    work.mkdir()
    for folder in ("rules", "scenarios"):
        shutil.copytree(ROOT / folder, work / folder)
    git = ["git", "-C", str(work), "-c", "user.name=kader", "-c", "user.email=kader@example.invalid"]
    subprocess.run(git + ["init", "-q", "-b", "main"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "regels"], check=True)
    subprocess.run(git + ["commit", "-q", "--allow-empty", "-m", "nog een versie"], check=True)
    return work


@pytest.mark.slow  # about a minute: the examples of `kader verify` prove the whole framework three times
@pytest.mark.parametrize("document", [p.relative_to(ROOT).as_posix() for p in DOCUMENTS
                                      if any(e.needs is None and e.command.startswith("kader ") for e in examples(p))])
def test_every_example_runs_as_written(document, clone, tmp_path, monkeypatch):
    work = tmp_path / "kader"
    shutil.copytree(clone, work, symlinks=True)
    _given(work)
    monkeypatch.chdir(work)
    runner = CliRunner(env={"KADER_PSEUDONYM_KEY": KEY, "KADER_RULES": str(work / "rules"), "HOME": str(tmp_path),
                            "KADER_REGISTER": None, "COLUMNS": "100"})
    ran = 0
    for example in examples(ROOT / document):
        if example.needs is not None or not example.command.startswith("kader "):
            continue
        command, _, target = example.command.partition(" > ")
        result = runner.invoke(app, shlex.split(command, comments=True)[1:], input="")
        # 0, or 1 where a command reports what it found (`kader verify` finding a gap): never an error of its own
        # input, a usage error (2) or a crash
        ok = result.exit_code == 0 or (result.exit_code == 1 and isinstance(result.exception, SystemExit))
        assert ok and "error[" not in result.output, f"{example}\nexit {result.exit_code}\n{result.output[-3000:]}"
        if target:
            (work / shlex.split(target, comments=True)[0]).write_text(result.stdout, encoding="utf-8")
        ran += 1
    assert ran > 0

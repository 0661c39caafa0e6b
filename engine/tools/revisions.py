"""A version of the rules: a folder, or `git:REV`, the rules folder at a git revision of the project.

`git:REV` is read from the git repository that holds the rules folder in use
(`--rules`, `$KADER_RULES` or the project's `rules/`), at the same path inside
that repository, with `git archive` into a temporary folder that lives as long
as the `rules_version` context. Only committed content is seen at a revision;
the working copy is the folder itself.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from engine.errors import Diagnostic, RuleEngineError, RuleFileError, Span, UsageError
from engine.language.framework import Framework

GIT_PREFIX = "git:"


class RevisionError(RuleEngineError):
    """A `git:REV` that cannot be read: no git, not a repository, an unknown revision."""


@dataclass
class RulesVersion:
    ref: str  # as the user gave it
    path: Path  # a folder with the rules of this version
    label: str  # how reports name it: the folder, or "git:REV (abc1234)"
    inside: str = "rules"  # for git:REV, the rules folder's path inside the repository
    framework: Framework | None = None


def _git(repo: Path, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, input=input, timeout=120,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    except FileNotFoundError:
        raise RevisionError(Diagnostic("E802", "git is niet geïnstalleerd; een versie git:REV kan niet gelezen worden",
                                       Span("git", 1, 1))) from None


def _extract(ref: str, rules_dir: Path, target: Path) -> tuple[str, str]:
    """Write the rules folder at revision `ref[4:]` below `target`; return the short commit id and the folder."""
    revision = ref[len(GIT_PREFIX):]
    where = Span(ref, 1, 1)
    if not revision or revision.startswith("-"):
        raise UsageError(Diagnostic("E800", f"'{ref}' noemt geen git-revisie; schrijf bijvoorbeeld git:HEAD of git:main",
                                    where))
    folder = rules_dir.resolve()
    probe = folder if folder.is_dir() else folder.parent
    while not probe.is_dir() and probe != probe.parent:
        probe = probe.parent
    top = _git(probe, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise RevisionError(Diagnostic("E801", f"de regelmap {folder} staat niet in een git-repository; "
                                       f"{ref} kan niet gelezen worden", where))
    repo = Path(top.stdout.decode().strip())
    commit = _git(repo, "rev-parse", "--verify", "--quiet", revision + "^{commit}")
    if commit.returncode != 0:
        raise RevisionError(Diagnostic("E803", f"onbekende git-revisie '{revision}' in {repo}", where))
    sha = commit.stdout.decode().strip()
    inside = folder.relative_to(repo.resolve()).as_posix() if folder.is_relative_to(repo.resolve()) else "rules"
    archive = _git(repo, "archive", "--format=tar", sha, "--", inside)
    if archive.returncode != 0:
        raise RevisionError(Diagnostic("E804", f"revisie {revision} ({sha[:10]}) heeft geen map '{inside}'", where))
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        for member in tar.getmembers():
            if not (member.isfile() or member.isdir()) or member.name.startswith("/") or ".." in Path(member.name).parts:
                raise RevisionError(Diagnostic("E805", f"onverwacht bestand '{member.name}' in {ref}", where))
        if hasattr(tarfile, "data_filter"):
            tar.extractall(target, filter="data")
        else:  # Python before 3.11.4; the members were checked above
            tar.extractall(target)
    return sha[:10], inside


@contextlib.contextmanager
def rules_version(ref: str, rules_dir: Path) -> Iterator[RulesVersion]:
    """The rules of `ref` (a folder or git:REV) as a folder, for the duration of the context."""
    if not ref.startswith(GIT_PREFIX):
        path = Path(ref)
        if not path.is_dir():
            raise UsageError(Diagnostic("E806", f"'{ref}' is geen map met regels en geen git:REV", Span(ref, 1, 1),
                                        hint="geef een regelmap, of git:REV voor de regels bij een git-revisie"))
        yield RulesVersion(ref, path, _display(path))
        return
    with tempfile.TemporaryDirectory(prefix="kader-rev-") as temporary:
        sha, inside = _extract(ref, rules_dir, Path(temporary))
        yield RulesVersion(ref, Path(temporary) / inside, f"{ref} ({sha})", inside)


def load_version(version: RulesVersion) -> Framework:
    """Load the framework of a version; errors in rule files at a revision name the revision, not the temp folder."""
    from engine.language.fwcache import load_framework

    try:
        framework = load_framework(version.path)
    except RuleFileError as exc:
        if not version.ref.startswith(GIT_PREFIX):
            raise
        prefix = _display(version.path)
        raise RuleFileError([_rename(d, prefix, f"{version.ref}:{version.inside}") for d in exc.diagnostics]) from None
    version.framework = framework
    return framework


def _rename(diagnostic: Diagnostic, prefix: str, shown: str) -> Diagnostic:
    def span(s: Span) -> Span:
        if s.path.startswith(prefix):
            return Span(f"{shown}{s.path[len(prefix):]}", s.line, s.col, s.end_line, s.end_col)
        return s

    return Diagnostic(diagnostic.code, diagnostic.message, span(diagnostic.span), diagnostic.severity, diagnostic.hint,
                      tuple((label, span(s)) for label, s in diagnostic.related), diagnostic.legal_basis)


def _display(path: Path) -> str:
    from engine.language.loader import display_path
    return display_path(path)

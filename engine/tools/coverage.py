"""Which parts of the framework no scenario exercises.

A scenario exercises:

- the rules that fired;
- the provision it got as proposal;
- the entitlements that were evaluated for it, with their criteria, and the legal
  terms that were computed; the signals and checks that were raised;
- the parameters, derived facts and facts its outcome actually read: those in
  the conditions of the rules that fired and in the formulas of the evaluated
  entitlements, followed through derived facts along the branch that was taken
  for this case (a parameter in a branch of the bijstandsnorm that does not
  apply to the household is not exercised by it);
- the legal articles cited by any of those.

Articles are read from the `legal_basis` texts ("Wmo 2015 art. 2.3.5 lid 3;
art. 1.1.1 (maatwerkvoorziening)") at the level of the article: law plus
article number, without lid or onder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from engine.evaluation.facts import build_facts
from engine.language.calc import UNKNOWN, compile_closure
from engine.language.framework import Framework
from engine.language.ir import Undetermined, references
from engine.language.reach import all_entitlements as _all_entitlements
from engine.language.reach import base_key, declared_facts
from engine.language.reach import cited_elements as _elements

_ARTICLE = re.compile(r"\bart(?:ikel|\.)\s*(\d+[a-z]?(?:[.:]\d+[a-z]?)*(?:\s*-\s*\d+[a-z]?(?:\.\d+[a-z]?)*)?)")
_MORE = re.compile(r"\s*(?:,|\ben\b)\s*(\d+[a-z]?(?:\.\d+[a-z]?)*(?:\s*-\s*\d+[a-z]?(?:\.\d+[a-z]?)*)?)\b(?!\.\d)")
_SEPARATORS = re.compile(r"[;,(:]|\ben\b")


def articles(legal_basis: str | None) -> list[str]:
    """The articles a legal basis cites, as "<law> art. <number>", in order of appearance.

    >>> articles("Wmo 2015 art. 2.3.2 lid 4 onder f, art. 2.3.5 lid 5; Jeugdwet art. 1.2 lid 1")
    ['Wmo 2015 art. 2.3.2', 'Wmo 2015 art. 2.3.5', 'Jeugdwet art. 1.2']
    """
    if not legal_basis:
        return []
    text = " ".join(legal_basis.split())
    found: list[str] = []
    law: str | None = None
    position = 0
    for match in _ARTICLE.finditer(text):
        before = text[position:match.start()]
        parts = _SEPARATORS.split(before)
        candidate = parts[-1].strip(" .") if parts else ""
        if candidate[:1].isupper():
            law = candidate
        position = match.end()
        if law is None:
            continue
        numbers = [match.group(1)]
        rest = text[match.end():]
        while True:
            more = _MORE.match(rest)
            if more is None:
                break
            numbers.append(more.group(1))
            position += more.end()
            rest = rest[more.end():]
        for number in numbers:
            article = f"{law} art. {number.replace(' ', '')}"
            if article not in found:
                found.append(article)
    return found


@dataclass
class Part:
    """Coverage of one kind of element."""

    total: list[tuple[str, dict]]  # (id, extra info for the report)
    covered: set[str] = field(default_factory=set)

    def to_json(self) -> dict:
        uncovered = [{"id": ident, **info} for ident, info in self.total if ident not in self.covered]
        total = len(self.total)
        covered = total - len(uncovered)
        return {"covered": covered, "total": total,
                "percentage": round(100 * covered / total, 1) if total else 100.0, "uncovered": uncovered}


@dataclass
class Coverage:
    rules: Part
    provisions: Part
    parameters: Part
    entitlements: Part
    deadlines: Part
    articles: Part
    scenarios: int = 0
    boundaries: dict | None = None  # engine.tools.boundaries.boundary_coverage

    def to_json(self) -> dict:
        data = {"scenarios": self.scenarios, "rules": self.rules.to_json(), "articles": self.articles.to_json(),
                "provisions": self.provisions.to_json(), "parameters": self.parameters.to_json(),
                "entitlements": self.entitlements.to_json(), "deadlines": self.deadlines.to_json()}
        if self.boundaries is not None:
            data["boundaries"] = self.boundaries
        return data


def _where(span) -> dict:
    return {"file": span.path, "line": span.line} if span is not None else {}


def empty(framework: Framework) -> Coverage:
    rules = Part([(r.id, {"title": r.title, **_where(r.span)}) for r in framework.rules.values()])
    provisions = []
    for provision in framework.provisions.values():
        provisions.append((provision.id, {"level": provision.level, "domain": provision.domain, **_where(provision.span)}))
    for profile in framework.profiles.values():
        for provision in profile.provisions.values():
            provisions.append((provision.id, {"level": provision.level, "domain": provision.domain,
                                              "gemeente": profile.gemeente, **_where(provision.span)}))
    parameters = Part([(p.name, {"unit": p.unit, **_where(p.span)}) for p in framework.parameters.values()])
    entitlements = Part([(e.id, {"title": e.title, **_where(e.span)}) for e in _all_entitlements(framework)])
    deadlines = Part([(d.id, {"title": d.title, **_where(d.span)}) for d in framework.deadlines.values()])
    cited: dict[str, list[str]] = {}
    for kind, ident, bases, _ in _elements(framework):
        for basis in bases:
            for article in articles(basis):
                users = cited.setdefault(article, [])
                if f"{kind} {ident}" not in users:
                    users.append(f"{kind} {ident}")
    article_part = Part([(a, {"cited_by": cited[a]}) for a in sorted(cited, key=_article_order)])
    return Coverage(rules, Part(provisions), parameters, entitlements, deadlines, article_part)


def _article_order(article: str) -> tuple:
    law, _, number = article.partition(" art. ")
    pieces = tuple((int(m.group(1)), m.group(2)) for m in re.finditer(r"(\d+)([a-z]*)", number))
    return (law, pieces, number)


class _Used:
    """The keys an assessment read, following derived facts along the branch taken for this case."""

    def __init__(self, framework: Framework, facts):
        self.framework = framework
        self.facts = facts
        self.derived = {d.key: d for d in framework.derived}
        self.keys: set[str] = set()
        self._done: set[str] = set()
        self._closures: dict[int, object] = {}

    def expression(self, node: Any) -> None:
        for key in references(node):
            self.key(key)

    def key(self, key: str) -> None:
        self.keys.add(key)
        base = base_key(key)
        self.keys.add(base)
        if base not in self.derived or base in self._done:
            return
        self._done.add(base)
        definition = self.derived[base]
        envs = [self.facts.base] if definition.scope != "persoon" else \
            [{**self.facts.base, **person} for person in self.facts.persons.values()]
        for env in envs:
            for condition, value in definition.parts:
                if condition is not None:
                    self.expression(condition)
                    closure = self._closures.get(id(condition))
                    if closure is None:
                        closure = self._closures[id(condition)] = compile_closure(condition)
                    outcome = closure(env)
                    if outcome is UNKNOWN and isinstance(value, Undetermined):
                        continue  # an `onbepaald` case applies only when established (as the evaluators do)
                    if outcome is UNKNOWN:
                        break
                    if not outcome:
                        continue
                self.expression(value)
                break


def keys_read(framework: Framework, case, assessment) -> set[str]:
    """The facts, derived facts and parameters an assessment read: the conditions of the rules that fired and the
    criteria and amounts of the entitlements it evaluated, following derived facts along the branch taken."""
    used = _Used(framework, build_facts(framework, case, assessment.gemeente, assessment.peildatum))
    for fired in assessment.trace.fired:
        used.expression(framework.rules[fired.rule].when)
    definitions = {e.id: e for e in _all_entitlements(framework)}
    for item in assessment.entitlements:
        entitlement = definitions[item["id"]]
        for criterion in entitlement.criteria:
            used.expression(criterion.when)
        for _, node, _ in entitlement.amounts:
            used.expression(node)
    return used.keys


def exercise(coverage: Coverage, framework: Framework, case, assessment) -> None:
    """Mark what one assessed scenario exercised."""
    coverage.scenarios += 1
    used = _Used(framework, build_facts(framework, case, assessment.gemeente, assessment.peildatum))
    exercised: list[tuple[str, str]] = []  # (kind, id) for the articles
    for fired in assessment.trace.fired:
        coverage.rules.covered.add(fired.rule)
        used.expression(framework.rules[fired.rule].when)
        exercised.append(("regel", fired.rule))
    for proposal in assessment.proposals:
        if proposal["provision"] is not None:
            coverage.provisions.covered.add(proposal["provision"])
            exercised.append(("voorziening", proposal["provision"]))
    definitions = {e.id: e for e in _all_entitlements(framework)}
    for item in assessment.entitlements:
        coverage.entitlements.covered.add(item["id"])
        exercised.append(("aanspraak", item["id"]))
        entitlement = definitions[item["id"]]
        for criterion in entitlement.criteria:
            used.expression(criterion.when)
        for _, node, _ in entitlement.amounts:
            used.expression(node)
    for item in assessment.deadlines:
        coverage.deadlines.covered.add(item["id"])
        exercised.append(("termijn", item["id"]))
    exercised += [("signaal", s["id"]) for s in assessment.signals] + [("controle", c["id"]) for c in assessment.checks]
    declared = {key for key, info in declared_facts(framework) if info.declared_in is not None}
    for key in used.keys:
        if key in framework.parameters:
            coverage.parameters.covered.add(key)
            exercised.append(("parameter", key))
        elif key in used.derived:
            exercised.append(("afgeleid", key))
        elif key in declared:
            exercised.append(("feit", key))
    wanted = set(exercised)
    for kind, ident, bases, _ in _elements(framework):
        if (kind, ident) in wanted:
            for basis in bases:
                coverage.articles.covered.update(articles(basis))


def scenario_coverage(framework: Framework, results: Iterable[Any]) -> Coverage:
    """Coverage of the framework by scenario results (engine.tools.scenarios.ScenarioResult) that were assessed."""
    coverage = empty(framework)
    results = list(results)
    for result in results:
        if result.assessment is not None and result.case is not None:
            exercise(coverage, framework, result.case, result.assessment)
    from .boundaries import boundary_coverage
    coverage.boundaries = boundary_coverage(framework, results)
    return coverage

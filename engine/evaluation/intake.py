"""An intake: ask the most decisive question, write the answer into the case file, assess again.

The case file is edited with ruamel.yaml's round-trip mode, so its comments, key order, flow or block style
and quoting stay as the assessor wrote them; only the answered fact is added (or changed). A JSON case file
is rewritten as JSON (it has no comments to keep). Every write goes to a temporary file that replaces the
case file only after the whole new text has been checked by kader's own case loader: an answer either
lands completely or not at all, and a stopped intake (Ctrl-C) loses nothing already answered.

The file is first read by kader's own positioned parser and case validation (as `kader assess` reads it):
a file that would not load is refused with located errors before ruamel.yaml sees it. ruamel.yaml's
round-trip loader builds only plain mappings, sequences and scalars; no tag in the file can make it run code.

Answers are addressed as `<hulpvraag id>.<fact>` (a hulpvraag fact), `<person id>.<fact>` (a person fact) or
`casus.<fact>`, e.g. `hv1.voorliggende_voorziening`, `p1.medisch_urenbeperkt`; values are `ja`/`nee`
(also true/false) for yes/no facts and one of the allowed values for a choice. "weet niet" skips a question.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.language.framework import Framework

from .assessment import Assessment
from .case import Case, load_case
from .decisive import _value_type, decisive_questions
from .evaluate import assess

YES = {"ja", "j", "true", "yes", "y", "waar"}
NO = {"nee", "n", "false", "no", "onwaar"}
SKIP = {"weet niet", "weetniet", "?", "onbekend", "sla over", "skip"}


class AnswerError(ValueError):
    """An answer that does not fit the question (the message says what would)."""


@dataclass
class Question:
    key: str  # how the answer is addressed: hv1.voorliggende_voorziening, p1.medisch_urenbeperkt, casus.x
    fact: str  # hulpvraag.voorliggende_voorziening
    hulpvraag: str | None
    persoon: str | None
    text: str
    type: str  # "bool" | "keuze"
    values: list
    settles: list[str]
    changes: list[str]
    impact: str

    def allowed(self) -> str:
        if self.type == "bool":
            return "ja / nee"
        if self.type == "keuze":
            return " / ".join(str(v) for v in self.values)
        shown = f"een waarde ({self.type})"
        return shown + (" rond " + ", ".join(str(v) for v in self.values) if self.values else "")


@dataclass
class Progress:
    assessment: Assessment
    questions: list[Question]
    open_hulpvragen: list[str]
    untested: list[dict] = field(default_factory=list)  # facts that cannot be tried by value (money, dates)
    fallback: list[Question] = field(default_factory=list)  # traced facts of open proposals no single answer decides

    @property
    def complete(self) -> bool:
        return not self.open_hulpvragen


def parse_answer(question: Question, text: str) -> Any:
    """The value of an answer, None for "weet niet"; AnswerError when it does not fit the question."""
    answer = text.strip().lower()
    if answer in SKIP:
        return None
    if question.type not in ("bool", "keuze"):  # a number, amount or date: the case loader checks it when written
        if not answer:
            raise AnswerError("geef een waarde, of weet niet")
        return text.strip()
    if question.type == "bool":
        if answer in YES:
            return True
        if answer in NO:
            return False
        raise AnswerError(f"'{text.strip()}' is geen antwoord op een ja/nee-vraag; kies ja, nee of weet niet")
    for index, value in enumerate(question.values, 1):
        if answer in (str(value).lower(), str(index)):
            return value
    raise AnswerError(f"'{text.strip()}' is geen toegestane waarde; kies uit {question.allowed()} (of het nummer), "
                      "of weet niet")


class Intake:
    """One case file under intake."""

    def __init__(self, framework: Framework, path: Path | str, display: str | None = None):
        self.framework = framework
        self.path = Path(path)
        self.display = display or str(path)
        self.case: Case = load_case(framework, self.path, self.display)  # located errors before anything else
        self.json = self.path.suffix.lower() == ".json"
        self.skipped: set[str] = set()
        self.asked = 0

    # -- reading the state
    def progress(self) -> Progress:
        result = assess(self.framework, self.case)
        found = decisive_questions(self.framework, self.case, result)
        questions = [self._question(q) for q in found if q.get("tested")]
        questions = [q for q in questions if q is not None]
        open_hvs = [p["hulpvraag"] for p in result.proposals if p["provision"] is None]
        # When no single fact (nor a pair) decides an open proposal, three or more facts decide it together:
        # then the facts the missing-facts list traces for that hulpvraag are asked, one at a time (also one
        # that is listed for a signal it decides alone: here it is asked for the proposal).
        wanted = {f"voorstel:{hv}" for hv in open_hvs}
        listed = {q.key for q in questions if wanted & set(q.changes)}
        fallback = []
        for item in result.missing_facts:
            if item["hulpvraag"] not in open_hvs or not item["fact"].startswith(("hulpvraag.", "persoon.", "casus.")):
                continue
            kind = _value_type(self.framework, self.case, item)
            question = self._question({**item, "type": kind[0] if kind else "tekst",
                                       "values": list(kind[1]) if kind else [],
                                       "changes": [f"voorstel:{item['hulpvraag']}"], "impact": "nodig_voor_voorstel"})
            if question is not None and question.key not in listed:
                listed.add(question.key)
                fallback.append(question)
        return Progress(result, questions, open_hvs, [q for q in found if not q.get("tested")], fallback)

    def next_question(self, progress: Progress) -> Question | None:
        """The question to ask now: the first (not skipped) that can change an open proposal. None when no
        answer can change an open proposal any more: the intake leads to proposals, and a question that
        decides only a right, a term or a signal is left to `kader assess --questions`."""
        waiting = [q for q in progress.questions if q.key not in self.skipped]
        wanted = {f"voorstel:{hv}" for hv in progress.open_hulpvragen}
        for question in waiting + [q for q in progress.fallback if q.key not in self.skipped]:
            if wanted & set(question.changes):
                return question
        return None

    def _question(self, item: dict) -> Question | None:
        name = item["fact"].split(".", 1)[1]
        if item["fact"].startswith("hulpvraag."):
            key = f"{item['hulpvraag']}.{name}"
        elif item["fact"].startswith("persoon."):
            who = item.get("persoon") or next((h.persoon for h in self.case.hulpvragen if h.id == item["hulpvraag"]),
                                              None)
            if who is None:
                return None
            key = f"{who}.{name}"
        else:
            key = f"casus.{name}"
        return Question(key, item["fact"], item.get("hulpvraag"), item.get("persoon"), item["question"], item["type"],
                        list(item["values"]), list(item.get("settles", [])), list(item.get("changes", [])),
                        item["impact"])

    # -- answering
    def resolve(self, key: str) -> tuple[str, str, str | None]:
        """(scope, fact name, id) for an answer key; AnswerError when it names no fact of this case."""
        owner, _, name = key.partition(".")
        if not name:
            raise AnswerError(f"'{key}': schrijf <hulpvraag>.<feit>, <persoon>.<feit> of casus.<feit>")
        if owner == "casus":
            scope = "casus"
        elif any(h.id == owner for h in self.case.hulpvragen):
            hv = next(h for h in self.case.hulpvragen if h.id == owner)
            if self.framework.fact("hulpvraag." + name, hv.domein) is not None:
                scope = "hulpvraag"
            elif self.framework.facts.get("persoon." + name) is not None:  # a person fact asked for a hulpvraag
                return "persoon", name, hv.persoon
            else:
                raise AnswerError(f"'{key}': het kader kent geen feit '{name}' voor hulpvraag {owner} ({hv.domein})")
        elif any(p.id == owner for p in self.case.personen):
            scope = "persoon"
        else:
            raise AnswerError(f"'{key}': '{owner}' is geen hulpvraag of persoon van deze casus, en niet 'casus'")
        if scope != "hulpvraag" and self.framework.facts.get(f"{scope}.{name}") is None:
            raise AnswerError(f"'{key}': het kader kent geen {scope}feit '{name}'")
        return scope, name, None if scope == "casus" else owner

    def value_for(self, key: str, text: Any) -> Any:
        """The typed value of an answer given as text (or as a YAML value from an answers file)."""
        scope, name, owner = self.resolve(key)
        domain = next((h.domein for h in self.case.hulpvragen if h.id == owner), None) if scope == "hulpvraag" else None
        info = self.framework.fact(f"{scope}.{name}", domain) or self.framework.facts.get(f"{scope}.{name}")
        if isinstance(text, bool) or (not isinstance(text, str) and text is not None):
            return text
        if info is not None and info.type == "bool":
            question = Question(key, f"{scope}.{name}", None, None, "", "bool", [True, False], [], [], "")
            return parse_answer(question, str(text))
        if info is not None and info.values:
            question = Question(key, f"{scope}.{name}", None, None, "", "keuze", list(info.values), [], [], "")
            return parse_answer(question, str(text))
        return text

    def answer(self, answers: dict[str, Any]) -> None:
        """Write typed answers into the case file (all or nothing) and reload the case."""
        if not answers:
            return
        document, style = self._read()
        root = document["case"] if "case" in document and "hulpvragen" not in document else document
        for key, value in answers.items():
            scope, name, owner = self.resolve(key)
            if isinstance(value, Decimal):  # money as a decimal string, as the case contract writes it
                value = format(value, "f")
            elif isinstance(value, _dt.date) and self.json:
                value = value.isoformat()
            if scope == "hulpvraag":
                target = next(h for h in root["hulpvragen"] if str(h.get("id")) == owner)
                feiten = target.get("feiten")
                if feiten is None:
                    target["feiten"] = feiten = _mapping(style, target)
                feiten[name] = value
            elif scope == "persoon":
                target = next(p for p in root["huishouden"]["personen"] if str(p.get("id")) == owner)
                target[name] = value
            else:
                feiten = root.get("feiten")
                if feiten is None:
                    root["feiten"] = feiten = _mapping(style, root)
                feiten[name] = value
        self.case = self._replace(self._dump(document, style))

    # -- the file
    def _read(self):
        text = self.path.read_text(encoding="utf-8")
        if self.json:
            return json.loads(text), None
        from ruamel.yaml import YAML

        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096  # never re-wrap a line the assessor wrote
        mapping, offset = _indentation(text)
        yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
        return yaml.load(text), yaml

    def _dump(self, document, yaml) -> str:
        if yaml is None:
            return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        buffer = io.StringIO()
        yaml.dump(document, buffer)
        return buffer.getvalue()

    def _replace(self, text: str) -> Case:
        """Check the new text with kader's own loader, then let it replace the case file in one step."""
        handle, temporary = tempfile.mkstemp(prefix=".kader-intake-", suffix=self.path.suffix,
                                             dir=str(self.path.parent))
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            case = load_case(self.framework, temporary, self.display)
            os.replace(temporary, self.path)
            return case
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)


def _indentation(text: str) -> tuple[int, int]:
    """(mapping indent, dash offset of a sequence under a key) as the file writes them (2 and 0 if unknown)."""
    import re

    mapping, offset = None, None
    previous = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if previous is not None and re.match(r"^\s*[\w.-]+:\s*(#.*)?$", previous[1]):
            if line.lstrip().startswith("- ") and offset is None:
                offset = indent - previous[0]
            elif mapping is None and indent > previous[0] and not line.lstrip().startswith("- "):
                mapping = indent - previous[0]
        previous = (indent, line)
    return mapping or 2, max(offset or 0, 0)


def _mapping(yaml, parent):
    """A new mapping in the style of its parent (flow inside a flow mapping, else block)."""
    if yaml is None:
        return {}
    from ruamel.yaml.comments import CommentedMap

    found = CommentedMap()
    if getattr(parent, "fa", None) is not None and parent.fa.flow_style():
        found.fa.set_flow_style()
    return found


def parse_assignment(text: str) -> tuple[str, str]:
    """`hv1.voorliggende_voorziening=nee` -> (key, value text)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise AnswerError(f"'{text}': schrijf --set <hulpvraag|persoon|casus>.<feit>=<waarde>")
    return key.strip(), value.strip()

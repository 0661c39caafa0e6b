"""Expressions in any section: parsed against the vocabulary of their place.

One unit of the loader (engine/language/loader.py composes them); it works on the Loader's state (`self`)."""

from __future__ import annotations

from typing import Any

from engine.language.expr import Context, ExpressionError, parse
from engine.language.ir import references
from engine.language.sources import Document
from engine.language.vocabulary import Vocabulary

from .common import (
    GEMEENTE,
    expression_span,
)


class ExpressionsUnit:
    def expr(self, text: str, document: Document, loc: tuple, vocabulary: Vocabulary, context: Context) -> Any:
        try:
            node = parse(text, vocabulary, context)
        except ExpressionError as exc:
            for problem in exc.problems:
                if problem.code == "E201" and problem.subject in self.broken:
                    continue  # already reported where it is declared
                self.sink.error(problem.code, problem.message, expression_span(document, loc, text, problem.col),
                                hint=problem.hint)
            return None
        if GEMEENTE in references(node):
            self.sink.error("E170", "het kader is voor alle gemeenten gelijk: een regel of formule mag niet naar "
                            f"de gemeente zelf kijken ({GEMEENTE})",
                            expression_span(document, loc, text, text.find(GEMEENTE)),
                            hint="gemeentelijke ruimte loopt via override-punten, lokale voorzieningen (niveau 1) "
                                 "en minimaregelingen in gemeenten/")
            return None
        return node

    def vocabulary(self, domain: str | None) -> Vocabulary:
        if domain is None or domain not in self.kader.domains:
            return Vocabulary({**self.symbols, **self.hulpvraag_symbols.get("kader", {})})
        symbols = {**self.symbols, **self.hulpvraag_symbols.get("kader", {}), **self.hulpvraag_symbols.get(domain, {})}
        return Vocabulary(symbols, domain, self.kader.domains[domain].onderwerpen)

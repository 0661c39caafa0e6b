"""The expression language of conditions and formulas.

Text is parsed with Python's `ast` and then checked against a whitelist: names
from the framework's vocabulary (`casus.inkomen`, `hulpvraag.onderwerp`, a
parameter such as `abonnementstarief`), literals, comparisons, `and`/`or`/`not`,
`+ - * /`, `in`, `x if c else y` (formulas only) and a few named helpers.
Anything else (calls to other functions, attribute chains, subscripts, lambdas,
comprehensions, `**`, dunders) is refused with the position of the offending
part. Nothing is ever passed to `eval` or `exec`.

The result is the IR of `engine.language.ir`; `engine.language.calc` evaluates it in Python and
`engine.language.compile` turns conditions into durable-rules conditions.
"""

from __future__ import annotations

import ast
import decimal
import difflib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from .calc import ROUNDING_MODES
from .ir import (
    BOOL,
    DECIMAAL,
    GEHEEL,
    GELD,
    LIJST,
    NUMERIC,
    TEKST,
    And,
    Arith,
    Call,
    Cmp,
    FindingRef,
    IfExp,
    In,
    Lit,
    Neg,
    Not,
    Or,
    Ref,
    type_of,
)

MAX_EXPRESSION_CHARS = 2000
MAX_NODES = 400
MAX_DEPTH = 24
MAX_INT = 10**15


@dataclass(frozen=True)
class Symbol:
    """A name an expression may read: a fact, derived fact or parameter, with its type."""

    key: str
    type: str
    kind: str  # "fact" | "derived" | "parameter" | "keyed:<persoon.naam>" (a parameter keyed by another date)
    values: tuple[str, ...] | None = None  # allowed text values (tekst) or items (lijst)


class Vocabulary(Protocol):
    def lookup(self, name: str) -> Symbol | None: ...

    def names(self) -> list[str]: ...


@dataclass(frozen=True)
class Problem:
    """A problem inside an expression; offsets are into the expression text."""

    code: str
    message: str
    lineno: int
    col: int
    hint: str | None = None
    subject: str | None = None  # the unknown name, for E201


class ExpressionError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


@dataclass(frozen=True)
class Context:
    """Where an expression is used decides what it may contain."""

    kind: str  # "condition" | "formula"
    namespaces: frozenset[str]
    allow_findings: bool
    allow_count: bool = False  # aantal(persoon.x) in household formulas


HELPERS = {
    "finding": "finding(\"naam\"): is de bevinding afgeleid (alleen in voorwaarden)",
    "aantal": "aantal(persoon.x): het aantal personen in het huishouden waarvoor x waar is",
    "aantal_kinderen": "aantal_kinderen(van, tot): het aantal kinderen met van <= leeftijd < tot",
    "min": "min(a, b, ...): de kleinste waarde",
    "max": "max(a, b, ...): de grootste waarde",
    "afronden": "afronden(x, \"cent\"): afronden volgens een genoemde regel",
}

_CMP_OPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITH_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_FORBIDDEN_NAMES = {
    ast.Lambda: "een lambda", ast.ListComp: "een comprehension", ast.SetComp: "een comprehension",
    ast.DictComp: "een comprehension", ast.GeneratorExp: "een generator", ast.Subscript: "indexering ([...])",
    ast.Starred: "uitpakken (*)", ast.JoinedStr: "een f-string", ast.NamedExpr: "toekenning (:=)",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Dict: "een mapping", ast.Set: "een verzameling",
    ast.Slice: "een slice", ast.FormattedValue: "een f-string",
}


def _suggest(name: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.75)
    return f"bedoelde u '{close[0]}'?" if close else None


class _Checker:
    def __init__(self, text: str, vocabulary: Vocabulary, context: Context):
        self.text = text
        self.lines = text.split("\n")
        self.vocabulary = vocabulary
        self.context = context
        self.problems: list[Problem] = []

    # -- helpers
    def fail(self, node: ast.AST, code: str, message: str, hint: str | None = None, subject: str | None = None) -> None:
        self.problems.append(Problem(code, message, getattr(node, "lineno", 1), getattr(node, "col_offset", 0), hint,
                                     subject))

    def source(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.text, node)
        return segment if segment is not None else ""

    # -- entry
    def check(self, node: ast.AST) -> Any:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            what = _FORBIDDEN_NAMES.get(type(node), f"'{type(node).__name__}'")
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
                what = "machtsverheffen (**)"
            self.fail(node, "E301", f"{what} is niet toegestaan in een expressie")
            return None
        return method(node)

    def visit_Expression(self, node: ast.Expression) -> Any:
        return self.check(node.body)

    def visit_Constant(self, node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, bool):
            return Lit(value, BOOL)
        if isinstance(value, int):
            if abs(value) > MAX_INT:
                self.fail(node, "E302", f"getal {value} is te groot (ten hoogste {MAX_INT})")
                return None
            return Lit(value, GEHEEL)
        if isinstance(value, float):
            text = self.source(node).replace("_", "")
            try:
                number = Decimal(text)
            except decimal.InvalidOperation:
                self.fail(node, "E302", f"ongeldig getal '{text}'")
                return None
            if not number.is_finite() or abs(number) > MAX_INT or "e" in text.lower():
                self.fail(node, "E302", f"getal '{text}' is niet toegestaan; schrijf een gewoon decimaal getal")
                return None
            return Lit(number, DECIMAAL)
        if isinstance(value, str):
            return Lit(value, TEKST)
        self.fail(node, "E301", f"waarde {value!r} is niet toegestaan in een expressie")
        return None

    def visit_List(self, node: ast.List) -> Any:
        items = []
        for element in node.elts:
            item = self.check(element)
            if item is None:
                continue
            if not isinstance(item, Lit):
                self.fail(element, "E303", "een lijst mag alleen vaste waarden bevatten")
                continue
            items.append(item)
        return tuple(items)

    visit_Tuple = visit_List

    def visit_Name(self, node: ast.Name) -> Any:
        name = node.id
        if name.startswith("__"):
            self.fail(node, "E304", f"'{name}' is niet toegestaan: namen met dubbele underscore zijn verboden")
            return None
        if name in self.context.namespaces or name in _ALL_NAMESPACES:
            self.fail(node, "E305", f"'{name}' is een groep feiten; noem een feit, bijvoorbeeld '{name}.<naam>'")
            return None
        symbol = self.vocabulary.lookup(name)
        if symbol is not None and symbol.kind.startswith("keyed:"):
            fact_key = symbol.kind[len("keyed:"):]
            self.fail(node, "E308", f"parameter '{name}' geldt niet op de peildatum maar per "
                      f"{fact_key.split('.', 1)[0]}: lees hem als '{fact_key}'", subject=name)
            return None
        if symbol is None or symbol.kind != "parameter":
            hint = _suggest(name, self.vocabulary.names())
            self.fail(node, "E201", f"onbekende naam '{name}'", hint, subject=name)
            return None
        return Ref(symbol.key, symbol.type, symbol.kind)

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        if node.attr.startswith("__"):
            self.fail(node, "E304", f"'{node.attr}' is niet toegestaan: namen met dubbele underscore zijn verboden")
            return None
        if not isinstance(node.value, ast.Name):
            self.fail(node, "E306", "alleen 'groep.feit' is toegestaan, geen langere ketens")
            return None
        namespace = node.value.id
        if namespace.startswith("__"):
            self.fail(node, "E304", f"'{namespace}' is niet toegestaan: namen met dubbele underscore zijn verboden")
            return None
        if namespace not in _ALL_NAMESPACES:
            self.fail(node, "E201", f"onbekende groep '{namespace}'",
                      _suggest(namespace, sorted(_ALL_NAMESPACES)))
            return None
        if namespace not in self.context.namespaces:
            allowed = ", ".join(sorted(self.context.namespaces))
            self.fail(node, "E307", f"'{namespace}.{node.attr}' is hier niet beschikbaar (wel: {allowed})")
            return None
        key = f"{namespace}.{node.attr}"
        symbol = self.vocabulary.lookup(key)
        if symbol is None:
            hint = _suggest(key, [n for n in self.vocabulary.names() if n.startswith(namespace + ".")])
            self.fail(node, "E201", f"onbekend feit '{key}'", hint, subject=key)
            return None
        return Ref(symbol.key, symbol.type, symbol.kind)

    def visit_BoolOp(self, node: ast.BoolOp) -> Any:
        items = []
        for value in node.values:
            item = self.check(value)
            if item is not None:
                self.expect_bool(value, item)
                items.append(item)
        if len(items) != len(node.values):
            return None
        return And(tuple(items)) if isinstance(node.op, ast.And) else Or(tuple(items))

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        item = self.check(node.operand)
        if item is None:
            return None
        if isinstance(node.op, ast.Not):
            self.expect_bool(node.operand, item)
            return Not(item)
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            if type_of(item) not in NUMERIC:
                self.fail(node, "E310", f"'-' werkt alleen op getallen, niet op {type_of(item)}")
                return None
            if isinstance(node.op, ast.UAdd):
                return item
            if isinstance(item, Lit):
                return Lit(-item.value, item.type)
            return Neg(item, type_of(item))
        self.fail(node, "E301", "deze bewerking is niet toegestaan in een expressie")
        return None

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        op = _ARITH_OPS.get(type(node.op))
        if op is None:
            what = "machtsverheffen (**)" if isinstance(node.op, ast.Pow) else f"de bewerking '{type(node.op).__name__}'"
            self.fail(node, "E301", f"{what} is niet toegestaan in een expressie")
            return None
        left, right = self.check(node.left), self.check(node.right)
        if left is None or right is None:
            return None
        lt, rt = type_of(left), type_of(right)
        if lt not in NUMERIC or rt not in NUMERIC:
            self.fail(node, "E310", f"'{op}' werkt alleen op getallen, niet op {lt} en {rt}")
            return None
        return Arith(op, left, right, _arith_type(op, lt, rt))

    def visit_Compare(self, node: ast.Compare) -> Any:
        parts = []
        left_node = node.left
        left = self.check(left_node)
        for op_node, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.check(right_node)
            if left is not None and right is not None:
                part = self.compare(node, op_node, left_node, left, right_node, right)
                if part is not None:
                    parts.append(part)
                else:
                    return None
            else:
                return None
            left_node, left = right_node, right
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def compare(self, node, op_node, left_node, left, right_node, right) -> Any:
        if isinstance(op_node, (ast.In, ast.NotIn)):
            negated = isinstance(op_node, ast.NotIn)
            if isinstance(right, tuple):
                if not right:
                    self.fail(right_node, "E311", "een lege lijst na 'in' is altijd onwaar")
                    return None
                for option in right:
                    self.expect_comparable(node, left, option, "==")
                    self.check_allowed_value(right_node, left, option)
                return In(left, right, negated)
            if isinstance(right, Ref) and right.type == LIJST:
                if not (isinstance(left, Lit) and left.type == TEKST):
                    self.fail(left_node, "E312", "vóór 'in <lijst>' moet een vaste tekst staan, zoals \"schulden\"")
                    return None
                self.check_allowed_value(left_node, right, left)
                return In(left, right, negated)
            self.fail(right_node, "E312", "na 'in' moet een lijst staan, zoals [\"a\", \"b\"], of een lijst-feit")
            return None
        op = _CMP_OPS.get(type(op_node))
        if op is None:
            self.fail(node, "E301", "'is' en 'is not' zijn niet toegestaan; gebruik == of !=")
            return None
        if isinstance(left, tuple) or isinstance(right, tuple):
            self.fail(node, "E312", "een lijst kan alleen na 'in' staan")
            return None
        if not self.expect_comparable(node, left, right, op):
            return None
        if isinstance(right, Lit):
            self.check_allowed_value(right_node, left, right)
        if isinstance(left, Lit):
            self.check_allowed_value(left_node, right, left)
        return Cmp(op, left, right)

    def visit_IfExp(self, node: ast.IfExp) -> Any:
        if self.context.kind != "formula":
            self.fail(node, "E313", "'x if voorwaarde else y' is alleen toegestaan in formules, niet in voorwaarden")
            return None
        test, then, orelse = self.check(node.test), self.check(node.body), self.check(node.orelse)
        if test is None or then is None or orelse is None:
            return None
        self.expect_bool(node.test, test)
        tt, et = type_of(then), type_of(orelse)
        if tt == et:
            kind = tt
        elif tt in NUMERIC and et in NUMERIC:
            kind = _unify_numeric(tt, et)
        else:
            self.fail(node, "E314", f"beide takken moeten van hetzelfde soort zijn, niet {tt} en {et}")
            return None
        return IfExp(test, then, orelse, kind)

    def visit_Call(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Name):
            for inner in ast.walk(node.func):
                name = inner.id if isinstance(inner, ast.Name) else inner.attr if isinstance(inner, ast.Attribute) else ""
                if name.startswith("__"):
                    self.fail(inner, "E304", f"'{name}' is niet toegestaan: namen met dubbele underscore zijn verboden")
            shown = self.source(node.func)
            self.fail(node, "E315", f"'{shown}(...)' is geen hulpfunctie; alleen " + ", ".join(sorted(HELPERS))
                      + " mogen aangeroepen worden")
            return None
        name = node.func.id
        if name.startswith("__"):
            self.fail(node, "E304", f"'{name}' is niet toegestaan: namen met dubbele underscore zijn verboden")
            return None
        if name not in HELPERS:
            self.fail(node, "E315", f"onbekende functie '{name}'; toegestaan zijn alleen " + ", ".join(sorted(HELPERS)),
                      _suggest(name, sorted(HELPERS)))
            return None
        if node.keywords:
            self.fail(node, "E316", f"{name}(...) kent geen benoemde argumenten")
            return None
        if name == "finding":
            if not self.context.allow_findings:
                self.fail(node, "E317", "finding(...) kan hier niet: bevindingen bestaan pas na de afleiding")
                return None
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
                self.fail(node, "E316", "finding(...) verwacht één naam tussen aanhalingstekens, zoals finding(\"netwerk_toereikend\")")
                return None
            return FindingRef(node.args[0].value, node.col_offset)
        if name == "aantal":
            if not self.context.allow_count:
                self.fail(node, "E317", "aantal(...) kan alleen in formules voor het huishouden of de casus")
                return None
            if len(node.args) != 1:
                self.fail(node, "E316", "aantal(...) verwacht één persoonsfeit, zoals aantal(persoon.kostendeler)")
                return None
            saved = self.context
            self.context = Context(saved.kind, saved.namespaces | {"persoon"}, saved.allow_findings, True)
            arg = self.check(node.args[0])
            self.context = saved
            if arg is None:
                return None
            if not (isinstance(arg, Ref) and arg.key.startswith("persoon.") and arg.type == BOOL):
                self.fail(node.args[0], "E316", "aantal(...) verwacht een ja/nee-feit van een persoon, zoals persoon.kostendeler")
                return None
            return Call("aantal", (arg,), GEHEEL)
        if name == "aantal_kinderen":
            if not self.context.allow_count:
                self.fail(node, "E317", "aantal_kinderen(...) kan alleen in formules voor het huishouden of de casus")
                return None
            ages = [a.value for a in node.args if isinstance(a, ast.Constant) and type(a.value) is int]
            if len(node.args) != 2 or len(ages) != 2 or not 0 <= ages[0] < ages[1] <= 120:
                self.fail(node, "E316", "aantal_kinderen(van, tot) verwacht twee leeftijden, zoals aantal_kinderen(6, 18)")
                return None
            return Call("aantal_kinderen", (Lit(ages[0], GEHEEL), Lit(ages[1], GEHEEL)), GEHEEL)
        args = [self.check(a) for a in node.args]
        if any(a is None for a in args):
            return None
        if name in ("min", "max"):
            if len(args) < 2:
                self.fail(node, "E316", f"{name}(...) verwacht ten minste twee getallen")
                return None
            kinds = [type_of(a) for a in args]
            if any(k not in NUMERIC for k in kinds):
                self.fail(node, "E310", f"{name}(...) werkt alleen op getallen")
                return None
            kind = kinds[0]
            for other in kinds[1:]:
                kind = _unify_numeric(kind, other)
            return Call(name, tuple(args), kind)
        # afronden
        if len(args) != 2 or not (isinstance(args[1], Lit) and args[1].type == TEKST):
            self.fail(node, "E316", "afronden(...) verwacht een getal en een afrondingsregel, zoals afronden(x, \"cent\")")
            return None
        if args[1].value not in ROUNDING_MODES:
            self.fail(node.args[1], "E318", f"onbekende afrondingsregel '{args[1].value}'; kies uit " + ", ".join(ROUNDING_MODES),
                      _suggest(args[1].value, list(ROUNDING_MODES)))
            return None
        if type_of(args[0]) not in NUMERIC:
            self.fail(node, "E310", "afronden(...) werkt alleen op getallen")
            return None
        kind = GELD if args[1].value.startswith(("cent", "euro")) and type_of(args[0]) == GELD else type_of(args[0])
        return Call("afronden", (args[0], args[1]), kind)

    # -- type checks
    def expect_bool(self, node: ast.AST, item: Any) -> None:
        if isinstance(item, tuple) or type_of(item) != BOOL:
            shown = "een lijst" if isinstance(item, tuple) else type_of(item)
            self.fail(node, "E320", f"hier wordt ja/nee verwacht, maar '{self.source(node)}' is {shown}")

    def expect_comparable(self, node: ast.AST, left: Any, right: Any, op: str) -> bool:
        lt, rt = type_of(left), type_of(right)
        if lt in NUMERIC and rt in NUMERIC:
            return True
        if lt != rt:
            self.fail(node, "E321", f"'{self.source(node)}' vergelijkt {lt} met {rt}")
            return False
        if op not in ("==", "!=") and lt in (TEKST, BOOL, LIJST):
            self.fail(node, "E322", f"'{op}' werkt niet op {lt}; gebruik == of !=")
            return False
        return True

    def check_allowed_value(self, node: ast.AST, ref: Any, literal: Any) -> None:
        if not isinstance(ref, Ref) or not isinstance(literal, Lit) or literal.type != TEKST:
            return
        symbol = self.vocabulary.lookup(ref.key)
        if symbol is None or not symbol.values:
            return
        if literal.value not in symbol.values:
            self.fail(node, "E323", f"'{literal.value}' is geen toegestane waarde van {ref.key}",
                      _suggest(literal.value, list(symbol.values)) or "toegestaan: " + ", ".join(symbol.values))


_ALL_NAMESPACES = frozenset({"casus", "huishouden", "persoon", "aanvrager", "partner", "hulpvraag"})


def _unify_numeric(a: str, b: str) -> str:
    if GELD in (a, b):
        return GELD
    if DECIMAAL in (a, b):
        return DECIMAAL
    return GEHEEL


def _arith_type(op: str, lt: str, rt: str) -> str:
    if op == "/":
        return GELD if lt == GELD and rt != GELD else DECIMAAL
    if op == "*" and lt == GELD and rt == GELD:
        return DECIMAAL
    return _unify_numeric(lt, rt)


def _count_and_depth(tree: ast.AST) -> tuple[int, int]:
    count = 0
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        deepest = max(deepest, depth)
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1))
    return count, deepest


def parse(text: Any, vocabulary: Vocabulary, context: Context) -> Any:
    """Parse and check an expression; raises ExpressionError with every problem found."""
    if not isinstance(text, str):
        raise ExpressionError([Problem("E300", "hier wordt een expressie als tekst verwacht", 1, 0)])
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionError([Problem("E330", f"expressie is te lang ({len(text)} tekens; ten hoogste {MAX_EXPRESSION_CHARS})", 1, 0)])
    source = text.strip()
    if not source:
        raise ExpressionError([Problem("E300", "lege expressie", 1, 0)])
    depth = 0
    deepest = 0
    for char in source:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    if deepest > MAX_DEPTH:
        raise ExpressionError([Problem("E331", f"expressie is te diep genest (meer dan {MAX_DEPTH} haakjes)", 1, 0)])
    # Columns are reported as offsets into `text`; the expression is parsed on one line.
    offset = len(text) - len(text.lstrip())
    flat = source.replace("\n", " ")
    try:
        tree = ast.parse(flat, mode="eval")
    except SyntaxError as exc:
        col = max((exc.offset or 1) - 1, 0) + offset
        raise ExpressionError([Problem("E300", f"ongeldige expressie: {_syntax_message(exc)}", 1, col)]) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError([Problem("E331", "expressie is te complex", 1, 0)]) from None
    count, deepest = _count_and_depth(tree)
    if count > MAX_NODES:
        raise ExpressionError([Problem("E330", f"expressie is te groot ({count} delen; ten hoogste {MAX_NODES})", 1, 0)])
    if deepest > MAX_DEPTH * 2:
        raise ExpressionError([Problem("E331", "expressie is te diep genest", 1, 0)])
    checker = _Checker(flat, vocabulary, context)
    result = checker.check(tree)
    if checker.problems:
        problems = [Problem(p.code, p.message, 1, p.col + offset, p.hint, p.subject) for p in checker.problems]
        raise ExpressionError(problems)
    if isinstance(result, tuple):
        raise ExpressionError([Problem("E312", "een lijst kan alleen na 'in' staan", 1, offset)])
    return result


def _syntax_message(exc: SyntaxError) -> str:
    message = exc.msg or "syntaxfout"
    translations = {
        "invalid syntax": "syntaxfout",
        "unexpected EOF while parsing": "expressie is onvolledig",
        "'(' was never closed": "'(' wordt niet gesloten",
        "unmatched ')'": "')' zonder bijbehorend '('",
    }
    for english, dutch in translations.items():
        if message.startswith(english):
            return dutch + message[len(english):]
    return message

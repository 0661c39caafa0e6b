"""The checked form of an expression (IR), shared by evaluation, compilation and explanation.

Value types are Dutch, as the framework writes them: `bool`, `geheel` (whole
number), `geld` (money, `Decimal` with two decimals), `decimaal`, `tekst`,
`datum` and `lijst`. A fact the case does not give is `UNKNOWN`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BOOL, GEHEEL, GELD, DECIMAAL, TEKST, DATUM, LIJST = "bool", "geheel", "geld", "decimaal", "tekst", "datum", "lijst"
TYPES = (BOOL, GEHEEL, GELD, DECIMAAL, TEKST, DATUM, LIJST)
NUMERIC = frozenset({GEHEEL, GELD, DECIMAAL})


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ONBEKEND"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value; test with `is UNKNOWN`")


UNKNOWN = _Unknown()


@dataclass(frozen=True, slots=True)
class Lit:
    """A literal value of the expression language, with its type."""

    value: Any
    type: str


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to a fact, derived fact or parameter."""

    key: str  # "casus.inkomen", "persoon.leeftijd", or a bare parameter name
    type: str
    kind: str  # "fact" | "derived" | "parameter"


@dataclass(frozen=True, slots=True)
class FindingRef:
    """A `finding("...")` reference of a condition, at its offset in the text."""

    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class Not:
    """`not` of a condition."""

    item: Any


@dataclass(frozen=True, slots=True)
class And:
    """`and` of conditions."""

    items: tuple


@dataclass(frozen=True, slots=True)
class Or:
    """`or` of conditions."""

    items: tuple


@dataclass(frozen=True, slots=True)
class Cmp:
    """A comparison of two values."""

    op: str
    left: Any
    right: Any


@dataclass(frozen=True, slots=True)
class In:
    """`in` (or `not in`) a list of values."""

    item: Any
    options: Any  # tuple[Lit] or Ref of type lijst
    negated: bool


@dataclass(frozen=True, slots=True)
class Arith:
    """Arithmetic on two values."""

    op: str
    left: Any
    right: Any
    type: str


@dataclass(frozen=True, slots=True)
class Neg:
    """The negative of a value."""

    item: Any
    type: str


@dataclass(frozen=True, slots=True)
class Call:
    """A call of a built-in function of the expression language."""

    name: str
    args: tuple
    type: str


@dataclass(frozen=True, slots=True)
class IfExp:
    """A value chosen by a condition."""

    test: Any
    then: Any
    orelse: Any
    type: str


@dataclass(frozen=True, slots=True)
class Undetermined:
    """The value of a derived fact's case `onbepaald`: the law leaves the value undetermined by the facts the case
    gives (e.g. a presumption the case contradicts). It evaluates as UNKNOWN; `reason` says why and what would
    decide it, `legal_basis` where the law says so (docs/rule-language.md)."""
    reason: str
    legal_basis: str
    type: str


def type_of(node: Any) -> str:
    if isinstance(node, (Lit, Ref, Arith, Neg, Call, IfExp, Undetermined)):
        return node.type
    return BOOL




def walk(node: Any):
    """Every IR node below (and including) `node`."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, tuple):
            stack.extend(current)
            continue
        yield current
        if isinstance(current, (Not,)):
            stack.append(current.item)
        elif isinstance(current, (And, Or)):
            stack.extend(current.items)
        elif isinstance(current, (Cmp, Arith)):
            stack.extend((current.left, current.right))
        elif isinstance(current, In):
            stack.append(current.item)
            stack.append(current.options)
        elif isinstance(current, Neg):
            stack.append(current.item)
        elif isinstance(current, Call):
            stack.extend(current.args)
        elif isinstance(current, IfExp):
            stack.extend((current.test, current.then, current.orelse))


def references(node: Any) -> set[str]:
    return {n.key for n in walk(node) if isinstance(n, Ref)}


def findings(node: Any) -> list[FindingRef]:
    return [n for n in walk(node) if isinstance(n, FindingRef)]


def has_division(node: Any) -> bool:
    return any(isinstance(n, Arith) and n.op in ("*", "/") for n in walk(node))


def render(node: Any) -> str:
    """Readable text of an IR node, for explanations."""
    if isinstance(node, Lit):
        if node.type == TEKST:
            return f'"{node.value}"'
        if node.type == BOOL:
            return "waar" if node.value else "onwaar"
        return str(node.value)
    if isinstance(node, Ref):
        return node.key
    if isinstance(node, FindingRef):
        return f'finding("{node.name}")'
    if isinstance(node, Not):
        return f"niet ({render(node.item)})"
    if isinstance(node, And):
        return " en ".join(render(i) for i in node.items)
    if isinstance(node, Or):
        return "(" + " of ".join(render(i) for i in node.items) + ")"
    if isinstance(node, Cmp):
        return f"{render(node.left)} {node.op} {render(node.right)}"
    if isinstance(node, In):
        options = node.options
        shown = "[" + ", ".join(render(o) for o in options) + "]" if isinstance(options, tuple) else render(options)
        return f"{render(node.item)} {'niet in' if node.negated else 'in'} {shown}"
    if isinstance(node, Arith):
        return f"({render(node.left)} {node.op} {render(node.right)})"
    if isinstance(node, Neg):
        return f"-{render(node.item)}"
    if isinstance(node, Call):
        return f"{node.name}(" + ", ".join(render(a) for a in node.args) + ")"
    if isinstance(node, IfExp):
        return f"({render(node.then)} als {render(node.test)} anders {render(node.orelse)})"
    if isinstance(node, Undetermined):
        return f"onbepaald ({node.legal_basis})"
    return repr(node)

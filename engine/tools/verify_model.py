"""Translate the framework's conditions and derived facts into z3 terms over one household (for `kader verify`).

One `HouseholdModel` is a household of a fixed shape for one domain, municipality and peildatum: an aanvrager,
an optional partner and `extra` other persons (each a kind or huisgenoot, present or not), one hulpvraag in the
domain with its onderwerp free among the domain's onderwerpen, the casus facts, the income per income kind and the
vermogen. Every fact a case may leave out has a Bool "known": three-valued logic (Kleene, as `engine.language.calc`) is
encoded as two Bools per condition, `t` (certainly true: the rule fires) and `f` (certainly false).

Numbers are exact: whole numbers are z3 Int, money is an Int number of cents, decimals are Real (rationals);
ages come from a number of months before the peildatum, so parameters keyed by the birth date (the AOW age) are
read at the birth date the witness will carry. Parameters are the values in force on the peildatum with the
municipality's overrides; a parameter without a value (te verifiëren) is unknown.

What the translation does not cover raises `Untranslatable` with the reason; the caller reports it per rule.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import z3
from dateutil.relativedelta import relativedelta

from engine.evaluation.facts import _parameters
from engine.language.framework import INTEGRAAL, Framework
from engine.language.ir import (
    BOOL,
    DATUM,
    GELD,
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
    Undetermined,
)
from engine.language.registry import BUILTINS, INKOMENSSOORTEN, VERWIJZERS, WOONSITUATIES

MAX_MONTHS = 110 * 12  # the oldest person a witness may have
# Declared whole numbers, amounts and decimals (counts, months, costs) are taken as 0 or more: the case contract
# accepts a negative value for them, but no household has -3 months of low income. Proofs hold for such households.
NONNEGATIVE = True
CASE_PERSON_FIELDS = ("beperkt", "studiefinanciering", "commerciele_huurder", "rechtmatig_verblijf")


class Untranslatable(Exception):
    """A part of the language the translation does not cover (the message is the reason, in Dutch)."""


@dataclass
class B:
    """A condition in three-valued logic: t = certainly true, f = certainly false."""

    t: Any
    f: Any


@dataclass
class V:
    """A value and whether it is known; `kind` is "num", "enum" (an interned text) or "list"."""

    v: Any
    k: Any
    kind: str = "num"


TRUE, FALSE = z3.BoolVal(True), z3.BoolVal(False)


def _real(value: Any) -> Any:
    if isinstance(value, bool):
        raise Untranslatable("ja/nee gebruikt als getal")
    if isinstance(value, int):
        return z3.IntVal(value)
    fraction = Fraction(Decimal(value))
    return z3.RealVal(f"{fraction.numerator}/{fraction.denominator}")


def _to_real(value: Any) -> Any:
    return z3.ToReal(value) if z3.is_int(value) else value


class HouseholdModel:
    """The z3 variables and translated terms of one household; see the module docstring."""

    def __init__(self, framework: Framework, domain: str, gemeente: str, peildatum: _dt.date, extra: int = 2,
                 room: str | None = None, strings: dict[str, int] | None = None):
        self.fw, self.domain, self.gemeente, self.peildatum = framework, domain, gemeente, peildatum
        self.constraints: list[Any] = []
        self.known_vars: list[Any] = []  # every "known" Bool of a fact a case gives (for "every fact known")
        self.strings: dict[str, int] = {} if strings is None else strings
        # room: the override points are free within their declared bounds (variables named <parameter>@<room>), and
        # casus.gemeente is free among the profiles; two models with different `room` share every household fact
        self.room = room
        self.symbolic: dict[str, Any] = {}
        self.slots = 2 + extra
        self._derived = {d.key: d for d in framework.derived}
        self._memo: dict[tuple, Any] = {}
        self._finding_stack: list[str] = []
        self.untranslated: dict[str, str] = {}
        values, _, pending = _parameters(framework, gemeente, peildatum)
        self.params, self.pending = values, pending
        self._build()
        if room is not None:
            self._room(room)

    def _room(self, room: str) -> None:
        for name, parameter in self.fw.parameters.items():
            override = parameter.override
            if override is None or not override.allowed or parameter.key != "peildatum":
                continue
            var = z3.Int(f"{name}@{room}") if parameter.type == "geheel" else z3.Real(f"{name}@{room}")
            framework_value = parameter.at(self.peildatum)
            if override.min is not None:
                self.constraints.append(var >= _real(override.min))
            if override.max is not None:
                self.constraints.append(var <= _real(override.max))
            if override.min_kaderwaarde and framework_value is not None:
                self.constraints.append(var >= _real(framework_value[0]))
            if parameter.type == "geld":
                cents = z3.Int(f"{name}@{room}_cent")
                self.constraints.append(var * 100 == z3.ToReal(cents))
            self.symbolic[name] = var
        self.gemeente_var = z3.Int(f"gemeente@{room}")
        self.constraints.append(z3.Or([self.gemeente_var == self.intern(g) for g in self.fw.profiles]))

    # ------------------------------------------------------------------ variables
    def intern(self, text: str) -> Any:
        return z3.IntVal(self.strings.setdefault(text, len(self.strings) + 1))

    def text_of(self, number: int) -> str | None:
        return next((s for s, n in self.strings.items() if n == number), None)

    def _fact_var(self, name: str, type_: str, values, default, person_slot: int | None = None) -> V:
        if type_ == BOOL:
            v = z3.Bool(name)
        elif type_ == TEKST:
            v = z3.Int(name)
            self.constraints.append(z3.Or([v == self.intern(x) for x in values]))
        elif type_ == GELD:
            v = z3.Int(name + "_cent")  # declared amounts (costs) are not negative: see NONNEGATIVE
            self.constraints.append(z3.And(v >= 0, v <= 10**9))
            return self._known(name, default, V(_to_real(v) / 100, None), raw=v, type_=type_)
        elif type_ == "geheel":
            v = z3.Int(name)
            self.constraints.append(z3.And(v >= 0, v <= 10**6))
        elif type_ == "decimaal":
            v = z3.Real(name)
            self.constraints.append(v >= 0)
        else:
            raise Untranslatable(f"feit {name} van type {type_}")
        return self._known(name, default, V(v, None, "enum" if type_ == TEKST else "num"), raw=v, type_=type_)

    def _known(self, name: str, default, value: V, raw, type_: str) -> V:
        self.vars[name] = (raw, type_)
        if default is not None:
            self.defaults[name] = default
        if default is not None:
            value.k = TRUE  # a case that leaves it out gets the default: always known
        else:
            k = z3.Bool(name + "?")
            self.vars[name + "?"] = (k, "known")
            value.k = k
        return value

    def _build(self) -> None:
        fw = self.fw
        self.vars: dict[str, tuple[Any, str]] = {}
        self.defaults: dict[str, Any] = {}
        S = self.slots
        self.present = [TRUE, z3.Bool("partner_aanwezig")] + [z3.Bool(f"persoon{i}_aanwezig") for i in range(2, S)]
        self.is_kind = [FALSE, FALSE] + [z3.Bool(f"persoon{i}_is_kind") for i in range(2, S)]
        self.months = [z3.Int(f"persoon{i}_maanden") for i in range(S)]
        self.years = [z3.Int(f"persoon{i}_jaren") for i in range(S)]
        for m, y in zip(self.months, self.years, strict=True):
            self.constraints += [m >= 0, m <= MAX_MONTHS, 12 * y <= m, m <= 12 * y + 11]
        self.hv_slot = z3.Int("hulpvraag_persoon")
        self.constraints += [self.hv_slot >= 0, self.hv_slot < S,
                             z3.Or([z3.And(self.hv_slot == i, self.present[i]) for i in range(S)])]
        # person facts: the contract's flags and the declared persoon facts
        self.person_facts: list[dict[str, V]] = []
        declared = [(k, i.type, i.values, i.default) for k, i in fw.facts.items()
                    if k.startswith("persoon.") and i.declared_in is not None]
        builtin = [(f"persoon.{n}", BOOL, None, BUILTINS[f"persoon.{n}"].default) for n in CASE_PERSON_FIELDS]
        for i in range(S):
            facts: dict[str, V] = {}
            for key, type_, values, default in builtin + declared:
                if type_ == DATUM:
                    continue
                fact = self._fact_var(f"p{i}.{key[8:]}", type_, values, default)
                facts[key] = fact
                if fact.k is not TRUE:
                    self.known_vars.append(z3.Implies(self.present[i], fact.k))
            facts["persoon.rol"] = V(z3.If(self.is_kind[i], self.intern("kind"), self.intern(
                ("aanvrager", "partner")[i] if i < 2 else "huisgenoot")), TRUE, "enum")
            facts["persoon.leeftijd"] = V(self.years[i], TRUE)
            facts["persoon.leeftijd_maanden"] = V(self.months[i], TRUE)
            for key, name in fw.keyed.items():
                facts[key] = self._keyed(name, self.months[i])
            self.person_facts.append(facts)
        # hulpvraag
        self.onderwerp = z3.Int("onderwerp")
        onderwerpen = fw.domains[self.domain].onderwerpen if self.domain != INTEGRAAL else ()
        if onderwerpen:
            self.constraints.append(z3.Or([self.onderwerp == self.intern(o) for o in onderwerpen]))
        self.hv_facts: dict[str, V] = {}
        for key, info in fw.hulpvraag_facts.get(self.domain, {}).items():
            if info.type == DATUM:
                continue
            fact = self._fact_var("hv." + key[10:], info.type, info.values, info.default)
            self.hv_facts[key] = fact
            if fact.k is not TRUE:
                self.known_vars.append(fact.k)
        verwijzer = z3.Int("hv.verwijzer")
        self.constraints.append(z3.Or([verwijzer == self.intern(x) for x in VERWIJZERS]))
        self.vars["hv.verwijzer"] = (verwijzer, TEKST)
        self.hv_facts["hulpvraag.verwijzer"] = V(verwijzer, TRUE, "enum")
        self.hv_facts["hulpvraag.onderwerp"] = V(self.onderwerp, TRUE, "enum")
        self.hv_facts["hulpvraag.domein"] = V(self.intern(self.domain), TRUE, "enum")
        # casus
        self.casus: dict[str, V] = {}
        for key, info in fw.facts.items():
            if key.startswith("casus.") and info.declared_in is not None and info.type != DATUM:
                fact = self._fact_var("c." + key[6:], info.type, info.values, info.default)
                self.casus[key] = fact
                if fact.k is not TRUE:
                    self.known_vars.append(fact.k)
        self.signalen = {s: z3.Bool("signaal." + s) for s in fw.case_signals}
        self.domeinen = {d: (TRUE if d == self.domain else z3.Bool("domein." + d)) for d in fw.domains}
        if self.domain == INTEGRAAL:
            self.constraints.append(z3.Or(list(self.domeinen.values())))
        self.melding = z3.Bool("melding_ontvangen")
        self.aanvraag = z3.Bool("aanvraag_ontvangen")
        self.dagen_melding = z3.Int("dagen_sinds_melding")
        self.dagen_aanvraag = z3.Int("dagen_melding_tot_aanvraag")
        # a melddatum up to ten years before the peildatum, an aanvraagdatum between melddatum and peildatum (or, without
        # a melddatum, on the peildatum: only casus.aanvraag_ontvangen and the day count read it)
        self.constraints += [self.dagen_melding >= 0, self.dagen_melding <= 3650, self.dagen_aanvraag >= 0,
                             self.dagen_aanvraag <= self.dagen_melding]
        self.inkomen_known = z3.Bool("inkomen?")
        self.known_vars.append(self.inkomen_known)
        self.income = {s: z3.Int("inkomen." + s) for s in INKOMENSSOORTEN}  # cents, of the aanvrager
        self.income_other = z3.Int("inkomen.huisgenoot")  # cents, of a kind or huisgenoot (not the gezin)
        self.constraints += [x >= 0 for x in self.income.values()] + [x <= 10**8 for x in self.income.values()]
        self.constraints += [self.income_other >= 0, self.income_other <= 10**8,
                             z3.Implies(z3.Not(z3.Or([self.present[i] for i in range(2, S)])), self.income_other == 0)]
        # persoon.inkomen (what counts as middelen for bijstand, per person): the gezin's counted income split
        # between aanvrager and partner, the income of a kind or huisgenoot split over the other persons present
        counted = [s for s in INKOMENSSOORTEN if fw.inkomenssoorten.get(s, {}).get("bijstand", True)]
        gezin = z3.Sum([self.income[s] for s in counted]) if counted else z3.IntVal(0)
        share = [z3.Int(f"p{i}.inkomen") for i in range(S)]
        self.constraints += [x >= 0 for x in share] + [share[0] + share[1] == gezin,
                                                       z3.Implies(z3.Not(self.present[1]), share[1] == 0)]
        if S > 2:
            self.constraints.append(z3.Sum(share[2:]) == self.income_other)
            self.constraints += [z3.Implies(z3.Not(self.present[i]), share[i] == 0) for i in range(2, S)]
        for i in range(S):
            self.person_facts[i]["persoon.inkomen"] = V(_to_real(share[i]) / 100, self.inkomen_known)
        self.vermogen_known = z3.Bool("vermogen?")
        self.known_vars.append(self.vermogen_known)
        self.vermogen = z3.Int("vermogen_cent")
        self.constraints += [self.vermogen >= -10**9, self.vermogen <= 10**9]
        self.woonsituatie = z3.Int("woonsituatie")
        self.woonsituatie_known = z3.Bool("woonsituatie?")
        self.known_vars.append(self.woonsituatie_known)
        self.constraints.append(z3.Or([self.woonsituatie == self.intern(w) for w in WOONSITUATIES]))

    def _keyed(self, name: str, months: Any) -> V:
        """A parameter keyed by the birth date, read at the birth date peildatum minus `months` months."""
        parameter = self.fw.parameters[name]
        runs: list[tuple[int, int, Decimal]] = []
        for m in range(MAX_MONTHS + 1):
            entry = parameter.at(self.peildatum - relativedelta(months=m))
            if entry is None:
                continue
            if runs and runs[-1][1] == m - 1 and runs[-1][2] == entry[0]:
                runs[-1] = (runs[-1][0], m, entry[0])
            else:
                runs.append((m, m, entry[0]))
        value: Any = z3.IntVal(0)
        known: Any = FALSE
        for low, high, amount in runs:
            inside = z3.And(months >= low, months <= high)
            value = z3.If(inside, _real(int(amount) if parameter.type == "geheel" else amount), value)
            known = z3.Or(known, inside)
        return V(value, known)

    # ------------------------------------------------------------------ lookups
    def person(self, key: str, ctx: str) -> V:
        """`persoon.x` in context `ctx`: "hv" (the hulpvraag's person), "pN" (person slot N)."""
        if ctx.startswith("p"):
            return self._slot_fact(int(ctx[1:]), key)
        if ctx != "hv":
            raise Untranslatable(f"'{key}' buiten een hulpvraag of persoon")
        parts = [self._slot_fact(i, key) for i in range(self.slots)]
        if isinstance(parts[0], B):
            t, f = parts[-1].t, parts[-1].f
            for i in range(self.slots - 2, -1, -1):
                t, f = z3.If(self.hv_slot == i, parts[i].t, t), z3.If(self.hv_slot == i, parts[i].f, f)
            return B(t, f)
        value, known = parts[-1].v, parts[-1].k
        for i in range(self.slots - 2, -1, -1):
            value = z3.If(self.hv_slot == i, parts[i].v, value)
            known = z3.If(self.hv_slot == i, parts[i].k, known)
        return V(value, known, parts[0].kind)

    def _slot_fact(self, slot: int, key: str) -> V:
        facts = self.person_facts[slot]
        if key in facts:
            return facts[key]
        if key in self._derived:
            return self.derived(key, f"p{slot}")
        raise Untranslatable(f"onbekend persoonsfeit {key}")

    def lookup(self, ref: Ref, ctx: str) -> Any:
        key = ref.key
        if ref.kind == "parameter" and "." not in key:
            if key in self.symbolic:
                return V(self.symbolic[key], TRUE)
            if key in self.params:
                return V(_real(self.params[key]), TRUE)
            return V(z3.IntVal(0), FALSE)  # no value on the peildatum (te verifiëren or none): unknown
        head, _, rest = key.partition(".")
        if head == "persoon":
            return self.person(key, ctx)
        if head in ("aanvrager", "partner"):
            slot = 0 if head == "aanvrager" else 1
            fact = self._slot_fact(slot, "persoon." + rest)
            if slot == 1 and isinstance(fact, B):
                return B(z3.And(self.present[1], fact.t), z3.And(self.present[1], fact.f))
            if slot == 1:
                return V(fact.v, z3.And(self.present[1], fact.k), fact.kind)
            return fact
        if key in self._derived:
            return self.derived(key, ctx if ctx.startswith("p") and key.startswith("persoon.") else "base")
        if head == "hulpvraag":
            if ctx != "hv":
                raise Untranslatable(f"'{key}' buiten een hulpvraag")
            if key in self.hv_facts:
                return self.hv_facts[key]
            raise Untranslatable(f"hulpvraagfeit {key} hoort niet bij domein {self.domain}")
        if key in self.casus:
            return self.casus[key]
        builtin = self._builtin(key)
        if builtin is not None:
            return builtin
        raise Untranslatable(f"feit {key} wordt niet vertaald")

    def _builtin(self, key: str) -> V | None:
        S, present = self.slots, self.present
        adult = [z3.And(present[i], self.years[i] >= 18) for i in range(S)]
        kinds = [z3.And(present[i], self.is_kind[i]) for i in range(S)]

        def count(items) -> Any:
            return z3.Sum([z3.If(x, 1, 0) for x in items])
        if key == "huishouden.aantal_personen":
            return V(count(present), TRUE)
        if key == "huishouden.aantal_volwassenen":
            return V(count(adult), TRUE)
        if key == "huishouden.aantal_kinderen":
            return V(count(kinds), TRUE)
        if key == "huishouden.aantal_minderjarige_kinderen":
            return V(count([z3.And(kinds[i], self.years[i] < 18) for i in range(S)]), TRUE)
        if key == "huishouden.heeft_partner":
            return V(present[1], TRUE, "bool")
        if key == "huishouden.jongste_kind_leeftijd":
            value: Any = z3.IntVal(200)
            for i in range(S):
                value = z3.If(z3.And(kinds[i], self.years[i] < value), self.years[i], value)
            return V(value, z3.Or(kinds))
        if key == "huishouden.woonsituatie":
            return V(self.woonsituatie, self.woonsituatie_known, "enum")
        if key == "casus.gemeente":
            if self.room is not None:
                return V(self.gemeente_var, TRUE, "enum")
            return V(self.intern(self.gemeente), TRUE, "enum")
        if key == "casus.signalen":
            return V(self.signalen, TRUE, "list")
        if key == "casus.domeinen":
            return V(self.domeinen, TRUE, "list")
        if key == "casus.aantal_domeinen":
            return V(count(list(self.domeinen.values())), TRUE)
        if key == "casus.melding_ontvangen":
            return V(self.melding, TRUE, "bool")
        if key == "casus.aanvraag_ontvangen":
            return V(self.aanvraag, TRUE, "bool")
        if key == "casus.dagen_sinds_melding":
            return V(self.dagen_melding, self.melding)
        if key == "casus.dagen_melding_tot_aanvraag":
            return V(self.dagen_aanvraag, z3.And(self.melding, self.aanvraag))
        if key == "casus.vermogen":
            return V(_to_real(self.vermogen) / 100, self.vermogen_known)
        purposes = {"casus.inkomen": "bijstand", "casus.inkomen_bijzondere_bijstand": "bijzondere_bijstand",
                    "casus.inkomen_minima": "minima", "casus.inkomen_wmo_bijdrage": "wmo_bijdrage"}
        if key in purposes:
            doel = purposes[key]
            kinds_counted = [s for s in INKOMENSSOORTEN if self.fw.inkomenssoorten.get(s, {}).get(doel, True)]
            total = z3.Sum([self.income[s] for s in kinds_counted]) if kinds_counted else z3.IntVal(0)
            return V(_to_real(total) / 100, self.inkomen_known)
        if key == "huishouden.inkomen":
            total = z3.Sum(list(self.income.values()) + [self.income_other])
            return V(_to_real(total) / 100, self.inkomen_known)
        return None

    # ------------------------------------------------------------------ derived facts and findings
    def derived(self, key: str, ctx: str) -> Any:
        memo_key = ("derived", key, ctx)
        if memo_key in self._memo:
            found = self._memo[memo_key]
            if isinstance(found, Untranslatable):
                raise found
            return found
        definition = self._derived[key]
        try:
            result = self._derived_value(definition, ctx)
        except Untranslatable as exc:
            self._memo[memo_key] = Untranslatable(f"afgeleid feit {key}: {exc}")
            raise self._memo[memo_key] from None
        self._memo[memo_key] = result
        return result

    def _derived_value(self, definition, ctx: str) -> Any:
        is_bool = definition.type == BOOL
        # the first case whose condition holds; an unknown condition makes the value unknown
        reached: Any = TRUE  # every earlier condition certainly false
        parts = []
        for condition, formula in definition.parts:
            value = self.tr(formula, ctx)
            if condition is None:
                parts.append((reached, value))
                reached = FALSE
                break
            test = self.tr(condition, ctx)
            parts.append((z3.And(reached, test.t), value))
            # an `onbepaald` case applies only when its condition is certainly true; otherwise the next case
            reached = z3.And(reached, z3.Not(test.t) if isinstance(formula, Undetermined) else test.f)
        if is_bool:
            t = z3.Or([z3.And(when, value.t) for when, value in parts]) if parts else FALSE
            f = z3.Or([z3.And(when, value.f) for when, value in parts]) if parts else FALSE
            return B(z3.simplify(t), z3.simplify(f))
        value_expr: Any = z3.IntVal(0)
        known: Any = FALSE
        kind = "num"
        for when, value in reversed(parts):
            if isinstance(value, B):
                raise Untranslatable("ja/nee-waarde in een getal")
            kind = value.kind
            value_expr = z3.If(when, value.v, value_expr)
            known = z3.If(when, value.k, known)
        if definition.rounding is not None and kind == "num":
            value_expr = _round(value_expr, definition.rounding)
        return V(value_expr, known, kind)

    def finding(self, name: str, ctx: str) -> B:
        memo_key = ("finding", name, ctx)
        if memo_key in self._memo:
            return self._memo[memo_key]
        if name in self._finding_stack:
            raise Untranslatable(f"bevinding {name} hangt van zichzelf af")
        self._finding_stack.append(name)
        try:
            parts = []
            for rule in self.fw.producers.get(name, ()):
                if not rule.valid_on(self.peildatum):
                    continue
                if rule.group != self.domain and rule.group != INTEGRAAL:
                    if rule.scope != "casus":
                        continue  # another domain's hulpvraag: not this hulpvraag
                    parts.append(z3.And(self.domeinen.get(rule.group, FALSE), self.fires(rule, "base")))
                    continue
                rule_ctx = "hv" if rule.scope == "hulpvraag" else "base"
                if rule_ctx == "hv" and ctx != "hv":
                    continue
                parts.append(self.fires(rule, rule_ctx))
        finally:
            self._finding_stack.pop()
        t = z3.Or(parts) if parts else FALSE
        result = B(t, z3.Not(t))
        self._memo[memo_key] = result
        return result

    def fires(self, rule, ctx: str | None = None) -> Any:
        """The condition under which `rule` fires (for its hulpvraag, or for the casus)."""
        ctx = ctx or ("hv" if rule.scope == "hulpvraag" else "base")
        memo_key = ("fires", rule.id, ctx)
        if memo_key in self._memo:
            return self._memo[memo_key]
        try:
            result = self.tr(rule.when, ctx).t
        except Untranslatable as exc:
            self.untranslated[rule.id] = str(exc)
            result = z3.Bool("onvertaald." + rule.id)  # free: the rule may or may not fire
        self._memo[memo_key] = result
        return result

    # ------------------------------------------------------------------ expressions
    def tr(self, node: Any, ctx: str) -> Any:
        if isinstance(node, Undetermined):  # a derived fact's case `onbepaald`: never known, whatever the household
            if node.type == BOOL:
                return B(FALSE, FALSE)
            if node.type == TEKST:
                return V(z3.IntVal(0), FALSE, "enum")
            return V(_real(0), FALSE)
        if isinstance(node, Lit):
            if node.type == BOOL:
                return B(z3.BoolVal(node.value), z3.BoolVal(not node.value))
            if node.type == TEKST:
                return V(self.intern(node.value), TRUE, "enum")
            return V(_real(node.value), TRUE)
        if isinstance(node, Ref):
            if node.type == DATUM:
                raise Untranslatable(f"datumfeit {node.key}")
            found = self.lookup(node, ctx)
            if isinstance(found, V) and found.kind == "bool":
                return B(z3.And(found.k, found.v), z3.And(found.k, z3.Not(found.v)))
            if isinstance(found, V) and node.type == BOOL:
                return B(z3.And(found.k, found.v), z3.And(found.k, z3.Not(found.v)))
            return found
        if isinstance(node, FindingRef):
            return self.finding(node.name, ctx)
        if isinstance(node, Not):
            inner = self._bool(node.item, ctx)
            return B(inner.f, inner.t)
        if isinstance(node, And):
            items = [self._bool(i, ctx) for i in node.items]
            return B(z3.And([i.t for i in items]), z3.Or([i.f for i in items]))
        if isinstance(node, Or):
            items = [self._bool(i, ctx) for i in node.items]
            return B(z3.Or([i.t for i in items]), z3.And([i.f for i in items]))
        if isinstance(node, Cmp):
            return self._cmp(node, ctx)
        if isinstance(node, In):
            return self._in(node, ctx)
        if isinstance(node, Arith):
            left, right = self._num(node.left, ctx), self._num(node.right, ctx)
            known = z3.And(left.k, right.k)
            if node.op == "+":
                return V(left.v + right.v, known)
            if node.op == "-":
                return V(left.v - right.v, known)
            if node.op == "*":
                return V(left.v * right.v, known)
            return V(_to_real(left.v) / _to_real(right.v), known)
        if isinstance(node, Neg):
            inner = self._num(node.item, ctx)
            return V(-inner.v, inner.k)
        if isinstance(node, Call):
            return self._call(node, ctx)
        if isinstance(node, IfExp):
            test = self._bool(node.test, ctx)
            then, orelse = self.tr(node.then, ctx), self.tr(node.orelse, ctx)
            if isinstance(then, B) or isinstance(orelse, B):
                then, orelse = self._as_b(then), self._as_b(orelse)
                return B(z3.Or(z3.And(test.t, then.t), z3.And(test.f, orelse.t)),
                         z3.Or(z3.And(test.t, then.f), z3.And(test.f, orelse.f)))
            return V(z3.If(test.t, then.v, orelse.v), z3.Or(z3.And(test.t, then.k), z3.And(test.f, orelse.k)),
                     then.kind)
        raise Untranslatable(f"onbekend onderdeel {type(node).__name__}")

    def _as_b(self, item: Any) -> B:
        if isinstance(item, B):
            return item
        raise Untranslatable("ja/nee en getal door elkaar")

    def _bool(self, node: Any, ctx: str) -> B:
        return self._as_b(self.tr(node, ctx))

    def _num(self, node: Any, ctx: str) -> V:
        item = self.tr(node, ctx)
        if not isinstance(item, V) or item.kind not in ("num",):
            raise Untranslatable("een getal verwacht")
        return item

    def _cmp(self, node: Cmp, ctx: str) -> B:
        left, right = self.tr(node.left, ctx), self.tr(node.right, ctx)
        if isinstance(left, B) or isinstance(right, B):
            left, right = self._as_b(left), self._as_b(right)
            known = z3.And(z3.Or(left.t, left.f), z3.Or(right.t, right.f))
            same = left.t == right.t
            holds = same if node.op == "==" else z3.Not(same)
            return B(z3.And(known, holds), z3.And(known, z3.Not(holds)))
        if left.kind == "list" or right.kind == "list":
            raise Untranslatable("een lijst vergeleken")
        a, b = left.v, right.v
        if left.kind == "num" and (z3.is_real(a) or z3.is_real(b)):
            a, b = _to_real(a), _to_real(b)
        holds = {"==": lambda: a == b, "!=": lambda: a != b, "<": lambda: a < b, "<=": lambda: a <= b,
                 ">": lambda: a > b, ">=": lambda: a >= b}[node.op]()
        known = z3.And(left.k, right.k)
        return B(z3.And(known, holds), z3.And(known, z3.Not(holds)))

    def _in(self, node: In, ctx: str) -> B:
        if isinstance(node.options, tuple):
            item = self.tr(node.item, ctx)
            if isinstance(item, B):
                raise Untranslatable("ja/nee in een lijst")
            options = [self.tr(o, ctx).v for o in node.options]
            a = item.v
            holds = z3.Or([(_to_real(a) == _to_real(o)) if z3.is_real(a) or z3.is_real(o) else a == o
                           for o in options])
        else:
            collection = self.tr(node.options, ctx)
            if collection.kind != "list":
                raise Untranslatable("'in' op iets anders dan een lijst")
            holds = collection.v.get(node.item.value, FALSE)
            item = V(None, TRUE)
        if node.negated:
            holds = z3.Not(holds)
        known = item.k
        return B(z3.And(known, holds), z3.And(known, z3.Not(holds)))

    def _call(self, node: Call, ctx: str) -> V:
        if node.name == "aantal":
            key = node.args[0].key
            per = [self._slot_fact(i, key) if key in self.person_facts[i] else self.derived(key, f"p{i}")
                   for i in range(self.slots)]
            per_b = [(x if isinstance(x, B) else B(z3.And(x.k, x.v), z3.And(x.k, z3.Not(x.v)))) for x in per]
            total = z3.Sum([z3.If(z3.And(self.present[i], per_b[i].t), 1, 0) for i in range(self.slots)])
            known = z3.And([z3.Implies(self.present[i], z3.Or(per_b[i].t, per_b[i].f)) for i in range(self.slots)])
            return V(total, known)
        if node.name == "aantal_kinderen":
            low, high = node.args[0].value, node.args[1].value
            total = z3.Sum([z3.If(z3.And(self.present[i], self.is_kind[i], self.years[i] >= low, self.years[i] < high),
                                  1, 0) for i in range(self.slots)])
            return V(total, TRUE)
        if node.name == "afronden":
            inner = self._num(node.args[0], ctx)
            return V(_round(inner.v, node.args[1].value), inner.k)
        parts = [self._num(a, ctx) for a in node.args]
        if any(z3.is_real(p.v) for p in parts):
            for p in parts:
                p.v = _to_real(p.v)
        value = parts[0].v
        for p in parts[1:]:
            value = z3.If(p.v < value, p.v, value) if node.name == "min" else z3.If(p.v > value, p.v, value)
        return V(value, z3.And([p.k for p in parts]))


def _round(value: Any, mode: str) -> Any:
    """Rounding as `engine.language.calc.round_money`: half-up (away from zero at the half), down (towards zero), up."""
    quantum = z3.RealVal("1/100") if mode.startswith("cent") else z3.RealVal(1)
    y = _to_real(value) / quantum
    half = z3.RealVal("1/2")
    if mode.endswith("naar_beneden"):
        whole = z3.If(y >= 0, z3.ToInt(y), -z3.ToInt(-y))
    elif mode.endswith("naar_boven"):
        whole = z3.If(y >= 0, -z3.ToInt(-y), z3.ToInt(y))
    else:
        whole = z3.If(y >= 0, z3.ToInt(y + half), -z3.ToInt(-y + half))
    return z3.ToReal(whole) * quantum

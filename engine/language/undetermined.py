"""Derived values the law leaves undetermined by the case: a case `onbepaald` of a derived fact.

Where a rule of law makes a computed value wrong for the facts the case gives (Participatiewet art. 3 lid 4: a
housemate is presumed a partner, yet the case enters him as a housemate; art. 3 lid 2 onder a: the other is no
partner, yet the case counts his income as the household's), the derived fact has no value: it is UNKNOWN, so every
amount and outcome that reads it is unknown too (an entitlement `eligible: null`, `bedrag: null`, never a silent
0.00 or the wrong amount), and the missing facts name it (`onbepaald:<fact>`) with the reason and the legal basis:
what the law says and what would decide it.

An `onbepaald` case applies only when its condition is established (true). When the case cannot decide it, the
next case is tried: the value is not made unknown by a question nobody has asked yet (the rules that read the same
facts ask them); once the answers establish the condition, the value is undetermined.

```yaml
huishouden.bijstandsnorm:
  cases:
    - when: huishouden.vermoeden_gezamenlijke_huishouding and not casus.samenwonen_wegens_zorgbehoefte
      onbepaald: de huisgenoot geldt als partner (...): voer hem als partner in, of stel vast dat ...
      legal_basis: "Participatiewet art. 3 lid 4 (tekst vanaf 2026-01-01)"
```

Checked when the rules load (`kader check`): a case gives `value` or `onbepaald`, not both and not neither (E150);
an `onbepaald` case names its own `legal_basis` (E151); a case with a value does not (E152, the derived fact's
legal basis covers it); the reason names what would decide the value: at least one of its words "voer", "stel",
"geef", "vast", "tenzij" or "als" (E153, so that an assessor is never left with only "onbekend").
"""

from __future__ import annotations

import re
from typing import Any

from .calc import UNKNOWN, compile_closure
from .ir import Undetermined

_DECIDES = re.compile(r"\b(voer|stel|geef|vast|vastgesteld|tenzij|als|zodra)\b", re.IGNORECASE)


def build_case(sink: Any, case: Any, type_: str, document: Any, loc: tuple) -> Undetermined | None:
    """The value IR of an `onbepaald` case (None, with an error in `sink`, when it is not well formed); the case
    stands at `loc` in `document`."""

    def span_of(field: str) -> Any:
        return document.span(loc + (field,))
    if case.onbepaald is not None and case.value is not None:
        sink.error("E150", "een geval geeft 'value' of 'onbepaald', niet allebei", span_of("onbepaald"))
        return None
    if case.onbepaald is None:
        if case.value is None:
            sink.error("E150", "een geval geeft 'value' of 'onbepaald' (de waarde is dan niet te bepalen, met de "
                       "reden)", span_of("when"))
        elif case.legal_basis is not None:
            sink.error("E152", "'legal_basis' hoort alleen bij een geval 'onbepaald'; de rechtsgrond van de waarde is "
                       "die van het afgeleide feit", span_of("legal_basis"))
        return None
    if case.legal_basis is None:
        sink.error("E151", "een geval 'onbepaald' noemt zijn eigen 'legal_basis': waar de wet zegt dat de waarde niet "
                   "vaststaat", span_of("onbepaald"))
        return None
    reason = " ".join(case.onbepaald.split())
    if not _DECIDES.search(reason):
        sink.error("E153", "de reden van 'onbepaald' zegt niet wat de waarde zou bepalen (bijvoorbeeld 'voer ... in', "
                   "'stel vast dat ...', 'tenzij ...')", span_of("onbepaald"))
        return None
    return Undetermined(reason, " ".join(case.legal_basis.split()), type_)


def is_undetermined(node: Any) -> bool:
    return isinstance(node, Undetermined)


def which(derived: Any, env: dict) -> Undetermined | None:
    """The `onbepaald` case that decides `derived` in `env` (its first case whose condition holds), or None."""
    for condition, value in derived.parts:
        if condition is not None:
            outcome = compile_closure(condition)(env)
            if outcome is UNKNOWN:
                if isinstance(value, Undetermined):
                    continue  # an `onbepaald` case applies only when its condition is established
                return None
            if not outcome:
                continue
        return value if isinstance(value, Undetermined) else None
    return None

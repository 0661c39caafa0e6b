"""Reading YAML and JSON: the YAML 1.1 traps are off, positions are kept, hostile files are refused fast."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from engine.language.sources import MAX_FILE_BYTES, SourceError, decode, parse_text


def test_yaml_1_1_traps_are_switched_off():
    data = parse_text("a: no\nb: 0363\nc: 0599\nd: 21.80\ne: 1e3\nf: on\ng: 2026-02-28\nh: '5'\ni: 12\n", "x.yaml").data
    assert data == {"a": "no", "b": "0363", "c": "0599", "d": Decimal("21.80"), "e": "1e3", "f": "on",
                    "g": dt.date(2026, 2, 28), "h": "5", "i": 12}


def test_positions_point_at_values_keys_and_parents():
    document = parse_text("x:\n  y: [1, {z: 3}]\n", "x.yaml")
    assert str(document.span(("x", "y", 1, "z"))) == "x.yaml:2:14"
    assert str(document.span(("x", "y"), key=True)) == "x.yaml:2:3"
    assert str(document.span(("x", "missing"))) == "x.yaml:2:3"  # the nearest existing parent


def test_an_impossible_date_and_a_duplicate_key_are_located_but_not_fatal():
    document = parse_text("a: 1\nb: 2026-02-30\na: 2\n", "x.yaml")
    assert [str(p) for p in document.problems] == [
        "x.yaml:2:4: error[E012]: ongeldige datum '2026-02-30': deze dag bestaat niet in de kalender",
        "x.yaml:3:1: error[E014]: sleutel 'a' komt twee keer voor"]
    assert document.data["a"] == 1


def test_json_is_read_with_positions_and_exact_numbers():
    document = parse_text('{"a": {"b":\t1.50,\n "c": [true, null]}}', "x.json", json_syntax=True)
    assert document.data == {"a": {"b": Decimal("1.50"), "c": [True, None]}}
    assert str(document.span(("a", "c", 0))) == "x.json:2:8"


@pytest.mark.parametrize("text, code", [
    ("a: !!python/object/apply:os.system ['true']\n", "E015"),
    ("a: &a [x]\nb: *c\n", "E017"),
    ("---\na: 1\n---\nb: 2\n", "E019"),
])
def test_hostile_or_unsupported_yaml_is_refused(text, code):
    with pytest.raises(SourceError) as error:
        document = parse_text(text, "x.yaml")
        if document.problems:
            raise SourceError(document.problems)
    assert error.value.diagnostics[0].code == code


def test_alias_bombs_and_deep_nesting_are_refused_fast():
    bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    # The same located refusal on every PyYAML: libyaml 0.2.5 as bundled since PyYAML 6.0.3 stops flow nesting at
    # 1,000 levels itself; kader's own limit of 64 applies first and points at the level that crosses it.
    deep = "error[E016]: te diep genest (meer dan 64 niveaus)"
    for text, expected in (
            (bomb, "x.yaml:6:8: error[E018]: bestand wordt te groot na het uitvouwen van aliassen (meer dan 200000 knopen)"),
            ("[" * 100_000 + "]" * 100_000, "x.yaml:1:65: " + deep),
            ("- " * 5000 + "x", "x.yaml:1:129: " + deep),
            ("a: " + "{b: " * 1500 + "c" + "}" * 1500, "x.yaml:1:256: " + deep),
            ('a: "[[[["\nb: ' + "[" * 2000, "x.yaml:2:67: " + deep)):
        start = time.process_time()  # CPU, not wall time: a shared machine stretches the wall time
        with pytest.raises(SourceError) as error:
            parse_text(text, "x.yaml")
        assert [str(d) for d in error.value.diagnostics] == [expected]
        assert time.process_time() - start < 2
    with pytest.raises(SourceError) as error:
        parse_text("[" * 100_000 + "]" * 100_000, "x.json", json_syntax=True)
    assert [str(d) for d in error.value.diagnostics] == ["x.json:1:65: " + deep]


def test_large_binary_and_non_utf8_files_are_refused():
    with pytest.raises(SourceError) as error:
        decode(b"a" * (MAX_FILE_BYTES + 1), "x.yaml")
    assert error.value.diagnostics[0].code == "E020"
    with pytest.raises(SourceError) as error:
        decode(b"a: 1\nb: \xff\xfe\n", "x.yaml")
    assert str(error.value.diagnostics[0]) == "x.yaml:2:4: error[E021]: bestand is geen geldige UTF-8-tekst"

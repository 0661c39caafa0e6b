"""The compiled framework as plain JSON data, and back: no pickle, no marshal, no code in the file.

What the cache keeps is the framework's data: engine dataclasses, the IR of its
expressions, dicts, lists, tuples, sets, dates and exact decimals. Each object
is written as a tagged JSON list; an object met twice is written once and
referred to by number (so shared parts stay shared). The classes are named once,
in a table at the start with their fields in order; an object lists its values. Reading builds only
classes of kader's own `engine` package that are dataclasses (their fields set
one by one, no `__init__` run) or that rebuild themselves from their stored IR
(`Evaluator`, `DerivedEvaluator`: `__setstate__` compiles the closures from the
IR in kader's own code). A file naming any other class, or anything else it
does not know, is refused with `CacheFormatError`, and the caller rebuilds.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import gc
import importlib
import json
import re
from decimal import Decimal
from typing import Any

import orjson

FORMAT = "kader-framework-data/2"
_MODULE = re.compile(r"engine(\.[a-z_][a-z0-9_]*)+\Z")
_QUALNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_SCALARS = (str, bool, int, type(None))  # written as themselves
_PLAIN = frozenset(_SCALARS)  # read as themselves (decode's first test, inlined where most values are read)


class CacheFormatError(ValueError):
    """The data is not a framework this version of kader wrote."""


def _class_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _restores_itself(cls: type) -> bool:
    return "__setstate__" in vars(cls) and "__getstate__" in vars(cls)


class _Encoder:
    def __init__(self) -> None:
        self.seen: dict[int, int] = {}
        self.keep: list[Any] = []  # keeps encoded objects alive so their id() stays unique
        self.classes: dict[type, int] = {}
        self.table: list[list] = []  # [kind, "module:qualname", field names...] per class, by index

    def class_index(self, cls: type, kind: str, names: list[str]) -> int:
        index = self.classes.get(cls)
        if index is None:
            index = self.classes[cls] = len(self.table)
            self.table.append([kind, _class_name(cls), *names])
        return index

    def ref(self, value: Any) -> int | None:
        number = self.seen.get(id(value))
        if number is None:
            self.seen[id(value)] = len(self.seen)
            self.keep.append(value)
        return number

    def encode(self, value: Any) -> Any:
        if isinstance(value, _SCALARS) and not isinstance(value, Decimal):
            return value
        if isinstance(value, float):
            return ["F", repr(value)]
        if isinstance(value, Decimal):
            return ["N", str(value)]
        if isinstance(value, _dt.datetime):
            raise CacheFormatError("een tijdstip hoort niet in een regelset")
        if isinstance(value, _dt.date):
            return ["d", value.isoformat()]
        number = self.ref(value)
        if number is not None:
            return ["R", number]
        number = self.seen[id(value)]
        if type(value) is list:
            return ["L", number, *(self.encode(item) for item in value)]
        if type(value) is tuple:
            return ["T", number, *(self.encode(item) for item in value)]
        if type(value) in (set, frozenset):
            items = sorted((self.encode(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
            return ["S" if type(value) is set else "Z", number, *items]
        if type(value) is dict:
            out: list[Any] = ["D", number]
            for key, item in value.items():
                out.append(self.encode(key))
                out.append(self.encode(item))
            return out
        cls = type(value)
        if not _MODULE.match(cls.__module__ or ""):
            raise CacheFormatError(f"geen gegevens van kader: {_class_name(cls)}")
        if dataclasses.is_dataclass(value):
            names = [spec.name for spec in dataclasses.fields(value)
                     if spec.init or spec.default_factory is dataclasses.MISSING]  # memos are filled at run time
            out = ["O", number, self.class_index(cls, "O", names)]
            out.extend(self.encode(getattr(value, name)) for name in names)
            return out
        if _restores_itself(cls):
            return ["G", number, self.class_index(cls, "G", []), self.encode(value.__getstate__())]
        raise CacheFormatError(f"niet als gegevens te bewaren: {_class_name(cls)}")


def dumps(value: Any) -> bytes:
    """The framework (or any engine data) as UTF-8 JSON; raises CacheFormatError for anything else."""
    encoder = _Encoder()
    root = encoder.encode(value)
    return json.dumps([FORMAT, encoder.table, root], ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _Decoder:
    def __init__(self) -> None:
        self.objects: list[Any] = []
        self.classes: dict[str, type] = {}
        self.table: list[tuple] = []  # (kind, class, field names, memo fields, has __dict__) by index

    def cls(self, name: Any, kind: str) -> type:
        found = self.classes.get(name) if isinstance(name, str) else None
        if found is not None:
            return found
        if not isinstance(name, str) or name.count(":") != 1:
            raise CacheFormatError("ongeldige klassenaam")
        module_name, qualname = name.split(":")
        if not _MODULE.match(module_name) or not _QUALNAME.match(qualname):
            raise CacheFormatError(f"klasse buiten kader: {name}")
        try:
            target: Any = importlib.import_module(module_name)
            for part in qualname.split("."):
                target = getattr(target, part)
        except (ImportError, AttributeError):
            raise CacheFormatError(f"onbekende klasse {name}") from None
        if not isinstance(target, type) or target.__module__ != module_name:
            raise CacheFormatError(f"geen klasse van kader: {name}")
        allowed = dataclasses.is_dataclass(target) if kind == "O" else _restores_itself(target)
        if not allowed:
            raise CacheFormatError(f"klasse {name} wordt niet uit gegevens opgebouwd")
        self.classes[name] = target
        return target

    def load_table(self, table: Any) -> None:
        """Resolve every class the data names, once, before any object is built."""
        if not isinstance(table, list):
            raise CacheFormatError("geen klassentabel")
        for entry in table:
            if not isinstance(entry, list) or len(entry) < 2 or entry[0] not in ("O", "G"):
                raise CacheFormatError("ongeldige klassentabel")
            kind, name, names = entry[0], entry[1], tuple(entry[2:])
            cls = self.cls(name, kind)
            if kind == "G":
                if names:
                    raise CacheFormatError(f"velden bij {name}")
                self.table.append((kind, cls, (), (), False))
                continue
            specs = {spec.name: spec for spec in dataclasses.fields(cls)}
            fill = tuple((n, spec.default_factory) for n, spec in specs.items()
                         if not spec.init and spec.default_factory is not dataclasses.MISSING)
            filled = {n for n, _ in fill}
            if len(set(names)) != len(names) or set(names) != set(specs) - filled:
                raise CacheFormatError(f"de velden van {name} kloppen niet met deze versie van kader")
            self.table.append((kind, cls, names, fill, "__slots__" not in vars(cls)))

    def entry(self, data: list, kind: str) -> tuple:
        index = data[2] if len(data) > 2 else None
        if type(index) is not int or not 0 <= index < len(self.table) or self.table[index][0] != kind:
            raise CacheFormatError("verwijzing naar een onbekende klasse")
        return self.table[index]

    def register(self, number: Any, value: Any) -> Any:
        if number != len(self.objects):
            raise CacheFormatError("verwijzingen buiten volgorde")
        self.objects.append(value)
        return value

    def decode(self, data: Any) -> Any:
        """One value. The tags are tested in the order of how often a framework has them (objects, tuples, dicts,
        references, lists); each path makes the same checks as `register` and `entry`, written out (this loop is
        most of reading the cache in a cold `kader assess`)."""
        kind = type(data)
        if kind is str or kind is int or kind is bool or data is None:
            return data
        if kind is not list or not data or type(data[0]) is not str:
            raise CacheFormatError("onbekend gegeven")
        tag = data[0]
        if tag == "R":
            number = data[1]
            if not isinstance(number, int) or not 0 <= number < len(self.objects) or self.objects[number] is _PENDING:
                raise CacheFormatError("verwijzing naar een onbekend object")
            return self.objects[number]
        number = data[1] if len(data) > 1 else None
        objects = self.objects
        decode = self.decode
        if tag == "O":
            index = data[2] if len(data) > 2 else None
            table = self.table
            if type(index) is not int or not 0 <= index < len(table) or table[index][0] != "O":
                raise CacheFormatError("verwijzing naar een onbekende klasse")
            _, cls, names, fill, has_dict = table[index]
            if number != len(objects):
                raise CacheFormatError("verwijzingen buiten volgorde")
            value = cls.__new__(cls)
            objects.append(value)
            if len(data) - 3 != len(names):
                raise CacheFormatError(f"aantal velden van {cls.__qualname__}")
            items = [item if type(item) in _PLAIN else decode(item) for item in data[3:]]
            if has_dict and not fill:
                value.__dict__.update(zip(names, items, strict=True))
                return value
            state = dict(zip(names, items, strict=True))
            for name, factory in fill:
                state[name] = factory()
            if has_dict:
                value.__dict__.update(state)
            else:
                for name, item in state.items():
                    object.__setattr__(value, name, item)
            return value
        if tag == "T" or tag == "S" or tag == "Z":
            if number != len(objects):
                raise CacheFormatError("verwijzingen buiten volgorde")
            objects.append(_PENDING)
            items = [item if type(item) in _PLAIN else decode(item) for item in data[2:]]
            value = tuple(items) if tag == "T" else set(items) if tag == "S" else frozenset(items)
            objects[number] = value
            return value
        if tag == "D":
            if number != len(objects):
                raise CacheFormatError("verwijzingen buiten volgorde")
            out: Any = {}
            objects.append(out)
            items = data[2:]
            if len(items) % 2:
                raise CacheFormatError("woordenboek zonder waarde")
            for index in range(0, len(items), 2):
                key, item = items[index], items[index + 1]
                out[key if type(key) is str else decode(key)] = item if type(item) in _PLAIN else decode(item)
            return out
        if tag == "L":
            if number != len(objects):
                raise CacheFormatError("verwijzingen buiten volgorde")
            out = []
            objects.append(out)
            out.extend([item if type(item) in _PLAIN else decode(item) for item in data[2:]])
            return out
        if tag == "d":
            return _dt.date.fromisoformat(data[1])
        if tag == "N":
            return Decimal(data[1])
        if tag == "F":
            return float(data[1])
        if tag == "G":
            kind, cls, *_ = self.entry(data, "G")
            value = self.register(number, cls.__new__(cls))
            value.__setstate__(decode(data[3]))
            return value
        raise CacheFormatError(f"onbekende soort gegeven {tag!r}")


_PENDING = object()


def loads(raw: bytes) -> Any:
    """What `dumps` wrote; raises CacheFormatError (a ValueError) for anything else.

    The cyclic garbage collector is paused while the objects are built: tens of thousands of new objects that all
    stay alive would otherwise set off collections that scan them again and again (about a third of the time).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _loads(raw)
    finally:
        if enabled:
            gc.enable()


def _loads(raw: bytes) -> Any:
    try:
        document = orjson.loads(raw)  # the same values as json.loads for what dumps writes, in two thirds of the time
    except (ValueError, UnicodeDecodeError) as exc:
        raise CacheFormatError(f"geen JSON: {exc}") from None
    if not isinstance(document, list) or len(document) != 3 or document[0] != FORMAT:
        raise CacheFormatError("ander formaat")
    try:
        decoder = _Decoder()
        decoder.load_table(document[1])
        return decoder.decode(document[2])
    except (TypeError, ValueError, IndexError, ArithmeticError, RecursionError) as exc:
        if isinstance(exc, CacheFormatError):
            raise
        raise CacheFormatError(f"onleesbaar: {exc}") from None

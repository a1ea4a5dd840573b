"""YAML text to data, safely and within a work budget.

Parsed with libyaml (PyYAML's `CSafeLoader`): no tags that build objects, so no code runs. One
pass over libyaml's events builds the data and measures the document as it goes, refusing it as
soon as it has too many nodes, nests too deeply or expands through aliases into too many nodes (a
"billion laughs" file), so parse time and memory are bounded by these limits, not by what a file
asks for (`_read`). What that pass does not build itself (an explicit tag, a merge key, a duplicate
key, an alias to a collection still open...) goes the full way: measured first in the same way
(`measure`), then composed and constructed by PyYAML, to the same data or the same refusal.
Then: duplicate keys are refused with their line, numbers and booleans are read as YAML 1.2's core
schema reads them (`01355` is 1355, `1e3` a number, `1:00` and `0b101` text), and every problem is an InputError naming the file, never a traceback.

A text of 64 KiB or more is first given to `fastyaml`, which reads YAML's common subset in Python
(a flow collection through `json.loads`) to the data `_read` would make, four times as fast on
appraise's own files, or declines it to the pass above (issue 27).

A `.json` file (JSON being YAML) is read by `json.loads`, 20 times faster, to the same data: any
file it refuses or might read otherwise is read by the YAML path instead, whose refusals name the
line (`parse_json`).
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from appraise.errors import InputError
from appraise.model.limits import MAX_ALIAS_NODES, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES
from appraise.model.reading import quotable


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int):
        self.key, self.line = key, line


class _Loader(yaml.CSafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                continue  # unhashable keys are rejected by the constructor itself
            if duplicate:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Scalars are resolved as YAML 1.2's core schema does, not as YAML 1.1 (PyYAML's default): in
# 1.1 `01355` is octal 749, `1:00` sexagesimal 60, `0b101` binary 5, `1_000` is 1000 and `no`
# false, each read without a word. In 1.2, `01355` is 1355, `0o17` octal and `0x1F` hex; `1e3`
# is a number (1.1 needs "1.0e+3"); and `1:00`, `0b101`, `1_000` and `no` are text, which a
# number field then refuses with a message naming the field and the value.
_CORE = {
    "tag:yaml.org,2002:bool": (r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    "tag:yaml.org,2002:int": (
        r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
        list("-+0123456789"),
    ),
    "tag:yaml.org,2002:float": (
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+0123456789."),
    ),
}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _CORE]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
for _tag, (_pattern, _first) in _CORE.items():
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def _core_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)  # leading zeros are decimal: 01355 is 1355


def _core_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text == ".nan":
        return float("nan")
    return float(text)


_Loader.yaml_constructors = dict(_Loader.yaml_constructors)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:int", _core_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _core_float)


class _OverBudget(Exception):
    def __init__(self, message: str, line: int):
        self.message, self.line = message, line


def _over_budget(limit: str, event: Any) -> _OverBudget:
    """The refusal of a document that passes `limit` at `event` (`measure` and `_read` alike)."""
    message = {
        "depth": f"the YAML nests deeper than {MAX_DEPTH} levels",
        "nodes": f"the YAML holds more than {MAX_NODES:,} values, lists and mappings",
        "aliases": f"the YAML's aliases expand to more than {MAX_ALIAS_NODES:,} values (too many "
        "aliases)",
    }[limit]
    return _OverBudget(message, event.start_mark.line + 1)


@dataclass(frozen=True)
class Measure:
    """What a document holds: its nodes, its deepest nesting, and the nodes aliases add."""

    nodes: int
    depth: int
    alias_nodes: int


def measure(text: str) -> Measure:
    """Count a document's nodes, depth and alias expansion from libyaml's events (no nodes are
    built); raise _OverBudget as soon as a limit is passed."""
    loader = _Loader(text)
    anchored: dict[str, int] = {}  # anchor -> the node count of what it names, expanded
    open_nodes: list[list[Any]] = []  # [expanded node count so far, anchor] per open collection
    nodes = depth = alias_nodes = 0
    try:
        while (event := loader.get_event()) is not None:
            kind = event.__class__
            if kind is ScalarEvent or kind is AliasEvent:
                if kind is ScalarEvent:
                    size = 1
                    nodes += 1
                    if event.anchor is not None:
                        anchored[event.anchor] = 1
                else:
                    size = anchored.get(event.anchor, 1)  # an unknown anchor: libyaml says so
                    alias_nodes += size
                if open_nodes:
                    open_nodes[-1][0] += size
            elif kind is SequenceStartEvent or kind is MappingStartEvent:
                nodes += 1
                open_nodes.append([1, event.anchor])
                depth = max(depth, len(open_nodes))
                if depth > MAX_DEPTH:
                    raise _over_budget("depth", event)
            elif kind is SequenceEndEvent or kind is MappingEndEvent:
                size, anchor = open_nodes.pop()
                if anchor is not None:
                    anchored[anchor] = size
                if open_nodes:
                    open_nodes[-1][0] += size
            if nodes > MAX_NODES:
                raise _over_budget("nodes", event)
            if alias_nodes > MAX_ALIAS_NODES:
                raise _over_budget("aliases", event)
    finally:
        loader.dispose()
    return Measure(nodes, depth, alias_nodes)


def parse_yaml(text: str | bytes, name: str) -> Any:
    """Parse YAML text safely; raise InputError naming `name` on any problem. A `name` ending in
    `.json` is read by `parse_json`.

    A long text is read first by the fast reader of YAML's common subset (`fastyaml`), to the
    data `_read` reads; what it declines, and any shorter text, is read in one pass over
    libyaml's events (`_read`), measuring as it builds; a file that pass leaves to the full path
    (`parse_yaml_node`: a tag, a merge key, a duplicate key...) is read there, to the same data
    or the same refusal."""
    if name.lower().endswith(".json"):
        return parse_json(text, name)
    text = _text(text, name)
    with collector_paused():
        if len(text) >= FAST_FROM:
            from appraise.model import fastyaml

            loader = _Loader("")
            try:
                return fastyaml.read(text, loader, _SCALARS, MAX_DEPTH, MAX_NODES)
            except fastyaml.Decline:
                pass
            finally:
                loader.dispose()
        try:
            return _read(text)
        except _OverBudget as exc:
            raise InputError.one(name, f"line {exc.line}", exc.message) from None
        except _Unusual:
            pass
        except yaml.YAMLError:
            pass  # the full path says where, as it says for any file
    return parse_yaml_node(text, name)[1]


# A text this long is read first by the fast reader of YAML's common subset (`fastyaml`), which
# pays where flow collections fill the text (850 KB of one intervention a line: 0.027 s against
# `_read`'s 0.107 s) and not in block style, or in a small file (3 KB: 0.26 ms against 0.21 ms):
# those go straight to `_read`, and the fast reader is not even imported.
FAST_FROM = 64 * 1024


class _Unusual(Exception):
    """What `_read` leaves to the full path."""


_MISSING = object()
_STR, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
# The scalars `_read` builds itself; any other (a merge key, `=`, a binary) goes the full way.
_SCALARS = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}


def _read(text: str) -> Any:
    """The document's data, built from libyaml's events in the pass that measures it (as
    `measure` does, raising _OverBudget at the same event), so that the text is parsed once, not
    twice, and no node tree is built. Raises _Unusual for what the full path reads: an explicit
    tag, a scalar other than text, null, a boolean, a number or a date, a key that is a list or a
    mapping, a duplicate key, an alias to a collection still open or to no anchor, no document or
    several; and libyaml's own errors as it raises them."""
    loader = _Loader(text)
    resolve, constructors = loader.resolve, loader.yaml_constructors
    anchored: dict[str, tuple[Any, int]] = {}  # anchor -> (its data, its node count expanded)
    named: set[str] = set()  # every anchor so far, of collections still open too
    tags: dict[str, str] = {}  # a plain scalar's text -> its tag (keys repeat thousands of times)
    made: dict[tuple[str, str], Any] = {}  # (tag, text) -> the number, boolean or date made
    # Per open collection: [data, expanded node count, anchor, key awaiting its value]
    open_nodes: list[list[Any]] = []
    nodes = alias_nodes = 0
    root: Any = _MISSING
    try:
        event = loader.get_event()  # the stream's start
        if loader.get_event().__class__ is not DocumentStartEvent:
            raise _Unusual
        while (event := loader.get_event()).__class__ is not DocumentEndEvent:
            kind = event.__class__
            if kind is ScalarEvent:
                nodes += 1
                if event.tag is not None and event.tag != "!":
                    raise _Unusual
                implicit = event.implicit
                if implicit[0]:  # a plain scalar: its tag depends on its text alone
                    tag = tags.get(event.value)
                    if tag is None:
                        tag = tags[event.value] = resolve(yaml.ScalarNode, event.value, implicit)
                else:
                    tag = resolve(yaml.ScalarNode, event.value, implicit)
                if tag == _STR:
                    value: Any = event.value
                elif tag == _NULL:
                    value = None
                elif tag in _SCALARS:
                    # A number, boolean or date is made from its text alone, and never changed:
                    # made once per text (10,000 interventions repeat the same few figures).
                    value = made.get((tag, event.value), _MISSING)
                    if value is _MISSING:
                        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark)
                        value = made[tag, event.value] = constructors[tag](loader, node)
                else:
                    raise _Unusual
                size = 1
                if event.anchor is not None:
                    if event.anchor in named:
                        raise _Unusual  # an anchor named twice: libyaml's composer refuses it
                    named.add(event.anchor)
                    anchored[event.anchor] = (value, 1)
            elif kind is AliasEvent:
                found = anchored.get(event.anchor)
                if found is None:
                    raise _Unusual
                value, size = found
                alias_nodes += size
            elif kind is SequenceStartEvent or kind is MappingStartEvent:
                nodes += 1
                if (event.tag is not None and event.tag != "!") or event.anchor in named:
                    raise _Unusual
                if event.anchor is not None:
                    named.add(event.anchor)
                open_nodes.append(
                    [[] if kind is SequenceStartEvent else {}, 1, event.anchor, _MISSING]
                )
                if len(open_nodes) > MAX_DEPTH:
                    raise _over_budget("depth", event)
                if nodes > MAX_NODES:
                    raise _over_budget("nodes", event)
                continue
            else:  # the end of a sequence or a mapping
                value, size, anchor, key = open_nodes.pop()
                if key is not _MISSING:
                    raise _Unusual
                if anchor is not None:
                    anchored[anchor] = (value, size)
            if nodes > MAX_NODES:
                raise _over_budget("nodes", event)
            if alias_nodes > MAX_ALIAS_NODES:
                raise _over_budget("aliases", event)
            if not open_nodes:
                root = value
                continue
            into = open_nodes[-1]
            into[1] += size
            container = into[0]
            if container.__class__ is list:
                container.append(value)
            elif into[3] is _MISSING:
                if value.__class__ is list or value.__class__ is dict or value in container:
                    raise _Unusual  # a key that is a collection, or a duplicate key
                into[3] = value
            else:
                container[into[3]] = value
                into[3] = _MISSING
        if loader.get_event().__class__ is not StreamEndEvent or root is _MISSING:
            raise _Unusual
    except (TypeError, ValueError, OverflowError):
        raise _Unusual from None  # an unhashable key, a number or date that cannot be read
    finally:
        loader.dispose()
    return root


def parse_json(text: str | bytes, name: str) -> Any:
    """Parse JSON text with `json.loads`, to the data the YAML path reads from it, within the same
    limits; raise InputError naming `name` on any problem.

    Where `json.loads` refuses the text (a duplicate key, a syntax error, nesting past the
    interpreter's recursion limit, an integer of more than 4,300 digits), or the text holds what
    the YAML path reads differently (a character YAML does not allow, an escaped surrogate), or
    the data passes a limit, the text is read by the YAML path: it gives the same data or the same
    refusal as for any other file, naming the line. So a `.json` file is read as it always was,
    only faster."""
    text = _text(text, name)
    if _NON_PRINTABLE.search(text) is None and _SURROGATE_ESCAPE.search(text) is None:
        with collector_paused():
            try:
                data = json.loads(text, object_pairs_hook=_unique, parse_constant=_not_json)
            except (_DuplicateKey, ValueError, RecursionError):
                pass  # ValueError: JSONDecodeError, NaN or Infinity, an integer too long
            else:
                if _within_limits(text, data):
                    return data
    return parse_yaml_node(text, name)[1]


# What PyYAML's reader refuses (its own pattern, compiled once: a class this wide takes 6 ms to
# compile), and a \uD800-\uDFFF escape, which libyaml refuses and json.loads reads as a lone
# surrogate, text no file can be written with.
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) < len(pairs):
        raise _DuplicateKey(None, 0)  # the YAML path names it, with its line
    return data


def _not_json(constant: str) -> Any:
    raise ValueError(constant)  # NaN, Infinity: not JSON, and text to YAML


# What json.loads makes that holds other values (looked up in a set: a fifth faster than two
# comparisons, over a million values at 10,000 interventions).
_CONTAINERS = frozenset({dict, list})


def _within_limits(text: str, data: Any) -> bool:
    """Whether parsed JSON is within MAX_NODES and MAX_DEPTH, counted as `measure` counts them
    (a key is a node). A JSON node other than the root follows a comma, a colon or an opening
    bracket, so where the text holds few enough of those the nodes are not counted one by one.
    Walked a level at a time, so that the work is done in list comprehensions."""
    counting = 1 + sum(text.count(c) for c in ",:[{") > MAX_NODES
    nodes, depth = 1, 1
    level = [data] if isinstance(data, dict | list) else []
    while level:
        if depth > MAX_DEPTH:
            return False
        if counting:
            children = [c for v in level for c in (v.values() if v.__class__ is dict else v)]
            nodes += len(children) + sum(len(v) for v in level if v.__class__ is dict)
            if nodes > MAX_NODES:
                return False
            level = [c for c in children if c.__class__ in _CONTAINERS]
        else:  # json.loads makes only dicts and lists: their classes are checked, in one pass
            level = [
                c
                for v in level
                for c in (v.values() if v.__class__ is dict else v)
                if c.__class__ in _CONTAINERS
            ]
        depth += 1
    return True


def _text(text: str | bytes, name: str) -> str:
    """The file's text, within MAX_FILE_BYTES and decoded as UTF-8."""
    if len(text) > MAX_FILE_BYTES:
        raise InputError.one(name, "", f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError.one(name, "", f"file is not UTF-8 text ({exc.reason})") from None
    return text


def parse_yaml_node(text: str | bytes, name: str) -> tuple[yaml.Node, Any]:
    """The document's node tree (for the text of its scalars) and its data."""
    text = _text(text, name)
    # Parsing makes millions of small objects and no cycles; the collector would scan them all
    # again and again (a 10,000-intervention file parses in 0.9 s without it, 5.7 s with it).
    with collector_paused():
        return _parsed(text, name)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run a block with Python's cyclic garbage collector off (as it was, after), for work that
    makes millions of small objects and no cycles: parsing a file, laying out a workbook."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            # What the block made goes to the oldest generation, as if it had outlived the
            # young ones' collections: back on, the collector would otherwise scan it all (a
            # tenth of a second at 10,000 interventions) at the next allocation, to free nothing.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _parsed(text: str, name: str) -> tuple[Any, Any]:
    try:
        measure(text)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise InputError.one(name, "", "file is empty")
            return node, loader.construct_document(node)
        finally:
            loader.dispose()
    except _OverBudget as exc:
        raise InputError.one(name, f"line {exc.line}", exc.message) from None
    except _DuplicateKey as exc:
        key = f" {exc.key!r}" if quotable(str(exc.key)) else ""
        raise InputError.one(name, f"line {exc.line}", f"duplicate key{key}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError.one(name, where, f"YAML does not parse: {exc.problem}") from None
    except yaml.reader.ReaderError as exc:
        raise InputError.one(
            name,
            "",
            f"YAML does not parse: character #x{exc.character:04x} at position {exc.position} "
            "is not allowed (a control character)",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError.one(name, "", f"YAML does not parse: {_first_line(exc)}") from None
    except (ValueError, OverflowError) as exc:
        # int() refuses more than 4,300 digits; a date such as 2017-02-30 does not exist.
        raise InputError.one(name, "", f"YAML holds a value that cannot be read: {exc}") from None


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__

"""The common subset of YAML read in Python, to the data libyaml reads, or declined.

Why (issue 27: `appraise evaluate` on 10,000 interventions must take under 2 s; it took 2.56 s
as YAML, 1.77 s as JSON): on that file, merely pulling libyaml's events out of PyYAML's parser
costs Python 0.72 s, and the whole one-pass read (`yamltext._read`) 1.09 s, against 0.28 s for
the same file as JSON. What appraise writes (`to_yaml`, and one flow mapping a line in the
benchmark) is read here in 0.25 s: each flow collection is translated to JSON, piece by piece,
each piece once, and read by `json.loads`. In block style it is no faster than libyaml, so
`parse_yaml` gives it only texts of 64 KiB or more (`yamltext.FAST_FROM`).

What it reads: block mappings and sequences (`- key: v` compact mappings, `- - a`, a `key:`
followed by its `- ` list at the same indent), flow mappings and sequences on one line (translated
token by token to JSON and read by `json.loads`), plain scalars (several lines folded too),
single-quoted and double-quoted scalars on one line (no backslash), comments, blank lines and
empty values. A plain scalar is typed by the very resolver and constructors `_read` uses, with the
same caches, so the two cannot drift; duplicate keys, depth and node counts are checked as `_read`
checks them.

What it leaves to libyaml (`Decline`, then `_read` runs as before, with its own refusals and line
numbers): anchors, aliases, tags, block scalars (`|`, `>`), quoted scalars over several lines or
with escapes, flow collections over several lines, `?` keys, directives and document markers,
tabs, carriage returns, a BOM, Unicode line breaks, control characters, a duplicate key, a key
that is not text in a flow mapping, a date in a flow collection, a document that is a scalar or
empty, anything past a limit, and anything whose reading by libyaml is not certain.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml


class Decline(Exception):
    """The text is not in the subset read here: libyaml reads it."""


# What PyYAML's reader refuses (its own pattern, compiled when yaml is imported: a class this wide
# takes 9 ms to compile), and what is allowed but read here no further: tabs, carriage returns,
# NEL, line and paragraph separators, a BOM.
_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE
_UNREAD = ("\t", "\r", "\x85", "\u2028", "\u2029", "\ufeff")

# What may not start a plain scalar (libyaml's indicators), `-` only when a space follows.
_NOT_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`")
# A block key: a plain scalar up to the first ": " (or ":" ending the line), or a quoted one.
_PLAIN_KEY = re.compile(r"(?:[^\s\-?:,\[\]{}#&*!|>'\"%@`]|-(?=[^ ]))(.*?) *:(?: +|$)")
_SINGLE_KEY = re.compile(r"'((?:[^']|'')*)' *:(?: +|$)")
_DOUBLE_KEY = re.compile(r'"([^"\\]*)" *:(?: +|$)')
# A quoted value ending its line, or followed by a comment.
_SINGLE = re.compile(r"'((?:[^']|'')*)'(?: +#.*)?")
_DOUBLE = re.compile(r'"([^"\\]*)"(?: +#.*)?')
# The longest simple key libyaml looks for a ":" after is 1,024 characters.
_LONGEST_KEY = 1000
# A longer piece of a flow collection split at ", " is split into tokens (`_Reader.flow_json`),
# so that no long text is read token by token in Python, only by the tokens' pattern.
_LONGEST_PIECE = 4096

# A flow collection is split into tokens (`_FLOW_TOKEN`): a key and its ": ", a scalar, and the
# brackets, commas and spaces after them, each there or not; or any other one character. The
# tokens are few (a key and its value are one) and repeat: each is read once (`_Pieces`), by
# `_FLOW_PARTS`, which declines what it does not take whole (a character no token takes, a plain
# scalar with a `:`, `?` or `#` in it, whatever libyaml would do with them, a comment that does not
# end the line). The split is loose (a plain scalar's spaces may end it), so that it is fast.
_PLAIN_FIRST = r"(?:[^\s\-?:,\[\]{}#&*!|>'\"%@`]|-(?=[^\s?:,\[\]{}#]))"
_SINGLE_QUOTED = r"'[^']*(?:''[^']*)*'"
_DOUBLE_QUOTED = r'"[^"\\]*"'
_LOOSE = rf"(?:{_PLAIN_FIRST}[^?:,\[\]{{}}#]*|{_SINGLE_QUOTED}|{_DOUBLE_QUOTED})"
_SCALAR = rf"(?:{_PLAIN_FIRST}[^\s?:,\[\]{{}}#]*(?: +[^\s?:,\[\]{{}}#]+)*|{_SINGLE_QUOTED}|{_DOUBLE_QUOTED})"
_FLOW_TOKEN = re.compile(rf"(?:{_LOOSE}: +)?{_LOOSE}?[\[\]{{}}, ]*(?:(?<= )#.*)?|.")
_FLOW_PARTS = re.compile(rf"(?:({_SCALAR}): +)?({_SCALAR})?([\[\]{{}}, ]*)((?<= )#.*)?")
_encode = json.encoder.encode_basestring  # a string's JSON (ensure_ascii=False)

_STR, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
_MISSING = object()


def read(text: str, loader: Any, made_from: set[str], max_depth: int, max_nodes: int) -> Any:
    """The data of `text`, as `yamltext._read` reads it with `loader` (whose resolver and
    constructors type plain scalars; `made_from`: the tags other than text and null it builds),
    or Decline, as for a document nesting deeper than `max_depth` or holding more than
    `max_nodes` nodes (counted as `_read` counts them)."""
    if _NON_PRINTABLE.search(text) is not None or any(c in text for c in _UNREAD):
        raise Decline
    if len(text) > max_nodes and text.count("\n") + text.count(",") > max_nodes:
        raise Decline  # close to the limit: the nodes are counted by `_read`, in C
    return _Reader(text, loader, made_from, max_depth, max_nodes).document()


class _Reader:
    def __init__(self, text: str, loader: Any, made_from: set[str], max_depth: int, max_nodes: int):
        lines = text.split("\n")
        self.txt = [line.strip(" ") for line in lines]
        self.ind = [len(line) - len(line.lstrip(" ")) for line in lines]
        self.end = len(lines)
        self.i = 0
        self.nodes = 0
        self.loader = loader
        self.made_from = made_from
        self.max_depth, self.max_nodes = max_depth, max_nodes
        self.tags: dict[str, str] = {}  # a plain scalar's text -> its tag, as `_read` caches
        self.made: dict[tuple[str, str], Any] = {}  # (tag, text) -> the value made, likewise
        # Flow text split at ", " -> its JSON (None where it is not whole tokens), and its
        # skeleton; the same for tokens, where the split at ", " does not do.
        self.pieces = _Pieces(self, True)
        self.tokens = _Pieces(self, False)
        self.shapes: dict[str, tuple[int, int]] = {}  # skeleton -> (nodes, depth)

    def document(self) -> Any:
        j = self.skip()
        if j == self.end:
            raise Decline  # empty
        t = self.txt[j]
        if not (t[0] in "[{" or _is_entry(t) or self.key(t) is not None):
            raise Decline  # a scalar
        data = self.node(-1, 0)
        if self.skip() != self.end or self.nodes > self.max_nodes:
            raise Decline
        return data

    def skip(self) -> int:
        """Move to the next line that is neither blank nor a comment."""
        txt, i, end = self.txt, self.i, self.end
        while i < end and (not txt[i] or txt[i][0] == "#"):
            i += 1
        self.i = i
        return i

    def key(self, t: str) -> tuple[str, bool, str] | None:
        """A block key starting `t`: (its text, whether plain, the rest of the line)."""
        first = t[0]
        if first == "'":
            match = _SINGLE_KEY.match(t)
            if match is None:
                return None
            text, plain = match[1].replace("''", "'"), False
        elif first == '"':
            match = _DOUBLE_KEY.match(t)
            if match is None:
                return None
            text, plain = match[1], False
        else:
            match = _PLAIN_KEY.match(t)
            if match is None:
                return None
            text, plain = first + match[1], True
            if " #" in text or text.startswith(("---", "...")):
                raise Decline  # a comment, or a document marker (at the start of a line)
        if match.end() > _LONGEST_KEY:
            raise Decline
        return text, plain, t[match.end() :]

    def node(self, owner: int, depth: int) -> Any:
        """The node whose first line is the current one, inside a block collection at column
        `owner`, under `depth` collections."""
        t = self.txt[self.i]
        if _is_entry(t):
            return self.sequence(self.ind[self.i], depth + 1)
        if t[0] not in "[{" and self.key(t) is not None:
            return self.mapping(self.ind[self.i], depth + 1)
        return self.inline(t, owner, depth)

    def mapping(self, m: int, depth: int) -> dict[Any, Any]:
        if depth > self.max_depth:
            raise Decline
        self.nodes += 1
        data: dict[Any, Any] = {}
        while True:
            found = self.key(self.txt[self.i])
            if found is None:
                raise Decline
            text, plain, rest = found
            key = self.scalar(text) if plain else text
            self.nodes += 1
            if key in data:
                raise Decline  # a duplicate key (True and 1 too, as `_read` finds)
            if not rest or rest[0] == "#":
                self.i += 1
                data[key] = self.empty(m, depth, True)
            else:
                data[key] = self.inline(rest, m, depth)
            j = self.skip()
            if self.nodes > self.max_nodes:
                raise Decline
            if j == self.end or self.ind[j] < m:
                return data
            if self.ind[j] > m:
                raise Decline

    def sequence(self, m: int, depth: int) -> list[Any]:
        if depth > self.max_depth:
            raise Decline
        self.nodes += 1
        data: list[Any] = []
        flows: list[str] = []  # the JSON of the items that are flow collections, read at once
        at: list[int] = []  # and where they go
        while True:
            i = self.i
            t = self.txt[i]
            rest = t[1:].lstrip(" ")
            if rest and (rest[0] == "{" or rest[0] == "["):
                self.i += 1
                at.append(len(data))
                data.append(None)
                flows.append(self.flow_json(rest, depth))
            elif not rest or rest[0] == "#":
                self.i += 1
                data.append(self.empty(m, depth, False))
            elif _is_entry(rest) or self.key(rest) is not None:
                # `- key: v` or `- - v`: a collection starting at the column of its first item
                self.ind[i] += len(t) - len(rest)
                self.txt[i] = rest
                data.append(self.node(m, depth))
            else:
                data.append(self.inline(rest, m, depth))
            j = self.skip()
            if self.nodes > self.max_nodes:
                raise Decline
            if j == self.end or self.ind[j] < m:
                break
            if self.ind[j] > m:
                raise Decline
            if not _is_entry(self.txt[j]):
                break  # the next key of the mapping this list is a value of
        if flows:
            try:
                values = json.loads("[" + ",".join(flows) + "]")
            except (ValueError, RecursionError):
                raise Decline from None
            for index, value in zip(at, values, strict=True):
                data[index] = value
        return data

    def empty(self, m: int, depth: int, in_mapping: bool) -> Any:
        """The value after `key:` or `-` with nothing after it: the block on the lines below, or
        null."""
        j = self.skip()
        if j < self.end:
            if self.ind[j] > m:
                return self.node(m, depth)
            if in_mapping and self.ind[j] == m and _is_entry(self.txt[j]):
                return self.sequence(m, depth + 1)  # a list at the indent of its key
        self.nodes += 1
        return self.scalar("")

    def inline(self, t: str, owner: int, depth: int) -> Any:
        """A scalar or a flow collection starting `t` (the rest of the current line), and the
        lines a plain scalar continues on; the current line moves past them."""
        first = t[0]
        self.i += 1
        if first == "[" or first == "{":
            return self.flow(t, depth)
        self.nodes += 1
        if first == "'":
            match = _SINGLE.fullmatch(t)
            if match is None:
                raise Decline
            return match[1].replace("''", "'")
        if first == '"':
            match = _DOUBLE.fullmatch(t)
            if match is None:
                raise Decline
            return match[1]
        if first in _NOT_FIRST and (first != "-" or t[1:2] in ("", " ")):
            raise Decline
        cut = t.find(" #")
        if cut >= 0:
            t = t[:cut].rstrip(" ")
        if ": " in t or t[-1] == ":":
            raise Decline
        if cut < 0:
            t = self.continued(t, owner)
        return self.scalar(t)

    def continued(self, t: str, owner: int) -> str:
        """A plain scalar `t` with the lines it continues on (indented past `owner`), folded as
        libyaml folds them: a line break is a space, a blank line a line break."""
        txt, ind, end = self.txt, self.ind, self.end
        parts = [t]
        i = self.i
        while True:
            j = i
            while j < end and not txt[j]:
                j += 1
            if j == end or ind[j] <= owner or txt[j][0] == "#":
                break
            line = txt[j]
            if line[0] in _NOT_FIRST or ": " in line or line[-1] == ":" or " #" in line:
                raise Decline
            parts.append("\n" * (j - i) if j > i else " ")
            parts.append(line)
            i = j + 1
        self.i = i
        return "".join(parts) if len(parts) > 1 else t

    def scalar(self, text: str) -> Any:
        """A plain scalar's value, typed and made as `_read` types and makes it."""
        tag = self.tags.get(text)
        if tag is None:
            tag = self.tags[text] = self.loader.resolve(yaml.ScalarNode, text, (True, False))
        if tag == _STR:
            return text
        if tag == _NULL:
            return None
        if tag not in self.made_from:
            raise Decline
        value = self.made.get((tag, text), _MISSING)
        if value is _MISSING:
            node = yaml.ScalarNode(tag, text)
            try:
                value = self.loader.yaml_constructors[tag](self.loader, node)
            except (TypeError, ValueError, OverflowError):
                raise Decline from None
            self.made[tag, text] = value
        return value

    def flow(self, t: str, depth: int) -> Any:
        """A flow collection on one line, read by `json.loads` from the JSON of its tokens."""
        try:
            return json.loads(self.flow_json(t, depth))
        except (ValueError, RecursionError):
            raise Decline from None

    def flow_json(self, t: str, depth: int) -> str:
        """The JSON of a flow collection on one line, its nodes counted and its depth checked.

        Split at ", " (in C, five times as fast as the tokens' pattern), joining back the
        pieces that are not whole tokens (a quoted scalar holding a ", "); else, as where a
        comment ends the line, split into tokens. Each piece's JSON is made once, and the JSON
        of its skeleton (values as 0), from which the collection's duplicate keys, node count
        and depth are found once for all the collections of the same shape."""
        pieces = self.pieces
        split = t.split(", ")
        try:
            text = ",".join(map(pieces.__getitem__, split))
        except TypeError:  # a piece that is not whole tokens: None
            split = self.rejoined(split)
            if split is None:
                pieces = self.tokens
                split = _FLOW_TOKEN.findall(t)
                text = "".join(map(pieces.__getitem__, split))
                skeleton = "".join(map(pieces.skeleton.__getitem__, split))
            else:
                text = ",".join(map(pieces.__getitem__, split))
                skeleton = ",".join(map(pieces.skeleton.__getitem__, split))
        else:
            skeleton = ",".join(map(pieces.skeleton.__getitem__, split))
        shape = self.shapes.get(skeleton)
        if shape is None:
            shape = self.shapes[skeleton] = _shape(skeleton)
        nodes, deepest = shape
        self.nodes += nodes
        if depth + deepest > self.max_depth or self.nodes > self.max_nodes:
            raise Decline
        return text

    def rejoined(self, split: list[str]) -> list[str] | None:
        """Pieces of a line split at ", " joined back until each is whole tokens, or None."""
        pieces = self.pieces
        whole: list[str] = []
        held = None
        for piece in split:
            held = piece if held is None else held + ", " + piece
            if pieces[held] is not None:
                whole.append(held)
                held = None
        return whole if held is None else None


class _Pieces(dict[str, Any]):
    """Flow text -> its JSON, made on first sight from its tokens (and its skeleton: values as
    0). Text that is not whole tokens declines; or when `loose` (a piece of a line split at
    ", ", in which a quoted scalar or a comment may have been cut) it maps to None, as do a
    comment and a long piece, so that the line is split into tokens instead."""

    def __init__(self, reader: _Reader, loose: bool):
        super().__init__()
        self.reader = reader
        self.loose = loose
        self.skeleton: dict[str, str | None] = {}

    def __missing__(self, text: str) -> str | None:
        if self.loose and len(text) > _LONGEST_PIECE:
            self[text] = self.skeleton[text] = None
            return None
        reader = self.reader
        piece: list[str] = []
        skeleton: list[str] = []
        at, end = 0, len(text)
        while at < end:
            parts = _FLOW_PARTS.match(text, at)
            if parts is None or parts.end() == at or (self.loose and parts[4] is not None):
                if self.loose:
                    self[text] = self.skeleton[text] = None
                    return None
                raise Decline  # a character no token takes
            key, value, after = parts[1], parts[2], parts[3].replace(" ", "")
            if key is not None:
                made = _value(reader, key)
                if made.__class__ is not str or len(key) > _LONGEST_KEY:
                    raise Decline  # JSON keys are text; libyaml looks so far for a key's ":"
                piece.append(_encode(made) + ":")
                skeleton.append(piece[-1])
            if value is not None:
                piece.append(_json(_value(reader, value)))
                skeleton.append("0")
            piece.append(after)
            skeleton.append(after)
            at = parts.end()
        self[text] = joined = "".join(piece)
        self.skeleton[text] = "".join(skeleton)
        return joined


def _value(reader: _Reader, token: str) -> Any:
    """The value of a flow scalar token."""
    first = token[0]
    if first == "'":
        if len(token) < 2 or token[-1] != "'":
            raise Decline
        return token[1:-1].replace("''", "'")
    if first == '"':
        if len(token) < 2 or token[-1] != '"':
            raise Decline
        return token[1:-1]
    return reader.scalar(token)


def _json(value: Any) -> str:
    if value.__class__ is str:
        return _encode(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value.__class__ is int:
        return str(value)
    if value.__class__ is float:
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    raise Decline  # a date: not JSON


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) < len(pairs):
        raise Decline  # a duplicate key
    return data


def _shape(skeleton: str) -> tuple[int, int]:
    """The nodes (keys counted) and the depth of a flow collection, from its skeleton."""
    try:
        return _measure(json.loads(skeleton, object_pairs_hook=_unique))
    except (ValueError, RecursionError):
        raise Decline from None


def _measure(data: Any) -> tuple[int, int]:
    if data.__class__ is dict:
        nodes, depth, children = 1 + len(data), 0, data.values()
    elif data.__class__ is list:
        nodes, depth, children = 1, 0, data
    else:
        return 1, 0
    for child in children:
        more, deeper = _measure(child)
        nodes += more
        depth = max(depth, deeper)
    return nodes, depth + 1


def _is_entry(t: str) -> bool:
    """Whether a line's text is a block sequence entry (`-` alone or followed by a space)."""
    return t[0] == "-" and (len(t) == 1 or t[1] == " ")

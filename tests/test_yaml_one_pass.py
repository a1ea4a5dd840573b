"""A YAML file is read in one pass over libyaml's events, measured as it is built
(appraise.model.yamltext._read): to the data the full path (measure, compose, construct) reads, and
refused as the full path refuses it. What the one pass does not build itself (tags, merge keys,
duplicate keys and anchors, recursive aliases...) goes the full way."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from appraise.errors import InputError
from appraise.model import yamltext
from appraise.model.limits import MAX_DEPTH
from appraise.model.yamltext import parse_yaml, parse_yaml_node

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "examples").glob("*.yaml")) + sorted(
    (ROOT / "appraise" / "data").rglob("*.yaml")
)
TEXTS = [
    "",
    "# only a comment",
    "---\n",
    "a: 1\na: 2",
    "{a: 1, a: 1}",
    "1: a\n1.0: b",
    "true: 1\n1: 2",
    "a: &x [1, 2]\nb: *x",
    "a: &x 1\nb: &x 2",
    "a: &x [1, *x]",
    "a: *nowhere",
    "<<: {a: 1}\nb: 2",
    "a: !!str 1",
    "a: !foo 1",
    "a: ! 1",
    "a: !!binary aGVsbG8=",
    "a: 01355\nb: 0o17\nc: 0x1F\nd: 1e3\ne: 1:00\nf: no\ng: 0b101\nh: 1_000",
    "a: .nan\nb: -.inf\nc: .INF\nd: ~\ne: null\nf:",
    "a: 2017-02-03\nb: 2017-02-03 10:00:00\nc: 2017-02-30",
    "a: " + "9" * 5000,
    "a: =",
    "? [1]\n: 2",
    "? a\n",
    "---\na: 1\n---\nb: 2",
    "a: 1\n...\n",
    "%YAML 1.1\n---\na: 1",
    "a: b: c",
    "a: 'x'\nb: \"1\"\nc: '1e3'",
    "- &a\n- *a",
    "a: {b: &x 1, c: *x}",
    "a: &a [1]\nb: &b [*a, *a]\nc: [*b, *b]",
    "a:\n  - b\n  - c: d\n    e: [1, 2.5, -3]",
    "a:\x07",
    "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    "[" * 5000 + "]" * 5000,
]


def outcome(read, text):
    try:
        return "read", read(text)
    except InputError as exc:
        return "refused", str(exc)


def same(a, b, seen=None):
    """Equal data, NaN equal to NaN, keys in the same order, recursion allowed."""
    seen = set() if seen is None else seen
    if (id(a), id(b)) in seen:
        return True
    seen.add((id(a), id(b)))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k], seen) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y, seen) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.mark.parametrize("text", TEXTS + [p.read_text(encoding="utf-8") for p in FILES])
def test_one_pass_reads_and_refuses_as_the_full_path(text):
    one = outcome(lambda t: parse_yaml(t, "p.yaml"), text)
    full = outcome(lambda t: parse_yaml_node(t, "p.yaml")[1], text)
    assert one[0] == full[0]
    assert same(one[1], full[1])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_shipped_files_are_read_in_one_pass(path):
    data = yamltext._read(path.read_text(encoding="utf-8"))  # raises _Unusual if it cannot
    assert same(data, parse_yaml_node(path.read_bytes(), str(path))[1])


def test_aliases_share_their_data_as_the_full_path_does():
    data = parse_yaml("a: &x [1, 2]\nb: *x", "p.yaml")
    assert data["a"] is data["b"]


@pytest.mark.parametrize(
    ("limit", "text", "expected"),
    [
        ("MAX_NODES", "a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", "line 1: the YAML holds more than 10"),
        ("MAX_ALIAS_NODES", "a: &x [1, 2, 3]\nb: [*x, *x, *x, *x]", "line 2: the YAML's aliases"),
    ],
)
def test_limits_are_met_at_the_same_line_in_one_pass(monkeypatch, limit, text, expected):
    monkeypatch.setattr(yamltext, limit, 10)
    monkeypatch.setattr(yamltext, "parse_yaml_node", None)  # the full path is not taken
    with pytest.raises(InputError) as refused:
        parse_yaml(text, "p.yaml")
    assert expected in str(refused.value)

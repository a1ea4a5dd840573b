"""The fast reader of YAML's common subset (appraise.model.fastyaml) reads a text to exactly the
data libyaml's one pass (`yamltext._read`) reads, types, order and all, or declines it, and then
`_read` reads or refuses it as before: it declines every text libyaml refuses, so the refusal (and
its line) is libyaml's. And it is not a no-op: it reads the benchmark and the shipped files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appraise.errors import InputError
from appraise.model import fastyaml, yamltext
from appraise.model.limits import MAX_DEPTH, MAX_NODES
from appraise.model.save import to_yaml

ROOT = Path(__file__).resolve().parents[1]
DECLINED = "declined"


def fast(text, max_depth=MAX_DEPTH, max_nodes=MAX_NODES):
    loader = yamltext._Loader("")
    try:
        return fastyaml.read(text, loader, yamltext._SCALARS, max_depth, max_nodes)
    except fastyaml.Decline:
        return DECLINED
    finally:
        loader.dispose()


def slow(text):
    """`_read`'s outcome: ("read", data), or ("other", ...) for what it leaves to the full path
    or refuses."""
    try:
        return "read", yamltext._read(text)
    except (yamltext._Unusual, yamltext._OverBudget, yaml.YAMLError) as exc:
        return "other", exc


def same(a, b):
    """Equal data of the same types, keys in the same order, NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(
            same(x, y) for x, y in zip(a.values(), b.values(), strict=True)
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def check(text):
    """The fast reader's data is `_read`'s, or it declines; whether it read the text."""
    got = fast(text)
    if got is DECLINED:
        return False
    kind, expected = slow(text)
    assert kind == "read", (text, got, expected)
    assert same(got, expected), (text, got, expected)
    return True


AWKWARD = [
    "",
    " ",
    "a b",
    " lead",
    "trail ",
    "a: b",
    "a:b",
    "a :b",
    "key:",
    "a #b",
    "a#b",
    "#x",
    "- a",
    "-a",
    "-",
    "--- a",
    "...",
    "? x",
    "'quoted'",
    "it's",
    "''",
    '"',
    'say "hi"',
    "a\\b",
    "[a]",
    "{a: b}",
    "a, b",
    "a,b",
    "&anchor",
    "*alias",
    "!tag",
    "|",
    ">",
    "%",
    "@",
    "`",
    "01355",
    "1e3",
    "1:00",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    ".inf",
    "-.inf",
    ".nan",
    "+1",
    "1.",
    ".5",
    "-0",
    "yes",
    "no",
    "on",
    "true",
    "True",
    "FALSE",
    "~",
    "null",
    "Null",
    "2017-01-01",
    "2017-01-01 10:00:00",
    "2017-02-30",
    "<<",
    "=",
    "£1,072",
    "é",
    "日本",
    "😀",
    "\u00a0",
    "a\tb",
    "a\nb",
    "a\n\nb",
    "\u2028",
    "\x85",
    "\ufeff",
]
texts = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=12))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
keys = st.one_of(texts, st.integers(-100, 3000), st.booleans(), st.floats(-10, 10))
data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=16,
)


def dumps(value):
    """The ways appraise and people write YAML: block, flow one line a mapping, appraise's own,
    PyYAML's default (flow at the leaves), narrow (plain scalars folded over lines); and flow
    with other spacing (quoted text changes too: the two readers still read the same text)."""
    flow = yaml.safe_dump(value, default_flow_style=True, width=1e9, allow_unicode=True)
    return [
        yaml.safe_dump(value, default_flow_style=False, allow_unicode=True, sort_keys=False),
        flow,
        yaml.safe_dump(value, sort_keys=False),
        yaml.safe_dump(value, default_flow_style=False, width=20, allow_unicode=True),
        to_yaml(value),
        flow.replace(", ", ","),
        flow.replace(", ", " ,  ").replace("[", "[ ").replace("{", "{ ").replace("}", " }"),
        "- " + flow,
    ]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data)
def test_dumped_data_is_read_as_libyaml_reads_it_or_declined(value):
    for text in dumps(value):
        check(text)


SIMPLE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text("abc xyz-_.,'", max_size=10)
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.text("abc_ 01", min_size=1, max_size=6),
        st.one_of(
            SIMPLE, st.lists(SIMPLE, max_size=3), st.dictionaries(st.text("xy", min_size=1), SIMPLE)
        ),
        min_size=1,
        max_size=5,
    )
)
def test_plain_data_is_read_not_declined(value):
    """What appraise and people write is read, block, flow or appraise's own (the fast reader is
    not a no-op); folded over lines, a line may start with what it declines (`-`)."""
    block, flow, _, _, appraise, *_ = dumps(value)
    assert check(block) and check(flow) and check(appraise)


# Texts made of the characters that matter, to find where the subset's edges are wrong.
@settings(max_examples=4000, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="ab1:- #'\"{}[],\n.&*!|>?%~\t\r", max_size=30),
        st.text(alphabet="ab1:- #'{}[],\n", max_size=30),
        st.text(alphabet="ab: \n-", max_size=30),
    )
)
def test_any_text_is_read_as_libyaml_reads_it_or_declined(text):
    check(text)


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),
            st.sampled_from(
                [
                    "a:",
                    "b: 1",
                    "- ",
                    "- c",
                    "- d: e",
                    "x y",
                    "'q': r",
                    "f: [g, h]",
                    "{i: j}",
                    "# c",
                    "",
                    "k: l # m",
                    "n: 'o''p'",
                    "- - s",
                    "t: -1",
                ]
            ),
        ),
        max_size=8,
    )
)
def test_indented_lines_are_read_as_libyaml_reads_them_or_declined(lines):
    check("\n".join(" " * indent + line for indent, line in lines))


HAND = [
    # read
    ("a: 1\nb: x # comment\n# whole line\n\nc:\n", True),
    ("key: 'it''s'\nother: \"a b\"\n", True),
    ("a: {b: [c, {d: e}], f: 'g, h', i: \"j: k\"}\n", True),
    ("a: [b,c, d ,e,  f]\n", True),
    ("a:\n- b\n- c: d\n  e: f\n-\n- - g\n  - h\n", True),
    ("a:\n  b:\n    - 1\n    - 2.5\n  c: -3\n", True),
    ("a: some words\n  that go on\n\n  and on\nb: 1\n", True),
    ("a: 01355\nb: 1e3\nc: 1:00\nd: 0x1F\ne: .inf\nf: yes\ng: ~\nh: 2017-01-01\n", True),
    ("2017: a\n1.5: b\ntrue: c\n~: d\n", True),
    ("a:   \nb: trailing spaces   \n", True),
    ("  a: 1\n  b: 2\n", True),
    ("- {a: 1, b: [2, 3]}  # comment\n- [x, 'y, z']\n", True),
    ("a: b[0]\nc[1]: d\n", True),
    ("a: £1,072 (2017)\n", True),
    ("{a: 1}\n", True),
    # declined: outside the subset
    ("a: &x 1\nb: *x\n", False),
    ("a: !!str 1\n", False),
    ("a: |\n  text\n", False),
    ("a: >-\n  text\n", False),
    ("? a\n: b\n", False),
    ("---\na: 1\n", False),
    ("a: 1\n...\n", False),
    ("%YAML 1.1\n---\na: 1\n", False),
    ("a: 1\r\nb: 2\r\n", False),
    ("\ufeffa: 1\n", False),
    ("a: b\u2028c\n", False),
    ("a: 'multi\n  line'\n", False),
    ("a: [b,\n  c]\n", False),
    ('a: "x\\"y"\n', False),
    ("a: 1\na: 2\n", False),
    ("1: a\ntrue: b\n", False),
    ("{a: 1, a: 2}\n", False),
    ("just a scalar\n", False),
    ("", False),
    ("# nothing\n", False),
    ("a: {1: b}\n", False),
    ("a: [2017-01-01]\n", False),
    ("a: <<\n", False),
    # declined: libyaml refuses them (the refusal is libyaml's)
    ("a: b: c\n", False),
    ("a:\n  b: 1\n c: 2\n", False),
    ("a: 1\n  b: 2\n", False),
    ("a:\n\tb: 1\n", False),
    ("key:#x\n", False),
    ("- a\nb: c\n", False),
    ("a: 'x'y\n", False),
    ("a: [b\n", False),
    ("a: {b: c}}\n", False),
    ("a: x\n- b\n", False),
    ("a: @x\n", False),
    ("a: b\x07\n", False),
    ("a: 2017-02-30\n", False),
    ("a: " + "9" * 5000 + "\n", False),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), False),
    ("a:\n" + "".join("  " * i + "- \n" for i in range(1, MAX_DEPTH + 2)), False),
    ("k" * 1100 + ": v\n", False),
]


@pytest.mark.parametrize(("text", "read"), HAND)
def test_hand_written_texts(text, read):
    assert check(text) is read


@pytest.mark.parametrize(("text", "read"), HAND)
def test_parse_yaml_reads_or_refuses_as_without_the_fast_reader(monkeypatch, text, read):
    def outcome():
        try:
            return "read", yamltext.parse_yaml(text, "p.yaml")
        except InputError as exc:
            return "refused", str(exc)

    monkeypatch.setattr(yamltext, "FAST_FROM", 0)
    with_fast = outcome()
    monkeypatch.setattr(yamltext, "FAST_FROM", 10**9)
    without = outcome()
    assert with_fast[0] == without[0]
    assert same(with_fast[1], without[1])


@pytest.mark.parametrize(
    "text",
    [
        "a: [1, 2, 3]\nb:\n  c: 4\n  d:\n",
        "a: {b: [{c: 1}, x]}\nd:\n- \n- e\n",
        "- [a, {b: []}]\n- - c\n  - {}\n",
    ],
)
def test_limits_hold_exactly(text):
    """The fast reader counts nodes and depth as libyaml's events do (`measure`): at the limits it
    reads, one past them it declines (and `_read` refuses)."""
    measured = yamltext.measure(text)
    assert fast(text, max_nodes=measured.nodes, max_depth=measured.depth) is not DECLINED
    assert fast(text, max_nodes=measured.nodes - 1) is DECLINED
    assert fast(text, max_depth=measured.depth - 1) is DECLINED


def portfolio(n, tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from load import portfolio_file
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return portfolio_file(n, tmp_path, ".yaml")


def test_the_benchmark_portfolio_is_read_fast(tmp_path, monkeypatch):
    text = portfolio(1000, tmp_path).read_text(encoding="utf-8")
    assert len(text) >= yamltext.FAST_FROM
    assert check(text)
    monkeypatch.setattr(yamltext, "_read", None)  # parse_yaml does not need it
    assert same(yamltext.parse_yaml(text, "p.yaml"), fast(text))


# Hand-written files the fast reader reads; the others hold block scalars (`>-`, the shipped
# evidence and interventions, most examples) or anchors (pause-cash-flow), which it leaves to
# libyaml.
READ = ["thurrock-2017.yaml", "thurrock-2017-claims.yaml", "thurrock-2018-actuals.yaml"]
FILES = sorted(
    [
        *ROOT.glob("examples/*.yaml"),
        *ROOT.glob("interventions/*.yaml"),
        *ROOT.glob("evidence/*.yaml"),
    ]
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_files(path):
    assert check(path.read_text(encoding="utf-8")) is (
        path.name in READ and path.parent.name == "examples"
    )

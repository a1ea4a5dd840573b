"""The hidden Portfolio file sheet's JSON (`appraise.workbook.source.indented_json`, issue 27): byte
for byte what `json.dumps(data, indent=1, ensure_ascii=False)` writes, for any data."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraise.workbook.source import indented_json

AWKWARD_TEXT = st.sampled_from(
    [
        "",
        "£é中😀",
        "a\x00b\x1f\x7f",
        "\ud800",
        '"\\/',
        "\u2028\u2029",
        "=SUM(A1)",
        "_x0041_",
        "& < >",
    ]
)
AWKWARD_NUMBERS = st.sampled_from(
    [-0.0, 0.0, 1e16, 1e-7, 1.0, 0.1, math.nan, math.inf, -math.inf, 2**64, -(2**63), True, False]
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    AWKWARD_TEXT,
    AWKWARD_NUMBERS,
)
KEYS = st.one_of(st.text(), AWKWARD_TEXT)
DATA = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(KEYS, inner, max_size=4),
        # keys json turns into text: left to json itself, with the same result
        st.dictionaries(
            st.one_of(KEYS, st.integers(), st.floats(), st.booleans(), st.none()), inner, max_size=3
        ),
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(DATA)
def test_the_portfolio_files_json_is_jsons_own(data):
    assert indented_json(data) == json.dumps(data, indent=1, ensure_ascii=False)


class Label(str):
    """A subclass of text: json encodes it as its text."""


def test_what_the_quick_way_leaves_to_json_is_jsons_own():
    for data in ({"a": [Label("x"), {1: 2.5, None: "n"}]}, {Label("k"): 1}, {"b": {2.5: [()]}}):
        assert indented_json(data) == json.dumps(data, indent=1, ensure_ascii=False)
    nested: list = []
    for _ in range(300):
        nested = [{"k": nested}, 1.5]
    assert indented_json(nested) == json.dumps(nested, indent=1, ensure_ascii=False)
    too_deep: list = []
    for _ in range(5_000):  # deeper than either recurses: json's own error
        too_deep = [too_deep]
    with pytest.raises(RecursionError):
        indented_json(too_deep)

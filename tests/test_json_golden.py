"""Every JSON output is unchanged: each command that writes JSON, on each example it takes,
against its output stored in tests/golden_json/ (tests/json_commands.py lists the cases and
regenerates them). The stored outputs were written by the standard library's encoder, before
`appraise.display.to_json` moved to orjson (issue 27), so they also show orjson's output byte
for byte the same; a property test checks that on values the examples do not hold."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from json_commands import CASES, GOLDEN, run

from appraise.display import _INVISIBLE, to_json


def test_every_case_has_its_stored_output_and_nothing_else_is_stored():
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_output_is_byte_for_byte_the_stored_one(name):
    code, out, err = run(CASES[name])
    assert code == 0, err
    expected = (GOLDEN / f"{name}.json").read_text(encoding="utf-8")
    assert out == expected, f"{name}: JSON output differs from tests/golden_json/{name}.json"


def stdlib(data):
    """`to_json` as it was: the standard library's encoder."""
    text = json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False)
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# Floats of every magnitude, where orjson and the standard library format differently unless
# mended (1e-05 against 0.00001, 1e-09 against 1e-9), and text that looks like numbers or JSON.
FLOATS = st.floats(allow_nan=False, allow_infinity=False) | st.builds(
    lambda m, e: m * 10.0**e, st.floats(-10, 10), st.integers(-300, 300)
).filter(math.isfinite)
TEXT = st.text() | st.sampled_from(['": 1e-05,', "0.00001", "\x1b[31m", "\u202e", '\\"'])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | FLOATS | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_to_json_writes_what_the_standard_library_writes(data):
    assert to_json(data) == stdlib(data)


@pytest.mark.parametrize(
    "data", [float("nan"), {"a": [1.0, float("inf")]}, {"a": -math.inf}, object(), {1: 2}]
)
def test_what_the_standard_library_refuses_or_converts_is_left_to_it(data):
    try:
        expected = stdlib(data)
    except (ValueError, TypeError) as error:
        with pytest.raises(type(error)):
            to_json(data)
    else:
        assert to_json(data) == expected

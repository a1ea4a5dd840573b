"""What the printed table of `appraise evaluate` is made from (issue 27: at 10,000 interventions
it no longer makes the whole JSON data first): the brief data is the JSON data without the
listing of inputs and what the table does not show of each intervention, and the inputs' lines made from the
params are those made from the JSON's listing of them. tests/test_table_golden.py holds the
whole table to the text it printed before, byte for byte."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from json_commands import EXAMPLES, PORTFOLIOS

from appraise.analyses.options import evaluation_data
from appraise.display import (
    PROVENANCE_KEY,
    SOURCE_CHARS,
    _shortened,
    input_lines,
    provenance_line,
    table,
    value_text,
)
from appraise.engine.registry import PROB, Param
from appraise.engine.results import appraise_portfolio
from appraise.model.load import load_portfolio
from appraise.model.numbers import Dist
from appraise.model.provenance import (
    NOT_STATED_PROVENANCE,
    Provenance,
    Traced,
    assumed,
    cited,
)


def lines_from_listing(inputs: list[dict[str, Any]]) -> list[str]:
    """The inputs' lines as the table made them from `--format json`'s listing, before."""
    marks = {"cited": "C", "derived": "D", "assumed": "A", "edited": "E", "not stated": "?"}
    written = [i for i in inputs if i["written"]]
    counts = {s: sum(i["provenance"]["status"] == s for i in written) for s in marks}
    shown = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    rows = [
        [
            marks[i["provenance"]["status"]],
            i["key"],
            value_text(i["central"], i["unit"]),
            i["unit"],
            _shortened(provenance_line(i["provenance"]), SOURCE_CHARS),
        ]
        for i in written
    ]
    defaults = len(inputs) - len(written)
    return [
        f"Inputs the file gives ({PROVENANCE_KEY}): {shown}."
        + (f" {defaults} more at appraise's defaults (docs/defaults.md)." if defaults else ""),
        table(
            ["", "Input", "Value", "Unit", "Where it came from (in full: --format json)"],
            rows,
            [False, False, True, False, False],
        ),
    ]


@pytest.fixture(scope="module", params=PORTFOLIOS)
def appraisal(request):
    return appraise_portfolio(load_portfolio(EXAMPLES / request.param))


def test_brief_data_is_the_json_data_without_what_the_table_does_not_show(appraisal):
    full, brief = evaluation_data(appraisal), evaluation_data(appraisal, brief=True)
    assert len(full["inputs"]) == len(appraisal.model.params) > 0
    assert "inputs" not in brief
    for record in full["interventions"]:
        assert len(record.pop("years")) == appraisal.model.base.horizon_years
        assert record.pop("effect_conversion")
        assert record.pop("evidence_supports") in (True, False)
        for effect in record["effects"]:
            assert effect.pop("effect_conversion")
    del full["inputs"]
    assert brief == full


def test_input_lines_from_the_params_are_those_from_the_json_listing(appraisal):
    model = appraisal.model
    citations = model.citations()
    listing = [p.to_data(citations) for p in model.params]
    assert input_lines(model.params, citations) == lines_from_listing(listing)


EDIT = Provenance(
    "edited", by="app", was=Traced(0.1, cited("thurrock-aphr-2017", "Table 7")), file="a.yaml"
)
DERIVATION = Provenance(
    "derived",
    formula="(low + high) / 2",
    inputs=(("low", Traced(2.55, cited("src", "2.4.2"))), ("high", 4.35)),
)
SHARED = [
    cited("thurrock-aphr-2017", "section 2.3.3"),
    cited("no-such-source"),
    cited("src", "Table 6", "exact words, " * 12),
    assumed("Thurrock Council", "the report's own supposition"),
    EDIT,
    DERIVATION,
    NOT_STATED_PROVENANCE,
]
# A provenance shared by many inputs (the same object), or one equal to it made for one input.
PROVENANCES = st.sampled_from(SHARED) | st.sampled_from(SHARED).map(
    lambda p: Provenance(**{f: getattr(p, f) for f in p.__dataclass_fields__})
)
VALUES = st.floats(-1e9, 1e9, allow_nan=False) | st.builds(
    lambda a, b: Dist("triangular", {"low": min(a, b), "mode": a, "high": max(a, b)}, a),
    st.floats(0, 1),
    st.floats(0, 1),
)
INPUTS = st.lists(
    st.tuples(
        PROVENANCES,
        VALUES,
        st.sampled_from(["£ per case", "fraction", "cases", "£"]),
        st.booleans(),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(INPUTS)
def test_input_lines_of_any_inputs_are_those_from_their_json_listing(inputs):
    citations = {"thurrock-aphr-2017": "Thurrock Council (2017)", "src": "A source (2020)"}
    params = [
        Param(
            f"svc-{k}.reach.count",
            f"interventions[{k}].reach.count",
            "Count",
            unit,
            f"svc-{k}",
            "intervention",
            value,
            "reach_base",
            k,
            PROB,
            ("src",),
            provenance,
            written,
        )
        for k, (provenance, value, unit, written) in enumerate(inputs)
    ]
    # Inputs sharing a value object (as a template's figures are shared), in other units too.
    units = [unit for _, _, unit, _ in inputs]
    params += [
        Param(
            f"copy-{k}",
            f"copy[{k}]",
            "Copy",
            units[(k + 1) % len(units)],
            "copy",
            "intervention",
            p.value,
            "reach_base",
            k,
            PROB,
            (),
            p.provenance,
            True,
        )
        for k, p in enumerate(params)
    ]
    listing = [p.to_data(citations) for p in params]
    assert input_lines(params, citations) == lines_from_listing(listing)

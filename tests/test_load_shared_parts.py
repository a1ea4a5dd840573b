"""Interventions that write a part alike (a figure with its citation, an effect, a unit cost,
the evidence, the timing) share what reading it makes, read once (benchmarks/load.py: 10,000
interventions from five templates): the results are those of reading each one alone, and a
refusal is never kept, so each intervention that writes a bad part is named for it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraise.errors import InputError
from appraise.model.load import portfolio_from_data
from appraise.model.memo import ByText, text_of
from appraise.model.numbers import Domain, parse_num
from appraise.model.provenance import provenance_of
from tests.helpers import intervention, portfolio_data

CITED_RATE = {"value": 0.3, "cited": {"source": "local-test-source", "at": "Table 1"}}


def _portfolio(items: list[dict[str, Any]]) -> dict[str, Any]:
    return portfolio_data(interventions=items)


def _errors(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as exc:
        portfolio_from_data(data, "test.yaml", evidence={})
    return [(p.path, p.message) for p in exc.value.problems]


def test_interventions_written_alike_read_as_each_alone():
    effect = {"baseline_risk": CITED_RATE, "treated_risk": 0.14}
    items = [
        intervention(id=f"svc-{i}", reach={"count": 10 + i}, effect=copy.deepcopy(effect))
        for i in range(3)
    ]
    many = portfolio_from_data(_portfolio(items), "test.yaml", evidence={})
    alone = portfolio_from_data(_portfolio(items[2:]), "test.yaml", evidence={})
    assert many.interventions[2].model_dump() == alone.interventions[0].model_dump()
    risk = many.interventions[0].effect.baseline_risk
    assert float(risk) == 0.3 and provenance_of(risk).at == "Table 1"
    assert [item.reach.count for item in many.interventions] == [10, 11, 12]


def test_a_bad_part_written_alike_is_refused_for_each_intervention():
    bad = {"baseline_risk": {**CITED_RATE, "value": 1.5}, "treated_risk": 0.14}
    good = {"baseline_risk": CITED_RATE, "treated_risk": 0.14}
    items = [
        intervention(id="a", effect=good),
        intervention(id="b", effect=bad),
        intervention(id="c", effect=good),
        intervention(id="d", effect=bad),
    ]
    errors = _errors(_portfolio(items))
    assert [path for path, _ in errors] == [
        "interventions[1].effect.baseline_risk.value",
        "interventions[3].effect.baseline_risk.value",
    ]
    assert all("must be between 0 and 1" in message for _, message in errors)


def test_a_figure_read_once_is_told_apart_by_how_it_is_written():
    """1, 1.0 and true are different text: a kept 1 never stands for a refused true."""
    domain = Domain(0.0, 10.0)
    assert parse_num({"value": 1, "assumed": "why"}, domain) == 1.0
    with pytest.raises(Exception, match="expected a number"):
        parse_num({"value": True, "assumed": "why"}, domain)
    # Kept by domain too: what one input takes, another may refuse.
    with pytest.raises(Exception, match="must be between 0 and 1"):
        parse_num({"value": 3, "assumed": "why"}, Domain(0.0, 1.0))
    assert parse_num({"value": 3, "assumed": "why"}, domain) == 3.0


def test_a_rating_written_as_a_number_or_text_is_read_alike_but_kept_apart():
    items = [
        intervention(id="a", evidence={"rating": 3, "sources": ["local-test-source"]}),
        intervention(id="b", evidence={"rating": "3", "sources": ["local-test-source"]}),
        intervention(id="c", evidence={"rating": 9, "sources": ["local-test-source"]}),
    ]
    errors = _errors(_portfolio(items))
    assert [path for path, _ in errors] == ["interventions[2].evidence.rating"]


@pytest.mark.filterwarnings("error")
def test_a_part_made_by_calling_its_class_is_made_afresh_each_time():
    """Pydantic fills in the instance `Timing(...)` makes: a shared one handed back would leave
    it empty (and warn); the part read twice from file data is shared."""
    from appraise.model.schema import Timing

    first, again = Timing(cohorts=2), Timing(cohorts=2)
    assert first is not again
    assert again.cohorts == 2 and again.cost_months == first.cost_months == 12.0
    assert Timing().model_dump() == Timing.model_validate({}).model_dump()
    assert Timing.model_validate({"cohorts": 2}) is Timing.model_validate({"cohorts": 2})


def test_a_key_that_is_not_text_in_a_shared_part_is_refused_by_name():
    from appraise.model.schema import UnitCost

    with pytest.raises(ValueError) as caught:
        UnitCost.model_validate({"amount": 3000, 0: None, "per": "family"})
    assert "0" in str(caught.value)


# File data as YAML and JSON give it: text, numbers, booleans, null, dates, lists and mappings.
FILE_DATA = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=5)
    | st.dates(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(FILE_DATA, FILE_DATA)
def test_data_kept_by_its_text_is_told_apart_as_its_repr_tells_it(a, b):
    """Two pieces of data share a kept value only if they are written alike, type by type and in
    order (1, 1.0 and true apart; a date apart from its text); data copied shares it."""
    if text_of(a) == text_of(b):
        assert repr(a) == repr(b)
        assert type(a) is type(b)
    assert text_of(copy.deepcopy(a)) == text_of(a)


def test_data_that_is_not_file_data_is_made_each_time_not_kept():
    kept = ByText(kept=8)
    made = []

    def make() -> str:
        made.append(1)
        return "made"

    for _ in range(2):
        assert kept.get({"value": lambda: 0}, "kind", make) == "made"
    assert len(made) == 2 and not kept.found
    for _ in range(2):
        assert kept.get({"value": 1}, "kind", make) == "made"
    assert len(made) == 3

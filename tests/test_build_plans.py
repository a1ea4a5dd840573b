"""An intervention's inputs from a part many interventions share (its timing, an effect, a
default additionality) are worked out once per part (`appraise.engine.walk.Plans`,
benchmarks/load.py: 130,000 inputs at 10,000 interventions). The model built so is the one built
working out every input of every intervention afresh: each input with its key, path, label,
provenance, sources and position, and every array of the core."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from appraise.engine import walk
from appraise.engine.params import build
from appraise.engine.registry import Model
from appraise.model.load import portfolio_from_data
from tests.helpers import intervention, portfolio_data

CITED = {"value": 0.3, "cited": {"source": "local-test-source", "at": "Table 1"}}
RISK = {"baseline_risk": CITED, "treated_risk": 0.14}


def _items() -> list[dict[str, Any]]:
    """Interventions that share parts in every way the walk tells apart: one effect alone and
    among several, the same effect with and without stated effect sources, timing and
    additionality given or left at their defaults, staff lines and an outcome contract."""
    several = {
        "effects": [
            {"averts": "lac_year", **RISK},
            {"averts": "dv_incident", "per_case": 0.4},
        ]
    }
    alone = {"effects": [{"averts": "lac_year", **RISK}]}
    timing = {"cohorts": 2, "cost_months": 6, "benefit_years": 3}
    staff = {
        "staff": [{"role": "Worker", "fte": 2, "salary": 30000, "on_costs": 0.3}],
        "non_staff": 5000,
    }
    designed = {"design": "historical_baseline"}
    items = []
    for i in range(12):
        item = intervention(id=f"svc-{i}", reach={"count": 10 + i})
        kind = i % 6
        if kind == 0:
            item["effect"] = copy.deepcopy(RISK)
            item["evidence"].update(designed)
        elif kind == 1:  # the same effect, its figures cited to a stated source
            item["effect"] = copy.deepcopy(RISK)
            item["evidence"].update(designed, effect_sources=["local-test-source"])
        elif kind == 2:
            del item["averts"], item["effect"]
            item.update(copy.deepcopy(several))
            item["evidence"].update(designed)
        elif kind == 3:  # one of the same effects, alone: labelled without its outcome
            del item["averts"], item["effect"]
            item.update(copy.deepcopy(alone))
            item["evidence"].update(designed)
        elif kind == 4:
            item["timing"] = dict(timing)
            item["additionality"] = {"attribution": 0.8}
            item["unit_cost"] = copy.deepcopy(staff)
        else:
            item["timing"] = {"cohorts": 2}
            item["additionality"] = {}
            item["contract"] = {"kind": "fee"}
        items.append(item)
    return items


def _model() -> Model:
    data = portfolio_data(interventions=_items(), horizon_years=5)
    portfolio = portfolio_from_data(data, "test.yaml", evidence={})
    return build(portfolio, {**portfolio.evidence})


def _afresh(part: object, detail: Any, make: Any, *args: Any) -> Any:
    return make(*args)


def _same(a: Model, b: Model) -> None:
    assert [p.__dict__ for p in a.params] == [p.__dict__ for p in b.params]
    assert [p.__dict__ for p in a.whole_outcome] == [p.__dict__ for p in b.whole_outcome]
    assert a.base.values.keys() == b.base.values.keys()
    for key, array in a.base.values.items():
        assert np.array_equal(array, b.base.values[key], equal_nan=True), key
    assert a._params_of == b._params_of


def test_inputs_worked_out_once_per_shared_part_are_those_worked_out_afresh(monkeypatch):
    planned, again = _model(), _model()  # the second with every part's entries already kept
    with monkeypatch.context() as m:
        m.setattr(walk.PLANS, "get", _afresh)
        fresh = _model()
    _same(planned, fresh)
    _same(again, fresh)
    labels = {p.key: p.label for p in fresh.params}
    # What the parts' entries are told apart by is in what the test covers.
    assert labels["svc-2.effects[0].baseline_risk"].startswith("lac_year: ")
    assert labels["svc-3.effects[0].baseline_risk"] == labels["svc-0.effect.baseline_risk"]
    status = {p.key: p.provenance.status for p in fresh.params}
    assert status["svc-1.effect.treated_risk"] == "cited"
    assert status["svc-0.effect.treated_risk"] == "not stated"
    written = {p.key: p.written for p in fresh.params}
    assert written["svc-4.timing.cost_months"] and not written["svc-5.timing.cost_months"]
    assert written["svc-4.additionality.attribution"]
    assert not written["svc-5.additionality.attribution"]


def test_a_part_is_told_apart_by_what_its_inputs_depend_on(monkeypatch):
    # Planted: parts' entries kept by the part alone, whatever else they depend on (the sources
    # an intervention states for its effect, whether the effect is one of several).
    with monkeypatch.context() as m:
        m.setattr(walk.PLANS, "get", _afresh)
        fresh = _model()
    kept: dict[int, Any] = {}

    def by_part_only(part: object, detail: Any, make: Any, *args: Any) -> Any:
        return kept.setdefault(id(part), (part, make(*args)))[1]

    with monkeypatch.context() as m:
        m.setattr(walk.PLANS, "get", by_part_only)
        wrong = _model()
    with pytest.raises(AssertionError):
        _same(wrong, fresh)


def test_a_part_put_as_written_and_as_not_written_is_put_so_each_time():
    from appraise.engine.params import TIMING_FIELDS, _intervention_arrays
    from appraise.engine.walk import Prices, Put, Walk

    data = portfolio_data(interventions=[intervention(timing={"cost_months": 6})])
    portfolio = portfolio_from_data(data, "test.yaml", evidence={})
    item = portfolio.interventions[0]
    written = []
    for given in ({"cost_months"}, set(), {"cost_months"}):
        put_into = Walk(portfolio, {**portfolio.evidence}, Prices.of(portfolio))
        _intervention_arrays(put_into)
        Put(put_into, 0, item).each("timing", item.timing, TIMING_FIELDS, given)
        written.append([p.written for p in put_into.params])
    assert written == [[True, False, False, False, False], [False] * 5, written[0]]

"""Every line of the workbook, recalculated by LibreOffice, equals the engine's own figure.

Portfolios are generated (hypothesis, derandomized so CI sees the same ones) over every reach,
cost and effect form, both kinds of outcome cost, several payers, both perspectives and cashable
conventions, every savings class and recurrence (in-house placements released or not), the haircuts and additionality, every timing option, staffed services, reach
counted per costed case, several effects per service, changes of placement, and price years (a
cost, a derived placement cost or a component in its own year's prices, or assumed to be in the
price base). Each is exported;
LibreOffice recalculates them all in one run; then every cell where a line of
`appraise.engine.lines` was placed (inputs, Outcomes, Calculations, Cash flows, Summary totals) is
compared with the engine's value of that line for that intervention, outcome, component or year:
within £0.01 for money, and a billionth (relative) for everything else; a name (a rating, a price
year, an index) must be the name at the engine's position.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from appraise.engine import evaluate
from appraise.engine.lines import LINES
from appraise.model.load import portfolio_from_data
from appraise.model.savings import SAVINGS_CLASSES
from appraise.workbook.book import OWNER_AXES, Cell, Row, effect_slot
from appraise.workbook.export import layout
from appraise.workbook.recalc import recalculate
from appraise.workbook.writer import render
from tests.conftest import require_tool
from tests.helpers import LOCAL_SOURCE

pytestmark = pytest.mark.slow  # `pytest -m "not slow"` skips it while working

US_TRIAL = {
    "id": "us-trial",
    "authors": "Trial, A.",
    "year": 2010,
    "title": "A trial outside the UK, for tests",
    "journal": "Journal of Tests",
    "country": "USA",
    "type": "trial",
    "found": "An effect established only outside the UK.",
}
RATINGS = ("4+", "4", "3+", "3", "2+", "2", "NL2", "NE")
PAYERS = ("childrens_social_care", "health", "police")

money = st.floats(0, 50_000, allow_nan=False).map(lambda x: round(x, 2))
# Price years within both shipped indices (the NHS index covers 2014-15 to 2024-25); None: the
# figure gives none, so it is taken to be in the price base.
COST_YEARS = st.sampled_from([None, "2009-10", "2016-17", "2024-25"])
COMPONENT_YEARS = st.sampled_from([None, "2016-17", "2021-22"])


def priced(block: dict[str, Any], year: str | None) -> dict[str, Any]:
    return block if year is None else {**block, "price_year": year}


share = st.floats(0, 1, allow_nan=False).map(lambda x: round(x, 4))


@st.composite
def reach(draw: Any) -> dict[str, Any]:
    form = draw(st.sampled_from(["eligible", "count", "capacity"]))
    if form == "eligible":
        return {"eligible": draw(st.integers(0, 2000)), "proportion": draw(share)}
    if form == "count":
        return {"count": draw(st.integers(0, 300))}
    low = draw(st.integers(0, 200))
    return {"from_capacity": low, "to_capacity": low + draw(st.integers(0, 200))}


@st.composite
def effect(draw: Any) -> dict[str, Any]:
    form = draw(
        st.sampled_from(["success_rate", "per_case", "treated", "rr", "odds", "cox", "logit"])
    )
    p0 = draw(st.floats(0.01, 0.9).map(lambda x: round(x, 3)))
    if form == "success_rate":
        return {"success_rate": draw(share)}
    if form == "per_case":
        return {"per_case": draw(st.floats(0, 5).map(lambda x: round(x, 3)))}
    if form == "treated":
        return {"baseline_risk": p0, "treated_risk": round(p0 * draw(share), 4)}
    if form == "rr":
        return {"baseline_risk": p0, "relative_risk": round(draw(share) / p0 * p0, 4)}
    if form == "odds":
        return {
            "baseline_risk": p0,
            "odds_ratio": draw(st.floats(0.05, 3).map(lambda x: round(x, 3))),
        }
    d = draw(st.floats(-1.5, 0.5).map(lambda x: round(x, 3)))
    conversion = {"conversion": "logit"} if form == "logit" else {}
    return {"baseline_risk": p0, "cohens_d": d, **conversion}


@st.composite
def booking(draw: Any) -> dict[str, Any]:
    """How a component's saving is booked: by `cashable`, a class, or in-house (released or not);
    one-off or recurring (or left to the default)."""
    form = draw(st.sampled_from(["cashable", "class", "in_house", "none"]))
    out: dict[str, Any] = {}
    if form == "cashable":
        out["cashable"] = draw(st.booleans())
    elif form == "class":
        out["savings_class"] = draw(st.sampled_from(SAVINGS_CLASSES))
    elif form == "in_house":
        out.update(in_house=True, released=draw(st.booleans()))
    recurrence = draw(st.sampled_from([None, "recurring", "one_off"]))
    return out if recurrence is None else {**out, "recurrence": recurrence}


@st.composite
def timing(draw: Any) -> dict[str, Any]:
    return {
        "cohorts": draw(st.integers(0, 4)),
        "cost_months": draw(st.sampled_from([1, 6, 12, 18, 30, 7.5])),
        "benefit_lag_months": draw(st.sampled_from([0, 3, 12, 13.5, 30])),
        "benefit_years": draw(st.sampled_from([0.5, 1, 2.5, 3, 7])),
        "annual_decay": draw(st.sampled_from([0, 0.1, 0.5, 1])),
        "ramp_up": draw(st.sampled_from([1, 0.5, 0.7, 0])),
    }


@st.composite
def portfolio(draw: Any, index: int) -> dict[str, Any]:
    outcomes: dict[str, Any] = {
        "lac_year": {
            "name": "One child looked after for a year",
            "derive": priced(
                {
                    "weekly_placement_cost": draw(st.integers(500, 4000)),
                    "weeks_per_year": draw(st.integers(10, 52)),
                    "non_placement_share": draw(st.floats(0, 0.9).map(lambda x: round(x, 3))),
                },
                draw(COST_YEARS),
            ),
        },
        "mixed": {
            "name": "An outcome several payers bear",
            "components": [
                priced(
                    {
                        "name": f"part {j}",
                        "cost": draw(money),
                        **draw(booking()),
                        "payer": draw(st.sampled_from(PAYERS)),
                    },
                    draw(COMPONENT_YEARS),
                )
                for j in range(draw(st.integers(1, 3)))
            ],
        },
    }
    # Placement types and a change of placement between two of them (or two prices), which may
    # cost more than it saves.
    placements = {
        name: priced({"weekly_cost": draw(st.integers(100, 5000))}, draw(COST_YEARS))
        for name in ("residential", "agency_foster", "in_house_foster")
    }
    # An in-house placement: a change from it frees capacity unless its carers are released.
    placements["in_house_foster"].update(in_house=True, released=draw(st.booleans()))
    ends = draw(
        st.sampled_from(
            [
                ("residential", "in_house_foster"),
                ("in_house_foster", "residential"),
                (95, 41.15),
            ]
        )
    )
    outcomes["change"] = {
        "name": "A change of placement",
        "change": {
            "from": ends[0],
            "to": ends[1],
            "units": draw(st.integers(1, 52)),
            "recurrence": draw(st.sampled_from(["one_off", "recurring"])),
        },
    }
    if ends[0] != "in_house_foster":  # leaving an in-house placement, the rule decides
        outcomes["change"]["change"]["cashable"] = draw(st.booleans())
    kinds = ["lac_year", "mixed", "change"]
    items = []
    for k in range(draw(st.integers(1, 4))):
        rated_abroad = draw(st.booleans())
        count = draw(st.integers(1, 3))
        averts = draw(st.permutations(kinds))[:count]
        if count == 1:
            effects: dict[str, Any] = {"averts": averts[0], "effect": draw(effect())}
        else:
            effects = {"effects": [{"averts": a, **draw(effect())} for a in averts]}
        risk_based = any(
            "baseline_risk" in e
            for e in ([effects["effect"]] if count == 1 else effects["effects"])
        )
        additionality = {
            "deadweight": 0 if risk_based else draw(st.sampled_from([0, 0.3])),
            "attribution": draw(st.sampled_from([1, 0.8])),
            "displacement": draw(st.sampled_from([0, 0.1])),
        }
        staff = st.builds(
            lambda fte, salary, on, extra: {
                "staff": [
                    {"role": f"Role {j}", "fte": fte + j, "salary": salary, "on_costs": on}
                    for j in range(2)
                ],
                "non_staff": extra,
            },
            st.sampled_from([0.5, 2, 4]),
            st.integers(20_000, 60_000),
            st.sampled_from([0, 0.3]),
            st.integers(0, 30_000),
        )
        reach_drawn = draw(reach())
        if draw(st.booleans()):
            reach_drawn["per_case"] = draw(st.sampled_from([1.73, 2, 0.5]))
        items.append(
            {
                "id": f"s{k}",
                "name": f"Service {k}",
                "category": "other",
                **effects,
                "additionality": additionality,
                "reach": reach_drawn,
                "unit_cost": priced(
                    draw(
                        st.one_of(
                            st.builds(lambda a: {"amount": a, "per": "case"}, money),
                            st.builds(lambda a: {"total": a}, st.integers(0, 400_000)),
                            staff,
                        )
                    ),
                    draw(COST_YEARS),
                ),
                "evidence": {
                    "rating": draw(st.sampled_from(RATINGS)),
                    "sources": ["us-trial" if rated_abroad else "local-test-source"],
                },
                "timing": draw(timing()),
            }
        )
    return {
        "portfolio": f"Generated portfolio {index}",
        "price_year": draw(st.sampled_from([2017, "2021-22", "2024-25"])),
        "horizon_years": draw(st.integers(1, 6)),
        "discount_rate": draw(st.sampled_from([0, 0.035, 0.1])),
        "cashable_method": draw(st.sampled_from(["strict", "pro_rata"])),
        "perspective": draw(st.sampled_from(["childrens_social_care", "public_sector"])),
        "apply_optimism_bias": draw(st.booleans()),
        "non_uk_evidence_haircut": draw(st.sampled_from([0, 0.25, 0.5])),
        "placements": placements,
        "outcomes": outcomes,
        "interventions": items,
        "evidence": {"local-test-source": LOCAL_SOURCE, "us-trial": US_TRIAL},
    }


def engine_values(book: Any) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Every line the engine works out for the book's portfolio, per owner and in total."""
    base = book.model.base
    per = evaluate.run(base.values, base.structure, tuple(LINES))
    totals = evaluate.totals(per, base.structure)
    return per, totals


def expected(
    key: str, owner: str, per: dict, totals: dict, outcomes: list[str] | None = None
) -> np.ndarray:
    """The engine's value(s) of line `key` for an owner of a placed cell (years last)."""
    if owner == "total":
        return np.squeeze(totals[key], axis=evaluate._n_axis(LINES[key]))
    value = per[key]
    slot = effect_slot(owner)
    if slot is not None:  # effect k of intervention i
        return value[..., slot[0], slot[1]]
    if owner[:1] in OWNER_AXES and owner[1:].isdigit():
        return (
            value[..., int(owner[1:]), :]
            if LINES[key].level == ("n", "H")
            else value[int(owner[1:])]
        )
    if owner.startswith("o:"):
        return value[(outcomes or OUTCOMES).index(owner[2:])]
    return value


OUTCOMES = ["lac_year", "mixed", "change"]


def agrees(workbook: Any, engine: float, key: str) -> bool:
    if key.endswith("payback_year") and engine == 0:  # the engine's 0: no payback in the horizon
        return workbook == "never"
    if not math.isfinite(engine):
        return isinstance(workbook, str)
    if not isinstance(workbook, int | float):
        return False
    tolerance = 0.01 if LINES[key].unit.startswith("£") else 1e-9 * max(1.0, abs(engine))
    return abs(workbook - engine) <= tolerance


def compare_every_line(book: Any, recalculated: Any) -> int:
    """Every cell where a line was placed against the engine's value of it; how many compared."""
    compared = 0
    wb = load_workbook(recalculated, data_only=True)
    per, totals = engine_values(book)
    for (key, owner), place in book.places.items():
        if key not in LINES or key not in per or not isinstance(place, Cell | Row):
            continue  # (a range: an outcome's components, an intervention's effects)
        values = np.atleast_1d(expected(key, owner, per, totals, list(book.portfolio.outcomes)))
        ws = wb[place.sheet]
        names = book.model.names.get(key)  # a rating, a price year: a name on the sheet
        if names is not None:
            assert isinstance(place, Cell), (key, place)
            shown = ws.cell(place.row, place.col).value
            assert shown == names[int(values.reshape(-1)[0])], (key, owner, shown)
            compared += 1
            continue
        if isinstance(place, Cell):
            cells = [(ws.cell(place.row, place.col).value, float(values.reshape(-1)[0]))]
        else:
            count = place.last - place.first + 1
            cells = [
                (ws.cell(place.row, place.first + t).value, float(values.reshape(-1)[t]))
                for t in range(count)
            ]
        for workbook, engine in cells:
            assert agrees(workbook, engine, key), (
                book.portfolio.portfolio,
                key,
                owner,
                place,
                workbook,
                engine,
            )
            compared += 1
    return compared


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # each example takes a LibreOffice run: no shrinking
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.tuples(*(portfolio(k) for k in range(5))))
def test_every_line_of_generated_portfolios_recalculates_to_the_engine(
    tmp_path_factory: pytest.TempPathFactory, portfolios: tuple[dict[str, Any], ...]
) -> None:
    require_tool("soffice")
    folder = tmp_path_factory.mktemp("lines")
    books, paths = [], []
    for k, data in enumerate(portfolios):
        book, sheets = layout(portfolio_from_data(data, f"p{k}.yaml"))
        path = folder / f"p{k}.xlsx"
        path.write_bytes(render(sheets))
        books.append(book)
        paths.append(path)
    compared = 0
    for book, recalculated in zip(books, recalculate(paths, folder / "out"), strict=True):
        compared += compare_every_line(book, recalculated)
    assert compared > 500  # every line of every intervention, year and component was compared

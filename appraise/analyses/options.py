"""Options appraisal: mutually exclusive options, each against doing nothing, ranked by NPV.

A portfolio's `options` group its interventions into ways of spending of which only one will be
chosen (MST, or FFT, or doing nothing). Each option's figures are those of its interventions
taken together by the engine's own total rules (`appraise.engine.options.option_totals`), never a
sum across options. Options are ranked by NPV, and each is set against the next cheaper one by
present value of cost: the incremental NPV and benefit-cost ratio of spending the difference
(HM Treasury, The Green Book, 2022, paragraph 5.53: options are compared with business as usual,
here doing nothing; docs/options.md gives the rule, its ties and its sources). Nothing here
prints or reads files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from appraise.engine import evaluate
from appraise.engine.evaluate import Structure
from appraise.engine.options import INCREMENTAL_KEYS, OPTION, option_totals
from appraise.engine.results import Appraisal, number
from appraise.model.schema import Portfolio

# An option's figures, each by its line's total rule: a sum over the option's interventions, or
# the same formula over those sums (a ratio, a payback year).
FIGURE_KEYS = (
    "cost",
    "gross_savings",
    "net_savings",
    "cashable_net_savings",
    "roi",
    "pv_cost",
    "pv_gross_savings",
    "npv",
    "bcr",
    "payback_year",
)
# `options[]` of `appraise evaluate --format json`, in order.
OPTION_KEYS = (
    "name",
    "interventions",
    *FIGURE_KEYS,
    "rank",
    "compared_with",
    *INCREMENTAL_KEYS,
)
# Compared with doing nothing, which the file does not list: every figure of it is 0.
DOING_NOTHING = -1


def option_members(portfolio: Portfolio) -> list[list[int]] | None:
    """Each option's interventions as positions in the portfolio's list (None: no options)."""
    if portfolio.options is None:
        return None
    ids = [i.id for i in portfolio.interventions]
    return [[ids.index(ident) for ident in option.interventions] for option in portfolio.options]


def ranking(npv: Sequence[float], pv_cost: Sequence[float]) -> list[int]:
    """Each option's rank (1 = best): by NPV, highest first; equal NPVs by present value of cost,
    cheapest first; then in the file's order."""
    order = sorted(range(len(npv)), key=lambda k: (-npv[k], pv_cost[k], k))
    ranks = [0] * len(npv)
    for place, k in enumerate(order, 1):
        ranks[k] = place
    return ranks


def best(npv: np.ndarray, pv_cost: np.ndarray) -> np.ndarray:
    """The rank-1 option of each draw ([draws, options] -> [draws]), by the rule of `ranking`."""
    top = npv == npv.max(axis=-1, keepdims=True)
    # argmin takes the first of equal costs: the file's order.
    return np.where(top, pv_cost, np.inf).argmin(axis=-1)


def next_cheaper(pv_cost: Sequence[float], npv: Sequence[float]) -> list[int | None]:
    """The option each is compared with: the next cheaper one by present value of cost.

    That is, among the options costing strictly less, those costing most; of several at that
    cost, the one with the highest NPV (the one a commissioner would pick at that cost), then the
    first in the file. With none cheaper, an option that costs something is compared with doing
    nothing (`DOING_NOTHING`), and one that costs nothing has nothing to compare with (None).
    """
    out: list[int | None] = []
    for cost in pv_cost:
        cheaper = [j for j, other in enumerate(pv_cost) if other < cost]
        if cheaper:
            top = max(pv_cost[j] for j in cheaper)
            at_top = [j for j in cheaper if pv_cost[j] == top]
            out.append(min(at_top, key=lambda j: (-npv[j], j)))
        else:
            out.append(DOING_NOTHING if cost > 0 else None)
    return out


def incremental(
    figures: Sequence[dict[str, float]], comparators: Sequence[int | None]
) -> list[dict[str, float] | None]:
    """Each option's incremental figures over its comparator (`appraise.engine.options` lines)."""
    compared = [k for k, c in enumerate(comparators) if c is not None]
    if not compared:
        return [None] * len(figures)

    def own(key: str, base: bool) -> np.ndarray:
        values = []
        for k in compared:
            j = comparators[k]
            source = None if base and j == DOING_NOTHING else figures[j if base else k]
            values.append(0.0 if source is None else source[key])
        return np.array(values)

    inputs = {
        **{key: own(key, False) for key in ("pv_cost", "pv_gross_savings", "npv")},
        **{f"base_{key}": own(key, True) for key in ("pv_cost", "pv_gross_savings", "npv")},
    }
    none = np.zeros(0, dtype=int)
    structure = Structure(0, 0, none, none, 0, 0, 0, 0)
    values = evaluate.run(inputs, structure, INCREMENTAL_KEYS, OPTION)
    out: list[dict[str, float] | None] = [None] * len(figures)
    for position, k in enumerate(compared):
        out[k] = {key: float(values[key][position]) for key in INCREMENTAL_KEYS}
    return out


@dataclass(frozen=True)
class OptionResult:
    """One option: its interventions, figures, rank and what it is compared with."""

    name: str
    interventions: tuple[str, ...]
    figures: dict[str, float]  # FIGURE_KEYS, by the lines' total rules
    rank: int
    compared_with: int | None  # an option's position, DOING_NOTHING, or None (nothing cheaper)
    increments: dict[str, float] | None  # INCREMENTAL_KEYS, None when compared with nothing


@dataclass(frozen=True)
class Options:
    """Every option of a portfolio, in the file's order."""

    options: list[OptionResult]

    def best(self) -> OptionResult:
        return next(o for o in self.options if o.rank == 1)

    def record(self, k: int) -> dict[str, Any]:
        """One option as in `appraise evaluate --format json` (`options[k]`)."""
        option = self.options[k]
        f = option.figures
        compared = option.compared_with
        rec: dict[str, Any] = {
            "name": option.name,
            "interventions": list(option.interventions),
            **{key: number(f[key]) for key in FIGURE_KEYS if key != "payback_year"},
            "payback_year": int(f["payback_year"]) or None,
            "rank": option.rank,
            "compared_with": (
                self.options[compared].name if compared is not None and compared >= 0 else None
            ),
            **{
                key: None if option.increments is None else number(option.increments[key])
                for key in INCREMENTAL_KEYS
            },
        }
        return {key: rec[key] for key in OPTION_KEYS}

    def to_data(self) -> list[dict[str, Any]]:
        return [self.record(k) for k in range(len(self.options))]


def compare_options(appraisal: Appraisal) -> Options | None:
    """The options of an appraised portfolio, ranked and compared (None: it has no options)."""
    portfolio = appraisal.model.portfolio
    groups = option_members(portfolio)
    if groups is None or portfolio.options is None:
        return None
    structure = appraisal.model.base.structure
    figures = []
    for members in groups:
        totals = option_totals(appraisal.per, structure, members)
        figures.append({key: float(totals[key]) for key in FIGURE_KEYS})
    npv = [f["npv"] for f in figures]
    pv_cost = [f["pv_cost"] for f in figures]
    ranks = ranking(npv, pv_cost)
    comparators = next_cheaper(pv_cost, npv)
    increments = incremental(figures, comparators)
    return Options(
        [
            OptionResult(
                option.name,
                tuple(option.interventions),
                figures[k],
                ranks[k],
                comparators[k],
                increments[k],
            )
            for k, option in enumerate(portfolio.options)
        ]
    )


def evaluation_data(appraisal: Appraisal) -> dict[str, Any]:
    """`appraise evaluate --format json`: the appraisal's JSON, with `options` when it has them."""
    data = appraisal.to_data()
    options = compare_options(appraisal)
    if options is not None:
        data["options"] = options.to_data()
    return data

"""Options appraisal: mutually exclusive options, each against doing nothing, ranked by NPV, with
the incremental analysis on the efficiency frontier.

A portfolio's `options` group its interventions into ways of spending of which only one will be
chosen (MST, or FFT, or doing nothing). Each option's figures are those of its interventions
taken together by the engine's own total rules (`appraise.engine.options.option_totals`), never a
sum across options. Options are ranked by NPV; each is found dominated, ruled out by extended
dominance or on the efficiency frontier, and each on the frontier is set against the option
before it there: the incremental NPV and benefit-cost ratio of spending the difference (the
rules are the lines of `appraise.engine.options`, after dampack's `calculate_icers`; HM
Treasury, The Green Book, 2022, paragraph 5.53: options are compared with business as usual,
here doing nothing; docs/options.md). Nothing here prints or reads files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from appraise.engine.options import (
    INCREMENTAL_KEYS,
    STATUS,
    evaluate_options,
    option_totals,
)
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
    "status",
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


def best(npv: np.ndarray, pv_cost: np.ndarray) -> np.ndarray:
    """The rank-1 option of each draw ([draws, options] -> [draws]): the highest NPV; equal NPVs
    by present value of cost, cheapest first, then in the file's order (the `rank` line)."""
    top = npv == npv.max(axis=-1, keepdims=True)
    # argmin takes the first of equal costs: the file's order.
    return np.where(top, pv_cost, np.inf).argmin(axis=-1)


def frontier(figures: Sequence[dict[str, float]]) -> dict[str, np.ndarray]:
    """The option lines (`appraise.engine.options`) over the options' figures: rank, status on
    the efficiency frontier, comparator and incremental figures. One value per option, then one
    for doing nothing (the last point, whose figures are all 0)."""
    k = len(figures)
    inputs = {
        key: [f[key] for f in figures] + [0.0] for key in ("pv_cost", "pv_gross_savings", "npv")
    }
    inputs["listed"] = [1.0] * k + [0.0]
    inputs["order"] = [float(j + 1) for j in range(k + 1)]
    return evaluate_options(inputs)


@dataclass(frozen=True)
class OptionResult:
    """One option: its interventions, figures, rank, status and what it is compared with."""

    name: str
    interventions: tuple[str, ...]
    figures: dict[str, float]  # FIGURE_KEYS, by the lines' total rules
    rank: int
    status: str  # appraise.engine.options.STATUS: frontier, dominated, extended_dominance
    compared_with: int | None  # an option's position, DOING_NOTHING, or None (compared with none)
    increments: dict[str, float] | None  # INCREMENTAL_KEYS, None when compared with none


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
            "status": option.status,
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
    """The options of an appraised portfolio, ranked, placed on the frontier and compared (None:
    it has no options)."""
    portfolio = appraisal.model.portfolio
    groups = option_members(portfolio)
    if groups is None or portfolio.options is None:
        return None
    structure = appraisal.model.base.structure
    figures = []
    for members in groups:
        totals = option_totals(appraisal.per, structure, members)
        figures.append({key: float(totals[key]) for key in FIGURE_KEYS})
    found = frontier(figures)
    k = len(figures)
    results = []
    for j, option in enumerate(portfolio.options):
        row = int(found["comparator"][j])  # 1-based row of the options table; 0 = none
        compared = None if row == 0 else (DOING_NOTHING if row == k + 1 else row - 1)
        increments = (
            None if compared is None else {key: float(found[key][j]) for key in INCREMENTAL_KEYS}
        )
        results.append(
            OptionResult(
                option.name,
                tuple(option.interventions),
                figures[j],
                int(found["rank"][j]),
                STATUS[int(found["status"][j])],
                compared,
                increments,
            )
        )
    return Options(results)


def evaluation_data(appraisal: Appraisal, brief: bool = False) -> dict[str, Any]:
    """`appraise evaluate --format json`: the appraisal's JSON, with `options` when it has them
    (`brief`: what the printed table reads, `Appraisal.to_data`)."""
    data = appraisal.to_data(brief)
    options = compare_options(appraisal)
    if options is not None:
        data["options"] = options.to_data()
    return data

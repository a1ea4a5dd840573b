"""Solving one input for a target result: sensitivity thresholds and back-solved claims.

The model is run over a whole grid of candidate values at once (the draw axis of the core), then
every bracket where the result crosses the target is refined by vectorised bisection. The same
code answers "at what success rate is NPV zero?" and "what LAC unit cost makes this claim true?".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from appraise.engine import core
from appraise.engine.params import Model, Param

GRID_POINTS = 513
BISECTIONS = 80
UNBOUNDED_SPAN = (
    1000.0  # search up to this many times the stated value where a domain is open-ended
)


@dataclass(frozen=True)
class Metric:
    """A result to solve for: a key of `core.appraise` output, for one intervention or the total.

    `key` may name a payer within savings_by_payer as "savings_by_payer.health".
    """

    key: str
    intervention: int | None = None  # None: portfolio total

    def values(
        self, per: dict[str, np.ndarray], totals: dict[str, np.ndarray], payers: tuple[str, ...]
    ) -> np.ndarray:
        base, _, payer = self.key.partition(".")
        source = per if self.intervention is not None else totals
        if base not in source:
            raise KeyError(self.key)
        arr = source[base]
        if payer:
            arr = arr[..., payers.index(payer)]
        if self.intervention is not None:
            arr = arr[..., self.intervention]
        return np.asarray(arr, dtype=float)


def evaluate_metric(
    model: Model, key: str, candidates: np.ndarray, metric: Metric, money_only: bool = False
) -> np.ndarray:
    """The metric [G] with input `key` set to each candidate value in turn (one vectorised run).

    `money_only` runs the core's money lines only (net savings, NPV and their parts): faster.
    """
    array = getattr(metric, "array", "") or metric.key.partition(".")[0]
    per, totals = core.appraise(
        model.inputs({key: candidates}),
        detail=not money_only,
        money_only=money_only,
        wanted=(array,),
    )
    return metric.values(per, totals, model.base.payers)


def search_grid(param: Param, stated: float) -> np.ndarray:
    """Candidate values spanning the input's whole allowed range, dense near the stated value."""
    d = param.domain
    scale = max(abs(stated), 1.0)
    lo = d.lo if math.isfinite(d.lo) else stated - UNBOUNDED_SPAN * scale
    hi = d.hi if math.isfinite(d.hi) else stated + UNBOUNDED_SPAN * scale
    if d.lo_open:
        # Not the smallest float above the bound: 1e-300 months of cost overflows the timeline.
        lo = lo + 1e-9 * scale
    if d.hi_open:
        hi = hi - 1e-12 * max(abs(hi), 1.0)
    linear = np.linspace(lo, hi, GRID_POINTS)
    near = stated + np.linspace(-1, 1, GRID_POINTS) * max(abs(stated), 1e-9)
    points = [linear, near[(near >= lo) & (near <= hi)], [stated]]
    if lo >= 0 and hi > 0:  # geometric spacing finds roots far below or above the stated value
        bottom = max(lo, hi * 1e-9, 1e-12)
        points.append(np.geomspace(bottom, hi, GRID_POINTS))
    return np.unique(np.clip(np.concatenate([np.asarray(p, dtype=float) for p in points]), lo, hi))


def solve(
    model: Model,
    key: str,
    metric: Metric,
    target: float,
    tolerance: float | None = None,
    grid: np.ndarray | None = None,
    money_only: bool = False,
) -> list[float]:
    """Every value of input `key` (within its allowed range) at which `metric` equals `target`.

    Sorted by distance from the stated (central) value. A crossing counts only if the metric
    there is within `tolerance` of the target (default: a relative 1e-9), which drops jumps such
    as a payback year stepping past the target. `money_only` is for metrics among the core's
    money lines (e.g. net_savings, npv): the same answer, faster.
    """
    grids = None if grid is None else [grid]
    return solve_many(model, [(key, metric)], target, tolerance, grids, money_only)[0]


def _evaluate_blocks(
    model: Model,
    problems: Sequence[tuple[str, Metric]],
    candidates: Sequence[np.ndarray],
    money_only: bool,
) -> list[np.ndarray]:
    """Each problem's metric over its candidates, all in one run of the core: problem i's input
    takes its candidates in block i of the draw axis and its stated value in every other block,
    so block i is exactly `evaluate_metric` of problem i alone."""
    if len(problems) == 1:
        (key, metric), (xs,) = problems[0], candidates
        return [evaluate_metric(model, key, xs, metric, money_only)]
    ends = np.cumsum([len(xs) for xs in candidates])
    starts = ends - np.array([len(xs) for xs in candidates])
    values: dict[str, np.ndarray] = {}
    for (key, _), xs, start, end in zip(problems, candidates, starts, ends, strict=True):
        if key not in values:
            values[key] = np.full(int(ends[-1]), model.param(key).central, dtype=float)
        values[key][start:end] = xs
    arrays = tuple(
        dict.fromkeys(getattr(m, "array", "") or m.key.partition(".")[0] for _, m in problems)
    )
    per, totals = core.appraise(
        model.inputs(values), detail=not money_only, money_only=money_only, wanted=arrays
    )
    return [
        metric.values(per, totals, model.base.payers)[start:end]
        for (_, metric), start, end in zip(problems, starts, ends, strict=True)
    ]


def solve_many(
    model: Model,
    problems: Sequence[tuple[str, Metric]],
    target: float,
    tolerance: float | None = None,
    grids: Sequence[np.ndarray] | None = None,
    money_only: bool = False,
) -> list[list[float]]:
    """`solve` of each (input key, metric) in `problems`, each answer exactly what `solve` gives
    on its own: the grids, and then every bisection step of every problem, are run together in
    one call of the core (a paper's few dozen break-even values in a few dozen runs, not a
    thousand)."""
    params = [model.param(key) for key, _ in problems]
    xs_all = [
        search_grid(p, p.central) if grids is None else np.asarray(grids[i], dtype=float)
        for i, p in enumerate(params)
    ]
    fs = [f - target for f in _evaluate_blocks(model, problems, xs_all, money_only)]
    tols, roots, brackets = [], [], []
    for xs, f in zip(xs_all, fs, strict=True):
        if tolerance is None:
            # Relative to the size of the figures in play: an NPV of millions cannot be pinned to
            # a billionth of a pound, but a jump (a payback year stepping past the target) is
            # still refused.
            values = f[np.isfinite(f)] + target
            scale = max(abs(target), float(np.abs(values).max()) if values.size else 0.0, 1.0)
            tols.append(1e-9 * scale)
        else:
            tols.append(tolerance)
        finite = np.isfinite(f)
        roots.append(list(xs[finite & (np.abs(f) <= 0)]))
        sign = np.sign(np.where(finite, f, np.nan))
        crossing = (sign[:-1] * sign[1:] < 0) & finite[:-1] & finite[1:]
        brackets.append([xs[:-1][crossing], xs[1:][crossing], f[:-1][crossing]])
    live = [i for i, (lo, _, _) in enumerate(brackets) if lo.size]
    for _ in range(BISECTIONS):
        # A problem stops once every bracket of its own is as narrow as a double can usefully
        # make it, as `solve` of it alone would.
        live = [
            i
            for i in live
            if not np.all(
                brackets[i][1] - brackets[i][0] <= 1e-13 * np.maximum(np.abs(brackets[i][0]), 1.0)
            )
        ]
        if not live:
            break
        mids = [(brackets[i][0] + brackets[i][1]) / 2 for i in live]
        found = _evaluate_blocks(model, [problems[i] for i in live], mids, money_only)
        for i, mid, f_mid in zip(live, mids, found, strict=True):
            lo, hi, f_lo = brackets[i]
            f_mid = f_mid - target
            same = np.sign(f_mid) == np.sign(f_lo)
            brackets[i] = [
                np.where(same, mid, lo),
                np.where(same, hi, mid),
                np.where(same, f_mid, f_lo),
            ]
    bracketed = [i for i, (lo, _, _) in enumerate(brackets) if lo.size]
    if bracketed:
        mids = [(brackets[i][0] + brackets[i][1]) / 2 for i in bracketed]
        checks = _evaluate_blocks(model, [problems[i] for i in bracketed], mids, money_only)
        for i, mid, check in zip(bracketed, mids, checks, strict=True):
            roots[i] += [
                float(x) for x, c in zip(mid, check - target, strict=True) if abs(c) <= tols[i]
            ]
    out = []
    for p, found_roots in zip(params, roots, strict=True):
        unique: list[float] = []
        for x in sorted(found_roots, key=lambda v: abs(v - p.central)):
            if all(abs(x - u) > 1e-9 * max(abs(u), 1.0) for u in unique):
                unique.append(float(x))
        out.append(unique)
    return out


def solve_one(
    model: Model, key: str, metric: Metric, target: float, tolerance: float | None = None
) -> float | None:
    """The value of input `key` nearest its stated value that makes `metric` equal `target`, or None."""
    roots = solve(model, key, metric, target, tolerance)
    return roots[0] if roots else None


def inputs_feeding(
    model: Model, metric: Metric, probe: Callable[[Param], bool] | None = None
) -> list[Param]:
    """Inputs that change `metric` when moved off their stated value (others cannot explain it)."""
    out = []
    for p in model.solvable:
        if probe is not None and not probe(p):
            continue
        stated = p.central
        grid = search_grid(p, stated)
        nudged = np.array(
            [stated, grid[len(grid) // 3], grid[2 * len(grid) // 3], grid[0], grid[-1]]
        )
        values = evaluate_metric(model, p.key, nudged, metric)
        finite = values[np.isfinite(values)]
        if (
            finite.size
            and np.ptp(finite) > 1e-12 * max(1.0, float(np.abs(finite).max()))
            or finite.size < values.size
            and np.isfinite(values[0])
        ):
            out.append(p)
    return out

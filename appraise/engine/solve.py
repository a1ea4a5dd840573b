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


def evaluate_blocks(
    model: Model,
    problems: Sequence[tuple[str, Metric]],
    candidates: Sequence[np.ndarray],
    money_only: bool,
) -> list[np.ndarray]:
    """Each problem's metric over its candidates, exactly `evaluate_metric` of each alone, in as
    few runs of the core as inputs allow (see `_runs`)."""
    out: list[np.ndarray] = [np.empty(0)] * len(problems)
    for run in _runs(model, [key for key, _ in problems]):
        found = _blocks(model, [problems[i] for i in run], [candidates[i] for i in run], money_only)
        for i, values in zip(run, found, strict=True):
            out[i] = values
    return out


def _runs(model: Model, keys: Sequence[str]) -> list[list[int]]:
    """Problems (by position) that may share a run of the core: no two of their inputs conflict
    (a whole outcome's cost sets its components' values in every block), and each would set aside
    the same assumptions alone (a claims file's assumption about an input's whole outcome, or
    component, is dropped while that input is solved)."""
    assumed = getattr(model, "assumed", {})
    # Conflicts are only between a whole outcome's cost and its components (`Model.conflict`).
    rivals: dict[str, set[str]] = {}
    for whole, parts in model.scaled.items():
        for part in parts:
            rivals.setdefault(whole, set()).add(part.key)
            rivals.setdefault(part.key, set()).add(whole)
    runs: list[tuple[frozenset[str], set[str], list[int]]] = []
    for i, key in enumerate(keys):
        dropped = frozenset(k for k in assumed if model.conflict(k, key))
        against = rivals.get(key, set())
        for same, members, positions in runs:
            if same == dropped and not against & members:
                members.add(key)
                positions.append(i)
                break
        else:
            runs.append((dropped, {key}, [i]))
    return [positions for _, _, positions in runs]


def _blocks(
    model: Model,
    problems: Sequence[tuple[str, Metric]],
    candidates: Sequence[np.ndarray],
    money_only: bool,
) -> list[np.ndarray]:
    """Each problem's metric over its candidates, all in one run of the core: problem i's input
    takes its candidates in block i of the draw axis and its stated value in every other block,
    so block i is exactly `evaluate_metric` of problem i alone (for problems `_runs` allows together)."""
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
    target: float | Sequence[float],
    tolerance: float | None | Sequence[float | None] = None,
    grids: Sequence[np.ndarray] | None = None,
    money_only: bool = False,
) -> list[list[float]]:
    """`solve` of each (input key, metric) in `problems`, each answer exactly what `solve` gives
    on its own: the grids, and then every bisection step of every problem, are run together in
    one call of the core (a paper's few dozen break-even values in a dozen runs, not a thousand).

    `target` and `tolerance` are one for all problems or one per problem.
    """
    n = len(problems)
    targets = [float(target)] * n if np.ndim(target) == 0 else [float(t) for t in target]  # type: ignore[union-attr]
    asked = tolerance if isinstance(tolerance, Sequence) else [tolerance] * n
    params = [model.param(key) for key, _ in problems]
    xs_all = [
        search_grid(p, p.central) if grids is None else np.asarray(grids[i], dtype=float)
        for i, p in enumerate(params)
    ]
    found = evaluate_blocks(model, problems, xs_all, money_only)
    fs = [f - t for f, t in zip(found, targets, strict=True)]
    tols, roots, brackets = [], [], []
    for xs, f, t, tol in zip(xs_all, fs, targets, asked, strict=True):
        if tol is None:
            # Relative to the size of the figures in play: an NPV of millions cannot be pinned to
            # a billionth of a pound, but a jump (a payback year stepping past the target) is
            # still refused.
            values = f[np.isfinite(f)] + t
            scale = max(abs(t), float(np.abs(values).max()) if values.size else 0.0, 1.0)
            tols.append(1e-9 * scale)
        else:
            tols.append(tol)
        finite = np.isfinite(f)
        roots.append(list(xs[finite & (np.abs(f) <= 0)]))
        sign = np.sign(np.where(finite, f, np.nan))
        crossing = (sign[:-1] * sign[1:] < 0) & finite[:-1] & finite[1:]
        brackets.append((xs[:-1][crossing], xs[1:][crossing], f[:-1][crossing]))

    def evaluate(asked: list[int], points: list[np.ndarray]) -> list[np.ndarray]:
        f = evaluate_blocks(model, [problems[i] for i in asked], points, money_only)
        return [v - targets[i] for i, v in zip(asked, f, strict=True)]

    brackets = bisect(brackets, evaluate, _narrow, BISECTIONS)
    bracketed = [i for i, (lo, _, _) in enumerate(brackets) if lo.size]
    if bracketed:
        mids = [(brackets[i][0] + brackets[i][1]) / 2 for i in bracketed]
        checks = evaluate(bracketed, mids)
        for i, mid, check in zip(bracketed, mids, checks, strict=True):
            roots[i] += [float(x) for x, c in zip(mid, check, strict=True) if abs(c) <= tols[i]]
    out = []
    for p, found_roots in zip(params, roots, strict=True):
        unique: list[float] = []
        for x in sorted(found_roots, key=lambda v: abs(v - p.central)):
            if all(abs(x - u) > 1e-9 * max(abs(u), 1.0) for u in unique):
                unique.append(float(x))
        out.append(unique)
    return out


Bracket = tuple[np.ndarray, np.ndarray, np.ndarray]  # lows, highs, and the test's value at each low
TREE_LEVELS = 5  # bisection steps taken per run of the core: 31 points a bracket


def _narrow(lo: np.ndarray, hi: np.ndarray) -> bool:
    """Every bracket of a problem as narrow as a double can usefully make it."""
    return bool(np.all(hi - lo <= 1e-13 * np.maximum(np.abs(lo), 1.0)))


def _same_side(f_mid: np.ndarray, f_lo: np.ndarray) -> np.ndarray:
    """Whether the root lies above the midpoint: the test has the same sign there as at the low."""
    return np.sign(f_mid) == np.sign(f_lo)


def bisect(
    brackets: Sequence[Bracket],
    evaluate: Callable[[list[int], list[np.ndarray]], list[np.ndarray]],
    done: Callable[[np.ndarray, np.ndarray], bool],
    steps: int,
    above: Callable[[np.ndarray, np.ndarray], np.ndarray] = _same_side,
) -> list[Bracket]:
    """Bisect every problem's brackets `steps` times, or until `done(lo, hi)` holds for them.

    `evaluate(problems, points)` gives the test at each problem's points; `above(f_mid, f_lo)` says
    where the bracket moves up. The answer is exactly plain bisection's, step for step, but each run
    of `evaluate` takes TREE_LEVELS steps: it is given every midpoint the next TREE_LEVELS steps
    could ask for (each computed as bisection computes it, by halving the bracket it would hold),
    and the walk down that tree then takes the branch bisection would take.
    """
    out = list(brackets)
    live = [i for i, (lo, _, _) in enumerate(out) if lo.size]
    taken = 0
    while live and taken < steps:
        live = [i for i in live if not done(out[i][0], out[i][1])]
        if not live:
            break
        levels = min(TREE_LEVELS, steps - taken)
        trees = []  # per problem: per level, the midpoints of every node [brackets, 2**level]
        for i in live:
            lo, hi = out[i][0][:, None], out[i][1][:, None]
            mids = []
            for _ in range(levels):
                mid = (lo + hi) / 2
                mids.append(mid)
                # Children in order (lower half, upper half): node k's are 2k and 2k + 1.
                lo = np.stack([lo, mid], axis=2).reshape(len(mid), -1)
                hi = np.stack([mid, hi], axis=2).reshape(len(mid), -1)
            trees.append(mids)
        flat = [np.concatenate([m.ravel() for m in mids]) for mids in trees]
        values = evaluate(live, flat)
        still = []
        for i, mids, f in zip(live, trees, values, strict=True):
            lo, hi, f_lo = out[i]
            node = np.zeros(lo.size, dtype=int)
            rows = np.arange(lo.size)
            offset, finished = 0, False
            for level, mid_level in enumerate(mids):
                if level and done(lo, hi):
                    finished = True
                    break
                width = mid_level.shape[1]
                mid = mid_level[rows, node]
                f_mid = f[offset : offset + lo.size * width].reshape(lo.size, width)[rows, node]
                offset += lo.size * width
                up = above(f_mid, f_lo)
                lo, hi, f_lo = (
                    np.where(up, mid, lo),
                    np.where(up, hi, mid),
                    np.where(up, f_mid, f_lo),
                )
                node = 2 * node + up
            out[i] = (lo, hi, f_lo)
            if not finished:
                still.append(i)
        taken += levels
        live = still
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
    """Inputs that change `metric` when moved off their stated value (others cannot explain it).

    Every input is nudged in one run of the core."""
    params = [p for p in model.solvable if probe is None or probe(p)]
    if not params:
        return []
    nudges = []
    for p in params:
        grid = search_grid(p, p.central)
        nudges.append(
            np.array([p.central, grid[len(grid) // 3], grid[2 * len(grid) // 3], grid[0], grid[-1]])
        )
    found = evaluate_blocks(model, [(p.key, metric) for p in params], nudges, False)
    out = []
    for p, values in zip(params, found, strict=True):
        finite = values[np.isfinite(values)]
        if (
            finite.size
            and np.ptp(finite) > 1e-12 * max(1.0, float(np.abs(finite).max()))
            or finite.size < values.size
            and np.isfinite(values[0])
        ):
            out.append(p)
    return out

"""When costs fall and savings arrive: cohort profiles on a monthly timeline, summed into years.

Each cohort's cost accrues evenly over `cost_months` from its start; each averted outcome saves
its annual cost spread evenly over the months of each benefit year, starting `benefit_lag_months`
after the cohort starts, for `benefit_years` years, losing `annual_decay` of what remains each year
after the first. A year's amount is the sum of its twelve monthly amounts, which is the overlap (in
months) of the accrual interval with that year, so an 18-month cost or lag lands in the right year
and fractional months are exact. Flows after the horizon are not counted.
"""

from __future__ import annotations

import math

import numpy as np


def overlap(start: np.ndarray, end: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Months shared by [start, end) and [lo, hi)."""
    return np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0.0, None)


MEMO_LIMIT = 4096  # inputs this small (no draw axis) have their profile memoised
_MEMO: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}


def weights(
    *,
    cohorts: np.ndarray,
    cost_months: np.ndarray,
    benefit_lag_months: np.ndarray,
    benefit_years: np.ndarray,
    annual_decay: np.ndarray,
    ramp_up: np.ndarray,
    horizon_years: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-year multipliers [..., n, H] of one year's cost and one year's gross savings.

    `cohorts` = 0 starts a cohort every year of the horizon, n > 0 only in the first n years. The
    first cohort is `ramp_up` of full size (cost and outcomes scale together). A simulation asks
    for the same fixed profile once per chunk of draws, so small inputs are memoised; the arrays
    returned are then shared, and read-only.
    """
    arrays = [
        np.asarray(a)
        for a in (cohorts, cost_months, benefit_lag_months, benefit_years, annual_decay, ramp_up)
    ]
    if sum(a.size for a in arrays) > MEMO_LIMIT:
        return _weights(arrays, horizon_years)
    key = (horizon_years, *((a.dtype.str, a.shape, a.tobytes()) for a in arrays))
    found = _MEMO.get(key)
    if found is None:
        found = _weights(arrays, horizon_years)
        for array in found:
            array.flags.writeable = False
        if len(_MEMO) >= 64:
            _MEMO.clear()
        _MEMO[key] = found
    return found


def _weights(arrays: list[np.ndarray], horizon_years: int) -> tuple[np.ndarray, np.ndarray]:
    """`weights` worked out, from its six inputs in order."""
    cohorts, cost_months, benefit_lag_months, benefit_years, annual_decay, ramp_up = arrays
    shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
    lo = 12.0 * np.arange(horizon_years)
    hi = lo + 12.0
    cost_months = np.asarray(cost_months, dtype=float)[..., None]
    lag = np.asarray(benefit_lag_months, dtype=float)
    persist = np.asarray(benefit_years, dtype=float)
    keep = 1.0 - np.asarray(annual_decay, dtype=float)
    cost_units = np.zeros(shape + (horizon_years,))
    benefit_units = np.zeros(shape + (horizon_years,))
    benefit_year_count = math.ceil(float(np.max(persist))) if persist.size else 0
    for k in range(horizon_years):
        active = (cohorts == 0) | (k < cohorts)
        scale = np.where(active, ramp_up if k == 0 else 1.0, 0.0)
        if not scale.any():
            continue
        start = 12.0 * k
        cost_units += scale[..., None] * overlap(start, start + cost_months, lo, hi)
        for j in range(benefit_year_count):
            begin = start + lag + 12.0 * j
            end = start + lag + 12.0 * np.minimum(j + 1.0, persist)
            weight = scale * keep**j * (persist > j)
            benefit_units += weight[..., None] * overlap(begin[..., None], end[..., None], lo, hi)
    return cost_units / cost_months, benefit_units / 12.0

"""Paths of the baseline's rate over the years: fitted trends and levers (pure arithmetic).

Kept with the file format because validating a baseline needs them (a fitted trend must stay above
zero; a lever must keep its driver in range); `appraise.analyses.forecast` projects with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where it is used: validating a file needs none (start-up)
    import numpy as np

# The cost drivers a council can pull (APHR 2017 recommendations), as `levers[].driver`.
DRIVERS = ("lac_rate", "weeks_in_care_per_child", "weekly_placement_cost")


def forecast_years(start_year: int, years: int) -> np.ndarray:
    """[Y] the start year and the `years` after it."""
    import numpy as np

    return np.arange(start_year, start_year + years + 1)


@dataclass(frozen=True)
class Trend:
    """rate(y) = a + b x(y), where x(y) = ln(y - t0 + 1) (log) or y - t0 (linear).

    t0 is the first year of the history, so x(t0) = 0 and `a` is the fitted rate in that year.
    """

    form: str
    t0: int
    a: float
    b: float

    def x(self, years: np.ndarray | int) -> np.ndarray:
        import numpy as np

        elapsed = np.asarray(years, dtype=float) - self.t0
        return np.log(elapsed + 1.0) if self.form == "log" else elapsed

    def __call__(self, years: np.ndarray | int) -> np.ndarray:
        return self.a + self.b * self.x(years)

    def to_data(self) -> dict[str, Any]:
        return {"form": self.form, "t0": self.t0, "a": self.a, "b": self.b}


def least_squares(x: Any, y: Any) -> tuple[float, float]:
    """The least-squares line y = a + b x (as Excel's INTERCEPT and SLOPE): b = sum((x - mean x)
    (y - mean y)) / sum((x - mean x)^2), a = mean y - b mean x. Through two points it passes
    through both."""
    import numpy as np

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    dx = x - x.mean()
    b = float((dx * (y - y.mean())).sum() / (dx**2).sum())
    return float(y.mean() - b * x.mean()), b


def fit_trend(history: Mapping[int, float], form: str) -> Trend:
    """The least-squares line of rate on x (see `Trend` and `least_squares`)."""
    import numpy as np

    years = np.array(sorted(history), dtype=float)
    rates = np.array([history[int(y)] for y in years], dtype=float)
    a, b = least_squares(Trend(form, int(years[0]), 0.0, 0.0).x(years), rates)
    return Trend(form, int(years[0]), a, b)


def lever_value(value: Any, change: Any, fraction: bool) -> np.ndarray:
    """A cost driver after a lever: value x (1 + change) for a fraction, value + change otherwise."""
    import numpy as np

    value, change = np.asarray(value, dtype=float), np.asarray(change, dtype=float)
    return value * (1.0 + change) if fraction else value + change

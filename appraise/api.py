"""The Python API for notebooks: `load_portfolio` and `evaluate` (pandas lives here, not in the CLI)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from appraise.engine.results import INTERVENTION_KEYS, appraise_portfolio
from appraise.model.load import load_portfolio as _load
from appraise.model.schema import Portfolio

if TYPE_CHECKING:
    from appraise.engine.results import Appraisal


def load_portfolio(path: str | Path) -> Portfolio:
    """Read and validate a portfolio file (raises `appraise.InputError` listing every problem)."""
    return _load(path)


def evaluate(portfolio: Portfolio | str | Path) -> pd.DataFrame:
    """One row per intervention, columns as `appraise evaluate --format json`.

    `df.appraise.totals` holds the portfolio totals and `df.appraise.appraisal` the full result.
    """
    if not isinstance(portfolio, Portfolio):
        portfolio = load_portfolio(portfolio)
    return frame_of(appraise_portfolio(portfolio))


def frame_of(appraisal: Appraisal) -> pd.DataFrame:
    """The DataFrame view of an appraisal."""
    data = appraisal.to_data()
    frame = pd.DataFrame(data["interventions"], columns=list(INTERVENTION_KEYS))
    frame.attrs["totals"] = data["portfolio"]
    frame.attrs["appraisal"] = appraisal
    return frame


@pd.api.extensions.register_dataframe_accessor("appraise")
class AppraiseAccessor:
    """`df.appraise.totals` (portfolio totals as a Series) on a DataFrame from `evaluate`."""

    def __init__(self, frame: pd.DataFrame):
        if "totals" not in frame.attrs:
            raise AttributeError("this DataFrame did not come from appraise.evaluate")
        self._frame = frame

    @property
    def totals(self) -> pd.Series:
        return pd.Series(self._frame.attrs["totals"], name="total")

    @property
    def appraisal(self) -> Appraisal:
        return self._frame.attrs["appraisal"]

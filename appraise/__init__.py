"""appraise: an open, tested invest-to-save appraisal engine for children's social care in England.

>>> import appraise
>>> portfolio = appraise.load_portfolio("examples/thurrock-2017.yaml")
>>> df = appraise.evaluate(portfolio)      # one row per intervention
>>> df.appraise.totals["net_savings"]       # portfolio totals
"""

from __future__ import annotations

from typing import Any

from appraise.errors import InputError, Problem
from appraise.version import __version__

__all__ = ["InputError", "Problem", "evaluate", "load_portfolio", "__version__"]


def __getattr__(name: str) -> Any:
    # pandas is imported only when the notebook API is used, keeping the CLI quick to start.
    if name in ("evaluate", "load_portfolio"):
        from appraise import api

        return getattr(api, name)
    raise AttributeError(name)

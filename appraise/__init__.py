"""appraise: an open, tested invest-to-save appraisal engine for children's social care in England.

>>> import appraise
>>> portfolio = appraise.load_portfolio("examples/thurrock-2017.yaml")
>>> df = appraise.evaluate(portfolio)      # one row per intervention
>>> df.appraise.totals["net_savings"]       # portfolio totals
"""

from __future__ import annotations

import os
from typing import Any

# openpyxl writes its XML through lxml whenever lxml can be imported, and python-docx (the
# committee paper) brings lxml in. Keep openpyxl on the standard library's writer, which it used
# before, so the workbook's bytes do not depend on which other libraries are installed. openpyxl
# reads this once, when first imported; a value the user has set is kept.
os.environ.setdefault("OPENPYXL_LXML", "False")

from appraise.errors import InputError, Problem
from appraise.version import __version__

__all__ = ["InputError", "Problem", "evaluate", "load_portfolio", "__version__"]


def __getattr__(name: str) -> Any:
    # pandas is imported only when the notebook API is used, keeping the CLI quick to start.
    if name in ("evaluate", "load_portfolio"):
        from appraise import api

        return getattr(api, name)
    raise AttributeError(name)

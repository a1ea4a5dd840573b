"""Small portfolios written out in full, for tests that should not depend on the library."""

from __future__ import annotations

import copy
from typing import Any

from appraise.engine.params import build
from appraise.engine.results import Appraisal, run
from appraise.model.load import portfolio_from_data

LOCAL_SOURCE = {
    "id": "local-test-source",
    "authors": "Test, A.",
    "year": 2020,
    "title": "A source for tests",
    "publisher": "Nobody",
    "country": "UK",
    "type": "local_data",
    "found": "Nothing; it exists so that tests have a source id.",
}


def portfolio_data(**overrides: Any) -> dict[str, Any]:
    """A one-intervention portfolio (MST-like figures) with every key written out."""
    data: dict[str, Any] = {
        "portfolio": "Test portfolio",
        "price_year": 2017,
        "horizon_years": 1,
        "outcomes": {
            "lac_year": {
                "name": "One child looked after for a year",
                "derive": {
                    "weekly_placement_cost": 1072,
                    "weeks_per_year": 35,
                    "non_placement_share": 0.47,
                },
            },
            "dv_incident": {
                "name": "One DV incident",
                "components": [
                    {
                        "name": "social care",
                        "cost": 1183,
                        "cashable": False,
                        "payer": "childrens_social_care",
                    },
                    {"name": "health", "cost": 7230, "cashable": False, "payer": "health"},
                ],
            },
        },
        "interventions": [intervention()],
        "evidence": {"local-test-source": LOCAL_SOURCE},
    }
    data.update(overrides)
    return data


def intervention(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": "svc",
        "name": "A service",
        "category": "edge_of_care",
        "averts": "lac_year",
        "reach": {"eligible": 1355, "proportion": 0.1},
        "unit_cost": {"amount": 2285, "per": "case"},
        "effect": {"success_rate": 0.16},
        "evidence": {"rating": "3", "sources": ["local-test-source"]},
    }
    item.update(copy.deepcopy(overrides))
    return item


def appraise_data(data: dict[str, Any]) -> Appraisal:
    portfolio = portfolio_from_data(data, "test.yaml", evidence={})
    return run(build(portfolio, {**portfolio.evidence}))


def one(data: dict[str, Any]) -> dict[str, Any]:
    """Results of the first intervention."""
    return appraise_data(data).record(0)


def summary_keys(ws: Any) -> list[str]:
    """The Summary sheet's JSON keys, read from each header's note (the header is the name)."""
    from appraise.workbook.summary import KEY_NOTE

    keys = []
    for c in ws[1]:
        note = c.comment.text if c.comment is not None else ""
        keys.append(note.split(KEY_NOTE, 1)[1].split()[0] if KEY_NOTE in note else c.value)
    return keys


def place(book: Any, key: str, owner: str) -> tuple[str, str]:
    """(sheet, cell) where a line of an owner sits."""
    from openpyxl.utils import get_column_letter

    found = book.places[(key, owner)]
    return found.sheet, f"{get_column_letter(found.col)}{found.row}"

"""The paper's section on outcome contracts (docs/outcome-contracts.md): who pays what, year by
year, and who carries the loss if the service does not work."""

from __future__ import annotations

from typing import Any

from appraise import charts
from appraise.analyses.contracts import (
    YEAR_COLUMNS,
    baseline_text,
    cap_text,
    expected_x,
    positions_by_outcome,
)
from appraise.display import money, pct
from appraise.paper.charts import png
from appraise.paper.content import Paper
from appraise.paper.word import Writer


def has_contracts(paper: Paper) -> bool:
    return any(r.get("contract") for r in paper.records)


def _simulated(paper: Paper, ident: str) -> dict[str, Any] | None:
    if paper.simulation is None:
        return None
    for rec in paper.simulation["interventions"]:
        if rec["id"] == ident:
            return rec.get("contract")
    return None


def contracts(w: Writer, paper: Paper) -> None:
    """Each outcome contract: payments by year (the financial implications), each party's
    position, the council's position against the outcome achieved under both arrangements, and
    with ranges, the chance the council loses under each."""
    w.orient(landscape=False)
    w.heading("Outcome contracts: what the council pays, and who carries the risk", 1)
    h = paper.portfolio.horizon_years
    for i, rec in enumerate(paper.records):
        c = rec.get("contract")
        if not c:
            continue
        w.heading(f"{rec['name']} ({c['kind']} contract)", 2)
        w.paragraph(
            f"Payments are for {c['metric'].replace('_', ' ')}, {baseline_text(c)}. Over {h} "
            f"years the contract pays {money(c['payments'])} ({cap_text(c)}); the council pays "
            f"{money(c['council_payments'])} of it and {money(c['fixed_fees'])} in fixed fees. "
            f"Its net position is {money(c['council_net'])} under the contract against "
            f"{money(c['direct_net'])} if it paid for the service directly; the provider's (or "
            f"investors') position is {money(c['provider_net'])}. Figures undiscounted."
        )
        w.table(
            "Financial implications: outcome payments by year",
            ["Year", *(title for title, _ in YEAR_COLUMNS)],
            [[str(y["year"]), *(money(y[key]) for _, key in YEAR_COLUMNS)] for y in c["years"]],
        )
        w.figure(
            "Outcome payments by year: the council's and a co-funder's",
            png(charts.contract_payments_chart(c["years"]), paper.identity),
        )
        rows = positions_by_outcome(paper.model, i)
        w.figure(
            "The council's net position against the outcome achieved, under the contract and "
            "under direct delivery (the lines are the engine's figures at each outcome)",
            png(
                charts.contract_position_chart(rows, expected_x(rows)),
                paper.identity,
            ),
        )
        odds = _simulated(paper, rec["id"])
        if odds is not None:
            w.bullets(
                [
                    f"Chance the council loses money: {pct(odds['prob_council_loses'], 1)} "
                    f"under the contract, {pct(odds['prob_council_loses_direct'], 1)} under "
                    f"direct delivery ({paper.simulation['draws']:,} draws).",
                    f"Mean outcome payment {money(odds['mean_outcome_payment'])}; the cap binds "
                    f"in {pct(odds['prob_cap_binds'], 1)} of draws.",
                ]
            )

"""Risk transfer under an outcome contract (docs/outcome-contracts.md): over a simulation's draws,
the council's net position under the contract and under direct delivery (paying the cost as a
fee), side by side; how often each loses money; the outcome payments expected; how often the
cap binds. And the same positions as the achieved outcome moves, for the chart.

Every figure is a line of `appraise.engine.lines` worked out for each draw, so each draw pays for
that draw's outcomes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from appraise.display import money, num, pct, years_text
from appraise.engine import core
from appraise.engine.params import Model
from appraise.model.numbers import central

# The figures summarised for each contract, each over the horizon (undiscounted).
SERIES = ("contract_council_net", "direct_net", "contract_payments", "provider_net")
WANTED = (*SERIES, "contract_council_payments", "contract_cap_binds")


def contract_members(model: Model) -> list[int]:
    """The interventions whose contract pays for outcomes."""
    return [
        i
        for i, item in enumerate(model.interventions)
        if item.contract is not None and item.contract.pays_outcomes
    ]


@dataclass
class ContractOdds:
    """One contract across the draws."""

    id: str
    draws: int
    council_loses: int  # draws in which the council's net position under the contract is < 0
    direct_loses: int  # the same under direct delivery
    cap_binds: int  # draws in which the cap binds
    mean_council_payments: float
    summaries: dict[str, Any]  # SERIES key -> its `uncertainty.Summary`

    def to_data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "prob_council_loses": self.council_loses / self.draws,
            "prob_council_loses_direct": self.direct_loses / self.draws,
            "mean_outcome_payment": self.summaries["contract_payments"].mean,
            "mean_council_payment": self.mean_council_payments,
            "prob_cap_binds": self.cap_binds / self.draws,
            **{key.removeprefix("contract_"): self.summaries[key].to_data() for key in SERIES},
        }


class ContractRisk:
    """Running counts and summaries of each contract's figures, fed chunk by chunk.

    `accumulator(series, chunk)` makes the running summaries: the simulation's own
    (`uncertainty.Accumulator`), so a contract's percentiles are read as every other figure's.
    """

    def __init__(self, members: list[int], chunk: int, accumulator: Callable[[int, int], Any]):
        self.members = members
        self.acc = accumulator(len(SERIES) * len(members), chunk)
        self.council_loses = np.zeros(len(members), dtype=np.int64)
        self.direct_loses = np.zeros(len(members), dtype=np.int64)
        self.cap_binds = np.zeros(len(members), dtype=np.int64)
        self.council_paid = np.zeros(len(members))
        self.draws = 0

    def add(self, per: dict[str, np.ndarray], size: int) -> None:
        m = self.members

        def of(key: str) -> np.ndarray:
            return np.broadcast_to(per[key][..., m], (size, len(m)))

        self.acc.add(np.concatenate([of(key) for key in SERIES], axis=1))
        self.council_loses += (of("contract_council_net") < 0).sum(axis=0)
        self.direct_loses += (of("direct_net") < 0).sum(axis=0)
        self.cap_binds += (of("contract_cap_binds") > 0).sum(axis=0)
        self.council_paid += of("contract_council_payments").sum(axis=0)
        self.draws += size

    def results(self, ids: list[str]) -> list[ContractOdds]:
        k = len(self.members)
        return [
            ContractOdds(
                ids[i],
                self.draws,
                int(self.council_loses[j]),
                int(self.direct_loses[j]),
                int(self.cap_binds[j]),
                float(self.council_paid[j] / self.draws),
                {key: self.acc.summary(s * k + j) for s, key in enumerate(SERIES)},
            )
            for j, i in enumerate(self.members)
        ]


# ---------------------------------------------------------------------------------------------
# The chart: each party's position as the achieved outcome moves
# ---------------------------------------------------------------------------------------------

POINTS = 41  # outcomes from none to twice those expected
CHART_LINES = ("reach", "outcomes_averted", "contract_paid_outcomes", *SERIES)


def expected_x(rows: list[dict[str, Any]]) -> float:
    """Where the outcome expected lies on the chart's axis (the row at scale 1)."""
    for row in rows:
        if row["scale"] == 1.0:
            return row.get("achieved_share", 1.0)
    return 1.0


def positions_by_outcome(model: Model, i: int, points: int = POINTS) -> list[dict[str, Any]]:
    """The council's net position under the contract and under direct delivery, and the
    outcome payments, as the outcomes the service achieves go from none to twice the expected
    (every effect scaled alike): the lines worked out at each point, not a straight line drawn."""
    scale = np.linspace(0.0, 2.0, points)
    per = _scaled_run(model, i, scale)
    contract = model.interventions[i].contract
    baseline = contract.baseline.share_in_care if contract and contract.baseline else None
    points_of = {k: np.broadcast_to(per[k][..., i], scale.shape) for k in CHART_LINES}
    reach = points_of["reach"]
    rows = []
    for j, s in enumerate(scale):
        paid = float(points_of["contract_paid_outcomes"][j])
        row = {
            "scale": float(s),
            **{
                key: float(points_of[key][j])
                for key in (
                    "outcomes_averted",
                    "contract_council_net",
                    "direct_net",
                    "contract_payments",
                )
            },
        }
        if baseline is not None:
            row["achieved_share"] = central(baseline) - paid / float(reach[j]) if reach[j] else None
            if row["achieved_share"] is not None and row["achieved_share"] < 0:
                continue  # no share in care below none
        rows.append(row)
    return rows


def _scaled_run(model: Model, i: int, scale: np.ndarray) -> dict[str, np.ndarray]:
    """The contract's lines with intervention i's outcomes averted scaled by each of `scale`:
    its effect's rate scaled through the attribution input, which multiplies every effect."""
    attribution = model.base.values["attribution"]
    drawn = np.broadcast_to(attribution, (len(scale), len(attribution))).copy()
    drawn[:, i] = attribution[i] * scale
    inputs = model.base.with_arrays(attribution=drawn)
    per, _ = core.appraise(inputs, wanted=CHART_LINES)
    return per


# ---------------------------------------------------------------------------------------------
# In words: the lines `appraise evaluate` prints under its table, and the paper's sentences
# ---------------------------------------------------------------------------------------------

# The columns of a contract's table of payments by year (the app's and the paper's).
YEAR_COLUMNS = (
    ("Outcome payments", "contract_payments"),
    ("Council pays", "contract_council_payments"),
    ("Co-funder pays", "contract_top_up"),
    ("Fixed fee", "contract_fixed_fee"),
    ("Council's net position", "contract_council_net"),
    ("Provider's position", "provider_net"),
)
METRIC_WORDS = {
    "outcomes_averted": "outcomes averted",
    "care_days_avoided": "care days avoided",
    "care_weeks_avoided": "care weeks avoided",
}


def baseline_text(c: dict[str, Any]) -> str:
    """The contract's baseline against the appraisal's, the difference named as deadweight."""
    if c.get("baseline_contract") is None:
        return "measured against the appraisal's own counterfactual"
    ours, theirs = c["baseline_contract"], c["baseline_appraisal"]
    text = (
        f"measured against a baseline of {pct(ours, 1)} in care (the appraisal's: {pct(theirs, 1)})"
    )
    if c["deadweight_outcomes"] > 0:
        text += (
            f"; the contract's baseline is {pct(ours - theirs, 1)} points higher, so it pays for "
            f"{num(c['deadweight_outcomes'], 2)} outcomes a year that would have happened anyway "
            "(deadweight in contract form)"
        )
    elif c["deadweight_outcomes"] < 0:
        text += (
            f"; the contract's baseline is {pct(theirs - ours, 1)} points lower, so "
            f"{num(-c['deadweight_outcomes'], 2)} outcomes a year the service achieves go unpaid"
        )
    else:
        text += ": no deadweight paid for"
    return text


def cap_text(c: dict[str, Any]) -> str:
    """Whether the cap binds, and the outcome at which it would."""
    if c["cap"] is None:
        return "no cap"
    if c["cap_scale"] is None:  # nothing is paid for, so no outcome reaches it
        return f"the cap of {money(c['cap'])} is not reached: the contract pays for nothing"
    where = f"{num(c['cap_binds_at_days'], 0)} care days paid for"
    if c["cap_binds_at_share"] is not None:
        where += f", a share in care of {pct(c['cap_binds_at_share'], 2)}"
    if c["cap_binds"]:
        return f"the cap of {money(c['cap'])} binds, from {where} ({pct(c['cap_scale'], 1)} of the outcomes expected)"
    return f"the cap of {money(c['cap'])} does not bind: it would at {where} ({pct(c['cap_scale'], 1)} of the outcomes expected)"


def contract_lines(interventions: list[dict[str, Any]], horizon: int) -> list[str]:
    """For each intervention with an outcome contract: payments, who pays them, each party's
    position, the baseline and the cap; payments by year."""
    out: list[str] = []
    for rec in interventions:
        c = rec.get("contract")
        if not c:
            continue
        metric = METRIC_WORDS.get(c["metric"], c["metric"])
        out += [
            "",
            f"Outcome contract of {rec['id']} ({c['kind']}): pays for {metric}, "
            f"{baseline_text(c)}.",
            f"  Over {years_text(horizon)} (undiscounted): outcome payments {money(c['payments'])} "
            f"(before the cap {money(c['uncapped'])}; {cap_text(c)}). The council pays "
            f"{money(c['council_payments'])}"
            + (
                f", {c['top_up_payer'].replace('_', ' ')} {money(c['top_up_paid'])}"
                if c["top_up_payer"]
                else ""
            )
            + f"; fixed fees {money(c['fixed_fees'])}; the council's own costs "
            f"{money(c['own_costs_total'])}.",
            f"  Council's net position: {money(c['council_net'])} under the contract, "
            f"{money(c['direct_net'])} under direct delivery (paying the cost as a fee). "
            f"Provider's (investors') position: {money(c['provider_net'])}.",
            "  Outcome payments by year: "
            + ", ".join(f"{y['year']}: {money(y['contract_payments'])}" for y in c["years"])
            + ".",
        ]
    return out

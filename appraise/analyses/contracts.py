"""Risk transfer under an outcome contract (docs/outcome-contracts.md): over a simulation's draws,
the council's net position under the contract and under direct delivery (paying the cost as a
fee), side by side; how often each loses money; the outcome payments expected; how often the
cap binds. And the same positions as the achieved outcome moves, for the chart.

Every figure is a line of `appraise.engine.lines` worked out for each draw, so each draw pays for
that draw's outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from appraise.analyses.uncertainty import (
    Accumulator,
    Summary,
    Tornado,
    one_at_a_time,
    swings_of,
)
from appraise.engine import core
from appraise.engine.params import Model
from appraise.engine.solve import Metric
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
    summaries: dict[str, Summary]

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
    """Running counts and summaries of each contract's figures, fed chunk by chunk."""

    def __init__(self, members: list[int], chunk: int):
        self.members = members
        self.acc = Accumulator(len(SERIES) * len(members), chunk)
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


def positions_by_outcome(model: Model, i: int, points: int = POINTS) -> list[dict[str, Any]]:
    """The council's net position under the contract and under direct delivery, and the
    outcome payments, as the outcomes the service achieves go from none to twice the expected
    (every effect scaled alike): the lines worked out at each point, not a straight line drawn."""
    scale = np.linspace(0.0, 2.0, points)
    per = _scaled_run(model, i, scale)
    contract = model.interventions[i].contract
    baseline = contract.baseline.share_in_care if contract and contract.baseline else None
    reach = per["reach"][..., i]
    rows = []
    for j, s in enumerate(scale):
        paid = float(per["contract_paid_outcomes"][j, i])
        row = {
            "scale": float(s),
            "outcomes_averted": float(per["outcomes_averted"][j, i]),
            "contract_council_net": float(per["contract_council_net"][j, i]),
            "direct_net": float(per["direct_net"][j, i]),
            "contract_payments": float(per["contract_payments"][j, i]),
        }
        if baseline is not None:
            row["achieved_share"] = central(baseline) - paid / float(reach[j]) if reach[j] else None
        rows.append(row)
    return rows


def _scaled_run(model: Model, i: int, scale: np.ndarray) -> dict[str, np.ndarray]:
    """The contract's lines with intervention i's outcomes averted scaled by each of `scale`:
    its effect's rate scaled through the attribution input, which multiplies every effect."""
    attribution = model.base.values["attribution"]
    drawn = np.broadcast_to(attribution, (len(scale), len(attribution))).copy()
    drawn[:, i] = attribution[i] * scale
    inputs = model.base.with_arrays(attribution=drawn)
    per, _ = core.appraise(
        inputs, wanted=("reach", "outcomes_averted", "contract_paid_outcomes", *SERIES)
    )
    return per


# ---------------------------------------------------------------------------------------------
# Sensitivity: the council's net position under each contract, one input at a time
# ---------------------------------------------------------------------------------------------


def contract_tornadoes(
    model: Model, params: list[Any], ranges: list[tuple[float, float, str]]
) -> list[Tornado]:
    """For each outcome contract, the council's net position with each uncertain input at its low
    and its high (the price and the contract's baseline among them, where ranged), and the value
    of each at which the council breaks even under the contract."""
    members = contract_members(model)
    if not members or not params:
        return []
    key = "contract_council_net"
    values = one_at_a_time(model, params, [r[0] for r in ranges], [r[1] for r in ranges], key)
    return [
        Tornado(
            model.ids[i],
            float(values[-1, i]),
            swings_of(model, params, ranges, values, i, Metric(key, i)),
            key,
        )
        for i in members
    ]

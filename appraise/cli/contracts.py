"""The outcome-contract lines `appraise evaluate` prints under its table (docs/outcome-contracts.md)."""

from __future__ import annotations

from typing import Any

from appraise.display import money, num, pct

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
            f"  Over {horizon} years (undiscounted): outcome payments {money(c['payments'])} "
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

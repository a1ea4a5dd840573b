"""What a committee paper says, computed: every figure comes from the functions behind the CLI.

`gather` runs the portfolio once through `appraise evaluate`'s engine and, where they apply, the
Monte Carlo and tornado (`simulate`, `sensitivity`), the forecast, a claims check, tracking and a
programme report, then keeps each as the JSON its command prints. `appraise.paper.document` only
lays that out. Nothing here formats a number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from appraise.analyses.breakeven import success_rate_curve
from appraise.analyses.forecast import forecast_data, with_portfolio
from appraise.analyses.options import evaluation_data
from appraise.analyses.uncertainty import (
    DEFAULT_DRAWS,
    sensitivity,
    uncertain_params,
)
from appraise.analyses.verify import ClaimsCheck
from appraise.analyses.voi import simulation_with_information
from appraise.engine.params import Model, Param, build
from appraise.engine.results import run
from appraise.engine.solve import Metric, solve_many
from appraise.errors import InputError
from appraise.model.baseline import Baseline
from appraise.model.identity import RunIdentity
from appraise.model.limits import MAX_SEED, check_draws, check_uncertain
from appraise.model.load import evidence_for
from appraise.model.save import portfolio_to_data
from appraise.model.schema import Evidence, Portfolio, lac_outcome
from appraise.workbook.inputs import InputRow, Section, input_rows

# A paper is read by people: past this many interventions (a section and a chart each) it is a
# workbook's job. It also bounds the work: a chart and a few solves per intervention.
MAX_PAPER_INTERVENTIONS = 100
DEFAULT_SEED = 1  # fixed, as in the app, so the same file gives the same paper
# Inputs whose break-even value the paper gives where the file has no ranges: those that set
# how many are served, what it costs and what it achieves (timing rarely changes a sign).
THRESHOLD_SECTIONS = ("reach", "unit_cost", "effect")


@dataclass
class Paper:
    """Everything a committee paper shows, as the CLI's JSON."""

    identity: RunIdentity
    model: Model
    results: dict[str, Any]  # `appraise evaluate --format json` (with options and prices)
    # Net savings against success rate, one per intervention (None: it averts several outcomes).
    curves: list[pd.DataFrame | None]
    inputs: list[Section | InputRow]  # the workbook's Inputs sheet, row for row
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    # `appraise simulate --voi --format json`, where ranges: with `value_of_information` and,
    # with options, `acceptability_by_budget` (or `voi_skipped` saying why they are not there).
    simulation: dict[str, Any] | None = None
    sensitivity: dict[str, Any] | None = None  # `appraise sensitivity --format json`
    thresholds: list[dict[str, Any]] | None = None  # where no ranges: inputs' break-even values
    forecast: dict[str, Any] | None = None  # `appraise forecast --format json` with the portfolio
    forecast_file: str | None = None
    claims: ClaimsCheck | None = None
    tracking: dict[str, Any] | None = None  # `appraise track --format json`
    programme: dict[str, Any] | None = None  # `appraise programme --format json`
    notes: list[str] = field(default_factory=list)  # what was left out, and why

    @property
    def portfolio(self) -> Portfolio:
        return self.model.portfolio

    @property
    def evidence(self) -> dict[str, Evidence]:
        return self.model.evidence

    @property
    def options(self) -> list[dict[str, Any]] | None:
        """The options, mutually exclusive (`options` of `appraise evaluate`), if the file has them."""
        return self.results.get("options")

    @property
    def records(self) -> list[dict[str, Any]]:
        return self.results["interventions"]

    @property
    def totals(self) -> dict[str, Any]:
        return self.results["portfolio"]

    def names(self) -> dict[str, str]:
        """Intervention id -> its name, and outcome key -> its name."""
        return {
            **{i.id: i.name for i in self.portfolio.interventions},
            **{k: o.name for k, o in self.portfolio.outcomes.items()},
        }

    def input_label(self, key: str, label: str, owner: str) -> str:
        """'Whose: what' (e.g. 'Pause: Outcomes averted per case'), as the app labels inputs."""
        whose = self.names().get(owner, owner)
        return (
            label if label.startswith(f"{whose}:") or owner == "portfolio" else f"{whose}: {label}"
        )


def gather(
    portfolio: Portfolio,
    identity: RunIdentity,
    evidence: Mapping[str, Evidence] | None = None,
    *,
    claims: ClaimsCheck | None = None,
    tracking: dict[str, Any] | None = None,
    baseline: Baseline | None = None,
    baseline_file: str = "",
    programme: dict[str, Any] | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> Paper:
    """Every figure the paper shows. `baseline` (from `baseline_file`) replaces the portfolio's
    own baseline; without either there is no forecast section. InputError for a portfolio too
    large for a paper or a baseline it cannot be compared with."""
    count = len(portfolio.interventions)
    if count > MAX_PAPER_INTERVENTIONS:
        raise InputError.one(
            identity.file,
            "interventions",
            f"{count} interventions are too many for a committee paper (at most "
            f"{MAX_PAPER_INTERVENTIONS}, a section each): export the workbook instead",
        )
    if draws < 1:
        raise InputError.one("--draws", "", "must be at least 1", draws)
    check_draws(draws, count)
    if not 0 <= seed <= MAX_SEED:
        raise InputError.one("--seed", "", f"must be from 0 to {MAX_SEED:,}", seed)
    registry = dict(evidence_for(portfolio) if evidence is None else evidence)
    appraisal = run(build(portfolio, registry))
    model = appraisal.model
    results = evaluation_data(appraisal)
    paper = Paper(
        identity=identity,
        model=model,
        results=results,
        curves=curves(portfolio, identity.file, results),
        inputs=input_rows(model),
        draws=draws,
        seed=seed,
        claims=claims,
        tracking=tracking,
        programme=programme,
    )
    uncertain = uncertain_params(model)
    if uncertain:
        check_uncertain(identity.file, len(uncertain), count, sensitivity=True)
        paper.simulation = simulation_with_information(model, draws, seed, skip=True)
        paper.sensitivity = sensitivity(model).to_data()
    else:
        paper.thresholds = break_even_inputs(model, results)
    if portfolio.options is not None and (baseline or portfolio.baseline) is not None:
        # Options are alternatives: spend "with the portfolio" would add them up.
        paper.forecast = forecast_data(baseline or portfolio.baseline)  # type: ignore[arg-type]
        paper.forecast_file = baseline_file or identity.file
        paper.notes.append(
            "The forecast is not set against the portfolio: its options are alternatives, and "
            "spend with all of them would add them up."
        )
    elif baseline is not None:
        compared = portfolio.model_copy(update={"baseline": baseline})
        lac_outcome(compared, baseline_file)
        comparison = with_portfolio(compared, registry, file=baseline_file)
        paper.forecast, paper.forecast_file = forecast_data(baseline, comparison), baseline_file
    elif portfolio.baseline is not None:
        comparison = with_portfolio(portfolio, registry, file=identity.file)
        paper.forecast = forecast_data(portfolio.baseline, comparison)
        paper.forecast_file = identity.file
    return paper


def curves(portfolio: Portfolio, name: str, results: dict[str, Any]) -> list[pd.DataFrame | None]:
    """The app's break-even curve of every intervention (`analyses.breakeven`); None for one
    averting several outcomes, which one success rate cannot stand for."""
    data = portfolio_to_data(portfolio)
    data.pop("baseline", None)  # plays no part in a year's net savings
    out: list[pd.DataFrame | None] = []
    for index, record in enumerate(results["interventions"]):
        if record["effect_form"] == "several":
            out.append(None)
            continue
        copy = {**data, "interventions": [dict(i) for i in data["interventions"]]}
        out.append(success_rate_curve(copy, name, index, record))
    return out


# ---------------------------------------------------------------------------------------------
# Risks: what each answer hangs on
# ---------------------------------------------------------------------------------------------


def _threshold_inputs(model: Model, index: int) -> list[Param]:
    """An intervention's reach, cost and effect inputs, then the cost of the outcome it averts
    (the whole cost where it has parts, so the cashable share is kept; else each part)."""
    item = model.interventions[index]
    own = [
        p
        for p in model.params
        if p.owner == item.id
        and p.path.rsplit(".", 2)[-2].split("[")[0].removesuffix("s") in THRESHOLD_SECTIONS
    ]
    outcome: list[Param] = []
    for key in item.outcomes_averted:
        whole = [p for p in model.whole_outcome if p.owner == key]
        outcome += whole or [
            p for p in model.params if p.owner_kind == "outcome" and p.owner == key
        ]
    return own + outcome


def break_even_inputs(model: Model, results: dict[str, Any]) -> list[dict[str, Any]]:
    """For each intervention, the value of each of its main inputs at which its NPV is zero, the
    others as stated: nearest the stated value first. A file without ranges has no swings to
    measure; these say how far each input may move before the answer changes sign."""
    asked = [
        (index, p)
        for index in range(len(results["interventions"]))
        for p in _threshold_inputs(model, index)
    ]
    # Every intervention's every input solved together: one run of the core per step.
    solved = solve_many(
        model, [(p.key, Metric("npv", index)) for index, p in asked], 0.0, money_only=True
    )
    by_intervention: dict[int, list[dict[str, Any]]] = {}
    for (index, p), found in zip(asked, solved, strict=True):
        stated = p.central
        # Zero served, zero cost, zero effect: not a value anyone would plan for.
        roots = [x for x in found if x != 0.0]
        zero = roots[0] if roots else None
        change = (zero - stated) / stated if zero is not None and stated else None
        by_intervention.setdefault(index, []).append(
            {
                "key": p.key,
                "label": p.label,
                "owner": p.owner,
                "unit": p.unit,
                "stated": stated,
                "zero_at": zero,
                "change": change,
            }
        )
    out = []
    for index, record in enumerate(results["interventions"]):
        rows = by_intervention.get(index, [])
        rows.sort(key=lambda r: math.inf if r["change"] is None else abs(r["change"]))
        out.append({"id": record["id"], "npv": record["npv"], "inputs": rows})
    return out


def hangs_on(tornado: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """The swings of one tornado that matter: each input that alone turns the NPV's sign within
    its range, and the widest swing if it is not among them; with why each is listed."""
    central = tornado["npv"]
    out = []
    for s in tornado["tornado"]:
        ends = [x for x in (s["npv_low"], s["npv_high"]) if x is not None]
        flips = s["threshold_in_range"] or any((x > 0) != (central > 0) for x in ends)
        if flips:
            out.append(
                (s, "turns the NPV from gain to loss" if central > 0 else "turns it to a gain")
            )
    if tornado["tornado"] and all(s is not tornado["tornado"][0] for s, _ in out):
        out.insert(0, (tornado["tornado"][0], "the widest swing; the NPV keeps its sign"))
    return out

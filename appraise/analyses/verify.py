"""Verifying a business case: recompute each stated figure, say which hold, back-solve the rest.

A claims file names a portfolio (the stated inputs) and lists figures as the business case wrote
them. Each claim is recomputed by the core from the portfolio's inputs (with any stated
assumptions applied), compared with the claimed figure within a tolerance, and for every claim
that does not hold, each input feeding the metric is solved for the value that would make it
true (`appraise.engine.solve`).

Tolerance, when a claim gives none, comes from how the figure was WRITTEN (the YAML text, not the
parsed number, so `4.40` keeps its second decimal): half a unit in the last digit written.

- a number: `4.4` -> +/- 0.05; `1225153` -> +/- 0.5; `4.40` -> +/- 0.005; `1.2e6` -> +/- 0.05e6
- text: `"£1.2M"` -> 1,200,000 +/- 50,000; `"£649k"` -> 649,000 +/- 500; `"3.2%"` -> 0.032 +/-
  0.0005; `"£1,225,153"` -> +/- 0.5; `"-£7,293"` or `"(£7,293)"` -> -7,293 +/- 0.5; `"1 in 31"` ->
  31 +/- 0.5. Suffixes k, m/M, bn and the words thousand, million, billion scale the number.

Every digit written counts as significant (`£1,200,000` is checked to +/- 0.5, not to the nearest
£100,000). A claim is `consistent` when |claimed - recomputed| <= tolerance.

What "implied" means: for an inconsistent claim, the value of one input, all others as stated,
at which the recomputed figure equals the claimed figure exactly as written (the centre of its
tolerance band), nearest the stated value when there are several; None when no value in the
input's allowed range gives it. For a step-valued metric (payback years) any value in an interval
works, and the implied value is the edge of that interval nearest the stated value. Inputs are
ranked by relative distance |implied - stated| / |stated|, except that an input counted in whole
cases or places (a reach count or capacity stated as a whole number) whose implied value is
fractional ranks after the inputs that could really take their implied value (135 places cannot
become 134.98); an input stated as zero ranks after those, and one with no solution last. "Stated" is the value the check used: an assumption
made in the claims file where there is one, otherwise the portfolio's (central) value.

Besides the portfolio's own inputs, every outcome whose cost to the headline perspective has two
or more components (a derived cost of care has placement and non-placement) gets a whole-outcome
input, `outcomes.<key>.unit_cost`: setting it scales all the outcome's components together, so the
cashable share is kept. "A break-even of 5 children implies an LAC unit cost of £61,923.50" is a
statement about this input.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from appraise.display import years_text
from appraise.engine import core, evaluate
from appraise.engine.claims import CLAIM, ROUNDING_ALLOWANCE
from appraise.engine.evaluate import Structure
from appraise.engine.figures import CONTRACT_FIGURES, figure, kind_of, summable
from appraise.engine.params import SETTINGS, Model, Param, build, is_whole_outcome
from appraise.engine.results import INTERVENTION_KEYS, PORTFOLIO_KEYS, YEAR_KEYS
from appraise.engine.solve import Metric, bisect, evaluate_blocks, inputs_feeding, solve_many
from appraise.errors import InputError, Problem
from appraise.model.files import Assumption, Claim, ClaimsFile, claims_from_text, load_claims
from appraise.model.load import (
    evidence_for,
)
from appraise.model.provenance import EDITED, Provenance
from appraise.model.reading import read_file
from appraise.model.schema import Portfolio

PORTFOLIO = "portfolio"  # `intervention: portfolio` claims a portfolio total
STATUSES = ("consistent", "inconsistent", "not_checkable")
# Step bisection for payback-year claims (each step is one core run of a single value).
EDGE_BISECTIONS = 60


# ---------------------------------------------------------------------------------------------
# Claimed figures as written
# ---------------------------------------------------------------------------------------------

# ---------------------------------------------------------------------------------------------
# The model as the claims see it: assumptions applied, whole-outcome unit costs added
# ---------------------------------------------------------------------------------------------


@dataclass
class CheckModel(Model):
    """A model whose inputs carry the claims file's assumptions.

    `base` stays the portfolio's own inputs; `inputs()` applies the assumptions, except one that
    conflicts with an input being solved (solving an outcome's weekly cost drops an assumption
    about that outcome's unit cost, and the other way round). The stated value of an assumed
    input is the assumed one.
    """

    assumed: dict[str, Any] = field(default_factory=dict)

    def inputs(self, values: Mapping[str, Any] | None = None) -> core.CoreInputs:
        values = dict(values or {})
        chosen = {
            k: v for k, v in self.assumed.items() if not any(self.conflict(k, j) for j in values)
        }
        chosen.update(values)
        return Model.inputs(self, chosen)


def check_model(model: Model, assumed: Mapping[str, Any] | None = None) -> CheckModel:
    """`model` with `assumed` values (params, whole-outcome costs, settings) as the stated ones."""
    assumed = dict(assumed or {})

    def stated(params: list[Param]) -> list[Param]:
        return [
            dataclasses.replace(p, value=assumed[p.key]) if p.key in assumed else p for p in params
        ]

    fields = {f.name: getattr(model, f.name) for f in dataclasses.fields(Model)}
    fields.update(params=stated(model.params), whole_outcome=stated(model.whole_outcome))
    return CheckModel(**fields, assumed=assumed)


# ---------------------------------------------------------------------------------------------
# Metrics a claim may name
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimMetric(Metric):
    """A claimable figure: one intervention's, a sum over several, or a portfolio total.

    `array` is the core's key, `sub` an index along its trailing axis (payer, outcome, component
    or year) and `members` the interventions summed for a claim over a list.
    """

    array: str = ""
    sub: int | None = None
    members: tuple[int, ...] = ()

    def values(
        self, per: dict[str, np.ndarray], totals: dict[str, np.ndarray], payers: tuple[str, ...]
    ) -> np.ndarray:
        whole = self.intervention is None and not self.members
        arr = (totals if whole else per)[self.array]
        if self.sub is not None:
            arr = arr[..., self.sub]
        if self.members:
            arr = arr[..., list(self.members)].sum(axis=-1)
        elif self.intervention is not None:
            arr = arr[..., self.intervention]
        return np.asarray(arr, dtype=float)

    @property
    def leaf(self) -> str:
        """The last part of the metric's name (`years.2.net_savings` -> `net_savings`)."""
        return (
            self.key.rsplit(".", 1)[-1] if self.key.startswith("years.") else self.key.split(".")[0]
        )


def _scalar_keys(source: Mapping[str, np.ndarray], keys: tuple[str, ...], ndim: int) -> list[str]:
    return [k for k in keys if k in source and np.ndim(source[k]) == ndim]


def metric_names(model: Model, whole: bool) -> list[str]:
    """Every metric a claim can name, for one intervention (or a list) or for the portfolio."""
    # Which figures exist depends on the portfolio's shape, not its values: one run of the core
    # per model, however many claims name a metric.
    found = model.__dict__.get("_figure_shapes")
    if found is None or found[0] is not model.base:
        found = (model.base, core.appraise(model.base))
        model.__dict__["_figure_shapes"] = found
    per, totals = found[1]
    names = (
        _scalar_keys(totals, PORTFOLIO_KEYS, 0)
        if whole
        else _scalar_keys(per, INTERVENTION_KEYS, 1)
    )
    if not whole and any(item.contract is not None for item in model.interventions):
        names += _scalar_keys(per, CONTRACT_FIGURES, 1)
    names += [f"savings_by_payer.{p}" for p in model.base.payers]
    if whole:
        names += [f"outcomes_averted_by_outcome.{o}" for o in model.portfolio.outcomes]
    else:
        names += [f"savings_by_component.{k}.{c}" for k, c in model.components]
    names += [f"years.N.{k}" for k in YEAR_KEYS]
    return names


def resolve_metric(model: Model, name: str, members: list[int] | None) -> ClaimMetric:
    """The metric named `name` for interventions `members` (None: the portfolio); ValueError if none."""
    whole = members is None
    payers = model.base.payers
    sub: int | None = None
    head, _, rest = name.partition(".")
    if head == "years":
        year, _, leaf = rest.partition(".")
        horizon = model.base.horizon_years
        if leaf not in YEAR_KEYS or not year.isdigit() or not 1 <= int(year) <= horizon:
            raise ValueError(
                f"a year's figure is years.N.KEY with N from 1 to {horizon} and KEY one of "
                f"{', '.join(YEAR_KEYS)}"
            )
        array, sub = YEAR_KEYS[leaf], int(year) - 1
    elif head == "savings_by_payer" and rest:
        if rest not in payers:
            raise ValueError(f"no payer {rest!r} in this portfolio (payers: {', '.join(payers)})")
        array, sub = head, payers.index(rest)
    elif head == "savings_by_component" and rest and not whole:
        outcome, _, part = rest.partition(".")
        if (outcome, part) not in model.components:
            named = ", ".join(f"{k}.{c}" for k, c in model.components)
            raise ValueError(f"no component {rest!r} (components: {named})")
        array, sub = head, model.components.index((outcome, part))
    elif head == "outcomes_averted_by_outcome" and rest and whole:
        outcomes = list(model.portfolio.outcomes)
        if rest not in outcomes:
            raise ValueError(f"no outcome {rest!r} (outcomes: {', '.join(outcomes)})")
        array, sub = head, outcomes.index(rest)
    else:
        allowed = metric_names(model, whole)
        if name not in allowed:
            what = "a portfolio total" if whole else "an intervention's figure"
            if whole and name in metric_names(model, False):
                raise ValueError(
                    f"{name} is not a portfolio total; claim it for one intervention, or sum it "
                    "over several with `intervention: [id, id, ...]`"
                )
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; metrics: {', '.join(allowed)}"
            raise ValueError(f"unknown metric for {what}{hint}")
        array = name
    metric = ClaimMetric(name, None, array, sub, ())
    if members is not None and len(members) > 1:
        if not summable(metric.leaf):
            raise ValueError(
                f"{name} is a rate, ratio, price or year and cannot be summed over interventions; "
                "claim it for each intervention or for the portfolio"
            )
        return dataclasses.replace(metric, members=tuple(members))
    if members is not None:
        return dataclasses.replace(metric, intervention=members[0])
    return metric


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Implied:
    """The value of one input that would make a claim true (None: no value does)."""

    input: str
    label: str
    unit: str
    path: str
    stated: float
    implied_value: float | None

    @property
    def distance(self) -> float:
        """|implied - stated| / |stated| (inf for a stated zero or no solution)."""
        if self.implied_value is None or self.stated == 0:
            return math.inf
        return abs(self.implied_value - self.stated) / abs(self.stated)

    def to_data(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "stated": self.stated,
            "implied_value": self.implied_value,
            "label": self.label,
            "unit": self.unit,
            "path": self.path,
        }


@dataclass
class ClaimResult:
    """One claim checked: claimed against recomputed, a status, and the implied inputs."""

    claim: Claim
    claimed: float
    tolerance: float
    recomputed: float | None  # None: undefined, or a payback that never comes
    status: str
    unit: str  # "£", "fraction", "per case", "count", "ratio" or "year"
    reason: str | None = None
    implied: list[Implied] = field(default_factory=list)
    # The inputs the check set (claims file and claim assumptions that apply), by key.
    assumed: dict[str, Any] = field(default_factory=dict)
    # A claim that does not hold may hold under the other cashable convention: its name.
    other_convention: str | None = None

    @property
    def difference(self) -> float | None:
        """claimed - recomputed: how far the claim overstates the recomputed figure."""
        return None if self.recomputed is None else self.claimed - self.recomputed

    @property
    def relative_difference(self) -> float | None:
        """difference / |recomputed| (None when recomputed is zero or undefined)."""
        difference = self.difference
        if difference is None or self.recomputed == 0:
            return None
        return difference / abs(self.recomputed)

    def to_data(self) -> dict[str, Any]:
        c = self.claim
        return {
            "id": c.id,
            "status": self.status,
            "claimed": self.claimed,
            "recomputed": self.recomputed,
            "difference": self.difference,
            "relative_difference": self.relative_difference,
            "tolerance": self.tolerance,
            "implied": [i.to_data() for i in self.implied],
            "intervention": c.intervention,
            "metric": c.metric,
            "unit": self.unit,
            "written": c.written,
            "tolerance_inferred": c.tolerance is None,
            "reason": self.reason,
            "holds_under_cashable_method": self.other_convention,
            "assume": [a.model_dump(exclude_none=True) for a in c.assume],
            "quote": c.quote,
            "source": c.source,
            "note": c.note,
        }


@dataclass
class Verification:
    """Every claim in a claims file checked against its portfolio."""

    claims_file: str
    portfolio: str  # the portfolio's name
    portfolio_file: str | None
    assume: list[Assumption]
    results: list[ClaimResult]
    # Each assumed input's provenance as an edit (what it replaced), by input key.
    provenance: dict[str, dict[str, Any]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {s: sum(r.status == s for r in self.results) for s in STATUSES}

    def to_data(self) -> dict[str, Any]:
        """JSON of `appraise verify --format json` (also what the workbook sheet and app show)."""
        return {
            "claims_file": self.claims_file,
            "portfolio": self.portfolio,
            "portfolio_file": self.portfolio_file,
            "assume": [self._assumption(a) for a in self.assume],
            "summary": self.counts(),
            "claims": [
                {**r.to_data(), "assume": [self._assumption(a) for a in r.claim.assume]}
                for r in self.results
            ],
        }

    def _assumption(self, a: Assumption) -> dict[str, Any]:
        """An assumption as JSON, with its provenance as an edit where it sets an input."""
        data = a.model_dump(exclude_none=True)
        if a.input in self.provenance:
            data["provenance"] = self.provenance[a.input]
        return data

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per claim (for a sheet or a table): the first implied input in its own
        columns, every implied input as text in `implied_all`."""
        out = []
        for r in self.results:
            data = r.to_data()
            first = r.implied[0] if r.implied else None
            who = data["intervention"]
            out.append(
                {
                    **{k: data[k] for k in ("id", "metric", "quote", "source", "status", "reason")},
                    "intervention": " + ".join(who) if isinstance(who, list) else who,
                    **{k: data[k] for k in ("claimed", "recomputed", "difference")},
                    **{k: data[k] for k in ("relative_difference", "tolerance", "unit")},
                    "check_first_input": first.input if first else None,
                    "check_first_stated": first.stated if first else None,
                    "check_first_implied_value": first.implied_value if first else None,
                    "implied_all": "; ".join(
                        f"{i.input}: stated {i.stated:g}, implied "
                        + ("none" if i.implied_value is None else f"{i.implied_value:g}")
                        for i in r.implied
                    ),
                }
            )
        return out


# ---------------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------------


def _unit(metric: ClaimMetric, model: Model, members: list[int] | None) -> str:
    leaf = metric.leaf
    per_case = members is not None and all(model.per_case(i) for i in members)
    unit = figure(leaf).claim_unit
    return "per case" if unit == "fraction" and per_case else unit


def _assumed(
    items: list[Assumption], model: CheckModel | Model, file: str, at: str, problems: list[Problem]
) -> dict[str, float]:
    keys = [p.key for p in model.solvable] + list(SETTINGS)
    out: dict[str, Any] = {}
    for j, a in enumerate(items):
        where = f"{at}assume[{j}]"
        if a.input not in keys:
            close = difflib.get_close_matches(a.input, keys, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Problem(file, f"{where}.input", f"unknown input{hint}", a.input))
            continue
        if a.input in SETTINGS:
            choices = SETTINGS[a.input][1]
            if a.value not in choices:
                problems.append(
                    Problem(file, f"{where}.value", f"must be one of {', '.join(choices)}", a.value)
                )
            else:
                out[a.input] = a.value
            continue
        if isinstance(a.value, str):
            problems.append(Problem(file, f"{where}.value", "expected a number", a.value))
            continue
        param = model.param(a.input)
        if not param.domain.contains(a.value):
            problems.append(
                Problem(file, f"{where}.value", f"{param.label}: {param.domain.text}", a.value)
            )
            continue
        if isinstance(model, CheckModel) and any(model.conflict(a.input, k) for k in out):
            problems.append(
                Problem(
                    file,
                    f"{where}.input",
                    "assume either an outcome's unit cost or its components, not both",
                    a.input,
                )
            )
            continue
        out[a.input] = a.value
    return out


@dataclass
class _Plan:
    claim: Claim
    metric: ClaimMetric  # indexed within `model`
    members: list[int] | None  # within `model`
    model: CheckModel  # only what the claim depends on (see `_trimmed`)
    paths: dict[str, str]  # input key -> field path in the full portfolio


MULTI_YEAR = frozenset(
    {"pv_cost", "pv_gross_savings", "npv", "bcr", "payback_year", "discounted_payback_year"}
    | set(CONTRACT_FIGURES)  # an outcome contract's figures are over the horizon
)


def _trimmed(model: Model, metric: ClaimMetric, members: list[int] | None) -> Model:
    """The part of the portfolio a claim depends on: its interventions, and one year unless the
    metric is a multi-year one (the core computes each intervention's figures independently, and
    a single year's figures do not depend on the horizon). Back-solving runs the core thousands
    of times, so this is where the time goes."""
    update: dict[str, Any] = {}
    if members is not None:
        update["interventions"] = [model.interventions[i] for i in sorted(set(members))]
        update["options"] = None  # they would name interventions left out
    if metric.leaf not in MULTI_YEAR and not metric.key.startswith("years."):
        update["horizon_years"] = 1
    if not update:
        return model
    return build(model.portfolio.model_copy(update=update), model.evidence)


def _plan(claims: ClaimsFile, model: Model) -> list[_Plan]:
    """Resolve every claim against the portfolio; every problem is reported at once."""
    file = claims.file
    problems: list[Problem] = []
    full = check_model(model)
    paths = {p.key: p.path for p in full.solvable}
    file_assumed = _assumed(claims.assume, full, file, "", problems)
    ids = model.ids
    plans = []
    for i, claim in enumerate(claims.claims):
        at = f"claims[{i}]"
        members: list[int] | None = None
        if claim.intervention != PORTFOLIO:
            unknown = [m for m in claim.members if m not in ids]
            for m in unknown:
                close = difflib.get_close_matches(m, ids, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                message = (
                    f"no such intervention in the portfolio{hint}; name one of {', '.join(ids)}, a "
                    "list of them, or portfolio"
                )
                problems.append(Problem(file, f"{at}.intervention", message, m))
            if unknown:
                continue
            members = [ids.index(m) for m in claim.members]
        try:
            metric = resolve_metric(model, claim.metric, members)
        except ValueError as exc:
            problems.append(Problem(file, f"{at}.metric", str(exc), claim.metric))
            continue
        own = _assumed(claim.assume, full, file, f"{at}.", problems)
        assumed = {
            k: v for k, v in file_assumed.items() if not any(full.conflict(k, j) for j in own)
        }
        assumed.update(own)
        part = _trimmed(model, metric, members)
        kept = [part.ids.index(model.ids[m]) for m in members] if members is not None else None
        checked = check_model(part)
        keys = {p.key for p in checked.solvable} | set(SETTINGS)
        checked = check_model(part, {k: v for k, v in assumed.items() if k in keys})
        plans.append(_Plan(claim, resolve_metric(part, claim.metric, kept), kept, checked, paths))
    if problems:
        raise InputError(problems)
    return plans


def _edges(
    model: CheckModel,
    metric: ClaimMetric,
    target: float,
    tol: float,
    found: list[tuple[str, float]],
) -> list[float]:
    """For a step-valued metric: for each (input, root), the end of the interval where the claim
    holds nearest the stated value (all bisected together)."""
    # Bisection between the stated value (outside) and the root (inside): the bracket's low end
    # is the outside one and moves up, toward the root, wherever the claim fails at the midpoint.
    brackets = [
        (np.array([model.param(key).central]), np.array([root]), np.array([np.nan]))
        for key, root in found
    ]

    def evaluate(asked: list[int], points: list[np.ndarray]) -> list[np.ndarray]:
        problems = [(found[i][0], metric) for i in asked]
        return [f - target for f in evaluate_blocks(model, problems, points, False)]

    def fails(f_mid: np.ndarray, _: np.ndarray) -> np.ndarray:
        return ~(np.abs(f_mid) <= tol)

    ends = bisect(brackets, evaluate, lambda lo, hi: False, EDGE_BISECTIONS, fails)
    return [float(hi[0]) for _, hi, _ in ends]


WHOLE_UNITS = (
    "cases",
    "places",
)  # Param units of reach counts and capacities (the schema's Input units)


def _fractional_count(item: Implied) -> bool:
    """A whole-number count of cases or places that would have to become fractional."""
    value = item.implied_value
    return (
        item.unit in WHOLE_UNITS
        and float(item.stated).is_integer()
        and value is not None
        and abs(value - round(value)) > 1e-6
    )


def implied_inputs(
    model: CheckModel,
    metric: ClaimMetric,
    target: float,
    tolerance: float,
    paths: Mapping[str, str] | None = None,
) -> list[Implied]:
    """For each input feeding `metric`, the value making it equal `target`, nearest first.

    `paths` maps input keys to field paths in the file (when `model` is part of a portfolio).
    """
    paths = paths or {}
    feeding = inputs_feeding(model, metric)
    solved = solve_many(model, [(p.key, metric) for p in feeding], target, tolerance)
    values = [roots[0] if roots else None for roots in solved]
    if kind_of(metric.leaf) == "year":
        rooted = [(p.key, v) for p, v in zip(feeding, values, strict=True) if v is not None]
        edges = iter(_edges(model, metric, target, tolerance, rooted))
        values = [None if v is None else next(edges) for v in values]
    found = [
        Implied(p.key, p.label, p.unit, paths.get(p.key, p.path), p.central, value)
        for p, value in zip(feeding, values, strict=True)
    ]
    order = {p.key: n for n, p in enumerate(model.solvable)}

    def rank(item: Implied) -> tuple[int, float, int, int]:
        if item.implied_value is None:
            tier = 3
        elif item.stated == 0:
            tier = 2
        else:
            tier = 1 if _fractional_count(item) else 0
        spread = abs(item.implied_value - item.stated) if tier == 2 else item.distance
        # Ties (a product of inputs moves each by the same proportion): the whole outcome first.
        return (
            tier,
            round(spread, 9) if math.isfinite(spread) else math.inf,
            not is_whole_outcome(item.input),
            order[item.input],
        )

    return sorted(found, key=rank)


def _recompute(model: CheckModel, metric: ClaimMetric) -> float:
    per, totals = core.appraise(model.inputs())
    return float(metric.values(per, totals, model.base.payers))


def holds(claimed: float, figure: float, tolerance: float) -> bool:
    """Whether a claimed figure is the recomputed one within its tolerance (`engine.claims`)."""
    inputs = {
        "claimed": np.asarray(claimed),
        "figure": np.asarray(figure),
        "tolerance": np.asarray(tolerance),
        "allowance": np.asarray(ROUNDING_ALLOWANCE),
    }
    none = np.zeros(0, dtype=int)
    structure = Structure(0, 0, none, none, 0, 0, 0, 0)
    return bool(evaluate.run(inputs, structure, ("claim_holds",), CLAIM)["claim_holds"])


def check_claim(plan: _Plan) -> ClaimResult:
    """Recompute one claim, decide its status, and back-solve it if it does not hold."""
    claim, metric, model = plan.claim, plan.metric, plan.model
    claimed, tol = claim.claimed, claim.check_tolerance
    unit = _unit(metric, model, plan.members)
    value = _recompute(model, metric)
    horizon = model.base.horizon_years

    def result(status: str, recomputed: float | None, reason: str | None = None) -> ClaimResult:
        return ClaimResult(
            claim, claimed, tol, recomputed, status, unit, reason, assumed=dict(model.assumed)
        )

    if kind_of(metric.leaf) == "year":
        if not 1 <= claimed <= horizon:
            return result(
                "not_checkable",
                value or None,
                f"a payback year must be from 1 to the portfolio's horizon ({years_text(horizon)})",
            )
        recomputed = value or None  # 0 from the core: never pays back within the horizon
    elif not math.isfinite(value):
        return result(
            "not_checkable",
            None,
            "the recomputed figure is undefined: a ratio with a zero denominator (zero cost, reach "
            "or outcome cost)",
        )
    else:
        recomputed = value
    if recomputed is not None and holds(claimed, recomputed, tol):
        return result("consistent", recomputed)
    out = result("inconsistent", recomputed)
    out.other_convention = _other_convention(model, metric, claimed, tol, value)
    out.implied = implied_inputs(model, metric, claimed, tol, plan.paths)
    return out


def _other_convention(
    model: CheckModel, metric: ClaimMetric, claimed: float, tol: float, value: float
) -> str | None:
    """The other cashable convention, if the claim holds under it (said before any implied input:
    a business case that used pro rata where the portfolio says strict is a choice, not an error)."""
    key = "cashable_method"
    choices = SETTINGS[key][1]
    current = model.assumed.get(key, model.portfolio.cashable_method)
    other = next(name for name in choices if name != current)
    per, totals = core.appraise(model.inputs({key: other}), wanted=(metric.array,))
    changed = float(metric.values(per, totals, model.base.payers))
    if changed != value and math.isfinite(changed) and holds(claimed, changed, tol):
        return other
    return None


def verify(claims: ClaimsFile, portfolio: Portfolio | None = None) -> Verification:
    """Check every claim against the portfolio (the one the claims file names, unless given)."""
    portfolio, path = claims.resolve(portfolio)
    model = build(portfolio, evidence_for(portfolio))
    plans = _plan(claims, model)
    return Verification(
        claims_file=claims.file,
        portfolio=portfolio.portfolio,
        portfolio_file=str(path) if path is not None else None,
        assume=list(claims.assume),
        results=[check_claim(plan) for plan in plans],
        provenance=assumed_provenance(claims, model),
    )


def assumed_provenance(claims: ClaimsFile, model: Model) -> dict[str, dict[str, Any]]:
    """Each input a claims file's `assume:` sets (for all claims or one), as an edit: the value
    and provenance it replaces in the portfolio, and the claims file it came from."""
    citations = model.citations()
    keys = {a.input for a in claims.assume} | {a.input for c in claims.claims for a in c.assume}
    out = {}
    for key in sorted(keys):
        try:
            param = model.param(key)
        except KeyError:  # a convention (cashable_method), not an input with a provenance
            continue
        edit = Provenance(EDITED, by="claims assume", was=param.traced, file=claims.file)
        out[key] = edit.to_data(citations)
    return out


def verify_file(path: str | Path) -> Verification:
    """Load a claims file and check it against the portfolio it names."""
    return verify(load_claims(path))


def check_claims_file(claims: ClaimsFile, portfolio: Portfolio | None = None) -> str:
    """Validate a claims file against its portfolio without checking the claims (for `validate`)."""
    portfolio, _ = claims.resolve(portfolio)
    _plan(claims, build(portfolio, evidence_for(portfolio)))
    return (
        f"{claims.file}: valid claims file: {len(claims.claims)} claims on {portfolio.portfolio!r}"
    )


@dataclass(frozen=True)
class ClaimsCheck:
    """Claims verified against the workbook's portfolio, and where each came from."""

    verification: Verification
    claims: ClaimsFile
    portfolio_file: (
        str  # the portfolio the workbook is exported from (the claims are checked on it)
    )
    named: str | None = None  # the portfolio the claims file names, when it is another file
    # The claims file's text as read: the workbook holds it (hidden), so that the Claims check
    # sheet can be laid out again from it (`appraise check-xlsx`, import-xlsx's pre-check).
    text: str = ""

    @property
    def summary(self) -> str:
        """'30 claims: 20 consistent, 10 inconsistent, 0 not checkable'."""
        counts = self.verification.counts()
        return (
            f"{sum(counts.values())} claims: {counts['consistent']} consistent, "
            f"{counts['inconsistent']} inconsistent, {counts['not_checkable']} not checkable"
        )

    @property
    def against(self) -> str:
        """Which portfolio the claims were checked against, and the one the claims file names."""
        # Named relative to the portfolio's folder: a workbook carries no path of the machine.
        folder = Path(self.portfolio_file).resolve().parent
        text = (
            f"Claims in {_relative(self.claims.file, folder)} checked against "
            f"{Path(self.portfolio_file).name} ({self.verification.portfolio})"
        )
        if self.named:
            text += (
                f". The claims file names another portfolio ({_relative(self.named, folder)}); "
                "its claims were checked against this workbook's portfolio instead"
            )
        return text


def _relative(path: str | Path, folder: Path) -> str:
    """A file's name relative to the portfolio's folder, or its bare name (and that it lies
    elsewhere) when it is outside it: never a path of the machine."""
    relative = os.path.relpath(Path(path).resolve(), folder)
    if relative.startswith(".."):
        return f"{Path(path).name} (outside the portfolio's folder)"
    return relative


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # either is missing: compare where they would be
        return a.resolve() == b.resolve()


def check_claims(path: str | Path, portfolio: Portfolio, portfolio_file: str | Path) -> ClaimsCheck:
    """Load a claims file and verify it against `portfolio` (read from `portfolio_file`).

    A broken claims file, or one naming interventions or metrics the portfolio does not have,
    is an InputError naming the field.
    """
    path = Path(path)
    raw = read_file(path)
    claims = claims_from_text(raw, str(path), path.parent)
    verification = verify(claims, portfolio)
    named = claims.portfolio_path()
    other = None if named is None or _same_file(named, Path(portfolio_file)) else str(named)
    text = raw.decode("utf-8-sig", "replace")
    return ClaimsCheck(verification, claims, str(portfolio_file), other, text)


def claims_check_from_text(
    text: str, name: str, portfolio: Portfolio, portfolio_file: str | Path
) -> ClaimsCheck:
    """The claims check of a claims file's text (as a workbook holds it) against `portfolio`:
    what `check_claims` gave at export, laid out again. The file it names is not read."""
    claims = claims_from_text(text, name, None)
    return ClaimsCheck(verify(claims, portfolio), claims, str(portfolio_file), None, text)

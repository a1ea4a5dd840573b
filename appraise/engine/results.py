"""Running a portfolio through the core and shaping the results (JSON records, DataFrame)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from appraise.engine import core
from appraise.engine.lines import EFFECT_FORM_NAMES, LINES
from appraise.engine.params import Model, build
from appraise.errors import InputError, Problem
from appraise.model.discounting import rate_data
from appraise.model.pricing import audit
from appraise.model.savings import CAPACITY, CASH_RELEASING, COST_AVOIDANCE, ONE_OFF, RECURRING
from appraise.model.schema import Intervention

# Per-intervention keys of `appraise evaluate --format json`, in order. The workbook's Summary
# header and the app's tables use the same names.
INTERVENTION_KEYS = (
    "id",
    "name",
    "category",
    "averts",
    "evidence_rating",
    "evidence_design",
    "evidence_supports",
    "reach",
    "reach_unit",
    "cases_costed",
    "cost_per",
    "cost",
    "cost_per_case",
    "effect_form",
    "effect_raw",
    "optimism_bias",
    "non_uk_haircut",
    "additionality",
    "effect_adjusted",
    "treated_risk",
    "effect_conversion",
    "effects",
    "flags",
    "outcomes_averted",
    "outcomes_averted_by_outcome",
    "outcome_cost",
    "cashable_outcome_cost",
    "gross_savings",
    "savings_by_outcome",
    "net_savings",
    "net_savings_per_case",
    "cashable_gross_savings",
    "cost_avoidance_savings",
    "capacity_savings",
    "recurring_savings",
    "one_off_savings",
    "savings_by_class",
    "cashable_net_savings",
    "cashable_net_savings_strict",
    "cashable_net_savings_pro_rata",
    "net_savings_childrens_social_care",
    "net_savings_public_sector",
    "savings_by_payer",
    "savings_by_component",
    "roi",
    "break_even_outcomes",
    "break_even_success_rate",
    "break_even_effect_share",
    "cases_per_success_at_break_even",
    "safety_margin",
    "pv_cost",
    "pv_gross_savings",
    "npv",
    "bcr",
    "payback_year",
    "discounted_payback_year",
    "years",
    "contract",
)
# What the printed table does not show, left out of the records it reads (`Appraisal.record`).
BRIEF_OMITS = frozenset({"years", "effect_conversion", "evidence_supports"})
BRIEF_KEYS = tuple(k for k in INTERVENTION_KEYS if k not in BRIEF_OMITS)
PORTFOLIO_KEYS = (
    "portfolio",
    "price_year",
    "cashable_method",
    "perspective",
    "horizon_years",
    "discount_rate",
    "apply_optimism_bias",
    "cost",
    "outcomes_averted_by_outcome",
    "gross_savings",
    "net_savings",
    "cashable_gross_savings",
    "cost_avoidance_savings",
    "capacity_savings",
    "recurring_savings",
    "one_off_savings",
    "savings_by_class",
    "cashable_net_savings",
    "cashable_net_savings_strict",
    "cashable_net_savings_pro_rata",
    "net_savings_childrens_social_care",
    "net_savings_public_sector",
    "savings_by_payer",
    "roi",
    "pv_cost",
    "pv_gross_savings",
    "npv",
    "bcr",
    "payback_year",
    "discounted_payback_year",
    "years",
)
YEAR_KEYS = {
    "cost": "year_cost",
    "gross_savings": "year_gross_savings",
    "cashable_gross_savings": "year_cashable_gross_savings",
    "cost_avoidance_savings": "year_cost_avoidance_savings",
    "capacity_savings": "year_capacity_savings",
    "recurring_savings": "year_recurring_savings",
    "one_off_savings": "year_one_off_savings",
    "net_savings": "year_net_savings",
    "cashable_net_savings": "year_cashable_net_savings",
    "cumulative_net": "year_cumulative_net",
    "discount_factor": "discount_factor",
    "discounted_net": "year_discounted_net",
    "cumulative_discounted_net": "year_cumulative_discounted_net",
}


# Gross savings split by how councils book them (appraise.model.savings): each class, and each
# part by recurrence; the classes add up to gross savings, and so do the two recurrences.
SAVINGS_BY_CLASS = {
    CASH_RELEASING: "cashable_gross_savings",
    COST_AVOIDANCE: "cost_avoidance_savings",
    CAPACITY: "capacity_savings",
    RECURRING: "recurring_savings",
    ONE_OFF: "one_off_savings",
}


def by_class(record: Mapping[str, Any]) -> dict[str, Any]:
    """`savings_by_class` of a record holding the class figures (an intervention, the total)."""
    return {name: record[key] for name, key in SAVINGS_BY_CLASS.items()}


def evidence_flags(item: Intervention) -> list[str]:
    """Says so where no source stands behind an intervention's effect (rated NL2, no sources)."""
    if item.evidence.sources:
        return []
    return [
        f"{item.id}: no source is cited for its effect (rated {item.evidence.rating}): the "
        "figures are the assumptions the file marks as such, not evidence"
    ]


def part_year_flags(item: Intervention) -> list[str]:
    """A flag for each effect observed over less than a year: it is taken as a year's result
    (docs/additionality.md says why it is not scaled)."""
    out = []
    for averts, effect, path in item.effect_list:
        if effect.part_year:
            months = f"{effect.observed_months:g}"
            out.append(
                f"{item.id} {path} ({averts}): observed over {months} months, taken as a year's "
                f"result: the outcomes averted per case are those seen in {months} months, and "
                "more cases may reach the outcome over a full year"
            )
    return out


class _Rows(dict[str, Any]):
    """Arrays as nested lists, each converted on first use: `to_data` reads results one number
    at a time, and reading a list is many times faster than reading an array (10,000
    interventions: 2 million numbers)."""

    def __init__(self, arrays: Mapping[str, np.ndarray]):
        super().__init__()
        self.arrays = arrays

    def __missing__(self, key: str) -> Any:
        value = self[key] = self.arrays[key].tolist()
        return value


def number(x: Any) -> float | int | None:
    """A JSON-safe number: infinities (a zero denominator, see core.ratio) become null."""
    x = float(x)
    if not math.isfinite(x):
        return None
    return x


def numbers(xs: Sequence[Any]) -> list[float | None]:
    """`number` of each of `xs`, in one comprehension (a million calls at 10,000 interventions)."""
    return [float(x) if math.isfinite(x) else None for x in xs]


class _Numbers(dict[str, Any]):
    """Arrays as nested lists of JSON-safe numbers (`number` of each: a float, or None for an
    infinity or NaN), each converted on first use, a whole array at once: reading them one at
    a time was a million calls at 10,000 interventions."""

    def __init__(self, arrays: Mapping[str, np.ndarray]):
        super().__init__()
        self.arrays = arrays

    def __missing__(self, key: str) -> Any:
        figures = np.asarray(self.arrays[key], dtype=float)
        finite = np.isfinite(figures)
        if finite.all():
            value = figures.tolist()
        else:  # an object array holds the same Python floats, and None where one is not finite
            value = figures.astype(object)
            value[~finite] = None
            value = value.tolist()
        self[key] = value
        return value


def _year(x: Any) -> int | None:
    return int(x) or None


@dataclass
class Appraisal:
    """Results of one run: per-intervention arrays [n] and portfolio totals."""

    model: Model
    per: dict[str, np.ndarray]
    totals: dict[str, np.ndarray]

    @cached_property
    def rows(self) -> _Rows:
        """`per` as nested lists (`rows[key][i][k]`), for reading element by element."""
        return _Rows(self.per)

    @cached_property
    def figures(self) -> _Numbers:
        """`per` as nested lists of JSON-safe numbers (`figures[key][i][k]`, `number` of each)."""
        return _Numbers(self.per)

    @cached_property
    def _year_labels(self) -> list[str] | None:
        # With `start`, each year also carries its financial year (the one it begins in).
        return self.model.portfolio.financial_years(self.model.base.horizon_years)

    def _years(self, row: Callable[[str], Sequence[Any]]) -> list[dict[str, Any]]:
        """Each year's figures, `row(key)` giving a figure's JSON-safe values by year."""
        h = self.model.base.horizon_years
        labels = self._year_labels
        # The discount factor is the same for every intervention and the total.
        columns = [
            self.figures["discount_factor"] if k == "discount_factor" else row(v)
            for k, v in YEAR_KEYS.items()
        ]
        if labels:
            return [
                {
                    "year": t + 1,
                    "financial_year": labels[t],
                    **dict(zip(YEAR_KEYS, figures, strict=True)),
                }
                for t, figures in zip(range(h), zip(*columns, strict=False), strict=False)
            ]
        return [
            {"year": t + 1, **dict(zip(YEAR_KEYS, figures, strict=True))}
            for t, figures in zip(range(h), zip(*columns, strict=False), strict=False)
        ]

    def record(self, i: int, brief: bool = False) -> dict[str, Any]:
        """One intervention's results, keyed as in `appraise evaluate --format json`; `brief`:
        without what the printed table does not show (`BRIEF_OMITS`: its figures by year, how
        each effect converts, whether the evidence supports it), about half the time."""
        m, r = self.model, self.figures
        item = m.interventions[i]
        payers = m.base.payers
        listed = item.effect_list
        effects = [self._effect_record(i, k, brief, listed[k]) for k in range(len(listed))]
        one = effects[0] if len(effects) == 1 else None
        mine = [e["averts"] for e in effects]  # `item.outcomes_averted`
        by_component, components = r["savings_by_component"][i], self._components_of(mine)
        rec: dict[str, Any] = {
            "id": item.id,
            "name": item.name,
            "category": item.category,
            "averts": item.averts,
            "evidence_rating": item.evidence.rating,
            "evidence_design": item.evidence.design,
            # A cited effect rated 3 or above: only then may a paper say the evidence supports it.
            "evidence_supports": None if brief else m.evidence_supports(i),
            "reach_unit": item.reach.unit,
            "cost_per": item.unit_cost.per if item.unit_cost.form == "per_case" else None,
            "effect_form": one["effect_form"] if one else "several",
            "effect_raw": one["effect_raw"] if one else None,
            "effect_adjusted": one["effect_adjusted"] if one else None,
            "treated_risk": one["treated_risk"] if one else None,
            "effect_conversion": None
            if brief
            else "; ".join(
                e["effect_conversion"] if one else f"{e['averts']}: {e['effect_conversion']}"
                for e in effects
            ),
            "effects": effects,
            "flags": part_year_flags(item) + evidence_flags(item),
            "outcomes_averted_by_outcome": {e["averts"]: e["outcomes_averted"] for e in effects},
            "savings_by_outcome": {e["averts"]: e["gross_savings"] for e in effects},
            "optimism_bias": r["optimism_bias"][i],
            "non_uk_haircut": r["non_uk_haircut"][i],
            "savings_by_payer": {p: r["savings_by_payer"][i][k] for k, p in enumerate(payers)},
            "savings_by_component": {label: by_component[c] for label, c in components},
            "payback_year": _year(r["payback_year"][i]),
            "discounted_payback_year": _year(r["discounted_payback_year"][i]),
            "years": None if brief else self._years(lambda key: r[key][i]),
            "contract": self.contract_record(i),
        }
        for key, column in self._figure_columns(rec):
            rec[key] = column[i]
        rec["savings_by_class"] = by_class(rec)
        return {k: rec[k] for k in (BRIEF_KEYS if brief else INTERVENTION_KEYS)}

    def _figure_columns(self, rec: Mapping[str, Any]) -> list[tuple[str, list[Any]]]:
        """The figures a record (`rec`, as `record` makes it before) takes as they are, each
        with its column of every intervention's: found once, not for each intervention."""
        found = self.__dict__.get("_columns")
        if found is None:
            keys = [k for k in INTERVENTION_KEYS if k not in rec and k != "savings_by_class"]
            found = self.__dict__["_columns"] = [(k, self.figures[k]) for k in keys]
        return found

    @cached_property
    def _effect_forms(self) -> list[list[int]]:
        """Each intervention's effects' form codes (`effect_form`), as lists of ints."""
        return self.model.base.effect_form.astype(int).tolist()

    def _components_of(self, averts: list[str]) -> tuple[tuple[str, int], ...]:
        """The components (`outcome.name`, position) of the outcomes `averts`, in core order:
        found once per list of outcomes, not once per intervention (10,000 interventions
        averting the same few)."""
        found = self._components.get(tuple(averts))
        if found is None:
            mine = set(averts)
            found = self._components[tuple(averts)] = tuple(
                (f"{key}.{name}", c)
                for c, (key, name) in enumerate(self.model.components)
                if key in mine
            )
        return found

    @cached_property
    def _components(self) -> dict[tuple[str, ...], tuple[tuple[str, int], ...]]:
        return {}

    def contract_record(self, i: int) -> dict[str, Any] | None:
        """An intervention's outcome contract: payments, who pays them, each side's net position
        and where the cap binds (None for a fee; docs/outcome-contracts.md)."""
        contract = self.model.interventions[i].contract
        if contract is None or not contract.pays_outcomes:
            return None
        r = self.rows
        rec: dict[str, Any] = {
            "kind": contract.kind,
            "metric": contract.headline_metric,
            "top_up_payer": contract.top_up.payer if contract.top_up else None,
            "cap": number(self.model.base.values["contract_cap"][i])
            if contract.cap is not None
            else None,
        }
        for key in core.CONTRACT:
            rec[key.removeprefix("contract_")] = number(r[key][i])
        if contract.cap is None:
            for key in ("cap_scale", "cap_binds_at_days", "cap_binds_at_share"):
                rec[key] = None
        if contract.baseline is None:
            rec["cap_binds_at_share"] = None
        else:
            rec["baseline_contract"] = number(self.model.base.values["contract_baseline"][i])
            rec["baseline_appraisal"] = number(self.model.base.values["effect_a"][i, 0])
        rec["cap_binds"] = bool(rec["cap_binds"])
        rec["years"] = [
            {
                "year": t + 1,
                **{k.removeprefix("year_"): number(r[k][i][t]) for k in core.CONTRACT_YEARS},
            }
            for t in range(self.model.base.horizon_years)
        ]
        return rec

    def effect_record(self, i: int, k: int, brief: bool = False) -> dict[str, Any]:
        """One effect of intervention i: the outcome it averts, how much, and its break-even
        (`brief`: without how it converts, `record`)."""
        return self._effect_record(i, k, brief, self.model.interventions[i].effect_list[k])

    def _effect_record(
        self, i: int, k: int, brief: bool, listed: tuple[str, Any, str]
    ) -> dict[str, Any]:
        """`effect_record`, given the effect as the intervention's `effect_list` lists it."""
        r = self.figures
        averts, effect, path = listed
        form = self._effect_forms[i][k]
        found = {
            "averts": averts,
            "path": path,
            "observed_months": effect.observed_months,
            "effect_form": EFFECT_FORM_NAMES[form],
            "effect_raw": r["effect_rate_raw"][i][k],
            "effect_adjusted": r["effect_rate"][i][k],
            "treated_risk": (r["effect_treated_risk"][i][k] if form in core.RISK_FORMS else None),
            "effect_conversion": None if brief else describe_effect(self.model, self.per, i, k),
            "outcomes_averted": r["effect_outcomes_averted"][i][k],
            "outcome_cost": r["effect_outcome_cost"][i][k],
            "gross_savings": r["effect_gross_savings"][i][k],
            "break_even_outcomes": r["effect_break_even_outcomes"][i][k],
            "break_even_success_rate": r["effect_break_even_success_rate"][i][k],
        }
        if brief:
            del found["effect_conversion"]
        return found

    def portfolio_record(self) -> dict[str, Any]:
        """Portfolio totals, keyed as in `appraise evaluate --format json`."""
        p, t = self.model.portfolio, self.totals
        rec: dict[str, Any] = {
            "portfolio": p.portfolio,
            "price_year": p.price_year.label,
            "cashable_method": p.cashable_method,
            "perspective": p.perspective,
            "horizon_years": p.horizon_years,
            "discount_rate": rate_data(p.discount_rate),
            "apply_optimism_bias": p.apply_optimism_bias,
            "outcomes_averted_by_outcome": {
                key: number(t["outcomes_averted_by_outcome"][o]) for o, key in enumerate(p.outcomes)
            },
            "savings_by_payer": {
                payer: number(t["savings_by_payer"][k])
                for k, payer in enumerate(self.model.base.payers)
            },
            "payback_year": _year(t["payback_year"]),
            "discounted_payback_year": _year(t["discounted_payback_year"]),
            "years": self._years(lambda key: numbers(t[key])),
        }
        for key in PORTFOLIO_KEYS:
            if key not in rec and key != "savings_by_class":
                rec[key] = number(t[key])
        rec["savings_by_class"] = by_class(rec)
        return {k: rec[k] for k in PORTFOLIO_KEYS}

    def booking_data(self) -> list[dict[str, Any]]:
        """How each component's saving is booked, and why (docs/defaults.md)."""
        return [
            {"outcome": key, "component": name, **booked.to_data()}
            for (key, name), booked in zip(self.model.components, self.model.bookings, strict=True)
        ]

    def to_data(self, brief: bool = False) -> dict[str, Any]:
        """`{"portfolio": {...}, "interventions": [{...}, ...]}` as printed by `evaluate --format
        json`. `brief`: what the printed table reads, which lists the inputs from the params
        themselves (`appraise.display.input_lines`): without the listing of every input
        (`Param.to_data`) and each intervention's figures by year (`record`)."""
        out = {
            "portfolio": self.portfolio_record(),
            "interventions": [self.record(i, brief) for i in range(len(self.model.ids))],
        }
        if self.model.prices is not None:
            out["prices"] = audit(self.model.portfolio, self.model.prices)
        out["savings_classes"] = self.booking_data()
        if brief:
            return out
        citations = self.model.citations()
        # docs/provenance.md; `made` lives as long as the params whose provenance it is keyed by.
        made: dict[int, dict[str, Any]] = {}
        out["inputs"] = [p.to_data(citations, made) for p in self.model.params]
        return out


def run(model: Model, values: Mapping[str, Any] | None = None) -> Appraisal:
    """Appraise a built model, optionally with some inputs (by key) replaced.

    A figure too large for a float is an InputError naming the inputs involved, never "n/a".
    """
    per, totals = core.appraise(model.inputs(values))
    check_finite(model, per, values)
    return Appraisal(model, per, totals)


# Figures of one outcome, which are n/a (NaN) for an intervention averting several.
SEVERAL_NA = frozenset(
    {
        "outcome_cost",
        "cashable_outcome_cost",
        "outcome_cost_csc",
        "outcome_cost_all",
        "odds_ratio",
        "effect_raw",
        "effect_adjusted",
        "break_even_outcomes",
        "break_even_success_rate",
        "cases_per_success_at_break_even",
        "safety_margin",
    }
)


def check_finite(
    model: Model, per: Mapping[str, np.ndarray], values: Mapping[str, Any] | None = None
) -> None:
    """Refuse figures that overflowed: not a number, or infinite where no ratio over zero is.

    Inputs are bounded where they are read, so this is the backstop: a product of large inputs
    (a reach, a unit cost and an outcome's cost) can still pass a float's range.
    """
    several = np.array([len(item.effect_list) > 1 for item in model.interventions])
    flagged: list[tuple[str, np.ndarray]] = []  # (line, which interventions it overflowed for)
    for key, array in per.items():
        line = LINES.get(key)
        if line is None or "n" not in line.level or np.ndim(array) == 0:
            continue
        if key in ("treated_risk", "effect_treated_risk"):
            continue  # not applicable to every effect form: NaN by design
        figure = np.asarray(array, dtype=float)
        wrong = np.isnan(figure) if line.infinite is not None else ~np.isfinite(figure)
        # Each intervention's figure, over any other axes (years, effects, draws).
        axis = figure.ndim + line.level.index("n") - len(line.level)
        per_item = np.moveaxis(wrong, axis, -1).reshape(-1, figure.shape[axis]).any(axis=0)
        if key in SEVERAL_NA:
            per_item &= ~several  # a figure of one outcome: n/a with several, by design
        if per_item.any():
            flagged.append((key, per_item))
    problems = []
    for i in sorted({int(i) for _, mask in flagged for i in np.flatnonzero(mask)}):
        item = model.interventions[i]
        bad = [key for key, mask in flagged if mask[i]]
        mine = [p for p in model.solvable if p.owner in (item.id, *item.outcomes_averted)]
        used = {
            p.key: _largest(values.get(p.key, p.central) if values else p.central) for p in mine
        }
        largest = sorted(mine, key=lambda p: -abs(used[p.key]))[:3]
        inputs = ", ".join(f"{p.path} = {used[p.key]:g}" for p in largest)
        problems.append(
            Problem(
                model.portfolio.file,
                f"interventions[{i}]",
                f"{item.id}: figures too large to work out ({', '.join(bad[:3])} not a finite "
                f"number); the largest inputs involved: {inputs}",
            )
        )
    if problems:
        raise InputError(problems)


def _largest(value: Any) -> float:
    """The largest value in magnitude of an input (set in code, it may be an array of draws)."""
    array = np.abs(np.asarray(value, dtype=float))
    return float(np.nanmax(array)) if array.size else 0.0


def appraise_portfolio(portfolio: Any, evidence: Mapping[str, Any] | None = None) -> Appraisal:
    """Build and run a validated portfolio."""
    from appraise.model.load import evidence_for

    registry = evidence_for(portfolio) if evidence is None else evidence
    return run(build(portfolio, registry))


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def describe_effect(model: Model, r: Mapping[str, np.ndarray], i: int, k: int = 0) -> str:
    """The conversion from effect k of intervention i as reported to outcomes averted per case,
    with its numbers."""
    base = model.base
    form = int(base.effect_form[i, k])
    a, b = float(base.effect_a[i, k]), float(base.effect_b[i, k])
    raw, adjusted = float(r["effect_rate_raw"][i, k]), float(r["effect_rate"][i, k])
    if form == core.SUCCESS_RATE:
        text = f"success rate {_fmt(a)}"
    elif form == core.PER_CASE:
        text = f"{_fmt(a)} outcomes averted per case"
    else:
        p1 = float(r["effect_treated_risk"][i, k])
        odds_ratio = float(r["effect_odds_ratio"][i, k])
        if form == core.TREATED_RISK:
            how = f"treated risk {_fmt(b)}"
        elif form == core.RELATIVE_RISK:
            how = f"treated risk = {_fmt(a)} x relative risk {_fmt(b)} = {_fmt(p1)}"
        else:
            if form == core.ODDS_RATIO:
                how = f"odds ratio {_fmt(b)}"
            else:
                method = "1.65 x d (Cox)" if form == core.COHENS_D_COX else "d x pi/sqrt(3) (logit)"
                how = f"d {_fmt(b)} -> log odds ratio = {method} -> odds ratio {_fmt(odds_ratio)}"
            how += (
                f"; treated risk = {_fmt(a)} x OR / (1 - {_fmt(a)} + {_fmt(a)} x OR) = {_fmt(p1)}"
            )
        text = f"baseline risk {_fmt(a)}; {how}; absolute reduction {_fmt(a)} - {_fmt(p1)} = {_fmt(raw)}"
    haircut = []
    if r["optimism_bias"][i]:
        haircut.append(f"optimism bias {r['optimism_bias'][i]:.0%}")
    if r["non_uk_haircut"][i]:
        haircut.append(f"non-UK evidence {r['non_uk_haircut'][i]:.0%}")
    if r["additionality"][i] != 1:
        haircut.append(f"additionality {r['additionality'][i]:.0%}")
    if haircut:
        text += f"; after {' and '.join(haircut)}: {_fmt(adjusted)}"
    return text

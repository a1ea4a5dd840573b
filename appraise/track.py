"""Realised savings: what a service actually reached, spent and averted, against its business case.

An actuals file (YAML or CSV, same columns) gives, per intervention and period, the cases served,
the outcomes averted and the spend. Each row is set against the portfolio's plan for that period,
and priced through the core: realised gross savings = outcomes averted x the core's cost of one
outcome for that intervention; net = gross - spend; cashable net under the portfolio's
`cashable_method` (strict: cashable gross - spend; pro_rata: net x the outcome's cashable share).

The plan for a period is the portfolio's annual (year-one, steady-state) figure x months in the
period / 12: "2018" is 12 months, "2018-Q1" is 3 and "2018-03" is 1. Rates (the expected success
rate and the break-even success rate) are not scaled. Multi-year timing (ramp-up, lags) is not
applied to the plan: a period is compared with a full year's service pro rata.

Flags: `below_break_even` when the realised outcomes averted are fewer than those needed to pay
for the realised spend (realised net savings below zero, equivalently the realised success rate
below the break-even rate); `under_reach` when the cases served fall short of the planned reach
by more than `reach_tolerance` (a share of the plan, 0.1 unless the file or command says).
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import Field, PlainValidator, PrivateAttr, ValidationError

from appraise import core
from appraise.errors import InputError, Problem
from appraise.load import evidence_for, parse_yaml, problems_from, read_yaml
from appraise.model import Portfolio
from appraise.params import Model, build
from appraise.results import EFFECT_FORM_NAMES
from appraise.verify import PortfolioFile, Record

DEFAULT_REACH_TOLERANCE = 0.1
COLUMNS = ("intervention", "period", "cases", "outcomes_averted", "spend")
OPTIONAL_COLUMNS = ("note",)
NUMBER_COLUMNS = ("cases", "outcomes_averted", "spend")
# Figures reported for plan and actual alike; money and counts add up over periods.
SUMMED = (
    "reach",
    "cost",
    "outcomes_averted",
    "break_even_outcomes",
    "gross_savings",
    "net_savings",
    "cashable_net_savings",
)
RATES = ("success_rate", "break_even_success_rate")
FLAGS = ("below_break_even", "under_reach")

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2]))?$")
PERIOD_FORMS = '"2018" (a year), "2018-Q1" (a quarter) or "2018-03" (a month)'


def period_months(period: str) -> tuple[int, int]:
    """(first month as year x 12 + month - 1, number of months) of "2018", "2018-Q1" or "2018-03"."""
    m = _PERIOD.match(period)
    if not m:
        raise ValueError(f"a period is {PERIOD_FORMS}")
    year = int(m.group("year")) * 12
    if m.group("quarter"):
        return year + 3 * (int(m.group("quarter")) - 1), 3
    if m.group("month"):
        return year + int(m.group("month")) - 1, 1
    return year, 12


def _period(v: Any) -> str:
    if not isinstance(v, str):
        v = str(v) if isinstance(v, int) and not isinstance(v, bool) else v
    if not isinstance(v, str):
        raise ValueError(f"a period is {PERIOD_FORMS}")
    period_months(v.strip())
    return v.strip()


def _amount(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ValueError("expected a number")
    if v < 0:
        raise ValueError("must be at least 0")
    return float(v)


Amount = Annotated[float, PlainValidator(_amount)]


class Actual(Record):
    """One intervention's realised figures for one period."""

    intervention: Annotated[str, Field(min_length=1)]
    period: Annotated[str, PlainValidator(_period)]
    cases: Amount
    outcomes_averted: Amount
    spend: Amount
    note: str | None = None


class ActualsFile(PortfolioFile):
    """An actuals file: the portfolio holding the plan, and realised figures by period."""

    description: str | None = None
    reach_tolerance: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = (
        DEFAULT_REACH_TOLERANCE
    )
    actuals: Annotated[list[Actual], Field(min_length=1)]
    _where: list[str] = PrivateAttr(default_factory=list)  # how to name each row in messages
    _names: str = (
        "the portfolio holding the plan (`portfolio: FILE`, in a CSV `# portfolio: FILE` before "
        "the header, or --portfolio)"
    )

    def where(self, i: int, column: str) -> str:
        """`actuals[3].spend` for YAML, `row 5, column spend` for CSV."""
        if i < len(self._where):
            return f"{self._where[i]}, column {column}"
        return f"actuals[{i}].{column}"


def actuals_from_yaml(
    text: str | bytes, name: str = "actuals.yaml", folder: Path | None = None
) -> ActualsFile:
    """Validate a YAML actuals file's text; `portfolio:` is relative to `folder`."""
    return ActualsFile.from_data(parse_yaml(text, name), name, folder)


_DIRECTIVE = re.compile(
    r"^#\s*(?P<key>portfolio|reach_tolerance|description)\s*:\s*(?P<value>.+?)\s*$"
)


def _cell_number(text: str) -> float:
    """A numeric cell as a spreadsheet exports it: '70000', '70,000', '£70,000.00'."""
    cleaned = text.strip().replace(",", "").removeprefix("£")
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", cleaned):
        raise ValueError("expected a number")
    return float(cleaned)


def actuals_from_csv(
    text: str | bytes, name: str = "actuals.csv", folder: Path | None = None
) -> ActualsFile:
    """Validate a CSV actuals file: a header row with the columns of the YAML form.

    Lines starting with `#` before the header are comments; `# portfolio: FILE` and
    `# reach_tolerance: 0.1` set what the YAML form's keys do. Numbers may carry thousands
    separators and a £ sign. Errors name the spreadsheet row and the column.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError.one(name, "", f"file is not UTF-8 text ({exc.reason})") from None
    lines = text.splitlines(keepends=True)
    settings: dict[str, Any] = {}
    skipped = 0
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            break
        skipped += 1
        found = _DIRECTIVE.match(line.strip())
        if found:
            settings[found.group("key")] = found.group("value")
    reader = csv.reader(io.StringIO("".join(lines[skipped:])))
    header = next(reader, None)
    if header is None:
        raise InputError.one(name, "", f"no header row: expected columns {', '.join(COLUMNS)}")
    header = [h.strip() for h in header]
    problems = []
    header_row = f"row {skipped + 1}"
    for col in header:
        if col not in COLUMNS + OPTIONAL_COLUMNS:
            close = difflib.get_close_matches(col, COLUMNS + OPTIONAL_COLUMNS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; columns: {', '.join(COLUMNS)}"
            problems.append(Problem(name, header_row, f"unknown column{hint}", col))
    for col in COLUMNS:
        if col not in header:
            problems.append(Problem(name, header_row, f"missing column {col!r}"))
    if len(set(header)) < len(header):
        problems.append(Problem(name, header_row, "a column appears twice"))
    if problems:
        raise InputError(problems)
    rows: list[Actual] = []
    where: list[str] = []
    for cells in reader:
        row_name = f"row {skipped + reader.line_num}"
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(name, row_name, f"expected {len(header)} cells, found {len(cells)}")
            )
            continue
        record: dict[str, Any] = {}
        unreadable = set()
        for col, cell in zip(header, cells, strict=True):
            if col in NUMBER_COLUMNS:
                try:
                    record[col] = _cell_number(cell)
                except ValueError:
                    message = "missing value" if not cell.strip() else "expected a number"
                    found = Problem(name, f"{row_name}, column {col}", message, cell)
                    problems.append(found if cell.strip() else Problem(name, found.path, message))
                    unreadable.add(col)
            elif cell.strip() or col != "note":
                record[col] = cell.strip()
        try:
            rows.append(Actual.model_validate(record))
        except ValidationError as exc:
            for p in problems_from(exc, Actual, name):
                if p.path not in unreadable:
                    problems.append(
                        Problem(p.file, f"{row_name}, column {p.path}", p.message, p.value)
                    )
        where.append(row_name)
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError.one(name, "", "no data rows")
    data: dict[str, Any] = {"actuals": rows}
    if "portfolio" in settings:
        data["portfolio"] = settings["portfolio"]
    if "reach_tolerance" in settings:
        try:
            data["reach_tolerance"] = float(settings["reach_tolerance"])
        except ValueError:
            raise InputError.one(
                name, "reach_tolerance", "expected a number", settings["reach_tolerance"]
            ) from None
    actuals: ActualsFile = ActualsFile.from_data(data, name, folder)
    actuals._where = where
    return actuals


def load_actuals(path: str | Path) -> ActualsFile:
    """Read an actuals file: CSV if its name ends in .csv, YAML otherwise."""
    path = Path(path)
    read_bytes = path.suffix.lower() == ".csv"
    if read_bytes:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputError.one(str(path), "", "file not found") from None
        except OSError as exc:
            raise InputError.one(str(path), "", f"cannot read file: {exc.strerror}") from None
        return actuals_from_csv(data, str(path), path.parent)
    read_yaml(path)  # file-level problems reported as for every other file
    return actuals_from_yaml(path.read_bytes(), str(path), path.parent)


# ---------------------------------------------------------------------------------------------
# Plan against actual
# ---------------------------------------------------------------------------------------------


def _figures(values: dict[str, float]) -> dict[str, float | None]:
    return {k: (None if not math.isfinite(v) else v) for k, v in values.items()}


def _with_rates(summed: dict[str, float], success_rate: float | None = None) -> dict[str, float]:
    """Add the success and break-even rates to summed figures, as the core defines them."""
    reach = summed["reach"]
    rate = (
        success_rate if success_rate is not None else core.ratio(summed["outcomes_averted"], reach)
    )
    return {
        **summed,
        "success_rate": float(rate),
        "break_even_success_rate": float(core.ratio(summed["break_even_outcomes"], reach)),
    }


@dataclass
class PeriodResult:
    """One intervention in one period: plan, actual, running totals and flags."""

    period: str
    months: int
    planned: dict[str, float]
    actual: dict[str, float]
    cumulative_planned: dict[str, float]
    cumulative_actual: dict[str, float]
    flags: list[str]
    note: str | None = None

    def to_data(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "months": self.months,
            "planned": _figures(self.planned),
            "actual": _figures(self.actual),
            "cumulative": {
                "planned": _figures(self.cumulative_planned),
                "actual": _figures(self.cumulative_actual),
            },
            "flags": self.flags,
            "note": self.note,
        }


@dataclass
class InterventionTrack:
    """Every reported period of one intervention, in date order, and the total to date."""

    id: str
    name: str
    effect_form: str
    tolerance: float = DEFAULT_REACH_TOLERANCE
    periods: list[PeriodResult] = field(default_factory=list)

    @property
    def to_date(self) -> PeriodResult:
        return self.periods[-1]

    def to_data(self) -> dict[str, Any]:
        last = self.to_date
        return {
            "id": self.id,
            "name": self.name,
            "effect_form": self.effect_form,
            "periods": [p.to_data() for p in self.periods],
            "to_date": {
                "months": sum(p.months for p in self.periods),
                "planned": _figures(last.cumulative_planned),
                "actual": _figures(last.cumulative_actual),
                "flags": flags_for(last.cumulative_planned, last.cumulative_actual, self.tolerance),
            },
        }


def flags_for(planned: dict[str, float], actual: dict[str, float], tolerance: float) -> list[str]:
    """`below_break_even` and `under_reach`, as defined in the module docstring."""
    flags = []
    if actual["outcomes_averted"] < actual["break_even_outcomes"]:
        flags.append("below_break_even")
    if actual["reach"] < planned["reach"] * (1.0 - tolerance):
        flags.append("under_reach")
    return flags


@dataclass
class Tracking:
    """Realised against planned for every intervention reported, and the portfolio to date."""

    actuals_file: str
    portfolio: str
    portfolio_file: str | None
    cashable_method: str
    perspective: str
    reach_tolerance: float
    interventions: list[InterventionTrack]
    not_reported: list[str]

    def portfolio_to_date(self) -> dict[str, dict[str, float]]:
        """Money and counts summed over interventions (rates do not add up, so none here)."""
        out: dict[str, dict[str, float]] = {}
        for side in ("planned", "actual"):
            out[side] = {
                k: sum(getattr(t.to_date, f"cumulative_{side}")[k] for t in self.interventions)
                for k in SUMMED
                if k not in ("reach", "break_even_outcomes")
            }
        return out

    def to_data(self) -> dict[str, Any]:
        """JSON of `appraise track --format json` (also what a workbook sheet or the app shows)."""
        return {
            "actuals_file": self.actuals_file,
            "portfolio": self.portfolio,
            "portfolio_file": self.portfolio_file,
            "cashable_method": self.cashable_method,
            "perspective": self.perspective,
            "reach_tolerance": self.reach_tolerance,
            "plan_rule": "planned = the portfolio's annual figure x months in the period / 12",
            "interventions": [t.to_data() for t in self.interventions],
            "portfolio_to_date": {
                side: _figures(v) for side, v in self.portfolio_to_date().items()
            },
            "not_reported": self.not_reported,
        }

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per intervention and period, then one 'to date' row per intervention."""
        out = []
        for t in self.interventions:
            data = t.to_data()
            for p in data["periods"]:
                out.append(
                    _flat(t.id, p["period"], p["months"], p["planned"], p["actual"], p["flags"])
                )
            d = data["to_date"]
            out.append(_flat(t.id, "to date", d["months"], d["planned"], d["actual"], d["flags"]))
        return out


def _flat(
    ident: str,
    period: str,
    months: int,
    planned: dict[str, Any],
    actual: dict[str, Any],
    flags: list[str],
) -> dict[str, Any]:
    row: dict[str, Any] = {"intervention": ident, "period": period, "months": months}
    for k in SUMMED + RATES:
        row[f"planned_{k}"] = planned[k]
        row[f"actual_{k}"] = actual[k]
    row["flags"] = ", ".join(flags)
    return row


def realised(model: Model, index: np.ndarray, actuals: list[Actual]) -> dict[str, np.ndarray]:
    """Actual figures [R] for rows of (intervention index, actual), priced through the core.

    Each row is run as a service of one case costing `spend` in total and averting
    `outcomes_averted` per case, with no haircut (these outcomes were observed, not predicted),
    so gross, net, cashable net and break-even come from the core's own formulas.
    """
    base = model.base
    n = len(model.ids)
    rows = len(actuals)

    def column(values: list[float]) -> np.ndarray:
        return np.repeat(np.asarray(values, dtype=float)[:, None], n, axis=1)

    inp = base.with_arrays(
        reach_base=np.ones((rows, n)),
        reach_share=np.ones((rows, n)),
        reach_offset=np.zeros((rows, n)),
        unit_cost=np.zeros((rows, n)),
        fixed_cost=column([a.spend for a in actuals]),
        effect_form=np.full(n, core.PER_CASE),
        effect_a=column([a.outcomes_averted for a in actuals]),
        effect_b=np.zeros((rows, n)),
        optimism_bias=np.zeros(n),
        non_uk_haircut=np.zeros(n),
    )
    per = core.snapshot(inp, detail=False)
    pick = np.arange(rows), index
    out = {k: per[k][pick] for k in SUMMED if k in per}
    out["reach"] = np.array([a.cases for a in actuals], dtype=float)
    return out


def _check_rows(actuals: ActualsFile, ids: list[str]) -> None:
    """Every row names a portfolio intervention; no intervention reports a month twice."""
    problems = []
    months_seen: dict[str, dict[int, int]] = {}
    for i, a in enumerate(actuals.actuals):
        if a.intervention not in ids:
            close = difflib.get_close_matches(a.intervention, ids, n=1)
            hint = (
                f" (did you mean {close[0]!r}?)" if close else f"; interventions: {', '.join(ids)}"
            )
            problems.append(
                Problem(
                    actuals.file,
                    actuals.where(i, "intervention"),
                    f"not in the portfolio{hint}",
                    a.intervention,
                )
            )
            continue
        start, count = period_months(a.period)
        seen = months_seen.setdefault(a.intervention, {})
        clash = next((seen[m] for m in range(start, start + count) if m in seen), None)
        if clash is not None:
            problems.append(
                Problem(
                    actuals.file,
                    actuals.where(i, "period"),
                    f"overlaps a period already reported for {a.intervention} "
                    f"({actuals.actuals[clash].period})",
                    a.period,
                )
            )
            continue
        seen.update(dict.fromkeys(range(start, start + count), i))
    if problems:
        raise InputError(problems)


def track(
    actuals: ActualsFile, portfolio: Portfolio | None = None, reach_tolerance: float | None = None
) -> Tracking:
    """Plan against actual for every row of `actuals` (the portfolio it names, unless given)."""
    portfolio, path = actuals.resolve(portfolio)
    tolerance = actuals.reach_tolerance if reach_tolerance is None else reach_tolerance
    model = build(portfolio, evidence_for(portfolio))
    ids = model.ids
    _check_rows(actuals, ids)
    per, _ = core.appraise(model.base, detail=False)
    rows = actuals.actuals
    index = np.array([ids.index(a.intervention) for a in rows], dtype=int)
    real = realised(model, index, rows)

    tracks: dict[str, InterventionTrack] = {}
    order = sorted(range(len(rows)), key=lambda r: (int(index[r]), period_months(rows[r].period)))
    running: dict[str, tuple[dict[str, float], dict[str, float]]] = {}
    for r in order:
        a, i = rows[r], int(index[r])
        months = period_months(a.period)[1]
        share = months / 12.0
        planned = {k: float(per[k][i]) * share for k in SUMMED}
        actual = {k: float(real[k][r]) for k in SUMMED}
        before = running.get(
            a.intervention, (dict.fromkeys(SUMMED, 0.0), dict.fromkeys(SUMMED, 0.0))
        )
        cum_planned = {k: before[0][k] + planned[k] for k in SUMMED}
        cum_actual = {k: before[1][k] + actual[k] for k in SUMMED}
        running[a.intervention] = (cum_planned, cum_actual)
        expected = float(per["effect_adjusted"][i])
        planned, cum_planned = _with_rates(planned, expected), _with_rates(cum_planned, expected)
        actual, cum_actual = _with_rates(actual), _with_rates(cum_actual)
        item = tracks.setdefault(
            a.intervention,
            InterventionTrack(
                a.intervention,
                model.interventions[i].name,
                EFFECT_FORM_NAMES[int(model.base.effect_form[i])],
                tolerance=tolerance,
            ),
        )
        item.periods.append(
            PeriodResult(
                a.period,
                months,
                planned,
                actual,
                cum_planned,
                cum_actual,
                flags_for(planned, actual, tolerance),
                a.note,
            )
        )
    return Tracking(
        actuals_file=actuals.file,
        portfolio=portfolio.portfolio,
        portfolio_file=str(path) if path is not None else None,
        cashable_method=portfolio.cashable_method,
        perspective=portfolio.perspective,
        reach_tolerance=tolerance,
        interventions=list(tracks.values()),
        not_reported=[i for i in ids if i not in tracks],
    )


def check_actuals_file(actuals: ActualsFile, portfolio: Portfolio | None = None) -> str:
    """Validate an actuals file against its portfolio (for `appraise validate`)."""
    result = track(actuals, portfolio)
    periods = sum(len(t.periods) for t in result.interventions)
    return (
        f"{actuals.file}: valid actuals: {periods} periods for {len(result.interventions)} "
        f"interventions of {result.portfolio!r}"
    )

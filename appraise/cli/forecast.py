"""`appraise forecast` (the cost of doing nothing, with and without a portfolio) and `appraise levers`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from appraise.cli._app import VALIDATORS, TableOrJson, app, emit, guarded

if TYPE_CHECKING:
    from appraise.display import Column
    from appraise.model.baseline import Baseline
    from appraise.model.schema import Portfolio

FILE = typer.Argument(
    ...,
    help="A baseline file (one key, baseline:) or a portfolio with a baseline section.",
    show_default=False,
)
FORMAT = typer.Option(TableOrJson.table, "--format", "-f", help="table or json.")


def load_forecast(
    file: Path, portfolio_file: Path | None = None
) -> tuple[Baseline, Portfolio | None, str]:
    """The baseline to forecast, the portfolio to compare with (if any), and the file named in
    problems with the comparison."""
    from appraise.errors import InputError
    from appraise.model.load import (
        baseline_from_data,
        detect_kind,
        load_portfolio,
        portfolio_from_data,
        read_yaml,
    )
    from appraise.model.schema import lac_outcome

    raw = read_yaml(file)
    kind = detect_kind(raw)
    if kind == "portfolio":
        if portfolio_file is not None:
            raise InputError.one(
                str(portfolio_file),
                "",
                f"{file} is already a portfolio; --portfolio goes with a baseline file",
            )
        portfolio = portfolio_from_data(raw, str(file))
        if portfolio.baseline is None:
            raise InputError.one(
                str(file),
                "baseline",
                "this portfolio has no baseline section: add `baseline:` (or `baseline: "
                "file.yaml`), see README 'The cost of doing nothing'",
            )
        return portfolio.baseline, portfolio, str(file)
    if kind != "baseline":
        raise InputError.one(
            str(file), "", "expected a baseline file (one key, baseline:) or a portfolio"
        )
    baseline = baseline_from_data(raw, str(file))
    if portfolio_file is None:
        return baseline, None, str(file)
    portfolio = load_portfolio(portfolio_file).model_copy(update={"baseline": baseline})
    lac_outcome(portfolio, str(file))
    return baseline, portfolio, str(file)


def columns_table(columns: list[Column], rows: list[dict[str, Any]]) -> str:
    """A plain-text table with one row per record, each column a header and how to show it."""
    from appraise.display import table

    return table([h for h, _ in columns], [[show(r) for _, show in columns] for r in rows])


def scenario_table(scenario: dict[str, Any]) -> str:
    from appraise.display import SCENARIO_COLUMNS, describe_rate

    head = f"{scenario['name']} ({describe_rate(scenario['lac_rate'])})"
    return f"{head}\n\n{columns_table(SCENARIO_COLUMNS, scenario['years'])}"


def comparison_table(data: dict[str, Any]) -> str:
    from appraise.display import COMPARISON_COLUMNS, comparison_notes

    notes = comparison_notes(data)
    first = data["start_year"]
    if "start_financial_year" in data:
        first = f"{first}, {data['start_financial_year']}"
    head = (
        f"{data['scenario']}: spend on children in care with and without {data['portfolio']} "
        f"(portfolio year 1 = {first})"
    )
    body = columns_table(COMPARISON_COLUMNS, data["years"])
    return "\n".join([head, "", body, "", *notes])


def forecast_table(data: dict[str, Any]) -> str:
    """The readable output of `appraise forecast`."""
    from appraise.display import money

    against = data["start_year"]
    start = f"{against} (change against {against})"
    if data.get("start"):
        first = data["scenarios"][0]["years"][0]["financial_year"]
        start = f"{first} (year {against}, from {data['start']}; change against it)"
    head = (
        f"Children in care and their cost from {start}. A child in care costs {money(data['cost_per_child_year'])} a year: "
        f"placement plus non-placement cost of {money(data['non_placement_cost_per_week'], 2)} a "
        "week of care, fixed at its start-year level. Cashable cost = placement cost."
    )
    blocks = [head, *(scenario_table(s) for s in data["scenarios"])]
    if data["with_portfolio"] is not None:
        blocks.append(comparison_table(data["with_portfolio"]))
    return "\n\n".join(blocks)


@app.command()
@guarded
def forecast(
    file: Path = FILE,
    portfolio: Path | None = typer.Option(
        None,
        "--portfolio",
        "-p",
        help="A portfolio to compare with (when FILE is a baseline file).",
    ),
    format: TableOrJson = FORMAT,
) -> None:
    """Children in care and their cost if nothing changes, by scenario and year; with a portfolio,
    spend with and without it."""
    from appraise.analyses.forecast import forecast_data, with_portfolio
    from appraise.display import to_json

    baseline, found, name = load_forecast(file, portfolio)
    comparison = None if found is None else with_portfolio(found, file=name)
    data = forecast_data(baseline, comparison)
    emit(to_json(data) if format is TableOrJson.json else forecast_table(data))


def _driver_value(driver: str, value: float) -> str:
    from appraise.display import money, num

    if driver == "lac_rate":
        return f"{num(value, 2)} per 10,000"
    if driver == "weeks_in_care_per_child":
        return f"{num(value, 2)} weeks"
    return money(value, 2)


def _change(lever: dict[str, Any]) -> str:
    from appraise.display import money, pct

    if lever["unit"] == "fraction":
        return pct(lever["change"])
    change = lever["change"]
    if lever["driver"] == "lac_rate":
        return f"{change:+g} per 10,000"
    if lever["driver"] == "weeks_in_care_per_child":
        return f"{change:+g} week" + ("" if abs(change) == 1 else "s")
    return ("+" if change > 0 else "") + money(change, 2)


def levers_table(data: dict[str, Any]) -> str:
    """The readable output of `appraise levers`."""
    from appraise.display import money, num, pct, table

    rows = [
        [
            lever["driver"],
            _change(lever),
            _driver_value(lever["driver"], lever["value"]),
            _driver_value(lever["driver"], lever["value_with_lever"]),
            money(lever["annual_saving"]),
            money(lever["cashable_saving"]),
            pct(lever["saving_share"]),
            num(lever["cost_elasticity"]),
        ]
        for lever in data["levers"]
    ]
    headers = [
        "Driver",
        "Change",
        f"{data['start_year']} value",
        "With lever",
        "Annual saving",
        "Cashable saving",
        "Of total",
        "Elasticity",
    ]
    head = (
        f"Cost drivers priced against {data['start_year']}: total cost {money(data['total_cost'])}, "
        f"of which cashable (placements) {money(data['cashable_cost'])}."
    )
    note = (
        "Elasticity: the % change in total cost for a 1% change in the driver. The rate lever "
        "moves non-UASC children only; non-placement cost a week stays at its start-year level."
    )
    return "\n".join([head, "", table(headers, rows), "", note])


@app.command()
@guarded
def levers(file: Path = FILE, format: TableOrJson = FORMAT) -> None:
    """The annual saving from pulling each cost driver (rate, length of stay, placement price)."""
    from appraise.analyses.forecast import price_levers
    from appraise.display import to_json
    from appraise.errors import InputError

    baseline, _, name = load_forecast(file)
    if not baseline.levers:
        raise InputError.one(
            name,
            "baseline.levers",
            "no levers to price: add e.g. levers: [{driver: lac_rate, change: -0.05}]",
        )
    data = price_levers(baseline)
    emit(to_json(data) if format is TableOrJson.json else levers_table(data))


def _validate_baseline(path: Path) -> str:
    baseline, _, _ = load_forecast(path)
    return (
        f"{path}: valid baseline from {baseline.start_year} for {baseline.years} years: "
        f"{len(baseline.scenarios)} scenarios, {len(baseline.levers)} levers"
    )


VALIDATORS["baseline"] = _validate_baseline

"""Bad baselines are rejected with the file, the field path and the value, exit code 2.

These run the real `appraise` command, so "no traceback" is checked as a user would see it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLES, run_cli
from tests.helpers import portfolio_data
from tests.test_forecast import small


def write(folder: Path, data: object, name: str = "baseline.yaml") -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def rejected(
    path: Path, *expected: str, commands: tuple[str, ...] = ("forecast", "validate"), cli=None
) -> str:
    """Each command must exit 2 with every expected fragment on stderr and nothing on stdout.

    Run as a real subprocess unless the in-process `cli` fixture is given (quicker for long lists).
    """
    before = path.read_bytes()
    for command in commands:
        if cli is None:
            proc = run_cli(command, path)
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        else:
            code, out, err = cli(command, path)
        assert code == 2, (command, out, err)
        assert "Traceback" not in err
        assert out == ""
        for fragment in expected:
            assert fragment in err, (fragment, err)
    assert path.read_bytes() == before  # files are only ever read
    return err


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"child_population": {"value": -42700, "year": 2020}},
            "baseline.child_population.value: must not be below 0 (got -42700)",
        ),
        (
            {"child_population": {2020: 10000, 2021: -5, 2023: 10600}},
            "baseline.child_population.2021: must not be below 0 (got -5)",
        ),
        (
            {"non_placement_share": 1},
            "baseline.non_placement_share: must be at least 0 and below 1 (got 1)",
        ),
        (
            {"non_placement_share": 1.2},
            "baseline.non_placement_share: must be at least 0 and below 1",
        ),
        (
            {"weeks_in_care_per_child": 60},
            "baseline.weeks_in_care_per_child: must be at least 0 and at most 52.18",
        ),
        # "66" would be read as 66 (money and figures may be written as text): this is no figure.
        ({"lac_rate_per_10k": "66 a year"}, "baseline.lac_rate_per_10k: expected a number"),
        ({"years": 0}, "baseline.years"),
        (
            {"uasc": {"low": 30, "central": 38, "high": 45}},
            "baseline.uasc: a baseline takes plain numbers",
        ),
        (
            {
                "scenarios": [
                    {"name": "A"},
                    {"name": "B"},
                    {"name": "C", "lac_rate_target": {"value": 40, "year": 2018}},
                ]
            },
            "baseline.scenarios[2].lac_rate_target.year: the target year must be after start_year 2020 (got 2018)",
        ),
        (
            {
                "scenarios": [
                    {"name": "A"},
                    {"name": "B"},
                    {"name": "C", "lac_rate_target": {"value": 40, "over_years": 0}},
                ]
            },
            "baseline.scenarios[2].lac_rate_target.over_years",
        ),
        (
            {"scenarios": [{"name": "A", "lac_rate_target": {"value": 40}}]},
            "baseline.scenarios[0].lac_rate_target: lac_rate_target takes over_years or year (exactly one)",
        ),
        (
            {"scenarios": [{"name": "A"}, {"name": "A"}]},
            "baseline.scenarios[1].name: scenario names must be unique (got 'A')",
        ),
        (
            {"scenarios": [{"name": "A", "lac_rate_trend": {"history": {2019: 40}}}]},
            "baseline.scenarios[0].lac_rate_trend.history: a trend needs the rate in at least two years",
        ),
        (
            # 60 + b ln(year - 2017) with b = (5 - 60) / ln 2: about -27 per 10,000 in 2020.
            {"scenarios": [{"name": "A", "lac_rate_trend": {"history": {2018: 60, 2019: 5}}}]},
            "baseline.scenarios[0].lac_rate_trend.history: the fitted trend is -27.2 per 10,000 in 2020",
        ),
        (
            # b = (30 - 60) / ln 2: 60 - 30 log2(3) = 12.5 in 2020, 60 - 30 log2(5) = -9.7 in 2022.
            {"scenarios": [{"name": "A", "lac_rate_trend": {"history": {2018: 60, 2019: 30}}}]},
            "baseline.scenarios[0].lac_rate_trend.history: the fitted trend falls below zero in 2022",
        ),
        (
            {"child_population": {"value": 10000, "growth_base_year": 2018, "growth": {2022: 0.1}}},
            "baseline.child_population.growth: the growth path runs from 2018 to 2022; the forecast needs 2020 to 2023",
        ),
        (
            {"child_population": {"value": 10000, "growth": {2024: 0.1}}},
            "baseline.child_population.growth_base_year: growth needs growth_base_year",
        ),
        (
            {"child_population": {2021: 10000, 2023: 10600}},
            "baseline.child_population: the series must cover every forecast year, 2020 to 2023",
        ),
        (
            {"child_population": {"value": 1, "growth_base_year": 2018, "growth": {2030: -1}}},
            "baseline.child_population.growth.2030: growth must be above -1",
        ),
        (
            {
                "child_population": {
                    "value": 1,
                    "year": 2020,
                    "growth_base_year": 2018,
                    "growth": {"x": 1},
                }
            },
            "baseline.child_population.growth.x: expected a year such as 2024 as the key",
        ),
        (
            {"levers": [{"driver": "rate", "change": -0.1}]},
            "baseline.levers[0].driver: Input should be 'lac_rate', 'weeks_in_care_per_child' or 'weekly_placement_cost'",
        ),
        (
            {
                "levers": [
                    {"driver": "lac_rate", "change": -0.1},
                    {"driver": "weeks_in_care_per_child", "change": -41},
                ]
            },
            "baseline.levers[1].change: would take weeks_in_care_per_child from 40 to -1, outside 0 to 52.18 (got -41",
        ),
        (
            {"levers": [{"driver": "lac_rate", "change": -1.5}]},
            "baseline.levers[0].change: would take lac_rate from 50 to -25",
        ),
        (
            {"with_portfolio": {"scenario": "Nope"}},
            "baseline.with_portfolio.scenario: no scenario has this name (scenarios: Population growth only)",
        ),
        (
            {"with_portfolio": {"start_year": 2030}},
            "baseline.with_portfolio.start_year: must be within the forecast, 2020 to 2023 (got 2030)",
        ),
        ({"sources": ["no-such-source"]}, "baseline.sources[0]: unknown evidence id"),
        ({"start_yaer": 2020}, "baseline.start_yaer: unknown key (did you mean 'start_year'?)"),
    ],
)
def test_bad_baseline_file(tmp_path, cli, change, expected):
    path = write(tmp_path, {"baseline": small(**change)})
    rejected(path, f"{path}: {expected}", cli=cli)


def test_a_baseline_file_holds_one_key(tmp_path):
    path = write(tmp_path, {"baseline": small(), "extra": 1})
    rejected(path, f"{path}: a baseline file holds one key, baseline:", commands=("forecast",))


def test_history_csv_problems_name_the_csv(tmp_path):
    csv = tmp_path / "history.csv"
    csv.write_text(
        "year,children_in_care,child_population\n2011,210,38095\n2012,lots,38862\n2013,-1,0\n"
    )
    trend = {"name": "Up", "lac_rate_trend": {"history": "history.csv"}}
    path = write(tmp_path, {"baseline": small(scenarios=[trend])})
    err = rejected(
        path,
        f"{csv}: row 2.children_in_care: expected a number (got 'lots')",
        f"{csv}: row 3.children_in_care: must not be negative (got -1.0)",
        f"{csv}: row 3.child_population: must be above 0 (got 0.0)",
    )
    assert "lac_rate_trend.history" not in err  # the unread file is reported once, not twice


def test_history_csv_missing_column_or_file(tmp_path):
    csv = tmp_path / "history.csv"
    csv.write_text("year,cla\n2011,210\n")
    trend = {"name": "Up", "lac_rate_trend": {"history": "history.csv"}}
    path = write(tmp_path, {"baseline": small(scenarios=[trend])})
    rejected(path, f"{csv}: header: missing column(s) children_in_care, child_population")
    csv.unlink()
    rejected(path, f"{csv}: file not found")


def test_history_csv_rates_by_hand(tmp_path):
    from appraise.model.load import load_history

    csv = tmp_path / "history.csv"
    csv.write_text(
        "# a note\nyear,children_in_care,child_population,la\n2012,240,40000,x\n2011,210,42000,x\n"
    )
    history = load_history(csv)
    assert history.years == (2011, 2012)  # sorted
    assert history.rates_per_10k == {2011: pytest.approx(50), 2012: pytest.approx(60)}


def test_inline_baseline_is_checked_by_evaluate_too(tmp_path):
    data = portfolio_data(baseline=small(non_placement_share=1))
    path = write(tmp_path, data, "portfolio.yaml")
    rejected(
        path,
        f"{path}: baseline.non_placement_share: must be at least 0 and below 1 (got 1)",
        commands=("evaluate", "validate", "forecast"),
    )


def test_baseline_file_named_by_a_portfolio(tmp_path):
    write(tmp_path, {"baseline": small(lac_rate_per_10k=-1)})
    path = write(tmp_path, portfolio_data(baseline="baseline.yaml"), "portfolio.yaml")
    rejected(
        path,
        f"{tmp_path / 'baseline.yaml'}: baseline.lac_rate_per_10k: must not be below 0 (got -1)",
        commands=("evaluate", "forecast"),
    )
    (tmp_path / "baseline.yaml").unlink()
    rejected(path, f"{tmp_path / 'baseline.yaml'}: file not found", commands=("evaluate",))


def test_baseline_file_named_by_a_portfolio_forecasts(tmp_path):
    write(tmp_path, {"baseline": small()})
    path = write(tmp_path, portfolio_data(baseline="baseline.yaml"), "portfolio.yaml")
    proc = run_cli("forecast", path)
    assert proc.returncode == 0, proc.stderr
    assert "with portfolio" in proc.stdout


def test_which_outcome_is_a_year_in_care(tmp_path):
    lac = {
        "name": "LAC",
        "derive": {"weekly_placement_cost": 1000, "weeks_per_year": 40, "non_placement_share": 0.5},
    }
    two = {"lac_year": lac, "other_lac": lac}
    path = write(tmp_path, portfolio_data(outcomes=two, baseline=small()), "portfolio.yaml")
    rejected(
        path,
        "baseline.with_portfolio.lac_outcome: cannot tell which outcome is a child in care for a "
        "year (2 outcomes use derive)",
        commands=("evaluate", "forecast"),
    )
    named = small(with_portfolio={"lac_outcome": "lac_yr"})
    path = write(tmp_path, portfolio_data(baseline=named), "portfolio.yaml")
    rejected(
        path,
        "baseline.with_portfolio.lac_outcome: not an outcome of this portfolio (outcomes: lac_year, "
        "dv_incident) (got 'lac_yr')",
        commands=("forecast",),
    )


def test_portfolio_averting_more_children_than_are_in_care(tmp_path):
    from tests.helpers import intervention

    huge = intervention(reach={"count": 100000}, effect={"success_rate": 1})
    path = write(tmp_path, portfolio_data(interventions=[huge], baseline=small()), "portfolio.yaml")
    rejected(
        path,
        f"{path}: baseline: in 2021 the portfolio averts 100,000.0 LAC-years",
        commands=("forecast",),
    )


def test_forecast_needs_a_baseline(tmp_path):
    path = write(tmp_path, portfolio_data(), "portfolio.yaml")
    rejected(
        path,
        f"{path}: baseline: this portfolio has no baseline section",
        commands=("forecast", "levers"),
    )
    both = run_cli("forecast", path, "--portfolio", EXAMPLES / "thurrock-2017.yaml")
    assert both.returncode == 2 and "--portfolio goes with a baseline file" in both.stderr


def test_levers_need_levers(tmp_path):
    path = write(tmp_path, {"baseline": small()})
    rejected(path, f"{path}: baseline.levers: no levers to price", commands=("levers",))

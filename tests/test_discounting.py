"""Declining discount rates: the Green Book's schedule worked by hand, a flat rate unchanged.

HM Treasury, The Green Book (2022), the declining long-term discount rate: 3.5% for years 0-30,
3.0% for years 31-75. Year 1 of an appraisal is the Green Book's year 0, undiscounted, so over 40
years the factors of years 1-31 are 1 / 1.035^(t - 1) and those of years 32-40 carry on at 3.0%
from year 31's: 1 / (1.035^30 x 1.03^(t - 31)).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from appraise.engine.params import build
from appraise.engine.results import run
from appraise.model.load import load_portfolio, portfolio_from_data
from appraise.model.save import portfolio_yaml
from tests.conftest import EXAMPLES, run_cli
from tests.helpers import intervention, one, portfolio_data

# £1,000 a year of a costly thing averted (5 cases x 0.5 x £1,000 = £2,500 gross), £500 of cost:
# a net £2,000 in every one of 40 years, so NPV is £2,000 x the sum of the discount factors.
SIMPLE = {"thing": {"name": "A thing", "components": [{"name": "care", "cost": 1000}]}}


def forty_years(rate) -> dict:
    item = intervention(
        averts="thing",
        reach={"count": 5},
        effect={"success_rate": 0.5},
        unit_cost={"amount": 100, "per": "case"},
    )
    return one(
        portfolio_data(interventions=[item], outcomes=SIMPLE, horizon_years=40, discount_rate=rate)
    )


def by_hand_green_book(t: int) -> float:
    """Year t's factor: 3.5% for the Green Book's years 1-30, 3.0% for its years 31 on."""
    return 1 / 1.035 ** (t - 1) if t <= 31 else 1 / (1.035**30 * 1.03 ** (t - 31))


def test_green_book_over_40_years_matches_the_hand_calculation():
    result = forty_years("green_book")
    factors = [y["discount_factor"] for y in result["years"]]
    assert factors == pytest.approx([by_hand_green_book(t) for t in range(1, 41)], rel=1e-14)
    # Years 1-31 are the flat 3.5%; year 32 is the first at 3.0%, on top of 1.035^30.
    assert factors[30] == pytest.approx(1 / 1.035**30, rel=1e-15)
    assert factors[31] == pytest.approx(1 / (1.035**30 * 1.03), rel=1e-15)
    assert factors[39] == pytest.approx(1 / (1.035**30 * 1.03**9), rel=1e-15)
    assert [y["net_savings"] for y in result["years"]] == pytest.approx([2000.0] * 40)
    by_hand = 2000 * sum(by_hand_green_book(t) for t in range(1, 41))
    assert result["npv"] == pytest.approx(by_hand, rel=1e-12)
    # In closed form: (1 - 1.035^-31) / (1 - 1.035^-1) = 19.392045 for years 1-31, and
    # 1.035^-30 x (1.03^-1 + ... + 1.03^-9) = 0.356278 x 7.786109 = 2.774023 for years 32-40.
    assert by_hand == pytest.approx(2000 * (19.392045 + 2.774023), abs=0.01)
    assert by_hand == pytest.approx(44_332.14, abs=0.01)


def test_a_flat_rate_and_the_green_book_part_only_after_year_31():
    flat, schedule = forty_years(0.035), forty_years("green_book")
    flat_npv = 2000 * sum(1 / 1.035 ** (t - 1) for t in range(1, 41))
    assert flat["npv"] == pytest.approx(flat_npv, rel=1e-12)
    # (1 - 1.035^-40) / (1 - 1.035^-1) = 22.102500: £44,205.00, £127.14 less than the schedule's.
    assert flat_npv == pytest.approx(44_205.00, abs=0.01)
    assert schedule["npv"] - flat["npv"] == pytest.approx(127.14, abs=0.01)
    # Within 31 years the schedule is the flat rate: the same NPV to the penny.
    short = {"discount_rate": "green_book", "horizon_years": 31}
    assert one(portfolio_data(**short))["npv"] == pytest.approx(
        one(portfolio_data(**{**short, "discount_rate": 0.035}))["npv"], rel=1e-15
    )


PORTFOLIOS = sorted(
    p for p in EXAMPLES.glob("*.yaml") if "interventions" in yaml.safe_load(p.read_text())
)


@pytest.mark.parametrize("example", PORTFOLIOS, ids=lambda p: p.name)
def test_a_flat_rate_discounts_exactly_as_before_in_every_example(example: Path):
    """Unchanged for existing files: each factor is 1 / (1 + rate)^(t - 1), bit for bit."""
    portfolio = load_portfolio(example)
    rate = float(portfolio.discount_rate)  # every example uses a flat rate
    years = np.arange(1.0, portfolio.horizon_years + 1)
    appraisal = run(build(portfolio, dict(portfolio.evidence)))
    factors = np.asarray(appraisal.per["discount_factor"])
    assert np.array_equal(factors, 1 / (1 + rate) ** (years - 1))


def test_a_schedule_of_my_own_and_its_file_form_round_trip():
    data = portfolio_data(horizon_years=12, discount_rate={0: 0.05, 5: 0.02})
    result = one(data)
    factors = [y["discount_factor"] for y in result["years"]]
    # The schedule's year 5 (year 6 here) is the first discounted at 2%, on top of 1.05^4.
    expected = [
        1 / 1.05 ** (t - 1) if t <= 5 else 1 / (1.05**4 * 1.02 ** (t - 5)) for t in range(1, 13)
    ]
    assert factors == pytest.approx(expected, rel=1e-14)
    portfolio = portfolio_from_data(data, "p.yaml")
    again = portfolio_from_data(yaml.safe_load(portfolio_yaml(portfolio)), "again.yaml")
    assert again.discount_rate == portfolio.discount_rate


def test_the_output_says_which_schedule(tmp_path: Path):
    path = tmp_path / "gb.yaml"
    path.write_text(yaml.safe_dump(portfolio_data(horizon_years=40, discount_rate="green_book")))
    table = run_cli("evaluate", path)
    assert table.returncode == 0, table.stderr
    assert (
        "NPV over 40 years at the Green Book's declining rate (3.5% for years 0-30, 3.0% from "
        "year 31)" in table.stdout
    )
    data = json.loads(run_cli("evaluate", path, "--format", "json").stdout)
    assert data["portfolio"]["discount_rate"] == "green_book"
    flat = tmp_path / "flat.yaml"
    flat.write_text(yaml.safe_dump(portfolio_data(horizon_years=40)))
    assert (
        json.loads(run_cli("evaluate", flat, "--format", "json").stdout)["portfolio"][
            "discount_rate"
        ]
        == 0.035
    )
    assert "NPV over 40 years at 3.5%)" in run_cli("evaluate", flat).stdout


@pytest.mark.parametrize(
    ("rate", "path", "fragment"),
    [
        ("green", "discount_rate", "expected a rate, 'green_book' or a schedule"),
        ({1: 0.03}, "discount_rate", "a discount schedule starts at year 0"),
        ({0: 0.035, 31: 1.5}, "discount_rate.31", "must be at least 0 and below 1 (got 1.5)"),
        (
            {0: {"low": 0.01, "central": 0.035, "high": 0.05}},
            "discount_rate.0",
            "a schedule's rates are plain numbers",
        ),
        ({0: 0.035, 5000: 0.01}, "discount_rate.5000", "a year must be from 0 to 1000"),
        ({0: 0.035, "later": 0.01}, "discount_rate.later", "a schedule's keys are years"),
    ],
)
def test_a_bad_schedule_is_refused_with_its_field_path(tmp_path: Path, rate, path, fragment):
    file = tmp_path / "bad.yaml"
    file.write_text(yaml.safe_dump(portfolio_data(discount_rate=rate)))
    proc = run_cli("evaluate", file)
    assert proc.returncode == 2, proc.stdout
    assert "Traceback" not in proc.stderr
    assert f"{file}: {path}:" in proc.stderr and fragment in proc.stderr, proc.stderr


@pytest.mark.slow
def test_schedule_workbooks_recalculate_in_libreoffice_and_a_band_edit_moves_them(
    tmp_path: Path,
):
    """Every line of a 40-year Green Book workbook, and of a three-band schedule's, recalculates
    to the engine; the factors are live formulas over each year's rate (its band's Inputs cell)."""
    from openpyxl import load_workbook

    from appraise.workbook.export import layout
    from appraise.workbook.recalc import recalculate
    from appraise.workbook.writer import render
    from tests.conftest import require_tool
    from tests.test_excel import set_input
    from tests.test_excel_libreoffice import evaluate_json, master_check, summary
    from tests.test_excel_lines import compare_every_line

    require_tool("soffice")
    second = intervention(id="second", reach={"count": 40}, timing={"cost_months": 18})
    portfolios = {
        "green-book": portfolio_data(horizon_years=40, discount_rate="green_book"),
        "three-bands": portfolio_data(
            horizon_years=8,
            discount_rate={0: 0.05, 2: 0.03, 4: 0.01},
            interventions=[intervention(), second],
        ),
    }
    books, paths = [], []
    for name, data in portfolios.items():
        book, sheets = layout(portfolio_from_data(data, f"{name}.yaml"))
        paths.append(tmp_path / f"{name}.xlsx")
        paths[-1].write_bytes(render(sheets))
        books.append(book)
    edited = set_input(paths[0], "discount_rate.31", 0.02, tmp_path / "edited.xlsx")
    *recalculated, recalculated_edit = recalculate([*paths, edited], tmp_path / "out")
    for book, path in zip(books, recalculated, strict=True):
        assert master_check(path) is True
        assert compare_every_line(book, path) > 300
    ws = load_workbook(recalculated[0], data_only=True)["Cash flows"]
    row = next(r for r in range(1, 12) if str(ws.cell(r, 1).value).startswith("Discount factor"))
    factors = [ws.cell(row, 4 + t).value for t in range(40)]
    assert factors == pytest.approx([by_hand_green_book(t) for t in range(1, 41)], rel=1e-12)
    # The edit (3.0% -> 2.0% from the schedule's year 31) reaches every later year's factor,
    # and the imported file's NPV is the recalculated workbook's.
    back = tmp_path / "edited.yaml"
    proc = run_cli("import-xlsx", edited, "--out", back)
    assert proc.returncode == 0, proc.stderr
    assert "discount_rate.31: 0.03 -> 0.02" in proc.stdout
    imported = evaluate_json(back)
    assert imported["portfolio"]["discount_rate"] == {"0": 0.035, "31": 0.02, "76": 0.025}
    _, total = summary(recalculated_edit)
    _, before = summary(recalculated[0])
    assert total["npv"] == pytest.approx(imported["portfolio"]["npv"], abs=1)
    assert total["npv"] > before["npv"]


def test_the_app_opens_a_schedule_and_says_which_discounting(monkeypatch):
    """Every page opens on a file discounted by the Green Book's schedule, and the Portfolio
    page names it where a flat rate shows an editable rate."""
    from appraise.model.save import to_yaml
    from appraise.ui.pages import PAGES
    from tests.conftest import ROOT
    from tests.test_app import errors, go, open_app

    monkeypatch.chdir(ROOT)
    text = to_yaml(portfolio_data(horizon_years=40, discount_rate="green_book"))
    at = open_app()
    at.sidebar.file_uploader[0].upload("long.yaml", text.encode(), "application/x-yaml").run()
    assert not at.exception and not at.error, errors(at)
    named = "the Green Book's declining rate (3.5% for years 0-30, 3.0% from year 31)"
    assert any(named in c.value for c in at.caption)
    for page in PAGES:
        go(at, page.title)
        assert not at.error, (page.title, errors(at))

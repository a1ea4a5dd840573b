"""Periods as councils write them: financial years (April to March), their quarters, month ranges,
and the calendar forms `track` has always read; and `track` reading them.

Expected months are worked by hand from the calendar: a financial year starting in April runs
April of one year to March of the next.
"""

from __future__ import annotations

import json

import pytest
import yaml

from appraise.model.periods import (
    describe,
    financial_year_label,
    financial_year_labels,
    financial_year_of,
    month_index,
    month_label,
    parse_financial_year,
    parse_month,
    period_months,
)
from tests.conftest import run_cli, thurrock_in


def months(text: str, start_month: int = 4) -> tuple[str, int]:
    """(first month as '2017-04', number of months) of a period."""
    first, count = period_months(text, start_month)
    return month_label(first), count


@pytest.mark.parametrize(
    ("text", "first", "count"),
    [
        ("2018", "2018-01", 12),
        ("2018-Q1", "2018-01", 3),
        ("2018-Q4", "2018-10", 3),
        ("2018-03", "2018-03", 1),
        ("2017-18", "2017-04", 12),
        ("2017/18", "2017-04", 12),
        ("2017-18-Q1", "2017-04", 3),  # April to June 2017
        ("2017/18-Q1", "2017-04", 3),
        ("2017-18-Q4", "2018-01", 3),  # January to March 2018
        ("2017-05..2017-07", "2017-05", 3),
        ("2017-12..2018-02", "2017-12", 3),
        ("2018-03..2018-03", "2018-03", 1),
        ("1999-00", "1999-04", 12),  # the century turns: 1999/00
        (" 2017-18 ", "2017-04", 12),
    ],
)
def test_every_form_as_first_month_and_length(text, first, count):
    assert months(text) == (first, count)


def test_april_to_march_boundaries():
    """2018-03 is in 2017-18 and 2018-04 is in 2018-19."""
    fy_2017 = period_months("2017-18")
    fy_2018 = period_months("2018-19")
    march, april = parse_month("2018-03"), parse_month("2018-04")
    assert fy_2017[0] <= march < fy_2017[0] + fy_2017[1]
    assert not fy_2018[0] <= march < fy_2018[0] + fy_2018[1]
    assert fy_2018[0] <= april < fy_2018[0] + fy_2018[1]
    assert not fy_2017[0] <= april < fy_2017[0] + fy_2017[1]
    assert financial_year_label(financial_year_of(march)) == "2017-18"
    assert financial_year_label(financial_year_of(april)) == "2018-19"
    # The last month of 2017-18 is the one before the first of 2018-19.
    assert fy_2017[0] + fy_2017[1] == fy_2018[0]
    assert describe(*fy_2017) == "April 2017 to March 2018"


def test_a_start_month_setting_moves_the_financial_year():
    # Financial years starting in September (an academic year): 2017-18 is September 2017 to
    # August 2018, its first quarter September to November 2017.
    assert months("2017-18", 9) == ("2017-09", 12)
    assert months("2017-18-Q1", 9) == ("2017-09", 3)
    assert financial_year_label(financial_year_of(parse_month("2018-08"), 9)) == "2017-18"
    assert financial_year_label(financial_year_of(parse_month("2018-09"), 9)) == "2018-19"
    # Calendar forms do not move with it.
    assert months("2018-Q1", 9) == ("2018-01", 3)
    with pytest.raises(ValueError, match="starting in January is a calendar year"):
        period_months("2017-18", 1)
    with pytest.raises(ValueError, match="2 to 12"):
        period_months("2017-18", 13)


def test_labels_from_a_start_month():
    """`start: 2018-04` -> 2018-19, 2019-20, ...; a start in January falls in the year before."""
    assert financial_year_labels("2018-04", 3) == ["2018-19", "2019-20", "2020-21"]
    assert financial_year_labels("2018-01", 2) == ["2017-18", "2018-19"]
    assert financial_year_labels(month_index(2018, 4), 1) == ["2018-19"]
    assert financial_year_labels("2018-08", 2, start_month=9) == ["2017-18", "2018-19"]


def test_2011_12_is_the_financial_year_everywhere_and_december_2011_is_written_by_name():
    """A year followed by the next year's last two digits is the financial year, wherever it is
    written; the month it once read as in `track` (December 2011) is written by name."""
    assert months("2011-12") == ("2011-04", 12)
    assert months("2011/12") == ("2011-04", 12)
    assert parse_financial_year("2011-12") == 2011
    assert months("Dec 2011") == ("2011-12", 1)
    assert months("December 2011") == ("2011-12", 1)
    assert months("2011-12..2011-12") == ("2011-12", 1)  # a range's ends are months
    # Where only a month may be written (a programme's dates), 2011-12 is refused with both.
    with pytest.raises(ValueError) as caught:
        parse_month("2011-12")
    message = str(caught.value)
    assert "2011-12 reads as the financial year 2011-12, not a month" in message
    assert "for the month December 2011 write Dec 2011" in message
    assert "write 2012-03" in message
    assert parse_month("Dec 2011") == month_index(2011, 12)
    assert parse_month("2012-12") == month_index(2012, 12)  # 2012-13 would be the year


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        # Two-digit years: a financial year or a month, either way round.
        (
            "11-12",
            [
                "the financial year 2011-12 (write 2011-12)",
                "December 2011 (write Dec 2011)",
                "November 2012 (write Nov 2012)",
            ],
        ),
        ("11/12", ["the financial year 2011-12", "December 2011", "November 2012"]),
        ("03/04", ["the financial year 2003-04", "April 2003", "March 2004"]),
        # A month before its year.
        ("12/2011", ["December 2011 written month first: write Dec 2011"]),
        ("3-2012", ["March 2012 written month first: write Mar 2012"]),
        # A month of one digit.
        ("2011-1", ["January 2011: a month is written with two digits, 2011-01"]),
        # A financial year's slash with a month after it.
        ("2011/03", ["not a financial year", "for the month 2011-03 write 2011-03"]),
    ],
)
def test_every_ambiguous_form_is_refused_with_the_readings_it_could_have(text, readings):
    for read in (period_months, parse_month):
        with pytest.raises(ValueError) as caught:
            read(text)
        if read is parse_month and text == "2011/03":
            continue  # a month field says what a month is; the financial-year hint is track's
        for reading in readings:
            assert reading in str(caught.value), (read.__name__, text)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2017-19", "2017-19 is neither a month (01 to 12) nor a financial year"),
        ("2017/19", "2017/19 is not a financial year"),
        ("2017/2018", "with the last two digits of its second year: 2017-18 or 2017/18"),
        ("2017-2018", "with the last two digits of its second year"),
        ("2017-18-Q5", "a quarter is Q1 to Q4"),
        ("2018-Q5", "a quarter is Q1 to Q4"),
        ("2018-13", "2018-13 is neither a month"),
        ("2017-07..2017-05", "the range ends (2017-05) before it starts (2017-07)"),
        ("2017-05..2017", 'two months joined by ".."'),
        ("1900-01..2100-12", "spans at most 1200 months (2412 given)"),
        ("Q1 2018", "a period is"),
    ],
)
def test_periods_written_wrongly_say_why(text, says):
    with pytest.raises(ValueError, match="^a period is") as caught:
        period_months(text)
    assert says in str(caught.value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2017-19", "2017-19 is not a financial year"),
        ("2017/2018", "2017-18 or 2017/18"),
        ("2018", "2018 is a calendar year; the financial year starting in it is 2018-19"),
        ("2014-03", "2014-03 is a month, not a financial year"),
        ("2017-18-Q1", "2017-18-Q1 is a quarter"),
    ],
)
def test_where_only_a_financial_year_goes(text, says):
    with pytest.raises(ValueError, match="^a financial year is written") as caught:
        parse_financial_year(text)
    assert says in str(caught.value)


# ---------------------------------------------------------------------------------------------
# track reads financial-year periods
# ---------------------------------------------------------------------------------------------

ROW = {"intervention": "pause", "cases": 4, "outcomes_averted": 0, "spend": 75000}


def _actuals(tmp_path, *periods: str, **settings) -> str:
    path = tmp_path / "actuals.yaml"
    rows = [{**ROW, "period": p} for p in periods]
    thurrock = thurrock_in(tmp_path)  # a file names only files beside it
    path.write_text(yaml.safe_dump({"portfolio": str(thurrock), **settings, "actuals": rows}))
    return str(path)


def test_track_reads_2011_12_as_april_2011_to_march_2012(tmp_path):
    """`2011-12` is the financial year in track too: a year of Pause's plan, not a month's (the
    11.3 cases a month's reading gave against 15 women a year, APHR 2017 2.4.2)."""
    proc = run_cli("track", _actuals(tmp_path, "2011-12"), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    period = json.loads(proc.stdout)["interventions"][0]["periods"][0]
    assert period["months"] == 12
    assert period["reads_as"] == "April 2011 to March 2012"
    assert period["planned"]["reach"] == pytest.approx(15)
    table = run_cli("track", _actuals(tmp_path, "2011-12"))
    assert "2011-12 read as April 2011 to March 2012" in table.stdout
    # The month is written by name, and read as one month.
    proc = run_cli("track", _actuals(tmp_path, "Dec 2011"), "-f", "json")
    period = json.loads(proc.stdout)["interventions"][0]["periods"][0]
    assert (period["months"], period["reads_as"]) == (1, "December 2011")


@pytest.mark.parametrize(
    ("period", "reading"),
    [
        ("11-12", "could be the financial year 2011-12 (write 2011-12), or December 2011"),
        ("11/12", "or November 2012 (write Nov 2012)"),
        ("12/2011", "looks like December 2011 written month first: write Dec 2011"),
        ("2011-1", "looks like January 2011: a month is written with two digits, 2011-01"),
    ],
)
def test_track_refuses_an_ambiguous_period_with_exit_2_naming_its_readings(
    tmp_path, period, reading
):
    path = _actuals(tmp_path, period)
    proc = run_cli("track", path)
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert f"{path}: actuals[0].period: a period is" in proc.stderr
    assert reading in proc.stderr


def test_track_plans_a_financial_year_and_its_quarters_by_their_months(tmp_path):
    proc = run_cli(
        "track", _actuals(tmp_path, "2017/18", "2018-19-Q1", "2018-07..2018-08"), "-f", "json"
    )
    assert proc.returncode == 0, proc.stderr
    periods = json.loads(proc.stdout)["interventions"][0]["periods"]
    assert [(p["period"], p["months"]) for p in periods] == [
        ("2017/18", 12),
        ("2018-19-Q1", 3),
        ("2018-07..2018-08", 2),
    ]
    # The plan is the annual figure x months / 12: Pause costs £303,030 a year (APHR 2017 2.4.2).
    assert periods[1]["planned"]["cost"] == pytest.approx(303_030 * 3 / 12)


def test_track_finds_a_financial_year_overlapping_a_calendar_quarter(tmp_path):
    # 2018-Q1 (January to March 2018) lies inside 2017-18 (April 2017 to March 2018).
    path = _actuals(tmp_path, "2017-18", "2018-Q1")
    proc = run_cli("track", path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert (
        "actuals[1].period: overlaps a period already reported for pause (2017-18)" in proc.stderr
    )
    # From 2018-04 the next financial year begins: no overlap.
    assert run_cli("track", _actuals(tmp_path, "2017-18", "2018-Q2")).returncode == 0


def test_track_with_financial_years_starting_in_september(tmp_path):
    # With September starts, 2017-18 ends in August 2018, so 2018-Q3 (July to September) overlaps.
    path = _actuals(tmp_path, "2017-18", "2018-Q3", financial_year_start_month=9)
    proc = run_cli("track", path)
    assert proc.returncode == 2
    assert "overlaps a period already reported for pause (2017-18)" in proc.stderr


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ("2017-19", "2017-19 is neither a month (01 to 12) nor a financial year"),
        ("2017/2018", "write a financial year with the last two digits of its second year"),
        ("2017-18-Q5", "a quarter is Q1 to Q4"),
    ],
)
def test_track_rejects_a_financial_year_written_wrongly(tmp_path, period, says):
    path = _actuals(tmp_path, period)
    for command in ("track", "validate"):
        proc = run_cli(command, path)
        assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
        assert f"{path}: actuals[0].period: a period is" in proc.stderr
        assert says in proc.stderr and f"(got {period!r})" in proc.stderr


def test_csv_actuals_take_financial_years_and_the_start_month_directive(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(
        f"# portfolio: {thurrock_in(tmp_path)}\n# financial_year_start_month: 9\n"
        "intervention,period,cases,outcomes_averted,spend\npause,2017-18-Q1,4,0,75000\n"
    )
    proc = run_cli("track", path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["interventions"][0]["periods"][0]["months"] == 3
    path.write_text(path.read_text().replace("month: 9", "month: 1"))
    proc = run_cli("track", path)
    assert proc.returncode == 2
    assert "financial_year_start_month: a financial year starting in January" in proc.stderr

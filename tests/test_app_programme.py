"""The app's Programme page, driven with AppTest: the figures of `appraise programme` on the same
files, every chart valid Vega-Lite, problems as the CLI prints them, and text from a file shown as
text.

Expected figures come from the CLI's JSON on the same files, or from the East Sussex THRIVE June
2014 progress report (£6.4M + £6.4M = £12.8M; 571 against 560; 51 still to go).
"""

from __future__ import annotations

import yaml
from streamlit.testing.v1 import AppTest

from appraise.display import (
    PROGRAMME_TARGET_COLUMNS,
    PROGRAMME_YEAR_COLUMNS,
    money,
    programme_sections,
)
from appraise.ui import charts
from appraise.ui.programme import STATUS_TEXT, frame
from tests.conftest import EXAMPLES
from tests.test_app import (
    cli_json,
    errors,
    go,
    in_project_folder,  # noqa: F401 (autouse: run from the project)
    metrics,
    open_app,
)
from tests.test_programme import HAND

THRIVE = "examples/east-sussex-thrive-programme.yaml"
SUFFOLK = "examples/suffolk-meic.yaml"
ILLUSTRATION = "examples/thurrock-programme-illustration.yaml"
BENCHMARKS = "examples/thurrock-2017-benchmarks.yaml"
EXAMPLE = "programme-example"
UPLOAD = "programme-upload:0"
ACTUALS_UPLOAD = "programme-actuals-upload:0"


def on_programme_page() -> AppTest:
    at = go(open_app(), "Programme")
    assert not at.error, errors(at)
    return at


def choose(at: AppTest, example: str) -> AppTest:
    at.selectbox(key=EXAMPLE).set_value(example).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, errors(at)
    return at


def upload(at: AppTest, key: str, name: str, data: dict) -> AppTest:
    text = yaml.safe_dump(data, sort_keys=False).encode()
    at.file_uploader(key=key).upload(name, text, "application/x-yaml").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def test_the_page_offers_the_example_programmes_and_waits_for_one():
    at = on_programme_page()
    assert at.title[0].value == "Programme against its business case"
    assert at.selectbox(key=EXAMPLE).options == [THRIVE, SUFFOLK, BENCHMARKS, ILLUSTRATION]
    assert "Choose an example programme" in at.info[0].value


def test_thrive_shows_the_reports_arithmetic_as_the_cli_does():
    at = choose(on_programme_page(), THRIVE)
    cli = cli_json("programme", THRIVE)
    # June 2014: £6.4M below the projection in each of 2012/13 and 2013/14, £12.8M in all; spend
    # includes the programme's own, so the net figure is the same.
    assert metrics(at)["Spend avoided to date"] == money(12_800_000)
    assert metrics(at)["Net of investment"] == money(12_800_000)
    assert metrics(at)["Targets met"] == "0 of 1"  # 571 children in care against 560
    # Spend by year, the measures (with their baselines), then the measures against targets.
    years, targets = at.dataframe[0].value, at.dataframe[2].value
    assert years.equals(frame(PROGRAMME_YEAR_COLUMNS, cli["years"]))
    assert targets.equals(frame(PROGRAMME_TARGET_COLUMNS, cli["targets"]))
    # The first target of children in care, under 591 by 2013-03, has no actual in the reports.
    first = targets.iloc[1].to_dict()
    assert first["At"] == "2014-03"
    assert (first["Target"], first["Actual"], first["Variance"]) == ("560", "571", "+11")
    assert (first["Next target"], first["Still to go"]) == ("520 at 2015-03", "51")
    assert (
        "Children in care: latest 571 (2014-03); next target 520 at 2015-03, 51 still to go."
        in (texts(at))
    )
    assert (
        "* as reported: the report states the spend avoided only, not the projection or the spend."
        in (texts(at))
    )


def test_suffolk_shows_its_savings_statuses():
    at = choose(on_programme_page(), SUFFOLK)
    cli = cli_json("programme", SUFFOLK)
    # The measures (children in care, the FTE reduction), then the savings targets.
    savings = at.dataframe[1].value
    assert list(savings["Status"]) == [STATUS_TEXT[s["status"]] for s in cli["savings"]]
    assert list(savings["Council reported"]) == ["achieved", "on track", ""]
    assert metrics(at) == {"Savings achieved": money(5_100_000)}


def test_every_table_the_cli_prints_is_on_the_page_with_its_notes():
    """Budget monitoring, funding and the savings reported with no target included: the page
    shows the CLI's sections, in its order, cell for cell."""
    at = on_programme_page()
    for example in (BENCHMARKS, THRIVE, SUFFOLK):
        choose(at, example)
        cli = programme_sections(cli_json("programme", example))
        assert [h.value for h in at.subheader] == [title for title, *_ in cli]
        for shown, (title, columns, rows, _, notes) in zip(at.dataframe, cli, strict=True):
            expected = frame(columns, rows)
            if title == "Savings targets":
                expected["Status"] = [STATUS_TEXT[r["status"]] for r in rows]
            assert shown.value.equals(expected), title
            assert all(note in texts(at) for note in notes), title
    assert "Budget monitoring as at 2016-06" in [h.value for h in at.subheader]


def test_every_programme_chart_is_valid_vega_lite(monkeypatch):
    """The app skips Altair's schema check for speed; here every chart of the page is checked."""
    drawn = []

    def validated(figure):
        drawn.append(figure)
        return figure.to_dict(validate=True)

    monkeypatch.setattr(charts, "spec", validated)
    at = on_programme_page()
    drawn.clear()  # the Portfolio page's, drawn on opening the app
    for example in (THRIVE, SUFFOLK, BENCHMARKS, ILLUSTRATION):
        choose(at, example)
    # THRIVE: spend avoided and its five measures (children in care, CP plans, contacts, their
    # rate, looked after during the year); Suffolk: its two measures (children in care, the FTE
    # reduction) and savings; Thurrock's benchmarks: its CP plan rate; the illustration: spend,
    # spend avoided, children in care, savings.
    assert len(drawn) == (1 + 5) + (2 + 1) + 1 + 4
    specs = [str(f.to_dict(validate=False)) for f in drawn]
    for legend in (charts.PROJECTED_SPEND, charts.AVOIDED_SPEND, charts.MEASURE_TARGET):
        assert any(legend in spec for spec in specs), legend
    assert any(charts.SAVINGS_ACHIEVED in spec for spec in specs)


def test_an_upload_with_its_actuals_uploaded_beside_it():
    at = on_programme_page()
    upload(at, UPLOAD, "hand.yaml", {"programme": HAND["programme"]})
    assert not at.error, errors(at)
    assert "no actuals" in texts(at)[0]
    upload(at, ACTUALS_UPLOAD, "hand-actuals.yaml", {"actuals": HAND["actuals"]})
    assert not at.error, errors(at)
    # Worked by hand in tests/test_programme.py: 200,000 + 600,000 avoided, net -100,000 + 200,000.
    assert metrics(at)["Spend avoided to date"] == money(800_000)
    assert metrics(at)["Net of investment"] == money(100_000)
    assert metrics(at)["Savings achieved"] == money(610_000)


def test_a_broken_upload_shows_the_clis_lines():
    at = on_programme_page()
    broken = {"programme": {**HAND["programme"], "investment": {"2020/2021": 5}}}
    upload(at, UPLOAD, "broken.yaml", broken)
    assert "Could not read the programme: 1 problem." in errors(at)
    assert "broken.yaml: programme.investment.2020/2021: a financial year is written" in errors(at)
    assert "(got '2020/2021')" in errors(at)


def test_an_upload_may_not_name_other_files():
    at = on_programme_page()
    upload(at, UPLOAD, "named.yaml", {"programme": HAND["programme"], "actuals": "x.yaml"})
    assert "named.yaml: actuals: an uploaded file cannot name another file" in errors(at)


def test_text_from_the_file_is_shown_as_text_not_markdown():
    at = on_programme_page()
    name = "**Bold** [a link](https://example.org) :red[red]"
    data = {
        "programme": {**HAND["programme"], "name": name, "description": "# Not a heading"},
        "actuals": HAND["actuals"],
    }
    data["programme"]["measures"] = {"children_in_care": {"name": "_Children_ in care"}}
    upload(at, UPLOAD, "text.yaml", data)
    assert not at.error, errors(at)
    shown = texts(at)
    assert shown[0].startswith(name + ": 2020-04 to 2023-03")
    assert "# Not a heading" in shown
    assert "_Children_ in care (lower is better)" in shown
    # None of it reaches an element that renders Markdown.
    rendered = [m.value for m in at.markdown] + [h.value for h in at.subheader]
    rendered += [m.label for m in at.metric] + [c.value for c in at.caption]
    assert not any(
        part in r for r in rendered for part in ("**Bold**", "Not a heading", "_Children_")
    )


def test_example_files_are_those_in_examples():
    at = on_programme_page()
    assert all((EXAMPLES.parent / o).is_file() for o in at.selectbox(key=EXAMPLE).options)

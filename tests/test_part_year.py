"""An effect observed over part of a year ("23 of 26 children did not enter care" over three
months) is taken as a year's result and flagged in every output: the JSON, the table, the
workbook, the app and the paper (docs/additionality.md gives the rule and why)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from tests.conftest import run_cli
from tests.helpers import intervention, one, portfolio_data

FLAG = "observed over 3 months, taken as a year's result"


def three_months(**effect) -> dict:
    return portfolio_data(
        interventions=[
            intervention(
                id="edge-pilot",
                name="Edge-of-care pilot",
                reach={"count": 26},
                effect={"success_rate": round(23 / 26, 4), "observed_months": 3, **effect},
            )
        ]
    )


@pytest.fixture
def pilot(tmp_path: Path) -> Path:
    path = tmp_path / "pilot.yaml"
    path.write_text(yaml.safe_dump(three_months()), encoding="utf-8")
    return path


def test_the_effect_is_used_as_given_not_scaled_and_says_so():
    """A share of cases is not a count over a period: it is not multiplied by 12 / 3 (which
    would credit 3.5 children a child), but taken to hold for the year, and flagged."""
    r = one(three_months())
    assert r["effect_adjusted"] == pytest.approx(0.8846)
    assert r["outcomes_averted"] == pytest.approx(26 * 0.8846)
    assert r["effects"][0]["observed_months"] == 3
    assert len(r["flags"]) == 1 and FLAG in r["flags"][0]
    # Observed over a year or more: nothing to flag.
    assert one(three_months(observed_months=12))["flags"] == []
    assert one(portfolio_data())["flags"] == []


@pytest.mark.parametrize("months", [0, -3, 1201, "three", True])
def test_observed_months_out_of_range_is_refused(tmp_path, months):
    data = three_months(observed_months=months)
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    proc = run_cli("evaluate", path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "interventions[0].effect.observed_months" in proc.stderr


def test_flagged_in_the_json_and_the_table(pilot):
    data = json.loads(run_cli("evaluate", pilot, "-f", "json").stdout)
    assert FLAG in data["interventions"][0]["flags"][0]
    table = run_cli("evaluate", pilot).stdout
    assert "edge-pilot *" in table
    assert f"* edge-pilot effect (lac_year): {FLAG}" in table


def test_flagged_on_the_workbooks_summary(pilot, tmp_path):
    out = tmp_path / "pilot.xlsx"
    assert run_cli("export", pilot, "--xlsx", out).returncode == 0
    summary = load_workbook(out)["Summary"]
    notes = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(n.startswith("FLAG: edge-pilot effect (lac_year)") and FLAG in n for n in notes)


def test_flagged_in_the_paper_and_the_app(pilot, tmp_path):
    from docx import Document

    out = tmp_path / "pilot.docx"
    proc = run_cli("report", pilot, "--docx", out)
    assert proc.returncode == 0, proc.stderr
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert f"Flag: edge-pilot effect (lac_year): {FLAG}" in text  # the summary
    assert f"Part of a year taken as a year: edge-pilot effect (lac_year): {FLAG}" in text

    from tests.test_app import errors, go, open_app

    at = open_app()
    at.sidebar.file_uploader[0].upload("pilot.yaml", pilot.read_bytes(), "application/x-yaml")
    at.run()
    assert not at.exception and not at.error, errors(at)
    assert any(FLAG in w.value for w in at.warning)  # the Portfolio page
    go(at, "Intervention")
    assert any(FLAG in w.value for w in at.warning)

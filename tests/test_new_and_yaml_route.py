"""The YAML route (issue 26 item 5): `appraise new`, `--version`, money written as text, unknown
keys listing the allowed ones, an evidence id taken from its key, an assumed effect with no source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from appraise.cli import app
from appraise.errors import InputError
from appraise.model.load import portfolio_from_data
from appraise.model.numbers import written_number
from appraise.model.starter import STARTER
from appraise.version import __version__

runner = CliRunner()

# The Family Safeguarding case of issue 26, written the way the starter file shows.
FAMILY_SAFEGUARDING = """\
portfolio: Family Safeguarding
price_year: 2024-25
outcomes:
  lac_year:
    name: A child looked after for a year
    components:
      - name: care
        cost: {value: "£60,000", assumed: {by: My council, why: our average year in care}}
        cashable: true
interventions:
  - id: family-safeguarding
    name: Family Safeguarding
    category: edge_of_care
    averts: lac_year
    reach: {count: 200}
    unit_cost:
      amount: £3,000
      per: family
    effect:
      baseline_risk: {value: 0.12, assumed: {by: My council, why: care entry now}}
      treated_risk: {value: 0.08, assumed: {by: My council, why: care entry hoped for}}
    evidence: {rating: NL2}
"""


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"appraise {__version__}"


def test_new_validates_and_evaluates(tmp_path: Path):
    result = runner.invoke(app, ["new"])
    assert result.exit_code == 0
    target = tmp_path / "p.yaml"
    target.write_text(result.output)
    assert runner.invoke(app, ["validate", str(target)]).exit_code == 0
    evaluated = runner.invoke(app, ["evaluate", str(target), "--format", "json"])
    assert evaluated.exit_code == 0, evaluated.output
    data = json.loads(evaluated.output)
    (record,) = data["interventions"]
    # 200 cases x £3,000; 200 x (0.12 - 0.08) = 8 care-years averted x £60,000 = £480,000.
    assert record["cost"] == pytest.approx(600_000)
    assert record["gross_savings"] == pytest.approx(480_000)
    assert record["evidence_rating"] == "NL2"
    assert any("no source is cited" in f for f in record["flags"])


def test_new_never_overwrites(tmp_path: Path):
    target = tmp_path / "p.yaml"
    target.write_text("mine")
    result = runner.invoke(app, ["new", "--output", str(target)])
    assert result.exit_code == 2
    assert target.read_text() == "mine"


def test_family_safeguarding_first_try():
    portfolio = portfolio_from_data(yaml.safe_load(FAMILY_SAFEGUARDING), "fs.yaml")
    item = portfolio.interventions[0]
    assert item.unit_cost.amount == 3000


def test_starter_is_the_family_safeguarding_shape():
    assert portfolio_from_data(yaml.safe_load(STARTER), "starter.yaml").interventions


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("£3,000", 3000),
        ("3,000", 3000),
        ("3000", 3000),
        ("-£1,250.50", -1250.5),
        ("£60,000", 60000),
    ],
)
def test_money_written_as_text(text: str, number: float):
    assert written_number(text) == number


@pytest.mark.parametrize("text", ["£3k", "3,00", "three", "3,0000", "£"])
def test_unreadable_figure_is_named(text: str):
    data = yaml.safe_load(FAMILY_SAFEGUARDING)
    data["interventions"][0]["unit_cost"]["amount"] = text
    with pytest.raises(InputError) as caught:
        portfolio_from_data(data, "fs.yaml")
    (problem,) = caught.value.problems
    assert problem.path == "interventions[0].unit_cost.amount"
    assert "text that is not a figure" in problem.message


def test_comma_inside_braces_explained():
    data = yaml.safe_load(
        FAMILY_SAFEGUARDING.replace(
            "amount: £3,000\n      per: family", "{amount: £3,000, per: family}"
        ).replace("unit_cost:\n      {", "unit_cost: {")
    )
    with pytest.raises(InputError) as caught:
        portfolio_from_data(data, "fs.yaml")
    messages = [p.message for p in caught.value.problems]
    assert any("thousands comma inside { }" in m for m in messages), messages


def test_unknown_key_lists_allowed_keys():
    data = yaml.safe_load(FAMILY_SAFEGUARDING)
    data["outcomes"]["lac_year"]["cost"] = 60000
    with pytest.raises(InputError) as caught:
        portfolio_from_data(data, "fs.yaml")
    (problem,) = caught.value.problems
    assert problem.path == "outcomes.lac_year.cost"
    assert "allowed keys: name, description, unit, derive, components" in problem.message


def test_evidence_id_from_its_key():
    data = yaml.safe_load(FAMILY_SAFEGUARDING)
    data["evidence"] = {
        "my-evaluation": {
            "authors": "Smith, J.",
            "year": 2024,
            "title": "Evaluation of Family Safeguarding",
            "publisher": "My council",
            "country": "UK",
            "type": "evaluation",
            "found": "care entry fell",
        }
    }
    data["interventions"][0]["evidence"] = {"rating": "2", "sources": ["my-evaluation"]}
    portfolio = portfolio_from_data(data, "fs.yaml")
    assert portfolio.evidence["my-evaluation"].id == "my-evaluation"


def test_a_rating_above_nl2_needs_sources():
    data = yaml.safe_load(FAMILY_SAFEGUARDING)
    data["interventions"][0]["evidence"] = {"rating": "3"}
    with pytest.raises(InputError) as caught:
        portfolio_from_data(data, "fs.yaml")
    (problem,) = caught.value.problems
    assert problem.path == "interventions[0].evidence.sources"
    assert "rate it NL2" in problem.message

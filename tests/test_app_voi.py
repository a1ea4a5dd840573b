"""The app's "What to check first": the same ranking, words and budget curve as `appraise
simulate --voi` on the same file, draws and seed."""

from __future__ import annotations

from appraise.display import check_first, money
from appraise.ui import charts
from tests.test_app import cli_json, in_project_folder  # noqa: F401 (autouse: run from the project)
from tests.test_app_uncertainty import on_uncertainty_page

OPTIONS = "examples/edge-of-care-options.yaml"


def test_what_to_check_first_shows_the_cli_ranking_and_says_what_an_audit_is_worth(monkeypatch):
    drawn = []
    real = charts.spec
    monkeypatch.setattr(charts, "spec", lambda figure: drawn.append(figure) or real(figure))
    at = on_uncertainty_page(OPTIONS)
    cli = cli_json("simulate", OPTIONS, "--voi", "--draws", "10000", "--seed", "1")
    voi = cli["value_of_information"]
    assert "What to check first" in [h.value for h in at.subheader]
    shown = [m.value for m in at.markdown]
    for sentence in check_first(voi, cli["portfolio"]["horizon_years"]):
        assert sentence in shown
    assert any(
        s.startswith("Check first: Edge-of-care service based on Multisystemic Therapy")
        for s in shown
    )
    table = at.table[2].value
    assert list(table["Worth knowing exactly (EVPPI)"]) == [
        money(r["evppi"]) for r in voi["inputs"]
    ]
    assert list(table["Place on the tornado"]) == [str(r["tornado_rank"]) for r in voi["inputs"]]
    # The acceptability curve, drawn from the same draws as the CLI's.
    assert "Which option, for the money available?" in [h.value for h in at.subheader]
    specs = [str(f.to_dict(validate=True)) for f in drawn]
    assert any("Money available a year" in s for s in specs)
    assert any("Worth knowing exactly (EVPPI)" in s for s in specs)


def test_a_portfolio_without_options_ranks_inputs_and_draws_no_budget_curve():
    at = on_uncertainty_page("examples/thurrock-2017-uncertain.yaml")
    headings = [h.value for h in at.subheader]
    assert "What to check first" in headings
    assert "Which option, for the money available?" not in headings

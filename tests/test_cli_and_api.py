"""The command line's other outputs and the notebook API agree with the JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.conftest import ROOT, THURROCK, by_id, run_cli, thurrock_in


def test_python_api_matches_cli_json(thurrock_json):
    import appraise

    portfolio = appraise.load_portfolio(THURROCK)
    frame = appraise.evaluate(portfolio)
    assert list(frame["id"]) == [r["id"] for r in thurrock_json["interventions"]]
    mst = frame.set_index("id").loc["edge-of-care-mst"]
    assert mst["net_savings"] == by_id(thurrock_json, "edge-of-care-mst")["net_savings"]
    assert set(thurrock_json["interventions"][0]) == set(frame.columns)
    totals = frame.appraise.totals
    assert totals["net_savings"] == thurrock_json["portfolio"]["net_savings"]
    assert appraise.evaluate(THURROCK).equals(frame)  # a path works too


def test_python_api_raises_input_error_with_problems(tmp_path):
    import appraise

    path = tmp_path / "bad.yaml"
    path.write_text("portfolio: x\n")
    with pytest.raises(appraise.InputError) as caught:
        appraise.load_portfolio(path)
    paths = {p.path for p in caught.value.problems}
    assert {"price_year", "outcomes", "interventions"} <= paths


def test_csv_output_has_one_row_per_intervention_and_a_total(thurrock_json):
    proc = run_cli("evaluate", THURROCK, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [r["id"] for r in rows] == [r["id"] for r in thurrock_json["interventions"]] + ["total"]
    mst = rows[0]
    assert float(mst["net_savings"]) == by_id(thurrock_json, "edge-of-care-mst")["net_savings"]
    assert float(rows[-1]["cost"]) == pytest.approx(thurrock_json["portfolio"]["cost"])
    assert float(mst["savings_by_payer.childrens_social_care"]) == pytest.approx(
        by_id(thurrock_json, "edge-of-care-mst")["gross_savings"]
    )


def test_csv_never_writes_a_formula(tmp_path):
    import yaml

    from tests.helpers import intervention, portfolio_data

    item = intervention(name='=HYPERLINK("http://x","y")')
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(portfolio_data(interventions=[item])))
    proc = run_cli("evaluate", path, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    row = next(csv.DictReader(io.StringIO(proc.stdout)))
    assert row["name"] == '\'=HYPERLINK("http://x","y")'


def test_json_is_strict_and_infinite_ratios_are_null(tmp_path):
    import yaml

    from tests.helpers import intervention, portfolio_data

    item = intervention(unit_cost={"amount": 0})
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(portfolio_data(interventions=[item])))
    proc = run_cli("evaluate", path, "--format", "json")
    data = json.loads(proc.stdout, parse_constant=lambda c: pytest.fail(f"non-JSON {c}"))
    assert data["interventions"][0]["roi"] is None


def test_table_shows_the_mst_figures_a_commissioner_reads():
    proc = run_cli("evaluate", THURROCK)
    assert proc.returncode == 0
    line = next(t for t in proc.stdout.splitlines() if t.startswith("edge-of-care-mst"))
    for text in (
        "135.5",
        "£309,618",
        "21.68",
        "£1,534,780",
        "£1,225,163",
        "£649,336",
        "3.23%",
        "16.00%",
    ):
        assert text in line
    assert "strict £" in proc.stdout and "pro rata £" in proc.stdout


def test_validate_accepts_every_library_file_and_example(cli):
    for path in sorted((ROOT / "interventions").glob("*.yaml")):
        code, out, err = cli("validate", path)
        assert code == 0, err
        assert "valid intervention" in out
    code, out, err = cli("validate", THURROCK)
    assert code == 0 and "valid portfolio" in out


def test_validate_an_evidence_entry(cli):
    code, out, _ = cli("validate", ROOT / "evidence" / "swenson-2010.yaml")
    assert code == 0 and "Swenson et al. (2010)" in out


def test_validate_names_a_library_file_problem(tmp_path, cli):
    bad = (ROOT / "interventions" / "pause.yaml").read_text().replace("value: 20202", "value: -5")
    path = tmp_path / "pause.yaml"
    path.write_text(bad)
    code, _, err = cli("validate", path)
    assert code == 2
    assert f"{path}: unit_cost.amount.value: must not be below 0 (got -5)" in err


def test_validate_rejects_an_unrecognisable_file(tmp_path, cli):
    path = tmp_path / "x.yaml"
    path.write_text("hello: world\n")
    code, _, err = cli("validate", path)
    assert code == 2 and "cannot tell what kind of file this is" in err


def test_list_shows_the_library_with_ratings(cli):
    code, out, _ = cli("list", "--format", "json")
    assert code == 0
    items = {i["id"]: i for i in json.loads(out)}
    assert {
        "edge-of-care-mst",
        "edge-of-care-fft",
        "pause",
        "steps-expansion",
        "dv-perpetrator-expansion",
        "parenting-capacity-expansion",
    } <= set(items)
    assert items["edge-of-care-mst"]["evidence_rating"] == "3"
    assert "Swenson et al. (2010)" in items["edge-of-care-mst"]["sources"]


def test_every_library_source_has_what_it_found(cli):
    from appraise.model.load import load_evidence, load_library

    evidence = load_evidence()
    for item in load_library():
        for source in item.evidence.sources:
            assert len(evidence[source].found) > 40, source


def test_library_override_merges_within_a_form(tmp_path, cli):
    import yaml

    data = yaml.safe_load(thurrock_in(tmp_path).read_text())  # with the baseline it names
    data["interventions"][0]["reach"] = {"proportion": 0.05}  # "what if only 5% are suitable?"
    path = tmp_path / "five.yaml"
    path.write_text(yaml.safe_dump(data))
    code, out, err = cli("evaluate", path, "--format", "json")
    assert code == 0, err
    mst = by_id(json.loads(out), "edge-of-care-mst")
    assert mst["reach"] == pytest.approx(1355 * 0.05)
    assert mst["net_savings"] == pytest.approx(67.75 * 0.16 * 70792.45283 - 67.75 * 2285)

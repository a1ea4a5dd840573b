"""Bad input gets one clear line per problem (file, field path, rejected value) and exit code 2.

These run the real `appraise` command so that "no traceback" is checked as a user would see it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli
from tests.helpers import intervention, portfolio_data


def write(tmp_path: Path, data, name: str = "portfolio.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def rejected(path: Path, *expected: str) -> str:
    """Run evaluate and validate on `path`; both must exit 2 with every expected fragment."""
    before = path.read_bytes() if path.is_file() else None
    for command in ("evaluate", "validate"):
        proc = run_cli(command, path)
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert proc.stdout == ""
        for fragment in expected:
            assert fragment in proc.stderr, (fragment, proc.stderr)
    after = path.read_bytes() if path.is_file() else None
    assert before == after  # files are only ever read
    return proc.stderr


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    rejected(path, f"{path}: file not found")


def test_yaml_that_does_not_parse(tmp_path):
    path = write(tmp_path, "portfolio: x\n  price_year: [2017\n")
    rejected(path, str(path), "YAML does not parse", "line ")


def test_missing_key(tmp_path):
    data = portfolio_data()
    del data["interventions"][0]["averts"]
    path = write(tmp_path, data)
    rejected(path, f"{path}: interventions[0].averts: missing required key")


def test_unknown_key_suggests_the_right_one(tmp_path):
    data = portfolio_data(interventions=[intervention(effect={"sucess_rate": 0.16})])
    path = write(tmp_path, data)
    rejected(
        path, "interventions[0].effect.sucess_rate: unknown key (did you mean 'success_rate'?)"
    )


def test_negative_cost(tmp_path):
    data = portfolio_data(interventions=[intervention(unit_cost={"amount": -2285})])
    path = write(tmp_path, data)
    rejected(path, f"{path}: interventions[0].unit_cost.amount: must not be below 0", "-2285")


@pytest.mark.parametrize("field,value", [("proportion", 1.5), ("proportion", -0.1)])
def test_proportion_outside_0_1(tmp_path, field, value):
    data = portfolio_data(interventions=[intervention(reach={"eligible": 1355, field: value})])
    path = write(tmp_path, data)
    rejected(path, f"interventions[0].reach.{field}: must be between 0 and 1", str(value))


def test_rate_outside_0_1(tmp_path):
    data = portfolio_data(interventions=[intervention(effect={"success_rate": 16})])
    path = write(tmp_path, data)
    rejected(path, "interventions[0].effect.success_rate: must be between 0 and 1 (got 16)")


def test_treated_risk_above_baseline(tmp_path):
    data = portfolio_data(
        interventions=[intervention(effect={"baseline_risk": 0.14, "treated_risk": 0.30})]
    )
    path = write(tmp_path, data)
    rejected(path, "interventions[0].effect: treated_risk (0.3) is above baseline_risk (0.14)")


def test_string_where_a_number_belongs(tmp_path):
    # "£2,285" is read as 2285 (tests/test_new_and_yaml_route.py); text that is no figure is not.
    data = portfolio_data(interventions=[intervention(unit_cost={"amount": "£2.3k"})])
    path = write(tmp_path, data)
    rejected(
        path,
        'interventions[0].unit_cost.amount: expected a number (such as 3000 or "£3,000"), '
        "got text that is not a figure '£2.3k'",
    )


@pytest.mark.parametrize("text", [".nan", ".inf", "-.inf"])
def test_nan_or_infinity(tmp_path, text):
    body = yaml.safe_dump(portfolio_data(), sort_keys=False).replace(
        "amount: 2285", f"amount: {text}"
    )
    path = write(tmp_path, body)
    rejected(path, "interventions[0].unit_cost.amount: must be a finite number")


def test_unknown_use(tmp_path):
    data = portfolio_data(interventions=[{"use": "edge-of-care-mts"}])
    path = write(tmp_path, data)
    rejected(
        path,
        f"{path}: interventions[0].use: unknown library intervention (did you mean "
        "'edge-of-care-mst'?)",
        "'edge-of-care-mts'",
    )


def test_unknown_evidence_id(tmp_path):
    item = intervention(evidence={"rating": "3", "sources": ["local-test-source", "swenson-2100"]})
    path = write(tmp_path, portfolio_data(interventions=[item]))
    rejected(path, "interventions[0].evidence.sources[1]: unknown evidence id", "'swenson-2100'")


def test_duplicate_intervention_id(tmp_path):
    path = write(tmp_path, portfolio_data(interventions=[intervention(), intervention()]))
    rejected(
        path, "interventions[1].id: duplicate intervention id (also interventions[0])", "'svc'"
    )


def test_outcome_the_portfolio_does_not_define(tmp_path):
    path = write(tmp_path, portfolio_data(interventions=[intervention(averts="lac_years")]))
    rejected(
        path,
        "interventions[0].averts: outcome not defined in this portfolio's outcomes",
        "'lac_years'",
    )


def test_several_problems_give_one_line_each(tmp_path):
    item = intervention(effect={"success_rate": 2}, unit_cost={"amount": -1})
    path = write(tmp_path, portfolio_data(interventions=[item], price_year="2017-19"))
    stderr = rejected(path)
    lines = stderr.strip().splitlines()
    assert len(lines) == 3, lines
    assert all(line.startswith(f"{path}: ") for line in lines)


def test_override_of_a_library_entry_is_blamed_on_the_portfolio(tmp_path):
    data = portfolio_data(interventions=[{"use": "edge-of-care-mst", "reach": {"proportion": 1.1}}])
    data["evidence"] = {}
    path = write(tmp_path, data)
    rejected(path, f"{path}: interventions[0].reach.proportion: must be between 0 and 1")


def test_duplicate_yaml_key(tmp_path):
    path = write(tmp_path, "portfolio: a\nportfolio: b\nprice_year: 2017\n")
    rejected(path, f"{path}: line 2: duplicate key 'portfolio'")


def test_billion_laughs_is_refused_quickly(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    rejected(path, "too many aliases")


def test_oversized_file(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * (11 * 1024 * 1024))
    rejected(path, "file is larger than 10 MiB")


def test_yaml_tags_that_run_code_are_refused(tmp_path):
    path = write(tmp_path, "portfolio: !!python/object/apply:os.system ['echo hi']\n")
    rejected(path, "YAML does not parse")


def test_distribution_with_low_above_central(tmp_path):
    item = intervention(effect={"success_rate": {"low": 0.2, "central": 0.16, "high": 0.3}})
    path = write(tmp_path, portfolio_data(interventions=[item]))
    rejected(path, "interventions[0].effect.success_rate.low: low (0.2) is above central (0.16)")


def test_a_folder_instead_of_a_file(tmp_path):
    rejected(tmp_path, f"{tmp_path}: is a folder, not a file")

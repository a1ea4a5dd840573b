"""A one-year horizon reads "1 year" wherever a command's text names the horizon, never "1 years"."""

from __future__ import annotations

import yaml

from tests.conftest import run_cli
from tests.helpers import intervention, portfolio_data


def test_a_one_year_horizon_is_1_year_in_every_heading(tmp_path):
    data = portfolio_data(horizon_years=1)
    item = intervention()
    item["unit_cost"] = {"amount": {"low": 2000, "central": 2285, "high": 3000}}
    data["interventions"] = [item]
    path = tmp_path / "one-year.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    for command in (["evaluate"], ["simulate", "--draws", "200"], ["sensitivity"]):
        done = run_cli(*command, path)
        assert done.returncode == 0, done.stderr
        assert "over 1 year" in done.stdout, command
        assert "1 years" not in done.stdout, command

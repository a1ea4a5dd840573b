"""Messages that fit where they appear (issue 26 item 3): an out-of-range entry refused in the
field's own units, beside it; a file of the wrong kind named for what it is and where it goes."""

from __future__ import annotations

import pytest

from appraise.model.limits import PROBABILITY
from appraise.ui.inputs import outside
from tests.conftest import EXAMPLES
from tests.test_app import PROPORTION, go, in_project_folder, open_app  # noqa: F401  (fixture)

LABEL = "Proportion of eligible cases served"


def test_a_percentage_out_of_range_is_refused_in_percent():
    at = go(open_app(), "Intervention")
    at.number_input(key=PROPORTION).set_value(150.0).run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert f"{LABEL}: must be between 0 and 100% (got 150%)" in error
    assert at.number_input(key=PROPORTION).value == 10.0  # put back to the value in use


@pytest.mark.parametrize(
    ("shown", "percent", "expected"),
    [
        (150.0, True, "x: must be between 0 and 100% (got 150%)"),
        (-5.0, True, "x: must be between 0 and 100% (got -5%)"),
        (1.5, False, "x: must be between 0 and 1 (got 1.5)"),
        (50.0, True, None),
    ],
)
def test_outside_speaks_in_the_fields_units(shown, percent, expected):
    assert outside(PROBABILITY, shown, percent, "x") == expected


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("east-sussex-thrive-programme.yaml", "a programme file: open it on the Programme page"),
        ("thurrock-2017-claims.yaml", "a claims file: check it on the Verify page"),
        ("thurrock-2018-actuals.csv", "a CSV file: an actuals CSV goes on the Verify page"),
        ("../interventions/pause.yaml", "a library intervention, not a portfolio"),
    ],
)
def test_a_file_of_another_kind_in_the_sidebar_says_where_it_goes(name, where):
    at = open_app()
    path = EXAMPLES / name
    at.sidebar.file_uploader[0].upload(path.name, path.read_bytes(), "text/plain").run()
    assert not at.exception
    shown = "\n".join(e.value for e in at.error)
    assert f"{path.name}: is {where}" in shown
    assert "Still showing examples/thurrock-2017.yaml" in shown

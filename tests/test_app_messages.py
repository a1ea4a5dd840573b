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


def test_a_central_value_outside_its_range_is_refused_in_percent_naming_the_range():
    """MST's success rate in the uncertain example ranges 0 to 32% (central 16%): 50% is inside
    the input's own 0-100% but outside the range. Refused beside the field, in percent, before
    the schema would refuse it in fractions ("high (0.32) is below central (0.5)")."""
    at = open_app()
    at.selectbox(key="example").set_value("examples/thurrock-2017-uncertain.yaml").run()
    go(at, "Intervention")
    key = "edit:1:interventions[0].effect.success_rate.central"
    at.number_input(key=key).set_value(50.0).run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert "must be between 0 and 32%, the range set for it (got 50%)" in error
    assert "0.32" not in error and "0.5" not in error
    assert at.number_input(key=key).value == 16.0
    at.number_input(key=key).set_value(20.0).run()  # inside the range: applied
    assert not at.error and at.number_input(key=key).value == 20.0


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

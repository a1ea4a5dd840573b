"""The app on the Essex social impact bond: the intervention's page shows its outcome contract
(the CLI's figures) and the chart of the council's position under both arrangements."""

from __future__ import annotations

from appraise.display import money
from appraise.ui import charts
from tests.test_app import (
    cli_json,
    errors,
    go,
    in_project_folder,  # noqa: F401 (autouse: run from the project)
    open_app,
)

ESSEX = "examples/essex-mst-sib.yaml"


def test_intervention_page_shows_the_contract_as_the_cli_does():
    at = open_app()
    at.selectbox(key="example").set_value(ESSEX).run()
    go(at, "Intervention")
    assert not at.error, errors(at)
    contract = cli_json("evaluate", ESSEX)["interventions"][0]["contract"]
    text = "\n".join(m.value for m in at.markdown)
    assert f"{money(contract['council_net'])} under the contract" in text
    assert f"{money(contract['direct_net'])} under direct delivery" in text
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert any(charts.UNDER_CONTRACT in s and charts.DIRECT in s for s in specs)
    shown = at.table[-1].value
    assert list(shown["Outcome payments"]) == [
        money(y["contract_payments"]) for y in contract["years"]
    ]

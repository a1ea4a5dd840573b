"""docs/workbook.md's audit walkthrough and import example name cells a real export holds.

The walkthrough once pointed at `Summary!I2 = Calculations!$D$37`, and the import example at
`Inputs!B48`, which had become a heading: rows had moved and the page had not. Here each cell the
page names is read from `examples/thurrock-2017.yaml` exported, so a moved row fails.
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from appraise.model.load import load_portfolio
from appraise.workbook.export import workbook_bytes
from tests.conftest import ROOT, THURROCK

PAGE = ROOT / "docs" / "workbook.md"
STEP = re.compile(r"^(?P<sheet>[A-Za-z ]+)!(?P<cell>[A-Z]+\d+)\s+(?P<formula>=\S+)\s{2,}\S")


@pytest.fixture(scope="module")
def workbook():
    return load_workbook(io.BytesIO(workbook_bytes(load_portfolio(THURROCK))))


def block_after(heading: str) -> list[str]:
    """The lines of the first fenced block after `heading` on the page."""
    text = PAGE.read_text(encoding="utf-8")
    rest = text[text.index(heading) :]
    start = rest.index("```")
    body = rest[start:].split("\n", 1)[1]
    return body[: body.index("```")].splitlines()


def test_the_audit_walkthrough_names_the_cells_of_a_real_export(workbook):
    steps = [m for line in block_after("### How to audit it") if (m := STEP.match(line))]
    assert len(steps) >= 10
    for step in steps:
        found = workbook[step["sheet"]][step["cell"]].value
        assert found == step["formula"], (step["sheet"], step["cell"], found)
    # The walk starts at MST's net savings on the Summary and ends at an input.
    first = steps[0]
    assert (first["sheet"], first["cell"]) == ("Summary", "J2")
    summary = workbook["Summary"]
    assert summary["A2"].value == "edge-of-care-mst" and summary["J1"].value == "Net savings"
    assert steps[-1]["formula"].startswith("=Inputs!")


def test_the_import_example_names_the_input_it_changes(workbook):
    text = "\n".join(block_after("### Reading an edited workbook back: `import-xlsx`"))
    found = re.search(r"interventions\[0\]\.effect\.baseline_risk: .*\(Inputs!(B\d+)\)", text)
    assert found
    ws = workbook["Inputs"]
    key = next(c.column - 1 for c in ws[3] if c.value == "Key")  # the Key column, by its header
    row = next(r for r in ws.iter_rows() if r[key].value == "edge-of-care-mst.effect.baseline_risk")
    assert row[1].coordinate == found.group(1)
    assert row[1].value == 0.3  # the walkthrough's "0.3 -> 0.35"

"""The printed table of `appraise evaluate` is unchanged: for each example portfolio, byte for
byte the text stored in tests/golden_table/ (written before the table was made from the
appraisal's arrays and inputs rather than from the whole JSON data, issue 27, so the stored text
is what the JSON-based table printed).

Regenerate (only when a change to the table is intended, and say so in the commit):
.venv/bin/python tests/test_table_golden.py --update
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from json_commands import PORTFOLIOS, run, update

GOLDEN = Path(__file__).resolve().parent / "golden_table"
CASES = {f"evaluate-{p[:-5]}": ("evaluate", p) for p in PORTFOLIOS}


def test_every_case_has_its_stored_table_and_nothing_else_is_stored():
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_printed_table_is_byte_for_byte_the_stored_one(name):
    code, out, err = run(CASES[name])
    assert code == 0, err
    expected = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    assert out == expected, f"{name}: the table differs from tests/golden_table/{name}.txt"


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    update(CASES, GOLDEN, ".txt")

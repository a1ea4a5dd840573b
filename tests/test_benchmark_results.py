"""`make bench`: every benchmark's figures reach benchmarks/RESULTS.md in one format, and the docs
quote measured figures from that file only (issue 27)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import _figures  # noqa: E402
import _run  # noqa: E402


def test_a_figure_is_one_json_line_and_says_whether_its_target_was_met(capsys):
    row = _figures.figure("t", 0.5, "s", target=1.0, yardstick="y", yardstick_value=0.25)
    assert json.loads(capsys.readouterr().out) == row
    assert (row["met"], row["ratio"]) == (True, 2.0)
    assert _figures.figure("t", 1.0, "s", target=1.0)["met"] is False  # "under 1 s"
    assert _figures.figure("t", 200, "x", target=200, better="higher")["met"] is True
    assert _figures.figure("t", 3, "s")["met"] is None
    with pytest.raises(ValueError):
        _figures.figure("t", 3, "s", better="faster")


def test_the_runner_tables_each_figure_and_keeps_other_json_as_details(tmp_path, monkeypatch):
    script = tmp_path / "fake.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
        "from _figures import figure\n"
        "print('{\"seconds_best\": 1.5}')\n"
        "print('not json')\n"
        'figure("the fake step", 1.5, "s", target=1.0, yardstick="nothing", yardstick_value=0.5)\n'
    )
    broken = tmp_path / "broken.py"
    broken.write_text("raise SystemExit('it broke')\n")
    runs = [_run.run(script), _run.run(broken)]
    assert [len(r.figures) for r in runs] == [1, 0] and runs[1].code == 1
    text = _run.markdown(runs, _run.datetime.datetime(2026, 1, 1))
    assert "| fake | the fake step | 1.5 s | < 1 s | **not met** | nothing | 0.5 s | 3.00 |" in text
    assert '{"seconds_best": 1.5}' in text and "not json" not in text
    assert "## Failed" in text and "it broke" in text
    assert "- Date: 2026-01-01" in text and "- Machine: " in text


# A measured figure: "1.73 s best", "0.71 s median", "187 MiB peak", or a benchmark's JSON line.
MEASURED = re.compile(r"\d[\d.,]*\s?(?:s|ms|MiB|GiB)\s(?:best|median|peak)|\"seconds[_\"]")


def test_the_docs_quote_benchmark_figures_only_from_results_md():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    quoted = [
        f"{page.name}: {line.strip()[:80]}"
        for page in pages
        for line in page.read_text(encoding="utf-8").splitlines()
        if MEASURED.search(line)
    ]
    assert quoted == [], "figures to take from benchmarks/RESULTS.md instead:\n" + "\n".join(quoted)
    assert "benchmarks/RESULTS.md" in (ROOT / "README.md").read_text(encoding="utf-8")

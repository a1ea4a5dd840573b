"""Benchmark: exporting the appraisal workbook for a 200-intervention portfolio.

Prints one JSON line. Target (issue 5): the export under 2 s. With --recalculate, also times
LibreOffice recalculating the workbook and reports its master check (TRUE = every Summary figure
matches the engine). Run: .venv/bin/python benchmarks/export.py [--interventions N] [--recalculate]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from core import big_portfolio  # benchmarks/core.py: the Thurrock example repeated

from appraise.excel import recalculate, workbook_bytes
from appraise.load import evidence_for


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interventions", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--recalculate", action="store_true", help="also time LibreOffice")
    args = parser.parse_args()

    portfolio = big_portfolio(args.interventions)
    evidence = evidence_for(portfolio)
    workbook_bytes(portfolio, evidence)  # warm up imports and caches
    times, data = [], b""
    for _ in range(args.repeats):
        start = time.perf_counter()
        data = workbook_bytes(portfolio, evidence)
        times.append(time.perf_counter() - start)
    result = {
        "interventions": args.interventions,
        "horizon_years": portfolio.horizon_years,
        "workbook_bytes": len(data),
        "export_seconds_best": round(min(times), 3),
        "export_seconds_median": round(statistics.median(times), 3),
        "target_seconds": 2.0,
    }
    if args.recalculate:
        from openpyxl import load_workbook

        with tempfile.TemporaryDirectory(prefix="appraise-bench-") as folder:
            book = Path(folder) / "big.xlsx"
            book.write_bytes(data)
            start = time.perf_counter()
            (recalculated,) = recalculate(book, Path(folder) / "out")
            result["libreoffice_recalculate_seconds"] = round(time.perf_counter() - start, 1)
            checks = load_workbook(recalculated, data_only=True, read_only=True)["Checks"]
            result["master_check"] = checks["D2"].value
    print(json.dumps(result))


if __name__ == "__main__":
    main()

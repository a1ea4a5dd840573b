"""Benchmark: the committee paper of the Thurrock example with ranges (10,000 draws).

Prints one JSON line. Target (issue 17): `appraise report examples/thurrock-2017-uncertain.yaml
--docx OUT` under 10 s, timed as a user runs it (the whole process: start-up, reading the file,
10,000 Monte Carlo draws, the tornado, a break-even chart per intervention rendered to PNG, the
Word file written). Also in-process, the figures (`gather`: evaluate, simulate, sensitivity,
the curves) and the document (`paper_docx`: tables and charts) separately. With --pdf, also the
LibreOffice conversion, which a committee paper does not need in order to exist.
Run: .venv/bin/python benchmarks/report.py [--repeats N] [--pdf]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FILE = ROOT / "examples" / "thurrock-2017-uncertain.yaml"
APPRAISE = Path(sys.executable).parent / "appraise"
DRAWS = 10_000
TARGET_SECONDS = 10.0


def summary(times: list[float]) -> dict[str, float]:
    return {"min": round(min(times), 3), "median": round(statistics.median(times), 3)}


def run_cli(*args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run([str(APPRAISE), *args], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pdf", action="store_true", help="also time the PDF (LibreOffice)")
    args = parser.parse_args()

    from appraise.paper.document import paper_docx
    from appraise.paper.report import paper_from_files

    result: dict[str, Any] = {"file": FILE.name, "draws": DRAWS, "repeats": args.repeats}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "paper.docx"
        command = ("report", str(FILE), "--docx", str(out), "--draws", str(DRAWS))
        run_cli(*command)  # warm the disk cache and vl-convert's first load
        cli = [run_cli(*command) for _ in range(args.repeats)]
        result["docx_bytes"] = out.stat().st_size
        gather, document = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            paper = paper_from_files(FILE, draws=DRAWS)
            gather.append(time.perf_counter() - start)
            start = time.perf_counter()
            paper_docx(paper)
            document.append(time.perf_counter() - start)
        result["report_docx_seconds"] = summary(cli)
        result["in_process_gather_seconds"] = summary(gather)
        result["in_process_docx_seconds"] = summary(document)
        if args.pdf:
            pdf = Path(folder) / "paper.pdf"
            times = [
                run_cli("report", str(FILE), "--pdf", str(pdf), "--draws", str(DRAWS))
                for _ in range(args.repeats)
            ]
            result["report_pdf_seconds"] = summary(times)
    result["target_seconds"] = TARGET_SECONDS
    result["meets_target"] = result["report_docx_seconds"]["median"] < TARGET_SECONDS
    print(json.dumps(result))


if __name__ == "__main__":
    main()

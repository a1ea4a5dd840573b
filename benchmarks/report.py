"""Benchmark: `appraise report`, the committee paper, timed as a user runs it.

Prints one figure line per measure (benchmarks/README.md): the median of the repeats, with its
target and whether it is met, and the fastest in the note.
- Issue 24: `appraise report examples/thurrock-2017.yaml --docx OUT` (10,000 draws, the default;
  the file has no ranges, so they are not drawn) under 2 s, the whole process; with --pdf OUT
  (LibreOffice converts the Word file) under 4 s.
- Issue 17: the Thurrock example with ranges (10,000 Monte Carlo draws, the tornado) under 10 s.
Then, in-process, where the time of the Word paper goes: the imports, the figures (`gather`:
evaluate, break-even values, curves, forecast), the document (`paper_docx`), and within it
the charts rendered by vl-convert.
Run: .venv/bin/python benchmarks/report.py [--repeats N] [--no-pdf]
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

from _figures import figure

ROOT = Path(__file__).resolve().parent.parent
THURROCK = ROOT / "examples" / "thurrock-2017.yaml"
UNCERTAIN = ROOT / "examples" / "thurrock-2017-uncertain.yaml"
APPRAISE = Path(sys.executable).parent / "appraise"
DRAWS = 10_000
TARGETS = {  # seconds, the whole process
    "thurrock docx": 2.0,
    "thurrock pdf": 4.0,
    "uncertain docx": 10.0,
}
NAMES = {
    "thurrock docx": "appraise report, the Thurrock paper as Word (whole process)",
    "thurrock pdf": "appraise report, the Thurrock paper as PDF (whole process, LibreOffice)",
    "uncertain docx": "appraise report, Thurrock with ranges as Word, 10,000 draws (whole process)",
}

# Run in a fresh interpreter: where the time of one Word paper goes, in-process.
PARTS = """
import json, time
start = time.perf_counter()
from appraise.paper.document import paper_docx
from appraise.paper.report import paper_from_files
imported = time.perf_counter()
paper = paper_from_files({file!r}, draws={draws})
gathered = time.perf_counter()
import vl_convert
render, charts = vl_convert.vegalite_to_png, [0.0]
def timed(*args, **kwargs):
    begun = time.perf_counter()
    try:
        return render(*args, **kwargs)
    finally:
        charts[0] += time.perf_counter() - begun
vl_convert.vegalite_to_png = timed
paper_docx(paper)
done = time.perf_counter()
print(json.dumps({{"imports": imported - start, "gather": gathered - imported,
    "paper_docx": done - gathered, "of_which_charts": charts[0]}}))
"""


def run_cli(*args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run([str(APPRAISE), *args], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return seconds


def line(measure: str, times: list[float], **extra: object) -> None:
    detail = ", ".join(f"{k} {v}" for k, v in extra.items())
    figure(
        NAMES[measure],
        round(statistics.median(times), 3),
        "s",
        target=TARGETS[measure],
        note=f"median of {len(times)}; fastest {min(times):.3f} s; {detail}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF (LibreOffice)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        docx, pdf = str(Path(folder) / "paper.docx"), str(Path(folder) / "paper.pdf")
        thurrock = ("report", str(THURROCK), "--draws", str(DRAWS))
        run_cli(*thurrock, "--docx", docx)  # warm the disk cache and vl-convert's first load
        times = [run_cli(*thurrock, "--docx", docx) for _ in range(args.repeats)]
        line("thurrock docx", times, file=THURROCK.name, bytes=Path(docx).stat().st_size)
        if not args.no_pdf:
            times = [run_cli(*thurrock, "--pdf", pdf) for _ in range(args.repeats)]
            line("thurrock pdf", times, file=THURROCK.name, bytes=Path(pdf).stat().st_size)
        uncertain = ("report", str(UNCERTAIN), "--draws", str(DRAWS), "--docx", docx)
        times = [run_cli(*uncertain) for _ in range(args.repeats)]
        line("uncertain docx", times, file=UNCERTAIN.name, draws=DRAWS)
    parts = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", PARTS.format(file=str(THURROCK), draws=DRAWS)],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            ).stdout
        )
        for _ in range(args.repeats)
    ]
    print(
        json.dumps(
            {
                "measure": "thurrock docx, in-process parts (median seconds)",
                **{k: round(statistics.median(p[k] for p in parts), 3) for k in parts[0]},
            }
        )
    )


if __name__ == "__main__":
    main()

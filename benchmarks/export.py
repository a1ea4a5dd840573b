"""Benchmark: exporting the appraisal workbook for a 200-intervention portfolio.

Prints one JSON line. Target (issue 5): the export under 2 s. Timed three ways:

- `export_seconds_*`: the portfolio without a baseline (the issue 5 workbook, no Forecast sheet);
- `forecast_export_seconds_*`: with the Thurrock baseline, its child population scaled so that
  the portfolio's LAC-years fit (the repeated Thurrock interventions avert about 1,000 a year;
  Thurrock has about 300 children in care), so the Forecast sheet carries the with-portfolio
  comparison and Cash flows runs the counted interventions over the whole forecast;
- `claims_export_seconds_*`: the Thurrock example with its claims file (the Claims check sheet),
  not counting `claims_verify_seconds`, the back-solving `appraise verify` does first.

Then the figures of issue 27, each beside its yardstick, re-zipping the same file (reading every
part of the workbook written and deflating it into a new one, which any writer of that file must
at least do): 200 interventions x 5 years under 1 s; 1,000 interventions x 30 years under 4 s
and under 400 MiB at peak. Each is timed in a process of its own, as a user's export runs: the
large one's peak memory is then its own, and the small one is not slowed by the heap the exports
above leave (about 7%; its note gives that figure too).
Beside the large one, the floor of writing its XML from Python (`writing_floor`): what any
writer of the same file must at least do, before a single formula's text is worked out.

With --recalculate, also times LibreOffice recalculating the forecast workbook and reports its
master check (TRUE = every Summary and Forecast figure matches the engine).
Run: .venv/bin/python benchmarks/export.py [--interventions N] [--recalculate]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _figures import figure
from core import ROOT, big_portfolio  # benchmarks/core.py: the Thurrock example repeated
from isal import isal_zlib

from appraise.analyses.verify import check_claims
from appraise.model.load import evidence_for, load_portfolio
from appraise.model.schema import Portfolio
from appraise.workbook.export import workbook_bytes
from appraise.workbook.recalc import recalculate

POPULATION_SCALE = 20  # room for the repeated interventions' LAC-years in the baseline


def with_room(portfolio: Portfolio) -> Portfolio:
    """The portfolio with its baseline's child population scaled by POPULATION_SCALE."""
    baseline = portfolio.baseline
    assert baseline is not None and baseline.child_population.value is not None
    population = baseline.child_population.model_copy(
        update={"value": baseline.child_population.value * POPULATION_SCALE}
    )
    return portfolio.model_copy(
        update={"baseline": baseline.model_copy(update={"child_population": population})}
    )


def timed(make: Callable[[], bytes], repeats: int) -> tuple[list[float], bytes]:
    make()  # warm up imports and caches
    times, data = [], b""
    for _ in range(repeats):
        start = time.perf_counter()
        data = make()
        times.append(time.perf_counter() - start)
    return times, data


def rezip_seconds(data: bytes, repeats: int = 3) -> float:
    """The least time to read every part of a workbook and deflate it into a new zip."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
                for item in source.infolist():
                    copy.writestr(item.filename, source.read(item.filename))
        times.append(time.perf_counter() - start)
    return min(times)


OWN_PROCESS = """
import resource, sys, time
sys.path.insert(0, {here!r})
from core import big_portfolio
from appraise.model.load import evidence_for
from appraise.workbook.export import workbook_bytes
portfolio = big_portfolio({n}).model_copy(update={{"baseline": None, "horizon_years": {years}}})
evidence = evidence_for(portfolio)
if {warm}:
    workbook_bytes(portfolio, evidence)  # warm up imports and caches
times = []
for _ in range({repeats}):
    start = time.perf_counter()
    data = workbook_bytes(portfolio, evidence)
    times.append(time.perf_counter() - start)
if {out!r}:
    open({out!r}, "wb").write(data)
print(min(times), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def own_process_export(
    n: int, years: int, *, warm: bool, repeats: int, out: Path | None = None
) -> tuple[float, float]:
    """The least seconds of `repeats` exports of n interventions x years in a process of its
    own (after a first one, if `warm`), and the process's peak MiB; the file written to `out`.
    A user's `appraise export` runs so: not after other exports in the same process, whose heap
    slows the next by about 7%."""
    script = OWN_PROCESS.format(
        here=str(Path(__file__).resolve().parent),
        n=n,
        years=years,
        warm=warm,
        repeats=repeats,
        out=str(out) if out else "",
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    seconds, peak = map(float, proc.stdout.split())
    return seconds, peak


def large_export(
    n: int, years: int, folder: Path, repeats: int = 3
) -> tuple[float, float, bytes, list[float]]:
    """Seconds and peak MiB of exporting n interventions x years, each time in a process of its
    own and cold: the least seconds and the greatest peak of `repeats` (single runs of this on
    the shared machine have ranged from 6.0 to 8.6 s), the file, and every run's seconds."""
    out = folder / f"large-{n}-{years}.xlsx"
    runs = [own_process_export(n, years, warm=False, repeats=1, out=out) for _ in range(repeats)]
    return min(s for s, _ in runs), max(p for _, p in runs), out.read_bytes(), [s for s, _ in runs]


def writing_floor(data: bytes, repeats: int = 3) -> tuple[float, float, int, int]:
    """What any writer of this workbook from Python must at least do, in seconds (wall-clock, as
    the export is timed; each the least of `repeats`): encode, deflate (ISA-L at level 1, as the
    writer does) and CRC the XML of each part; and make one string for each of its cells
    (`<c r=...><v>...</v></c>`) and join them. Returns both, with the cells and the bytes of
    XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        texts = [book.read(name).decode("utf-8") for name in book.namelist()]
    cells, size = sum(text.count("<c ") for text in texts), sum(map(len, texts))
    deflating, strings = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        for text in texts:
            raw = text.encode("utf-8")
            packer = isal_zlib.compressobj(1, isal_zlib.DEFLATED, -15)
            for at in range(0, len(raw), 1 << 20):
                chunk = raw[at : at + (1 << 20)]
                packer.compress(chunk)
                isal_zlib.crc32(chunk)
            packer.flush()
        deflating.append(time.perf_counter() - start)
    del texts
    names = [f"A{k}" for k in range(1, 1001)]
    for _ in range(repeats):
        start = time.perf_counter()
        made = "".join([f'<c r="{names[k % 1000]}"><v>{k}</v></c>' for k in range(cells)])
        strings.append(time.perf_counter() - start)
        del made
    return min(deflating), min(strings), cells, size


def issue_27_figures() -> None:
    small = big_portfolio(200).model_copy(update={"baseline": None, "horizon_years": 5})
    evidence = evidence_for(small)
    times, data = timed(lambda: workbook_bytes(small, evidence), 3)
    figure(
        "export, 200 interventions x 5 years",
        round(own_process_export(200, 5, warm=True, repeats=3)[0], 3),
        "s",
        target=1.0,
        yardstick="re-zipping the same file",
        yardstick_value=round(rezip_seconds(data), 3),
        note=(
            "in a process of its own, the least of 3 after a first; in this process, after the "
            f"issue 5 exports above, {min(times):.3f} s"
        ),
    )
    with tempfile.TemporaryDirectory(prefix="appraise-bench-") as folder:
        seconds, peak, data, runs = large_export(1000, 30, Path(folder))
    figure(
        "export, 1,000 interventions x 30 years",
        round(seconds, 2),
        "s",
        target=4.0,
        yardstick="re-zipping the same file",
        yardstick_value=round(rezip_seconds(data), 3),
        note="the least of 3, each in a process of its own: "
        + ", ".join(f"{run:.2f}" for run in runs)
        + " s",
    )
    deflating, strings, cells, size = writing_floor(data)
    figure(
        "export, 1,000 interventions x 30 years: the floor of writing its XML from Python",
        round(deflating + strings, 2),
        "s",
        yardstick="the export itself",
        yardstick_value=round(seconds, 2),
        note=(
            f"{size / 1e6:,.0f} MB of XML, {cells:,} cells: encoded, deflated and CRC'd as the "
            f"writer does {deflating:.2f} s, one string a cell made and joined {strings:.2f} s"
        ),
    )
    figure(
        "export, 1,000 interventions x 30 years: peak memory of the process (the greatest of 3)",
        round(peak),
        "MiB",
        target=400,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interventions", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--recalculate", action="store_true", help="also time LibreOffice")
    args = parser.parse_args()

    big = big_portfolio(args.interventions)
    evidence = evidence_for(big)
    plain = big.model_copy(update={"baseline": None})
    forecast = with_room(big)
    thurrock_file = ROOT / "examples" / "thurrock-2017.yaml"
    thurrock = load_portfolio(thurrock_file)
    start = time.perf_counter()
    claims = check_claims(ROOT / "examples" / "thurrock-2017-claims.yaml", thurrock, thurrock_file)
    verify_seconds = time.perf_counter() - start

    result: dict[str, Any] = {
        "interventions": args.interventions,
        "horizon_years": big.horizon_years,
        "target_seconds": 2.0,
    }
    runs = {
        "export": lambda: workbook_bytes(plain, evidence),
        "forecast_export": lambda: workbook_bytes(forecast, evidence),
        "claims_export": lambda: workbook_bytes(thurrock, claims=claims),
    }
    books = {}
    for name, make in runs.items():
        times, books[name] = timed(make, args.repeats)
        result[f"{name}_seconds_best"] = round(min(times), 3)
        result[f"{name}_seconds_median"] = round(statistics.median(times), 3)
        result[f"{name}_bytes"] = len(books[name])
    result["claims_verify_seconds"] = round(verify_seconds, 2)
    if args.recalculate:
        from openpyxl import load_workbook

        with tempfile.TemporaryDirectory(prefix="appraise-bench-") as folder:
            book = Path(folder) / "big.xlsx"
            book.write_bytes(books["forecast_export"])
            start = time.perf_counter()
            (recalculated,) = recalculate(book, Path(folder) / "out")
            result["libreoffice_recalculate_seconds"] = round(time.perf_counter() - start, 1)
            checks = load_workbook(recalculated, data_only=True, read_only=True)["Checks"]
            result["master_check"] = checks["D2"].value
    print(json.dumps(result))
    issue_27_figures()


if __name__ == "__main__":
    main()

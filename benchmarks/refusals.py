"""Benchmark: how long `appraise` takes to refuse hostile files (issue 12).

A refusal must come quickly, not after minutes of parsing: a 9.8 MiB alias-free YAML list took
143 s before issue 12, and a zip bomb could inflate 1 GiB. This times the whole process a user
runs on each file (tests/test_hostile_inputs.py checks that each is refused, with exit 2 and a
clear message; it does not time them, the machine being shared and noisy).

Prints one JSON line: min and median seconds over several runs. Targets (issue 12): each under
5 s; the zip bomb under 2 s.
Run: .venv/bin/python benchmarks/refusals.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def _files(folder: Path) -> dict[str, list[str]]:
    """Each hostile file and the command that must refuse it."""
    big = folder / "big.yaml"
    big.write_text("interventions: [" + "1," * 5_130_000 + "1]\n")
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        laughs.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 9) + "]")
    bomb_yaml = folder / "laughs.yaml"
    bomb_yaml.write_text("\n".join(laughs) + "\n")
    cli = str(Path(sys.executable).parent / "appraise")
    book = folder / "book.xlsx"
    subprocess.run(
        [cli, "export", str(ROOT / "examples" / "thurrock-2017.yaml"), "--xlsx", str(book)],
        check=True,
        capture_output=True,
    )
    bomb = folder / "bomb.xlsx"
    chunk = b"<c>" + b" " * (2**20 - 7) + b"</c>"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with out.open(info.filename, "w", force_zip64=True) as part:
                    for _ in range(1024):
                        part.write(chunk)
            else:
                out.writestr(info, source.read(info.filename))
    return {
        "9.8 MiB alias-free list (validate)": [cli, "validate", str(big)],
        "billion laughs (validate)": [cli, "validate", str(bomb_yaml)],
        "1 GiB zip bomb (import-xlsx)": [
            cli,
            "import-xlsx",
            str(bomb),
            "--out",
            str(folder / "p.yaml"),
        ],
    }


def main() -> None:
    out = {}
    with tempfile.TemporaryDirectory(prefix="appraise-refusals-") as folder:
        for name, command in _files(Path(folder)).items():
            times = []
            for _ in range(RUNS):
                start = time.perf_counter()
                proc = subprocess.run(command, capture_output=True)
                times.append(time.perf_counter() - start)
                if proc.returncode != 2:
                    raise SystemExit(f"{name}: exit {proc.returncode}, expected 2")
            out[name] = {
                "seconds_min": round(min(times), 3),
                "seconds_median": round(statistics.median(times), 3),
            }
    print(json.dumps({"appraise_refusals": out}))


if __name__ == "__main__":
    main()

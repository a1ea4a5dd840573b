"""Benchmark: how long `appraise` takes to refuse hostile files (issues 12 and 20).

A refusal must come quickly, not after minutes of parsing: a 9.8 MiB alias-free YAML list took
143 s before issue 12, and a zip bomb could inflate 1 GiB. Issue 20 adds the refusals at the
bounds (each took over 5 s): simulate over 20,000 interventions x 10,001 draws, sensitivity over
20,000 uncertain interventions, a report into a missing folder, export at the 20,000
interventions a portfolio may hold, import-xlsx of a 14 MiB workbook whose Inputs part holds
7.2 million cells (60 s and 2.8 GB before), and a Word template with 1.5 MB of styles (it hung
for over 120 s; it is now read, its styles filtered, and the paper made). This times the whole
process a user runs on each (tests/test_hostile_inputs.py and tests/test_hostile_inputs_2.py
check that each is refused, with exit 2 and a clear message; they do not time them, the machine
being shared and noisy).

Prints one JSON line: min and median seconds over several runs. Targets: each under 5 s (the
template: the whole paper under 10 s, as benchmarks/report.py); the zip bomb under 2 s.
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

from _figures import figure

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
EXAMPLES = ROOT / "examples"


def _many(folder: Path, name: str, entry: str, n: int = 20_000) -> Path:
    """The Thurrock example with `n` copies of a library entry (`entry` formats `{i}`)."""
    text = (EXAMPLES / "thurrock-2017.yaml").read_text()
    head = text[: text.index("interventions:")]
    body = "interventions:\n" + "".join(f"  - {entry.format(i=i)}\n" for i in range(n))
    path = folder / name
    path.write_text(head.replace("baseline: thurrock-2017-baseline.yaml", "") + body)
    return path


def _huge_inputs(folder: Path, book: Path) -> Path:
    """The exported workbook with 7.2 million cells added to its Inputs part (about 200 MiB of
    XML, 14 MiB compressed): the issue's reproduction."""
    path = folder / "huge-inputs.xlsx"
    row = "".join(f'<c r="{c}{{r}}"><v>1</v></c>' for c in "IJKLMNOPQRST")
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        inputs = next(
            n
            for n in source.namelist()
            if n.startswith("xl/worksheets/") and b">discount_rate<" in source.read(n)
        )
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename != inputs:
                out.writestr(info, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with out.open(info.filename, "w", force_zip64=True) as part:
                part.write(head)
                for r in range(1_000, 601_000, 1_000):  # 600,000 rows of 12 cells
                    part.write(
                        "".join(
                            f'<row r="{k}">{row.format(r=k)}</row>' for k in range(r, r + 1000)
                        ).encode()
                    )
                part.write(b"</sheetData>" + tail)
    return path


def _styled_template(folder: Path) -> Path:
    """A Word template whose styles part is 1.5 MB (4,500 styles)."""
    import io

    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    many = "".join(
        f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="S{k}"><w:name w:val="Style {k}"/>'
        f'<w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="{k % 7}0" w:after="120"/>'
        f'<w:ind w:left="{k % 5}00" w:right="0"/></w:pPr><w:rPr><w:rFonts w:ascii="Arial" '
        f'w:hAnsi="Arial"/><w:sz w:val="{20 + k % 10}"/></w:rPr></w:style>'
        for k in range(4_500)
    )
    path = folder / "styled.docx"
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/styles.xml":
                data = data.decode().replace("</w:styles>", many + "</w:styles>").encode()
            out.writestr(info, data)
    return path


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
    plain = _many(folder, "plain.yaml", "{{use: pause, id: p{i}}}")
    ranged = _many(
        folder,
        "ranged.yaml",
        "{{use: pause, id: p{i}, effect: {{per_case: {{low: 0.1, central: 0.2, high: 0.3}}}}}}",
    )
    uncertain = str(EXAMPLES / "thurrock-2017-uncertain.yaml")
    return {
        "simulate 20,000 interventions x 10,001 draws": [
            cli,
            "simulate",
            str(plain),
            "--draws",
            "10001",
        ],
        "sensitivity over 20,000 uncertain interventions": [cli, "sensitivity", str(ranged)],
        "report into a missing folder": [
            cli,
            "report",
            uncertain,
            "--docx",
            str(folder / "missing" / "paper.docx"),
        ],
        "export of 20,000 interventions": [
            cli,
            "export",
            str(plain),
            "--xlsx",
            str(folder / "x.xlsx"),
        ],
        "import-xlsx of 7.2 million Inputs cells": [
            cli,
            "import-xlsx",
            str(_huge_inputs(folder, book)),
            "--out",
            str(folder / "q.yaml"),
        ],
        "report with a template of 1.5 MB of styles (made, exit 0)": [
            cli,
            "report",
            str(EXAMPLES / "thurrock-2017.yaml"),
            "--docx",
            str(folder / "styled-paper.docx"),
            "--template",
            str(_styled_template(folder)),
        ],
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
                expected = 0 if "exit 0" in name else 2
                if proc.returncode != expected:
                    raise SystemExit(f"{name}: exit {proc.returncode}, expected {expected}")
            out[name] = {
                "seconds_min": round(min(times), 3),
                "seconds_median": round(statistics.median(times), 3),
            }
    for name, times in out.items():
        target = 10.0 if "template" in name else 2.0 if "zip bomb" in name else 5.0
        figure(
            f"refusal: {name}",
            times["seconds_median"],
            "s",
            target=target,
            note=f"median of {RUNS}; fastest {times['seconds_min']} s",
        )
    print(json.dumps({"appraise_refusals": out}))


if __name__ == "__main__":
    main()

"""Having LibreOffice (headless) open, recalculate and save workbooks (the tests' and benchmarks'
check that the formulas give the engine's figures), or print them to PDF (the check that a
workbook prints)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

# A private LibreOffice profile that recalculates every formula on load, whatever values the file
# has saved (LibreOffice's default for .xlsx is to trust them).
_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    """Path of LibreOffice's command-line program, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(
    paths: Path | Sequence[Path], outdir: Path | None = None, timeout: float = 600
) -> list[Path]:
    """Have LibreOffice (headless) open, recalculate and save each workbook into `outdir`.

    Returns the recalculated copies (same names, in `outdir`, a new temporary folder by default).
    Each run uses its own LibreOffice profile, so several can run at once.
    """
    return _convert(paths, outdir, "xlsx:Calc MS Excel 2007 XML", ".xlsx", timeout)


def to_pdf(
    paths: Path | Sequence[Path], outdir: Path | None = None, timeout: float = 600
) -> list[Path]:
    """Have LibreOffice (headless) print each workbook to PDF in `outdir`, as File > Export as
    PDF does with the workbook's own print set-up (hidden sheets are not printed)."""
    return _convert(paths, outdir, "pdf", ".pdf", timeout)


def _convert(
    paths: Path | Sequence[Path], outdir: Path | None, target: str, suffix: str, timeout: float
) -> list[Path]:
    paths = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    program = soffice()
    if program is None:
        raise FileNotFoundError("LibreOffice (soffice) is not installed")
    outdir = Path(outdir) if outdir else Path(tempfile.mkdtemp(prefix="appraise-recalc-"))
    outdir.mkdir(parents=True, exist_ok=True)
    if any(p.resolve().parent == outdir.resolve() for p in paths):
        raise ValueError("recalculate writes copies with the same names: use another folder")
    with tempfile.TemporaryDirectory(prefix="appraise-lo-profile-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
        command = [
            program,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, paths),
        ]
        proc = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    out = [outdir / (p.stem + suffix) for p in paths]
    missing = [str(p) for p in out if not p.exists()]
    if missing:
        raise RuntimeError(
            f"LibreOffice did not write {', '.join(missing)} (exit {proc.returncode}): "
            f"{proc.stderr.strip() or proc.stdout.strip()}"
        )
    return out

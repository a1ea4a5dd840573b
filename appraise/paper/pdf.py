"""The paper as PDF: LibreOffice (headless) converts the .docx, as Word would print it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from appraise.errors import InputError

TIMEOUT = 300  # seconds: a long paper takes LibreOffice 5-20 s on two cores


def soffice() -> str | None:
    """Path of LibreOffice's command-line program, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes, out: str | Path) -> bytes:
    """PDF bytes of a .docx, converted by LibreOffice in a private profile (so it runs beside
    an open LibreOffice). InputError naming `out` where LibreOffice is not installed."""
    program = soffice()
    if program is None:
        raise InputError.one(
            str(out),
            "",
            "LibreOffice is not installed, and it makes the PDF (`soffice --headless "
            "--convert-to pdf`): install it (Debian: apt-get install libreoffice-writer-nogui) "
            "or write the Word file with --docx",
        )
    with tempfile.TemporaryDirectory(prefix="appraise-pdf-") as folder:
        work = Path(folder)
        source = work / "paper.docx"
        source.write_bytes(docx)
        profile = work / "profile"
        command = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            proc = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise InputError.one(
                str(out), "", f"LibreOffice did not finish the PDF within {TIMEOUT} seconds"
            ) from None
        pdf = work / "paper.pdf"
        if not pdf.exists():
            said = (proc.stderr or proc.stdout).strip().splitlines()
            raise InputError.one(
                str(out),
                "",
                f"LibreOffice did not write the PDF (exit {proc.returncode}"
                + (f": {said[-1]}" if said else "")
                + "); is its Writer installed (Debian: libreoffice-writer-nogui)?",
            )
        return pdf.read_bytes()

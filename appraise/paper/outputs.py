"""The files `appraise report` writes, checked before any work is done (it imports nothing
heavy, so a paper that cannot be written is refused in a moment)."""

from __future__ import annotations

from pathlib import Path

from appraise.errors import InputError


def _suffix(path: Path | None, suffix: str, option: str) -> None:
    if path is not None and path.suffix.lower() != suffix:
        raise InputError.one(str(path), "", f"{option} names a file ending in {suffix}")


def check_outputs(
    docx: str | Path | None, pdf: str | Path | None
) -> tuple[Path | None, Path | None]:
    """The files to write, checked before any work is done (a name, a folder that exists): a
    paper that cannot be written is refused in a moment, not after its figures are computed."""
    docx_path = Path(docx) if docx is not None else None
    pdf_path = Path(pdf) if pdf is not None else None
    if docx_path is None and pdf_path is None:
        raise InputError.one(
            "appraise report", "", "name a file to write: --docx OUT.docx and/or --pdf OUT.pdf"
        )
    _suffix(docx_path, ".docx", "--docx")
    _suffix(pdf_path, ".pdf", "--pdf")
    for path in (docx_path, pdf_path):
        if path is not None and not (path.parent if str(path.parent) else Path(".")).is_dir():
            raise InputError.one(str(path), "", f"folder {str(path.parent)!r} does not exist")
        if path is not None and path.is_dir():
            raise InputError.one(str(path), "", "is a folder, not a file")
    return docx_path, pdf_path

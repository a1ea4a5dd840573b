"""A workbook is a zip file: check what it would inflate to before anything parses it.

An .xlsx of 1.2 MB can hold a 1 GiB XML part (deflate compresses repetition about a thousand to
one); openpyxl would parse it for minutes. The zip's directory records each member's size before
it is read, and Python's zipfile stops a member at its recorded size (a member that lies fails its
check), so these limits hold for whatever the file says.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from appraise.errors import InputError
from appraise.model.reading import check_regular

# The file itself (compressed). A 200-intervention workbook is about 1 MiB.
MAX_WORKBOOK_BYTES = 200 * 2**20
# Members of the zip. A workbook from `appraise export` has about 30 (a part per sheet, styles,
# properties, relationships).
MAX_MEMBERS = 1_000
# One member, and every member together, uncompressed. A 200-intervention export holds 11 MiB,
# its largest part 4.4 MiB, so these admit exports of about 9,000 interventions; openpyxl takes
# minutes and gigabytes to read more, and a 1.2 MB file inflating to 1 GiB is refused at once.
MAX_MEMBER_BYTES = 256 * 2**20
MAX_TOTAL_BYTES = 512 * 2**20


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def check_workbook_zip(path: str | Path | bytes, name: str | None = None) -> None:
    """InputError unless `path` (or the bytes already read, named `name`) is a regular file
    within the limits above; a file that is not a zip is left for the reader to report."""
    if isinstance(path, bytes):
        source: io.BytesIO | Path = io.BytesIO(path)
        path = Path(name or "workbook")
    else:
        path = Path(path)
        check_regular(path, MAX_WORKBOOK_BYTES)
        source = path
    try:
        with zipfile.ZipFile(source) as book:
            members = book.infolist()
    except (zipfile.BadZipFile, OSError, EOFError):
        return
    if len(members) > MAX_MEMBERS:
        raise InputError.one(
            str(path),
            "",
            f"the workbook holds {len(members):,} parts; appraise reads at most {MAX_MEMBERS:,}",
        )
    total = 0
    for member in members:
        if member.file_size > MAX_MEMBER_BYTES:
            raise InputError.one(
                str(path),
                "",
                f"a part of the workbook ({member.filename[:60]!r}) would inflate to "
                f"{_mib(member.file_size)}; appraise reads parts of at most "
                f"{_mib(MAX_MEMBER_BYTES)}",
            )
        total += member.file_size
    if total > MAX_TOTAL_BYTES:
        raise InputError.one(
            str(path),
            "",
            f"the workbook would inflate to {_mib(total)}; appraise reads at most "
            f"{_mib(MAX_TOTAL_BYTES)}",
        )

"""The identity of a run: which file, exactly which content, which appraise, which day.

A committee paper and the workbook exported from the same file carry the same identity, so a
reader can tell that they come from the same run: the portfolio file's name, the SHA-256 of its
bytes (any edit, even a space, changes it), the appraise version and the date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePath

from appraise.model.load import read_bytes
from appraise.version import __version__

SHORT_HASH = 12  # hex digits of the hash shown where space is short (48 bits: no accidental match)


@dataclass(frozen=True)
class RunIdentity:
    """Portfolio file name, SHA-256 of its bytes, appraise version and date of one run."""

    file: str  # the file's name, without its folder
    sha256: str  # 64 hex digits
    version: str
    date: dt.date

    @property
    def short_hash(self) -> str:
        return self.sha256[:SHORT_HASH]

    @property
    def text(self) -> str:
        """'thurrock-2017.yaml, sha256 3f2a...(64 digits), appraise 0.1.0, 2025-06-01'."""
        return f"{self.file}, sha256 {self.sha256}, appraise {self.version}, {self.date:%Y-%m-%d}"

    @property
    def short(self) -> str:
        """The same with the hash cut to its first 12 digits, for a caption."""
        return (
            f"{self.file}, sha256 {self.short_hash}, appraise {self.version}, {self.date:%Y-%m-%d}"
        )

    def to_data(self) -> dict[str, str]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "appraise_version": self.version,
            "date": f"{self.date:%Y-%m-%d}",
        }


def run_identity(name: str | PurePath, content: bytes, today: dt.date | None = None) -> RunIdentity:
    """The identity of a run over the file `name` whose bytes are `content` (date: today)."""
    return RunIdentity(
        file=PurePath(str(name).replace("\\", "/")).name or str(name),
        sha256=hashlib.sha256(content).hexdigest(),
        version=__version__,
        date=today or dt.date.today(),
    )


def file_identity(path: str | Path, today: dt.date | None = None) -> RunIdentity:
    """The identity of a run over the file at `path`, its bytes read now (InputError if it cannot
    be read: missing, a folder, or over the 10 MiB limit on portfolio files)."""
    return run_identity(path, read_bytes(path), today)

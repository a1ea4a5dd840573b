"""Writing files safely, and turning a portfolio back into file data.

Nothing the user owns is ever half-written: every write goes to a temporary file in the target's
folder, is flushed to disk, then renamed over the target in one step. The temporary file has no
name while it is written (Linux's O_TMPFILE), so even a run killed outright (SIGKILL, a power
cut) leaves nothing behind; it is given a name only for the instant before the rename. Where the
file system cannot do that, it is a named hidden file, removed if the write fails or is
interrupted (Ctrl-C, SIGTERM, SIGHUP: the CLI turns each into an exit that unwinds).

A run that writes several files (`report --docx --pdf`) writes them all before renaming any, so a
failure leaves none of them. A full disk or a file-size limit (`ulimit -f`) is an InputError
saying so (exit 2), never a crash. A new file gets the user's umask, as any program's would
(0644 under umask 022); a replaced file keeps its mode, so a colleague who could read it still can.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from appraise.errors import InputError
from appraise.model.schema import Portfolio

_WHY = {
    errno.ENOSPC: "the disk is full (no space left on the device)",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would be larger than the file-size limit (ulimit -f)",
    errno.EROFS: "the file system is read-only",
}


DISK_ERRORS = frozenset(_WHY)  # the errors that say the disk, not the program, is at fault


def write_error(path: str | Path, exc: OSError) -> InputError:
    """An InputError saying why `path` could not be written (a full disk named as such)."""
    why = _WHY.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return InputError.one(str(path), "", f"cannot write file: {why}")


def _target_mode(path: Path) -> int | None:
    """The mode to keep (None for a new file); InputError if the target cannot be replaced."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError.one(str(path), "", f"folder {str(folder)!r} does not exist")
    try:
        before = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise write_error(path, exc) from None
    if stat.S_ISDIR(before.st_mode):
        raise InputError.one(str(path), "", "is a folder, not a file")
    if not stat.S_ISREG(before.st_mode):
        raise InputError.one(str(path), "", "is not an ordinary file (a device or FIFO)")
    return stat.S_IMODE(before.st_mode)


def check_target(path: str | Path) -> None:
    """InputError now, before any work, if `path` can never be written (its folder is missing,
    it is a folder or a device): a refusal comes before the work, not after it."""
    _target_mode(Path(path))


# Unnamed temporary files need O_TMPFILE (Linux) and /proc to give them a name at the end.
_UNNAMED = hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd")
_TMP = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp")


def _hidden_name(path: Path) -> Path:
    """A temporary file's name beside `path`: hidden, short whatever the target's length, and
    carrying this process's id (so that `_sweep` can tell a dead run's leftovers)."""
    folder = path.parent if str(path.parent) else Path(".")
    return folder / f".{path.name[:50]}.{os.getpid()}.{secrets.token_hex(4)}.tmp"


def _sweep(path: Path) -> None:
    """Remove what a killed run (SIGKILL, which nothing can catch) left beside `path` when it had
    to use a named temporary file: ours by name, for this target, and its process gone."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        names = [e.name for e in os.scandir(folder) if e.name.startswith(f".{path.name[:50]}.")]
    except OSError:
        return
    for name in names:
        found = _TMP.fullmatch(name)
        if found is None or found["name"] != path.name[:50]:
            continue
        try:
            os.kill(int(found["pid"]), 0)
        except ProcessLookupError:
            (folder / name).unlink(missing_ok=True)
        except (OSError, OverflowError):
            continue


class _Pending:
    """One output written to disk but not yet in place: an unnamed file, or a hidden one."""

    def __init__(self, path: Path, payload: bytes, mode: int | None):
        self.path, self.payload, self.mode = path, payload, mode
        self.tmp: Path | None = None
        self.handle = -1
        folder = path.parent if str(path.parent) else Path(".")
        if _UNNAMED:
            try:
                # Mode 0666 before the umask, as open() gives any new file (mkstemp: 0600).
                self.handle = os.open(folder, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o666)
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                    raise  # the folder cannot be written at all: said as such
        if self.handle < 0:
            self._named()
        else:
            self._fill()

    def _named(self) -> None:
        _sweep(self.path)
        self.tmp = _hidden_name(self.path)
        self.handle = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        self._fill()

    def _fill(self) -> None:
        if self.mode is not None:
            os.fchmod(self.handle, self.mode)
        view = memoryview(self.payload)
        while view:
            view = view[os.write(self.handle, view) :]
        os.fsync(self.handle)

    def name_it(self) -> None:
        """Give an unnamed file its hidden name beside the target, an instant before the rename
        (where the system cannot link it, it is written again as a named file)."""
        if self.tmp is not None:
            return
        name = _hidden_name(self.path)
        try:
            os.link(f"/proc/self/fd/{self.handle}", name, follow_symlinks=True)
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.ENOENT, errno.EPERM, errno.EOPNOTSUPP):
                raise
            os.close(self.handle)
            self.handle = -1
            self._named()
        else:
            self.tmp = name

    def discard(self) -> None:
        if self.handle >= 0:
            os.close(self.handle)
            self.handle = -1
        if self.tmp is not None:
            self.tmp.unlink(missing_ok=True)
            self.tmp = None


def write_all(outputs: Sequence[tuple[str | Path, bytes | str]]) -> list[Path]:
    """Write several files as one: each to a temporary file in its own folder, synced to disk,
    and only when every one is written are they renamed into place. A failure or an interrupt
    (even a full disk at the last byte of the last file) leaves every target as it was and no
    temporary file. InputError for an output that cannot be written, saying why."""
    targets = [
        (Path(p), d.encode("utf-8") if isinstance(d, str) else d, _target_mode(Path(p)))
        for p, d in outputs
    ]
    pending: list[_Pending] = []
    current = targets[0][0] if targets else Path(".")
    try:
        for path, payload, mode in targets:
            current = path
            pending.append(_Pending(path, payload, mode))
        for item in pending:
            current = item.path
            item.name_it()
        for item in pending:
            current = item.path
            os.replace(item.tmp, item.path)  # type: ignore[arg-type]
            item.tmp = None
    except OSError as exc:
        raise write_error(current, exc) from None
    finally:
        for item in pending:
            item.discard()
    return [path for path, _, _ in targets]


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write `data` to `path` via a temporary file and a rename (never a partial file); an output
    path that is a folder, a special file or not writable is an InputError."""
    return write_all([(path, data)])[0]


def portfolio_to_data(portfolio: Portfolio) -> dict[str, Any]:
    """Plain file data for a portfolio, every intervention written out in full (no `use:`)."""
    return portfolio.model_dump(
        mode="json", exclude_none=True, exclude_defaults=False, by_alias=True
    )


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(data: Any) -> str:
    """YAML text in the order given, readable block style."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def portfolio_yaml(portfolio: Portfolio) -> str:
    """The portfolio as a YAML file that loads back to the same appraisal."""
    return to_yaml(portfolio_to_data(portfolio))


def set_at(data: Any, path: str, value: Any) -> None:
    """Set the value at a field path such as `interventions[0].effect.success_rate` in file data."""
    import re

    parts = [int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", path)]
    node = data
    for part in parts[:-1]:
        if isinstance(part, str) and isinstance(node, dict) and part not in node:
            node[part] = {}  # a block the file left to its defaults (additionality)
        node = node[part]
    node[parts[-1]] = value

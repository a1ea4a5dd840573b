"""Reading files safely: ordinary files only, each capped in size before it is read, and the files
one file names (a portfolio's `baseline:`, a baseline's `history:`, a claims or actuals file's
`portfolio:`) confined to that file's own folder.

A user names files on the command line; those files may name others. A file from a partner is not
trusted to name any file on the machine, so a reference resolves relative to the folder of the
file that makes it and must stay inside that folder (after following symbolic links). Absolute
paths and `..` that leave it are refused, unless the user widens the rule for one run with
`--allow-path DIR` (`allowing`). In the app an uploaded file may name only files uploaded with it
or the bundled examples (`uploads`): nothing else on the server's disk.

Only regular files are read: a FIFO would block, a device (`/dev/zero`) never ends, and `/proc` or
`/sys` files report a size of zero whatever they hold. No message here quotes a file's content.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from appraise.errors import InputError
from appraise.model.limits import MAX_FILE_BYTES

# Pseudo-filesystems whose "files" are not data: /proc/self/environ holds the server's secrets.
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")
CHUNK = 1 << 20


_QUOTABLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}")


def quotable(text: str) -> bool:
    """Whether a message may quote `text` found in a file: a short name of letters, digits, space,
    `_`, `.` or `-` (a key, a column). Anything else is left out, since a file named by another
    may be one the user did not write (`history: /etc/shadow`)."""
    return bool(_QUOTABLE.fullmatch(text))


def _size_text(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit:,} bytes"


def _is_system(path: Path) -> bool:
    real = os.path.realpath(path)
    return any(real == root or real.startswith(root + "/") for root in SYSTEM_FOLDERS)


def read_file(path: str | Path, limit: int = MAX_FILE_BYTES, name: str | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; InputError (naming `name`, the path
    by default) for a missing file, a folder, a device, FIFO or socket, a system file or one that
    is too large. The size is checked before reading, and the read stops at `limit`."""
    path = Path(path)
    shown = name or str(path)
    too_large = f"file is larger than {_size_text(limit)}"
    if "\x00" in str(path):
        raise InputError.one(shown, "", "a file name cannot hold a NUL character")
    if _is_system(path):
        raise InputError.one(shown, "", "is a system file (/proc, /sys or /dev), not a data file")
    try:
        # stat first, so that a device or FIFO is never opened; O_NONBLOCK in case one replaced
        # the file since (opening a FIFO for reading would otherwise wait for a writer).
        _check_kind(os.stat(path), shown, too_large, limit)
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError.one(shown, "", "file not found") from None
    except OSError as exc:
        raise InputError.one(shown, "", f"cannot read file: {exc.strerror}") from None
    try:
        _check_kind(os.fstat(handle), shown, too_large, limit)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(handle, min(CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise InputError.one(shown, "", f"cannot read file: {exc.strerror}") from None
    finally:
        os.close(handle)
    if total > limit:
        raise InputError.one(shown, "", too_large)
    return b"".join(chunks)


def check_regular(path: str | Path, limit: int, name: str | None = None) -> None:
    """InputError unless `path` is a regular file of at most `limit` bytes outside /proc, /sys
    and /dev (for a reader that opens the file itself, such as openpyxl)."""
    path = Path(path)
    shown = name or str(path)
    if _is_system(path):
        raise InputError.one(shown, "", "is a system file (/proc, /sys or /dev), not a data file")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError.one(shown, "", "file not found") from None
    except (OSError, ValueError) as exc:
        raise InputError.one(
            shown, "", f"cannot read file: {getattr(exc, 'strerror', exc)}"
        ) from None
    _check_kind(info, shown, f"file is larger than {_size_text(limit)}", limit)


def _check_kind(info: os.stat_result, shown: str, too_large: str, limit: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise InputError.one(shown, "", "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError.one(
            shown,
            "",
            "is not an ordinary file (a device, FIFO or socket): appraise reads files only",
        )
    if info.st_size > limit:
        raise InputError.one(shown, "", too_large)


# ---------------------------------------------------------------------------------------------
# Where a file's references may point
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Where references may point beyond the referring file's folder."""

    allowed: tuple[Path, ...] = ()  # folders any file may name files in (`--allow-path`)
    uploaded: Mapping[str, bytes] | None = None  # the app: files uploaded together, by name
    bundled: tuple[Path, ...] = ()  # the app: folders an uploaded file may also name files in


# A context variable, not a global: each app session runs in its own thread with its own uploads.
_SCOPE: ContextVar[Scope | None] = ContextVar("appraise_reading_scope", default=None)


def _scope() -> Scope:
    return _SCOPE.get() or Scope()


@contextmanager
def allowing(folders: Iterable[str | Path]) -> Iterator[None]:
    """Within the block, references may also point into these folders (`--allow-path DIR`)."""
    found = []
    for folder in folders:
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise InputError.one(str(folder), "", "--allow-path takes a folder that exists")
        found.append(path.resolve())
    token = _SCOPE.set(replace(_scope(), allowed=(*_scope().allowed, *found)))
    try:
        yield
    finally:
        _SCOPE.reset(token)


@contextmanager
def uploads(files: Mapping[str, bytes], bundled: Iterable[Path] = ()) -> Iterator[None]:
    """Within the block, a reference from an uploaded file resolves among `files` (by name) or
    in the `bundled` folders, and nowhere else."""
    scope = Scope(uploaded=dict(files), bundled=tuple(Path(b).resolve() for b in bundled))
    token = _SCOPE.set(scope)
    try:
        yield
    finally:
        _SCOPE.reset(token)


def _refused(referrer: str, field: str, ref: str, why: str) -> InputError:
    return InputError.one(referrer, field, why, ref)


def confined(ref: str, referrer: str, field: str, folder: Path | None = None) -> Path:
    """The file that `ref` (written at `field` of the file `referrer`) names, resolved relative to
    `folder` (the referrer's folder by default); InputError unless it stays inside that folder or
    a folder allowed with `--allow-path`. Says nothing of what the target holds."""
    if not ref.strip() or "\x00" in ref:
        raise _refused(referrer, field, ref, "expected a file name")
    base = Path(referrer).parent if folder is None else folder
    target = base / ref
    resolved = target.resolve()
    roots = [base.resolve(), *_scope().allowed]
    if any(resolved.is_relative_to(root) for root in roots):
        return target
    how = "an absolute path" if Path(ref).is_absolute() else "a path that leaves its folder"
    raise _refused(
        referrer,
        field,
        ref,
        f"{how}: a file may name only files in its own folder or below it (run with "
        "--allow-path DIR to allow another folder)",
    )


def read_reference(
    ref: str, referrer: str, field: str, limit: int = MAX_FILE_BYTES
) -> tuple[str, bytes]:
    """(name for messages, bytes) of the file that `ref`, written at `field` of `referrer`, names."""
    scope = _scope()
    if scope.uploaded is not None:
        return _from_uploads(ref, referrer, field, limit, scope)
    path = confined(ref, referrer, field)
    return str(path), read_file(path, limit)


def _from_uploads(
    ref: str, referrer: str, field: str, limit: int, scope: Scope
) -> tuple[str, bytes]:
    """A reference in the app: an uploaded file (uploads share one folder, with no subfolders),
    or a file of a bundled folder (named `examples/...`, or by a file that is itself bundled)."""
    wanted = PurePosixPath(ref.replace("\\", "/"))
    if not ref.strip() or "\x00" in ref or wanted.is_absolute() or ".." in wanted.parts:
        raise _refused(
            referrer,
            field,
            ref,
            "in the app a file may name only files uploaded with it, by name (no folders)",
        )
    folder = PurePosixPath(referrer.replace("\\", "/")).parent
    key = str(folder / wanted) if str(folder) != "." else str(wanted)
    if key in scope.uploaded:  # type: ignore[operator]
        data = scope.uploaded[key]  # type: ignore[index]
        if len(data) > limit:
            raise InputError.one(key, "", f"file is larger than {_size_text(limit)}")
        return key, data
    parts = PurePosixPath(key).parts
    for root in scope.bundled:
        inside = parts[1:] if parts and parts[0] == root.name else parts
        if not inside:
            continue
        candidate = root.joinpath(*inside)
        if candidate.resolve().is_relative_to(root) and candidate.is_file():
            return f"{root.name}/{'/'.join(inside)}", read_file(candidate, limit)
    raise _refused(
        referrer,
        field,
        ref,
        "no file of this name was uploaded with it: upload the files it names together with it "
        "(the app reads nothing else from the server, except its bundled examples)",
    )

"""Reading files safely: one way to open a file, for the files a user names and the files those
files name.

A user names files on the command line (`read_file`); those files may name others (a portfolio's
`baseline:` and `price_index:`, a baseline's `history:`, a claims, actuals or programme file's
`portfolio:`, a programme's `actuals:` and `projection.forecast`: `read_reference`). A file from
a partner is not trusted to name any file on the machine, so a reference resolves relative to the
folder of the file that makes it and must stay inside that folder, unless the user widens the rule
for one run with `--allow-path DIR` (`allowing`). In the app an uploaded file may name only files
uploaded with it or the bundled examples (`uploads`; the app's pages run within an empty one):
nothing else on the server's disk.

Every file is opened the same way, once:

- the path is resolved to its real path, refusing any step through `/proc`, `/sys` or `/dev`
  (`/dev/stdin` is standard input, `/proc/self/environ` the server's secrets);
- a reference's real path must be inside an allowed folder;
- the real path is opened one folder at a time with `O_NOFOLLOW`, so a link swapped in after the
  check (a symbolic link, or a folder replaced by one) makes the open fail rather than reach
  another file;
- the open descriptor is checked with `fstat`: a regular file (never a FIFO, which would block,
  a device, which never ends, or a socket), within the size limit, and for a reference one with a
  single name (a hard link inside the folder to a file outside it passes any path check);
- the bytes are read from that descriptor, at most the limit, and those bytes are what is parsed
  and hashed: a file changed while appraise runs is never read twice.

No message here quotes a file's content, and `quoting_nothing` keeps a referenced file's content
out of the messages of whatever parses it.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from appraise.errors import InputError, Problem
from appraise.model.limits import MAX_FILE_BYTES

# Pseudo-filesystems whose "files" are not data: /proc/self/environ holds the server's secrets,
# /dev/stdin is whatever the process was given as standard input.
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")
CHUNK = 1 << 20
MAX_LINKS = 40  # symbolic links followed in one path, as the kernel allows

_QUOTABLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}")


def quotable(text: str) -> bool:
    """Whether a message may quote `text` found in a file: a short name of letters, digits, space,
    `_`, `.` or `-` (a key, a column). Anything else is left out, since a file named by another
    may be one the user did not write (`history: /etc/shadow`)."""
    return bool(_QUOTABLE.fullmatch(text))


def _size_text(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit:,} bytes"


def _is_system(path: str) -> bool:
    return any(path == root or path.startswith(root + "/") for root in SYSTEM_FOLDERS)


class _Refused(Exception):
    """Why a path cannot be read (turned into an InputError naming the file as the user did)."""

    def __init__(self, message: str):
        self.message = message


class _Outside(_Refused):
    """A reference whose real path is outside every folder it may name files in."""


_SYSTEM = "is a system file (/proc, /sys or /dev), not a data file"


def real_path(path: str | Path) -> str:
    """The absolute path with every symbolic link resolved, as the kernel would; _Refused if any
    step passes through /proc, /sys or /dev, or there are more than MAX_LINKS links."""
    text = os.path.abspath(os.fspath(path))
    if "\x00" in text:
        raise _Refused("a file name cannot hold a NUL character")
    if _is_system(text):
        raise _Refused(_SYSTEM)
    pending = [p for p in text.split("/") if p][::-1]  # a stack: the next part on top
    current, links = "/", 0
    while pending:
        part = pending.pop()
        if part == ".":
            continue
        if part == "..":
            current = os.path.dirname(current)
            continue
        candidate = os.path.join(current, part)
        if _is_system(candidate):
            raise _Refused(_SYSTEM)
        try:
            is_link = stat.S_ISLNK(os.lstat(candidate).st_mode)
        except OSError:
            is_link = False  # missing or unreadable: the open says which
        if not is_link:
            current = candidate
            continue
        links += 1
        if links > MAX_LINKS:
            raise _Refused("too many symbolic links in the path")
        target = os.readlink(candidate)
        if target.startswith("/"):
            current = "/"
        pending.extend([p for p in target.split("/") if p][::-1])
    if _is_system(current):
        raise _Refused(_SYSTEM)
    return current


_READ_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
_DIR_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_DIRECTORY


def _open_real(real: str) -> int:
    """Open a resolved path one folder at a time, following no link: a link swapped in since the
    path was resolved (and checked) fails the open instead of leading elsewhere."""
    parts = [p for p in real.split("/") if p]
    if not parts:
        raise _Refused("is a folder, not a file")
    folder = os.open("/", _DIR_FLAGS)
    try:
        for part in parts[:-1]:
            inner = os.open(part, _DIR_FLAGS, dir_fd=folder)
            os.close(folder)
            folder = inner
        return os.open(parts[-1], _READ_FLAGS, dir_fd=folder)
    finally:
        os.close(folder)


def _open_error(exc: OSError) -> _Refused:
    if exc.errno == errno.ENOENT:
        return _Refused("file not found")
    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
        return _Refused(
            "changed while being opened (a folder or file was replaced by a link): not read"
        )
    if exc.errno == errno.EISDIR:
        return _Refused("is a folder, not a file")
    if exc.errno == errno.ENXIO:  # a FIFO with no writer, a socket
        return _Refused(_NOT_ORDINARY)
    return _Refused(f"cannot read file: {exc.strerror}")


_NOT_ORDINARY = "is not an ordinary file (a device, FIFO or socket): appraise reads files only"


def _check_kind(info: os.stat_result, limit: int, single: bool) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise _Refused("is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise _Refused(_NOT_ORDINARY)
    if single and info.st_nlink > 1:
        raise _Refused(
            f"has {info.st_nlink} names (hard links): a file named by another file must have "
            "one, so that where it lies is where it is read from; name a copy instead"
        )
    if info.st_size > limit:
        raise _Refused(f"file is larger than {_size_text(limit)}")


def _read_once(path: str | Path, limit: int, roots: tuple[Path, ...] | None = None) -> bytes:
    """The bytes of the file at `path` (see the module docstring); with `roots`, its real path must
    be inside one of them (else _Outside) and it must have one name."""
    real = real_path(path)
    if roots is not None and not any(Path(real).is_relative_to(root) for root in roots):
        raise _Outside("outside")
    try:
        before = os.lstat(real)
    except FileNotFoundError:
        raise _Refused("file not found") from None
    except OSError:
        before = None  # unreadable: the open says why
    if before is not None and not stat.S_ISLNK(before.st_mode):
        # Never open a device or FIFO at all (opening a tape device rewinds it); fstat below checks
        # again what was actually opened. (A link here was swapped in: the open refuses it.)
        _check_kind(before, limit, single=roots is not None)
    try:
        handle = _open_real(real)
    except OSError as exc:
        raise _open_error(exc) from None
    try:
        _check_kind(os.fstat(handle), limit, single=roots is not None)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(handle, min(CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise _Refused(f"cannot read file: {exc.strerror}") from None
    finally:
        os.close(handle)
    if total > limit:
        raise _Refused(f"file is larger than {_size_text(limit)}")
    return b"".join(chunks)


def read_file(path: str | Path, limit: int = MAX_FILE_BYTES, name: str | None = None) -> bytes:
    """The bytes of a file the user named (an argument): a regular file of at most `limit` bytes,
    outside /proc, /sys and /dev (`/dev/stdin` included), read once from one open descriptor.
    InputError naming `name` (the path as given, by default) for anything else."""
    try:
        return _read_once(path, limit)
    except _Refused as exc:
        raise InputError.one(name or str(path), "", exc.message) from None


def check_regular(path: str | Path, limit: int, name: str | None = None) -> None:
    """InputError unless `path` is a regular file of at most `limit` bytes outside /proc, /sys
    and /dev. (A check only: a reader should read the bytes with `read_file` and parse those.)"""
    shown = name or str(path)
    try:
        real = real_path(path)
        handle = _open_real(real)
    except _Refused as exc:
        raise InputError.one(shown, "", exc.message) from None
    except OSError as exc:
        raise InputError.one(shown, "", _open_error(exc).message) from None
    try:
        _check_kind(os.fstat(handle), limit, single=False)
    except _Refused as exc:
        raise InputError.one(shown, "", exc.message) from None
    finally:
        os.close(handle)


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


def _outside(ref: str) -> str:
    how = "an absolute path" if Path(ref).is_absolute() else "a path that leaves its folder"
    return (
        f"{how}: a file may name only files in its own folder or below it (run with "
        "--allow-path DIR to allow another folder)"
    )


def read_reference(
    ref: str,
    referrer: str,
    field: str,
    limit: int = MAX_FILE_BYTES,
    folder: Path | None = None,
) -> tuple[str, bytes]:
    """(name for messages, bytes) of the file that `ref`, written at `field` of the file
    `referrer`, names: relative to the referrer's folder (or `folder`) and inside it (or a folder
    allowed with `--allow-path`); in the app, among the uploads and bundled files only. The name
    is the path as the user would write it (the folder joined to `ref`), never a resolved one."""
    scope = _scope()
    if scope.uploaded is not None:
        return _from_uploads(ref, referrer, field, limit, scope)
    if not isinstance(ref, str) or not ref.strip() or "\x00" in ref:
        raise _refused(referrer, field, ref, "expected a file name")
    base = Path(referrer).parent if folder is None else folder
    target = base / ref
    try:
        roots = (Path(real_path(base)), *scope.allowed)
        return str(target), _read_once(target, limit, roots)
    except _Outside:
        raise _refused(referrer, field, ref, _outside(ref)) from None
    except _Refused as exc:
        raise InputError.one(str(target), "", exc.message) from None


def _from_uploads(
    ref: str, referrer: str, field: str, limit: int, scope: Scope
) -> tuple[str, bytes]:
    """A reference in the app: an uploaded file (uploads share one folder, with no subfolders),
    or a file of a bundled folder (named `examples/...`, or by a file that is itself bundled)."""
    wanted = PurePosixPath(str(ref).replace("\\", "/"))
    if (
        not isinstance(ref, str)
        or not ref.strip()
        or "\x00" in ref
        or wanted.is_absolute()
        or ".." in wanted.parts
    ):
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
        if not inside or inside[0] in ("/", ".."):
            continue
        shown = f"{root.name}/{'/'.join(inside)}"
        try:
            return shown, _read_once(root.joinpath(*inside), limit, (root,))
        except _Outside:
            continue
        except _Refused as exc:
            if exc.message == "file not found":
                continue
            raise InputError.one(shown, "", exc.message) from None
    raise _refused(
        referrer,
        field,
        ref,
        "no file of this name was uploaded with it: upload the files it names together with it "
        "(the app reads nothing else from the server, except its bundled examples)",
    )


# ---------------------------------------------------------------------------------------------
# Messages about a referenced file
# ---------------------------------------------------------------------------------------------


_NUMBER_TEXT = re.compile(r"[-+]?£?\d[\d,]{0,20}(\.\d{1,20})?%?")


def _shown_value(value: Any) -> bool:
    """A value a message about a referenced file may quote: a number (or one written as text in
    a CSV cell) or a short name."""
    if isinstance(value, bool | int | float):
        return True
    return isinstance(value, str) and (quotable(value) or bool(_NUMBER_TEXT.fullmatch(value)))


@contextmanager
def quoting_nothing(name: str) -> Iterator[None]:
    """Within the block, problems found in the referenced file `name` keep their place (field,
    row) and reason but drop any value of it that is not a number or a short name: the file may
    be one the user did not write, and its content is not theirs to see through appraise."""
    try:
        yield
    except InputError as exc:
        raise InputError(
            [
                Problem(p.file, p.path, p.message)
                if p.file == name and p.has_value and not _shown_value(p.value)
                else p
                for p in exc.problems
            ]
        ) from None

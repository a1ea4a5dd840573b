"""Writing files safely, and turning a portfolio back into file data.

Nothing the user owns is ever half-written: every write goes to a temporary file in the same
folder, is flushed to disk, then renamed over the target in one step. The temporary file is
removed if the write fails or is interrupted (Ctrl-C; the CLI turns SIGTERM into the same). A new
file gets the user's umask, as any program's would (0644 under umask 022); a replaced file keeps
its mode, so a colleague who could read it still can.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import Any

import yaml

from appraise.errors import InputError
from appraise.model.schema import Portfolio


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write `data` to `path` via a temporary file and a rename (never a partial file); an output
    path that is a folder, a special file or not writable is an InputError."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError.one(str(path), "", f"folder {str(folder)!r} does not exist")
    try:
        before = os.stat(path)
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise InputError.one(str(path), "", f"cannot write file: {exc.strerror}") from None
    else:
        if stat.S_ISDIR(before.st_mode):
            raise InputError.one(str(path), "", "is a folder, not a file")
        if not stat.S_ISREG(before.st_mode):
            raise InputError.one(str(path), "", "is not an ordinary file (a device or FIFO)")
        mode = stat.S_IMODE(before.st_mode)
    tmp = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        # Mode 0666 before the umask, as open() gives any new file (mkstemp would give 0600).
        handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        raise InputError.one(str(path), "", f"cannot write file: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            if mode is not None:
                os.fchmod(out.fileno(), mode)
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError.one(str(path), "", f"cannot write file: {exc.strerror}") from None
        raise
    return path


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

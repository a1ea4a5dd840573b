"""Writing files safely, and turning a portfolio back into file data.

Nothing the user owns is ever half-written: every write goes to a temporary file in the same
folder, is flushed to disk, then renamed over the target in one step.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from appraise.errors import InputError
from appraise.model.schema import Portfolio


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write `data` to `path` via a temporary file and a rename (never a partial file)."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError.one(str(path), "", f"folder {str(folder)!r} does not exist")
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def portfolio_to_data(portfolio: Portfolio) -> dict[str, Any]:
    """Plain file data for a portfolio, every intervention written out in full (no `use:`)."""
    return portfolio.model_dump(mode="json", exclude_none=True, exclude_defaults=False)


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
        node = node[part]
    node[parts[-1]] = value

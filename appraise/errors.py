"""The one exception for problems with a user's input, and its rendering."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_MISSING = object()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, field path), what was given, and why."""

    file: str
    path: str
    message: str
    value: Any = _MISSING

    @property
    def has_value(self) -> bool:
        """Whether the problem carries the value it rejects."""
        return self.value is not _MISSING

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        shown = "" if self.value is _MISSING else f" (got {_show(self.value)})"
        if shown and "(got " in self.message:
            shown = ""
        return f"{where}: {self.message}{shown}"


def exact(value: Any) -> str:
    """A rejected number as it was given, to the last digit (1000000000.5, never 1e+09): a message
    that rounds the value it refuses can make it look acceptable. A whole number read as a float
    (-100 in a file becomes -100.0) is shown as it was written."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class InputError(Exception):
    """A user's file or input is invalid; carries every problem found, one line each."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def one(cls, file: str, path: str, message: str, value: Any = _MISSING) -> InputError:
        return cls([Problem(str(file), path, message, value)])


def join_path(parts: tuple[Any, ...] | list[Any]) -> str:
    """('interventions', 2, 'effect') -> 'interventions[2].effect'."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out

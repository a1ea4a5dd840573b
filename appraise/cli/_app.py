"""The typer application and what every command shares: input errors, output, formats."""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer

from appraise.errors import InputError

app = typer.Typer(
    name="appraise",
    help="Invest-to-save appraisal for children's social care: evaluate, simulate, export, verify.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])

# `appraise validate` dispatches on the kind of file (see load.detect_kind); each command module
# registers a checker for the kinds it owns, returning a one-line summary or raising InputError.
VALIDATORS: dict[str, Callable[[Any], str]] = {}


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class TableOrJson(enum.StrEnum):
    table = "table"
    json = "json"


def fail(error: InputError) -> None:
    """Print one line per problem to stderr and exit 2."""
    for problem in error.problems:
        typer.echo(str(problem), err=True)
    raise typer.Exit(2)


def guarded(func: F) -> F:
    """Run a command; an InputError prints its problems and exits 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except InputError as error:
            fail(error)

    return wrapper  # type: ignore[return-value]


def emit(text: str) -> None:
    """Write command output to stdout (ending with one newline)."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def main() -> None:
    """Console entry point: unexpected errors become one line (APPRAISE_DEBUG=1 for a traceback)."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug, not a user error: say so in one line
        if os.environ.get("APPRAISE_DEBUG"):
            raise
        typer.echo(f"appraise: internal error: {type(exc).__name__}: {exc}", err=True)
        typer.echo("(set APPRAISE_DEBUG=1 to see the traceback, and please report it)", err=True)
        sys.exit(1)

"""`appraise new` (a commented starter portfolio) and `appraise --version`."""

from __future__ import annotations

from pathlib import Path

import typer

from appraise.cli._app import app, emit, guarded
from appraise.errors import InputError
from appraise.model.starter import STARTER
from appraise.version import __version__


def _version(shown: bool) -> None:
    if shown:
        typer.echo(f"appraise {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Invest-to-save appraisal for children's social care: evaluate, simulate, export, verify."""


@app.command()
@guarded
def new(
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the starter file here (never over an existing file)."
    ),
) -> None:
    """Print a commented starter portfolio (one intervention, one outcome, the council's own
    assumptions in place of citations) that validates and evaluates as it stands:
    `appraise new > my-case.yaml`."""
    if output is None:
        emit(STARTER)
        return
    if output.exists():
        raise InputError.one(str(output), "", "file already exists; choose another name")
    from appraise.model.save import write_atomic  # the schema: loaded only when a file is written

    write_atomic(output, STARTER)
    typer.echo(f"wrote {output}", err=True)

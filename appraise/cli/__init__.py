"""Command line: `appraise new|evaluate|validate|list|simulate|sensitivity|export|import-xlsx|check-xlsx|verify|track|forecast|levers|costs|programme|report`.

Each command group lives in its own module and registers itself on the shared typer app.
"""

from appraise.cli import (  # noqa: F401  (registration)
    claims,
    costs,
    evaluate,
    forecast,
    new,
    programme,
    report,
    simulate,
    workbook,
)
from appraise.cli._app import app, main

__all__ = ["app", "main"]

"""Command line: `appraise evaluate|validate|list|simulate|sensitivity|export|import-xlsx|verify|track|forecast|levers|costs`.

Each command group lives in its own module and registers itself on the shared typer app.
"""

from appraise.cli import claims, costs, evaluate, forecast, simulate, workbook  # noqa: F401  (registration)
from appraise.cli._app import app, main

__all__ = ["app", "main"]

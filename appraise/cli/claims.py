"""Commands registered on the shared app (see appraise.cli._app)."""

from appraise.cli._app import app  # noqa: F401

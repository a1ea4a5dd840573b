"""Shared test helpers: paths, running the CLI in-process or as a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import appraise  # noqa: F401  (first, so openpyxl writes as the app does: see appraise/__init__.py)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
THURROCK = EXAMPLES / "thurrock-2017.yaml"
APPRAISE = Path(sys.executable).parent / "appraise"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def thurrock_in(folder: Path) -> Path:
    """A copy of the Thurrock example in `folder`, with the baseline and history files it names:
    a file may name only files in its own folder (`appraise.model.reading`), so a claims or
    actuals file written by a test names a copy beside it."""
    for name in (THURROCK.name, "thurrock-2017-baseline.yaml", "thurrock-lac-2011-2017.csv"):
        shutil.copy(EXAMPLES / name, folder / name)
    return folder / THURROCK.name


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `appraise` command as a user would."""
    return subprocess.run(
        [str(APPRAISE), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=300,
    )


@pytest.fixture
def cli():
    """Invoke the CLI in-process; returns (exit_code, stdout, stderr)."""
    from appraise.cli import app

    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, [str(a) for a in args])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return invoke


@pytest.fixture(scope="session")
def thurrock_json() -> dict:
    """`appraise evaluate examples/thurrock-2017.yaml --format json`, run once per session."""
    proc = run_cli("evaluate", THURROCK, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def by_id(data: dict, ident: str) -> dict:
    return next(r for r in data["interventions"] if r["id"] == ident)


def require_tool(name: str, path: str | None = None) -> str:
    """Path of an external program; fail under CI=true if missing, skip otherwise."""
    import shutil

    found = path if path and Path(path).exists() else shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (CI installs it: see .ci/run)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The heaviest test files first. `make test` hands whole files to two workers in
    collection order; files in name order left the workbook files, among the heaviest, for
    last, and one worker ran on alone. A file's weight: its tests, a slow one (LibreOffice,
    Chromium) counting ten. The order within a file is kept."""
    weight: dict[str, int] = {}
    for item in items:
        file = item.nodeid.split("::", 1)[0]
        weight[file] = weight.get(file, 0) + (10 if item.get_closest_marker("slow") else 1)
    order = {id(item): n for n, item in enumerate(items)}
    items.sort(key=lambda item: (-weight[item.nodeid.split("::", 1)[0]], order[id(item)]))

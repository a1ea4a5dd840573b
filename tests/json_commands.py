"""Every command that writes JSON, run on every example that it takes: the cases of
tests/test_json_golden.py, whose outputs are stored in tests/golden_json/.

Regenerate the stored outputs (only when a change to a figure is intended, and say so in the
commit): .venv/bin/python tests/json_commands.py --update
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden_json"

PORTFOLIOS = (
    "east-sussex-thrive.yaml",
    "edge-of-care-options.yaml",
    "essex-mst-sib.yaml",
    "family-group-conferences.yaml",
    "pause-cash-flow.yaml",
    "step-down.yaml",
    "thurrock-2017-uncertain.yaml",
    "thurrock-2017-uprated.yaml",
    "thurrock-2017.yaml",
)
# A fixed seed and few draws: the same figures every run, quickly.
SIMULATE = ("--format", "json", "--seed", "2017", "--draws", "2000")
CASES: dict[str, tuple[str, ...]] = {
    **{f"evaluate-{p[:-5]}": ("evaluate", p, "--format", "json") for p in PORTFOLIOS},
    "simulate-thurrock-2017-uncertain": ("simulate", "thurrock-2017-uncertain.yaml", *SIMULATE),
    "simulate-edge-of-care-options": ("simulate", "edge-of-care-options.yaml", *SIMULATE),
    "simulate-essex-mst-sib": ("simulate", "essex-mst-sib.yaml", *SIMULATE),
    "sensitivity-thurrock-2017-uncertain": (
        "sensitivity",
        "thurrock-2017-uncertain.yaml",
        "--format",
        "json",
    ),
    "verify-thurrock-2017-claims": ("verify", "thurrock-2017-claims.yaml", "--format", "json"),
    "verify-essex-mst-sib-claims": ("verify", "essex-mst-sib-claims.yaml", "--format", "json"),
    "track-thurrock-2018-actuals": ("track", "thurrock-2018-actuals.yaml", "--format", "json"),
    "track-thurrock-2018-actuals-csv": (
        "track",
        "thurrock-2018-actuals.csv",
        "--portfolio",
        "thurrock-2017.yaml",
        "--format",
        "json",
    ),
    "forecast-thurrock-2017-baseline": ("forecast", "thurrock-2017-baseline.yaml", "-f", "json"),
    "levers-thurrock-2017-baseline": ("levers", "thurrock-2017-baseline.yaml", "-f", "json"),
    "programme-east-sussex-thrive": (
        "programme",
        "east-sussex-thrive-programme.yaml",
        "--format",
        "json",
    ),
    "programme-east-sussex-thrive-actuals": (
        "programme",
        "east-sussex-thrive-programme.yaml",
        "--actuals",
        "east-sussex-thrive-actuals.yaml",
        "--format",
        "json",
    ),
    "programme-thurrock-2017-benchmarks": (
        "programme",
        "thurrock-2017-benchmarks.yaml",
        "--format",
        "json",
    ),
    "programme-suffolk-meic": ("programme", "suffolk-meic.yaml", "--format", "json"),
    "programme-thurrock-illustration": (
        "programme",
        "thurrock-programme-illustration.yaml",
        "--format",
        "json",
    ),
    "costs": ("costs", "--format", "json"),
    "list": ("list", "--format", "json"),
}


def run(args: tuple[str, ...]) -> tuple[int, str, str]:
    """The command's exit code, stdout and stderr, run in-process in the examples folder."""
    import os

    from typer.testing import CliRunner

    from appraise.cli import app

    here = os.getcwd()
    os.chdir(EXAMPLES)
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        os.chdir(here)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def update(
    cases: dict[str, tuple[str, ...]] = CASES, folder: Path = GOLDEN, suffix: str = ".json"
) -> None:
    """Write each case's output to FOLDER/NAME.SUFFIX (the command must exit 0); by default
    tests/golden_json/NAME.json."""
    folder.mkdir(exist_ok=True)
    for name, args in cases.items():
        code, out, err = run(args)
        if code != 0:
            sys.exit(f"{name}: exit {code}: {err}")
        (folder / f"{name}{suffix}").write_text(out, encoding="utf-8")
        print(f"wrote {name}{suffix} ({len(out):,} characters)")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    update()

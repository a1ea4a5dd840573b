"""`appraise report`: the committee paper, as Word (.docx) and PDF."""

from __future__ import annotations

from pathlib import Path

import typer

from appraise.cli._app import app, emit, guarded, note
from appraise.model.limits import DEFAULT_DRAWS, MAX_SEED

OPTIONAL = {"show_default": False}


@app.command("report")
@guarded
def report_command(
    file: Path = typer.Argument(..., help="Portfolio YAML file.", show_default=False),
    docx: Path | None = typer.Option(
        None, "--docx", help="Word file to write (.docx).", **OPTIONAL
    ),
    pdf: Path | None = typer.Option(
        None, "--pdf", help="PDF to write (LibreOffice converts the Word file).", **OPTIONAL
    ),
    claims: Path | None = typer.Option(
        None,
        "--claims",
        help="Claims file to check against FILE (as `appraise verify`).",
        **OPTIONAL,
    ),
    actuals: Path | None = typer.Option(
        None,
        "--actuals",
        help="Actuals file (YAML or .csv) to track against FILE (as `appraise track`).",
        **OPTIONAL,
    ),
    baseline: Path | None = typer.Option(
        None,
        "--baseline",
        help="Baseline file for the forecast, instead of any FILE names (as `appraise forecast`).",
        **OPTIONAL,
    ),
    programme: Path | None = typer.Option(
        None,
        "--programme",
        help="Programme file to report on (as `appraise programme`).",
        **OPTIONAL,
    ),
    template: Path | None = typer.Option(
        None,
        "--template",
        help="A council's Word file (.docx) whose styles, page set-up and footer the paper takes.",
        **OPTIONAL,
    ),
    draws: int = typer.Option(
        DEFAULT_DRAWS, "--draws", "-n", min=1, help="Monte Carlo draws, where FILE has ranges."
    ),
    seed: int = typer.Option(
        1, "--seed", "-s", min=0, max=MAX_SEED, help="Random seed for the draws."
    ),
    draft: bool = typer.Option(
        False, "--draft", help="Mark the paper DRAFT on its title and every page."
    ),
) -> None:
    """Write the committee paper: summary, the portfolio, each intervention with its break-even
    chart and sources, uncertainty, forecast, claims, tracking, programme, every assumption,
    risks and methods. Every figure carries the file's name and SHA-256, the version and date."""
    from appraise.paper.outputs import check_outputs

    check_outputs(docx, pdf)  # at once, before the figures are computed (or their modules load)
    from appraise.paper.report import paper_from_files, write_paper
    from appraise.paper.template import load_template

    house = load_template(template) if template is not None else None
    paper = paper_from_files(
        file,
        claims=claims,
        actuals=actuals,
        baseline=baseline,
        programme=programme,
        draws=draws,
        seed=seed,
    )
    written = write_paper(paper, docx, pdf, house, draft)
    if house is not None:
        note(f"note: {house.notice}")
    emit("\n".join([f"wrote {path}" for path in written] + [f"identity: {paper.identity.text}"]))

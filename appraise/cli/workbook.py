"""`appraise export` (the appraisal workbook), `appraise import-xlsx` (its inputs read back) and
`appraise check-xlsx` (every formula checked against its line, without a spreadsheet program)."""

from __future__ import annotations

from pathlib import Path

import typer

from appraise.cli._app import app, emit, guarded, note


@app.command()
@guarded
def export(
    file: Path = typer.Argument(
        ..., help="Portfolio YAML file (or a programme file).", show_default=False
    ),
    xlsx: Path = typer.Option(
        ..., "--xlsx", help="Workbook to write (.xlsx): live formulas an auditor can follow."
    ),
    claims: Path | None = typer.Option(
        None,
        "--claims",
        help="Claims file (as for `appraise verify`) to check against FILE's portfolio: adds a "
        "Claims check sheet. Its claims are checked against FILE even if it names another "
        "portfolio (the sheet says so).",
        show_default=False,
    ),
    actuals: Path | None = typer.Option(
        None,
        "--actuals",
        help="For a programme file: actuals (one key, actuals:) instead of any it holds or names.",
        show_default=False,
    ),
) -> None:
    """Write the appraisal workbook: inputs, calculations, summary, cash flows, evidence, checks.

    A portfolio with a baseline also gets a Forecast sheet (spend with and without it). A
    programme file gets its own workbook: the Programme sheet and its Checks.
    """
    from appraise.analyses.verify import check_claims
    from appraise.display import counted
    from appraise.errors import InputError
    from appraise.model.identity import run_identity
    from appraise.model.limits import check_workbook
    from appraise.model.load import (
        detect_kind,
        listed_interventions,
        parse_yaml,
        portfolio_from_data,
        read_file,
    )
    from appraise.model.save import check_target
    from appraise.workbook.export import export_workbook

    # Read once: the bytes parsed are the bytes whose SHA-256 the workbook records, however the
    # file changes while the export runs.
    content = read_file(file)
    raw = parse_yaml(content, str(file))
    if detect_kind(raw) == "programme":
        _export_programme(file, xlsx, actuals, claims)
        return
    if actuals is not None:
        raise InputError.one(
            str(actuals), "", f"--actuals goes with a programme file; {file} is not one"
        )
    if xlsx.suffix.lower() != ".xlsx":
        raise InputError.one(str(xlsx), "", "the workbook's file name must end in .xlsx")
    check_target(xlsx)
    horizon = raw.get("horizon_years") if isinstance(raw, dict) else None
    check_workbook(str(file), listed_interventions(raw), horizon)  # before any is validated
    portfolio = portfolio_from_data(raw, str(file))
    # The claims are checked before anything is written: a broken claims file leaves no workbook.
    checked = check_claims(claims, portfolio, file) if claims is not None else None
    export_workbook(portfolio, xlsx, claims=checked, identity=run_identity(file, content))
    lines = [
        f"wrote {xlsx}: {counted(len(portfolio.interventions), 'intervention')} over "
        f"{counted(portfolio.horizon_years, 'year')}. Excel or LibreOffice calculates it on opening; the "
        "Checks sheet's master check says whether the workbook is sound, and the line below it "
        "whether every figure still matches `appraise evaluate`."
    ]
    if portfolio.baseline is not None:
        baseline = portfolio.baseline
        labels = baseline.financial_years()
        span = f"{baseline.start_year} to {baseline.last_year}"
        if labels:
            span = f"{labels[0]} to {labels[-1]}"
        lines.append(
            f"Forecast sheet: children in care and their cost, {span}, with and without the "
            "portfolio."
        )
    if checked is not None:
        lines.append(f"Claims check sheet: {checked.summary} (as `appraise verify`).")
        if checked.named:
            note(
                f"note: {claims} names the portfolio {checked.named}; its claims were checked "
                f"against {file}, the portfolio this workbook holds"
            )
    emit("\n".join(lines))


def _export_programme(file: Path, xlsx: Path, actuals: Path | None, claims: Path | None) -> None:
    """`appraise export PROGRAMME --xlsx OUT`: the Programme sheet and its Checks."""
    from appraise.analyses.programme import report
    from appraise.errors import InputError
    from appraise.model.programme import load_programme
    from appraise.workbook.programme_sheet import export_programme_workbook

    if claims is not None:
        raise InputError.one(
            str(claims), "", f"--claims goes with a portfolio; {file} is a programme file"
        )
    if xlsx.suffix.lower() != ".xlsx":
        raise InputError.one(str(xlsx), "", "the workbook's file name must end in .xlsx")
    found = report(load_programme(file, actuals))
    export_programme_workbook(found, xlsx)
    p = found.inp.programme
    emit(
        f"wrote {xlsx}: programme {p.name!r}, {len(found.years)} financial years, "
        f"{len(found.targets)} targets, {len(found.savings)} savings targets. Excel or "
        "LibreOffice calculates it on opening; the Checks sheet's master check says whether the "
        "workbook is sound, and the line below it whether every figure still matches "
        "`appraise programme`."
    )


@app.command("import-xlsx")
@guarded
def import_xlsx(
    book: Path = typer.Argument(
        ..., help="A workbook written by `appraise export`.", show_default=False
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Portfolio YAML file to write."),
) -> None:
    """Read a workbook's Inputs sheet (as edited) back into a portfolio file."""
    from appraise.errors import InputError
    from appraise.model.save import check_target, write_atomic

    if out.suffix.lower() not in (".yaml", ".yml"):
        raise InputError.one(str(out), "", "the portfolio file's name must end in .yaml or .yml")
    check_target(out)
    from appraise.workbook.importing import import_workbook

    imported = import_workbook(book)
    for warning in imported.warnings:
        note(f"note: {warning}")
    write_atomic(out, imported.yaml(book.name))
    changed = len(imported.changes)
    lines = [f"wrote {out} from {book}: {changed} input{'s' if changed != 1 else ''} changed"]
    lines += [f"  {change}" for change in imported.changes]
    emit("\n".join(lines))


@app.command("check-xlsx")
@guarded
def check_xlsx(
    book: Path = typer.Argument(
        ..., help="A workbook written by `appraise export`.", show_default=False
    ),
) -> None:
    """Check an exported workbook without a spreadsheet program: lay it out again from the
    portfolio file it holds and list every cell that differs (a formula changed or pasted over,
    a formula where none belongs, a figure fixed at export changed). Inputs may differ.

    Exit 0 when nothing differs, 1 when something does, 2 when the file cannot be read.
    """
    from appraise.workbook.audit import report
    from appraise.workbook.importing import opened

    differences = opened(book).differences()
    if not differences:
        emit(
            f"{book}: every formula is the one its line's definition gives, and nothing fixed "
            "at export was changed"
        )
        return
    cells = f"{len(differences):,} cell{'s' if len(differences) != 1 else ''}"
    emit(
        f"{book}: {cells} differ from the workbook its portfolio file gives\n{report(differences)}"
    )
    raise typer.Exit(1)

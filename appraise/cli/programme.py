"""`appraise programme`: a programme against its outline business case, by financial year."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from appraise.cli._app import VALIDATORS, app, emit, guarded

if TYPE_CHECKING:
    from appraise.display import Column


class ProgrammeFormat(enum.StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


def _cells(columns: list[Column], rows: list[dict[str, Any]]) -> list[list[str]]:
    return [[show(r) for _, show in columns] for r in rows]


def programme_table(data: dict[str, Any]) -> str:
    """The readable report printed by `appraise programme`."""
    from appraise.display import programme_heading, programme_sections, table

    lines = [programme_heading(data)]
    if data["description"]:
        lines.append(data["description"])
    for title, columns, rows, right, notes in programme_sections(data):
        headers = [h for h, _ in columns]
        lines += ["", title, "", table(headers, _cells(columns, rows), right), "", *notes]
    return "\n".join(lines)


def programme_markdown(data: dict[str, Any]) -> str:
    """The report as Markdown, for a board paper."""
    from appraise.display import markdown_text as _md
    from appraise.display import programme_heading, programme_sections

    lines = [f"**{_md(programme_heading(data))}**", ""]
    if data["description"]:
        lines += [_md(data["description"]), ""]
    for title, columns, rows, right, notes in programme_sections(data):
        lines += [f"**{title}**", "", "| " + " | ".join(h for h, _ in columns) + " |"]
        lines.append("|" + "|".join("---:" if r else "---" for r in right) + "|")
        lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in _cells(columns, rows)]
        lines += ["", *(f"- {_md(n)}" for n in notes), ""]
    return "\n".join(lines).rstrip()


@app.command("programme")
@guarded
def programme_command(
    file: Path = typer.Argument(..., help="Programme file (YAML).", show_default=False),
    actuals: Path | None = typer.Option(
        None,
        "--actuals",
        "-a",
        help="Actuals file (one key, actuals:), instead of any the programme file holds or names.",
        show_default=False,
    ),
    format: ProgrammeFormat = typer.Option(
        ProgrammeFormat.table, "--format", "-f", help="table, json or markdown."
    ),
) -> None:
    """A programme against its outline business case: spend avoided, targets and savings."""
    from appraise.analyses.programme import report
    from appraise.display import to_json
    from appraise.model.programme import load_programme

    data = report(load_programme(file, actuals)).to_data()
    if format is ProgrammeFormat.json:
        emit(to_json(data))
    elif format is ProgrammeFormat.markdown:
        emit(programme_markdown(data))
    else:
        emit(programme_table(data))


def _validate_actuals(path: Path) -> str:
    from appraise.model.programme import load_programme_actuals

    a = load_programme_actuals(path)
    spend = len(a.spend.years()) if a.spend is not None else 0
    return (
        f"{path}: valid programme actuals: {spend} years of spend, {len(a.avoided_spend)} of spend "
        f"avoided, {len(a.savings)} savings, {len(a.measures)} measures (check them against their "
        "programme with `appraise programme PROGRAMME --actuals FILE`)"
    )


def _validate_programme(path: Path) -> str:
    from appraise.analyses.programme import check_programme_file
    from appraise.model.programme import load_programme

    return check_programme_file(load_programme(path))


VALIDATORS.update(
    programme=_validate_programme,
    **{"programme-actuals": _validate_actuals},
)

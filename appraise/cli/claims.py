"""`appraise verify` (check a business case's claims) and `appraise track` (realised savings)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import typer

from appraise.cli._app import VALIDATORS, TableOrJson, app, emit, guarded


class VerifyFormat(enum.StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


PORTFOLIO_OPTION = typer.Option(
    None,
    "--portfolio",
    "-p",
    help="Portfolio to check against, instead of the one the file names.",
    show_default=False,
)


def _who(claim: dict[str, Any]) -> str:
    who = claim["intervention"]
    return " + ".join(who) if isinstance(who, list) else who


def implied_lines(claim: dict[str, Any]) -> list[str]:
    """'label (input): stated X, implied Y' for each implied input, nearest first."""
    from appraise.display import input_values

    out = []
    for n, item in enumerate(claim["implied"], 1):
        stated, implied = input_values(item["stated"], item["implied_value"], item["unit"])
        out.append(f"{n}. {item['label']} ({item['input']}): stated {stated}, implied {implied}")
    return out


def _assumptions(data: dict[str, Any]) -> list[str]:
    from appraise.display import assumed_value

    return [
        f"Assumed for every claim: {a['input']} = {assumed_value(a['value'])}"
        + (
            f" ({a['note']}{'; ' + a['source'] if a.get('source') else ''})"
            if a.get("note")
            else ""
        )
        for a in data["assume"]
    ]


def _claim_assumptions(claim: dict[str, Any]) -> str:
    from appraise.display import assumed_value

    return "; ".join(f"{a['input']} = {assumed_value(a['value'])}" for a in claim["assume"])


def _summary(data: dict[str, Any]) -> str:
    s = data["summary"]
    total = sum(s.values())
    return (
        f"{total} claims: {s['consistent']} consistent, {s['inconsistent']} inconsistent, "
        f"{s['not_checkable']} not checkable."
    )


HEADERS = ["Claim", "Figure", "Claimed", "Recomputed", "Difference", "Tolerance", "Status"]


def _rows(data: dict[str, Any]) -> list[list[str]]:
    from appraise.display import claimed_text, difference_text, figure, tolerance_text

    return [
        [
            c["id"],
            f"{_who(c)}: {c['metric']}",
            claimed_text(c),
            figure(c["recomputed"], c["unit"]),
            difference_text(c),
            tolerance_text(c["tolerance"], c["unit"]),
            c["status"].replace("_", " "),
        ]
        for c in data["claims"]
    ]


def _details(data: dict[str, Any]) -> list[tuple[str, list[str], list[str]]]:
    """For each claim that does not hold: a heading, what was said and why, and the implied inputs."""
    from appraise.display import claimed_text, figure

    out = []
    for c in data["claims"]:
        if c["status"] == "consistent":
            continue
        recomputed = figure(c["recomputed"], c["unit"])
        head = f"{c['id']}: claimed {claimed_text(c)}, recomputed {recomputed}"
        if c["assume"]:
            head += f" (with {_claim_assumptions(c)})"
        said = []
        if c["quote"] or c["source"]:
            quoted = f'"{c["quote"]}" ' if c["quote"] else ""
            said.append(f"{quoted}({c['source'] or 'no source given'}).")
        if c["reason"]:
            said.append(f"Not checkable: {c['reason']}.")
        else:
            if c.get("holds_under_cashable_method"):
                said.append(
                    "It holds under the other cashable convention: cashable_method = "
                    f"{c['holds_under_cashable_method']}."
                )
            said.append("The claim holds if one input alone were:")
        out.append((head, said, implied_lines(c)))
    return out


def verification_table(data: dict[str, Any]) -> str:
    """The readable report printed by `appraise verify`."""
    from appraise.display import table

    head = f"Claims in {data['claims_file']} checked against {data['portfolio']}"
    lines = [
        head,
        *_assumptions(data),
        "",
        table(HEADERS, _rows(data), [False, False, *[True] * 4, False]),
    ]
    lines += ["", _summary(data), ""]
    details = []
    for title, said, items in _details(data):
        details += [title, *(f"  {line}" for line in said), *(f"    {i}" for i in items), ""]
    if details:
        lines += [
            "Claims that do not hold (each implied value moves one input, the others as stated):",
            "",
        ]
        lines += details
    return "\n".join(lines).rstrip()


def verification_markdown(data: dict[str, Any]) -> str:
    """The report as Markdown, for a sign-off note or a board paper."""
    from appraise.display import markdown_text as _md_cell

    lines = [
        f"**Claims in {_md_cell(data['claims_file'])} checked against "
        f"{_md_cell(data['portfolio'])}**",
        "",
    ]
    lines += [f"- {a}" for a in _assumptions(data)]
    if data["assume"]:
        lines.append("")
    lines.append("| " + " | ".join(HEADERS) + " |")
    lines.append("|" + "|".join(["---"] * 2 + ["---:"] * 4 + ["---"]) + "|")
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in _rows(data)]
    lines += ["", _summary(data), ""]
    for title, said, items in _details(data):
        lines += [f"**{_md_cell(title)}**", "", _md_cell(" ".join(said)), ""]
        lines += [_md_cell(i) for i in items] + ([""] if items else [])
    return "\n".join(lines).rstrip()


@app.command("verify")
@guarded
def verify_command(
    claims: Path = typer.Argument(..., help="Claims file (YAML).", show_default=False),
    format: VerifyFormat = typer.Option(
        VerifyFormat.table, "--format", "-f", help="table, json or markdown."
    ),
    portfolio: Path | None = PORTFOLIO_OPTION,
) -> None:
    """Recompute each claim in a business case; say which hold and what each wrong one implies."""
    from appraise.analyses.verify import Verification, verify
    from appraise.display import to_json
    from appraise.model.files import load_claims
    from appraise.model.load import load_portfolio

    claims_file = load_claims(claims)
    result: Verification = verify(
        claims_file, load_portfolio(portfolio) if portfolio is not None else None
    )
    data = result.to_data()
    if format is VerifyFormat.json:
        emit(to_json(data))
    elif format is VerifyFormat.markdown:
        emit(verification_markdown(data))
    else:
        emit(verification_table(data))


# ---------------------------------------------------------------------------------------------
# track
# ---------------------------------------------------------------------------------------------


TRACK_HEADERS = [
    "Intervention",
    "Period",
    "Reach plan",
    "Reach actual",
    "Spend plan",
    "Spend actual",
    "Averted plan",
    "Averted actual",
    "Gross actual",
    "Net plan",
    "Net actual",
    "Cashable net actual",
    "Rate actual",
    "Break-even rate",
    "Flags",
]


def _period_text(period: dict[str, Any]) -> str:
    """A period as written, with the portfolio's financial year where it has `start`."""
    if "financial_year" not in period or period["financial_year"] == period["period"]:
        return period["period"]
    return f"{period['period']} ({period['financial_year']})"


def tracking_table(data: dict[str, Any]) -> str:
    """The readable report printed by `appraise track`."""
    from appraise.display import money, num, pct, success_rate_text, table
    from appraise.model import periods

    rows = []
    for item in data["interventions"]:
        per_case = item["effect_form"] == "per_case"
        entries = [
            (_period_text(p), p["planned"], p["actual"], p["flags"]) for p in item["periods"]
        ]
        d = item["to_date"]
        entries.append(("to date", d["planned"], d["actual"], d["flags"]))
        for period, plan, actual, flags in entries:
            rows.append(
                [
                    item["id"] if period != "to date" or len(entries) == 1 else "",
                    period,
                    num(plan["reach"], 1),
                    num(actual["reach"], 0),
                    money(plan["cost"]),
                    money(actual["cost"]),
                    num(plan["outcomes_averted"]),
                    num(actual["outcomes_averted"]),
                    money(actual["gross_savings"]),
                    money(plan["net_savings"]),
                    money(actual["net_savings"]),
                    money(actual["cashable_net_savings"]),
                    success_rate_text(actual["success_rate"], per_case, 1),
                    success_rate_text(actual["break_even_success_rate"], per_case, 1),
                    ", ".join(f.replace("_", " ") for f in flags),
                ]
            )
    total = data["portfolio_to_date"]
    rows.append(
        [
            "portfolio",
            "to date",
            "",
            "",
            money(total["planned"]["cost"]),
            money(total["actual"]["cost"]),
            "",
            "",
            money(total["actual"]["gross_savings"]),
            money(total["planned"]["net_savings"]),
            money(total["actual"]["net_savings"]),
            money(total["actual"]["cashable_net_savings"]),
            "",
            "",
            "",
        ]
    )
    head = (
        f"Realised against planned: {data['actuals_file']} against {data['portfolio']} "
        f"(cashable method {data['cashable_method']})"
    )
    notes = [
        "",
        "Plan for a period = the business case's annual figure x months in the period / 12. "
        "Gross = outcomes averted x the cost of one outcome; net = gross - spend.",
        "Flags: below break-even = fewer outcomes averted than the spend needs (rate below the "
        f"break-even rate); under reach = cases more than {pct(data['reach_tolerance'], 0)} "
        "below plan.",
    ]
    if data["not_reported"]:
        notes.append(f"No actuals reported for: {', '.join(data['not_reported'])}.")
    read = {
        p["period"]: p["reads_as"]
        for item in data["interventions"]
        for p in item["periods"]
        if periods.is_financial_year_form(p["period"])
    }
    if read:
        notes.append(
            "Financial years: "
            + "; ".join(f"{k} read as {v}" for k, v in read.items())
            + " (a month is written 2018-03 or Mar 2018)."
        )
    right = [False, False, *[True] * 12, False]
    return "\n".join([head, "", table(TRACK_HEADERS, rows, right), *notes])


@app.command("track")
@guarded
def track_command(
    actuals: Path = typer.Argument(
        ..., help="Actuals file: YAML, or CSV (name ending .csv).", show_default=False
    ),
    format: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="table or json."),
    portfolio: Path | None = PORTFOLIO_OPTION,
    reach_tolerance: float | None = typer.Option(
        None,
        "--reach-tolerance",
        min=0.0,
        max=0.99,
        help="Flag a period whose cases fall more than this share below plan (default 0.1).",
        show_default=False,
    ),
) -> None:
    """Realised savings against the business case, by intervention and period and to date."""
    from appraise.analyses.track import track
    from appraise.display import to_json
    from appraise.model.files import load_actuals
    from appraise.model.load import load_portfolio

    result = track(
        load_actuals(actuals),
        load_portfolio(portfolio) if portfolio is not None else None,
        reach_tolerance,
    )
    data = result.to_data()
    emit(to_json(data) if format is TableOrJson.json else tracking_table(data))


def _validate_claims(path: Path) -> str:
    from appraise.analyses.verify import check_claims_file
    from appraise.model.files import load_claims

    return check_claims_file(load_claims(path))


def _validate_actuals(path: Path) -> str:
    from appraise.analyses.track import check_actuals_file
    from appraise.model.files import load_actuals

    return check_actuals_file(load_actuals(path))


VALIDATORS.update(claims=_validate_claims, actuals=_validate_actuals)

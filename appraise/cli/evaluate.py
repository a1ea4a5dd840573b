"""`appraise evaluate`, `appraise validate` and `appraise list`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from appraise.cli._app import (
    VALIDATORS,
    Format,
    TableOrJson,
    app,
    emit,
    finished,
    guarded,
    one_blas_thread,
)

if TYPE_CHECKING:
    from appraise.engine.registry import Model

FILE = typer.Argument(..., help="Portfolio YAML file.", show_default=False)


TABLE_FIGURES = (
    "id",
    "reach",
    "cost",
    "outcomes_averted",
    "gross_savings",
    "net_savings",
    "cashable_net_savings",
    "roi",
    "break_even_success_rate",
    "effect_adjusted",
    "npv",
    "payback_year",
)


def payback_text(year: int | None, years: list[dict[str, Any]]) -> str:
    """'year 2', with its financial year where the portfolio gives `start`: 'year 2 (2019-20)'."""
    if not year:
        return "none"
    label = years[year - 1].get("financial_year") if year <= len(years) else None
    return f"year {year}" + (f" ({label})" if label else "")


def evaluation_table(data: dict[str, Any], model: Model) -> str:
    """The readable table printed by `appraise evaluate`: `data` as `evaluation_data` makes it
    (`brief` will do), the inputs listed from the `model`'s own."""
    from appraise.analyses.contracts import contract_lines
    from appraise.display import (
        discount_text,
        effect_notes,
        input_lines,
        money,
        num,
        payer_name,
        price_notes,
        rate,
        ratio_text,
        table,
        years_text,
    )
    from appraise.engine.figures import FIGURES

    p = data["portfolio"]
    h = p["horizon_years"]
    years = p["years"]
    headers = [FIGURES[k].short for k in TABLE_FIGURES]
    headers[headers.index(FIGURES["npv"].short)] = f"NPV ({h}y)"
    rows = []
    for r in data["interventions"]:
        rows.append(
            [
                r["id"] + (" *" if r["flags"] else ""),
                num(r["reach"], 1),
                money(r["cost"]),
                num(r["outcomes_averted"]),
                money(r["gross_savings"]),
                money(r["net_savings"]),
                money(r["cashable_net_savings"]),
                ratio_text(r["roi"], r["cost"]),
                rate(r, "break_even_success_rate"),
                rate(r, "effect_adjusted"),
                money(r["npv"]),
                payback_text(r["payback_year"], years),
            ]
        )
    options = data.get("options")
    if options is None:  # with options, a total would add up alternatives
        rows.append(
            [
                "total",
                "",
                money(p["cost"]),
                "",
                money(p["gross_savings"]),
                money(p["net_savings"]),
                money(p["cashable_net_savings"]),
                ratio_text(p["roi"], p["cost"]),
                "",
                "",
                money(p["npv"]),
                payback_text(p["payback_year"], years),
            ]
        )
    perspective = payer_name(p["perspective"])
    head = (
        f"{p['portfolio']} (prices {p['price_year']}; savings to {perspective}; cashable "
        f"method {p['cashable_method']}; NPV over {years_text(h)} at {discount_text(p['discount_rate'], h)})"
    )
    if years and "financial_year" in years[0]:
        head += (
            f"\nYear 1 is {years[0]['financial_year']}, year {h} is {years[-1]['financial_year']}."
        )
    rates = (
        "Rates are the share of cases in which the outcome is averted ('/case': outcomes averted per "
        "case); 'Averted' counts each intervention's own outcome."
    )
    if options is not None:
        prices = price_notes(data.get("prices"))
        inputs = ["", *input_lines(model.params, model.citations())]
        return "\n".join(
            [head, "", table(headers, rows), "", *options_table(options, years), rates, *prices]
            + inputs
        )
    payers = ", ".join(f"{payer_name(k)} {money(v)}" for k, v in p["savings_by_payer"].items())
    flags = [f"* {f}." for r in data["interventions"] for f in r["flags"]]
    notes = [
        *([""] + flags if flags else []),
        "",
        *class_table(data),
        "",
        f"Gross savings by payer (all interventions): {payers}.",
        f"Cashable net savings: strict {money(p['cashable_net_savings_strict'])}, "
        f"pro rata {money(p['cashable_net_savings_pro_rata'])} "
        f"(the table uses {p['cashable_method']}).",
        rates,
        *effect_notes(data["interventions"]),
        *contract_lines(data["interventions"], p["horizon_years"]),
        *price_notes(data.get("prices")),
        "",
        *input_lines(model.params, model.citations()),
    ]
    return "\n".join([head, "", table(headers, rows), *notes])


def class_table(data: dict[str, Any]) -> list[str]:
    """Each intervention's gross savings as councils book them (docs/defaults.md)."""
    from appraise.display import money, table
    from appraise.engine.figures import FIGURES
    from appraise.engine.results import SAVINGS_BY_CLASS

    columns = ("gross_savings", *SAVINGS_BY_CLASS.values())
    headers = ["Intervention", *(FIGURES[k].short for k in columns)]
    records = [*data["interventions"]]
    if data.get("options") is None:
        records.append({**data["portfolio"], "id": "total"})
    rows = [[r["id"], *(money(r[k]) for k in columns)] for r in records]
    return [
        "Gross savings by class: cash-releasing (the cashable part), cost avoidance and capacity "
        "add up to gross savings; so do recurring and one-off.",
        "",
        table(headers, rows),
    ]


def options_table(options: list[dict[str, Any]], years: list[dict[str, Any]]) -> list[str]:
    """The options, best first: each one's totals, rank, and what it adds over the option before
    it on the efficiency frontier (`years`: the portfolio's, for the horizon and the financial
    year of a payback)."""
    from appraise.display import compared_text, money, num, table

    horizon = len(years)
    headers = [
        "Rank",
        "Option",
        "Cost",
        "Net savings",
        "Cashable net",
        "PV cost",
        "PV savings",
        f"NPV ({horizon}y)",
        "BCR",
        "Payback",
        "Compared with",
        "Incr. NPV",
        "Incr. BCR",
    ]
    rows = []
    for o in sorted(options, key=lambda o: o["rank"]):
        spends = o["pv_cost"] != 0 or o["pv_gross_savings"] != 0
        compared = o["incremental_npv"] is not None
        rows.append(
            [
                str(o["rank"]),
                o["name"],
                money(o["cost"]),
                money(o["net_savings"]),
                money(o["cashable_net_savings"]),
                money(o["pv_cost"]),
                money(o["pv_gross_savings"]),
                money(o["npv"]),
                num(o["bcr"]) if spends else "n/a",
                payback_text(o["payback_year"], years) if spends else "n/a",
                compared_text(o),
                money(o["incremental_npv"]) if compared else "",
                incremental_ratio(o["incremental_bcr"]) if compared else "",
            ]
        )
    return [
        "Options: mutually exclusive, so each has its own totals and they are never added up; "
        "ranked by NPV.",
        "",
        table(headers, rows, [False, False, *[True] * 8, False, True, True]),
        "",
        "Incr.: what the option adds over the option before it on the efficiency frontier: the "
        "extra NPV, and the extra PV savings per extra £1 of PV cost (above 1: the extra spending "
        "pays for itself). Dominated: another option costs no more and saves no less; extended "
        "dominance: a mix of a cheaper and a dearer option would save more for its cost. See "
        "docs/options.md.",
    ]


def incremental_ratio(value: float | None) -> str:
    """An incremental benefit-cost ratio; infinite (null) when the option costs no more."""
    from appraise.display import num

    return "infinite" if value is None else num(value)


@app.command()
@guarded
def evaluate(
    file: Path = FILE,
    format: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """Appraise every intervention in a portfolio: cost, outcomes averted, savings, break-even, NPV."""
    one_blas_thread()
    from appraise.analyses.options import evaluation_data
    from appraise.display import evaluation_csv, to_json
    from appraise.engine.results import appraise_portfolio
    from appraise.model.load import load_portfolio
    from appraise.model.yamltext import collector_paused

    # The results are millions of small objects and no cycles: the collector would only scan
    # them again and again (benchmarks/load.py).
    with collector_paused():
        appraisal = appraise_portfolio(load_portfolio(file))
        if format is Format.json:
            text = to_json(evaluation_data(appraisal))
        elif format is Format.csv:
            text = evaluation_csv(evaluation_data(appraisal))
        else:  # the table lists the inputs from the model, not from the JSON's listing of them
            data = evaluation_data(appraisal, brief=True)
            text = evaluation_table(data, appraisal.model)
        emit(text)
        finished()  # as the `appraise` command, ends here: what was made is not freed


def _validate_portfolio(path: Path) -> str:
    from appraise.display import counted
    from appraise.model.load import evidence_for, load_portfolio

    p = load_portfolio(path)
    if p.value_of_information is not None:  # its groups name inputs, which the model knows
        # Imported only here: most portfolios have no such groups (start-up, benchmarks/startup.py).
        from appraise.analyses.uncertainty import uncertain_params
        from appraise.analyses.voi import file_groups
        from appraise.engine.params import build

        model = build(p, evidence_for(p))
        file_groups(model, uncertain_params(model))
    options = f", {counted(len(p.options), 'option')}" if p.options is not None else ""
    return (
        f"{path}: valid portfolio {p.portfolio!r}: "
        f"{counted(len(p.interventions), 'intervention')}, "
        f"{counted(len(p.outcomes), 'outcome')}{options}"
    )


def _validate_intervention(path: Path) -> str:
    from appraise.model.load import load_intervention

    item = load_intervention(path)
    return (
        f"{path}: valid intervention {item.id!r} ({item.category}, evidence {item.evidence.rating})"
    )


def _validate_evidence(path: Path) -> str:
    from appraise.model.load import load_evidence_file

    entry = load_evidence_file(path)
    return f"{path}: valid evidence entry {entry.id!r}: {entry.citation}"


VALIDATORS.update(
    portfolio=_validate_portfolio, intervention=_validate_intervention, evidence=_validate_evidence
)


@app.command()
@guarded
def validate(
    file: Path = typer.Argument(..., help="A portfolio, intervention or other appraise file."),
) -> None:
    """Check a file and say what is wrong with it (exit 2 if anything is)."""
    one_blas_thread()
    from appraise.errors import InputError
    from appraise.model.load import detect_kind, read_yaml

    # Actuals may come as CSV (the shape finance systems export); everything else is YAML.
    kind = "actuals" if file.suffix.lower() == ".csv" else detect_kind(read_yaml(file))
    check = VALIDATORS.get(kind)
    if check is None:
        raise InputError.one(
            str(file),
            "",
            "cannot tell what kind of file this is: expected a portfolio (with interventions and "
            f"outcomes), an intervention (with averts and effect, or effects) or one of: {', '.join(VALIDATORS)}",
        )
    emit(check(file))


@app.command("list")
@guarded
def list_library(
    format: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="table or json."),
) -> None:
    """The intervention library: id, category, evidence rating and what each one is."""
    from appraise.display import table, to_json
    from appraise.model.load import load_evidence, load_library

    items = load_library()
    evidence = load_evidence()
    if format is TableOrJson.json:
        emit(
            to_json(
                [
                    {
                        "id": i.id,
                        "name": i.name,
                        "category": i.category,
                        "averts": i.averts,
                        "outcomes_averted": i.outcomes_averted,
                        "evidence_rating": i.evidence.rating,
                        "description": i.description,
                        "sources": [evidence[s].citation for s in i.evidence.sources],
                    }
                    for i in items
                ]
            )
        )
        return
    rows = [[i.id, i.category, i.evidence.rating, i.description or i.name] for i in items]
    emit(table(["Intervention", "Category", "Evidence", "Description"], rows, [False] * 4))

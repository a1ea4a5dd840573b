"""`appraise costs`: the unit-cost library, searched, optionally in one price base."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from appraise.cli._app import TableOrJson, app, emit, guarded

if TYPE_CHECKING:
    from appraise.model.costs import CostItem
    from appraise.model.prices import Index, PriceYear, Uprating

ITEM_WIDTH = 60
SOURCE_WIDTH = 50
FORECAST_MARK, PROVISIONAL_MARK = "*", "†"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _amount(x: float) -> str:
    from appraise.display import money

    return money(x, 0 if float(x).is_integer() else 2)


def find_items(search: str | None) -> list[CostItem]:
    """Items matching every word of `search`; a code (`gmca:SS9.9`) matching nothing is an
    unknown item code (InputError with the closest codes)."""
    from appraise.model.costs import load_cost_library

    library = load_cost_library()
    text = (search or "").strip()
    found = library.search(text)
    if not found and ":" in text and " " not in text:
        library.get(text, "appraise costs", "SEARCH")
    return found


def uprate_items(items: list[CostItem], index: Index, to_year: PriceYear) -> dict[str, Uprating]:
    """Each item's value in `to_year` prices; every item the index does not cover is a problem."""
    from appraise.errors import InputError, Problem

    out: dict[str, Uprating] = {}
    problems: list[Problem] = []
    for item in items:
        try:
            out[item.code] = item.uprate(index, to_year, "unit-cost library", item.code)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return out


def costs_data(
    search: str | None, to_year: PriceYear | None = None, index: Index | None = None
) -> dict[str, Any]:
    """What `appraise costs` shows, as JSON-ready data."""
    from appraise.model.costs import load_cost_library

    items = find_items(search)
    library = load_cost_library()
    upratings = uprate_items(items, index, to_year) if to_year and index else {}
    records = []
    for item in items:
        record = item.to_data()
        if item.code in upratings:
            record["uprated"] = upratings[item.code].to_data()
        records.append(record)
    shown = list(dict.fromkeys(i.prefix for i in items))
    return {
        "search": search or "",
        "count": len(items),
        "of": len(library),
        "price_base": to_year.label if to_year else None,
        "price_base_note": to_year.note if to_year else None,
        "index": _index_data(index) if to_year and index else None,
        "items": records,
        "sources": [library.sources[p].to_data() for p in shown],
    }


def _index_data(index: Index) -> dict[str, Any]:
    data = index.to_data()
    data.pop("values")
    data["label"] = index.label
    return data


def _mark(uprated: dict[str, Any]) -> str:
    return (FORECAST_MARK if uprated["uses_forecast"] else "") + (
        PROVISIONAL_MARK if uprated["uses_provisional"] else ""
    )


def _credit(source: dict[str, Any]) -> str:
    """The attribution a source asks for, with its licence unless the attribution names it."""
    text = source["attribution"]
    return text if source["licence"] in text else f"{text} Licence: {source['licence']}."


def costs_table(data: dict[str, Any]) -> str:
    """The readable output of `appraise costs`."""
    from appraise.display import money, table

    what = f"matching {data['search']!r}" if data["search"] else "in the library"
    if not data["items"]:
        return f"No unit costs {what} (of {data['of']} items). Try a shorter search."
    base = data["price_base"]
    head = f"Unit costs {what} ({data['count']} of {data['of']} items)"
    if base:
        head += (
            f", with each value brought to {base} prices by the {data['index']['label']}: "
            f"value x index({base}) / index(price year)."
        )
    else:
        head += ", each in the prices of its own year: uprate before use (--uprate-to 2024-25)."
    headers = ["Code", "Item", "Value", "Unit", "Price year"]
    if base:
        headers += ["Factor", f"{base} value"]
    headers += ["Confidence", "Source"]
    rows = []
    for r in data["items"]:
        row = [
            r["code"],
            _short(r["item"], ITEM_WIDTH),
            _amount(r["value"]),
            r["unit"],
            r["price_year"],
        ]
        if base:
            u = r["uprated"]
            row += [f"{u['factor']:.4f}", money(u["result"], 2) + _mark(u)]
        row += [r["confidence"] or "", _short(r["source"], SOURCE_WIDTH)]
        rows.append(row)
    right = [False, False, True, False, False] + ([True, True] if base else []) + [False, False]
    notes = textwrap.wrap(
        "Confidence: the Greater Manchester database's own grade (G green, A amber, R red); "
        "blank for values quoted in a line's comment and for items from other sources.",
        100,
    )
    if data["price_base_note"]:
        notes.append(f"Price base: {data['price_base_note']}.")
    if base:
        marks = [r["uprated"] for r in data["items"]]
        if any(u["uses_forecast"] for u in marks):
            notes.append(
                f"{FORECAST_MARK} rests on a forecast index value: {data['index']['forecast_note']}."
            )
        if any(u["uses_provisional"] for u in marks):
            notes.append(
                f"{PROVISIONAL_MARK} rests on a provisional index value: "
                f"{data['index']['forecast_note']}."
            )
    notes.append("Sources and licences:")
    for source in data["sources"]:
        notes += textwrap.wrap(
            f"{source['prefix']}: {_credit(source)}",
            100,
            initial_indent="  ",
            subsequent_indent="    ",
        )
    return "\n".join([head, "", table(headers, rows, right), "", *notes])


@app.command()
@guarded
def costs(
    search: list[str] | None = typer.Argument(
        None,
        metavar="SEARCH",
        help="Words to look for in the code, description, unit or source (all must match).",
        show_default=False,
    ),
    uprate_to: str | None = typer.Option(
        None,
        "--uprate-to",
        metavar="YEAR",
        help="Show every value in this year's prices too (a financial year: 2024-25).",
    ),
    index: str = typer.Option(
        "gdp_deflator",
        "--index",
        metavar="NAME|FILE.csv",
        help="Index for --uprate-to: gdp_deflator, nhs_cost_inflation (or _pay, _prices), or a CSV.",
    ),
    format: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="table or json."),
) -> None:
    """The unit-cost library: code, value, unit, price year, confidence and source of each item."""
    from appraise.display import to_json
    from appraise.errors import InputError
    from appraise.model.prices import load_index, parse_price_year

    if uprate_to is None and index != "gdp_deflator":
        raise InputError.one("--index", "", "--index goes with --uprate-to YEAR", index)
    to_year = parse_price_year(uprate_to, "--uprate-to", "") if uprate_to is not None else None
    series = load_index(index, Path.cwd(), "--index", "") if to_year is not None else None
    if series is not None and to_year is not None and not series.covers(to_year):
        raise InputError.one(
            "--uprate-to",
            "",
            f"{to_year} is outside the {series.label}, which covers {series.coverage}; "
            "an index is never extrapolated",
            uprate_to,
        )
    data = costs_data(" ".join(search or []), to_year, series)
    emit(to_json(data) if format is TableOrJson.json else costs_table(data))

"""Which prices each money figure of a portfolio is in, and the index that brings it to the base.

Every money block (an intervention's unit cost, an outcome component's cost, a derived outcome's
weekly placement cost, the baseline's weekly placement cost) has a price year: its own, else its
intervention's or outcome's, else the portfolio's price base (and then it is *assumed* to be in
base-year prices, which the JSON and the workbook say). Each is uprated by its payer's index:
the GDP deflator by default, the NHS cost inflation index for health, or the portfolio's
`price_index` choice. The arithmetic is a line of `appraise.engine.lines`; this module only
says which year and which index, and checks that the index covers both years.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appraise.errors import InputError, Problem
from appraise.model.numbers import central
from appraise.model.prices import Index, PriceYear, Uprating, index_spec, load_index
from appraise.model.schema import CHILDRENS_SOCIAL_CARE, Portfolio

DEFAULT_INDEX = "gdp_deflator"  # HM Treasury's GDP deflator: the Green Book's default
PAYER_DEFAULTS = {"health": "nhs_cost_inflation"}  # PSSRU's NHS cost inflation index


@dataclass(frozen=True)
class Block:
    """A money figure's prices: where it is, whose index uprates it, and its year."""

    path: str  # the field path of the block (e.g. interventions[0].unit_cost)
    payer: str  # whose index applies
    year: PriceYear
    assumed: bool  # no year given anywhere: taken to be in base-year prices


def index_name(portfolio: Portfolio, payer: str) -> str:
    """The name (or spec key) of the index a payer's money is uprated by."""
    spec = portfolio.price_index.get(payer)
    if spec is None:
        return PAYER_DEFAULTS.get(payer, DEFAULT_INDEX)
    return spec if isinstance(spec, str) else f"{payer} (price_index)"


def indices(portfolio: Portfolio, file: str | None = None) -> dict[str, Index]:
    """Each payer's index (its name as the key), read once; problems name the portfolio file."""
    file = file or portfolio.file
    folder = Path(file).parent if file else None
    payers = {CHILDRENS_SOCIAL_CARE} | {
        c.payer for o in portfolio.outcomes.values() for c in (o.components or [])
    }
    found: dict[str, Index] = {}
    read = portfolio._indices  # noqa: SLF001  (what was read at load: a CSV is read once)
    for payer in sorted(payers):
        name = index_name(portfolio, payer)
        if name in found:
            continue
        spec = portfolio.price_index.get(payer, name)
        key = f"{payer}:{json.dumps(spec, sort_keys=True, default=str)}"
        if key not in read:
            read[key] = load_index(spec, folder, file, f"price_index.{payer}")
        found[name] = read[key]
    return found


def reads_file(spec: Any) -> bool:
    """Whether a `price_index` choice names a CSV file (rather than a shipped index or values)."""
    if isinstance(spec, str):
        return spec.lower().endswith(".csv")
    return isinstance(spec, dict) and "csv" in spec


def inline_indices(portfolio: Portfolio, data: dict[str, Any]) -> dict[str, Any]:
    """Portfolio file data with each `price_index` that names a CSV file replaced by the values
    read from it (`index_spec`), so that the data stands alone: the app keeps a portfolio as data
    and must never read a file again once its upload has gone."""
    choices = data.get("price_index") or {}
    if not any(reads_file(spec) for spec in choices.values()):
        return data
    found = indices(portfolio)
    inlined = dict(choices)
    for payer, spec in choices.items():
        if reads_file(spec):
            inlined[payer] = index_spec(found[index_name(portfolio, payer)])
    return {**data, "price_index": inlined}


@dataclass(frozen=True)
class PriceRow:
    """A row of the placement table: a placement type, or a price a change writes itself."""

    name: str  # the placement type, or "<outcome>.from" / "<outcome>.to"
    path: str  # its block's field path: placements.<type> or outcomes.<key>.change.<side>
    value: Any  # the price per unit (a number or a distribution)
    per: str
    payer: str
    year: PriceYear | None  # as written (None: its outcome's, else the base)


def price_rows(portfolio: Portfolio) -> list[PriceRow]:
    """The placement table: every placement type, then each price a change gives as a number."""
    rows = [
        PriceRow(
            name, f"placements.{name}", p.weekly_cost, p.per, CHILDRENS_SOCIAL_CARE, p.price_year
        )
        for name, p in portfolio.placements.items()
    ]
    for key, outcome in portfolio.outcomes.items():
        change = outcome.change
        if change is None:
            continue
        for side, end in zip(("from", "to"), change.ends, strict=True):
            if not isinstance(end, str):
                rows.append(
                    PriceRow(
                        f"{key}.{side}",
                        f"outcomes.{key}.change.{side}",
                        end,
                        "unit",
                        change.payer,
                        outcome.price_year,
                    )
                )
    return rows


def change_ends(portfolio: Portfolio, key: str) -> tuple[str, str]:
    """The placement-table names a change of outcome `key` runs from and to."""
    change = portfolio.outcomes[key].change
    assert change is not None
    ends = [
        end if isinstance(end, str) else f"{key}.{side}"
        for side, end in zip(("from", "to"), change.ends, strict=True)
    ]
    return ends[0], ends[1]


def blocks(portfolio: Portfolio) -> dict[str, Block]:
    """Every money block of the portfolio, by its field path."""
    base = portfolio.price_year
    out: dict[str, Block] = {}

    def add(path: str, payer: str, *years: PriceYear | None) -> None:
        given = next((y for y in years if y is not None), None)
        out[path] = Block(path, payer, given or base, given is None)

    for i, item in enumerate(portfolio.interventions):
        add(
            f"interventions[{i}].unit_cost",
            CHILDRENS_SOCIAL_CARE,
            item.unit_cost.price_year,
            item.price_year,
        )
    for key, outcome in portfolio.outcomes.items():
        if outcome.derive is not None:
            add(
                f"outcomes.{key}.derive",
                CHILDRENS_SOCIAL_CARE,
                outcome.derive.price_year,
                outcome.price_year,
            )
        for j, c in enumerate(outcome.components or []):
            add(f"outcomes.{key}.components[{j}]", c.payer, c.price_year, outcome.price_year)
    for row in price_rows(portfolio):
        add(row.path, row.payer, row.year)
    if portfolio.baseline is not None:
        add("baseline", CHILDRENS_SOCIAL_CARE, portfolio.baseline.price_year)
    return out


def check_prices(portfolio: Portfolio, file: str | None = None) -> list[Problem]:
    """Each block's year and the price base within its index (never extrapolated), for every
    block not already in base-year prices."""
    file = file or portfolio.file
    try:
        found = indices(portfolio, file)
    except InputError as exc:
        return exc.problems
    problems = []
    for block in blocks(portfolio).values():
        if block.year == portfolio.price_year:
            continue  # the same year is a factor of 1: the index is not consulted
        index = found[index_name(portfolio, block.payer)]
        for year, what in (
            (block.year, "its price year"),
            (portfolio.price_year, "the price base"),
        ):
            if not index.covers(year):
                problems.append(
                    Problem(
                        file,
                        f"{block.path}.price_year" if what == "its price year" else "price_year",
                        f"{what} {year.label} is outside {index.label}, which covers "
                        f"{index.coverage} (appraise does not extrapolate an index)",
                        year.label,
                    )
                )
    return list(dict.fromkeys(problems))


@dataclass(frozen=True)
class PriceTable:
    """The indices a portfolio uses as one table: index levels by financial year and series.

    Years run from the earliest year any series covers to the latest; a series has no value
    (NaN) outside its own years, which `check_prices` keeps every block away from. A series of
    annual changes is shown as its levels chained from 100 in its first year (only ratios count).
    """

    years: tuple[PriceYear, ...]
    series: tuple[str, ...]  # index names, the default (GDP deflator) first
    indices: dict[str, Index]
    levels: tuple[tuple[float, ...], ...]  # [year][series]
    base: PriceYear
    blocks: dict[str, Block]
    names: dict[str, str]  # block path -> index name

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(y.label for y in self.years)

    def year_at(self, year: PriceYear) -> int:
        return self.years.index(year)

    def series_at(self, name: str) -> int:
        return self.series.index(name)

    def index_of(self, path: str) -> Index:
        """The index that uprates the block at `path`."""
        return self.indices[self.names[path]]

    def uprating(self, path: str, amount: float) -> Uprating:
        """The audit record of bringing `amount`, the block's figure, to the price base."""
        block = self.blocks[path]
        return self.index_of(path).uprate(amount, block.year, self.base, path=path)


def price_table(portfolio: Portfolio, file: str | None = None) -> PriceTable:
    """The portfolio's indices as one table, with every block's year and index (checked)."""
    found = indices(portfolio, file)
    every = blocks(portfolio)
    names = {path: index_name(portfolio, b.payer) for path, b in every.items()}
    series = sorted(found, key=lambda name: (name != DEFAULT_INDEX, name))
    # Every block's year and the base are rows, even where no index covers them (a block in the
    # base year is not uprated, so an old price base with no index still appraises).
    wanted = [portfolio.price_year, *(b.year for b in every.values())]
    first = min([i.first_year for i in found.values()] + wanted)
    last = max([i.last_year for i in found.values()] + wanted)
    years = tuple(first.shifted(k) for k in range(last.start - first.start + 1))
    levels = tuple(
        tuple(found[s].value(y) if found[s].covers(y) else float("nan") for s in series)
        for y in years
    )
    return PriceTable(years, tuple(series), found, levels, portfolio.price_year, every, names)


def _amounts(portfolio: Portfolio) -> dict[str, tuple[str, float]]:
    """Each block's figure (central value) and its field, by block path."""
    out: dict[str, tuple[str, float]] = {}
    for i, item in enumerate(portfolio.interventions):
        cost = item.unit_cost
        form = cost.form
        if form == "staff":
            staff = sum(
                central(s.fte) * central(s.salary) * (1 + central(s.on_costs))
                for s in cost.staff or ()
            )
            value = staff + (central(cost.non_staff) if cost.non_staff is not None else 0.0)
            out[f"interventions[{i}].unit_cost"] = ("staff", value)
            continue
        field_, amount = ("amount", cost.amount) if form == "per_case" else ("total", cost.total)
        out[f"interventions[{i}].unit_cost"] = (field_, central(amount))
    for key, outcome in portfolio.outcomes.items():
        if outcome.derive is not None:
            out[f"outcomes.{key}.derive"] = (
                "weekly_placement_cost",
                central(outcome.derive.weekly_placement_cost),
            )
        for j, c in enumerate(outcome.components or []):
            out[f"outcomes.{key}.components[{j}]"] = ("cost", central(c.cost))
    for row in price_rows(portfolio):
        field_ = "weekly_cost" if row.path.startswith("placements.") else ""
        out[row.path] = (field_, central(row.value))
    if portfolio.baseline is not None:
        out["baseline"] = ("weekly_placement_cost", portfolio.baseline.weekly_placement_cost)
    return out


def audit(portfolio: Portfolio, table: PriceTable) -> dict[str, Any]:
    """The prices record of the results: the base, the indices and every block's uprating."""
    base = portfolio.price_year
    records = []
    # Interventions that cost the same in the same year's prices are uprated alike: each such
    # uprating is worked out once (the text of the figure and the years: -0.0 is not 0.0, and
    # a year's written form is shown).
    made: dict[tuple[int, str, str], dict[str, Any]] = {}
    # A year many blocks share (the price base) is written out once: by its id, as the blocks
    # hold it while this runs.
    years: dict[int, str] = {}
    for path, (field_, amount) in _amounts(portfolio).items():
        block = table.blocks[path]
        index = table.index_of(path)
        year = years.get(id(block.year))
        if year is None:
            year = years[id(block.year)] = repr(block.year)
        key = (id(index), repr(amount), year)
        record = made.get(key)
        if record is None:
            record = made[key] = index.uprate(amount, block.year, base, path=path).to_data()
        field_path = f"{path}.{field_}" if field_ else path
        records.append({"block": path, "field": field_path, "assumed": block.assumed, **record})
    notes = [n for n in (base.note,) if n]
    assumed = [r["block"] for r in records if r["assumed"]]
    if assumed:
        notes.append(
            f"{len(assumed)} of {len(records)} money figures give no price year: taken to be in "
            f"{base} prices ({', '.join(assumed)})"
        )
    return {
        "price_base": base.label,
        "price_base_written": base.written or base.label,
        "indices": {
            name: {
                "label": index.label,
                "release": index.release,
                "covers": index.coverage,
                "licence": index.licence,
                "source": index.source,
                "evidence": index.evidence,
            }
            for name, index in table.indices.items()
        },
        "uprated": records,
        "notes": notes,
    }


def care_prices(table: PriceTable) -> dict[str, Any]:
    """The forecast's price inputs for a portfolio's baseline: the table, and the base's, the
    baseline's year's and its index's positions in it (names alongside, for the workbook)."""
    block = table.blocks["baseline"]
    return {
        "price_indices": table.levels,
        "price_base": table.year_at(table.base),
        "baseline_price_year": table.year_at(block.year),
        "baseline_index": table.series_at(table.names["baseline"]),
        "years": table.labels,
        "series": table.series,
    }


def block_prices(portfolio: Portfolio) -> dict[str, tuple[PriceYear, str]]:
    """Each money block's price year and index name, by block path (no index is read)."""
    return {path: (b.year, index_name(portfolio, b.payer)) for path, b in blocks(portfolio).items()}

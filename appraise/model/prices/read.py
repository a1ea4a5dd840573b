"""Reading index series: CSV text, mappings written in a portfolio, and the shipped files.

Every series is checked the same way, shipped or not: years well written and each given once, no
gap, values finite and above 0 (annual changes above -100%), a known status. Problems are
InputErrors naming the file, the field (`row 3.index`, `price_index.values.2009-10`) and the value.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from appraise.errors import InputError, Problem
from appraise.model.prices.index import ANNUAL_CHANGE, LEVEL, STATUSES, Form, Index, IndexPoint
from appraise.model.prices.years import (
    FIRST_YEAR,
    LAST_YEAR,
    PriceYear,
    parse_price_year,
    read_price_year,
)
from appraise.model.reading import quotable, quoting_nothing, read_file, read_reference
from appraise.model.yamltext import parse_yaml

DATA = Path(__file__).resolve().parents[2] / "data"
SOURCES = DATA / "sources.yaml"
MAX_INDEX_BYTES = 1024 * 1024


_VALUE_COLUMNS = {"index": LEVEL, "annual_pct_change": ANNUAL_CHANGE}


def _check_value(
    raw: Any, form: Form, file: str, where: str, text_ok: bool
) -> tuple[float | None, list[Problem]]:
    """A published value as a number: finite, above 0 for an index value, above -100% for a
    change (a level at or below zero has no meaning)."""
    if isinstance(raw, bool) or (isinstance(raw, str) and not text_ok):
        return None, [Problem(file, where, "expected a number", raw)]
    try:
        number = float(raw)
    except (TypeError, ValueError):
        return None, [Problem(file, where, "expected a number", raw)]
    if not math.isfinite(number):
        return None, [Problem(file, where, "expected a finite number", raw)]
    if form == LEVEL and number <= 0:
        return None, [Problem(file, where, "an index value must be above 0", raw)]
    if form == ANNUAL_CHANGE and number <= -100:
        return None, [Problem(file, where, "an annual change must be above -100 (percent)", raw)]
    return number, []


class Row(NamedTuple):
    """One published value as read, with the field paths that name its year, value and status."""

    year_at: str
    value_at: str
    status_at: str
    year: Any
    value: Any
    status: Any = None


def build_index(
    rows: list[Row], form: Form, file: str, text_values: bool = False, **meta: Any
) -> Index:
    """An Index from rows as read, checked: years well written, each once, no gap; values
    finite and positive (changes above -100%); a known status. Values read from a CSV are text
    (`text_values`); in a mapping they must be numbers. `meta` is the Index's other fields."""
    if len(rows) > LAST_YEAR - FIRST_YEAR + 1:
        raise InputError.one(file, "", f"an index has at most {LAST_YEAR - FIRST_YEAR + 1} years")
    problems: list[Problem] = []
    points: dict[PriceYear, IndexPoint] = {}
    seen: dict[PriceYear, str] = {}  # every well-written year, even with a bad value
    for row in rows:
        try:
            year = read_price_year(row.year)
        except ValueError as exc:
            problems.append(Problem(file, row.year_at, str(exc), row.year))
            continue
        value, found = _check_value(row.value, form, file, row.value_at, text_values)
        problems += found
        status = "outturn" if row.status in (None, "") else str(row.status).strip().lower()
        if status not in STATUSES:
            message = f"status must be one of {', '.join(STATUSES)}"
            problems.append(Problem(file, row.status_at, message, row.status))
            continue
        if year in seen:
            message = f"{year} is given twice (also at {seen[year]})"
            problems.append(Problem(file, row.year_at, message, row.year))
            continue
        seen[year] = row.year_at
        if value is not None:
            points[year] = IndexPoint(year, value, status)
    ordered = sorted(seen)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start != before.start + 1:
            missing = [before.shifted(k).label for k in range(1, after.start - before.start)]
            problems.append(
                Problem(
                    file,
                    seen[after],
                    f"a gap: no value for {', '.join(missing)} (between {before} and {after}); "
                    "an index needs every year, and a missing one is never filled in",
                    after.label,
                )
            )
    needed = 2 if form == LEVEL else 1
    if not problems and len(points) < needed:
        what = "two index values" if form == LEVEL else "one annual change"
        problems.append(Problem(file, "", f"an index needs at least {what}"))
    if problems:
        raise InputError(problems)
    return Index(form=form, points=tuple(points[y] for y in ordered), **meta)


def parse_index_csv(text: str, file: str, series: str | None = None, **meta: Any) -> Index:
    """An index from CSV text: a `financial_year` column and either `index` (index values) or
    `annual_pct_change`; optional `status` (outturn, final, provisional, forecast) and `series`
    (a file holding several series needs `series` to pick one). Lines starting with # are notes."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    header = [(h or "").strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    given = [c for c in _VALUE_COLUMNS if c in header]
    if "financial_year" not in header or len(given) != 1:
        raise InputError.one(
            file,
            "header",
            "an index CSV needs a financial_year column and one of index (index values) or "
            "annual_pct_change (annual percentage changes); found "
            + (", ".join(h for h in header if quotable(h)) or "no such column"),
        )
    column = given[0]
    rows: list[Row] = []
    seen_series: set[str] = set()
    for n, raw in enumerate(reader, start=1):
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        if "series" in row:
            seen_series.add(row["series"])
            if series is not None and row["series"] != series:
                continue
        at = f"row {n}"
        rows.append(
            Row(
                f"{at}.financial_year",
                f"{at}.{column}",
                f"{at}.status",
                row["financial_year"],
                row[column],
                row.get("status"),
            )
        )
        if len(rows) > LAST_YEAR - FIRST_YEAR + 1:
            break
    if series is None and len(seen_series) > 1:
        raise InputError.one(
            file,
            "series",
            f"this file holds several series ({', '.join(sorted(filter(quotable, seen_series)))}): "
            "name one with "
            "{csv: FILE, series: NAME}",
        )
    if series is not None and series not in seen_series:
        raise InputError.one(
            file,
            "series",
            f"no rows for this series (found {', '.join(sorted(filter(quotable, seen_series))) or 'none'})",
            series,
        )
    meta.setdefault("source", file)
    meta.setdefault("name", Path(file).stem)
    meta.setdefault("title", f"own series ({Path(file).name})")
    return build_index(rows, _VALUE_COLUMNS[column], file, text_values=True, **meta)


def read_text(path: Path, file: str, limit: int = MAX_INDEX_BYTES) -> str:
    """A small UTF-8 text file; missing, too large, not an ordinary file (a FIFO, a device,
    /proc) or unreadable is an InputError (`appraise.model.reading.read_file`)."""
    try:
        return read_file(path, limit, name=file).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.one(file, "", f"file is not UTF-8 text ({exc.reason})") from None


_SPEC_KEYS = (
    "name",
    "release",
    "values",
    "annual_change",
    "csv",
    "series",
    "forecast_from",
    "status",
)


def index_spec(index: Index) -> dict[str, Any]:
    """A mapping `load_index` reads back to the same series: its values by year, its name and
    release, and the status of each value that is not outturn."""
    key = "values" if index.form == LEVEL else "annual_change"
    spec: dict[str, Any] = {key: {p.year.label: p.value for p in index.points}, "name": index.name}
    if index.release:
        spec["release"] = index.release
    statuses = {p.year.label: p.status for p in index.points if p.status != "outturn"}
    if statuses:
        spec["status"] = statuses
    return spec


def load_index(
    spec: Any, folder: Path | str | None = None, file: str = "", path: str = "price_index"
) -> Index:
    """The index a portfolio names: a shipped index's name, a CSV file in `folder`, or a mapping.

    A mapping is `{2009-10: 67.7, ...}` (index values), or `{values: {...}}`, `{annual_change:
    {...}}` or `{csv: FILE, series: NAME}`, each with optional `name`, `release` and
    `forecast_from` (values from that year on are forecasts). Problems name `file` and `path`.
    """
    if isinstance(spec, Index):
        return spec
    if isinstance(spec, str):
        if spec in _shipped_meta():
            return shipped_index(spec)
        if spec.lower().endswith(".csv"):
            return _index_from_csv(spec, None, {}, folder, file, path)
        names = ", ".join(shipped_index_names())
        raise InputError.one(
            file, path, f"unknown index: name a shipped one ({names}) or a CSV file", spec
        )
    if isinstance(spec, Mapping):
        return _index_from_mapping(spec, folder, file, path)
    raise InputError.one(
        file, path, "expected an index name, a CSV file name or a mapping of years to values", spec
    )


def _index_from_csv(
    name: str, series: Any, meta: dict[str, Any], folder: Path | str | None, file: str, path: str
) -> Index:
    if series is not None and not isinstance(series, str):
        raise InputError.one(file, f"{path}.series", "expected the name of a series", series)
    # Read like every file a file names (`appraise.model.reading`): inside the portfolio's folder
    # (in the app: among the uploads), once, and never quoted in a message.
    where = Path(folder) if folder is not None else None
    target, content = read_reference(name, file, path, MAX_INDEX_BYTES, folder=where)
    meta = {"name": Path(name).stem, "title": f"own series ({name})", **meta}
    with quoting_nothing(target):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError.one(target, "", f"file is not UTF-8 text ({exc.reason})") from None
        return parse_index_csv(text, target, series=series, **meta)


def _index_from_mapping(
    spec: Mapping[Any, Any], folder: Path | str | None, file: str, path: str
) -> Index:
    keys = set(spec)
    if keys and not keys & set(_SPEC_KEYS):  # {2009-10: 67.7, ...}: index values, nothing else
        return _inline(spec, LEVEL, path, file, {})
    unknown = [k for k in spec if k not in _SPEC_KEYS]
    if unknown:
        raise InputError.one(
            file, f"{path}.{unknown[0]}", f"unknown key; allowed keys: {', '.join(_SPEC_KEYS)}"
        )
    forms = [k for k in ("values", "annual_change", "csv") if k in spec]
    if len(forms) != 1:
        raise InputError.one(
            file, path, "give exactly one of values, annual_change or csv", sorted(map(str, keys))
        )
    for key in ("name", "release"):
        if key in spec and not (isinstance(spec[key], str) and spec[key].strip()):
            raise InputError.one(file, f"{path}.{key}", "expected text", spec[key])
    meta: dict[str, Any] = {k: spec[k].strip() for k in ("name", "release") if k in spec}
    if "name" in meta:
        meta["title"] = meta["name"]
    forecast_from = None
    if "forecast_from" in spec:
        forecast_from = parse_price_year(spec["forecast_from"], file, f"{path}.forecast_from")
    statuses = spec.get("status", {})
    if not isinstance(statuses, Mapping):
        raise InputError.one(file, f"{path}.status", "expected a mapping of years to statuses")
    if "status" in spec and forms == ["csv"]:
        raise InputError.one(file, f"{path}.status", "a CSV gives its statuses in a status column")
    if forms == ["csv"]:
        if not isinstance(spec["csv"], str):
            raise InputError.one(file, f"{path}.csv", "expected a file name", spec["csv"])
        index = _index_from_csv(spec["csv"], spec.get("series"), meta, folder, file, path)
    else:
        if "series" in spec:
            raise InputError.one(file, f"{path}.series", "series goes with csv")
        key = forms[0]
        form: Form = LEVEL if key == "values" else ANNUAL_CHANGE
        index = _inline(spec[key], form, f"{path}.{key}", file, meta, statuses)
    if forecast_from is None:
        return index
    points = tuple(
        IndexPoint(p.year, p.value, "forecast") if p.year >= forecast_from else p
        for p in index.points
    )
    return replace(index, points=points)


def _inline(
    values: Any,
    form: Form,
    at: str,
    file: str,
    meta: dict[str, Any],
    statuses: Mapping[Any, Any] | None = None,
) -> Index:
    """A series written in the portfolio at field path `at`: a mapping of years to numbers (and
    `statuses`, a mapping of some of those years to a status other than outturn)."""
    if not isinstance(values, Mapping) or not values:
        raise InputError.one(file, at, "expected a mapping of years to values", values)
    statuses = statuses or {}
    unknown = [y for y in statuses if y not in values]
    if unknown:
        where = at.rsplit(".", 1)[0] + ".status"
        raise InputError.one(file, f"{where}.{unknown[0]}", "a year with no value", unknown[0])
    rows = [
        Row(f"{at}.{y}", f"{at}.{y}", f"{at}.{y}", y, v, statuses.get(y)) for y, v in values.items()
    ]
    meta = {"name": "own_series", "title": f"own series ({at})", "source": file, **meta}
    return build_index(rows, form, file, **meta)


@lru_cache(maxsize=1)
def data_sources() -> dict[str, Any]:
    """`appraise/data/sources.yaml`: what each shipped index and unit-cost source is."""
    # libyaml, as every file is read (PyYAML's pure-Python loader took 0.005 s of every start).
    data = parse_yaml(read_text(SOURCES, str(SOURCES)), str(SOURCES))
    if not isinstance(data, dict):
        raise InputError.one(str(SOURCES), "", "expected a mapping")
    return data


def _shipped_meta() -> dict[str, dict[str, Any]]:
    return dict(data_sources().get("indices") or {})


def shipped_index_names() -> tuple[str, ...]:
    """The names of the indices shipped with appraise (`gdp_deflator`, `nhs_cost_inflation`...)."""
    return tuple(_shipped_meta())


@lru_cache(maxsize=16)
def shipped_index(name: str) -> Index:
    """A shipped index by name, read from `appraise/data/` (InputError if there is no such one)."""
    meta = _shipped_meta().get(name)
    if meta is None:
        raise InputError.one(
            str(SOURCES),
            "indices",
            f"no shipped index (have {', '.join(shipped_index_names())})",
            name,
        )
    target = DATA / meta["file"]
    index = parse_index_csv(
        read_text(target, str(target)),
        str(target),
        series=meta.get("series"),
        name=name,
        title=meta["title"],
        publisher=meta.get("publisher", ""),
        release=meta.get("release", ""),
        description=meta.get("description", ""),
        release_detail=meta.get("release_detail", ""),
        base=meta.get("base", ""),
        licence=meta.get("licence", ""),
        evidence=meta.get("evidence"),
        source=f"appraise/data/{meta['file']}",
        forecast_note=meta.get("forecast_note", ""),
    )
    if index.form != meta.get("form"):
        raise InputError.one(
            str(target), "header", f"expected a {meta.get('form')} series", index.form
        )
    return index

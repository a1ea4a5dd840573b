"""The unit-cost library: published unit costs, each with its price year, source and licence.

Items come from the children's and families lines of the Greater Manchester Unit Cost Database
v1.4 (New Economy, 2015; CC BY 4.0) and from a few other sources for costs it lacks
(`appraise/data/unit-costs/additions.yaml`, each figure as its source states it). An item's code
is its source's prefix and the source's own code: `gmca:SS2.0`, `pssru2017:foster-care`. What
each prefix is, with its licence and required attribution, is in `appraise/data/sources.yaml`.

Public API:

- `load_cost_library() -> CostLibrary` (cached): `.items`, `.sources` (prefix -> CostSource),
  `.get(code, file=, path=) -> CostItem` (an unknown code is an InputError naming file, field and
  code, with the closest codes), `.search(text) -> list[CostItem]`.
- `cost_item(code, file=, path=)` and `search_costs(text)`: the same on the shipped library.
- `CostItem`: `code`, `item`, `value` (pounds), `unit` (as the source writes it: "Per week"),
  `price_year` (a `PriceYear`), `source` (the study the figure comes from), `library`, `licence`,
  `attribution`, `confidence` (the GMCA red/amber/green grade `R`/`A`/`G`, or None), `evidence`
  (an evidence id), `from_comment`, `notes`; `uprate(index, to_year)` gives a `prices.Uprating`.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from appraise.errors import InputError, Problem
from appraise.model.prices import (
    DATA,
    Index,
    PriceYear,
    Uprating,
    data_sources,
    read_price_year,
    read_text,
)

CODE = re.compile(r"^([a-z][a-z0-9]*):([A-Za-z0-9][A-Za-z0-9._-]*)$")
CONFIDENCE_NAMES = {"G": "green", "A": "amber", "R": "red"}
MAX_ITEMS = 10_000
GMCA_COLUMNS = (
    "code",
    "item",
    "value",
    "unit",
    "price_year",
    "scope",
    "agency",
    "original_source",
    "confidence_rag",
    "from_comment",
    "notes",
)
# An item added to the library has the database's columns but its confidence grade and comment flag.
ADDITION_KEYS = set(GMCA_COLUMNS) - {"confidence_rag", "from_comment"}


@dataclass(frozen=True)
class CostSource:
    """A source of unit costs: a code prefix, what it is, its licence and the attribution due."""

    prefix: str
    title: str
    publisher: str
    licence: str
    attribution: str
    evidence: str | None = None
    url: str = ""

    def to_data(self) -> dict[str, Any]:
        return {
            "prefix": self.prefix,
            "title": self.title,
            "publisher": self.publisher,
            "licence": self.licence,
            "attribution": self.attribution,
            "evidence": self.evidence,
            "url": self.url,
        }


@dataclass(frozen=True)
class CostItem:
    """One published unit cost, in the prices of its own year."""

    code: str
    item: str
    value: float
    unit: str
    price_year: PriceYear
    source: str
    library: str
    licence: str
    attribution: str
    confidence: str | None = None
    evidence: str | None = None
    scope: str = ""
    agency: str = ""
    from_comment: bool = False
    notes: str = ""

    @property
    def prefix(self) -> str:
        return self.code.split(":", 1)[0]

    @property
    def confidence_name(self) -> str | None:
        """'green', 'amber' or 'red' (the database's own grade), or None."""
        return CONFIDENCE_NAMES.get(self.confidence or "")

    def uprate(self, index: Index, to_year: Any, file: str = "", path: str = "") -> Uprating:
        """This item's value brought to `to_year` prices by `index` (InputError if outside it)."""
        return index.uprate(self.value, self.price_year, to_year, file, path or self.code)

    def to_data(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "item": self.item,
            "value": self.value,
            "unit": self.unit,
            "price_year": self.price_year.label,
            "confidence": self.confidence,
            "source": self.source,
            "library": self.library,
            "licence": self.licence,
            "evidence": self.evidence,
            "scope": self.scope,
            "agency": self.agency,
            "from_comment": self.from_comment,
            "notes": self.notes,
        }


@dataclass(frozen=True)
class CostLibrary:
    """Every unit-cost item, by code, with the sources they come from."""

    items: tuple[CostItem, ...]
    sources: dict[str, CostSource]

    def __iter__(self) -> Iterator[CostItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def by_code(self) -> dict[str, CostItem]:
        return {i.code: i for i in self.items}

    def get(self, code: Any, file: str = "", path: str = "item") -> CostItem:
        """The item with this code (`gmca:SS2.0`); an unknown code is an InputError naming
        `file`, `path` and the code, with the closest codes."""
        codes = self.by_code
        if isinstance(code, str) and code.strip() in codes:
            return codes[code.strip()]
        text = str(code).strip()
        if isinstance(code, str) and ":" not in text:
            prefixed = [c for c in codes if c.split(":", 1)[1] == text]
            if prefixed:
                raise InputError.one(
                    file,
                    path,
                    f"an item code starts with its source's prefix: did you mean {prefixed[0]!r}?",
                    code,
                )
        same_letters = [c for c in codes if c.lower() == text.lower()]
        close = same_letters or difflib.get_close_matches(text, list(codes), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
        prefixes = ", ".join(f"{p}:" for p in self.sources)
        raise InputError.one(
            file,
            path,
            f"unknown unit-cost item{hint}; codes start with {prefixes} "
            "(list them with `appraise costs`)",
            code,
        )

    def search(self, text: str = "") -> list[CostItem]:
        """Items whose code, description, unit, source or notes contain every word of `text`
        (any case); all items for no text."""
        words = text.lower().split()
        out = []
        for item in self.items:
            haystack = " ".join(
                (item.code, item.item, item.unit, item.source, item.agency, item.notes)
            ).lower()
            if all(w in haystack for w in words):
                out.append(item)
        return out


# ---------------------------------------------------------------------------------------------
# Reading the shipped library
# ---------------------------------------------------------------------------------------------


def _number(raw: Any, file: str, where: str, problems: list[Problem]) -> float | None:
    if isinstance(raw, bool):
        problems.append(Problem(file, where, "expected a number", raw))
        return None
    try:
        number = float(raw)
    except (TypeError, ValueError):
        problems.append(Problem(file, where, "expected a number", raw))
        return None
    if not (math.isfinite(number) and number > 0):
        problems.append(Problem(file, where, "a unit cost must be a finite amount above 0", raw))
        return None
    return number


def _price_year(raw: Any, file: str, where: str, problems: list[Problem]) -> PriceYear | None:
    try:
        return read_price_year(raw)
    except ValueError as exc:
        problems.append(Problem(file, where, str(exc), raw))
        return None


def _source(prefix: str, meta: Any, file: str) -> CostSource:
    if not isinstance(meta, dict) or not all(
        isinstance(meta.get(k), str) and meta[k].strip()
        for k in ("title", "publisher", "licence", "attribution")
    ):
        raise InputError.one(
            file, f"unit_costs.{prefix}", "needs title, publisher, licence and attribution"
        )
    return CostSource(
        prefix=prefix,
        title=meta["title"],
        publisher=meta["publisher"],
        licence=meta["licence"],
        attribution=" ".join(meta["attribution"].split()),
        evidence=meta.get("evidence"),
        url=meta.get("url", ""),
    )


def _with_source(origin: CostSource, **fields: Any) -> CostItem:
    return CostItem(
        library=origin.title,
        licence=origin.licence,
        attribution=origin.attribution,
        evidence=origin.evidence,
        **fields,
    )


def parse_gmca_csv(text: str, file: str, source: CostSource) -> list[CostItem]:
    """The vendored GMCA lines (columns as in `GMCA_COLUMNS`), each checked."""
    reader = csv.DictReader(io.StringIO(text))
    header = list(reader.fieldnames or [])
    missing = [c for c in GMCA_COLUMNS if c not in header]
    if missing:
        raise InputError.one(file, "header", f"missing column(s) {', '.join(missing)}")
    problems: list[Problem] = []
    items = []
    for n, row in enumerate(reader, start=1):
        if n > MAX_ITEMS:
            raise InputError.one(file, "", f"more than {MAX_ITEMS:,} items")
        at = f"row {n}"
        value = _number(row["value"], file, f"{at}.value", problems)
        year = _price_year(row["price_year"], file, f"{at}.price_year", problems)
        grade = row["confidence_rag"].strip() or None
        if grade is not None and grade not in CONFIDENCE_NAMES:
            problems.append(Problem(file, f"{at}.confidence_rag", "expected G, A or R", grade))
        if row["from_comment"] not in ("True", "False"):
            problems.append(
                Problem(file, f"{at}.from_comment", "expected True or False", row["from_comment"])
            )
        if value is None or year is None:
            continue
        items.append(
            _with_source(
                source,
                code=f"{source.prefix}:{row['code'].strip()}",
                item=row["item"].strip(),
                value=value,
                unit=row["unit"].strip(),
                price_year=year,
                source=row["original_source"].strip(),
                confidence=grade,
                scope=row["scope"].strip(),
                agency=row["agency"].strip(),
                from_comment=row["from_comment"] == "True",
                notes=row["notes"].strip(),
            )
        )
    if problems:
        raise InputError(problems)
    return items


def parse_additions(data: Any, file: str, sources: dict[str, CostSource]) -> list[CostItem]:
    """The project's own items (`additions.yaml`), each naming its source by its code prefix."""
    entries = data.get("items") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InputError.one(file, "items", "expected a list of items")
    problems: list[Problem] = []
    items = []
    for n, entry in enumerate(entries):
        at = f"items[{n}]"
        if not isinstance(entry, dict):
            problems.append(Problem(file, at, "expected a mapping"))
            continue
        unknown = sorted(map(str, set(entry) - ADDITION_KEYS))
        lacking = sorted(k for k in ADDITION_KEYS - {"scope", "agency", "notes"} if k not in entry)
        problems += [Problem(file, f"{at}.{k}", "unknown key") for k in unknown]
        problems += [Problem(file, f"{at}.{k}", "missing required key") for k in lacking]
        if unknown or lacking:
            continue
        texts = {k: " ".join(str(entry.get(k, "")).split()) for k in ADDITION_KEYS - {"value"}}
        match = CODE.match(texts["code"])
        if not match or match.group(1) not in sources:
            problems.append(
                Problem(
                    file, f"{at}.code", "expected PREFIX:CODE with a declared prefix", entry["code"]
                )
            )
            continue
        value = _number(entry["value"], file, f"{at}.value", problems)
        year = _price_year(entry["price_year"], file, f"{at}.price_year", problems)
        if value is None or year is None:
            continue
        items.append(
            _with_source(
                sources[match.group(1)],
                code=texts["code"],
                item=texts["item"],
                value=value,
                unit=texts["unit"],
                price_year=year,
                source=texts["original_source"],
                scope=texts["scope"],
                agency=texts["agency"],
                notes=texts["notes"],
            )
        )
    if problems:
        raise InputError(problems)
    return items


@lru_cache(maxsize=1)
def load_cost_library() -> CostLibrary:
    """The shipped unit-cost library (read once): the GMCA lines, then the additions."""
    manifest = data_sources()
    where = str(DATA / "sources.yaml")
    sources = {p: _source(p, meta, where) for p, meta in (manifest.get("unit_costs") or {}).items()}
    items: list[CostItem] = []
    for prefix, meta in manifest["unit_costs"].items():
        if "file" in meta:
            path = DATA / meta["file"]
            items += parse_gmca_csv(read_text(path, str(path)), str(path), sources[prefix])
    path = DATA / manifest["additions"]
    items += parse_additions(yaml.safe_load(read_text(path, str(path))), str(path), sources)
    seen: set[str] = set()
    for item in items:
        if item.code in seen:
            raise InputError.one(str(path), "code", "an item code is given twice", item.code)
        seen.add(item.code)
    return CostLibrary(tuple(items), sources)


def cost_item(code: Any, file: str = "", path: str = "item") -> CostItem:
    """An item of the shipped library by code (`gmca:SS1.0`); unknown codes are an InputError."""
    return load_cost_library().get(code, file, path)


def search_costs(text: str = "") -> list[CostItem]:
    """Items of the shipped library matching every word of `text`."""
    return load_cost_library().search(text)


__all__ = [
    "CostItem",
    "CostLibrary",
    "CostSource",
    "cost_item",
    "load_cost_library",
    "search_costs",
]

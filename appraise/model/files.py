"""Files read against a portfolio: claims (figures a business case states) and actuals (what a
service realised), on the model's base classes. Checking them is `appraise.analyses.verify` and
`appraise.analyses.track`."""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    field_validator,
)

from appraise.errors import InputError, Problem
from appraise.model import periods
from appraise.model.limits import (
    CASES,
    MAX_ACTUALS,
    MAX_ASSUMPTIONS,
    MAX_CASES,
    MAX_CLAIMS,
    MAX_INTERVENTIONS,
    MAX_PER_CASE,
    MAX_PROBLEMS,
    TOTAL_COST,
)
from appraise.model.load import portfolio_from_data, problems_from
from appraise.model.numbers import Domain
from appraise.model.reading import quoting_nothing, read_file, read_reference
from appraise.model.schema import Portfolio
from appraise.model.stated import (
    claimed_value,
    finite_number,
    read_claimed_number,
    read_claimed_text,
)
from appraise.model.yamltext import parse_yaml, parse_yaml_node

# ---------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)


Text = Annotated[str, Field(min_length=1)]
FiniteNumber = Annotated[float, PlainValidator(finite_number)]


def _unique_inputs(items: list[Assumption]) -> list[Assumption]:
    """Refuse an input assumed twice in one list (the last would silently win)."""
    seen: dict[str, int] = {}
    for j, item in enumerate(items):
        if item.input in seen:
            raise ValueError(
                f"assume[{j}] sets {item.input!r} again (also assume[{seen[item.input]}]): "
                "assume each input once"
            )
        seen[item.input] = j
    return items


def _assumed_value(v: Any) -> float | str:
    """A number, or the name of a convention's choice (checked against the input when verified)."""
    if isinstance(v, str) and v.strip():
        return v.strip()
    return finite_number(v)


class Assumption(Record):
    """An input set for the check: the value the business case used, where the portfolio differs."""

    # A parameter key ("pause.effect.per_case", "outcomes.lac_year.unit_cost", "discount_rate"),
    # or a convention ("cashable_method", whose value is the name of a choice: "pro_rata").
    input: Text
    value: Annotated[float | str, PlainValidator(_assumed_value)]
    note: str | None = None
    source: str | None = None


class Claim(Record):
    """One figure from a business case, as written, with where it came from."""

    id: Text
    intervention: Text | Annotated[list[Text], Field(min_length=1, max_length=MAX_INTERVENTIONS)]
    metric: Text
    value: Annotated[float | str, PlainValidator(claimed_value)]
    quote: str | None = None
    source: str | None = None
    note: str | None = None
    tolerance: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    assume: Annotated[
        list[Assumption], Field(max_length=MAX_ASSUMPTIONS), AfterValidator(_unique_inputs)
    ] = []
    _written: str | None = PrivateAttr(default=None)

    @field_validator("intervention")
    @classmethod
    def _members_once(cls, v: str | list[str]) -> str | list[str]:
        if isinstance(v, list):
            repeated = sorted({m for m in v if v.count(m) > 1})
            if repeated:
                raise ValueError(
                    f"names {', '.join(repeated)} more than once (it would count twice)"
                )
        return v

    @property
    def claimed(self) -> float:
        """The claimed figure as a number (fractions for percentages)."""
        if isinstance(self.value, str):
            return read_claimed_text(self.value)[0]
        return float(self.value)

    @property
    def written(self) -> str:
        """The figure exactly as it appears in the file."""
        if isinstance(self.value, str):
            return self.value
        return self._written if self._written is not None else repr(self.value)

    @property
    def inferred_tolerance(self) -> float:
        """Half a unit in the last digit written (see the module docstring)."""
        if isinstance(self.value, str):
            return read_claimed_text(self.value)[1]
        return read_claimed_number(self.written)

    @property
    def check_tolerance(self) -> float:
        return self.tolerance if self.tolerance is not None else self.inferred_tolerance

    @property
    def members(self) -> list[str]:
        return [self.intervention] if isinstance(self.intervention, str) else self.intervention


class PortfolioFile(Record):
    """A file that names the portfolio it is read against (claims, actuals)."""

    portfolio: Text | None = None
    _file: str = PrivateAttr(default="file")
    _folder: Path | None = PrivateAttr(default=None)
    _names: str = "the portfolio (portfolio: FILE)"  # how to name the portfolio, for the message

    @property
    def file(self) -> str:
        return self._file

    def portfolio_path(self) -> Path | None:
        """Where `portfolio:` points, relative to the file's folder (naming it, not reading it:
        `resolve` reads it, only from within the folder)."""
        if self.portfolio is None:
            return None
        path = Path(self.portfolio)
        return path if path.is_absolute() or self._folder is None else self._folder / path

    def resolve(self, portfolio: Portfolio | None = None) -> tuple[Portfolio, Path | None]:
        """The portfolio given, or the one the file names (and its path)."""
        if portfolio is not None:
            return portfolio, None
        if self.portfolio is None:
            raise InputError.one(self.file, "portfolio", f"name {self._names}")
        name, content = read_reference(self.portfolio, self.file, "portfolio", folder=self._folder)
        with quoting_nothing(name):
            return portfolio_from_data(parse_yaml(content, name), name), Path(name)

    @classmethod
    def from_data(cls, raw: Any, name: str, folder: Path | None) -> Any:
        """Validate parsed data; problems carry `name` and field paths."""
        if not isinstance(raw, dict):
            raise InputError.one(name, "", "expected a mapping of keys to values", raw)
        try:
            found = cls.model_validate(raw)
        except ValidationError as exc:
            raise InputError(problems_from(exc, cls, name)) from None
        found._file, found._folder = name, folder
        return found


class ClaimsFile(PortfolioFile):
    """A claims file: the portfolio holding the stated inputs, assumptions, and the claims."""

    description: str | None = None
    # The reports the claims are quoted from (evidence ids): each claim's quote is checked
    # against a shipped report's text (docs/provenance.md).
    sources: Annotated[list[Text], Field(max_length=MAX_CLAIMS)] = []
    assume: Annotated[
        list[Assumption], Field(max_length=MAX_ASSUMPTIONS), AfterValidator(_unique_inputs)
    ] = []
    claims: Annotated[list[Claim], Field(min_length=1, max_length=MAX_CLAIMS)]
    _names: str = "the portfolio holding the stated inputs (portfolio: FILE)"


def _scalar_texts(root: yaml.Node, listing: str) -> dict[int, str]:
    """Item index -> the text of its `value:` scalar, for each item of the top-level `listing`."""
    out: dict[int, str] = {}
    if not isinstance(root, yaml.MappingNode):
        return out
    items = next((v for k, v in root.value if getattr(k, "value", None) == listing), None)
    if not isinstance(items, yaml.SequenceNode):
        return out
    for i, item in enumerate(items.value):
        if isinstance(item, yaml.MappingNode):
            for k, v in item.value:
                if getattr(k, "value", None) == "value" and isinstance(v, yaml.ScalarNode):
                    out[i] = v.value
    return out


def claims_from_text(
    text: str | bytes, name: str = "claims.yaml", folder: Path | None = None
) -> ClaimsFile:
    """Validate a claims file's text (from disk or an upload); `portfolio:` is relative to `folder`."""
    root, data = parse_yaml_node(text, name)
    claims: ClaimsFile = ClaimsFile.from_data(data, name, folder)
    written = _scalar_texts(root, "claims")
    problems = []
    for i, claim in enumerate(claims.claims):
        claim._written = written.get(i)
        try:
            claim.inferred_tolerance  # noqa: B018  (its precision must be readable)
        except ValueError as exc:
            problems.append(Problem(name, f"claims[{i}].value", str(exc), claim.written))
    seen: dict[str, int] = {}
    for i, claim in enumerate(claims.claims):
        if claim.id in seen:
            problems.append(
                Problem(
                    name,
                    f"claims[{i}].id",
                    f"duplicate id (also claims[{seen[claim.id]}])",
                    claim.id,
                )
            )
        seen.setdefault(claim.id, i)
    if problems:
        raise InputError(problems)
    return claims


def load_claims(path: str | Path) -> ClaimsFile:
    """Read and validate a claims file."""
    path = Path(path)
    return claims_from_text(read_file(path), str(path), path.parent)


# ---------------------------------------------------------------------------------------------
# Actuals
# ---------------------------------------------------------------------------------------------

DEFAULT_REACH_TOLERANCE = 0.1
COLUMNS = ("intervention", "period", "cases", "outcomes_averted", "spend")
OPTIONAL_COLUMNS = ("note",)
NUMBER_COLUMNS = ("cases", "outcomes_averted", "spend")


def _period(v: Any) -> str:
    """A period in any form `appraise.model.periods` reads (its months are counted by `track`,
    with the file's `financial_year_start_month`)."""
    if not isinstance(v, str):
        v = str(v) if isinstance(v, int) and not isinstance(v, bool) else v
    if not isinstance(v, str):
        raise ValueError(f"a period is {periods.PERIOD_FORMS}")
    periods.period_months(v.strip())
    return v.strip()


def _start_month(v: Any) -> int:
    return periods.check_start_month(v)


def _amount(v: Any, domain: Domain) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError("expected a number")
    try:
        number = float(v)
    except OverflowError:
        raise ValueError(f"is too large to compute with ({len(str(abs(v)))} digits)") from None
    if not math.isfinite(number):
        raise ValueError("expected a number")
    if number < 0:
        raise ValueError("must be at least 0")
    if not domain.contains(number):
        raise ValueError(domain.limit_text)
    return number


def _amount_type(domain: Domain) -> Any:
    return Annotated[float, PlainValidator(lambda v: _amount(v, domain))]


Cases = _amount_type(CASES)
Outcomes = _amount_type(Domain(0.0, limit=MAX_CASES * MAX_PER_CASE, why="outcomes of every case"))
Spend = _amount_type(TOTAL_COST)


class Actual(Record):
    """One intervention's realised figures for one period."""

    intervention: Annotated[str, Field(min_length=1)]
    period: Annotated[str, PlainValidator(_period)]
    cases: Cases
    outcomes_averted: Outcomes
    spend: Spend
    note: str | None = None


class ActualsFile(PortfolioFile):
    """An actuals file: the portfolio holding the plan, and realised figures by period."""

    description: str | None = None
    reach_tolerance: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = (
        DEFAULT_REACH_TOLERANCE
    )
    financial_year_start_month: Annotated[int, PlainValidator(_start_month)] = (
        periods.DEFAULT_FINANCIAL_YEAR_START_MONTH
    )
    actuals: Annotated[list[Actual], Field(min_length=1, max_length=MAX_ACTUALS)]
    _where: list[str] = PrivateAttr(default_factory=list)  # how to name each row in messages
    _names: str = (
        "the portfolio holding the plan (`portfolio: FILE`, in a CSV `# portfolio: FILE` before "
        "the header, or --portfolio)"
    )

    def where(self, i: int, column: str) -> str:
        """`actuals[3].spend` for YAML, `row 5, column spend` for CSV."""
        if i < len(self._where):
            return f"{self._where[i]}, column {column}"
        return f"actuals[{i}].{column}"

    def months(self, period: str) -> tuple[int, int]:
        """(first month, number of months) of a period of this file (see `appraise.model.periods`)."""
        return periods.period_months(period, self.financial_year_start_month)


def actuals_from_yaml(
    text: str | bytes, name: str = "actuals.yaml", folder: Path | None = None
) -> ActualsFile:
    """Validate a YAML actuals file's text; `portfolio:` is relative to `folder`."""
    return ActualsFile.from_data(parse_yaml(text, name), name, folder)


_DIRECTIVE = re.compile(
    r"^#\s*(?P<key>portfolio|reach_tolerance|financial_year_start_month|description)\s*:"
    r"\s*(?P<value>.+?)\s*$"
)


# The one format a number cell may take, so that no cell is read two ways: digits, with commas
# only as thousands separators in groups of three, one decimal point, an optional sign and £.
# "62.000,50" (a continental 62,000.50) and "1,2,3" are refused, not read as 62 and 123.
_CELL_NUMBER = re.compile(
    r"(?P<sign>[-+]?)£?(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<decimals>\.\d+)?"
)
CELL_FORMS = "a number such as 70000, 70,000.50, £70,000 or -£1,200"


def _cell_number(text: str) -> float:
    """A numeric cell as a spreadsheet exports it: '70000', '70,000', '£70,000.00', '-£1,200'."""
    cleaned = text.strip().replace(" ", "")
    if cleaned[:1] == "£" and cleaned[1:2] in ("-", "+"):
        cleaned = cleaned[1] + cleaned[0] + cleaned[2:]  # "£-1,200" as "-£1,200"
    found = _CELL_NUMBER.fullmatch(cleaned)
    if not found and re.fullmatch(r"[-+£]*[\d.,]*\d[\d.,]*", cleaned):
        raise ValueError(
            f"a number in an ambiguous format: write {CELL_FORMS} (commas only between groups "
            "of three digits, one decimal point)"
        )
    if not found:
        raise ValueError("expected a number")
    return float(found["sign"] + found["digits"].replace(",", "") + (found["decimals"] or ""))


def _csv_rows(reader: Any, name: str, skipped: int) -> Iterator[list[str]]:
    """The reader's rows; a row the csv module cannot read (a cell over 131,072 characters, an
    unclosed quote) is an InputError naming the row, not quoting it."""
    try:
        yield from reader
    except csv.Error as exc:
        raise InputError.one(
            name, f"row {skipped + reader.line_num}", f"cannot be read as CSV ({exc})"
        ) from None


def actuals_from_csv(
    text: str | bytes, name: str = "actuals.csv", folder: Path | None = None
) -> ActualsFile:
    """Validate a CSV actuals file: a header row with the columns of the YAML form.

    Lines starting with `#` before the header are comments; `# portfolio: FILE`,
    `# reach_tolerance: 0.1` and `# financial_year_start_month: 4` set what the YAML form's keys do. Numbers may carry thousands
    separators and a £ sign. Errors name the spreadsheet row and the column.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError.one(name, "", f"file is not UTF-8 text ({exc.reason})") from None
    lines = text.splitlines(keepends=True)
    settings: dict[str, Any] = {}
    skipped = 0
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            break
        skipped += 1
        found = _DIRECTIVE.match(line.strip())
        if found:
            settings[found.group("key")] = found.group("value")
    reader = csv.reader(io.StringIO("".join(lines[skipped:])))
    lines_read = _csv_rows(reader, name, skipped)
    header = next(lines_read, None)
    if header is None:
        raise InputError.one(name, "", f"no header row: expected columns {', '.join(COLUMNS)}")
    header = [h.strip() for h in header]
    problems = []
    header_row = f"row {skipped + 1}"
    for col in header:
        if col not in COLUMNS + OPTIONAL_COLUMNS:
            close = difflib.get_close_matches(col, COLUMNS + OPTIONAL_COLUMNS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f"; columns: {', '.join(COLUMNS)}"
            problems.append(Problem(name, header_row, f"unknown column{hint}", col))
    for col in COLUMNS:
        if col not in header:
            problems.append(Problem(name, header_row, f"missing column {col!r}"))
    if len(set(header)) < len(header):
        problems.append(Problem(name, header_row, "a column appears twice"))
    if problems:
        raise InputError(problems)
    rows: list[Actual] = []
    where: list[str] = []
    for cells in lines_read:
        if len(problems) >= MAX_PROBLEMS:
            problems.append(Problem(name, "", f"stopped reading after {MAX_PROBLEMS} problems"))
            break
        row_name = f"row {skipped + reader.line_num}"
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(name, row_name, f"expected {len(header)} cells, found {len(cells)}")
            )
            continue
        record: dict[str, Any] = {}
        unreadable = set()
        for col, cell in zip(header, cells, strict=True):
            if col in NUMBER_COLUMNS:
                try:
                    record[col] = _cell_number(cell)
                except ValueError as exc:
                    message = "missing value" if not cell.strip() else str(exc)
                    found = Problem(name, f"{row_name}, column {col}", message, cell)
                    problems.append(found if cell.strip() else Problem(name, found.path, message))
                    unreadable.add(col)
            elif cell.strip() or col != "note":
                record[col] = cell.strip()
        try:
            rows.append(Actual.model_validate(record))
        except ValidationError as exc:
            for p in problems_from(exc, Actual, name):
                if p.path not in unreadable:
                    problems.append(
                        Problem(p.file, f"{row_name}, column {p.path}", p.message, p.value)
                    )
        where.append(row_name)
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError.one(name, "", "no data rows")
    data: dict[str, Any] = {"actuals": rows}
    if "portfolio" in settings:
        data["portfolio"] = settings["portfolio"]
    if "reach_tolerance" in settings:
        try:
            data["reach_tolerance"] = float(settings["reach_tolerance"])
        except ValueError:
            raise InputError.one(
                name, "reach_tolerance", "expected a number", settings["reach_tolerance"]
            ) from None
    if "financial_year_start_month" in settings:
        text_month = settings["financial_year_start_month"]
        if not text_month.isdigit():
            raise InputError.one(
                name, "financial_year_start_month", "expected a month number, 2 to 12", text_month
            )
        data["financial_year_start_month"] = int(text_month)
    actuals: ActualsFile = ActualsFile.from_data(data, name, folder)
    actuals._where = where
    return actuals


def load_actuals(path: str | Path) -> ActualsFile:
    """Read an actuals file: CSV if its name ends in .csv, YAML otherwise."""
    path = Path(path)
    read = actuals_from_csv if path.suffix.lower() == ".csv" else actuals_from_yaml
    return read(read_file(path), str(path), path.parent)

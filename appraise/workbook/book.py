"""What the sheet builders share: the `Book` (portfolio, results, cells placed so far) and the
rendering of a line definition (`appraise.engine.lines`) as the formula of a cell.

Layout modules say where each line sits; its formula comes from the line's one definition,
rendered by `Book.formula` with the operands resolved to the cells where they were placed. So no
sheet module holds arithmetic on model quantities.

A sheet builder takes the `Book` and returns a `Sheet` (or None when it does not apply). It may
refer to any line placed by a sheet built before it, and register checks (`book.checks`: the
engine's value against a cell), TRUE/FALSE cells for the master check (`book.flags`) and
headline figures for the About sheet (`book.facts`).

Owners of placed lines: "" the portfolio, "i<k>" intervention k, "total" the portfolio total,
"o:<key>" an outcome, "c<j>" a component, "d<j>" an outcome whose cost is derived.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

import numpy as np
from openpyxl.utils import get_column_letter

from appraise.engine import evaluate
from appraise.engine.lines import LINES, NOT_A_RISK, SEVERAL, Line
from appraise.engine.ops import INFINITE, NEVER, Ref, Span, X
from appraise.engine.params import Model, build
from appraise.engine.results import Appraisal, run
from appraise.errors import InputError
from appraise.model.identity import RunIdentity
from appraise.model.numbers import Domain
from appraise.model.schema import Evidence, Portfolio
from appraise.workbook.shapes import UNSEEN, Shapes, shape_of
from appraise.workbook.writer import Formula, Sheet, cacheable, quote_title, ref, safe_title
from appraise.workbook.yearline import COLUMN

if TYPE_CHECKING:
    from appraise.analyses.forecast import PortfolioComparison
    from appraise.analyses.verify import ClaimsCheck

INPUTS, OUTCOMES, CALCULATIONS, SUMMARY = "Inputs", "Outcomes", "Calculations", "Summary"
CASH_FLOWS, EVIDENCE, CHECKS, ABOUT, SOURCE = (
    "Cash flows",
    "Evidence",
    "Checks",
    "About",
    "Portfolio file",
)
FORECAST, CLAIMS_CHECK = "Forecast", "Claims check"  # only when there is a baseline, or claims
CLAIMS_FILE = "Claims file"  # hidden: the claims file the Claims check sheet was checked from
INDICES = "Indices"


@dataclass(frozen=True, slots=True)
class Cell:
    """A placed figure: one cell."""

    sheet: str
    row: int
    col: int


@dataclass(frozen=True, slots=True)
class Row:
    """A placed line of years: from column `first` (year 1) to `last` (the horizon), written on
    to column `end` (a line the forecast needs runs past the horizon)."""

    sheet: str
    row: int
    first: int
    last: int
    end: int


@dataclass(frozen=True, slots=True)
class Column:
    """Placed figures one above another (an outcome's components), summed by their outcome."""

    sheet: str
    first: int
    last: int
    col: int


@dataclass(frozen=True, slots=True)
class Across:
    """Figures side by side on one row (a path's years and values, a history)."""

    sheet: str
    row: int
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class Block:
    """Lines of years one above another (each counted intervention's), summed in each column."""

    sheet: str
    first: int  # rows
    last: int


@dataclass(frozen=True, slots=True)
class Table:
    """A lookup table: values in `col`, their keys (`prefix` + key) in `key_col`."""

    sheet: str
    first: int
    last: int
    col: int
    key_col: int
    prefix: str


@dataclass(frozen=True, slots=True)
class Grid:
    """A two-way table (price indices): values in rows `first`..`last` and columns `left`..`right`,
    each row's key in `key_col`, each column's in row `header`."""

    sheet: str
    first: int
    last: int
    left: int
    right: int
    key_col: int
    header: int


Place = Cell | Row | Column | Across | Block | Table | Grid


@dataclass(frozen=True, slots=True)
class Check:
    """A figure for the Checks sheet: a workbook cell against the engine's own value."""

    ref: str  # absolute reference of the workbook's cell
    owner: str  # the intervention, scenario or claim it belongs to
    figure: str  # its JSON key (and year)
    engine: Any  # the engine's value (a number, or text where it has none)
    tolerance: float
    fmt: str = ""  # number format of the two values


@dataclass(frozen=True)
class Allowed:
    """What an input cell may hold (its data validation, and Integrity's check of it).

    `number` or `whole`: a number from `lo` to `hi` (each end open or closed); `names`: one of
    `names` (a 1/0 switch is the numbers 0 and 1); `keys`: a value found, after `prefix`, in the
    absolute range `keys` (a price year of the Indices sheet, a rating of the optimism-bias table),
    offered as the list `names` if given.
    """

    kind: str
    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    names: tuple[str, ...] = ()
    keys: str = ""
    prefix: str = ""
    text_too: str = ""  # a number, or else this text (a programme's "not given")
    # A price year (kind "keys", the Indices years): the cell naming the index that uprates the
    # figure, the price base's cell, and the Indices grid's values and series names, so that
    # the year must be one its index covers, as the price base must be (unless they are equal).
    index: str = ""
    base: str = ""
    values: str = ""
    series: str = ""

    @classmethod
    def domain(cls, domain: Domain, whole: bool = False, text_too: str = "") -> Allowed:
        """The numbers of a domain of the input registry, its size limit included."""
        lo, hi = max(domain.lo, -domain.limit), min(domain.hi, domain.limit)
        return cls(
            "whole" if whole else "number",
            lo,
            hi,
            domain.lo_open and lo == domain.lo,
            domain.hi_open and hi == domain.hi,
            text_too=text_too,
        )

    @property
    def switch(self) -> bool:
        return self.kind == "names" and self.names == ("0", "1")

    @classmethod
    def price_year(cls, book: Book, index: str = "") -> Allowed:
        """A price year: one of the Indices sheet's years; with `index` (the cell naming the
        index that uprates the figure), one that index covers, as it must the price base."""
        grid = book.where("price_indices", "")
        assert isinstance(grid, Grid)
        title = quote_title(grid.sheet)
        key_col = get_column_letter(grid.key_col)
        left, right = get_column_letter(grid.left), get_column_letter(grid.right)
        return cls(
            "keys",
            keys=f"{title}${key_col}${grid.first}:${key_col}${grid.last}",
            index=index,
            base=book.input_cells["price_year"] if index else "",
            values=f"{title}${left}${grid.first}:${right}${grid.last}",
            series=f"{title}${left}${grid.header}:${right}${grid.header}",
        )

    def validation(self, at: str = "") -> tuple[Any, ...]:
        """The rule as `appraise.workbook.writer.Sheet.validations` takes it (`at`: the cell,
        for a rule that is a formula of it)."""
        if self.text_too:
            return ("custom", self.holds(at))
        if self.kind == "names":
            return self.names
        if self.kind == "keys":
            return self.names or ("range", self.keys)
        return (
            self.kind,
            self.lo if math.isfinite(self.lo) else None,
            self.hi if math.isfinite(self.hi) else None,
        )

    def holds(self, at: str, lo: str = "", hi: str = "") -> str:
        """A formula that is TRUE when the cell `at` holds an allowed value (never a blank);
        `lo` and `hi`: cells holding the bounds (else they are written into the formula)."""
        if self.kind == "keys" and self.index:

            def covered(year: str) -> str:
                row, col = f"MATCH({year},{self.keys},0)", f"MATCH({self.index},{self.series},0)"
                return f"N(INDEX({self.values},{row},{col}))>0"

            return f"OR({at}={self.base},AND({covered(at)},{covered(self.base)}))"
        if self.kind == "keys":
            return f'ISNUMBER(MATCH("{self.prefix}"&{at},{self.keys},0))'
        if self.kind == "names":
            same = ",".join(
                f"{at}={name}" if self.switch else f'{at}="{name}"' for name in self.names
            )
            return f"AND(ISNUMBER({at}),OR({same}))" if self.switch else f"OR({same})"
        if self.text_too:
            number = replace(self, text_too="").holds(at, lo, hi)
            return f'IF(ISTEXT({at}),{at}="{self.text_too}",{number})'
        parts = [f"ISNUMBER({at})"]
        if self.kind == "whole":
            parts.append(f"{at}=INT({at})")
        if math.isfinite(self.lo):
            parts.append(f"{at}{'>' if self.lo_open else '>='}{lo or _number_text(self.lo)}")
        if math.isfinite(self.hi):
            parts.append(f"{at}{'<' if self.hi_open else '<='}{hi or _number_text(self.hi)}")
        # AND evaluates every argument: a text value would make the comparisons an error.
        return f"IF(ISNUMBER({at}),AND({','.join(parts)}),FALSE)"

    @property
    def text(self) -> str:
        """What is allowed, in words."""
        if self.kind == "keys" and self.index:
            return "a year its index covers"
        if self.kind == "keys":
            return "one of the listed names"
        if self.kind == "names":
            return "1 or 0" if self.switch else "one of " + ", ".join(self.names)
        what = "a whole number" if self.kind == "whole" else "a number"
        if self.text_too:
            what = f'"{self.text_too}" or {what}'
        low = f"above {self.lo:g}" if self.lo_open else f"at least {self.lo:g}"
        high = f"below {self.hi:g}" if self.hi_open else f"at most {self.hi:g}"
        bounds = [b for b, end in ((low, self.lo), (high, self.hi)) if math.isfinite(end)]
        return " ".join([what, " and ".join(bounds)]).strip()


def _number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x)).upper()


@dataclass(frozen=True)
class InputCell:
    """A cell a user may change: where it is, what it is, and what it may hold."""

    sheet: str
    row: int
    col: int
    label: str
    allowed: Allowed
    value: Any = None  # as exported

    @property
    def ref(self) -> str:
        return ref(self.sheet, self.row, self.col)


@dataclass
class Book:
    """Everything the sheet builders share: the portfolio, its results and the cells placed so far."""

    portfolio: Portfolio
    evidence: dict[str, Evidence]
    model: Model
    appraisal: Appraisal
    today: dt.date
    claims: ClaimsCheck | None = None  # the Claims check sheet's claims, verified
    # The run: the portfolio file's name and content hash, appraise's version, the date (the
    # committee paper of the same run carries the same).
    identity: RunIdentity | None = None
    places: dict[tuple[str, str], Place] = field(default_factory=dict)
    anchors: dict[str, str] = field(default_factory=dict)  # other named cells
    input_cells: dict[str, str] = field(default_factory=dict)  # Inputs key -> its value cell
    titles: set[str] = field(default_factory=set)
    checks: list[Check] = field(default_factory=list)  # Checks rows beyond the Summary's
    flags: list[tuple[str, str]] = field(default_factory=list)  # (what, TRUE/FALSE cell)
    facts: list[tuple[str, Any, str]] = field(default_factory=list)  # About: (label, value, style)
    inputs: list[InputCell] = field(default_factory=list)  # every cell a user may change
    # The Inputs sheet's rows as it laid them out (`appraise.workbook.inputs.input_rows`), for
    # the fingerprint of their values (Portfolio file sheet); None before it is built.
    input_rows: list[Any] | None = None
    built: list[Sheet] = field(default_factory=list)  # the sheets built so far, in build order
    _longer: dict[int, Any] = field(default_factory=dict)  # engine runs past the horizon
    formula_checks: list[Any] = field(default_factory=list)  # Formula check's rows, by sheet
    # Each option's name and its figures as references to the Options sheet (Summary, About).
    option_figures: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # Further checks that hold after any sound edit (Integrity): (group, where, TRUE/FALSE formula).
    sound: list[tuple[str, str, str]] = field(default_factory=list)

    @classmethod
    def of(
        cls,
        portfolio: Portfolio,
        evidence: Mapping[str, Evidence],
        today: dt.date | None = None,
        claims: ClaimsCheck | None = None,
        identity: RunIdentity | None = None,
    ) -> Book:
        model = build(portfolio, evidence)
        today = today or dt.date.today()
        return cls(portfolio, dict(evidence), model, run(model), today, claims, identity=identity)

    @cached_property
    def comparison(self) -> tuple[PortfolioComparison | None, str]:
        """Spend with and without the portfolio over its baseline's forecast, or why there is none.

        (None, "") without a baseline; (None, the reason) when the comparison cannot be made
        (e.g. the portfolio averts more LAC-years than the baseline has children in care).
        """
        from appraise.analyses.forecast import with_portfolio

        if self.portfolio.baseline is None:
            return None, ""
        if self.portfolio.options is not None:
            return None, (
                "the portfolio's interventions are mutually exclusive options, so spend with the "
                "portfolio (their sum) is not worked out; appraise each option as a portfolio "
                "of its own to set it against the forecast"
            )
        try:
            return with_portfolio(self.portfolio, self.evidence), ""
        except InputError as exc:
            return None, "; ".join(f"{p.path}: {p.message}" for p in exc.problems)

    @cached_property
    def results(self) -> dict[str, Any]:
        """The engine's figures, as `appraise evaluate --format json` prints them, less what no
        sheet reads from them (`to_data(brief=True)`: each intervention's figures by year and
        the listing of every input, 30 MB at 1,000 interventions x 30 years; issue 27)."""
        return self.appraisal.to_data(brief=True)

    @cached_property
    def engine(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Every line the engine works out for the portfolio, per owner and in total."""
        base = self.model.base
        per = evaluate.run(base.values, base.structure, tuple(LINES))
        return per, evaluate.totals(per, base.structure)

    def years_of(self, key: str, owner: str, count: int) -> list[Any]:
        """The engine's value of a line of years for `owner` (an intervention, or "" for the
        years' own lines) over `count` years, past the horizon if need be (the years the
        Forecast sheet runs the cohorts on), as the workbook shows them."""
        if count <= self.horizon:
            return list(self.value_of(key, owner))[:count]
        found = self._longer.get(count)
        if found is None:
            base = self.model.base.with_horizon(count)
            # The discount rate by year runs on at its last year's, as Cash flows writes it.
            rate = np.asarray(base.values["discount_rate"], dtype=float)
            if rate.ndim and rate.shape[-1] < count:
                pad = [(0, 0)] * (rate.ndim - 1) + [(0, count - rate.shape[-1])]
                base = base.with_arrays(discount_rate=np.pad(rate, pad, mode="edge"))
            found = self._longer[count] = evaluate.run(base.values, base.structure, tuple(LINES))
        value = found[key]
        if owner[:1] == "i" and owner[1:].isdigit():
            value = value[..., int(owner[1:]), :]
        return [shown(LINES[key], float(v)) for v in np.asarray(value).tolist()]

    def value_of(self, key: str, owner: str) -> Any:
        """The engine's value of line `key` for `owner` (an array over years for a line of
        years), shown as the workbook shows it: text where it is infinite or does not apply."""
        number = owner[1:]
        if owner[:1] in OWNER_AXES and number.isdigit():  # the commonest: from lists
            rows = self._as_lists.get(key)
            if rows is None:
                rows = self._as_lists[key] = self._lists(key)
            k = int(number)
            if rows.__class__ is list:  # one figure an owner, shown once for every owner
                value = rows[k]
                if value is not _NOT_A_NUMBER:
                    return value
                if (  # its effects asked for only then: rare
                    owner[:1] == "i" and len(self.model.interventions[k].effect_list) > 1
                ):
                    return SEVERAL  # a figure of one outcome, for a service averting several
                return shown(LINES[key], math.nan)
            if rows is not False:  # a line of years: the array, and which owners' are finite
                years, finite = rows
                value = years[k].tolist()
                if finite[k]:
                    return value  # each year as `shown` leaves it
                return [shown(LINES[key], v) for v in value]
        line = LINES[key]
        per, totals = self.engine
        slot = effect_slot(owner)
        if owner == "total":
            value = np.squeeze(totals[key], axis=evaluate._n_axis(line))
        elif owner.startswith("o:"):
            value = per[key][list(self.portfolio.outcomes).index(owner[2:])]
        elif slot is not None:  # one effect of one intervention
            value = per[key][..., slot[0], slot[1]]
        elif owner[:1] in OWNER_AXES and owner[1:].isdigit():
            value = (
                per[key][..., int(owner[1:]), :]
                if line.level == ("n", "H")
                else per[key][int(owner[1:])]
            )
        else:
            value = per[key]
        names = self.model.names.get(key)
        if names is not None:  # a position in a list (a rating, a price year): shown by name
            return names[int(value)]
        if np.ndim(value):
            return [shown(line, v) for v in np.asarray(value).tolist()]
        several = (
            owner[:1] == "i"
            and owner[1:].isdigit()
            and len(self.model.interventions[int(owner[1:])].effect_list) > 1
        )
        if several and math.isnan(float(value)):
            return SEVERAL  # a figure of one outcome, for a service averting several
        return shown(line, float(value))

    @cached_property
    def _shapes(self) -> Shapes:
        """Formula texts by line and shape of operands (`appraise.workbook.shapes`)."""
        return Shapes()

    @cached_property
    def _owners(self) -> dict[tuple[Any, ...], tuple[str, ...]]:
        """The owners an operand is looked for under, in order, by (the line's level, its
        owner, the operand's level, the owners `also` given): `_operand`'s."""
        return {}

    @cached_property
    def _read_by_line(self) -> dict[tuple[int, int], tuple[Line, Any, list[Read]]]:
        """`_reads` of each line by (its identity, its registry's), beside the two."""
        return {}

    @cached_property
    def _as_lists(self) -> dict[str, Any]:
        """`_lists` of each line asked for so far."""
        return {}

    def _lists(self, key: str) -> Any:
        """A line's engine values by owner, as `value_of` takes them: a list of each owner's
        figure as shown (`_NOT_A_NUMBER` where it is not a number: shown by owner), or an array
        whose row `.tolist()` is an owner's years (not held as Python numbers: a line of years
        keeps them more compactly) and whether each owner's are all finite (shown as they are);
        False where it cannot (a figure shown by name, a line of no owner)."""
        value = self.engine[0][key]
        line = LINES[key]
        if (
            np.ndim(value) == 0
            or (line.level == ("n", "H") and np.ndim(value) != 2)
            or key in self.model.names
        ):
            return False
        if np.ndim(value) == 1:
            figures = [float(v) for v in np.asarray(value).tolist()]
            # Finite figures of a line that is no payback year, the commonest, are shown as
            # they are (`shown`): taken as they are, not each through it.
            if not key.endswith("payback_year") and np.isfinite(figures).all():
                return figures
            return [_NOT_A_NUMBER if v != v else shown(line, v) for v in figures]
        years = np.asarray(value)
        finite = np.isfinite(years).all(axis=tuple(range(1, years.ndim)))
        if key.endswith("payback_year"):  # a year 0 is shown as never
            finite[:] = False
        return years, finite.tolist()

    def ref_formula(self, key: str, owner: str) -> Formula:
        """A reference to a placed line's cell, with the engine's value of it cached."""
        return Formula(self.at(key, owner), cacheable(self.value_of(key, owner)))

    def show(self, sheet: Sheet, row: int, col: int, key: str, owner: str, style: str) -> None:
        """Put `ref_formula(key, owner)` at a cell of `sheet` (`Sheet.put_formula`)."""
        sheet.put_formula(
            row, col, self.at(key, owner), cacheable(self.value_of(key, owner)), style
        )

    @property
    def n(self) -> int:
        return len(self.model.interventions)

    @property
    def horizon(self) -> int:
        return self.portfolio.horizon_years

    def input(
        self, sheet: Sheet, row: int, col: int, label: str, allowed: Allowed, value: Any = None
    ) -> None:
        """Register a cell a user may change: it gets data validation and an Integrity check."""
        self.inputs.append(InputCell(sheet.title, row, col, label, allowed, value))
        at = f"{get_column_letter(col)}{row}"
        sheet.validations.append((at, allowed.validation(at)))

    def sheet(self, name: str, **settings: Any) -> Sheet:
        """A new sheet with a safe, unique title."""
        title = safe_title(name, self.titles)
        self.titles.add(title)
        return Sheet(title, **settings)

    # -- placing and referring to lines ---------------------------------------------------------

    def place(self, key: str, owner: str, where: Place) -> None:
        """Record where line `key` of `owner` sits, for the formulas of later cells."""
        self.places[(key, owner)] = where

    def where(self, key: str, owner: str) -> Place:
        try:
            return self.places[(key, owner)]
        except KeyError:
            raise KeyError(
                f"line {key!r} of {owner!r} is not placed (is its sheet built earlier?)"
            ) from None

    def at(self, key: str, owner: str = "") -> str:
        """The absolute reference of a placed cell (or a named anchor), e.g. 'Inputs!$B$5'."""
        if (key, owner) in self.places:
            place = self.places[(key, owner)]
            assert isinstance(place, Cell), place
            return ref(place.sheet, place.row, place.col)
        if not owner and key in self.anchors:
            return self.anchors[key]
        raise KeyError(f"no cell placed as {key!r} of {owner!r} (is its sheet built earlier?)")

    def cell_ref(self, key: str, owner: str) -> str | None:
        """The absolute reference of the cell where line `key` of `owner` sits, if it is one."""
        place = self.places.get((key, owner))
        return ref(place.sheet, place.row, place.col) if isinstance(place, Cell) else None

    def year_cell(self, key: str, owner: str, year: int) -> str | None:
        """The absolute reference of line `key` of `owner` in a year (1-based), if it is placed."""
        place = self.places.get((key, owner))
        if not isinstance(place, Row) or not 1 <= year <= place.end - place.first + 1:
            return None
        return ref(place.sheet, place.row, place.first + year - 1)

    def anchor(self, name: str, sheet: Sheet, row: int, col: int) -> str:
        """Name a cell that is not a line (a master check); returns its absolute reference."""
        self.anchors[name] = ref(sheet.title, row, col)
        return self.anchors[name]

    @staticmethod
    def ref(sheet: Sheet, row: int, col: int) -> str:
        """The absolute reference of a cell of `sheet`."""
        return ref(sheet.title, row, col)

    def averts(self, owner: str) -> str:
        """The outcome an intervention's (first) effect, "i<k>", or an effect, "i<k>f<j>",
        averts, as an owner ("o:<key>")."""
        i, k = effect_slot(owner) or (int(owner[1:]), 0)
        # An unused effect slot stands on the first outcome, as the engine's arrays do.
        index = self.model.base.structure.effect_outcome
        o = int(index[i, k]) if index is not None else int(self.model.base.outcome_index[i])
        return "o:" + list(self.portfolio.outcomes)[o]

    def formula(
        self,
        key: str,
        owner: str,
        here: Cell | Row,
        local: Mapping[str, Place] | None = None,
        lines: Mapping[str, Line] = LINES,
        also: tuple[str, ...] = (),
    ) -> Formula:
        """The formula of line `key` of `owner` in the cell `here` (a Row: the formula of its
        columns, with `COLUMN` for the column letter). `local` places operands for this cell
        only (figures copied beside a block of years); `lines` is the registry of line items
        (`appraise.engine.care` for the forecast); an operand not placed for its owner is looked
        for under the owners in `also`, then the portfolio's."""
        return Formula(self._formula_text(key, owner, here, local, lines, also))

    def _formula_text(
        self,
        key: str,
        owner: str,
        here: Cell | Row,
        local: Mapping[str, Place] | None,
        lines: Mapping[str, Line],
        also: tuple[str, ...],
    ) -> str:
        """`formula`'s text (a `Formula` made once, with its cached value, by `write`)."""
        line = lines[key]
        assert line.formula is not None, f"{key} is an input: it has no formula"
        state = (self, line.level, owner, here, local or {}, lines, also)
        reads = self._reads(line, lines)
        if reads is not None:  # each operand straight to its reference (`_placed`)
            placed = _placed(self, reads, line.level, owner, here, local, also)
            text = None if placed is None else self._filled(line, placed, here)
            if text is not None:
                return text
        return self._shapes.text(line, partial(_operand, state))

    def _filled(self, line: Line, placed: list[Placed], here: Cell | Row) -> str | None:
        """The formula text of `line` at `here`, its operands `placed`, by the template of
        their shape (None where there is none: the general way)."""
        shapes = self._shapes
        shaped = _shaped_operands(placed, here)
        if shaped is not None:
            text = shapes.by_shape(line, *shaped)
            if text is not UNSEEN:
                return text  # type: ignore[return-value]
        return shapes.filled(line, _operands(placed, here))

    def write(
        self,
        sheet: Sheet,
        key: str,
        owner: str,
        row: int,
        col: int,
        style: str,
        local: Mapping[str, Place] | None = None,
        lines: Mapping[str, Line] = LINES,
        also: tuple[str, ...] = (),
        value: Any = None,
    ) -> None:
        """Place line `key` of `owner` at a cell and write its formula there, with its result
        cached (the engine's, for a line of the appraisal; `value` for another)."""
        here = Cell(sheet.title, row, col)
        text = self._formula_text(key, owner, here, local, lines, also)
        if value is None and lines is LINES:
            value = self.value_of(key, owner)
        sheet.put_formula(row, col, text, cacheable(value), style)
        self.place(key, owner, here)

    def write_across(
        self, sheet: Sheet, key: str, owners: list[str], row: int, first: int, styles: list[str]
    ) -> None:
        """`write` of line `key` of each owner in turn along `row`, from column `first` (an
        intervention a column, as Calculations lays a line out), its style `styles[k]`."""
        line = LINES[key]
        mine, title = line.level, sheet.title
        reads = None
        for k, owner in enumerate(owners):
            col = first + k
            if reads is None:  # known once the line's first cell is written
                reads = self._reads(line, LINES)
            here = Cell(title, row, col)
            placed = None if reads is None else _placed(self, reads, mine, owner, here, None, ())
            text = None if placed is None else self._filled(line, placed, here)
            if text is None:  # the general way: `write`
                self.write(sheet, key, owner, row, col, styles[k])
                continue
            sheet.put_formula(row, col, text, cacheable(self.value_of(key, owner)), styles[k])
            self.place(key, owner, here)

    def _reads(self, line: Line, lines: Mapping[str, Line]) -> list[Read] | None:
        """What `_operand` works out of each operand of `line` the same for every cell (`Read`),
        once its first cell has found which operands it reads; None before (or for a line
        reading what is no line item of `lines`, which the general way refuses)."""
        known = self._read_by_line.get((id(line), id(lines)))
        if known is not None and known[0] is line and known[1] is lines:
            return known[2]
        names = self._shapes.names(line)
        if names is None or any(name not in lines for name in names):
            return None
        reads = [_read(name, lines[name], line.level) for name in names]
        self._read_by_line[(id(line), id(lines))] = (line, lines, reads)
        return reads

    def write_years(
        self,
        sheet: Sheet,
        key: str,
        owner: str,
        row: int,
        first: int,
        last: int,
        end: int,
        style: str,
        local: Mapping[str, Place] | None = None,
        lines: Mapping[str, Line] = LINES,
        also: tuple[str, ...] = (),
        values: Any = None,
    ) -> None:
        """Place a line of years and write its formula in every column from `first` to `end`,
        each year's result cached (the engine's for the appraisal's years; else `values`)."""
        here = Row(sheet.title, row, first, last, end)
        self.place(key, owner, here)  # a line may refer to its own earlier years
        shape = self._formula_text(key, owner, here, local, lines, also)
        if values is None and lines is LINES:
            values = self.value_of(key, owner)
        sheet.put_years(row, first, end, shape, values, style)


def _owner_of(book: Book, mine: tuple[str, ...], owner: str, level: tuple[str, ...]) -> str:
    """Whose figure an operand on `level` is, for the line of `owner` on level `mine`."""
    if "n" in level and "F" not in level and effect_slot(owner) is not None:
        return owner.split("f")[0]  # an effect's line reads its intervention's figure
    if "n" in level or level in (("C",), ("D",), ("X",), ("G",), ("W",)):
        return owner
    if level == ("O",):
        return owner if mine == ("O",) else book.averts(owner)
    return ""


def _operand(state: tuple[Any, ...], name: str) -> X:
    """Operand `name` of the formula of a line in a cell (`state`: `Book._formula_text`'s), as a
    reference to where it is placed."""
    book, mine, mine_owner, here, local_places, lines, also = state
    read = _read(name, lines[name], mine)
    placed = _placed(book, [read], mine, mine_owner, here, local_places, also)
    if placed is None:
        raise KeyError(f"{name!r} is not placed for {mine_owner!r}")
    return _operands(placed, here)[0]


def _read(name: str, line: Line, mine: tuple[str, ...]) -> Read:
    """What is known of operand `name` (its `line`) of a line on level `mine`, the same for
    every cell."""
    level = line.level
    columnwise = bool(level) and bool(mine) and level[-1] == mine[-1] in YEAR_AXES
    return name, level, columnwise, line.infinite is not None


def _owners_made(
    book: Book,
    mine: tuple[str, ...],
    mine_owner: str,
    level: tuple[str, ...],
    also: tuple[str, ...],
) -> tuple[str, ...]:
    """The owners an operand of `level` is looked for under, in order, from a line of `mine`'s
    for `mine_owner`, kept in `Book._owners` (looked up there first, without a call)."""
    owners = book._owners[(mine, mine_owner, level, also)] = (
        _owner_of(book, mine, mine_owner, level),
        mine_owner,
        *also,
        "",
    )
    return owners


# What `_operand` works out of an operand of a line the same for every cell: its name, its
# level, whether it runs along the line's columns, whether it may show as text.
Read = tuple[str, tuple[str, ...], bool, bool]


# Where each operand of a cell is placed and how it is read there: (its place, whether it may
# show as text, whether it runs along the line's columns, whether it is read relatively).
Placed = tuple[Place, bool, bool, bool]


def _placed(
    book: Book,
    reads: list[Read],
    mine: tuple[str, ...],
    mine_owner: str,
    here: Cell | Row,
    local_places: Mapping[str, Place] | None,
    also: tuple[str, ...],
) -> list[Placed] | None:
    """Where each operand of `reads` is placed, and how one cell reads it, before it is made a
    reference (None where one is not placed: `_operand` refuses it; a cell of the fast way
    that reads other operands then goes the general way)."""
    places, owners, made = book.places, book._owners, []
    here_cell, title = here.__class__ is Cell, here.sheet
    for name, level, columnwise, text_value in reads:
        place = local_places.get(name) if local_places else None
        local = place is not None
        if place is None:
            # The owners to look under, by the line's and the operand's levels: a few thousand
            # operands share each (issue 27), so worked out once.
            found = owners.get((mine, mine_owner, level, also))
            if found is None:
                found = _owners_made(book, mine, mine_owner, level, also)
            for owner in found:
                place = places.get((name, owner))
                if place is not None:
                    break
            else:
                return None
        # Relative where a formula copied along its row or column reads its own neighbours: an
        # intervention's column on Calculations, a claim's row on Claims check.
        relative = (
            place.__class__ is Cell
            and here_cell
            and place.sheet == title
            and (("n" in level and here.col == place.col) or (local and here.row == place.row))
        )
        made.append((place, text_value, columnwise, relative))
    return made


def _operands(placed: list[Placed], here: Cell | Row) -> list[X]:
    """`_operand` of each operand `_placed` found for one cell."""
    return [
        _reference(place, here, text_value, columnwise, relative)
        for place, text_value, columnwise, relative in placed
    ]


def _shaped_operands(
    placed: list[Placed], here: Cell | Row
) -> tuple[tuple[Any, ...], list[Any]] | None:
    """`shapes.shape_of(_operands(placed, here))`, an operand that is a cell or a line of years
    (the commonest) worked out from its text without its reference made (issue 27: 63,000 at
    200 x 5). Held to it by tests/test_workbook_fast_paths.py."""
    shape: list[Any] = []
    parts: list[Any] = []
    for place, text_value, columnwise, relative in placed:
        if place.__class__ is Cell:
            head, bang, tail = _cell_text(place, here, relative).rpartition("!")
            shape.append((Ref, text_value, bang, bool(tail), False, False, False, False, False))
            parts += (head, tail, "", 0, "", "", "")
            continue
        if place.__class__ is Row:
            text, prefix, first, last, end = _row_text(place, here, columnwise)
            head, bang, tail = text.rpartition("!")
            shape.append(
                (Ref, text_value, bang, bool(tail), bool(prefix), bool(place.row))
                + (bool(first), bool(last), bool(end))
            )
            parts += (head, tail, prefix, place.row, first, last, end)
            continue
        found = shape_of([_reference(place, here, text_value, columnwise, relative)])
        if found is None:
            return None
        shape += found[0]
        parts += found[1]
    return tuple(shape), parts


_NOT_A_NUMBER = object()  # `Book._lists`: a figure not a number, shown as its owner needs

# Owners of a placed figure by axis: i<k> an intervention, c<j> a component, d<j> a derived
# outcome, x<j> a change of placement, w<j> a row of the placement table, g<j> a staff line.
OWNER_AXES = ("i", "c", "d", "x", "w", "g")


def effect_owner(i: int, k: int) -> str:
    """The owner of effect k of intervention i: "i<i>f<k>"."""
    return f"i{i}f{k}"


def effect_slot(owner: str) -> tuple[int, int] | None:
    """(intervention, effect) of an effect's owner "i<i>f<k>"; None for any other owner."""
    if owner[:1] != "i" or "f" not in owner:
        return None
    i, _, k = owner[1:].partition("f")
    return (int(i), int(k)) if i.isdigit() and k.isdigit() else None


# Axes laid out across the columns of a sheet: a line on one of them is written column by column.
YEAR_AXES = frozenset({"H", "Y", "K", "T"})


def _cell_text(place: Cell, here: Cell | Row, relative: bool) -> str:
    """A reference to a placed cell, seen from `here` (`_reference`'s text for it)."""
    if relative:
        return f"{get_column_letter(place.col)}{place.row}"
    prefix = "" if place.sheet == here.sheet else quote_title(place.sheet)
    return f"{prefix}${get_column_letter(place.col)}${place.row}"


def _row_text(place: Row, here: Cell | Row, columnwise: bool) -> tuple[str, str, str, str, str]:
    """A reference to a placed line of years, seen from `here` (`_reference`'s for it): its
    text, its sheet's prefix and the letters of its first, last and end columns."""
    prefix = "" if place.sheet == here.sheet else quote_title(place.sheet)
    first, last = get_column_letter(place.first), get_column_letter(place.last)
    end = get_column_letter(place.end)
    if not prefix and isinstance(here, Row) and columnwise:
        return f"{COLUMN}{place.row}", prefix, first, last, end
    # a whole line of years, used through an operation over years
    return f"{prefix}${first}${place.row}:${last}${place.row}", prefix, first, last, end


def _reference(
    place: Place,
    here: Cell | Row,
    text_value: bool,
    columnwise: bool = True,
    relative: bool = False,
) -> X:
    """Formula text for a placed operand, seen from the cell (or line of years) `here`.

    `columnwise`: the operand runs along the same columns as the line using it, so each column
    reads its own (otherwise a line of years is the whole range, for an operation over years)."""
    if place.__class__ is Cell:  # the commonest (no Place is subclassed)
        return Ref(_cell_text(place, here, relative), text_value)
    same = place.sheet == here.sheet
    prefix = "" if same else quote_title(place.sheet)
    if isinstance(place, Row):
        text, prefix, first, last, end = _row_text(place, here, columnwise)
        return Ref(text, text_value, prefix, place.row, first, last, end)
    if isinstance(place, Column):
        col = get_column_letter(place.col)
        return Span(f"{prefix}${col}${place.first}:${col}${place.last}")
    if isinstance(place, Across):
        first, last = get_column_letter(place.first), get_column_letter(place.last)
        return Span(f"{prefix}${first}${place.row}:${last}${place.row}")
    if isinstance(place, Block):
        if place.last < place.first:
            return Span("")  # nothing to add up
        return Span(f"{prefix}{COLUMN}{place.first}:{COLUMN}{place.last}")
    if isinstance(place, Grid):
        left, right = get_column_letter(place.left), get_column_letter(place.right)
        key_col = get_column_letter(place.key_col)
        return Span(
            f"{prefix}${left}${place.first}:${right}${place.last}",
            f"{prefix}${key_col}${place.first}:${key_col}${place.last}",
            f"{prefix}${left}${place.header}:${right}${place.header}",
        )
    col, key_col = get_column_letter(place.col), get_column_letter(place.key_col)
    values = f"{prefix}${col}${place.first}:${col}${place.last}"
    keys = f"{prefix}${key_col}${place.first}:${key_col}${place.last}"
    return Span(values, keys, place.prefix)


# ---------------------------------------------------------------------------------------------
# Small helpers the sheets share
# ---------------------------------------------------------------------------------------------


def shown(line: Line, value: float) -> float | str | None:
    """A figure as the workbook shows it: the text for an infinite ratio or a payback that does
    not come, the line's own text where it does not apply, else the number."""
    if line.key.endswith("payback_year") and value == 0:
        return NEVER
    if math.isnan(value):
        return NOT_A_RISK if line.key in ("treated_risk", "effect_treated_risk") else None
    if math.isinf(value):
        text = line.infinite or INFINITE
        return text if value > 0 or text == NEVER else "-" + text
    return value


def input_format(unit: str) -> str:
    """Number format of an input value by its unit: exact enough to show what was typed."""
    if unit.startswith("£"):
        return "money2"
    if unit.startswith("fraction"):
        return "pct_in"
    return ""


def row_span(place: Row, count: int | None = None) -> str:
    """A placed line of years as an absolute range over `count` years (to its end by default)."""
    last = place.end if count is None else place.first + count - 1
    return (
        f"{quote_title(place.sheet)}${get_column_letter(place.first)}${place.row}:"
        f"${get_column_letter(last)}${place.row}"
    )

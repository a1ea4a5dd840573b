"""The operations a line definition is written in, with two backends: numpy and Excel formula text.

A line item is defined once, as a function of its operands (`v.reach`, `v.unit_cost`) and of an
operations object `o` (`o.ratio`, `o.where`, `o.maximum`, ...). Evaluated with `NumpyOps` over
arrays it is the engine; rendered with `ExcelOps` over cell references it is the workbook's formula.
Arithmetic (`+ - * /`, unary `-`, `**`) is written with Python's operators, which numpy arrays and
the `X` expressions below both support; everything else goes through `o`.

Division convention (README): `ratio(x, 0)` is +inf or -inf by the sign of x and `ratio(0, 0)` is
0, so no figure is ever NaN. Excel has no infinity: there an infinite figure is text (`NEVER` or
`INFINITE`), and a ratio whose operand may be such text treats it as numpy treats infinity.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from appraise.model.trend import least_squares

NEVER, INFINITE = "never", "infinite (no cost)"

# ---------------------------------------------------------------------------------------------
# numpy
# ---------------------------------------------------------------------------------------------


def ratio(num: Any, den: Any, order: str = "C") -> np.ndarray:
    """num / den, defined everywhere: x / 0 is +inf or -inf by the sign of x, and 0 / 0 is 0.

    `order`: the memory layout of the result (`NumpyOps.order`)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    out = np.empty(np.broadcast_shapes(num.shape, den.shape), order=order)
    # A tiny denominator overflowing to inf is the right answer; zero denominators are set below.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        np.divide(num, den, out=out)
    zero = den == 0
    if zero.any():
        zero = np.broadcast_to(zero, out.shape)
        top = np.broadcast_to(num, out.shape)[zero]
        out[zero] = np.where(top != 0, np.copysign(np.inf, top), 0.0)
    return out


def distinct(code: Any) -> list[int]:
    """The distinct codes of an integer array, in order. Not `np.unique`: it imports `numpy.ma`
    (about 0.01 s of `appraise evaluate`'s start-up) to ask whether the array is masked."""
    ordered = np.sort(np.asarray(code), axis=None)
    if ordered.size == 0:
        return []
    return [int(c) for c in ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]]


@dataclass(frozen=True)
class Cross:
    """An operand on other axes than the line using it: only an aggregating operation may take it
    (a sum over components or years, a lookup), never arithmetic."""

    array: np.ndarray
    level: tuple[str, ...]


def align(array: np.ndarray, level: Sequence[str], target: Sequence[str]) -> np.ndarray:
    """`array` (leading draw axes, then one axis per name in `level`) with singleton axes inserted
    so that it broadcasts against arrays on the axes `target` (a superset of `level`, same order)."""
    if tuple(level) == tuple(target):
        return array
    k = len(level)
    lead = array.shape[: array.ndim - k]
    own = dict(zip(level, array.shape[array.ndim - k :], strict=True))
    return array.reshape(lead + tuple(own.get(axis, 1) for axis in target))


class NumpyOps:
    """The operations over numpy arrays. `group` maps each component to its outcome (C -> O)."""

    def __init__(
        self,
        group: np.ndarray | None = None,
        n_groups: int = 0,
        staff: np.ndarray | None = None,
        n: int = 0,
    ):
        self.group, self.n_groups = group, n_groups
        self.staff, self.n = staff, n  # each staff line's intervention; how many interventions

    # The memory layout of the arrays this run makes (`appraise.engine.evaluate.layout`): "F"
    # when the draws are the fastest-varying axis, as a simulation draws them.
    order = "C"

    # arithmetic helpers -----------------------------------------------------------------------
    def ratio(self, num: Any, den: Any, text: str | None = None, signed: bool = True) -> Any:
        return ratio(num, den, self.order)

    def where(self, cond: Any, a: Any, b: Any) -> Any:
        return np.where(cond, a, b)

    def not_applicable(self, text: str) -> Any:
        """A figure that does not apply here (NaN: JSON null; the workbook shows `text`)."""
        return np.nan

    # The operands of the line being worked out (`appraise.engine.evaluate` sets it): an object
    # whose `only(mask)` makes them, for a while, just the elements where `mask` holds.
    names: Any = None

    def choose(self, code: Any, branches: Mapping[int, Callable[[], Any]]) -> Any:
        """The branch numbered by `code` (an integer array), working out only the codes present,
        and, where the operands can be narrowed to them, each branch only where it applies (an
        effect's form is fixed per intervention: its formula need not run on every other one)."""
        code = np.asarray(code)
        present = distinct(code)
        if len(present) > 1 and self.names is not None and self.names.can_narrow(code):
            parts = []
            for c in present:
                mask = code == c
                with self.names.only(mask), np.errstate(all="ignore"):
                    parts.append((mask, np.asarray(branches[c](), dtype=float)))
            lead = np.broadcast_shapes(*(value.shape[:-1] for _, value in parts if value.ndim))
            out = np.empty(lead + code.shape, order=self.order)
            for mask, value in parts:
                out[..., mask] = value
            return out
        with np.errstate(all="ignore"):  # branches are worked out where they do not apply too
            values = [np.asarray(branches[c](), dtype=float) for c in present]
        if len(values) == 1:
            shape = np.broadcast_shapes(values[0].shape, code.shape)
            return np.array(np.broadcast_to(values[0], shape))
        return np.select([code == c for c in present], values)

    def maximum(self, a: Any, b: Any) -> Any:
        return np.maximum(a, b)

    def abs(self, x: Any) -> Any:
        return np.abs(x)

    def minimum(self, a: Any, b: Any) -> Any:
        return np.minimum(a, b)

    def clip(self, x: Any, lo: Any, hi: Any) -> Any:
        return np.minimum(np.maximum(x, lo), hi)

    def exp(self, x: Any) -> Any:
        with np.errstate(over="ignore"):  # an overflow is caught where the figures are checked
            return np.exp(x)

    def ln(self, x: Any) -> Any:
        with np.errstate(invalid="ignore", divide="ignore"):  # where a branch does not apply
            return np.log(x)

    def floor(self, x: Any) -> Any:
        return np.floor(x)

    # comparisons and logic -------------------------------------------------------------------
    def eq(self, a: Any, b: Any) -> Any:
        return np.equal(a, b)

    def lt(self, a: Any, b: Any) -> Any:
        return np.less(a, b)

    def le(self, a: Any, b: Any) -> Any:
        return np.less_equal(a, b)

    def ge(self, a: Any, b: Any) -> Any:
        return np.greater_equal(a, b)

    def and_(self, a: Any, b: Any) -> Any:
        return np.logical_and(a, b)

    def or_(self, a: Any, b: Any) -> Any:
        return np.logical_or(a, b)

    # across axes -------------------------------------------------------------------------------
    def lookup(self, table: Cross, key: Any) -> Any:
        """The table's entry for each key (an integer position along the table's last axis)."""
        key = np.asarray(key, dtype=int)
        values = table.array
        lead = values.shape[:-1]
        return np.take_along_axis(
            np.broadcast_to(values[..., None, :], lead + key.shape + values.shape[-1:]),
            np.broadcast_to(key[..., None], lead + key.shape + (1,)),
            axis=-1,
        )[..., 0]

    def components(
        self, given: Cross, placement: Cross, non_placement: Cross, change: Cross
    ) -> Any:
        """The components given in the file, then all placement parts, then all non-placement,
        then every change of placement."""
        parts = [given.array, placement.array, non_placement.array, change.array]
        lead = np.broadcast_shapes(*(p.shape[:-1] for p in parts))
        return np.concatenate([np.broadcast_to(p, lead + p.shape[-1:]) for p in parts], axis=-1)

    def index2(self, table: Cross, row: Any, col: Any) -> Any:
        """A table's entry at (row, column) positions, per element (a price index in a year)."""
        return table.array[np.asarray(row, dtype=int), np.asarray(col, dtype=int)]

    def sum_effects(self, x: Cross) -> Any:
        """Each intervention's sum over its effects."""
        assert x.level[-1] == "F", x.level
        if x.array.shape[-1] == 1:  # one effect each: its figure, as the sum gives, in no pass
            return x.array[..., 0]
        return x.array.sum(axis=-1)

    def first_effect(self, x: Cross) -> Any:
        """Each intervention's first effect's figure (its only one, where this is used)."""
        assert x.level[-1] == "F", x.level
        return x.array[..., 0]

    def staff_sum(self, x: Cross) -> Any:
        """Each intervention's sum over its staff lines (0 for a service not costed by staff)."""
        onehot = np.zeros((len(self.staff) if self.staff is not None else 0, self.n))
        if self.staff is not None and len(self.staff):
            onehot[np.arange(len(self.staff)), self.staff] = 1.0
        return x.array @ onehot

    def group_sum(self, parts: Cross) -> Any:
        """Each outcome's sum over its components."""
        onehot = np.zeros((len(self.group), self.n_groups))
        onehot[np.arange(len(self.group)), self.group] = 1.0
        return parts.array @ onehot

    def _years(self, x: Cross) -> np.ndarray:
        """A year-level operand on the axes (n, H), whatever it came on."""
        assert x.level[-1:] == ("H",), x.level
        return align(x.array, x.level, ("n", "H"))

    def sum_years(self, x: Cross) -> Any:
        return self._years(x).sum(axis=-1)

    def sumproduct_years(self, a: Cross, b: Cross) -> Any:
        return (self._years(a) * self._years(b)).sum(axis=-1)

    def first_year(self, flag: Cross) -> Any:
        """The first year (1-based) whose flag is 1; 0 where there is none."""
        reached = self._years(flag) != 0
        return np.where(reached.any(axis=-1), reached.argmax(axis=-1) + 1, 0)

    def cumsum_years(self, x: Any) -> Any:
        return np.cumsum(x, axis=-1)

    def discount(self, rate: Any, year: Any) -> Any:
        """The discount factor of each year: 1 / (1 + rate)^(year - 1) at one rate. Under a
        schedule (a rate that changes along the years), each band's rate compounds from the
        factor of the year before the band: 1 / (1.035^30 x 1.03^k) (HM Treasury Green Book)."""
        year = np.asarray(year, dtype=float)
        rate = np.asarray(rate, dtype=float)
        rate = np.broadcast_to(rate, np.broadcast_shapes(rate.shape, year.shape))
        if (rate == rate[..., :1]).all():
            return 1 / (1 + rate) ** (year - 1)
        # The bands start where the rate changes (in any draw: a schedule is never drawn).
        moved = (rate[..., 1:] != rate[..., :-1]).reshape(-1, rate.shape[-1] - 1).any(axis=0)
        starts = [0, *(int(k) + 1 for k in np.flatnonzero(moved)), rate.shape[-1]]
        out = np.empty(rate.shape)
        for start, end in zip(starts[:-1], starts[1:], strict=True):
            anchor = max(start - 1, 0)  # the year the band compounds from
            base = out[..., anchor : anchor + 1] if start else 1.0
            out[..., start:end] = base / (1 + rate[..., start:end]) ** (
                year[start:end] - year[anchor]
            )
        return out

    def year_value(self, x: Any, year: Any) -> Any:
        """x in the given year (1-based, per element of `year`); 0 before year 1.

        `x` may be a line on other years (an intervention's cash flows, read in a forecast year).
        """
        x = np.asarray(x.array if isinstance(x, Cross) else x, dtype=float)
        year = np.asarray(year)
        if year.ndim == 0:  # one year for every element
            k = int(year) - 1
            return x[..., k] if k >= 0 else np.zeros(x.shape[:-1])
        lead = np.broadcast_shapes(x.shape[:-1], year.shape[:-1])
        index = np.broadcast_to(year, lead + year.shape[-1:]).astype(int) - 1
        values = np.broadcast_to(x, lead + x.shape[-1:])
        found = np.take_along_axis(values, np.clip(index, 0, x.shape[-1] - 1), axis=-1)
        return np.where(index >= 0, found, 0.0)

    def sum_over(self, x: Cross) -> Any:
        """The sum over interventions (the forecast adds up the interventions it counts)."""
        return x.array.sum(axis=x.level.index("n") - len(x.level))

    def sum_rows(self, x: Cross) -> Any:
        """The sum over the rows of a table on one axis (a programme's savings targets)."""
        assert len(x.level) == 1, x.level
        return x.array.sum(axis=-1)

    # paths (the forecast) ----------------------------------------------------------------------
    def position(self, x: Any, knots: Cross) -> Any:
        """The 1-based position of the last knot at or before x, kept within 1..K-1 (K >= 2)."""
        ks = knots.array
        pos = np.searchsorted(ks, np.asarray(x, dtype=float), side="right")
        return np.clip(pos, 1, len(ks) - 1)

    def index(self, values: Cross, position: Any) -> Any:
        """values at a 1-based position."""
        return np.asarray(values.array)[np.asarray(position, dtype=int) - 1]

    def slope(self, ys: Cross, xs: Cross) -> Any:
        """The least-squares slope of ys on xs (as Excel's SLOPE)."""
        return least_squares(xs.array, ys.array)[1]

    def intercept(self, ys: Cross, xs: Cross) -> Any:
        """The least-squares intercept (as Excel's INTERCEPT)."""
        return least_squares(xs.array, ys.array)[0]


# ---------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------

ATOM, POWER, UNARY, PRODUCT, SUM, COMPARISON = 9, 6, 5, 4, 3, 2


def _number(value: float | int) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value}")
    return repr(float(value)).upper()


class X:
    """A piece of Excel formula text, with its operator precedence for correct parentheses.

    `text_value`: the piece may be text standing for an infinite figure (see `ExcelOps.ratio`).
    """

    __slots__ = ("text", "prec", "text_value")

    def __init__(self, text: str, prec: int = ATOM, text_value: bool = False):
        self.text, self.prec, self.text_value = text, prec, text_value

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"X({self.text!r})"

    @staticmethod
    def of(value: Any) -> X:
        if isinstance(value, X):
            return value
        if isinstance(value, int | float | np.integer | np.floating):
            number = _number(value)
            return X(number, ATOM if not number.startswith("-") else UNARY)
        raise TypeError(f"cannot use {value!r} in a formula")

    def _paren(self, level: int, strict: bool = False) -> str:
        weaker = self.prec < level or (strict and self.prec == level)
        return f"({self.text})" if weaker else self.text

    @staticmethod
    def _binary(a: Any, op: str, b: Any, prec: int, strict_right: bool) -> X:
        a, b = X.of(a), X.of(b)
        return X(f"{a._paren(prec)}{op}{b._paren(prec, strict_right)}", prec)

    def __add__(self, other: Any) -> X:
        return X._binary(self, "+", other, SUM, False)

    def __radd__(self, other: Any) -> X:
        return X._binary(other, "+", self, SUM, False)

    def __sub__(self, other: Any) -> X:
        return X._binary(self, "-", other, SUM, True)

    def __rsub__(self, other: Any) -> X:
        return X._binary(other, "-", self, SUM, True)

    def __mul__(self, other: Any) -> X:
        return X._binary(self, "*", other, PRODUCT, False)

    def __rmul__(self, other: Any) -> X:
        return X._binary(other, "*", self, PRODUCT, False)

    def __truediv__(self, other: Any) -> X:
        return X._binary(self, "/", other, PRODUCT, True)

    def __rtruediv__(self, other: Any) -> X:
        return X._binary(other, "/", self, PRODUCT, True)

    def __pow__(self, other: Any) -> X:
        # Excel negates before raising (-2^2 is 4): parenthesise anything but an atom.
        a, b = X.of(self), X.of(other)
        left = a.text if a.prec == ATOM else f"({a.text})"
        right = b.text if b.prec == ATOM else f"({b.text})"
        return X(f"{left}^{right}", POWER)

    def __neg__(self) -> X:
        return X(f"-{self._paren(UNARY)}", UNARY)


class Ref(X):
    """A reference to one cell. On a row of years it also knows its row, for operations over years:
    `first` and `last` are the columns of the first and last year appraised, `end` the last column
    the row is written to (a row may run past the horizon)."""

    __slots__ = ("sheet", "row", "first", "last", "end")

    def __init__(
        self,
        text: str,
        text_value: bool = False,
        sheet: str = "",
        row: int = 0,
        first: str = "",
        last: str = "",
        end: str = "",
    ):
        super().__init__(text, ATOM, text_value)
        self.sheet, self.row, self.first, self.last, self.end = sheet, row, first, last, end

    def span(self, to: str | None = None) -> str:
        """The row from its first year to `to` (the horizon's last year by default), absolute."""
        return f"{self.sheet}${self.first}${self.row}:${to or self.last}${self.row}"


class Span(X):
    """A range of cells (components of an outcome; a table's values, with the range of its keys,
    each written `prefix` + key)."""

    __slots__ = ("keys", "prefix")

    def __init__(self, text: str, keys: str = "", prefix: str = ""):
        super().__init__(text, ATOM)
        self.keys, self.prefix = keys, prefix


def _call(name: str, *args: Any) -> X:
    return X(f"{name}({','.join([X.of(a).text for a in args])})")  # a list joins quicker


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


class ExcelOps:
    """The operations as Excel formula text. `infinite`: the text the line being written shows
    for an infinite figure (a ratio over zero)."""

    def __init__(self, infinite: str | None = None):
        self.infinite = infinite

    def ratio(self, num: Any, den: Any, text: str | None = None, signed: bool = True) -> X:
        num, den = X.of(num), X.of(den)
        shown = text or self.infinite or INFINITE
        inf = (
            X(f"IF({num._paren(COMPARISON, True)}>0,{_text(shown)},{_text('-' + shown)})")
            if signed
            else X(_text(shown))
        )
        out = X(
            f"IF({den._paren(COMPARISON, True)}=0,IF({num._paren(COMPARISON, True)}=0,0,{inf}),{(num / den).text})",
            text_value=True,
        )
        if den.text_value:  # a finite number over an infinite one is 0
            out = X(f"IF(ISTEXT({den}),0,{out})", text_value=True)
        if num.text_value:  # an infinite figure over a finite one stays infinite
            out = X(f"IF(ISTEXT({num}),{_text(shown)},{out})", text_value=True)
        return out

    def not_applicable(self, text: str) -> X:
        return X(_text(text), text_value=True)

    def where(self, cond: Any, a: Any, b: Any) -> X:
        a, b = X.of(a), X.of(b)
        return X(f"IF({X.of(cond)},{a},{b})", text_value=a.text_value or b.text_value)

    def choose(self, code: Any, branches: Mapping[int, Callable[[], Any]]) -> X:
        codes = sorted(branches)
        assert codes == list(range(len(codes))), codes
        values = [X.of(branches[c]()) for c in codes]
        return _call("CHOOSE", X.of(code) + 1, *values)

    def maximum(self, a: Any, b: Any) -> X:
        return _call("MAX", a, b)

    def abs(self, x: Any) -> X:
        return _call("ABS", x)

    def minimum(self, a: Any, b: Any) -> X:
        return _call("MIN", a, b)

    def clip(self, x: Any, lo: Any, hi: Any) -> X:
        return _call("MIN", _call("MAX", x, lo), hi)

    def exp(self, x: Any) -> X:
        return _call("EXP", x)

    def ln(self, x: Any) -> X:
        return _call("LN", x)

    def floor(self, x: Any) -> X:
        return _call("INT", x)  # INT rounds down, as numpy's floor

    def _compare(self, a: Any, op: str, b: Any) -> X:
        a, b = X.of(a), X.of(b)
        return X(f"{a._paren(COMPARISON, True)}{op}{b._paren(COMPARISON, True)}", COMPARISON)

    def eq(self, a: Any, b: Any) -> X:
        return self._compare(a, "=", b)

    def lt(self, a: Any, b: Any) -> X:
        return self._compare(a, "<", b)

    def le(self, a: Any, b: Any) -> X:
        return self._compare(a, "<=", b)

    def ge(self, a: Any, b: Any) -> X:
        return self._compare(a, ">=", b)

    def and_(self, a: Any, b: Any) -> X:
        return _call("AND", a, b)

    def or_(self, a: Any, b: Any) -> X:
        return _call("OR", a, b)

    def lookup(self, table: Span, key: Any) -> X:
        # Joined as text, a rating typed as the number 3 finds the key "...3" too.
        wanted = f"{_text(table.prefix)}&{X.of(key)._paren(SUM)}"
        return X(f"INDEX({table},MATCH({wanted},{table.keys},0))")

    def components(self, given: Any, placement: Any, non_placement: Any, change: Any) -> X:
        # The Outcomes sheet lays each component's row out from its own source: no formula.
        raise NotImplementedError("a component's cell refers to its source directly")

    def index2(self, table: Span, row: Any, col: Any) -> X:
        return X(
            f"INDEX({table},MATCH({X.of(row)},{table.keys},0),MATCH({X.of(col)},{table.prefix},0))"
        )

    def group_sum(self, parts: Span) -> X:
        return _call("SUM", parts)

    def sum_effects(self, x: Span) -> X:
        return _call("SUM", x)

    def first_effect(self, x: Span) -> X:
        return _call("INDEX", x, 1)

    def staff_sum(self, x: Span) -> X:
        return _call("SUM", x) if x.text else X.of(0)

    def sum_years(self, x: Ref) -> X:
        return X(f"SUM({x.span()})")

    def sumproduct_years(self, a: Ref, b: Ref) -> X:
        return X(f"SUMPRODUCT({a.span()},{b.span()})")

    def first_year(self, flag: Ref) -> X:
        return X(f"IFERROR(MATCH(1,{flag.span()},0),{_text(NEVER)})", text_value=True)

    def cumsum_years(self, x: Ref) -> X:
        return X(f"SUM({x.sheet}${x.first}{x.row}:{x.text.rsplit('!', 1)[-1]})")

    def discount(self, rate: Ref, year: Ref) -> X:
        if not rate.first:  # one rate in one cell: the Green Book's formula as written
            return 1 / (1 + rate) ** (year - 1)
        # A rate in each year (a schedule): 1 / the product of (1 + rate) over years 2 to this
        # one, as EXP(SUM(LN(...))), which SUMPRODUCT works out over the ranges in any spreadsheet.
        here = lambda x: f"{x.sheet}${x.first}${x.row}:{x.text.rsplit('!', 1)[-1]}"  # noqa: E731
        return X(f"1/EXP(SUMPRODUCT(({here(year)}>1)*LN(1+{here(rate)})))", PRODUCT)

    def year_value(self, x: Ref, year: Any) -> X:
        year = X.of(year)
        return X(f"IF({year._paren(COMPARISON, True)}<1,0,INDEX({x.span(x.end)},{year}))")

    def sum_over(self, rows: Span) -> X:
        return _call("SUM", rows) if rows.text else X.of(0)

    def sum_rows(self, rows: Span) -> X:
        return _call("SUM", rows) if rows.text else X.of(0)

    def position(self, x: Any, knots: Span) -> X:
        return X(
            f"IF({X.of(x)._paren(COMPARISON, True)}<=INDEX({knots},1),1,"
            f"MIN(MATCH({X.of(x)},{knots},1),COLUMNS({knots})-1))"
        )

    def index(self, values: Span, position: Any) -> X:
        return _call("INDEX", values, position)

    # over the options (appraise.engine.options): a column of every option's figure, a row of it
    def count(self, x: Any) -> X:
        """How many options (or pairs: a column against a row) satisfy x."""
        return X(f"SUMPRODUCT(({X.of(x)})*1)")

    def match(self, x: Any, column: Span) -> X:
        return X(f"MATCH({X.of(x)},{column},0)")

    def pick(self, column: Span, row: Any) -> X:
        return _call("INDEX", column, row)

    def slope(self, ys: Span, xs: Span) -> X:
        return _call("SLOPE", ys, xs)

    def intercept(self, ys: Span, xs: Span) -> X:
        return _call("INTERCEPT", ys, xs)

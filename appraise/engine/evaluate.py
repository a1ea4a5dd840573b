"""Evaluating the line definitions (`appraise.engine.lines`) over numpy arrays.

Each line's operands are found by tracing its formula once; a run works out only the lines the
wanted figures depend on, in definition order. Operands are aligned to the axes of the line using
them (see `appraise.engine.ops.align`); an outcome's figure used by an intervention is that
intervention's outcome. Portfolio totals apply each line's `total` rule: a sum over interventions,
or the same formula over the portfolio's own figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from appraise.engine.lines import LINES, Line
from appraise.engine.ops import Cross, NumpyOps, align

Lines = Mapping[str, Line]


@dataclass(frozen=True)
class Structure:
    """The sizes of a portfolio's axes and how they map onto each other (never drawn)."""

    n: int  # interventions
    horizon: int  # years appraised
    outcome_index: np.ndarray  # [n] the outcome each intervention averts
    component_outcome: np.ndarray  # [C] the outcome each component is part of
    n_outcomes: int
    n_derived: int
    n_ratings: int
    n_given: int  # components given in the file (the others are derived)
    extra: Mapping[str, int] = field(default_factory=dict)  # other axes (the forecast's years)
    # [n, F] the outcome each effect averts (F: the most effects any intervention has).
    effect_outcome: np.ndarray | None = None
    staff_owner: np.ndarray | None = None  # [G] the intervention each staff line belongs to

    def ops(self) -> NumpyOps:
        """The numpy operations over this structure's groupings."""
        return NumpyOps(self.component_outcome, self.n_outcomes, self.staff_owner, self.n)

    def size(self, axis: str, total: bool = False) -> int:
        if axis == "n":
            return 1 if total else self.n
        if axis in self.extra:
            return self.extra[axis]
        if axis == "F":
            return 1 if self.effect_outcome is None else self.effect_outcome.shape[-1]
        if axis == "G":
            return 0 if self.staff_owner is None else len(self.staff_owner)
        return {
            "H": self.horizon,
            "O": self.n_outcomes,
            "C": len(self.component_outcome),
            "D": self.n_derived,
            "E": self.n_given,
            "R": self.n_ratings,
        }[axis]


# ---------------------------------------------------------------------------------------------
# Tracing: which operands each line uses
# ---------------------------------------------------------------------------------------------


class _Tracer:
    """Stands for any operand while a formula is traced: every operation gives a tracer back."""

    def _any(self, *args: Any) -> _Tracer:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _any
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __neg__ = _any


class _TraceNames:
    def __init__(self, seen: list[str], lines: Lines):
        self._seen, self._lines = seen, lines

    def __getattr__(self, name: str) -> _Tracer:
        if name not in self._lines:
            raise AttributeError(f"no line or input named {name!r}")
        self._seen.append(name)
        return _Tracer()


class _TraceOps:
    def __getattr__(self, name: str) -> Any:
        def op(*args: Any, **kwargs: Any) -> _Tracer:
            for arg in args:
                if isinstance(arg, Mapping):  # choose: every branch may be taken
                    for branch in arg.values():
                        branch()
            return _Tracer()

        return op


_OPERANDS: dict[tuple[int, str], tuple[str, ...]] = {}


def operands(key: str, lines: Lines = LINES) -> tuple[str, ...]:
    """The lines and inputs a line's formula uses (none for an input)."""
    found = _OPERANDS.get((id(lines), key))
    if found is None:
        line = lines[key]
        seen: list[str] = []
        if line.formula is not None:
            line.formula(_TraceNames(seen, lines), _TraceOps())
        found = _OPERANDS[(id(lines), key)] = tuple(dict.fromkeys(seen))
    return found


_CLOSURES: dict[tuple[int, frozenset[str], bool], frozenset[str]] = {}


def _closure(keys: frozenset[str], lines: Lines, totals_only: bool) -> frozenset[str]:
    """`keys` and the operands reached from them: every line's, or (`totals_only`) only those of
    a line whose total is worked out by formula."""
    memo = (id(lines), keys, totals_only)
    found = _CLOSURES.get(memo)
    if found is None:
        out: set[str] = set()
        stack = list(keys)
        while stack:
            key = stack.pop()
            if key not in out:
                out.add(key)
                if not totals_only or lines[key].total == "formula":
                    stack.extend(operands(key, lines))
        found = _CLOSURES[memo] = frozenset(out)
    return found


def needed(keys: frozenset[str], lines: Lines = LINES) -> frozenset[str]:
    """`keys` and everything they depend on."""
    return _closure(keys, lines, totals_only=False)


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


SAME, ALIGN, PICK, PICK_EFFECT, CROSS = range(5)


@cache
def _how(level: tuple[str, ...], target: tuple[str, ...], total: bool) -> int:
    """How an operand on axes `level` enters a line on axes `target`."""
    if level == target:
        return SAME
    positions = [target.index(a) for a in level if a in target]
    if len(positions) == len(level) and positions == sorted(positions):
        return ALIGN
    if level == ("O",) and "F" in target and not total:
        return PICK_EFFECT  # an outcome's figure, used by the effects that avert it
    if level == ("O",) and "n" in target and not total:
        return PICK  # an outcome's figure, used by the interventions that avert it
    return CROSS


class _Names:
    """Operands of one line, as numpy arrays aligned to its axes."""

    def __init__(
        self,
        values: Mapping[str, np.ndarray],
        level: tuple[str, ...],
        structure: Structure,
        total: bool,
        lines: Lines,
    ):
        self._values, self._level, self._structure, self._total = values, level, structure, total
        self._lines = lines
        self._mask: np.ndarray | None = None
        self._trailing = tuple(structure.size(a, total) for a in level)
        self.order = "C"  # the layout of the run's arrays (`layout`)

    def can_narrow(self, code: np.ndarray) -> bool:
        """Whether operands can be narrowed to where `code` takes a value: `code` lies on this
        line's own axes, with no draw axis (one value per element, the same in every draw)."""
        return self._mask is None and code.dtype != object and code.shape == self._trailing

    @contextmanager
    def only(self, mask: np.ndarray) -> Iterator[None]:
        """For a while, every operand is just its elements where `mask` (on the line's axes)
        holds: an array [leading draw axes..., k]. Elementwise formulas give the same figures."""
        self._mask = mask
        # Where the elements lie along the line's axes flattened draws-fastest (`_picked`).
        self._where = np.ravel_multi_index(np.nonzero(mask), self._trailing, order="F")
        try:
            yield
        finally:
            self._mask = None

    def __getattr__(self, name: str) -> Any:
        found = self._operand(name)
        mask = self._mask
        if mask is None or isinstance(found, Cross):
            return found
        array = np.asarray(found)
        if array.ndim == 0:
            return found
        k = len(self._trailing)
        lead = array.shape[: max(array.ndim - k, 0)]
        full = np.broadcast_to(array, lead + self._trailing)
        if lead and self.order == "F":
            return self._picked(full, lead)
        return full[..., mask]

    def _picked(self, full: np.ndarray, lead: tuple[int, ...]) -> np.ndarray:
        """`full[..., mask]` laid out draws-fastest, as the run's other arrays: each element's
        draws are a run of memory, copied whole (numpy's own pick copies them one at a time
        into an array laid out the other way)."""
        flat = full.reshape(lead + (-1,), order="F")  # a view when `full` is draws-fastest
        picked = np.empty(lead + self._where.shape, order="F")
        np.take(flat.T, self._where, axis=0, out=picked.T, mode="clip")  # positions made above
        return picked

    def _operand(self, name: str) -> Any:
        array = self._values[name]
        level = self._lines[name].level
        how = _how(level, self._level, self._total)
        if how == SAME:
            return array
        if how == ALIGN:
            return align(array, level, self._level)
        if how == PICK:
            picked = self._take(array, self._structure.outcome_index)
            return align(picked, ("n",), self._level)
        if how == PICK_EFFECT:
            index = self._structure.effect_outcome
            if index is None:
                index = self._structure.outcome_index[:, None]
            return align(self._take(array, index), ("n", "F"), self._level)
        return Cross(array, level)

    def _take(self, array: np.ndarray, index: np.ndarray) -> np.ndarray:
        """`np.take(array, index, axis=-1)`, laid out as the run's arrays are (`layout`)."""
        if self.order == "C" or not array.flags.f_contiguous:
            return np.take(array, index, axis=-1)
        # Draws fastest: each picked figure is a whole run of draws, copied at once. (numpy
        # checks the positions first only by copying everything twice, so they are checked here.)
        if index.size and not 0 <= index.min() <= index.max() < array.shape[-1]:
            raise IndexError(f"positions {index} outside an axis of {array.shape[-1]}")
        out = np.empty(array.shape[:-1] + index.shape, order="F")
        np.take(array.T, index.T, axis=0, out=out.T, mode="clip")
        return out


def layout(inputs: Mapping[str, np.ndarray], lines: Lines = LINES) -> str:
    """ "F" when an input array with draws (more axes than its line's) has the draws varying
    fastest in memory, as a simulation draws them (`Model.draw_buffers`); else "C".

    A run then makes its arrays in that layout too: arithmetic between arrays laid out alike, or
    with a figure per intervention, runs straight along memory, where one between a draws-fastest
    and an interventions-fastest array strides across it (several times slower).
    """
    for key, array in inputs.items():
        if (
            isinstance(array, np.ndarray)
            and array.ndim >= 2
            and array.ndim > len(lines[key].level if key in lines else ())
            and array.strides[0] == array.itemsize
            and not array.flags.c_contiguous
        ):
            return "F"
    return "C"


def _shaped(
    value: Any, line: Line, structure: Structure, total: bool, order: str = "C"
) -> np.ndarray:
    """A formula's result as a float array on the line's own axes (leading draw axes kept), in
    the layout `order` where it is a whole array of its own (not a broadcast view)."""
    array = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=float)
    if array.dtype != float:
        array = array.astype(float, order="K")
    trailing = tuple(structure.size(a, total) for a in line.level)
    k = len(trailing)
    if array.ndim >= k and array.shape[array.ndim - k :] == trailing:
        if order == "F" and array.ndim >= 2 and not array.flags.f_contiguous and all(array.strides):
            array = np.asfortranarray(array)
        return array
    lead = array.shape[: max(array.ndim - k, 0)]
    return np.broadcast_to(array, lead + trailing)


_SCHEDULES: dict[tuple[int, frozenset[str], frozenset[str], frozenset[str]], Any] = {}


def _schedule(
    keys: frozenset[str], given: frozenset[str], keep: frozenset[str], lines: Lines
) -> list[tuple[str, tuple[str, ...]]]:
    """The lines to work out, in definition order, each with the lines worked out earlier that
    nothing after it reads and that are not kept (let go once it is worked out)."""
    memo = (id(lines), keys, given, keep)
    found = _SCHEDULES.get(memo)
    if found is None:
        todo = [k for k in lines if k in keys and k not in given]
        last = {}
        for key in todo:
            for operand in operands(key, lines):
                last[operand] = key
        done: dict[str, list[str]] = {key: [] for key in todo}
        for operand, key in last.items():
            if operand not in given and operand not in keep:
                done[key].append(operand)
        found = _SCHEDULES[memo] = [(key, tuple(done[key])) for key in todo]
    return found


def run(
    inputs: Mapping[str, np.ndarray],
    structure: Structure,
    wanted: Iterable[str],
    lines: Lines = LINES,
    keep: Iterable[str] | None = None,
) -> dict[str, np.ndarray]:
    """Every line in `wanted` (and the lines it uses), from the input arrays.

    With `keep`, a line worked out here that is not in `keep` is let go as soon as the last line
    reading it is worked out, and is not returned: a simulation's chunk makes dozens of arrays of
    megabytes, and memory let go is made again while still in the processor's cache.
    """
    keys = needed(frozenset(wanted), lines)
    values = dict(inputs)
    ops = structure.ops()
    ops.order = layout(inputs, lines)
    kept = keys if keep is None else frozenset(keep)
    for key, spent in _schedule(keys, frozenset(values), kept, lines):
        line = lines[key]
        assert line.formula is not None, f"input {key!r} was not given"
        ops.names = _Names(values, line.level, structure, False, lines)
        ops.names.order = ops.order
        result = line.formula(ops.names, ops)
        values[key] = _shaped(result, line, structure, False, ops.order)
        for operand in spent:
            del values[operand]
    ops.names = None
    return values


def constant(
    inputs: Mapping[str, np.ndarray],
    structure: Structure,
    wanted: Iterable[str],
    varying: Iterable[str],
    lines: Lines = LINES,
) -> dict[str, np.ndarray]:
    """The lines `wanted` needs that depend on none of the inputs `varying`, from `inputs`.

    A simulation draws a few inputs chunk after chunk: the lines that read none of them (a
    discount factor, a year's weights) come out the same in every chunk, so they are worked out
    once, here, and given to each chunk's `run` with the draws, which then skips them.
    """
    keys = needed(frozenset(wanted), lines)
    moving = set(varying)
    for key in lines:  # in definition order, so a line's operands are settled before it
        line = lines[key]
        if key in keys and line.formula is not None and moving.intersection(operands(key, lines)):
            moving.add(key)
    fixed = [k for k in lines if k in keys and k not in moving and not lines[k].is_input]
    values = run(inputs, structure, fixed, lines)
    return {k: values[k] for k in fixed}


def _n_axis(line: Line) -> int:
    """Position of the interventions axis, counted from the end."""
    return line.level.index("n") - len(line.level)


def _summed(array: np.ndarray, axis: int) -> np.ndarray:
    """The sum along `axis` (kept, one long), added in the order numpy adds along a row laid out
    contiguously, whatever the array's layout: numpy adds a row pairwise, but down a column one
    value after another, which rounds differently, so a total would otherwise depend on layout."""
    if array.ndim > 1 and array.strides[axis] != array.itemsize:
        if array.ndim == 2 and axis in (-1, 1) and array.strides[0] == array.itemsize:
            # Draws fastest: no copy. numpy adds the row's sum to 0, so -0.0 comes out 0.0.
            return (_pairwise(array, 0, array.shape[1]) + 0.0)[:, None]
        array = np.ascontiguousarray(array)
    return array.sum(axis=axis, keepdims=True)


def _pairwise(table: np.ndarray, start: int, count: int) -> np.ndarray:
    """The sums of columns start..start + count - 1 of `table` [draws, n], added in numpy's own
    order along a row (its pairwise summation: under 8 values one after another from 0; up to
    128 in 8 running sums, combined as a tree, then the rest; beyond that, two halves), a column
    of draws at a time. tests/test_simulation_buffers.py checks it against numpy's row sums."""
    if count < 8:
        total = np.zeros(table.shape[0])
        for j in range(start, start + count):
            total += table[:, j]
        return total
    if count > 128:
        half = count // 2 - count // 2 % 8
        return _pairwise(table, start, half) + _pairwise(table, start + half, count - half)
    sums = [table[:, start + j].copy() for j in range(8)]
    whole = count - count % 8
    for i in range(8, whole, 8):
        for j in range(8):
            sums[j] += table[:, start + i + j]
    total = ((sums[0] + sums[1]) + (sums[2] + sums[3])) + (
        (sums[4] + sums[5]) + (sums[6] + sums[7])
    )
    for j in range(start + whole, start + count):
        total += table[:, j]
    return total


def totals_needed(keys: frozenset[str]) -> frozenset[str]:
    """`keys` and the lines whose portfolio figures theirs are worked out from (a total by
    formula reads its operands' totals; a summed total reads nothing else)."""
    return _closure(keys, LINES, totals_only=True)


def totals(
    per: Mapping[str, np.ndarray], structure: Structure, only: Iterable[str] | None = None
) -> dict[str, np.ndarray]:
    """Portfolio figures of every line worked out in `per` that has a portfolio figure (or, with
    `only`, of those lines and what their totals are worked out from).

    Lines without an interventions axis are the same for the portfolio. Arrays keep a
    one-long interventions axis (squeeze it to present them).
    """
    out: dict[str, np.ndarray] = {}
    ops = structure.ops()
    keep = None if only is None else totals_needed(frozenset(only))
    for key, line in LINES.items():
        if keep is not None and key not in keep:
            continue
        if "n" not in line.level:
            if key in per:
                out[key] = per[key]
            continue
        if line.total == "sum" and key in per:
            out[key] = _summed(per[key], _n_axis(line))
        elif line.total == "formula" and key in per:
            assert line.formula is not None
            result = line.formula(_Names(out, line.level, structure, True, LINES), ops)
            out[key] = _shaped(result, line, structure, True)
    return out

"""Uncertainty: Monte Carlo simulation with streaming summaries, tornado and threshold analysis.

`simulate` draws every uncertain input (a `Dist` in the portfolio) and runs the draws through the
same core as `evaluate`, a chunk of draws at a time, keeping only running summaries so memory
does not grow with the number of draws. `sensitivity` moves one input at a time to its low and
its high (a tornado) and solves for the value at which NPV is zero. Nothing here prints.

Reproducibility. Each uncertain input draws from its own random stream, a child of the root seed
keyed by the input's name (`input_stream`), so draw k of an input is the same whatever the chunk
size and whichever other inputs are uncertain. Means add fixed blocks of draws and combine the
block sums in a fixed pairwise order (`BlockTotal`), so they too are identical for any chunk size.

Quantiles. Keeping every draw for exact percentiles would make memory grow with the draws, so
each figure is counted into a fixed log-spaced histogram (`LogHistogram`): 1,024 bins per doubling
of the absolute value, with values under £1 counted as zero. A percentile read from it is within
0.05% (2^-11) of the exact sample percentile (numpy's default, linear interpolation), or within
£1 near zero: far below the Monte Carlo error of the percentile itself.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from appraise.analyses.contracts import WANTED as CONTRACT_WANTED
from appraise.analyses.contracts import ContractRisk, contract_members
from appraise.analyses.options import best, option_members
from appraise.engine import core, evaluate
from appraise.engine.evaluate import Structure
from appraise.engine.options import option_totals
from appraise.engine.params import Model, Param
from appraise.engine.results import number
from appraise.engine.solve import Metric, solve_many
from appraise.model.discounting import rate_data
from appraise.model.limits import DEFAULT_DRAWS  # noqa: F401  (here for the app and the paper)
from appraise.model.numbers import Dist

BLOCK = 1024  # draws per summation block; chunks are whole numbers of blocks
CHUNK_CELLS = 2**18  # draws x interventions per chunk: about 2 MB per core array
BATCH_CELLS = 2**22  # draws x series counted into the histograms at a time: 32 MB of bin keys
QUANTILES = {"p5": 0.05, "p50": 0.50, "p95": 0.95}
SUMMARISED = ("net_savings", "npv")

# Histogram bins: the sign, the exponent and the top BIN_BITS bits of the mantissa of a float64,
# so 2^BIN_BITS bins per doubling; magnitudes below ZERO_BELOW share one bin at zero.
BIN_BITS = 10
SHIFT = 52 - BIN_BITS
ZERO_BELOW = 1.0  # £1
ZERO_KEY = int(np.float64(ZERO_BELOW).view(np.int64)) >> SHIFT
MAGNITUDE = np.int64(2**63 - 1)
RELATIVE_PRECISION = 2.0 ** -(BIN_BITS + 1)


# ---------------------------------------------------------------------------------------------
# Random streams and chunking
# ---------------------------------------------------------------------------------------------


def input_stream(seed: int, key: str) -> np.random.Generator:
    """The random stream of one input: a child of `default_rng(seed)` keyed by the input's name.

    Keying by name (rather than by position) keeps an input's draws the same when other inputs
    gain or lose a range, so two portfolios sharing an intervention share its draws.
    """
    root = np.random.default_rng(seed).bit_generator.seed_seq
    words = np.frombuffer(hashlib.sha256(key.encode()).digest()[:16], dtype=np.uint32)
    child = np.random.SeedSequence(
        root.entropy, spawn_key=(*root.spawn_key, *(int(w) for w in words))
    )
    return np.random.Generator(np.random.PCG64(child))


def chunk_draws(chunk_size: int | None, interventions: int) -> int:
    """Draws per chunk: a whole number of blocks, sized so one array is about CHUNK_CELLS cells."""
    wanted = chunk_size if chunk_size is not None else CHUNK_CELLS // max(interventions, 1)
    return max(BLOCK, -(-wanted // BLOCK) * BLOCK)


# ---------------------------------------------------------------------------------------------
# Streaming summaries
# ---------------------------------------------------------------------------------------------


class BlockTotal:
    """A running total of fixed-size blocks of draws, added pairwise by block number.

    Block sums are combined like a binary counter (blocks 1 and 2, then 3 and 4, then the two
    pairs, ...), so the total depends only on the sequence of blocks, never on how they were
    grouped into chunks; pairwise adding also keeps rounding small. Memory: one [S] vector per
    binary digit of the number of blocks.
    """

    def __init__(self) -> None:
        self.levels: list[tuple[int, np.ndarray]] = []  # (k, sum of 2**k consecutive blocks)

    def push(self, block: np.ndarray) -> None:
        level, value = 0, block
        while self.levels and self.levels[-1][0] == level:
            value = self.levels.pop()[1] + value
            level += 1
        self.levels.append((level, value))

    def total(self) -> np.ndarray:
        """The sum of every block pushed, combining the partial sums newest first."""
        value = self.levels[-1][1]
        for _, earlier in reversed(self.levels[:-1]):
            value = earlier + value
        return value


def bin_keys(values: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> None:
    """Write the histogram bin of each value into `out`: signed, increasing with the value, and 0
    for |x| under £1 (`scratch`: an int64 array of the same shape to work in).

    Integer arithmetic on the float's bits: x >= 0 gives its bits, x < 0 gives -1 - (bits of |x|),
    which orders like the values; shifting keeps sign, exponent and BIN_BITS of mantissa. Keys
    within ZERO_KEY of zero (|x| < ZERO_BELOW) then collapse to 0, and the rest close the gap.
    Done in place because fresh multi-megabyte arrays cost more than the arithmetic.
    """
    bits = values.view(np.int64)
    np.right_shift(bits, 63, out=out)
    out &= MAGNITUDE
    out ^= bits
    out >>= SHIFT
    np.clip(out, -ZERO_KEY, ZERO_KEY - 1, out=scratch)
    out -= scratch


def bin_value(key: int) -> float:
    """The middle of a bin: within 2^-11 (relative) of every value in it."""
    if key == 0:
        return 0.0
    bits = abs(key) + ZERO_KEY - 1
    low = float(np.int64(bits << SHIFT).view(np.float64))
    high = float(np.int64((bits + 1) << SHIFT).view(np.float64))
    return math.copysign((low + high) / 2, key)


@dataclass
class LogHistogram:
    """Counts of one series' values in log-spaced bins, over the range of bins seen so far."""

    first: int = 0  # key of counts[0]
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def add_counts(self, first: int, counts: np.ndarray) -> None:
        """Add counts for the bins first, first + 1, ...; the range grows as needed."""
        if not self.counts.size:
            self.first, self.counts = first, counts.astype(np.int64)
            return
        lo = min(self.first, first)
        hi = max(self.first + self.counts.size, first + counts.size)
        if lo < self.first or hi > self.first + self.counts.size:
            grown = np.zeros(hi - lo, dtype=np.int64)
            grown[self.first - lo : self.first - lo + self.counts.size] = self.counts
            self.first, self.counts = lo, grown
        self.counts[first - self.first : first - self.first + counts.size] += counts

    def order_statistic(self, rank: int, cumulative: np.ndarray) -> float:
        """The middle of the bin holding the value of 0-based `rank` in sorted order."""
        index = int(np.searchsorted(cumulative, rank, side="right"))
        return bin_value(self.first + index)


def add_histograms(
    histograms: Sequence[LogHistogram], keys: np.ndarray, first: np.ndarray, last: np.ndarray
) -> None:
    """Count each row of bin keys [S, draws] into its series' histogram.

    `first` and `last` [S] are the smallest and largest key in each row. Overwrites `keys`.
    One bincount a series: its counts (some hundreds of kilobytes) stay in the processor's
    cache, where one bincount of every series at once scatters over megabytes of counts.
    """
    for s, histogram in enumerate(histograms):
        row = keys[s]
        row -= first[s]
        counts = np.bincount(row, minlength=int(last[s] - first[s] + 1))
        histogram.add_counts(int(first[s]), counts)


@dataclass
class Summary:
    """What a simulation keeps of one series of draws (e.g. one intervention's NPV)."""

    draws: int
    mean: float
    minimum: float
    maximum: float
    positive: int  # draws above zero
    histogram: LogHistogram

    @property
    def share_positive(self) -> float:
        return self.positive / self.draws

    def quantile(self, q: float) -> float:
        """Percentile by numpy's default rule (linear between order statistics), from the histogram.

        Within 2^-11 of the exact sample percentile (relative), or £1 near zero; the smallest and
        largest draws are kept exactly.
        """
        if self.minimum == self.maximum:
            return self.minimum
        position = (self.draws - 1) * q
        below = math.floor(position)
        cumulative = np.cumsum(self.histogram.counts)

        def at(rank: int) -> float:
            if rank <= 0:
                return self.minimum
            if rank >= self.draws - 1:
                return self.maximum
            value = self.histogram.order_statistic(rank, cumulative)
            return min(max(value, self.minimum), self.maximum)

        value = at(below)
        fraction = position - below
        if fraction:
            value += fraction * (at(below + 1) - value)
        return value

    def to_data(self) -> dict[str, float | None]:
        return {
            "mean": number(self.mean),
            **{k: number(self.quantile(q)) for k, q in QUANTILES.items()},
        }


class Accumulator:
    """Running summaries of S series, fed chunk by chunk as [draws, S] arrays of up to `chunk` draws.

    A chunk is read in two layouts, one copied from the other into buffers made once: a row of
    every series for each draw, where each block's sum adds its draws one after another (the
    order that makes the means the same at any chunk size), and a row of draws for each series,
    where the smallest, the largest, the count above zero and the bin keys run along memory.
    A simulation hands its figures over laid out draws-fastest (the second), other callers
    series-fastest (the first).
    """

    def __init__(self, series: int, chunk: int):
        self.series = series
        self.draws = 0
        self.sums = BlockTotal()
        self.positive = np.zeros(series, dtype=np.int64)
        self.minimum = np.full(series, np.inf)
        self.maximum = np.full(series, -np.inf)
        self.histograms = [LogHistogram() for _ in range(series)]
        self.by_draw = np.empty((chunk, series))
        self.by_series = np.empty((series, chunk))
        # Bin keys of draws not yet counted, a row a series: a bincount has a fixed cost, so
        # they are batched.
        batch = max(chunk, BATCH_CELLS // series // chunk * chunk)
        self.keys = np.empty((series, batch), dtype=np.int64)
        self.scratch = np.empty((series, chunk), dtype=np.int64)
        self.above = np.empty((series, chunk), dtype=bool)
        self.filled = 0  # draws whose keys wait in self.keys
        self.batch_low = self.batch_high = np.zeros(series)  # their smallest and largest values

    def layouts(
        self, values: np.ndarray, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """`values` [draws, S] as [draws, S] and as [S, draws] (`rows`, if given), each with its
        last axis contiguous (one of them a copy, unless `values` is both or `rows` is given)."""
        size = values.shape[0]
        by_draw, by_series = values, values.T if rows is None else rows
        if values.strides[-1] != values.itemsize:
            by_draw = self.by_draw[:size]
            # A series at a time: numpy copies along the last axis of the copy, only S long.
            for s in range(self.series):
                by_draw[:, s] = values[:, s]
        if by_series.strides[-1] != values.itemsize:
            by_series = self.by_series[:, :size]
            np.copyto(by_series, values.T if rows is None else rows)
        return by_draw, by_series

    def add(self, values: np.ndarray, rows: np.ndarray | None = None) -> None:
        """Fold in a chunk. Every chunk but the last must be a whole number of BLOCKs. `rows`:
        the same figures [S, draws] laid out a row a series, where the caller has them."""
        size = values.shape[0]
        by_draw, by_series = self.layouts(values, rows)
        whole = size // BLOCK * BLOCK
        blocks = by_draw[:whole].reshape(-1, BLOCK, self.series).sum(axis=1)
        if whole < size:
            blocks = np.concatenate([blocks, by_draw[whole:].sum(axis=0, keepdims=True)])
        if not np.isfinite(blocks).all():  # a NaN or an infinity anywhere reaches its block's sum
            raise FloatingPointError("a simulated figure is not finite (an input drew inf or NaN)")
        for block in blocks:
            self.sums.push(block)
        above = np.greater(by_series, 0, out=self.above[:, :size])
        self.positive += np.count_nonzero(above, axis=1)
        low, high = by_series.min(axis=1), by_series.max(axis=1)
        np.minimum(self.minimum, low, out=self.minimum)
        np.maximum(self.maximum, high, out=self.maximum)
        self.draws += size
        if self.filled + size > self.keys.shape[1]:
            self.flush()
        keys = self.keys[:, self.filled : self.filled + size]
        bin_keys(by_series, keys, self.scratch[:, :size])
        # Keys grow with values, so the batch's extreme keys are those of its extreme values.
        if self.filled:
            np.minimum(self.batch_low, low, out=self.batch_low)
            np.maximum(self.batch_high, high, out=self.batch_high)
        else:
            self.batch_low, self.batch_high = low, high
        self.filled += size

    def flush(self) -> None:
        """Count the keys waiting into the histograms."""
        if self.filled:
            extremes = np.stack([self.batch_low, self.batch_high])
            ends = np.empty(extremes.shape, dtype=np.int64)
            bin_keys(extremes, ends, np.empty_like(ends))
            add_histograms(self.histograms, self.keys[:, : self.filled], ends[0], ends[1])
            self.filled = 0

    def summary(self, s: int) -> Summary:
        self.flush()
        low, high = float(self.minimum[s]), float(self.maximum[s])
        # A figure that never varies has that value as its mean, exactly.
        mean = low if low == high else float(self.sums.total()[s]) / self.draws
        return Summary(self.draws, mean, low, high, int(self.positive[s]), self.histograms[s])


# ---------------------------------------------------------------------------------------------
# Simulation
# ---------------------------------------------------------------------------------------------


def uncertain_params(model: Model) -> list[Param]:
    """The inputs given as a range or distribution, in file order."""
    return [p for p in model.params if p.uncertain]


def draw_inputs(
    params: Sequence[Param],
    streams: Sequence[np.random.Generator],
    size: int,
    columns: Sequence[np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """The next `size` draws of every uncertain input, by key (written to the first `size` of
    each input's column, if `columns` are given: `Model.draw_buffers`)."""
    if columns is None:
        return {p.key: p.value.draw(rng, size) for p, rng in zip(params, streams, strict=True)}
    return {
        p.key: p.value.draw(rng, size, column[:size])
        for p, rng, column in zip(params, streams, columns, strict=True)
    }


def by_draw(figures: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Figures [draws, n] laid out a row a draw (written to `out`, if given).

    The core's figures come draws-fastest; totals and the `Accumulator`'s block sums add along
    rows. Up to 64 interventions they are copied one at a time: numpy copies along the rows of
    the copy, only n long, which is several times slower.
    """
    if out is None:
        if figures.flags.c_contiguous:
            return figures
        out = np.empty(figures.shape)
    n = figures.shape[-1]
    if n <= 64 and figures.strides[0] == figures.itemsize:
        for i in range(n):
            out[:, i] = figures[:, i]
    else:
        out[...] = figures
    return out


def series_of(
    per: dict[str, np.ndarray], structure: Structure, out: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Write, for each summarised key, every intervention's figure then the portfolio's (by the
    line's own total rule), into `out` [draws, S] a row a draw and into `rows` [S, draws] a row a
    series: the two layouts the `Accumulator` reads, both made here from the core's figures."""
    size, n = out.shape[0], np.shape(per[SUMMARISED[0]])[-1]
    for s, key in enumerate(SUMMARISED):
        at = s * (n + 1)
        figures = np.broadcast_to(per[key], (size, n))
        total = evaluate.totals({key: figures}, structure, (key,))[key][:, 0]
        by_draw(figures, out[:, at : at + n])
        out[:, at + n] = total
        rows[at : at + n] = figures.T
        rows[at + n] = total
    return out, rows


def option_series(
    per: dict[str, np.ndarray], structure: Structure, groups: list[list[int]], out: np.ndarray
) -> np.ndarray:
    """Write into `out` [draws, S x options], for each summarised key, every option's figure (by
    the lines' total rules, over its interventions); return how many draws each option is best in.

    Every option reads the same draws: its interventions' figures from the one run of the core,
    `per` (laid out a row a draw: `by_draw`), holding at least SUMMARISED and "pv_cost".
    """
    size, k = out.shape[0], len(groups)
    wanted = {key: per[key] for key in (*SUMMARISED, "pv_cost")}
    figures = [option_totals(wanted, structure, members) for members in groups]
    for s, key in enumerate(SUMMARISED):
        for j, f in enumerate(figures):
            out[:, s * k + j] = np.broadcast_to(f[key], (size,))
    npv = out[:, SUMMARISED.index("npv") * k : (SUMMARISED.index("npv") + 1) * k]
    pv_cost = np.column_stack([np.broadcast_to(f["pv_cost"], (size,)) for f in figures])
    return np.bincount(best(npv, pv_cost), minlength=k)


@dataclass(frozen=True)
class OptionOdds:
    """One option across the draws: how often it is the best (highest NPV), and its summaries."""

    name: str
    best: int  # draws in which it ranks first (ties: the cheaper, then the first in the file)
    summaries: dict[str, Summary]  # SUMMARISED key -> its summary

    def to_data(self) -> dict[str, Any]:
        npv = self.summaries["npv"]
        return {
            "name": self.name,
            "prob_best": self.best / npv.draws,
            "prob_break_even": npv.share_positive,
            **{key: self.summaries[key].to_data() for key in SUMMARISED},
        }


KEPT = ("npv", "pv_cost", "cost")  # the figures a simulation keeps of every draw, if asked


@dataclass
class Kept:
    """Every draw of a simulation, kept for analyses of the draws themselves (the value of
    information, acceptability by budget): each uncertain input's values and each
    intervention's NPV, present value of cost and a year's cost."""

    inputs: dict[str, np.ndarray]  # input key -> [draws]
    figures: dict[str, np.ndarray]  # KEPT key -> [draws, interventions]

    @classmethod
    def empty(cls, params: Sequence[Param], draws: int, n: int) -> Kept:
        return cls(
            {p.key: np.empty(draws) for p in params}, {k: np.empty((draws, n)) for k in KEPT}
        )

    def put(
        self, start: int, drawn: dict[str, np.ndarray], per: dict[str, np.ndarray], size: int
    ) -> None:
        for key, values in drawn.items():
            self.inputs[key][start : start + size] = values
        for key, figure in self.figures.items():
            by_draw(
                np.broadcast_to(per[key], figure[start : start + size].shape),
                figure[start : start + size],
            )


@dataclass
class Simulation:
    """Monte Carlo results: summaries of net savings and NPV for each intervention and the total
    (and for each option, with the chance that it is the best, when the portfolio has options)."""

    model: Model
    draws: int
    seed: int
    chunk_size: int
    inputs: list[Param]
    summaries: dict[str, list[Summary]]  # key -> [intervention 0, ..., n - 1, portfolio total]
    options: list[OptionOdds] | None = None
    kept: Kept | None = None  # every draw, when `simulate(..., keep=True)`
    contracts: list[Any] | None = None  # `ContractOdds` of each outcome contract

    def contract_of(self, ident: str) -> dict[str, Any] | None:
        """An intervention's outcome contract across the draws (None: it has none)."""
        for odds in self.contracts or ():
            if odds.id == ident:
                return odds.to_data()
        return None

    def record(self, index: int) -> dict[str, Any]:
        """Summary of intervention `index` (or the portfolio total at index n)."""
        npv = self.summaries["npv"][index]
        return {
            "prob_break_even": npv.share_positive,
            **{key: self.summaries[key][index].to_data() for key in SUMMARISED},
        }

    def to_data(self) -> dict[str, Any]:
        """JSON of `appraise simulate --format json`."""
        p = self.model.portfolio
        n = len(self.model.ids)
        data = {
            "seed": self.seed,
            "draws": self.draws,
            "uncertain_inputs": [q.key for q in self.inputs],
            "portfolio": {
                "portfolio": p.portfolio,
                "horizon_years": p.horizon_years,
                "discount_rate": rate_data(p.discount_rate),
                **self.record(n),
            },
            "interventions": [
                {"id": ident, **self.record(i), "contract": self.contract_of(ident)}
                for i, ident in enumerate(self.model.ids)
            ],
        }
        if self.options is not None:
            data["options"] = [option.to_data() for option in self.options]
        return data


def simulate(
    model: Model, draws: int, seed: int, chunk_size: int | None = None, keep: bool = False
) -> Simulation:
    """Monte Carlo over every uncertain input: `draws` runs of the core, a chunk at a time.

    Same seed, same result, bit for bit, whatever the chunk size (rounded up to whole blocks of
    1,024 draws). Shared inputs (an outcome's cost) take one value per draw for every
    intervention that uses them, and every option is judged on the same draws. `keep` also keeps
    every draw (`Kept`), so memory then grows with the draws: the caller bounds them
    (`appraise.model.limits.check_kept`).
    """
    if draws < 1:
        raise ValueError(f"draws must be at least 1 (got {draws})")
    if seed < 0:
        raise ValueError(f"seed must not be negative (got {seed})")
    params = uncertain_params(model)
    streams = [input_stream(seed, p.key) for p in params]
    n = len(model.ids)
    chunk = chunk_draws(chunk_size, n)
    series = len(SUMMARISED) * (n + 1)
    acc = Accumulator(series, chunk)
    lines = np.empty((chunk, series))
    lines_by_series = np.empty((series, chunk))
    groups = option_members(model.portfolio)
    k = len(groups) if groups is not None else 0
    if groups is not None:
        option_acc = Accumulator(len(SUMMARISED) * k, chunk)
        option_lines = np.empty((chunk, len(SUMMARISED) * k))
        wins = np.zeros(k, dtype=np.int64)
    kept = Kept.empty(params, draws, n) if keep else None
    members = contract_members(model)
    risk = ContractRisk(members, chunk, Accumulator) if members else None
    wanted = (*core.MONEY_ONLY, *CONTRACT_WANTED) if members else None
    buffers = model.draw_buffers(params, chunk)
    # The lines that read no drawn input are the same in every chunk: worked out once.
    base = core.settled(model.base, tuple(buffers.arrays), wanted or core.MONEY_ONLY)
    for start in range(0, draws, chunk):
        size = min(chunk, draws - start)
        drawn = draw_inputs(params, streams, size, buffers.columns)
        per, _ = core.appraise(
            base.with_arrays(**buffers.values(size)),
            detail=False,
            money_only=True,
            wanted=wanted,
            totals_of=(),  # made by `series_of`
            lean=True,
        )
        if risk is not None:
            risk.add(per, size)
        if kept is not None:
            kept.put(start, drawn, per, size)
        acc.add(*series_of(per, model.base.structure, lines[:size], lines_by_series[:, :size]))
        if groups is not None:
            # The interventions' figures a row a draw, as `series_of` has just copied them.
            rows = {
                key: lines[:size, s * (n + 1) : s * (n + 1) + n] for s, key in enumerate(SUMMARISED)
            }
            rows["pv_cost"] = by_draw(np.broadcast_to(per["pv_cost"], (size, n)))
            wins += option_series(rows, model.base.structure, groups, option_lines[:size])
            option_acc.add(option_lines[:size])
    summaries = {
        key: [acc.summary(s * (n + 1) + i) for i in range(n + 1)]
        for s, key in enumerate(SUMMARISED)
    }
    options = None
    if groups is not None and model.portfolio.options is not None:
        options = [
            OptionOdds(
                option.name,
                int(wins[j]),
                {key: option_acc.summary(s * k + j) for s, key in enumerate(SUMMARISED)},
            )
            for j, option in enumerate(model.portfolio.options)
        ]
    contracts = risk.results(model.ids) if risk is not None else None
    return Simulation(model, draws, seed, chunk, params, summaries, options, kept, contracts)


# ---------------------------------------------------------------------------------------------
# Sensitivity: tornado and thresholds
# ---------------------------------------------------------------------------------------------

BOUNDED = ("triangular", "pert", "uniform")
SWING_QUANTILES = (0.05, 0.95)


def swing_range(dist: Dist) -> tuple[float, float, str]:
    """Low and high for a tornado: the bounds of a bounded distribution, else 5th and 95th percentiles."""
    if dist.kind in BOUNDED:
        lo, hi = dist.support
        return lo, hi, "bounds"
    return (
        dist.quantile(SWING_QUANTILES[0]),
        dist.quantile(SWING_QUANTILES[1]),
        "5th-95th percentile",
    )


@dataclass(frozen=True)
class Swing:
    """One input of a tornado: NPV with the input at its low and its high, and where NPV is zero."""

    param: Param
    low: float
    high: float
    basis: str  # "bounds" or "5th-95th percentile"
    npv_low: float
    npv_high: float
    threshold: float | None  # the input's value (nearest its central) making NPV zero, if any
    threshold_in_range: bool  # whether that value lies within low..high

    @property
    def swing(self) -> float:
        return abs(self.npv_high - self.npv_low)

    def to_data(self) -> dict[str, Any]:
        p = self.param
        return {
            "key": p.key,
            "path": p.path,
            "label": p.label,
            "unit": p.unit,
            "central": p.central,
            "low": self.low,
            "high": self.high,
            "basis": self.basis,
            "npv_low": number(self.npv_low),
            "npv_high": number(self.npv_high),
            "swing": number(self.swing),
            "threshold": None if self.threshold is None else number(self.threshold),
            "threshold_in_range": self.threshold_in_range,
        }


@dataclass
class Tornado:
    """NPV of one intervention (or the portfolio total) and the inputs that move it, widest first."""

    id: str | None  # None: the portfolio total
    npv: float  # at central values (the figure's value, where `figure` is another)
    swings: list[Swing]
    figure: str = "npv"

    def to_data(self) -> dict[str, Any]:
        head = {"id": self.id} if self.id is not None else {}
        if self.figure != "npv":  # the swings' npv_low and npv_high are this figure's
            head["figure"] = self.figure
        return {**head, "npv": number(self.npv), "tornado": [s.to_data() for s in self.swings]}


@dataclass
class Sensitivity:
    """Tornado and thresholds for each intervention and the portfolio total."""

    model: Model
    inputs: list[Param]
    portfolio: Tornado
    interventions: list[Tornado]
    contracts: list[Tornado] = field(default_factory=list)  # council's net position, by contract

    def to_data(self) -> dict[str, Any]:
        """JSON of `appraise sensitivity --format json`."""
        p = self.model.portfolio
        return {
            "uncertain_inputs": [q.key for q in self.inputs],
            "portfolio": {
                "portfolio": p.portfolio,
                "horizon_years": p.horizon_years,
                "discount_rate": rate_data(p.discount_rate),
                **self.portfolio.to_data(),
            },
            "interventions": [t.to_data() for t in self.interventions],
            **({"contracts": [t.to_data() for t in self.contracts]} if self.contracts else {}),
        }


def one_at_a_time(
    model: Model,
    params: Sequence[Param],
    lows: Sequence[float],
    highs: Sequence[float],
    key: str = "npv",
) -> np.ndarray:
    """A figure (NPV unless `key` names another) [2k + 1, n + 1]: row j with input j at its low,
    row k + j at its high, last row central.

    Columns are the interventions then the portfolio total (0 for a figure with none); one
    vectorised run of the core.
    """
    k = len(params)
    columns = {}
    for j, p in enumerate(params):
        column = np.full(2 * k + 1, p.central)
        column[j], column[k + j] = lows[j], highs[j]
        columns[p.key] = column
    wanted = None if key == "npv" else (key,)
    per, totals = core.appraise(model.inputs(columns), detail=False, money_only=True, wanted=wanted)
    values = np.broadcast_to(per[key], (2 * k + 1, len(model.ids)))
    total = np.broadcast_to(totals.get(key, np.zeros(())), (2 * k + 1,))
    return np.column_stack([values, total])


def swings_of(
    model: Model,
    params: Sequence[Param],
    ranges: Sequence[tuple[float, float, str]],
    values: np.ndarray,
    target: int,
    metric: Metric,
) -> list[Swing]:
    """Column `target` of `one_at_a_time`'s figures as swings, widest first, each with the value
    of its input (the others central) at which the figure is zero."""
    k = len(params)
    central = values[-1, target]
    # Inputs that do not feed this figure are left out.
    fed = [
        j
        for j in range(k)
        if not (values[j, target] == central and values[k + j, target] == central)
    ]
    # A root must bring the figure to within 1e-9 of the largest value in play of zero (a penny
    # in £10 million); a bracket straddling a jump rather than a root fails this.
    tolerances = [
        1e-9 * max(abs(values[j, target]), abs(values[k + j, target]), abs(central), 1.0)
        for j in fed
    ]
    with np.errstate(over="ignore", invalid="ignore"):  # far ends of an open domain
        solved = solve_many(
            model, [(params[j].key, metric) for j in fed], 0.0, tolerances, money_only=True
        )
    swings = []
    for j, roots in zip(fed, solved, strict=True):
        lo, hi, basis = ranges[j]
        root = roots[0] if roots else None
        in_range = root is not None and lo <= root <= hi
        swings.append(
            Swing(
                params[j], lo, hi, basis, values[j, target], values[k + j, target], root, in_range
            )
        )
    swings.sort(key=lambda s: -s.swing)
    return swings


def sensitivity(model: Model) -> Sensitivity:
    """One-way sensitivity of NPV: each uncertain input at its low and high, the others central;
    and of the council's net position under each outcome contract."""
    params = uncertain_params(model)
    ranges = [swing_range(p.value) for p in params]
    npv = one_at_a_time(model, params, [r[0] for r in ranges], [r[1] for r in ranges])
    tornadoes = []
    for target in range(len(model.ids) + 1):
        intervention = target if target < len(model.ids) else None
        swings = swings_of(model, params, ranges, npv, target, Metric("npv", intervention))
        ident = model.ids[target] if intervention is not None else None
        tornadoes.append(Tornado(ident, float(npv[-1, target]), swings))
    contracts = contract_tornadoes(model, params, ranges)
    return Sensitivity(model, params, tornadoes[-1], tornadoes[:-1], contracts)


def contract_tornadoes(
    model: Model, params: list[Param], ranges: list[tuple[float, float, str]]
) -> list[Tornado]:
    """For each outcome contract, the council's net position with each uncertain input at its low
    and its high (the price and the contract's baseline among them, where ranged), and the value
    of each at which the council breaks even under the contract (docs/outcome-contracts.md)."""
    members = contract_members(model)
    if not members or not params:
        return []
    key = "contract_council_net"
    values = one_at_a_time(model, params, [r[0] for r in ranges], [r[1] for r in ranges], key)
    return [
        Tornado(
            model.ids[i],
            float(values[-1, i]),
            swings_of(model, params, ranges, values, i, Metric(key, i)),
            key,
        )
        for i in members
    ]

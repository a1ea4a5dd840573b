"""Numeric inputs: a plain finite number in its domain, or a distribution for uncertainty analysis.

Every numeric input is a `Num`: a plain number, or a distribution (`{low, central, high}` or
`{dist: ..., ...}`). Deterministic runs use the distribution's `central`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, get_args

from pydantic import BaseModel, Field, PlainValidator
from pydantic_core import PydanticCustomError, core_schema

from appraise.errors import exact
from appraise.model.memo import ByText
from appraise.model.provenance import figure_data, is_figure_form, parse_figure

# ---------------------------------------------------------------------------------------------
# Numbers and distributions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dist:
    """A probability distribution on one input. `central` is the value deterministic runs use."""

    kind: str
    params: dict[str, float] = field(hash=False)
    central: float
    # Where the distribution came from (appraise.model.provenance), None if the file says nothing.
    provenance: Any = field(default=None, hash=False, compare=False)

    @property
    def support(self) -> tuple[float, float]:
        """Smallest interval holding every possible draw."""
        p = self.params
        if self.kind in ("triangular", "pert", "uniform"):
            return p["low"], p["high"]
        if self.kind == "beta":
            return 0.0, 1.0
        if self.kind == "lognormal":
            return 0.0, math.inf
        if self.kind == "normal" and p["sd"] == 0:
            return p["mean"], p["mean"]
        return -math.inf, math.inf

    @property
    def mean(self) -> float:
        """The distribution's expected value (from its formula, not by sampling)."""
        p = self.params
        if self.kind == "triangular":
            return (p["low"] + p["mode"] + p["high"]) / 3
        if self.kind == "pert":
            return (p["low"] + 4 * p["mode"] + p["high"]) / 6
        if self.kind == "uniform":
            return (p["low"] + p["high"]) / 2
        if self.kind == "normal":
            return p["mean"]
        if self.kind == "lognormal":
            return math.exp(p["mu"] + p["sigma"] ** 2 / 2)
        return p["alpha"] / (p["alpha"] + p["beta"])

    def to_data(self) -> dict[str, Any]:
        """The canonical file form (round-trips through `parse_num`)."""
        if self.kind == "triangular" and self.central == self.params["mode"]:
            return {"low": self.params["low"], "central": self.central, "high": self.params["high"]}
        return {"dist": self.kind, **self.params, "central": self.central}

    @property
    def _pert_shape(self) -> tuple[float, float]:
        """PERT as a scaled beta: alpha = 1 + 4 (mode - low) / (high - low), beta likewise."""
        p = self.params
        span = p["high"] - p["low"]
        return 1 + 4 * (p["mode"] - p["low"]) / span, 1 + 4 * (p["high"] - p["mode"]) / span

    def draw(self, rng: Any, size: int, out: Any = None) -> Any:
        """`size` random draws (a numpy array) from generator `rng`, in one call; into `out` (a
        contiguous float array of `size`) if given.

        numpy's Generator yields the same sequence in one call of n or several calls adding to n,
        which is what makes simulation results independent of chunk size.
        """
        import numpy as np

        out = np.empty(size) if out is None else out
        p = self.params
        lo, hi = self.support
        if lo == hi:  # a range of width zero is a fixed number (numpy rejects low == high)
            out.fill(lo)
        elif self.kind == "triangular":
            triangular(rng, p["low"], p["mode"], p["high"], out)
        elif self.kind == "pert":
            a, b = self._pert_shape
            out[...] = p["low"] + (p["high"] - p["low"]) * rng.beta(a, b, size)
        elif self.kind == "uniform":
            out[...] = rng.uniform(p["low"], p["high"], size)
        elif self.kind == "normal":
            out[...] = rng.normal(p["mean"], p["sd"], size)
        elif self.kind == "lognormal":
            out[...] = rng.lognormal(p["mu"], p["sigma"], size)
        else:
            out[...] = rng.beta(p["alpha"], p["beta"], size)
        return out

    def quantile(self, q: float) -> float:
        """The value below which a share `q` (0..1) of draws fall (inverse of the distribution function)."""
        p = self.params
        lo, hi = self.support
        if lo == hi:
            return lo
        if self.kind == "triangular":
            a, c, b = p["low"], p["mode"], p["high"]
            if q * (b - a) <= c - a:  # q at or below F(mode) = (c - a) / (b - a)
                return a + math.sqrt(q * (b - a) * (c - a))
            return b - math.sqrt((1 - q) * (b - a) * (b - c))
        if self.kind == "uniform":
            return lo + q * (hi - lo)
        if self.kind in ("normal", "lognormal"):
            from statistics import NormalDist

            z = NormalDist().inv_cdf(q) if 0 < q < 1 else math.copysign(math.inf, q - 0.5)
            if self.kind == "normal":
                return p["mean"] + p["sd"] * z
            return math.exp(p["mu"] + p["sigma"] * z)
        from scipy.special import betaincinv  # lazily: only beta and PERT need it

        if self.kind == "pert":
            return lo + (hi - lo) * float(betaincinv(*self._pert_shape, q))
        return float(betaincinv(p["alpha"], p["beta"], q))


def triangular(rng: Any, low: float, mode: float, high: float, out: Any) -> Any:
    """Fill `out` with draws of `rng.triangular(low, mode, high)`, value for value.

    numpy draws one uniform u per value and returns low + sqrt(u (mode - low)(high - low)) if
    u <= (mode - low) / (high - low), else high - sqrt((1 - u)(high - mode)(high - low)) (its
    `random_triangular`): the same uniforms (`rng.random`, the same stream) through the same
    operations here give the same values, bit for bit, but a whole array at a time rather than
    a branch per value, and into a buffer made once.
    """
    import numpy as np

    base = high - low
    left = mode - low
    u = rng.random(out.shape[0], out=out)
    above = u > left / base  # numpy's right-hand branch
    right = np.subtract(1.0, u)
    right *= (high - mode) * base
    np.sqrt(right, out=right)
    np.subtract(high, right, out=right)
    np.multiply(u, left * base, out=out)
    np.sqrt(out, out=out)
    out += low
    np.putmask(out, above, right)  # in place: no third array, no copy back
    return out


Number = float  # a validated finite number
Num = float | Dist

DIST_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    # kind: accepted parameter sets (the first is canonical)
    "triangular": (("low", "mode", "high"),),
    "pert": (("low", "mode", "high"),),
    "uniform": (("low", "high"),),
    "normal": (("mean", "sd"),),
    "lognormal": (("mu", "sigma"), ("mean", "sd")),
    "beta": (("alpha", "beta"), ("mean", "sd")),
}


def _num_error(message: str, subkey: str | None = None, value: Any = None) -> PydanticCustomError:
    ctx = {"subkey": subkey, "value": value} if subkey else {}
    return PydanticCustomError("appraise_number", message, ctx)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# Money as people write it: "£3,000", "3,000", "-£1,250.50" (commas only between groups of three).
_WRITTEN = re.compile(r"(-?)£?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?")


def written_number(text: str) -> float | None:
    """A figure written as text ("£3,000", "3,000", "3000") as a number; None if it is not one."""
    found = _WRITTEN.fullmatch(text.strip().replace(" ", ""))
    if found is None:
        return None
    sign, whole, decimals = found.groups()
    return float(f"{sign}{whole.replace(',', '')}{decimals or ''}")


def _finite(value: Any, subkey: str | None = None) -> float:
    if isinstance(value, str) and written_number(value) is not None:
        value = written_number(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        kind = "text that is not a figure" if isinstance(value, str) else type(value).__name__
        raise _num_error(
            f'expected a number (such as 3000 or "£3,000"), got {kind} {_short(value)}',
            subkey,
            value,
        )
    try:
        number = float(value)
    except OverflowError:  # an integer of hundreds of digits
        raise _num_error(
            f"is too large to compute with ({len(str(abs(value)))} digits)", subkey, value
        ) from None
    if not math.isfinite(number):
        raise _num_error(f"must be a finite number (got {value!r})", subkey, value)
    return number + 0.0  # -0.0 is 0: no figure made from it shows as -0 or flips a sign


def _describe_domain(lo: float, hi: float, lo_open: bool, hi_open: bool) -> str:
    if hi == math.inf:
        return f"must be above {lo:g}" if lo_open else f"must not be below {lo:g}"
    if lo == -math.inf:
        return f"must be below {hi:g}" if hi_open else f"must not be above {hi:g}"
    left = "above" if lo_open else "at least"
    right = "below" if hi_open else "at most"
    if (lo, hi, lo_open, hi_open) == (0, 1, False, False):
        return "must be between 0 and 1"
    return f"must be {left} {lo:g} and {right} {hi:g}"


def figure_text(x: float) -> str:
    """1e8 as '100,000,000', 0.5 as '0.5' (for limits in messages)."""
    return f"{x:,.0f}" if x == int(x) and abs(x) < 1e15 else f"{x:g}"


# How far out an unbounded distribution's tail must put a limit: 20 standard deviations (a
# chance below 1e-88 a draw), so no simulation the work budget allows would ever draw past it.
TAIL_SDS = 20.0


@dataclass(frozen=True)
class Domain:
    """The values an input may take, checked for plain numbers and for a distribution's support.

    `lo` and `hi` bound the quantity itself (a rate lies in 0..1): a distribution must not reach
    past them. `limit` bounds its size (no value above `limit`, none below `-limit`), with `why`
    saying why no real figure comes near it: it keeps every product of inputs finite. A normal or
    lognormal distribution fits a limit when its tail puts the limit `TAIL_SDS` deviations out.
    """

    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    limit: float = math.inf
    why: str = ""

    def natural(self, x: float) -> bool:
        above = x > self.lo if self.lo_open else x >= self.lo
        below = x < self.hi if self.hi_open else x <= self.hi
        return above and below

    def contains(self, x: float) -> bool:
        return self.natural(x) and -self.limit <= x <= self.limit

    @property
    def text(self) -> str:
        return _describe_domain(self.lo, self.hi, self.lo_open, self.hi_open)

    @property
    def limit_text(self) -> str:
        """'must not be above 100,000,000 (more people than live in the UK)'."""
        bound = figure_text(self.limit)
        side = f"above {bound}" if self.lo >= -self.limit else f"above {bound} or below -{bound}"
        return f"must not be {side}" + (f" ({self.why})" if self.why else "")

    def violation(self, x: float) -> str:
        """Why `x` is not in the domain (the natural bounds first)."""
        return self.text if not self.natural(x) else self.limit_text


def _parse_dist(raw: dict[str, Any], domain: Domain) -> Dist:
    keys = set(raw)
    if "dist" in raw:
        kind = raw["dist"]
        if kind not in DIST_KEYS:
            raise _num_error(
                f"unknown distribution {kind!r}; use one of {', '.join(DIST_KEYS)}", "dist", kind
            )
        keys.discard("dist")
    elif keys <= {"low", "central", "high"} and keys >= {"low", "high"}:
        kind = "triangular"
        raw = {"low": raw["low"], "mode": raw.get("central"), "high": raw["high"]}
        if raw["mode"] is None:
            raise _num_error("a range needs low, central and high", "central", None)
        keys = {"low", "mode", "high"}
    else:
        raise _num_error(
            "expected a number, {low, central, high}, or {dist: ..., ...}; "
            f"got keys {sorted(map(str, keys))}"
        )
    central_raw = raw.get("central") if "dist" in raw else None
    keys.discard("central")
    if kind in ("triangular", "pert") and "mode" not in keys and central_raw is not None:
        raw = {**raw, "mode": central_raw}
        keys.add("mode")
    options = DIST_KEYS[kind]
    chosen = next((o for o in options if keys == set(o)), None)
    if chosen is None:
        wanted = " or ".join("{" + ", ".join(o) + "}" for o in options)
        raise _num_error(
            f"a {kind} distribution takes {wanted} (and optionally central); got {sorted(map(str, keys))}"
        )
    vals = {k: _finite(raw[k], k) for k in chosen}
    params = _canonical_params(kind, vals)
    _check_limit(kind, params, domain)
    dist_central = _finite(central_raw, "central") if central_raw is not None else None
    if dist_central is None:
        dist_central = params["mode"] if kind in ("triangular", "pert") else None
    probe = Dist(kind, params, 0.0)
    if dist_central is None:
        # A mean given in the file is the central value exactly (not exp(mu + sigma^2 / 2) again).
        dist_central = vals.get("mean", probe.mean)
    lo, hi = probe.support
    if not (lo <= dist_central <= hi):
        raise _num_error(
            f"central ({dist_central:g}) is outside the distribution's range [{lo:g}, {hi:g}]",
            "central",
            dist_central,
        )
    _check_support(kind, (lo, hi), domain, open_low=kind == "lognormal")
    return Dist(kind, params, dist_central)


def _canonical_params(kind: str, v: dict[str, float]) -> dict[str, float]:
    if kind in ("triangular", "pert"):
        if v["low"] > v["mode"]:
            raise _num_error(
                f"low ({v['low']:g}) is above central ({v['mode']:g})", "low", v["low"]
            )
        if v["mode"] > v["high"]:
            raise _num_error(
                f"high ({v['high']:g}) is below central ({v['mode']:g})", "high", v["high"]
            )
        return v
    if kind == "uniform":
        if v["low"] > v["high"]:
            raise _num_error(f"low ({v['low']:g}) is above high ({v['high']:g})", "low", v["low"])
        return v
    if kind == "normal":
        if v["sd"] < 0:
            raise _num_error(f"sd must not be negative (got {exact(v['sd'])})", "sd", v["sd"])
        return v
    if kind == "lognormal":
        if "sigma" in v:
            if v["sigma"] < 0:
                raise _num_error(
                    f"sigma must not be negative (got {exact(v['sigma'])})", "sigma", v["sigma"]
                )
            return v
        mean, sd = v["mean"], v["sd"]
        if mean <= 0:
            raise _num_error(f"lognormal mean must be above 0 (got {exact(mean)})", "mean", mean)
        if sd < 0:
            raise _num_error(f"sd must not be negative (got {exact(sd)})", "sd", sd)
        sigma2 = math.log1p((sd / mean) ** 2)
        return {"mu": math.log(mean) - sigma2 / 2, "sigma": math.sqrt(sigma2)}
    # beta
    if "alpha" in v:
        for k in ("alpha", "beta"):
            if v[k] <= 0:
                raise _num_error(f"beta {k} must be above 0 (got {exact(v[k])})", k, v[k])
        return v
    mean, sd = v["mean"], v["sd"]
    if not 0 < mean < 1:
        raise _num_error(
            f"beta mean must be strictly between 0 and 1 (got {exact(mean)})", "mean", mean
        )
    limit = math.sqrt(mean * (1 - mean))
    if not 0 < sd < limit:
        raise _num_error(
            f"beta sd must be above 0 and below sqrt(mean x (1 - mean)) = {limit:.4g} (got {exact(sd)})",
            "sd",
            sd,
        )
    common = mean * (1 - mean) / sd**2 - 1
    return {"alpha": mean * common, "beta": (1 - mean) * common}


def _check_limit(kind: str, params: dict[str, float], domain: Domain) -> None:
    """Reject a distribution that reaches past the input's limit (see `Domain`), before anything
    is computed from its parameters (exp(mu + sigma^2 / 2) overflows for sigma 1e300)."""
    if math.isinf(domain.limit):
        return
    if kind == "normal":
        low = params["mean"] - TAIL_SDS * params["sd"]
        high = params["mean"] + TAIL_SDS * params["sd"]
    elif kind == "lognormal":
        log_high = params["mu"] + TAIL_SDS * params["sigma"]
        if not math.isfinite(log_high) or log_high > math.log(domain.limit):
            raise _num_error(
                f"a lognormal distribution with mu {params['mu']:g} and sigma "
                f"{params['sigma']:g} reaches past this input's limit: it {domain.limit_text}"
            )
        return
    elif kind == "beta":
        return
    else:
        low, high = params["low"], params["high"]
    for key, bound in (("low", low), ("high", high)):
        if not -domain.limit <= bound <= domain.limit:
            shown = key if kind not in ("normal",) else f"{key} end ({TAIL_SDS:g} sd)"
            raise _num_error(
                f"{shown} ({bound:g}) is out of range: this input {domain.limit_text}",
                key if kind != "normal" else None,
                bound if kind != "normal" else None,
            )


def _check_support(
    kind: str, support: tuple[float, float], domain: Domain, open_low: bool = False
) -> None:
    """Reject a distribution that can draw values the input may not take.

    `open_low`: the support excludes its lower end (a lognormal never draws 0), so it fits a
    domain that must be above that value.
    """
    lo, hi = support
    low_ok = domain.contains(lo) or (open_low and lo == domain.lo and domain.lo_open)
    if low_ok and domain.contains(hi):
        return
    if math.isinf(lo) or math.isinf(hi):
        suggestion = (
            "beta, triangular, pert or uniform"
            if domain.hi < math.inf
            else "lognormal, triangular, pert or uniform"
        )
        raise _num_error(
            f"a {kind} distribution can take values outside the allowed range: this input "
            f"{domain.text}; use {suggestion}"
        )
    bad_key, bad = ("low", lo) if not low_ok else ("high", hi)
    raise _num_error(
        f"{bad_key} ({exact(bad)}) is out of range: this input {domain.text}", bad_key, bad
    )


def parse_num(value: Any, domain: Domain = Domain()) -> Num:
    """Validate one numeric input: a finite number inside `domain`, or a distribution on it."""
    if isinstance(value, Dist):
        return value
    if isinstance(value, dict):
        return _parse_mapping(value, domain)
    x = _finite(value)
    if not domain.contains(x):
        raise _num_error(f"{domain.violation(x)} (got {exact(value)})")
    return x


_MAPPINGS = ByText(kept=8192)


def _parse_mapping(value: dict[str, Any], domain: Domain) -> Num:
    """A figure written as a mapping (with its provenance, or a distribution), read once by its
    text (`ByText`): what it gives is a float, a frozen Provenance or a frozen Dist."""
    return _MAPPINGS.get(value, domain, lambda: _read_mapping(value, domain))


def _read_mapping(value: dict[str, Any], domain: Domain) -> Num:
    if is_figure_form(value):
        return parse_figure(value, lambda v: parse_num(v, domain), parse_num)
    if isinstance(value, dict):
        try:
            return _parse_dist(value, domain)
        except OverflowError:  # parameters whose arithmetic leaves the floats (sigma 1e300)
            raise _num_error(
                "the distribution's parameters are too extreme to compute with; "
                f"this input {domain.limit_text}"
            ) from None


def count_dists(value: Any) -> int:
    """How many inputs anywhere in validated file data (models, lists, mappings) are ranges or
    distributions: what a simulation varies, counted before the model is built."""
    if isinstance(value, Dist):
        return 1
    if isinstance(value, BaseModel):
        return sum(count_dists(v) for v in value.__dict__.values())
    if isinstance(value, list | tuple):
        return sum(count_dists(v) for v in value)
    if isinstance(value, dict):
        return sum(count_dists(v) for v in value.values())
    return 0


def count_ranges(raw: Any) -> int:
    """How many values in parsed file data are written as a range or distribution (`{low, high}`
    or `{dist: ...}`): at least as many as the inputs a simulation will vary, counted before
    validation (entries taken from the library add their own later)."""
    if isinstance(raw, dict):
        if "dist" in raw or ("low" in raw and "high" in raw):
            return 1
        return sum(count_ranges(v) for v in raw.values())
    if isinstance(raw, list):
        return sum(count_ranges(v) for v in raw)
    return 0


def central(value: Num) -> float:
    """The value a deterministic run uses (a plain float, whatever provenance it carries)."""
    return value.central if isinstance(value, Dist) else float(value)


def _dump(value: Num) -> Any:
    return figure_data(value)


@dataclass(frozen=True)
class Input:
    """What a numeric input is: its label, unit, domain and the provenance of its default,
    declared once, next to the schema field it describes
    (`amount: Annotated[Num, Input("Unit cost", "£ per case", ...)]`).

    As the field's marker it also validates: a plain number or a distribution, inside `domain`.
    The parameter registry (`appraise.engine.params`) reads labels, units and domains from here.
    """

    label: str
    unit: str
    domain: Domain = Domain()
    # Where the field's default value comes from (appraise.model.provenance), for a field that
    # has one: the registry gives an input left at its default this provenance.
    basis: Any = None

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return core_schema.no_info_plain_validator_function(
            lambda v: parse_num(v, self.domain),
            serialization=core_schema.plain_serializer_function_ser_schema(_dump),
        )


@cache
def declared_basis(model: Any, name: str) -> Any:
    """The provenance field `name` of model class `model` gives its default (None if it
    declares no Input or no basis)."""
    try:
        return input_of(model, name).basis
    except KeyError:
        return None


def input_of(model: Any, name: str) -> Input:
    """The `Input` declared on field `name` of a pydantic model class (KeyError if none)."""
    info = model.model_fields[name]
    found = [m for m in info.metadata if isinstance(m, Input)]
    stack = [info.annotation]
    while stack and not found:
        annotation = stack.pop()
        found = [m for m in getattr(annotation, "__metadata__", ()) if isinstance(m, Input)]
        stack += list(get_args(annotation))
    if not found:
        raise KeyError(f"{model.__name__}.{name} declares no Input")
    return found[0]


FiniteFloat = Annotated[float, Field(allow_inf_nan=False, strict=True)]


def _fraction(v: Any) -> float:
    return parse_num(v, Domain(0.0, 1.0))  # type: ignore[return-value]


Fraction = Annotated[float, PlainValidator(lambda v: _plain(_fraction(v)))]


def _plain(v: Num) -> float:
    if isinstance(v, Dist):
        raise _num_error("this setting takes a plain number, not a distribution")
    return v

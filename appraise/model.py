"""The validated file format: pydantic models for portfolios, interventions, outcomes and evidence.

Every numeric input is a `Num`: a plain number, or a distribution for uncertainty analysis
(`{low, central, high}` or `{dist: ..., ...}`). Deterministic runs use the distribution's `central`.
Validation lives here so the loader, the CLI and the app all reject the same things the same way.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from appraise.baseline import Baseline

RATINGS = ("4+", "4", "3+", "3", "2+", "2", "NL2", "NE")
CATEGORIES = (
    "edge_of_care",
    "repeat_removal",
    "dv_victims",
    "dv_perpetrators",
    "parenting",
    "other",
)
EVIDENCE_TYPES = (
    "trial",
    "meta_analysis",
    "quasi_experimental",
    "evaluation",
    "economic_evaluation",
    "cost_data",
    "local_data",
    "report",
    "method",
    "guidance",
)
# Source types that can establish an effect (as opposed to a cost, a method or guidance).
EFFECT_EVIDENCE_TYPES = ("trial", "meta_analysis", "quasi_experimental", "evaluation", "local_data")

# The project's own judgement, not a published standard: see README "Optimism bias".
DEFAULT_OPTIMISM_BIAS: dict[str, float] = {
    "4+": 0.0,
    "4": 0.0,
    "3+": 0.1,
    "3": 0.2,
    "2+": 0.3,
    "2": 0.4,
    "NL2": 0.6,
    "NE": 1.0,
}
CHILDRENS_SOCIAL_CARE = "childrens_social_care"
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PAYER = re.compile(r"^[a-z][a-z0-9_]*$")


# ---------------------------------------------------------------------------------------------
# Numbers and distributions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dist:
    """A probability distribution on one input. `central` is the value deterministic runs use."""

    kind: str
    params: dict[str, float] = field(hash=False)
    central: float

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

    def draw(self, rng: Any, size: int) -> Any:
        """`size` random draws (a numpy array) from generator `rng`, in one call.

        numpy's Generator yields the same sequence in one call of n or several calls adding to n,
        which is what makes simulation results independent of chunk size.
        """
        import numpy as np

        p = self.params
        lo, hi = self.support
        if lo == hi:  # a range of width zero is a fixed number (numpy rejects low == high)
            return np.full(size, lo)
        if self.kind == "triangular":
            return rng.triangular(p["low"], p["mode"], p["high"], size)
        if self.kind == "pert":
            a, b = self._pert_shape
            return p["low"] + (p["high"] - p["low"]) * rng.beta(a, b, size)
        if self.kind == "uniform":
            return rng.uniform(p["low"], p["high"], size)
        if self.kind == "normal":
            return rng.normal(p["mean"], p["sd"], size)
        if self.kind == "lognormal":
            return rng.lognormal(p["mu"], p["sigma"], size)
        return rng.beta(p["alpha"], p["beta"], size)

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


def _finite(value: Any, subkey: str | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _num_error(f"expected a number, got {type(value).__name__} {value!r}", subkey, value)
    if not math.isfinite(value):
        raise _num_error(f"must be a finite number (got {value!r})", subkey, value)
    return float(value)


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


@dataclass(frozen=True)
class Domain:
    """The values an input may take, checked for plain numbers and for a distribution's support."""

    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False

    def contains(self, x: float) -> bool:
        above = x > self.lo if self.lo_open else x >= self.lo
        below = x < self.hi if self.hi_open else x <= self.hi
        return above and below

    @property
    def text(self) -> str:
        return _describe_domain(self.lo, self.hi, self.lo_open, self.hi_open)


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
            f"got keys {sorted(keys)}"
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
            f"a {kind} distribution takes {wanted} (and optionally central); got {sorted(keys)}"
        )
    vals = {k: _finite(raw[k], k) for k in chosen}
    params = _canonical_params(kind, vals)
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
            raise _num_error(f"sd must not be negative (got {v['sd']:g})", "sd", v["sd"])
        return v
    if kind == "lognormal":
        if "sigma" in v:
            if v["sigma"] < 0:
                raise _num_error(
                    f"sigma must not be negative (got {v['sigma']:g})", "sigma", v["sigma"]
                )
            return v
        mean, sd = v["mean"], v["sd"]
        if mean <= 0:
            raise _num_error(f"lognormal mean must be above 0 (got {mean:g})", "mean", mean)
        if sd < 0:
            raise _num_error(f"sd must not be negative (got {sd:g})", "sd", sd)
        sigma2 = math.log1p((sd / mean) ** 2)
        return {"mu": math.log(mean) - sigma2 / 2, "sigma": math.sqrt(sigma2)}
    # beta
    if "alpha" in v:
        for k in ("alpha", "beta"):
            if v[k] <= 0:
                raise _num_error(f"beta {k} must be above 0 (got {v[k]:g})", k, v[k])
        return v
    mean, sd = v["mean"], v["sd"]
    if not 0 < mean < 1:
        raise _num_error(f"beta mean must be strictly between 0 and 1 (got {mean:g})", "mean", mean)
    limit = math.sqrt(mean * (1 - mean))
    if not 0 < sd < limit:
        raise _num_error(
            f"beta sd must be above 0 and below sqrt(mean x (1 - mean)) = {limit:.4g} (got {sd:g})",
            "sd",
            sd,
        )
    common = mean * (1 - mean) / sd**2 - 1
    return {"alpha": mean * common, "beta": (1 - mean) * common}


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
    raise _num_error(f"{bad_key} ({bad:g}) is out of range: this input {domain.text}", bad_key, bad)


def parse_num(value: Any, domain: Domain = Domain()) -> Num:
    """Validate one numeric input: a finite number inside `domain`, or a distribution on it."""
    if isinstance(value, Dist):
        return value
    if isinstance(value, dict):
        return _parse_dist(value, domain)
    x = _finite(value)
    if not domain.contains(x):
        raise _num_error(f"{domain.text} (got {x:g})")
    return x


def central(value: Num) -> float:
    """The value a deterministic run uses."""
    return value.central if isinstance(value, Dist) else value


def _num_type(domain: Domain) -> Any:
    return Annotated[
        Any,
        PlainValidator(lambda v: parse_num(v, domain)),
        PlainSerializer(lambda v: v.to_data() if isinstance(v, Dist) else v),
    ]


NonNeg = _num_type(Domain(0.0))
Positive = _num_type(Domain(0.0, lo_open=True))
Prob = _num_type(Domain(0.0, 1.0))
Share = _num_type(Domain(0.0, 1.0, hi_open=True))  # a share of a whole that must leave a remainder
AnyReal = _num_type(Domain())
Weeks = _num_type(Domain(0.0, 52.18))  # 365.25 / 7
FiniteFloat = Annotated[float, Field(allow_inf_nan=False, strict=True)]


def _fraction(v: Any) -> float:
    return parse_num(v, Domain(0.0, 1.0))  # type: ignore[return-value]


Fraction = Annotated[float, PlainValidator(lambda v: _plain(_fraction(v)))]


def _plain(v: Num) -> float:
    if isinstance(v, Dist):
        raise _num_error("this setting takes a plain number, not a distribution")
    return v


# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------


class Base(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)


Text = Annotated[str, Field(min_length=1)]


def _check_slug(v: str, what: str) -> str:
    if not SLUG.match(v):
        raise ValueError(
            f"{what} must be lower-case letters, digits, '-' or '_', starting with a letter or "
            f"digit (got {v!r})"
        )
    return v


def _one_form(model: BaseModel, forms: dict[str, tuple[str, ...]], what: str) -> str:
    """Return the name of the single form whose keys are all present; reject mixtures."""
    given = {k for k in forms_keys(forms) if getattr(model, k) is not None}
    for name, keys in forms.items():
        if given == set(keys):
            return name
    options = " or ".join("{" + ", ".join(k) + "}" for k in forms.values())
    got = "{" + ", ".join(sorted(given)) + "}" if given else "nothing"
    raise ValueError(f"{what} takes {options}; got {got}")


def forms_keys(forms: dict[str, tuple[str, ...]]) -> set[str]:
    return {k for keys in forms.values() for k in keys}


REACH_FORMS = {
    "eligible": ("eligible", "proportion"),
    "count": ("count",),
    "capacity": ("from_capacity", "to_capacity"),
}
UNIT_COST_FORMS = {"per_case": ("amount",), "total": ("total",)}
EFFECT_FORMS = {
    "success_rate": ("success_rate",),
    "treated_risk": ("baseline_risk", "treated_risk"),
    "per_case": ("per_case",),
    "relative_risk": ("baseline_risk", "relative_risk"),
    "odds_ratio": ("baseline_risk", "odds_ratio"),
    "cohens_d": ("baseline_risk", "cohens_d"),
}


class Reach(Base):
    """Cases served per year: eligible x proportion, a count, or the places added to capacity."""

    eligible: NonNeg | None = None
    proportion: Prob | None = None
    count: NonNeg | None = None
    from_capacity: NonNeg | None = None
    to_capacity: NonNeg | None = None
    unit: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _form(self) -> Reach:
        form = _one_form(self, REACH_FORMS, "reach")
        if form == "capacity" and central(self.to_capacity) < central(self.from_capacity):
            raise ValueError(
                f"to_capacity ({central(self.to_capacity):g}) is below from_capacity "
                f"({central(self.from_capacity):g}): the appraisal is of added places"
            )
        return self

    @property
    def form(self) -> str:
        return _one_form(self, REACH_FORMS, "reach")


class UnitCost(Base):
    """What the service costs: per case (`amount`, `per`) or in total for the year's reach."""

    amount: NonNeg | None = None
    per: Text = "case"
    total: NonNeg | None = None
    period_months: Annotated[FiniteFloat, Field(gt=0)] | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _form(self) -> UnitCost:
        _one_form(self, UNIT_COST_FORMS, "unit_cost")
        return self

    @property
    def form(self) -> str:
        return _one_form(self, UNIT_COST_FORMS, "unit_cost")


class Effect(Base):
    """The effect on the costly outcome, in the form the study reported it."""

    success_rate: Prob | None = None
    baseline_risk: Prob | None = None
    treated_risk: Prob | None = None
    per_case: NonNeg | None = None
    relative_risk: NonNeg | None = None
    odds_ratio: Positive | None = None
    cohens_d: AnyReal | None = None
    conversion: Literal["cox", "logit"] | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _form(self) -> Effect:
        form = _one_form(self, EFFECT_FORMS, "effect")
        if self.conversion is not None and form != "cohens_d":
            raise ValueError("conversion applies only to an effect given as cohens_d")
        b = central(self.baseline_risk) if self.baseline_risk is not None else None
        if form == "treated_risk" and central(self.treated_risk) > b:
            raise ValueError(
                f"treated_risk ({central(self.treated_risk):g}) is above baseline_risk ({b:g}): "
                "the intervention would cause outcomes, not avert them"
            )
        if form == "relative_risk" and b * central(self.relative_risk) > 1:
            raise ValueError(
                f"baseline_risk x relative_risk = {b * central(self.relative_risk):g} is a "
                "treated risk above 1"
            )
        return self

    @property
    def form(self) -> str:
        return _one_form(self, EFFECT_FORMS, "effect")


class EvidenceRef(Base):
    """How strong the evidence is and where it comes from."""

    rating: str
    sources: Annotated[list[Text], Field(min_length=1)]
    effect_sources: list[Text] | None = None
    note: Text | None = None

    @field_validator("rating", mode="before")
    @classmethod
    def _rating(cls, v: Any) -> str:
        if isinstance(v, int) and not isinstance(v, bool):
            v = str(v)
        if v not in RATINGS:
            raise ValueError(f"rating must be one of {', '.join(RATINGS)} (got {v!r})")
        return v

    @model_validator(mode="after")
    def _effect_sources_subset(self) -> EvidenceRef:
        extra = set(self.effect_sources or ()) - set(self.sources)
        if extra:
            raise ValueError(f"effect_sources {sorted(extra)} are not listed in sources")
        return self


class Timing(Base):
    """When a cohort's costs fall and how long its savings last (multi-year appraisal)."""

    cohorts: Annotated[StrictInt, Field(ge=0)] = 0
    cost_months: Positive = 12.0
    benefit_lag_months: NonNeg = 0.0
    benefit_years: Positive = 1.0
    annual_decay: Prob = 0.0
    ramp_up: Prob = 1.0


class Intervention(Base):
    """One service in the library or a portfolio."""

    id: str
    name: Text
    description: Text | None = None
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    averts: str
    reach: Reach
    unit_cost: UnitCost
    effect: Effect
    evidence: EvidenceRef
    timing: Timing = Timing()
    notes: Text | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check_slug(v, "id")


class Component(Base):
    """One part of what an outcome costs, and who pays it."""

    name: Text
    cost: NonNeg
    cashable: StrictBool = False
    payer: str = CHILDRENS_SOCIAL_CARE

    @field_validator("payer")
    @classmethod
    def _payer(cls, v: str) -> str:
        if not PAYER.match(v):
            raise ValueError(f"payer must be a snake_case name such as 'health' (got {v!r})")
        return v


class Derive(Base):
    """Thurrock's derivation of the annual cost of a looked-after child (APHR 2017)."""

    weekly_placement_cost: NonNeg
    weeks_per_year: Weeks
    non_placement_share: Share


class Outcome(Base):
    """A costly outcome an intervention averts, priced by components."""

    name: Text
    description: Text | None = None
    unit: Text | None = None
    derive: Derive | None = None
    components: Annotated[list[Component], Field(min_length=1)] | None = None
    sources: list[Text] = []

    @model_validator(mode="after")
    def _one(self) -> Outcome:
        if (self.derive is None) == (self.components is None):
            raise ValueError("an outcome takes either derive or components (exactly one)")
        if self.components:
            names = [c.name for c in self.components]
            dupes = sorted({n for n in names if names.count(n) > 1})
            if dupes:
                raise ValueError(f"component names must be unique; repeated: {dupes}")
        return self


class Evidence(Base):
    """One source in the evidence registry."""

    id: str
    authors: Text
    year: Annotated[StrictInt, Field(ge=1800, le=2100)]
    title: Text
    journal: Text | None = None
    publisher: Text | None = None
    url: Text | None = None
    country: Text
    type: Literal[EVIDENCE_TYPES]  # type: ignore[valid-type]
    found: Text
    figures: list[dict[str, Any]] = []

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check_slug(v, "id")

    @model_validator(mode="after")
    def _where(self) -> Evidence:
        if self.journal is None and self.publisher is None:
            raise ValueError("an evidence entry needs journal or publisher")
        return self

    @property
    def surnames(self) -> list[str]:
        """Author surnames from 'Surname, I., Surname, I. and Surname, I.' (or one organisation)."""
        tokens = [t.strip() for t in re.split(r",| and | & ", self.authors) if t.strip()]
        return [t for t in tokens if not re.fullmatch(r"(?:[A-Z][a-z]?\.?[\s-]*)+", t)]

    @property
    def citation(self) -> str:
        """Short citation: 'Walby (2004)', 'Hasselblad and Hedges (1995)', 'Swenson et al. (2010)'."""
        names = self.surnames or [self.authors]
        if len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        return f"{who} ({self.year})"

    @property
    def reference(self) -> str:
        """Full reference in one line."""
        where = self.journal or self.publisher
        url = f" {self.url}" if self.url else ""
        return f"{self.authors} ({self.year}). {self.title}. {where}.{url}"

    @property
    def is_uk(self) -> bool:
        return self.country.strip().lower() in {"uk", "england", "united kingdom", "gb", "wales"}


class Portfolio(Base):
    """A set of interventions appraised together, with the outcomes they avert."""

    portfolio: Text
    price_year: Annotated[StrictInt, Field(ge=1900, le=2100)]
    description: Text | None = None
    cashable_method: Literal["strict", "pro_rata"] = "strict"
    perspective: Literal["childrens_social_care", "public_sector"] = CHILDRENS_SOCIAL_CARE
    horizon_years: Annotated[StrictInt, Field(ge=1, le=60)] = 5
    discount_rate: Annotated[FiniteFloat, Field(ge=0, lt=1)] = 0.035
    optimism_bias: dict[str, Fraction] = Field(default_factory=dict, validate_default=True)
    apply_optimism_bias: StrictBool = False
    non_uk_evidence_haircut: Fraction = 0.0
    outcomes: Annotated[dict[str, Outcome], Field(min_length=1)]
    interventions: Annotated[list[Intervention], Field(min_length=1)]
    evidence: dict[str, Evidence] = {}
    # The cost of doing nothing (appraise.baseline); `baseline: file.yaml` is read by the loader.
    baseline: Baseline | None = None

    @field_validator("optimism_bias")
    @classmethod
    def _ob(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(RATINGS))
        if unknown:
            raise ValueError(f"unknown evidence ratings {unknown}; use {', '.join(RATINGS)}")
        return {**DEFAULT_OPTIMISM_BIAS, **v}

    @field_validator("outcomes")
    @classmethod
    def _outcome_keys(cls, v: dict[str, Outcome]) -> dict[str, Outcome]:
        for key in v:
            _check_slug(key, "outcome key")
        return v

    @property
    def optimism_bias_table(self) -> dict[str, float]:
        """Haircut by evidence rating: the defaults with this portfolio's entries over them."""
        return self.optimism_bias


# `Baseline` builds on the types above; importing its module completes `Portfolio` (see there).
import appraise.baseline  # noqa: E402, F401

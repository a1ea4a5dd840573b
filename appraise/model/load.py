"""Reading portfolio, intervention and evidence files into validated models.

Files are only ever read here, through `appraise.model.reading` (regular files, size-capped, and
the files a file names confined to its folder); YAML is parsed by `appraise.model.yamltext`
(libyaml, within limits on nodes, depth and aliases; duplicate keys rejected; `1e3` a number).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from appraise.errors import InputError, Problem, join_path
from appraise.model.base import forms_keys
from appraise.model.baseline import Baseline, History, parse_history
from appraise.model.limits import MAX_INTERVENTIONS
from appraise.model.pricing import care_prices, check_prices, price_table
from appraise.model.reading import quotable, quoting_nothing, read_file, read_reference
from appraise.model.schema import (
    EFFECT_FORMS,
    REACH_FORMS,
    UNIT_COST_FORMS,
    Evidence,
    Intervention,
    Portfolio,
    lac_outcome,
)
from appraise.model.yamltext import collector_paused, parse_yaml

ROOT = Path(__file__).resolve().parents[2]


def library_root() -> Path:
    """Folder holding `interventions/` and `evidence/` (override with APPRAISE_LIBRARY)."""
    return Path(os.environ.get("APPRAISE_LIBRARY", ROOT))


def read_yaml(path: str | Path) -> Any:
    """Read and parse a YAML file; a missing, unreadable or special file is an InputError."""
    return parse_yaml(read_file(path), str(path))


def read_bytes(path: str | Path) -> bytes:
    """A regular file's bytes, within the size limit (`appraise.model.reading.read_file`)."""
    return read_file(path)


# ---------------------------------------------------------------------------------------------
# Validation errors -> problems
# ---------------------------------------------------------------------------------------------


def _model_at(model: type[BaseModel], loc: Iterable[Any]) -> type[BaseModel] | None:
    """The pydantic model class found by walking `loc` from `model` (for key suggestions)."""
    current: Any = model
    keyed = False  # the last field was a mapping: the next part is one of its keys, not a field
    for part in loc:
        if isinstance(part, int) or current is None or keyed:
            keyed = False
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(str(part))
        if info is None:
            return None
        keyed = _is_mapping(info.annotation)
        current = _find_model(info.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _is_mapping(annotation: Any) -> bool:
    """Whether a field holds a mapping keyed by the file's own names (`outcomes: {lac_year: ...}`)."""
    if getattr(annotation, "__origin__", None) is dict:
        return True
    inner = getattr(annotation, "__args__", ()) or ()
    return bool(inner) and getattr(inner[0], "__origin__", None) is dict  # Annotated[dict, ...]


def _find_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _find_model(arg)
        if found is not None:
            return found
    meta = getattr(annotation, "__origin__", None)
    return _find_model(meta) if meta is not None and meta is not annotation else None


def problems_from(
    exc: ValidationError, model: type[BaseModel], file: str, prefix: str = ""
) -> list[Problem]:
    """Turn a pydantic ValidationError into one Problem per error, with field paths."""
    out = []
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        value = err.get("input")
        kind = err["type"]
        msg = err["msg"]
        if kind == "missing":
            msg, value = "missing required key", _NO_VALUE
        elif kind == "extra_forbidden":
            parent = _model_at(model, loc[:-1])
            msg = "unknown key"
            if parent is not None:
                close = difflib.get_close_matches(str(loc[-1]), list(parent.model_fields), n=1)
                allowed = f"allowed keys: {', '.join(parent.model_fields)}"
                msg += f" (did you mean {close[0]!r}?); {allowed}" if close else f"; {allowed}"
        elif kind == "appraise_number":
            ctx = err.get("ctx") or {}
            if ctx.get("subkey"):
                loc.append(ctx["subkey"])
                value = ctx.get("value", _NO_VALUE)
        elif kind in ("float_type", "int_type", "int_from_float", "float_parsing", "int_parsing"):
            msg = "expected a whole number" if kind.startswith("int") else "expected a number"
        elif kind == "string_type":
            msg = "expected text"
        elif kind == "bool_type":
            msg = "expected true or false"
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            msg = "expected a mapping of keys to values"
        elif kind == "list_type":
            msg = "expected a list"
        elif kind == "too_short":
            msg = "must not be empty"
        elif kind == "too_long":
            ctx = err.get("ctx") or {}
            msg = (
                f"holds {ctx.get('actual_length', 0):,} items; at most "
                f"{ctx.get('max_length', 0):,} are allowed"
            )
            value = _NO_VALUE
        elif kind == "invalid_key":
            # `{amount: £3,000}`: YAML splits a flow mapping at the comma, leaving a key `000`.
            msg = (
                "a key that is not text: a figure with a thousands comma inside { } is split "
                'at the comma; write it as 3000 or quote it ("£3,000")'
            )
            loc, value = loc[:-1], _NO_VALUE
        elif kind == "value_error":
            msg = msg.removeprefix("Value error, ")
        path = join_path(loc)
        if prefix:
            path = f"{prefix}.{path}" if path and not path.startswith("[") else prefix + path
        out.append(
            Problem(file, path, msg) if value is _NO_VALUE else Problem(file, path, msg, value)
        )
    return out


_NO_VALUE = object()


# ---------------------------------------------------------------------------------------------
# Evidence and the intervention library
# ---------------------------------------------------------------------------------------------


def _validate(model: type[BaseModel], data: Any, file: str, prefix: str = "") -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from(exc, model, file, prefix)) from None


def load_evidence_file(path: Path) -> Evidence:
    """One evidence entry; its id must match its file name."""
    data = read_yaml(path)
    entry = _validate(Evidence, data, str(path))
    if entry.id != path.stem:
        raise InputError.one(
            str(path), "id", f"id must match the file name {path.stem!r}", entry.id
        )
    return entry


@lru_cache(maxsize=8)
def _evidence_cached(folder: str, stamp: tuple[tuple[str, float], ...]) -> dict[str, Evidence]:
    problems: list[Problem] = []
    found: dict[str, Evidence] = {}
    for name, _ in stamp:
        try:
            entry = load_evidence_file(Path(folder) / name)
        except InputError as exc:
            problems += exc.problems
            continue
        found[entry.id] = entry
    if problems:
        raise InputError(problems)
    return found


def _stamp(folder: Path) -> tuple[tuple[str, float], ...]:
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime) for p in folder.glob("*.yaml")))


def load_evidence(folder: Path | None = None) -> dict[str, Evidence]:
    """The evidence registry: every `evidence/*.yaml`, keyed by id."""
    folder = folder or library_root() / "evidence"
    return dict(_evidence_cached(str(folder), _stamp(folder)))


def library_files(folder: Path | None = None) -> dict[str, Path]:
    """Library intervention ids mapped to their files."""
    folder = folder or library_root() / "interventions"
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def load_library(folder: Path | None = None) -> list[Intervention]:
    """Every intervention in the library, validated (the `appraise list` view)."""
    evidence = load_evidence()
    problems: list[Problem] = []
    out = []
    for path in library_files(folder).values():
        try:
            item = load_intervention(path, evidence)
        except InputError as exc:
            problems += exc.problems
            continue
        out.append(item)
    if problems:
        raise InputError(problems)
    return out


def load_intervention(
    path: str | Path, evidence: dict[str, Evidence] | None = None
) -> Intervention:
    """One intervention file, validated, with its evidence ids checked."""
    path = Path(path)
    data = read_yaml(path)
    item = _validate(Intervention, data, str(path))
    evidence = load_evidence() if evidence is None else evidence
    problems = [
        Problem(str(path), f"evidence.sources[{j}]", "unknown evidence id", s)
        for j, s in enumerate(item.evidence.sources)
        if s not in evidence
    ]
    if item.id != path.stem:
        problems.append(
            Problem(str(path), "id", f"id must match the file name {path.stem!r}", item.id)
        )
    if problems:
        raise InputError(problems)
    return item


# ---------------------------------------------------------------------------------------------
# Portfolios
# ---------------------------------------------------------------------------------------------

_FORM_FIELDS = {
    "reach": forms_keys(REACH_FORMS),
    "unit_cost": forms_keys(UNIT_COST_FORMS) | {"non_staff"},
    "effect": forms_keys(EFFECT_FORMS),
}
_MERGED_FIELDS = ("timing", "evidence")


def merge_override(library: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Apply a portfolio entry's overrides to a library definition.

    Top-level fields are replaced, except: `timing` and `evidence` merge key by key; `reach`,
    `unit_cost` and `effect` merge key by key when the override stays within the library's form
    (`reach: {proportion: 0.05}` keeps `eligible`) and are replaced when it names another form
    (`reach: {count: 60}`).
    """
    merged = dict(library)
    if "effects" in override:  # several outcomes replace the library's one
        merged.pop("effect", None)
        merged.pop("averts", None)
    elif "effect" in override or "averts" in override:
        merged.pop("effects", None)
    for key, value in override.items():
        base = library.get(key)
        if isinstance(base, dict) and isinstance(value, dict):
            if key in _MERGED_FIELDS:
                merged[key] = {**base, **value}
                continue
            if key in _FORM_FIELDS:
                form_keys = _FORM_FIELDS[key]
                named = {k for k in value if k in form_keys}
                if named <= set(base):
                    merged[key] = {**base, **value}
                    continue
        merged[key] = value
    return merged


def _in_override(override: dict[str, Any], rest: list[Any]) -> bool:
    """Whether the value at field path `rest` was written in the portfolio's override."""
    node: Any = override
    for part in rest:
        if isinstance(node, list) and isinstance(part, int):
            return True  # a list is replaced whole, so anything inside it came from the override
        if not (isinstance(node, dict) and part in node):
            return False
        node = node[part]
    return True


def _resolve_entries(
    raw: dict[str, Any], file: str, problems: list[Problem]
) -> tuple[dict[str, Any], list[tuple[str, int, dict[str, Any] | None]]]:
    """Expand `use:` entries; return the data to validate and, per entry, where it came from."""
    entries = raw.get("interventions")
    if not isinstance(entries, list):
        return raw, []
    library = library_files()
    parsed: dict[str, Any] = {}  # each library file is read once, however many entries use it
    out, origins = [], []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "use" not in entry:
            out.append(entry)
            origins.append(("", i, None))
            continue
        name = entry["use"]
        override = {k: v for k, v in entry.items() if k != "use"}
        if not isinstance(name, str) or name not in library:
            hint = difflib.get_close_matches(str(name), list(library), n=1)
            msg = "unknown library intervention" + (
                f" (did you mean {hint[0]!r}?)" if hint else f"; available: {', '.join(library)}"
            )
            problems.append(Problem(file, f"interventions[{i}].use", msg, name))
            out.append(None)
            origins.append(("", i, None))
            continue
        lib_path = library[name]
        try:
            if name not in parsed:
                parsed[name] = read_yaml(lib_path)
            lib_data = parsed[name]
        except InputError as exc:
            problems.extend(exc.problems)
            out.append(None)
            origins.append(("", i, None))
            continue
        if not isinstance(lib_data, dict):
            problems.append(Problem(str(lib_path), "", "expected a mapping at the top of the file"))
            out.append(None)
            origins.append(("", i, None))
            continue
        out.append(merge_override(lib_data, override))
        origins.append((str(lib_path), i, override))
    return {**raw, "interventions": out}, origins


def _blame(
    problem: Problem, file: str, origins: list[tuple[str, int, dict[str, Any] | None]]
) -> Problem:
    """Point a problem in a `use:` entry at the file the offending value came from."""
    match = re.match(r"^interventions\[(\d+)\]\.?(.*)$", problem.path)
    if not match or int(match.group(1)) >= len(origins):
        return problem
    lib_file, i, override = origins[int(match.group(1))]
    if override is None:
        return problem
    rest_text = match.group(2)
    rest = [int(p) if p.isdigit() else p for p in re.split(r"\.|\[|\]", rest_text) if p]
    if _in_override(override, rest):
        return problem
    note = f" (from the library entry used by {file}: interventions[{i}])"
    return Problem(lib_file, rest_text, problem.message + note, problem.value)


def portfolio_from_data(
    raw: Any, file: str, evidence: dict[str, Evidence] | None = None
) -> Portfolio:
    """Validate already-parsed portfolio data (from a file or an upload)."""
    if not isinstance(raw, dict):
        raise InputError.one(file, "", "expected a mapping at the top of the file", raw)
    entries = raw.get("interventions")
    if isinstance(entries, list) and len(entries) > MAX_INTERVENTIONS:
        # Before any of them is read or validated: the count bounds the work.
        raise InputError.one(
            file,
            "interventions",
            f"holds {len(entries):,} interventions; at most {MAX_INTERVENTIONS:,} are allowed",
        )
    problems: list[Problem] = []
    data, origins = _resolve_entries(raw, file, problems)
    data, unread = _resolve_baseline(data, file, problems)
    try:
        portfolio = Portfolio.model_validate(data)
    except ValidationError as exc:
        found = problems_from(exc, Portfolio, file)
        # An unresolvable `use:` already has its own line; don't add noise for the None left behind.
        failed = {f"interventions[{i}]" for i, (_, _, o) in enumerate(origins) if o is None}
        found = [p for p in found if not (p.path in failed and p.value is None)]
        found = [p for p in found if not p.path.startswith(unread)]
        problems += [_blame(p, file, origins) for p in found]
        raise InputError(problems) from None
    if problems:
        raise InputError(problems)
    registry = load_evidence() if evidence is None else evidence
    registry = {**registry, **portfolio.evidence}
    problems += [_blame(p, file, origins) for p in _cross_check(portfolio, registry, file)]
    if portfolio.baseline is not None and not isinstance(raw.get("baseline"), str):
        problems += _check_sources(portfolio.baseline, registry, file)
    if portfolio.baseline is not None:
        try:
            lac_outcome(portfolio, file)
        except InputError as exc:
            problems += exc.problems
    if not problems:
        problems += check_prices(portfolio, file)
    if problems:
        raise InputError(problems)
    portfolio._file = file
    if portfolio.baseline is not None:
        portfolio.baseline._prices = care_prices(price_table(portfolio, file))
    return portfolio


def _cross_check(p: Portfolio, registry: dict[str, Evidence], file: str) -> list[Problem]:
    out = []
    for key, entry in p.evidence.items():
        if entry.id != key:
            out.append(
                Problem(file, f"evidence.{key}.id", f"id must match its key {key!r}", entry.id)
            )
    for key, outcome in p.outcomes.items():
        for j, s in enumerate(outcome.sources):
            if s not in registry:
                out.append(Problem(file, f"outcomes.{key}.sources[{j}]", "unknown evidence id", s))
        change = outcome.change
        for side, end in zip(("from", "to"), change.ends if change else (), strict=False):
            if isinstance(end, str) and end not in p.placements:
                known = ", ".join(p.placements) or "none: add a placements section"
                hint = difflib.get_close_matches(end, list(p.placements), n=1)
                also = f"; did you mean {hint[0]!r}?" if hint else ""
                out.append(
                    Problem(
                        file,
                        f"outcomes.{key}.change.{side}",
                        f"not a placement type of this portfolio (placements: {known}){also}",
                        end,
                    )
                )
    for name in p.placements:
        check = re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_\-]*", name)
        if not check:
            out.append(
                Problem(
                    file,
                    f"placements.{name}",
                    "a placement type is a name of letters, digits, _ and -",
                    name,
                )
            )
    seen: dict[str, int] = {}
    for i, item in enumerate(p.interventions):
        at = f"interventions[{i}]"
        if item.id in seen:
            out.append(
                Problem(
                    file,
                    f"{at}.id",
                    f"duplicate intervention id (also interventions[{seen[item.id]}])",
                    item.id,
                )
            )
        seen.setdefault(item.id, i)
        for key, _, path in item.effect_list:
            if key not in p.outcomes:
                where = f"{at}.averts" if path == "effect" else f"{at}.{path}.averts"
                out.append(
                    Problem(
                        file,
                        where,
                        f"outcome not defined in this portfolio's outcomes "
                        f"(defined: {', '.join(p.outcomes)})",
                        key,
                    )
                )
        for j, s in enumerate(item.evidence.sources):
            if s not in registry:
                hint = difflib.get_close_matches(s, list(registry), n=1)
                msg = "unknown evidence id" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                out.append(Problem(file, f"{at}.evidence.sources[{j}]", msg, s))
    return out


def load_portfolio(path: str | Path, check: Callable[[Any], None] | None = None) -> Portfolio:
    """Read and validate a portfolio file, resolving `use:` entries against the library.

    `check`, given the parsed file data before anything in it is validated, may refuse it at
    once (a run whose work the interventions it lists would put over budget)."""
    path = Path(path)
    # Validation, like parsing, makes hundreds of thousands of small objects and no cycles: with
    # the collector running, 10,000 interventions validate in three times the time.
    with collector_paused():
        raw = read_yaml(path)
        if check is not None:
            check(raw)
        return portfolio_from_data(raw, str(path))


def listed_interventions(raw: Any) -> int:
    """How many interventions parsed file data lists (none if it is not a portfolio)."""
    entries = raw.get("interventions") if isinstance(raw, dict) else None
    return len(entries) if isinstance(entries, list) else 0


def evidence_for(portfolio: Portfolio) -> dict[str, Evidence]:
    """The registry as this portfolio sees it (library sources plus its own)."""
    return {**load_evidence(), **portfolio.evidence}


def detect_kind(data: Any) -> str:
    """Guess what a parsed YAML document is: portfolio, intervention, evidence, claims, actuals,
    programme or programme actuals (an `actuals:` mapping rather than a list of rows)."""
    if not isinstance(data, dict):
        return "unknown"
    if "programme" in data:
        return "programme"
    if isinstance(data.get("actuals"), dict):
        return "programme-actuals"
    if "interventions" in data or "outcomes" in data:
        return "portfolio"
    if "baseline" in data:
        return "baseline"
    if "claims" in data:
        return "claims"
    if "actuals" in data:
        return "actuals"
    if "averts" in data or "effect" in data or "effects" in data:
        return "intervention"
    if "found" in data or "authors" in data:
        return "evidence"
    return "unknown"


# ---------------------------------------------------------------------------------------------
# Baselines (the cost of doing nothing) and their history files
# ---------------------------------------------------------------------------------------------


def load_history(path: str | Path) -> History:
    """A CSV of year, children_in_care, child_population (see `baseline.parse_history`)."""
    return history_from_bytes(read_file(path), str(path))


def history_from_bytes(data: bytes, name: str) -> History:
    """A history CSV's content (from a file or an upload), named `name` in problems."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.one(name, "", f"file is not UTF-8 text ({exc.reason})") from None
    return parse_history(text, name)


def _resolve_histories(
    section: Any, file: str, problems: list[Problem]
) -> tuple[Any, tuple[str, ...]]:
    """Replace each scenario's `history: file.csv` (named by the file `file`, confined to its
    folder: see `appraise.model.reading`) by the rates it gives.

    Returns the section and the field paths of histories that could not be read (their problems
    are in `problems`), so that validation does not report them a second time.
    """
    scenarios = section.get("scenarios") if isinstance(section, dict) else None
    if not isinstance(scenarios, list):
        return section, ()
    out, unread = [], []
    for i, scenario in enumerate(scenarios):
        trend = scenario.get("lac_rate_trend") if isinstance(scenario, dict) else None
        name = trend.get("history") if isinstance(trend, dict) else None
        if not isinstance(name, str):
            out.append(scenario)
            continue
        field = f"baseline.scenarios[{i}].lac_rate_trend.history"
        try:
            found, content = read_reference(name, file, field)
            with quoting_nothing(found):
                rates = history_from_bytes(content, found).rates_per_10k
        except InputError as exc:
            problems += exc.problems
            unread.append(field)
            rates = {}
        out.append({**scenario, "lac_rate_trend": {**trend, "history": rates}})
    return {**section, "scenarios": out}, tuple(unread)


def _resolve_baseline(
    data: dict[str, Any], file: str, problems: list[Problem]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Read `baseline: file.yaml` (confined to the portfolio's folder) or resolve an inline
    section's history files; returns the data and the field paths whose problems are already
    reported."""
    section = data.get("baseline")
    if isinstance(section, str):
        try:
            name, content = read_reference(section, file, "baseline")
            with quoting_nothing(name):
                baseline = baseline_from_data(parse_yaml(content, name), name)
        except InputError as exc:
            problems += exc.problems
            return {**data, "baseline": None}, ("baseline",)
        return {**data, "baseline": baseline}, ()
    section, unread = _resolve_histories(section, file, problems)
    return {**data, "baseline": section} if "baseline" in data else data, unread


def _check_sources(baseline: Baseline, registry: dict[str, Evidence], file: str) -> list[Problem]:
    return [
        Problem(file, f"baseline.sources[{j}]", "unknown evidence id", s)
        for j, s in enumerate(baseline.sources)
        if s not in registry
    ]


def baseline_from_data(raw: Any, file: str) -> Baseline:
    """Validate a baseline file's data: one key, `baseline:`, holding the section (history files
    are read relative to `file`)."""
    if not isinstance(raw, dict) or set(raw) != {"baseline"}:
        # Only names that look like keys: a file named by another may be anything (/etc/shadow).
        keys = sorted(k for k in map(str, raw) if quotable(k)) if isinstance(raw, dict) else []
        raise InputError.one(
            file,
            "",
            "a baseline file holds one key, baseline:, with the section under it"
            + (f" (found keys {', '.join(keys)})" if keys else ""),
        )
    problems: list[Problem] = []
    section, unread = _resolve_histories(raw["baseline"], file, problems)
    try:
        baseline = Baseline.model_validate(section)
    except ValidationError as exc:
        found = problems_from(exc, Baseline, file, prefix="baseline")
        problems += [p for p in found if not p.path.startswith(unread)]
        raise InputError(problems) from None
    problems += _check_sources(baseline, load_evidence(), file)
    if problems:
        raise InputError(problems)
    return baseline


def load_baseline(path: str | Path) -> Baseline:
    """Read and validate a baseline file (history files are read relative to it)."""
    return baseline_from_data(read_yaml(path), str(path))

"""Where each input's value came from: cited, derived, assumed or edited (docs/provenance.md).

A figure in a file may be a bare number (`success_rate: 0.8`), as it always could, or a number
with its provenance beside it:

    success_rate: {value: 0.8, assumed: "appraise assumption: 8 of 10 children moved"}
    weeks_per_year: {value: 35, cited: {source: thurrock-aphr-2017, at: "section 2.4.1",
                                        quote: "the average length of stay ... is 35 weeks"}}
    value: {value: 42073, derived: {formula: "children / rate * 10000",
                                    from: {children: {value: 345, cited: {...}}, rate: 82}}}
    proportion: {value: 0.05, edited: {by: app, was: {value: 0.1, cited: {...}}}}

The value keeps its place in every calculation; its provenance travels with it (`Traced`, a
float that knows where it came from, or a distribution's `provenance`), so the parameter registry
reads it rather than re-deriving it. An input with no provenance of its own is resolved by
`appraise.engine.params` (a library unit cost is cited to its database row, a default to its
declaration, an effect to the intervention's `effect_sources`; anything else is "not stated").
"""

from __future__ import annotations

import ast
import dataclasses
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic_core import PydanticCustomError

CITED, DERIVED, ASSUMED, EDITED = "cited", "derived", "assumed", "edited"
NOT_STATED = "not stated"
STATUSES = (CITED, DERIVED, ASSUMED, EDITED)  # the keys a file writes beside `value`
_FIGURE_KEYS = frozenset(("value", *STATUSES))
# One letter each, for tables with no room for words (`appraise evaluate`).
MARKS = {CITED: "C", DERIVED: "D", ASSUMED: "A", EDITED: "E", NOT_STATED: "?"}
# Where an edit came from: the app, a workbook read back, a claims file's `assume:`.
EDIT_ORIGINS = ("app", "workbook import", "claims assume")
MAX_FORMULA_CHARS = 200
MAX_FORMULA_NODES = 60


@dataclass(frozen=True)
class Provenance:
    """One input's provenance: its status and what that status needs (see the module doc)."""

    status: str
    sources: tuple[
        str, ...
    ] = ()  # cited: evidence ids (a file cites one; a fallback may give more)
    at: str | None = None  # cited: table, section, page or paragraph, as the source numbers it
    quote: str | None = None  # cited: the source's exact words
    formula: str | None = None  # derived: arithmetic over the names in `inputs`
    inputs: tuple[tuple[str, Any], ...] = ()  # derived: (name, value, possibly Traced)
    by: str | None = None  # assumed: whose judgement; edited: where the edit came from
    why: str | None = None  # assumed: the reason; edited: an optional note
    was: Any = None  # edited: the value replaced (a number or a distribution, with provenance)
    file: str | None = None  # edited: the file the value was edited from
    note: str | None = None

    @property
    def mark(self) -> str:
        return MARKS[self.status]

    @property
    def locator(self) -> str:
        """'Table 7' for a citation; the formula of a derivation; '' otherwise."""
        if self.status == CITED:
            return self.at or ""
        if self.status == DERIVED:
            return self.formula or ""
        return ""

    @property
    def was_provenance(self) -> Provenance | None:
        """An edit's previous provenance (None: the value replaced stated none)."""
        return provenance_of(self.was) if self.status == EDITED else None

    def to_file(self) -> dict[str, Any]:
        """The key written beside `value` in a file (`{cited: {...}}`), round-tripping."""
        if self.status == CITED:
            body: dict[str, Any] = {"source": self.sources[0] if self.sources else ""}
            if len(self.sources) > 1:
                body["also"] = list(self.sources[1:])
            body |= {k: v for k, v in (("at", self.at), ("quote", self.quote)) if v}
        elif self.status == DERIVED:
            body = {"formula": self.formula, "from": {k: figure_data(v) for k, v in self.inputs}}
        elif self.status == ASSUMED:
            if not self.by and not self.note:
                return {ASSUMED: self.why}
            body = {"by": self.by, "why": self.why} if self.by else {"why": self.why}
        elif self.status == EDITED:
            body = {"by": self.by, "was": figure_data(self.was)}
            if self.file:
                body["file"] = self.file
            if self.why:
                body["note"] = self.why
        else:
            return {}
        if self.note:
            body["note"] = self.note
        return {self.status: body}

    def to_data(self, citations: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The JSON an output gives beside the value (`citations`: id -> 'Walby (2004)')."""
        cite = citations or {}
        out: dict[str, Any] = {"status": self.status}
        if self.status == CITED:
            out |= {
                "sources": list(self.sources),
                "citation": "; ".join(cite.get(s, s) for s in self.sources),
                "at": self.at,
                "quote": self.quote,
            }
        elif self.status == DERIVED:
            out |= {
                "formula": self.formula,
                "from": {
                    k: {"value": _plain(v), "provenance": _data_of(v, cite)} for k, v in self.inputs
                },
            }
        elif self.status == ASSUMED:
            out |= {"by": self.by, "why": self.why}
        elif self.status == EDITED:
            out |= {
                "by": self.by,
                "file": self.file,
                "note": self.why,
                "was": _plain(self.was),
                "was_provenance": _data_of(self.was, cite),
            }
        if self.note:
            out["note"] = self.note
        return out

    def text(self, citations: Mapping[str, str] | None = None) -> str:
        """One line for a reader: 'cited: Thurrock Council (2017), Table 7'."""
        cite = citations or {}
        if self.status == CITED:
            who = "; ".join(cite.get(s, s) for s in self.sources)
            return f"cited: {who}" + (f", {self.at}" if self.at else " (no locator)")
        if self.status == DERIVED:
            return f"derived: {self.formula}"
        if self.status == ASSUMED:
            return f"assumed ({self.by}): {self.why}" if self.by else f"assumed: {self.why}"
        if self.status == EDITED:
            before = self.was_provenance
            shown = f"{_plain_text(self.was)}" + (
                f", {before.text(cite)}" if before else ", no provenance stated"
            )
            return f"edited in the {self.by}: was {shown}"
        return NOT_STATED


NOT_STATED_PROVENANCE = Provenance(NOT_STATED)


def assumed(by: str, why: str) -> Provenance:
    """An assumption: whose judgement (`by`) and why."""
    return Provenance(ASSUMED, by=by, why=why)


def cited(source: str, at: str | None = None, quote: str | None = None) -> Provenance:
    return Provenance(CITED, (source,), at, quote)


# ---------------------------------------------------------------------------------------------
# Values that carry their provenance
# ---------------------------------------------------------------------------------------------


class Traced(float):
    """A number with its provenance: it calculates as the float it is."""

    provenance: Provenance

    def __new__(cls, value: float, provenance: Provenance) -> Traced:
        out = super().__new__(cls, value)
        out.provenance = provenance
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        return (Traced, (float(self), self.provenance))

    def __repr__(self) -> str:
        return float.__repr__(self)


def attach(value: Any, provenance: Provenance | None) -> Any:
    """`value` (a number or a distribution) carrying `provenance` (None: none, plainly)."""
    if provenance is None:
        return float(value) if isinstance(value, float) else value
    if isinstance(value, int | float):
        return Traced(float(value), provenance)
    return dataclasses.replace(value, provenance=provenance)


def provenance_of(value: Any) -> Provenance | None:
    """The provenance a value carries, if any."""
    return getattr(value, "provenance", None)


def _plain(value: Any) -> Any:
    """A value as plain file data, without its provenance."""
    if isinstance(value, float | int):
        return float(value)
    to_data = getattr(value, "to_data", None)
    return to_data() if to_data else value


def _plain_text(value: Any) -> str:
    plain = _plain(value)
    return f"{plain:g}" if isinstance(plain, float) else str(plain)


def _data_of(value: Any, cite: Mapping[str, str]) -> dict[str, Any] | None:
    found = provenance_of(value)
    return found.to_data(cite) if found else None


def figure_data(value: Any) -> Any:
    """A value as file data: the bare number (or distribution) if it carries no provenance,
    else `{value: ..., <status>: ...}` (what `parse_figure` reads back)."""
    found = provenance_of(value)
    if found is None:
        return _plain(value)
    return {"value": _plain(value), **found.to_file()}


# ---------------------------------------------------------------------------------------------
# Reading the file form
# ---------------------------------------------------------------------------------------------


_UNSET: Any = object()


def _error(message: str, subkey: str | None = None, value: Any = _UNSET) -> PydanticCustomError:
    """An error at `subkey` below the figure (with the rejected value, if given)."""
    ctx: dict[str, Any] = {"subkey": subkey} if subkey else {}
    if subkey and value is not _UNSET:
        ctx["value"] = value
    return PydanticCustomError("appraise_number", message, ctx)


def _text(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise _error("expected text (not empty)", where, raw)
    return raw.strip()


def _keys(raw: Any, where: str, required: set[str], allowed: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _error(f"expected a mapping with {', '.join(sorted(required))}", where, raw)
    unknown = sorted(map(str, set(raw) - allowed))
    if unknown:
        raise _error(
            f"unknown key {unknown[0]!r}; allowed keys: {', '.join(sorted(allowed))}",
            f"{where}.{unknown[0]}",
        )
    missing = sorted(required - set(raw))
    if missing:
        raise _error("missing required key", f"{where}.{missing[0]}")
    return raw


def is_figure_form(raw: Any) -> bool:
    """Whether file data is a value with its provenance (`{value: ..., cited: ...}`)."""
    return isinstance(raw, dict) and "value" in raw


Parse = Callable[[Any], Any]


def parse_figure(raw: dict[str, Any], parse_value: Parse, parse_any: Parse | None = None) -> Any:
    """`{value: V, <status>: ...}` as V (parsed by `parse_value`) carrying its provenance.
    `{value: V}` alone is V with no provenance of its own. A derivation's inputs are any
    numbers (`parse_any`; by default `parse_value`): a count of children derives a rate."""
    unknown = sorted(map(str, raw.keys() - _FIGURE_KEYS))
    if unknown:
        raise _error(
            f"unknown key {unknown[0]!r} beside value; a value takes one of "
            f"{', '.join(STATUSES)} to say where it came from",
            unknown[0],
        )
    given = [s for s in STATUSES if s in raw]
    if len(given) > 1:
        raise _error(f"give one of {', '.join(given)}, not several", given[1])
    try:
        value = parse_value(raw["value"])
        if not isinstance(value, int | float) and not hasattr(value, "central"):
            raise _error("a value given with its provenance must be a number or a distribution")
    except PydanticCustomError as exc:
        ctx = exc.context or {}
        sub = f"value.{ctx['subkey']}" if ctx.get("subkey") else "value"
        raise _error(exc.message(), sub, ctx.get("value", raw["value"])) from None
    if not given:
        return value
    status = given[0]
    reader = {CITED: _cited, DERIVED: _derived, ASSUMED: _assumed, EDITED: _edited}[status]
    parse = (parse_any or parse_value) if status == DERIVED else parse_value
    provenance = reader(raw[status], status, parse)
    if status == DERIVED:
        check_derivation(float(getattr(value, "central", value)), provenance, status)
    return attach(value, provenance)


def _cited(raw: Any, where: str, _: Parse) -> Provenance:
    body = _keys(raw, where, {"source"}, {"source", "also", "at", "quote", "note"})
    also = body.get("also") or []
    if not isinstance(also, list):
        raise _error("expected a list of evidence ids", f"{where}.also", also)
    sources = (_text(body["source"], f"{where}.source"),)
    sources += tuple(_text(s, f"{where}.also[{j}]") for j, s in enumerate(also))
    at = _text(body["at"], f"{where}.at") if "at" in body else None
    quote = _text(body["quote"], f"{where}.quote") if "quote" in body else None
    note = _text(body["note"], f"{where}.note") if "note" in body else None
    return Provenance(CITED, sources, at, quote, note=note)


def _assumed(raw: Any, where: str, _: Parse) -> Provenance:
    if isinstance(raw, str):
        return Provenance(ASSUMED, why=_text(raw, where))
    body = _keys(raw, where, {"why"}, {"by", "why", "note"})
    by = _text(body["by"], f"{where}.by") if "by" in body else None
    note = _text(body["note"], f"{where}.note") if "note" in body else None
    return Provenance(ASSUMED, by=by, why=_text(body["why"], f"{where}.why"), note=note)


def _sub(raw: Any, where: str, parse_value: Parse) -> Any:
    """A figure inside a provenance (`from` inputs, `was`): any number, with its own provenance."""
    try:
        return parse_figure(raw, parse_value) if is_figure_form(raw) else parse_value(raw)
    except PydanticCustomError as exc:
        ctx = exc.context or {}
        sub = f"{where}.{ctx['subkey']}" if ctx.get("subkey") else where
        raise _error(exc.message(), sub, ctx.get("value", raw)) from None


def _derived(raw: Any, where: str, parse_value: Parse) -> Provenance:
    body = _keys(raw, where, {"formula", "from"}, {"formula", "from", "note"})
    formula = _text(body["formula"], f"{where}.formula")
    inputs = body["from"]
    if not isinstance(inputs, dict) or not inputs:
        raise _error("expected a mapping of the formula's names to values", f"{where}.from")
    parsed = tuple(
        (str(name), _sub(v, f"{where}.from.{name}", parse_value)) for name, v in inputs.items()
    )
    note = _text(body["note"], f"{where}.note") if "note" in body else None
    provenance = Provenance(DERIVED, formula=formula, inputs=parsed, note=note)
    try:
        formula_value(provenance)
    except ValueError as exc:
        raise _error(str(exc), f"{where}.formula", formula) from None
    return provenance


def _edited(raw: Any, where: str, parse_value: Parse) -> Provenance:
    body = _keys(raw, where, {"by", "was"}, {"by", "was", "file", "note"})
    by = _text(body["by"], f"{where}.by")
    note = _text(body["note"], f"{where}.note") if "note" in body else None
    file = _text(body["file"], f"{where}.file") if "file" in body else None
    was = _sub(body["was"], f"{where}.was", parse_value)
    return Provenance(EDITED, by=by, why=note, was=was, file=file)


# ---------------------------------------------------------------------------------------------
# Derivations: a small, safe arithmetic
# ---------------------------------------------------------------------------------------------

_OPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def evaluate_formula(formula: str, names: Mapping[str, float]) -> float:
    """`formula` (numbers, names, + - * / and brackets) at `names`; ValueError otherwise."""
    tree = _formula_tree(formula)

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in names:
                raise ValueError(f"names {node.id!r}, which is not in from ({', '.join(names)})")
            return float(names[node.id])
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Div) and right == 0:
                raise ValueError("divides by zero")
            return _OPS[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            x = walk(node.operand)
            return -x if isinstance(node.op, ast.USub) else x
        raise ValueError("takes only numbers, names, + - * / and brackets")

    result = walk(tree)
    if not math.isfinite(result):
        raise ValueError("gives a number too large to compute with")
    return result


@lru_cache(maxsize=4096)
def _formula_tree(formula: str) -> ast.Expression:
    """A formula's syntax tree, within the limits on its length and terms; ValueError otherwise.
    Kept by its text: a portfolio's interventions derive their figures with the same few
    formulas, which are read once, not once a figure (the tree is only read, never changed)."""
    if len(formula) > MAX_FORMULA_CHARS:
        raise ValueError(f"a formula is at most {MAX_FORMULA_CHARS} characters")
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError:
        raise ValueError("is not arithmetic (numbers, names, + - * / and brackets)") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_FORMULA_NODES:
        raise ValueError(f"a formula has at most {MAX_FORMULA_NODES} terms")
    return tree


def formula_value(provenance: Provenance) -> float:
    """What a derivation's formula gives from its inputs' (central) values."""
    names = {k: float(getattr(v, "central", v)) for k, v in provenance.inputs}
    return evaluate_formula(provenance.formula or "", names)


def written_decimals(x: float) -> int:
    """Decimal places a number was written to, read from its shortest form (42073 -> 0)."""
    text = repr(float(x))
    if "e" in text or "E" in text:
        mantissa, exponent = text.lower().split("e")
        places = len(mantissa.split(".")[1].rstrip("0")) if "." in mantissa else 0
        return max(0, places - int(exponent))
    whole, _, frac = text.partition(".")
    return len(frac.rstrip("0"))


def reproduces(value: float, result: float) -> bool:
    """Whether a formula's result, rounded as the value is written, is the value: 35 x 1,072 /
    0.53 = 70,792.4528... reproduces 70,792.45 and 70,792, not 70,800.00 (written 70800)."""
    tolerance = 0.5 * 10.0 ** -written_decimals(value)
    return abs(value - result) <= tolerance * (1 + 1e-9)


def check_derivation(value: float, provenance: Provenance, where: str) -> None:
    """Refuse a derived value its formula does not give (`where`: the key to blame)."""
    result = formula_value(provenance)
    if not reproduces(value, result):
        raise _error(
            f"the formula {provenance.formula} gives {result:,.6g}, not the value {value:,.6g}",
            f"{where}.formula",
            provenance.formula,
        )


# ---------------------------------------------------------------------------------------------
# Edits
# ---------------------------------------------------------------------------------------------


def edited_data(
    new: Any, was: Any, by: str, file: str | None = None, note: str | None = None
) -> Any:
    """File data for `new` (plain file data) replacing `was` (a value carrying its provenance, as
    resolved), edited in `by` (the app, a workbook import) from `file`: `{value: new, edited:
    {by, file, was}}`. Editing an edit made the same way keeps the first value replaced; setting
    a value back to it gives the earlier figure back whole."""
    before = provenance_of(was)
    if before is not None and before.status == EDITED and before.by == by:
        was = before.was
    if _plain(was) == new:
        return figure_data(was)
    body: dict[str, Any] = {"by": by, "was": figure_data(was)}
    if file:
        body["file"] = file
    if note:
        body["note"] = note
    return {"value": new, EDITED: body}


def sources_of(provenance: Provenance | None) -> list[str]:
    """Every evidence id a provenance rests on: its citation's, its derivation's inputs', and
    the provenance an edit replaced."""
    if provenance is None:
        return []
    out = list(provenance.sources)
    for _, value in provenance.inputs:
        out += sources_of(provenance_of(value))
    out += sources_of(provenance.was_provenance)
    return list(dict.fromkeys(out))

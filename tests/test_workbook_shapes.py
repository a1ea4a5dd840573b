"""A line's formula text made from a template of its operands' shape (`appraise.workbook.shapes`,
issue 27) is the text its definition gives through `ExcelOps` for every cell: in whole workbooks
of the examples, and for any operands (awkward texts, quotes, braces, "!", placeholder
characters, empty parts). Two planted differences, a shape that leaves out what an operation
tests, are shown to be caught."""

from __future__ import annotations

import random
from typing import Any

import pytest

from appraise.engine.lines import Line
from appraise.engine.ops import Ref, Span, X
from appraise.model.load import load_portfolio
from appraise.workbook import shapes
from appraise.workbook.export import layout
from appraise.workbook.shapes import Shapes, _general, _Given, _Reading
from tests.conftest import EXAMPLES, THURROCK

# Parts of references a spreadsheet never sees, but that must come through a template unchanged.
AWKWARD = (
    "!",
    "'a b'!",
    '"',
    '""',
    "{",
    "}",
    "{0}",
    "\ue000",
    "\ue001!",
    "\x00",
    "\x07",
    "&<>",
    "$A$1",
)
AWKWARD += ("=SUM(A1)", "+1", "@x", "_x0041_", "x" * 300)


def _general_text(self: Shapes, line: Line, resolve: Any) -> str:
    return _general(line, _Reading(resolve))


def _cells(examples: list[str]) -> list[Any]:
    """Every sheet's cells and lines of years, laid out, for each example."""
    out = []
    for name in examples:
        portfolio = load_portfolio(EXAMPLES / name)
        _, sheets = layout(portfolio, materialised=True)
        out.append([(s.title, s.cells.items()) for s in sheets])
    return out


@pytest.mark.parametrize(
    "examples",
    [
        [
            "thurrock-2017.yaml",
            "thurrock-2017-uprated.yaml",
            "family-group-conferences.yaml",
            "step-down.yaml",
        ],
        ["edge-of-care-options.yaml", "essex-mst-sib.yaml", "pause-cash-flow.yaml"],
    ],
)
def test_every_formula_of_the_examples_is_the_general_paths(examples, monkeypatch):
    made = []
    real = shapes._made
    monkeypatch.setattr(shapes, "_made", lambda *a: made.append(real(*a)) or made[-1])
    quick = _cells(examples)
    assert made and all(form is not None for form in made)  # the templates were used
    monkeypatch.setattr(Shapes, "text", _general_text)
    assert quick == _cells(examples)


def _recorded() -> list[tuple[Line, dict[str, X]]]:
    """Each line's operands in the first cell it was written to, in the Thurrock workbook."""
    seen: dict[int, tuple[Line, dict[str, X]]] = {}

    def record(self: Shapes, line: Line, resolve: Any) -> str:
        reading = _Reading(resolve)
        text = _general(line, reading)
        seen.setdefault(id(line), (line, {name: resolve(name) for name in reading._read}))
        return text

    original = Shapes.text
    Shapes.text = record  # type: ignore[method-assign]
    try:
        layout(load_portfolio(THURROCK), materialised=False)
    finally:
        Shapes.text = original  # type: ignore[method-assign]
    return list(seen.values())


RECORDED = _recorded()


def _part(rng: random.Random, given: Any, bang: bool = False, keep: float = 0.8) -> Any:
    """Another part in place of `given`: empty or not as it was (with chance `keep`), any text,
    with a "!" if `bang`."""
    if isinstance(given, int) and not isinstance(given, bool):
        return given + 7 if rng.random() < keep else rng.choice((0, rng.randrange(1, 99_999)))
    if bool(given) != (rng.random() < keep):
        return ""
    text = "".join(
        rng.choice(AWKWARD + ("D", "12", "Cash flows")) for _ in range(rng.randint(1, 3))
    )
    return text + "!" + text.replace("!", "") if bang else text.replace("!", "") or "x"


def _variant(rng: random.Random, operands: dict[str, X]) -> dict[str, X]:
    """The operands with other parts, of the same kinds (text value or not kept): half the time
    every part empty or not, and with a "!" or not, as it was."""
    same = rng.random() < 0.5
    keep = 1.0 if same else 0.8
    out: dict[str, X] = {}
    for name, x in operands.items():
        bang = "!" in x.text if same else rng.random() < 0.3
        if isinstance(x, Ref):
            out[name] = Ref(
                _part(rng, x.text, bang, keep) or "x",  # a reference is never empty
                x.text_value,
                *(_part(rng, v, keep=keep) for v in (x.sheet, x.row, x.first, x.last, x.end)),
            )
        else:
            assert isinstance(x, Span)
            prefix = x.prefix if rng.random() < 0.7 else _part(rng, "p")
            out[name] = Span(_part(rng, x.text, bang, keep), _part(rng, x.keys, keep=keep), prefix)
    return out


def _differences(variants: int = 25, seed: int = 27) -> list[tuple[str, str, str]]:
    """(line, template's text, general text) wherever they differ, over `variants` sets of
    operands for each recorded line, each set written through one `Shapes` in turn."""
    rng = random.Random(seed)
    wrong = []
    for line, operands in RECORDED:
        made = Shapes()
        for k in range(variants + 2):
            given = operands if k < 2 else _variant(rng, operands)  # 0: names, 1: template
            try:
                expected = _general(line, _Given(given))
            except (TypeError, ValueError):  # a part an operation cannot take as given
                continue
            got = made.text(line, given.__getitem__)
            if got != expected:
                wrong.append((line.key, got, expected))
    return wrong


def test_recorded_lines_cover_every_kind_of_operand():
    kinds = {
        (x.__class__, bool(getattr(x, "first", ""))) for _, ops in RECORDED for x in ops.values()
    }
    assert kinds >= {(Ref, False), (Ref, True), (Span, False)}
    assert len(RECORDED) > 100
    assert any(x.prefix for _, ops in RECORDED for x in ops.values() if isinstance(x, Span))


def test_a_template_gives_the_general_text_for_any_operands_of_its_shape():
    assert _differences() == []


def _leave_out(index: int, kind: type) -> Any:
    real = shapes.shape_of

    def planted(operands: list[X]) -> Any:
        found = real(operands)
        if found is None:
            return None
        shape, parts = found
        return tuple(
            s[:index] + (None,) + s[index + 1 :] if s[0] is kind else s for s in shape
        ), parts

    return planted


def test_the_comparison_catches_a_shape_without_whether_a_row_has_years(monkeypatch):
    # Planted: whether a reference has its years' first column (`discount` tests it) is left
    # out of the shape, so a single rate's template is taken for a schedule's.
    monkeypatch.setattr(shapes, "shape_of", _leave_out(6, Ref))
    assert _differences() != []


def test_the_comparison_catches_a_shape_without_a_tables_key_prefix(monkeypatch):
    # Planted: a table's key prefix (written as a quoted text by `lookup`) is left out of the
    # shape, so one table's prefix is written for another's.
    monkeypatch.setattr(shapes, "shape_of", _leave_out(4, Span))
    assert _differences() != []

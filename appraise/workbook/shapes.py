"""A line's formula text worked out once per shape of its operands, then filled in per cell.

A line's formula is the same for every intervention but for the references it reads: a row of
Calculations holds one line's formula in every intervention's column, a block of Cash flows the
same lines for each intervention. Running the line's definition through `ExcelOps` for each cell
took half of the time of every formula text (issue 27). So `Shapes` runs it once per line and
*shape* of its operands (their kinds, and every property of them the operations test or
transform), with a placeholder standing for each part of an operand that is only written into the
text (its reference, sheet, row, columns). Each cell's text is then that template with its own
operands' parts put in the placeholders' places.

What makes that the same text: `ExcelOps` writes an operand's parts into the text as they are,
but for a few it tests or transforms, which are part of the shape and never placeholders:

- whether a part is empty (`Span.text` in a sum, `Ref.first` in `discount`, `Ref.end` in `span`);
- the text after its last "!" (`cumsum_years`): the placeholder has a "!" where the text has;
- a table's key prefix, written as a quoted text (`lookup`).

Each template is also checked against the general path once, on the cell that made it, and a
shape whose template does not give that cell's text (or reads other operands) is always worked
out the general way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from appraise.engine.lines import Line
from appraise.engine.ops import ExcelOps, Ref, Span, X

_PLACEHOLDER = 0xE000  # Unicode's private use area: no line's or operation's own text holds one
_PARTS = 7  # placeholders an operand may have (a `Ref`'s; a `Span` uses three)
_MOST = (0xF8FF - _PLACEHOLDER) // _PARTS  # operands a line may read to have a template


class _Reading:
    """A line's operands for the general path, each resolved as it is read, and recorded.

    An operand is read as an attribute (`n.reach`). It is looked up in `__getattribute__`, not
    `__getattr__`: Python calls `__getattr__` only after the ordinary lookup has failed and made
    its AttributeError, which took ten times the lookup itself (59,000 operands at 200
    interventions x 5 years, issue 27). So a name starting with "_" is its own (its slots,
    Python's `__class__` ...); no line's key starts with "_" (`Line` keys are names)."""

    __slots__ = ("_resolve", "_read")

    def __init__(self, resolve: Callable[[str], X]):
        self._resolve, self._read = resolve, []

    def __getattribute__(self, name: str) -> Any:
        if name[:1] == "_":
            return object.__getattribute__(self, name)
        object.__getattribute__(self, "_read").append(name)
        return object.__getattribute__(self, "_resolve")(name)


class _Given:
    """Operands given by name (the placeholders of a template, or a cell's own), recorded as
    read (looked up as `_Reading` looks them up)."""

    __slots__ = ("_given", "_read")

    def __init__(self, given: dict[str, X]):
        self._given, self._read = given, []

    def __getattribute__(self, name: str) -> Any:
        if name[:1] == "_":
            return object.__getattribute__(self, name)
        object.__getattribute__(self, "_read").append(name)
        return object.__getattribute__(self, "_given")[name]


UNSEEN = object()  # `Shapes.by_shape`: a shape with no template made yet, nor refused


class _Line:
    """What is known of one line: the operands it reads, and a template by shape (None: a
    shape worked out the general way)."""

    __slots__ = ("line", "names", "forms")

    def __init__(self, line: Line, names: tuple[str, ...]):
        self.line, self.names = line, names
        self.forms: dict[tuple[Any, ...], str | None] = {}


def shape_of(operands: list[X]) -> tuple[tuple[Any, ...], list[Any]] | None:
    """The operands' shape (what the operations may test or transform) and the parts each
    placeholder stands for (`_PARTS` an operand); None for an operand of another kind."""
    shape: list[Any] = []
    parts: list[Any] = []
    for x in operands:
        kind = x.__class__
        head, bang, tail = x.text.rpartition("!")
        if kind is Ref:
            shape.append(
                (
                    Ref,
                    x.text_value,
                    bang,
                    bool(tail),
                    bool(x.sheet),
                    bool(x.row),  # type: ignore[attr-defined]
                    bool(x.first),  # type: ignore[attr-defined]
                    bool(x.last),  # type: ignore[attr-defined]
                    bool(x.end),  # type: ignore[attr-defined]
                )
            )
            parts += (head, tail, x.sheet, x.row, x.first, x.last, x.end)  # type: ignore[attr-defined]
        elif kind is Span:
            shape.append((Span, bang, bool(tail), bool(x.keys), x.prefix))  # type: ignore[attr-defined]
            parts += (head, tail, x.keys, None, None, None, None)  # type: ignore[attr-defined]
        else:
            return None
    return tuple(shape), parts


def _placeholders(operands: list[X]) -> list[X]:
    """Operands of the same shape whose written parts are placeholders (`_shape`'s order)."""
    made: list[X] = []
    for j, x in enumerate(operands):
        mark = [chr(_PLACEHOLDER + _PARTS * j + k) for k in range(_PARTS)]
        head, bang, tail = x.text.rpartition("!")
        text = (mark[0] + bang if bang else "") + (mark[1] if tail else "")
        if x.__class__ is Ref:
            made.append(
                Ref(
                    text,
                    x.text_value,
                    *(
                        mark[k] if value else value
                        for k, value in enumerate(
                            (x.sheet, x.row, x.first, x.last, x.end),  # type: ignore[attr-defined]
                            start=2,
                        )
                    ),
                )
            )
        else:
            made.append(Span(text, mark[2] if x.keys else "", x.prefix))  # type: ignore[attr-defined]
    return made


def _template(text: str) -> str:
    """A template's text as a `str.format` string, each placeholder its part's field."""
    text = text.replace("{", "{{").replace("}", "}}")
    return "".join(
        f"{{{ord(c) - _PLACEHOLDER}}}" if _PLACEHOLDER <= ord(c) <= 0xF8FF else c for c in text
    )


class Shapes:
    """Formula texts of lines, each line's definition run once per shape of its operands."""

    def __init__(self) -> None:
        self._lines: dict[int, _Line] = {}

    def text(self, line: Line, resolve: Callable[[str], X]) -> str:
        """The formula text of `line` whose operand `name` is `resolve(name)`: the text the
        line's definition gives through `ExcelOps`."""
        known = self._lines.get(id(line))
        if known is None or known.line is not line:
            reading = _Reading(resolve)
            text = _general(line, reading)
            self._lines[id(line)] = _Line(line, tuple(dict.fromkeys(reading._read)))
            return text
        try:
            operands = [resolve(name) for name in known.names]
        except KeyError:  # not this cell's operand: the general path reads what it does read
            return _general(line, _Reading(resolve))
        text = self._form(known, operands)
        return _general(line, _Reading(resolve)) if text is None else text

    def names(self, line: Line) -> tuple[str, ...] | None:
        """The operands `line` reads, in order, once `text` has worked out one of its cells."""
        known = self._lines.get(id(line))
        return known.names if known is not None and known.line is line else None

    def filled(self, line: Line, operands: list[X]) -> str | None:
        """`text` of a cell whose operands, `names(line)` in order, are `operands`, by the
        template of their shape; None where there is none (`text` works it out the general
        way)."""
        return self._form(self._lines[id(line)], operands)

    def by_shape(self, line: Line, shape: tuple[Any, ...], parts: list[Any]) -> str | None | Any:
        """`filled` of operands whose `shape_of` is (`shape`, `parts`), without them: UNSEEN
        where no cell of that shape has been filled yet (the template is made from operands)."""
        form = self._lines[id(line)].forms.get(shape, UNSEEN)
        return form if form is UNSEEN or form is None else form.format(*parts)

    def _form(self, known: _Line, operands: list[X]) -> str | None:
        found = shape_of(operands)
        if found is None:
            return None
        shape, parts = found
        form = known.forms.get(shape, "")
        if form == "":
            form = known.forms[shape] = _made(known, operands, parts)
        return None if form is None else form.format(*parts)


def _general(line: Line, names: Any) -> str:
    """The line's formula text, its definition run through `ExcelOps`."""
    assert line.formula is not None, f"{line.key} is an input: it has no formula"
    return str(line.formula(names, ExcelOps(line.infinite)))


def _made(known: _Line, operands: list[X], parts: list[Any]) -> str | None:
    """The template of the shape of `operands`, if it gives their cell the general path's text
    and reads the same operands (None otherwise, or for too many operands)."""
    if len(operands) > _MOST:
        return None
    given = _Given(dict(zip(known.names, operands, strict=True)))
    marked = _Given(dict(zip(known.names, _placeholders(operands), strict=True)))
    try:
        expected = _general(known.line, given)
        form = _template(_general(known.line, marked))
        same = form.format(*parts) == expected
    except (TypeError, ValueError, IndexError, KeyError):  # placeholders used otherwise
        return None
    reads = tuple(dict.fromkeys(given._read)), tuple(dict.fromkeys(marked._read))
    return form if same and reads == (known.names, known.names) else None

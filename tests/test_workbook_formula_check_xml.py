"""The Formula check written straight to XML (issue 27: 1.3 million checks at 1,000
interventions x 30 years): each line of years' check is made once, escaped, with a stand-in for
its column's letter. Its rows must be exactly those of the general way, each check's text
(`Checked.rows`, which check-xlsx and import read) escaped a cell at a time, and the sheet's
chunks exactly those of the same cells written one by one, whatever the labels, titles and
formulas hold: & < > and quotes, a letter's stand-in, descriptions long enough to be cut, text
that looks like a formula."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import appraise.workbook.formulas as formula_check
import appraise.workbook.writer as writer
from appraise.workbook.cellstore import Formula
from appraise.workbook.writer import QUOTED, Generated, Sheet
from appraise.workbook.yearline import COLUMN as Y

HEAD, TAIL = ' s="1" t="b"><f>', "</f><v>1</v></c>"
STYLES = ["text", "calc", "header", "note", "section", "user", "title"]


class _Book:
    """What `formula_check_sheet` reads of a `Book`."""

    def __init__(self, built: list[Sheet]):
        self.built, self.formula_checks = built, []

    def sheet(self, name: str, **settings: Any) -> Sheet:
        return Sheet(name, **settings)


def _checked_sheet(second_title: str) -> tuple[Sheet, list[Sheet]]:
    """A Formula check over two sheets with awkward labels and formulas."""
    first = Sheet("Calc 'Q' 1", print_rows="1:1")
    headers = ["Line", 'Head & <b> "q"', "=SUM(A1)", "_x0041_ \x01", "XFE col", "2026/27"]
    headers += ["2027/28", "2028/29", "2029/30", "Year " * 30, "Year & <y> " * 12, "2032/33"]
    for c, text in enumerate(headers, start=1):
        first.put(1, c, text, "header")
    first.put(2, 1, "Section & <s>: a user's name", "section")
    first.put(3, 1, 'Label & <x> "q" XFE', "text")
    first.put(3, 4, Formula('IF(B3>0,"a&b<c>","x""y")&C3', True), "calc")
    first.put(3, 5, Formula("B3<>C3", False), "calc")
    first.put(4, 1, "A long label " * 25, "text")
    first.put_years(4, 2, 9, f'IF({Y}3<>{Y}2,"<&>",{Y}2&"""q""")', [1.0] * 8, "calc")
    first.put(5, 1, "=a user's text", "user")
    first.put_years(5, 2, 9, f"XFE1+{Y}4", None, "calc")  # the stand-in itself: each alone
    first.put(6, 2, "short", "text")
    first.put_years(6, 6, 9, f"{Y}4*2", [2.0, 2.0], "calc")
    first.put(7, 3, "cut", "text")
    first.put_years(7, 10, 12, f"{Y}6&{Y}$1", None, "calc")  # long headers: cut descriptions
    first.put(8, 1, "Note & <n>", "note")
    for r in range(9, 40):
        first.put(r, 2, f"Row {r} <{r}>", "text")
        for c in (4, 5, 6):
            first.put(r, c, Formula(f"B{r}*2+'Other & sheet'!$A$1&\"<{c}>\"", r * 1.5), "calc")
    second = Sheet(second_title)
    second.put(1, 1, "Title", "title")
    for r in range(2, 20):
        second.put(r, 1, f"Line {r} & co", "text")
        second.put_years(r, 2, 8, f'{Y}{r - 1}+Inputs!$B$2&"&"', None, "calc")
    book = _Book([first, second])
    sheet = formula_check.formula_check_sheet(book)  # type: ignore[arg-type]
    assert sheet is not None
    return sheet, [first, second]


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Columns of the Formula check 38 rows long, XML made 5 cells at a time."""
    monkeypatch.setattr(formula_check, "EXCEL_ROWS", 40)
    monkeypatch.setattr(formula_check, "BATCH", 5)


def _rows(batches: Any) -> list[tuple[int, str]]:
    return [(width, row) for width, rows in batches for row in rows]


@pytest.mark.parametrize("second", ["Lines", "P&L <x>"])
def test_the_formula_checks_xml_is_the_general_ways(small, second):
    """A title XML leaves alone makes its checks straight as XML; one it escapes ("P&L <x>")
    goes the general way."""
    sheet, _ = _checked_sheet(second)
    checked = sheet.generated
    assert isinstance(checked, formula_check.Checked) and checked.max_col >= 4
    assert checked.count % checked.per_column  # the last column ends before the others
    fast = _rows(checked.xml_rows(HEAD, TAIL))
    general = _rows(Generated.xml_rows(checked, HEAD, TAIL))
    assert fast == general
    assert len(fast) == checked.per_column and sum(w for w, _ in fast) == checked.count
    xml = "".join(row for _, row in fast)
    for awkward in ("&amp;", "&lt;&amp;&gt;", '""q""', "XFE1+", "Year Year", "&lt;&gt;"):
        assert awkward in xml, awkward
    assert "=a user" not in xml and "Section &amp;" not in xml  # the user's text: never


def _style_ids() -> dict[str, int]:
    return {name: k for k, name in enumerate(s + q for s in STYLES for q in ("", QUOTED))}


@pytest.mark.parametrize("chunk", [7, 40, 101])
def test_the_formula_checks_chunks_are_those_of_its_cells_written_one_by_one(
    small, monkeypatch, chunk
):
    """`_generated_rows` counts each row as the parts it would be a cell at a time, so the
    chunks (and so the compressed bytes) are those of the same cells held in the sheet."""
    monkeypatch.setattr(writer, "CHUNK", chunk)
    generated, _ = _checked_sheet("Lines")
    held, _ = _checked_sheet("Lines")
    held.materialise()
    assert generated.generated is not None and held.generated is None
    ids, width = _style_ids(), generated.max_col
    assert held.max_col == width and held.max_row == generated.max_row
    chunks = list(writer._sheet_data(generated, ids, {}, width))
    assert chunks == list(writer._sheet_data(held, ids, {}, width)) and len(chunks) > 2


# -- formulas qualified at once (`qualify_many`) ------------------------------------------------

# Formulas as the builders write them, and ones built to trip a joined regex: quotes that run on
# past a formula's end, references at a formula's edges, the separators themselves.
AWKWARD_FORMULAS = [
    "A1+B2",
    "$A$1:$C$3*Inputs!$B$2",
    'IF(AN26=0,IF(AN70=0,0,IF(AN70>0,"infinite (no cost)","-infinite")),AN70/AN26)',
    'IF(B3>0,"a&b<c>","x""y")&C3',
    '"open quote A1',
    'B2&"',
    '"A1"B2"C3"',
    '""""&D4',
    "LOG10(A1)+SUM(A1:B2)+Z9.5+_A1+A1_+'x'!A1+x!A1",
    "XFE1+XFE2",
    "A1\x00B2",
    "A1\x01B2",
    "",
    "AAAA1+AAA1+ZZZ9999999",
]
_FORMULA_CHARACTERS = st.sampled_from(list("AZBX$19:0!\"'().,_ab+-&<>") + ["\x00", "\x01"])


@pytest.mark.parametrize("prefix", ["Calc!", "'Cash flows'!", "'a\\1'!", "'x\x00'!", ""])
@pytest.mark.parametrize("escaped", [False, True])
def test_formulas_qualified_at_once_are_each_qualified_alone(prefix, escaped):
    title = "Calc"
    expected = [formula_check.qualify(f, title, prefix) for f in AWKWARD_FORMULAS]
    if escaped:
        expected = [formula_check._escaped(text) for text in expected]
    got = formula_check.qualify_many(AWKWARD_FORMULAS, title, prefix, escaped=escaped)
    assert got == expected
    # each awkward formula also among builders' ones, so that it is joined with them
    for awkward in AWKWARD_FORMULAS:
        formulas = ["A1+B2", awkward, 'IF(C3="x",D4,"y")', "$E$5"]
        alone = [formula_check.qualify(f, title, prefix) for f in formulas]
        assert formula_check.qualify_many(formulas, title, prefix) == alone


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet=_FORMULA_CHARACTERS, max_size=30), max_size=8))
def test_any_formulas_qualified_at_once_are_each_qualified_alone(formulas):
    alone = [formula_check.qualify(f, "Calc Q", "'Calc Q'!") for f in formulas]
    assert formula_check.qualify_many(formulas, "Calc Q", "'Calc Q'!") == alone


def test_the_comparison_catches_a_quote_running_past_its_formula(monkeypatch):
    # Planted: the joined quoted texts are trusted to end within their formulas.
    original = formula_check._QUOTED

    class _Trusting:
        def split(self, text: str) -> list[str]:
            return [part.replace("\x00", "\x02") for part in original.split(text)]

    monkeypatch.setattr(formula_check, "_QUOTED", _Trusting())
    formulas = ['"open quote A1', 'B2&"', "C3"]
    alone = [formula_check.qualify(f, "Calc", "Calc!") for f in formulas]
    assert formula_check.qualify_many(formulas, "Calc", "Calc!") != alone


def test_the_comparison_catches_a_point_inside_a_reference(monkeypatch):
    # Planted: the character before a reference may be `$`, so a prefix goes in after an
    # anchor too.
    monkeypatch.setattr(
        formula_check,
        "_BEFORE_LOCAL",
        re.compile(formula_check._BEFORE_LOCAL.pattern.replace("!'$.:", "!'.:", 1)),
    )
    formulas = ["$A$1+B2", "C3"]
    alone = [formula_check.qualify(f, "Calc", "Calc!") for f in formulas]
    assert formula_check.qualify_many(formulas, "Calc", "Calc!") != alone


# -- a sheet's labels read from the cells that can say anything (`_texts_quick`) ----------------


def _labelled_sheets() -> list[Sheet]:
    """The awkward sheets, with labels, sections, notes and user's text out of order too."""
    _, sheets = _checked_sheet("Lines")
    for sheet in sheets:
        for r in range(40, 90):  # out of order: the positions come through an index
            style = ["text", "section", "note", "user", "title"][r % 5]
            sheet.put(r, 1 + r % 5, f"Label {r}: of {r % 3} (x)", style)
            if r % 4 == 0:
                sheet.put(r, 2, "" if r % 8 else f"Second {r}", "text")
                sheet.put(r, 3, Formula(f"A{r}", 1.0), "calc")
        sheet.put(1, 13, "Late header", "header")
        sheet.put(1, 14, "Out of order", "text")
        sheet.put(1, 12, "Out of order too", "header")
        assert sheet.cells._at is not None  # positions no longer in row order
    return sheets


@pytest.mark.parametrize("placed", [None, 30, 90])
def test_labels_read_from_the_cells_that_can_say_anything_are_those_read_from_every_cell(placed):
    for sheet in [*_labelled_sheets(), _rows_of_formulas()]:
        for header_rows in ("1:1", "1:3", None):
            sheet.print_rows = header_rows
            expected = formula_check._texts(sheet, placed)
            assert formula_check._texts_quick(sheet, placed) == expected


def test_the_label_comparison_catches_a_header_row_left_out(monkeypatch):
    # Planted: header rows are forgotten, so a header past column 3 is never read.
    first = _labelled_sheets()[0]
    readable = formula_check._readable
    monkeypatch.setattr(formula_check, "_readable", lambda c, p, rows: readable(c, p, set()))
    assert formula_check._texts_quick(first) != formula_check._texts(first)


@pytest.mark.parametrize("group", [1, 3, 1024])
def test_the_formula_checks_xml_in_one_column_is_the_general_ways(monkeypatch, group):
    """Every sheet's checks wanted: its places listed at once, GROUP of them at a time."""
    monkeypatch.setattr(formula_check, "GROUP", group)
    sheet, _ = _checked_sheet("Lines")
    checked = sheet.generated
    assert isinstance(checked, formula_check.Checked) and checked.max_col == 1
    fast = _rows(checked.xml_rows(HEAD, TAIL))
    assert fast == _rows(Generated.xml_rows(checked, HEAD, TAIL))


# -- a row's formula cells qualified once (`_againsts`) -----------------------------------------

_COLUMNS = [1, 2, 3, 14, 26, 27, 40, 52, 703, 16383]
# A row's formula with {L} for the cell's own column letter, in the awkward places.
ROW_SHAPES = [
    "{L}26-{L}70",
    'IF({L}26=0,IF({L}70=0,0,IF({L}70>0,"{L}1 infinite","-inf")),{L}70/{L}26)',
    "SUM(${L}$5:${L}$9)*$D$2+Inputs!$B$7+{L}5:{L}6",
    '{L}1&"{L}2"&A{L}3&{L}A4&${L}5&{L}$6&{L}7(',
    "LOG10({L}1)+{L}1.5+_{L}1+{L}1_+{L}1!+x!{L}1+'a'!{L}1",
    "XFE1+{L}2",
    "A1+B2",
    '"{L}1',
]


def _row_of(shape: str, columns: list[int], odd: dict[int, str]) -> Any:
    """A context and the places of one row's formula cells: `shape` in each column, but `odd`."""
    letters = [""] + [writer.get_column_letter(c) for c in range(1, max(columns) + 1)]
    held = [(odd.get(c, shape.replace("{L}", letters[c])), 1.0) for c in columns]
    context = SimpleNamespace(held=held, letters=letters, title="Calc Q", prefix="'Calc Q'!")
    places = [(7, c, p, None, 0, 1) for p, c in enumerate(columns)]
    return context, places


def _qualified(places: Any, context: Any) -> list[str]:
    """`_againsts`' formulas, each cell's letter put in."""
    againsts, shaped = formula_check._againsts(places, context)
    return [
        formula_check._again(again, stand_in, context.letters[place[1]])
        for place, again, stand_in in zip(places, againsts, shaped, strict=True)
    ]


def _each_alone(context: Any) -> list[str]:
    return [
        formula_check._escaped(formula_check.qualify(text, context.title, context.prefix))
        for text, _ in context.held
    ]


@pytest.mark.parametrize("shape", ROW_SHAPES)
def test_a_rows_formulas_qualified_once_are_each_qualified_alone(shape):
    context, places = _row_of(shape, _COLUMNS, {27: "AA1+A1", 40: shape.replace("{L}", "A")})
    assert _qualified(places, context) == _each_alone(context)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["{L}", "A", "B", "AN", "$", "1", "26", ":", "+", '"', "(", "!", "_", "."]),
        max_size=14,
    ),
    st.lists(st.sampled_from(_COLUMNS), min_size=1, max_size=6, unique=True).map(sorted),
)
def test_any_rows_formulas_qualified_once_are_each_qualified_alone(pieces, columns):
    context, places = _row_of("".join(pieces), columns, {})
    assert _qualified(places, context) == _each_alone(context)


def test_the_row_comparison_catches_a_letter_swapped_inside_another_column(monkeypatch):
    # Planted: the stand-in put for the letter wherever it is found, so that column A's "A"
    # in "AN26" makes "XFEN26", no reference at all.
    monkeypatch.setattr(
        formula_check,
        "_stand_in",
        lambda formula, letter, prefix: formula.replace(letter, formula_check._LETTER),
    )
    context, places = _row_of("{L}1+AN26", [1, 2], {})
    assert _qualified(places, context) != _each_alone(context)


def test_a_sheets_places_are_its_formulas_with_their_checks_columns():
    sheet, _ = _checked_sheet("Lines")
    checked = sheet.generated
    assert isinstance(checked, formula_check.Checked) and len(checked.sources) == 2
    for source in checked.sources:
        places = source.places()
        assert [place[:4] for place in places] == source.formulas()
        assert [(lo, hi) for *_, line, lo, hi in places] == [
            (0, 1 if line is None else len(line)) for *_, line, _, _ in places
        ]


def _rows_of_formulas() -> Sheet:
    """Rows of one formula with each cell's column letter (a line laid out across
    interventions), some cells apart, a line of years among them, labels to cut or holding
    the stand-in."""
    sheet = Sheet("Across", print_rows="1:1")
    for c in range(2, 14):
        sheet.put(1, c, f"Intervention {c} & <co>" + " long" * (c % 3) * 6, "header")
    labels = ["Plain", "Holds XFE here", "A long label " * 9, 'Quote " & <x>', "=user", "Line"]
    for r in range(2, 20):
        sheet.put(r, 1, labels[r % len(labels)], "user" if r % 6 == 4 else "text")
        for c in range(2, 14):
            if r % 5 == 3 and 7 <= c <= 9:
                continue  # a line of years here, put below
            letter = writer.get_column_letter(c)
            text = f'{letter}{r - 1}*2+${letter}$1-IF({letter}1>0,"{letter}1",Inputs!$B$2)'
            if (r + c) % 7 == 0:
                text = f"A{r}+{text}"  # not the row's formula
            sheet.put(r, c, Formula(text, 1.0), "calc")
        if r % 5 == 3:
            sheet.put_years(r, 7, 9, f"{Y}{r - 1}+1", [1.0] * 3, "calc")
    return sheet


@pytest.mark.parametrize("group", [1, 5, 1024])
@pytest.mark.parametrize("rows", [40, formula_check.EXCEL_ROWS])
def test_rows_of_one_formula_are_checked_as_each_cell_alone(monkeypatch, group, rows):
    """A row's formula cells' checks made from one (`_shaped_cells`) are the general way's."""
    monkeypatch.setattr(formula_check, "GROUP", group)
    monkeypatch.setattr(formula_check, "EXCEL_ROWS", rows)
    monkeypatch.setattr(formula_check, "BATCH", 7)
    book = _Book([_rows_of_formulas()])
    sheet = formula_check.formula_check_sheet(book)  # type: ignore[arg-type]
    assert sheet is not None
    checked = sheet.generated
    assert isinstance(checked, formula_check.Checked)
    assert (checked.max_col > 1) == (rows == 40)
    fast = _rows(checked.xml_rows(HEAD, TAIL))
    assert fast == _rows(Generated.xml_rows(checked, HEAD, TAIL))
    xml = "".join(row for _, row in fast)
    assert "Holds XFE here" in xml and "Quote  &amp;" not in xml  # the stand-in in a label

"""Writing a Word document with Word's own styles: headings, captions, tables, figures, footer.

Only named styles are used (Title, Heading 1-3, Caption, List Bullet, Table Grid, and two the
paper adds where missing: "Table Text" and "Table Heading"), never direct formatting of a run, so
a council's house template restyles the whole paper. Text reaches the document only through
python-docx's text runs, which escape it: text from a user's file is never parsed as XML.
"""

from __future__ import annotations

import copy
import io
import math
import re
from collections.abc import Sequence

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row
from docx.shared import Cm, Length, Pt
from docx.styles.style import BaseStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from appraise.model.identity import RunIdentity
from appraise.paper.template import Template, apply_template
from appraise.paper.text import clean

A4 = (Cm(21.0), Cm(29.7))
MARGIN = Cm(2.0)
FIGURE_WIDTH = Cm(16.0)
TABLE_TEXT, TABLE_HEADING = "Table Text", "Table Heading"
# A table too wide for its page at 8 pt is set in 7 pt rather than break its words.
SMALL_TEXT, SMALL_HEADING = "Table Text Small", "Table Heading Small"
SMALL = 7 / 8


def open_document(template: Template | None = None) -> WordDocument:
    """A new document: python-docx's own on A4, given the styles, page set-up and header and
    footer text of a council's template if there is one (`appraise.paper.template`: nothing
    else of the template's file reaches the paper)."""
    document = Document()
    if template is None:
        section = document.sections[0]
        section.page_width, section.page_height = A4
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, MARGIN)
        document.styles["Normal"].font.name = "Arial"
        document.styles["Normal"].font.size = Pt(10)
        document.styles["Footer"].font.size = Pt(7)
    else:
        apply_template(document, template)
    _ensure_styles(document)
    return document


def _has(document: WordDocument, name: str) -> bool:
    try:
        document.styles[name]
    except KeyError:
        return False
    return True


def _ensure_styles(document: WordDocument) -> None:
    """Add the styles the paper uses that a template lacks (a template's own are kept)."""
    styles = document.styles
    for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Caption"):
        if not _has(document, name):
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            style.font.bold = name != "Caption"
            style.font.italic = name == "Caption"
    for name in ("List Bullet", "Footer"):
        if not _has(document, name):
            styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH).base_style = styles["Normal"]
    if not _has(document, TABLE_TEXT):
        style = styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.size = Pt(8)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(0)
    if not _has(document, TABLE_HEADING):
        style = styles.add_style(TABLE_HEADING, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[TABLE_TEXT]
        style.font.bold = True
    if not _has(document, SMALL_TEXT):
        style = styles.add_style(SMALL_TEXT, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[TABLE_TEXT]
        style.font.size = Pt(7)
    if not _has(document, SMALL_HEADING):
        style = styles.add_style(SMALL_HEADING, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[SMALL_TEXT]
        style.font.bold = True


# Estimated width of a character of table text (8 pt) and a cell's margins and borders: generous,
# so that a number fits on one line even in DejaVu Sans, which LibreOffice uses for Arial where
# Arial is not installed.
CHAR = Cm(0.19)
CELL_PADDING = Cm(0.26)
CELL_MARGIN = 57  # twips each side (0.1 cm): Word's default is 108
WRAP_AT = 40  # characters: text longer than this is wrapped in a column


def column_widths(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Sequence[bool],
    total: Length,
    char: Length = CHAR,
) -> list[Length]:
    """Widths that keep every number on one line and share the rest among text columns.

    A right-aligned (number) column gets its longest unbroken value or header word; a text
    column at least its longest word, then room in proportion to its longer texts (up to
    WRAP_AT characters). Where the columns cannot all fit, text columns give way first.
    """

    def words(text: str) -> int:
        return longest_word(text)

    fixed, wants = [], []
    for c, header in enumerate(headers):
        cells = [str(row[c]) for row in rows]
        # Headers are bold: a quarter wider.
        shortest = max([math.ceil(words(header) * 1.25), *(words(t) for t in cells)])
        if right[c]:
            fixed.append(shortest)
            wants.append(0)
        else:
            fixed.append(shortest)
            wants.append(max([min(len(t), WRAP_AT) for t in cells] + [0]) - shortest)
    base = [char * n + CELL_PADDING for n in fixed]
    spare = total - sum(base)
    if spare < 0:
        # Every column shrinks alike, into the character to spare each word was given (and a
        # header's quarter): squeezing text columns alone breaks their words mid-word.
        return [Length(int(total * b / sum(base))) for b in base]
    extra = [max(w, 0) for w in wants]
    share = sum(extra)
    return [
        Length(int(b + (spare * e / share if share else spare / len(base))))
        for b, e in zip(base, extra, strict=True)
    ]


def longest_word(text: str) -> int:
    """Characters of the longest part of `text` a line may not break: a word, or the part of a
    hyphenated word up to its hyphen (a line may end there); one to spare, as wide letters
    (M, W, capitals) run past the average."""
    parts = [p for w in text.split() for p in re.split(r"(?<=-)", w)]
    return max((len(p) + 1 for p in parts if p), default=0)


def fits(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    right: Sequence[bool],
    total: Length,
    char: Length = CHAR,
) -> bool:
    """Whether every column gets its longest word (a number its whole value) within `total`:
    if not, the table needs a landscape page, or words would break mid-word."""
    needed = 0
    for c, header in enumerate(headers):
        cells = [str(row[c]) for row in rows]
        longest = max(
            [math.ceil(longest_word(header) * 1.25), *(longest_word(t) for t in cells), 0]
        )
        needed += char * longest + CELL_PADDING
    return needed <= total


def _narrow_margins(table: Table) -> None:
    """Cell margins of 0.1 cm left and right (constant XML: Word's tblCellMar)."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(CELL_MARGIN))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.insert_element_before(
        margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"
    )


class Writer:
    """Adds headings, text, tables and figures to a document, numbering tables and figures and
    ending every caption with the run's identity."""

    def __init__(self, document: WordDocument, identity: RunIdentity, draft: bool = False):
        self.document = document
        self.draft = draft
        self.identity = identity
        self.tables = 0
        self.figures = 0
        self.table_style = "Table Grid" if _has(document, "Table Grid") else None
        # Style ids of the table paragraphs, looked up once: python-docx looks a style name up
        # by scanning every style, which for a thousand cells is most of the paper's time.
        self.cell_styles = {
            small: {
                header: document.styles[
                    (SMALL_HEADING if header else SMALL_TEXT)
                    if small
                    else (TABLE_HEADING if header else TABLE_TEXT)
                ].style_id
                for header in (True, False)
            }
            for small in (True, False)
        }
        self.cell_style = self.cell_styles[False]
        # Styles by name, looked up once: python-docx searches every style on each lookup.
        self.styles: dict[str, BaseStyle | None] = {}

    # -- text ---------------------------------------------------------------------------------

    def style(self, name: str) -> BaseStyle | None:
        """The document's style of this name (None if it has none), looked up once."""
        if name not in self.styles:
            self.styles[name] = self.document.styles[name] if _has(self.document, name) else None
        return self.styles[name]

    def _add(self, text: str, style: str) -> Paragraph:
        found = self.style(style)
        # A name the document lacks: python-docx's own error, as without the cache.
        return self.document.add_paragraph(text, style if found is None else found)

    def heading(self, text: str, level: int) -> Paragraph:
        # As `Document.add_heading`, with the style looked up once.
        return self._add(clean(text), "Title" if level == 0 else f"Heading {level}")

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        if style is None:
            return self.document.add_paragraph(clean(text))
        return self._add(clean(text), style)

    def labelled(self, label: str, text: str) -> Paragraph:
        """'Label: text' with the label in bold (the Strong character style where it exists)."""
        paragraph = self.document.add_paragraph()
        lead = paragraph.add_run(clean(label) + ": ")
        strong = self.style("Strong")
        if strong is not None:
            lead.style = strong
        else:
            lead.bold = True
        paragraph.add_run(clean(text))
        return paragraph

    def bullets(self, items: Sequence[str]) -> None:
        for item in items:
            self._add(clean(item), "List Bullet")

    def caption(self, kind: str, title: str) -> Paragraph:
        """'Table 3: title. thurrock-2017.yaml, sha256 ..., appraise 0.1.0, 2025-06-01'."""
        if kind == "Table":
            self.tables += 1
            number = self.tables
        else:
            self.figures += 1
            number = self.figures
        text = f"{kind} {number}: {title.rstrip('.')}. {self.identity.short}"
        return self._add(clean(text), "Caption")

    # -- tables and figures ---------------------------------------------------------------------

    def width(self) -> Length:
        """The width between the margins of the current section."""
        s = self.document.sections[-1]
        return Length(s.page_width - s.left_margin - s.right_margin)

    def table(
        self,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        right: Sequence[bool] | None = None,
    ) -> Table:
        """A captioned table: the header row repeats on every page; numbers right-aligned (by
        default every column but the first) and never broken across lines."""
        # A table's caption is above it, and kept on the page of its first row.
        self.caption("Table", title).paragraph_format.keep_with_next = True
        right = list(right) if right is not None else [i > 0 for i in range(len(headers))]
        rows = [[clean(c) for c in row] for row in rows]
        table = self.document.add_table(rows=0, cols=len(headers))
        if self.table_style:
            table.style = self.document.styles[self.table_style]
        table.autofit = False  # the widths below, not Word's guess from the contents
        _narrow_margins(table)
        small = not fits(headers, rows, right, self.width())
        self.cell_style = self.cell_styles[small]
        widths = column_widths(headers, rows, right, self.width(), CHAR * (SMALL if small else 1))
        for column, w in zip(table.columns, widths, strict=True):
            column.width = w
        self._row(table, headers, right, widths, header=True)
        if rows:
            # Every body row is the same but for its text: the first is laid out cell by cell,
            # the rest copied from it (python-docx cell by cell is most of a paper's time).
            template = copy.deepcopy(
                self._row(table, [""] * len(headers), right, widths, runs=False)
            )
            table._tbl.remove(table._tbl.tr_lst[-1])
            for row in rows:
                tr = copy.deepcopy(template)
                table._tbl.append(tr)
                for tc, text in zip(tr.tc_lst, row, strict=True):
                    Paragraph(tc.p_lst[0], table).add_run(clean(text))
        self.document.add_paragraph()  # a table followed directly by a table would merge
        return table

    def _row(
        self,
        table: Table,
        cells: Sequence[str],
        right: Sequence[bool],
        widths: Sequence[Length],
        header: bool = False,
        runs: bool = True,
    ) -> CT_Row:
        """Add a row; its element (without runs: a template for rows copied from it)."""
        row = table.add_row()
        # A row is kept on one page: split, its text would run on under the repeated header.
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        if header:
            flag = OxmlElement("w:tblHeader")  # a constant element: repeat this row on each page
            flag.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().append(flag)
        for cell, text, align, w in zip(row.cells, cells, right, widths, strict=True):
            cell.width = w
            paragraph = cell.paragraphs[0]
            paragraph._p.style = self.cell_style[header]
            if runs:
                paragraph.add_run(clean(text))
            if align:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        return row._tr

    def figure(self, title: str, png: bytes) -> None:
        """A chart across the text width, its caption beneath."""
        width = min(FIGURE_WIDTH, self.width())
        self.document.add_picture(io.BytesIO(png), width=width)
        picture = self.document.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True  # the caption never starts a page
        self.caption("Figure", title)

    # -- page layout ------------------------------------------------------------------------------

    def orient(self, landscape: bool) -> bool:
        """Go on in landscape (for wide tables) or portrait: a new page if it turns (True)."""
        section = self.document.sections[-1]
        if (section.page_width > section.page_height) == landscape:
            return False
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        short, long = sorted((section.page_width, section.page_height))
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (long, short) if landscape else (short, long)
        return True

    def page_break(self) -> None:
        self.document.add_page_break()

    def footer(self) -> None:
        """The run's identity and the page number at the foot of every page, after any footer
        text a template has. Call it before adding sections: later ones inherit the footer."""
        section = self.document.sections[0]
        footers = [section.footer]
        if section.different_first_page_header_footer:
            footers.append(section.first_page_footer)
        if self.document.settings.odd_and_even_pages_header_footer:
            footers.append(section.even_page_footer)
        for footer in footers:
            paragraphs = footer.paragraphs
            blank = (
                len(paragraphs) == 1
                and not paragraphs[0].text.strip()
                and not paragraphs[0]._p.xpath(".//w:drawing")
            )
            paragraph = paragraphs[0] if blank else footer.add_paragraph()
            paragraph.style = self.document.styles["Footer"]
            lead = "DRAFT. " if self.draft else ""
            paragraph.add_run(clean(lead + self.identity.text + ", page "))
            field = OxmlElement("w:fldSimple")  # a constant field: Word fills in the page number
            field.set(qn("w:instr"), "PAGE")
            run, text = OxmlElement("w:r"), OxmlElement("w:t")
            text.text = "1"
            run.append(text)
            field.append(run)
            paragraph._p.append(field)

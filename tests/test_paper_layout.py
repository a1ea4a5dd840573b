"""The committee paper's layout as a clerk sees it, read from the PDF LibreOffice makes: no word
broken across lines in any table of the five example papers, and no near-empty page (one
that holds a chart, or ends a section, may be short)."""

from __future__ import annotations

import re
import subprocess
from collections import Counter

import pytest
from docx import Document

from tests.conftest import EXAMPLES, THURROCK, require_tool, run_cli

PAPERS = {
    "thurrock": (THURROCK,),
    "uncertain": (EXAMPLES / "thurrock-2017-uncertain.yaml",),
    "step-down": (EXAMPLES / "step-down.yaml",),
    "options": (EXAMPLES / "edge-of-care-options.yaml",),
    "thrive": (
        EXAMPLES / "east-sussex-thrive.yaml",
        "--programme",
        EXAMPLES / "east-sussex-thrive-programme.yaml",
    ),
}
# A word and a figure as a reader sees them; a hyphen may end a line, so it separates words.
# The PDF is read with `pdftotext -raw`, which keeps a hyphen that ends a line.
TOKEN = re.compile(r"[A-Za-z]+|[£\d][\d,.]*\d")
MIN_LINES = 6  # a page with fewer lines of text than this is near-empty


def tokens(text: str) -> Counter[str]:
    return Counter(TOKEN.findall(text))


def broken_words(document: Document, pdf_text: str) -> list[str]:
    """Table words the PDF does not hold whole as often as the document does: each split across
    lines reads as two pieces, so the whole word is missing once."""
    cells = Counter()
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                cells += tokens(cell.text)
    everything = Counter()
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            everything += tokens(" ".join(c.text for r in block.rows for c in r.cells))
        else:
            everything += tokens(block.text)
    found = tokens(pdf_text)
    return sorted(w for w in cells if len(w) > 1 and found[w] < everything[w])


def test_the_check_catches_a_word_split_across_lines():
    assert tokens("Interventio\nn") != tokens("Intervention")
    assert tokens("Cash-\nreleasing £1,972,068") == tokens("Cash-releasing £1,972,068")
    assert tokens("Multisystemi\nc") != tokens("Multisystemic")


@pytest.mark.slow
@pytest.mark.parametrize("name", list(PAPERS))
def test_no_word_broken_across_lines_in_any_table_and_no_near_empty_page(tmp_path, name):
    require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    file, *rest = PAPERS[name]
    docx, pdf = tmp_path / "paper.docx", tmp_path / "paper.pdf"
    proc = run_cli("report", file, *rest, "--docx", docx, "--pdf", pdf)
    assert proc.returncode == 0, proc.stderr
    text = subprocess.run(
        [pdftotext, "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    document = Document(str(docx))
    assert broken_words(document, text) == []
    sections = {p.text for p in document.paragraphs if p.style.name in ("Heading 1", "Title")}
    pages = [[x for x in page.splitlines() if x.strip()] for page in text.split("\f")[:-1]]
    for number, lines in enumerate(pages, 1):
        ends_a_section = number == len(pages) or pages[number][0] in sections
        holds_a_chart = any(x.startswith("Figure ") for x in lines)
        # The footer is two lines; a page must hold more than a heading and a line.
        assert len(lines) >= MIN_LINES or ends_a_section or holds_a_chart, (number, lines)


def _font_sizes(spec: object) -> list[float]:
    """Every font size a Vega-Lite spec sets, in its config, its marks and its titles."""
    if isinstance(spec, dict):
        return [
            *(v for k, v in spec.items() if "fontsize" in k.lower() and isinstance(v, int | float)),
            *(s for v in spec.values() for s in _font_sizes(v)),
        ]
    if isinstance(spec, list):
        return [s for v in spec for s in _font_sizes(v)]
    return []


@pytest.mark.parametrize("name", ["thurrock", "uncertain", "options", "step-down", "thrive"])
def test_chart_text_prints_at_8_points_or_more_and_captions_stay_with_charts(name):
    """Each chart's text is `charts.FONT` pixels or more, and the picture is printed at a width
    where that is at least 8 pt: pixels of the PNG / SCALE are CSS pixels, the docx gives the
    printed width (EMU, 12,700 a point)."""
    import io
    import struct

    from appraise.charts import net_savings_chart
    from appraise.paper import charts
    from appraise.paper.document import paper_docx
    from appraise.paper.report import paper_from_files

    paper = paper_from_files(PAPERS[name][0], draws=200)
    spec = charts.stamped(net_savings_chart(paper.records), paper.identity)
    assert min(_font_sizes(spec)) >= charts.FONT
    assert spec["config"]["axis"]["labelFontSize"] >= charts.FONT  # Vega's default is 10
    document = Document(io.BytesIO(paper_docx(paper)))
    pictures = [p for p in document.paragraphs if p._p.xpath(".//a:blip")]
    assert pictures
    for paragraph in pictures:
        (blip,) = paragraph._p.xpath(".//a:blip/@r:embed")
        png = document.part.related_parts[blip].blob
        css_width = struct.unpack(">I", png[16:20])[0] / charts.SCALE
        (extent,) = paragraph._p.xpath(".//wp:extent/@cx")
        points_per_pixel = int(extent) / 12_700 / css_width
        assert charts.FONT * points_per_pixel >= 8.0, (css_width, int(extent) / 12_700)
        assert paragraph.paragraph_format.keep_with_next  # its caption follows on its page

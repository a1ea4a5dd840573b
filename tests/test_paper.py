"""The committee paper (`appraise report`): the Word document read back with python-docx.

Its figures must be `appraise evaluate`'s to the pound, it must have a section and a chart for
every intervention, its assumptions log every row of the workbook's Inputs sheet, and every
caption the run's identity. With LibreOffice and pdftotext installed (CI installs both), the PDF
must read the same; under CI=true a missing one fails the test rather than skipping it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from appraise.display import programme_sections
from appraise.engine.params import build
from appraise.model.load import evidence_for, load_portfolio
from appraise.paper.council import SECTIONS
from appraise.workbook.inputs import InputRow, input_rows
from tests.conftest import APPRAISE, EXAMPLES, ROOT, THURROCK, by_id, require_tool, run_cli
from tests.helpers import intervention, portfolio_data

UNCERTAIN = EXAMPLES / "thurrock-2017-uncertain.yaml"
MST = "Edge-of-care service based on Multisystemic Therapy"
# APHR 2017 Table 7 publishes £1,225,153 net and £649,331 "directly cashable"; appraise gives
# £1,225,163 and £649,336 because it keeps the unrounded £70,792.45 a child-year (README).
MST_NET, MST_CASHABLE = "£1,225,163", "£649,336"
# Thurrock LAC year: 35 weeks x £1,072 / 0.53 (APHR 2017, section 2.1).
LAC_YEAR = 35 * 1072 / 0.53


# ---------------------------------------------------------------------------------------------
# Reading the document
# ---------------------------------------------------------------------------------------------


def pounds(text: str) -> float:
    """'£1,225,163' -> 1225163.0; '-£7,298' -> -7298.0."""
    sign = -1 if text.startswith("-") else 1
    return sign * float(text.lstrip("-").replace("£", "").replace(",", ""))


def heading_level(block: Any) -> int | None:
    if isinstance(block, Paragraph) and block.style.name.startswith("Heading "):
        return int(block.style.name.split()[-1])
    return None


def blocks_under(document: Any, title: str) -> list[Any]:
    """Paragraphs and tables after the Heading 1 `title`, up to the next Heading 1."""
    out, inside = [], False
    for block in document.iter_inner_content():
        level = heading_level(block)
        if level == 1:
            if inside:
                break
            inside = block.text == title
            continue
        if inside:
            out.append(block)
    assert inside or out, f"no heading {title!r}"
    return out


def rows_of(table: Table) -> list[dict[str, str]]:
    """A table's rows keyed by its header row."""
    cells = [[c.text for c in row.cells] for row in table.rows]
    return [dict(zip(cells[0], row, strict=True)) for row in cells[1:]]


def pictures(block: Any, document: Any) -> list[str]:
    """Content types of the pictures in a paragraph."""
    if not isinstance(block, Paragraph):
        return []
    ids = block._p.xpath(".//a:blip/@r:embed")
    return [document.part.related_parts[i].content_type for i in ids]


def report(tmp_path: Path, *args: str, name: str = "paper.docx") -> Any:
    out = tmp_path / name
    proc = run_cli("report", *args, "--docx", out)
    assert proc.returncode == 0, proc.stderr
    return Document(str(out))


@pytest.fixture(scope="module")
def thurrock_docx(tmp_path_factory) -> Any:
    """`appraise report examples/thurrock-2017.yaml --docx` run once, opened with python-docx."""
    return report(tmp_path_factory.mktemp("paper"), str(THURROCK))


# ---------------------------------------------------------------------------------------------
# Thurrock: the figures, a section each, the log, the identity
# ---------------------------------------------------------------------------------------------


def test_summary_table_has_mst_net_and_cashable_savings_as_evaluate_json(
    thurrock_docx, thurrock_json
):
    table = next(b for b in blocks_under(thurrock_docx, "Summary") if isinstance(b, Table))
    rows = {r["Intervention"]: r for r in rows_of(table)}
    mst = rows[MST]
    assert mst["Net savings"] == MST_NET
    assert mst["Cashable net savings"] == MST_CASHABLE
    expected = by_id(thurrock_json, "edge-of-care-mst")
    assert pounds(mst["Net savings"]) == round(expected["net_savings"])
    assert pounds(mst["Cashable net savings"]) == round(expected["cashable_net_savings"])
    # Every intervention and the total, every money figure, to the pound.
    for record in [*thurrock_json["interventions"], thurrock_json["portfolio"]]:
        row = rows[record.get("name", "Portfolio total")]
        for key, header in (
            ("cost", "Cost"),
            ("net_savings", "Net savings"),
            ("cashable_net_savings", "Cashable net savings"),
            ("npv", "NPV over 5 years"),
        ):
            assert pounds(row[header]) == round(record[key]), (record.get("id"), key)
    # Both cashable conventions of the total, in the summary's words.
    text = " ".join(b.text for b in blocks_under(thurrock_docx, "Summary") if hasattr(b, "text"))
    assert "£492,479 is cashable (pro rata; by the strict convention, £25,988)" in text


def test_a_section_and_a_png_chart_for_each_intervention(thurrock_docx, thurrock_json):
    sections: dict[str, list[str]] = {}
    current = None
    for block in blocks_under(thurrock_docx, "The interventions"):
        if heading_level(block) == 2:
            current = block.text
            sections[current] = []
        elif current is not None:
            sections[current] += pictures(block, thurrock_docx)
    assert list(sections) == [r["name"] for r in thurrock_json["interventions"]]
    for name, found in sections.items():
        assert "image/png" in found, name


def test_intervention_section_states_break_even_and_sources(thurrock_docx):
    blocks = blocks_under(thurrock_docx, "The interventions")
    start = next(i for i, b in enumerate(blocks) if heading_level(b) == 2 and b.text == MST)
    end = next(i for i, b in enumerate(blocks[start + 1 :], start + 1) if heading_level(b) == 2)
    text = " ".join(b.text for b in blocks[start:end] if isinstance(b, Paragraph))
    # Break-even: £309,617.50 / £70,792.45 = 4.37 children, 4.37 / 135.5 families = 3.23%.
    assert f"{309_617.50 / LAC_YEAR:.2f} child-years a year" in text
    assert f"a success rate of {309_617.50 / LAC_YEAR / 135.5:.2%}" in text
    # The sources the library cites for MST, in full.
    for author in ("Cary", "Swenson", "Fonagy", "Thurrock Council"):
        assert author in text, author
    key_figures = next(b for b in blocks[start:end] if isinstance(b, Table))
    shown = {r["Figure"]: r["Value"] for r in rows_of(key_figures)}
    assert shown["Net savings"] == MST_NET
    assert shown["Reach"] == "135.5 families"


def value_of(text: str, unit: str) -> float:
    """A log cell read back: £ and % and thousands separators removed."""
    if text.endswith("%"):
        return float(text[:-1].replace(",", "")) / 100
    return pounds(text) if "£" in text else float(text.replace(",", ""))


def test_assumptions_log_has_every_input_of_the_inputs_sheet(thurrock_docx):
    portfolio = load_portfolio(THURROCK)
    expected = [
        r for r in input_rows(build(portfolio, evidence_for(portfolio))) if isinstance(r, InputRow)
    ]
    logged = [
        row
        for block in blocks_under(thurrock_docx, "Assumptions log")
        if isinstance(block, Table)
        for row in rows_of(block)
    ]
    # Each row: the input's name, and beneath it its key on the Inputs sheet.
    assert [r["Input"].split("\n") for r in logged] == [[r.label, r.key] for r in expected]
    for shown, row in zip(logged, expected, strict=True):
        assert shown["Unit"] == row.unit
        if isinstance(row.value, str):  # a price year, an index, an evidence rating
            assert shown["Value"] == row.value
        else:
            value = value_of(shown["Value"], row.unit)
            assert value == pytest.approx(row.value, rel=1e-4, abs=1e-9), row.key
        assert bool(shown["Price year"]) == row.unit.startswith("£"), row.key
    by_key = {r["Input"].split("\n")[1]: r for r in logged}
    # A cited figure: MST's £2,285 a case, as APHR 2017 section 2.3.3 gives Cary et al.'s cost.
    cost = by_key["edge-of-care-mst.unit_cost.amount"]
    assert (cost["Value"], cost["Basis"]) == ("£2,285", "cited")
    assert cost["Where it came from"] == "Thurrock Council (2017), section 2.3.3"
    assert "Cary, Butler, Baruch, Hickey, & Byford, 2013" in cost["Note"]  # the quoted words
    # The file gives it no price year, so it is taken to be in the price base, 2017 read as
    # the financial year 2017-18.
    assert cost["Price year"] == "2017-18 (assumed)"
    # The optimism-bias rates are the project's own judgement (docs/defaults.md).
    bias = by_key["optimism_bias.3"]
    assert (bias["Value"], bias["Basis"]) == ("20%", "assumed")
    assert bias["Where it came from"] == "appraise (docs/defaults.md)"
    # A derived figure: Pause's removals a woman, from the report's range for 15 women.
    pause = by_key["pause.effect.per_case"]
    assert pause["Basis"] == "derived"
    assert pause["Where it came from"].endswith("(low + high) / 2 / women")
    # A term the file's form fixes: reach given as a count has no proportion.
    assert by_key["fixed:pause.reach_share"]["Basis"] == "structure"


def test_every_caption_chart_and_page_foot_carries_the_run_identity(thurrock_docx):
    digest = hashlib.sha256(THURROCK.read_bytes()).hexdigest()
    from appraise.version import __version__

    captions = [p.text for p in thurrock_docx.paragraphs if p.style.name == "Caption"]
    assert len(captions) >= 10
    for caption in captions:
        assert f"thurrock-2017.yaml, sha256 {digest[:12]}, appraise {__version__}, " in caption
    footer = " ".join(p.text for p in thurrock_docx.sections[0].footer.paragraphs)
    assert f"thurrock-2017.yaml, sha256 {digest}, appraise {__version__}" in footer
    assert thurrock_docx.core_properties.identifier == digest


def test_the_workbook_about_sheet_carries_the_same_run_identity(thurrock_docx, tmp_path):
    from openpyxl import load_workbook

    book = tmp_path / "t.xlsx"
    assert run_cli("export", THURROCK, "--xlsx", book).returncode == 0
    about = {r[0].value: r[1].value for r in load_workbook(book)["About"].iter_rows()}
    footer = " ".join(p.text for p in thurrock_docx.sections[0].footer.paragraphs)
    digest = hashlib.sha256(THURROCK.read_bytes()).hexdigest()
    assert f"thurrock-2017.yaml, sha256 {digest}" in about["Run identity"]
    assert about["Run identity"] in footer  # the same file, version and date


def test_the_paper_uses_words_own_styles(thurrock_docx):
    used = {p.style.name for p in thurrock_docx.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Heading 3", "Caption"} <= used
    assert {t.style.name for t in thurrock_docx.tables} == {"Table Grid"}
    headings = [p.text for p in thurrock_docx.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        *SECTIONS,  # the council's sections (tests/test_council_paper.py), then the appendix
        "Appendix: the appraisal in full",
        "Summary",
        "The portfolio",
        "The interventions",
        "The cost of doing nothing",  # thurrock-2017.yaml names its baseline
        "Assumptions log",
        "Risks: what each answer hangs on",
        "Methods and conventions",
    ]


def test_risks_without_ranges_give_each_inputs_break_even_value(thurrock_docx):
    table = next(
        b
        for b in blocks_under(thurrock_docx, "Risks: what each answer hangs on")
        if isinstance(b, Table)
    )
    rows = [r for r in rows_of(table) if r["Intervention"] == MST]
    treated = next(r for r in rows if "Risk of the outcome with the service" in r["Input"])
    # NPV is zero where net savings are: 0.30 - treated risk = £309,617.50 / (135.5 x £70,792.45).
    zero = 0.30 - 309_617.50 / (135.5 * LAC_YEAR)
    assert value_of(treated["NPV is zero at"], "fraction") == pytest.approx(zero, abs=5e-5)
    assert treated["As stated"] == "14%"


# ---------------------------------------------------------------------------------------------
# With ranges, claims, actuals and a programme
# ---------------------------------------------------------------------------------------------


def test_uncertain_paper_has_the_simulation_and_what_flips_each_npv(tmp_path):
    document = report(tmp_path, str(UNCERTAIN))
    proc = run_cli("simulate", UNCERTAIN, "--draws", "10000", "--seed", "1", "--format", "json")
    simulated = json.loads(proc.stdout)
    summary = next(b for b in blocks_under(document, "Summary") if isinstance(b, Table))
    chances = {r["Intervention"]: r["Chance of breaking even"] for r in rows_of(summary)}
    assert chances[MST] == f"{by_id(simulated, 'edge-of-care-mst')['prob_break_even'] * 100:.1f}%"
    assert chances["Portfolio total"] == f"{simulated['portfolio']['prob_break_even'] * 100:.1f}%"
    uncertainty = blocks_under(document, "Uncertainty")
    assert sum("image/png" in pictures(b, document) for b in uncertainty) == 2  # range, tornado
    proc = run_cli("sensitivity", UNCERTAIN, "--format", "json")
    tornado = by_id(json.loads(proc.stdout), "edge-of-care-mst")["tornado"]
    flips = [s for s in tornado if s["threshold_in_range"]]
    assert flips  # MST's success rate, 0% to 32%, crosses its break-even 3.23%
    risks = blocks_under(document, "Risks: what each answer hangs on")
    rows = [
        r for b in risks if isinstance(b, Table) for r in rows_of(b) if r["Intervention"] == MST
    ]
    assert len(rows) >= len(flips)
    assert all(
        r["Why it matters"] == "turns the NPV from gain to loss" for r in rows[-len(flips) :]
    )


def test_claims_actuals_baseline_and_programme_add_their_sections(tmp_path):
    document = report(
        tmp_path,
        str(THURROCK),
        "--claims",
        str(EXAMPLES / "thurrock-2017-claims.yaml"),
        "--actuals",
        str(EXAMPLES / "thurrock-2018-actuals.csv"),
        "--baseline",
        str(EXAMPLES / "thurrock-2017-baseline.yaml"),
        "--programme",
        str(EXAMPLES / "east-sussex-thrive-programme.yaml"),
    )
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    for title in (
        "The cost of doing nothing",
        "Claims checked",
        "Realised against planned",
        "Programme: East Sussex THRIVE",
    ):
        assert title in headings
    verified = json.loads(
        run_cli("verify", EXAMPLES / "thurrock-2017-claims.yaml", "--format", "json").stdout
    )
    table = next(b for b in blocks_under(document, "Claims checked") if isinstance(b, Table))
    statuses = {r["Claim"]: r["Status"] for r in rows_of(table)}
    assert statuses == {c["id"]: c["status"].replace("_", " ") for c in verified["claims"]}
    programme = " ".join(
        b.text
        for b in blocks_under(document, "Programme: East Sussex THRIVE")
        if isinstance(b, Paragraph)
    )
    assert "East Sussex THRIVE" in programme
    # Every table `appraise programme` prints is in the paper, cell for cell.
    thrive = json.loads(
        run_cli(
            "programme", EXAMPLES / "east-sussex-thrive-programme.yaml", "--format", "json"
        ).stdout
    )
    tables = [
        b for b in blocks_under(document, "Programme: East Sussex THRIVE") if isinstance(b, Table)
    ]
    expected = programme_sections(thrive)
    assert len(tables) == len(expected)
    for table, (title, columns, rows, _, _) in zip(tables, expected, strict=True):
        assert rows_of(table) == [{h: show(r) for h, show in columns} for r in rows], title
    reported = rows_of(
        tables[[t for t, *_ in expected].index("Savings reported with no target set")]
    )
    assert [(r["Value"], r["Class"]) for r in reported] == [
        ("£600,000", "cost avoidance"),
        ("£400,000", "cost avoidance"),
        ("£504,000", "cost avoidance"),
    ]


# ---------------------------------------------------------------------------------------------
# Templates, hostile text, errors
# ---------------------------------------------------------------------------------------------


def test_a_councils_template_gives_its_styles_and_footer(tmp_path):
    from docx.shared import Pt, RGBColor

    template = Document()
    heading = template.styles["Heading 1"]
    heading.font.size = Pt(23)
    heading.font.color.rgb = RGBColor(0x80, 0x00, 0x40)
    template.sections[0].footer.paragraphs[0].text = "Thurrock Council: OFFICIAL"
    template.add_paragraph("Delete me: the template's sample text")
    template.save(str(tmp_path / "house.docx"))
    document = report(tmp_path, str(THURROCK), "--template", str(tmp_path / "house.docx"))
    assert document.styles["Heading 1"].font.size == Pt(23)
    assert document.styles["Heading 1"].font.color.rgb == RGBColor(0x80, 0x00, 0x40)
    footer = [p.text for p in document.sections[0].footer.paragraphs]
    assert footer[0] == "Thurrock Council: OFFICIAL"
    assert "thurrock-2017.yaml, sha256 " in footer[1]
    assert not any("Delete me" in p.text for p in document.paragraphs)


@pytest.mark.parametrize(
    "content",
    [b"not a zip at all", b"PK\x03\x04 broken zip", b""],
    ids=["text", "broken-zip", "empty"],
)
def test_a_bad_template_is_a_clear_error_and_writes_nothing(tmp_path, content):
    (tmp_path / "house.docx").write_bytes(content)
    out = tmp_path / "paper.docx"
    proc = run_cli("report", THURROCK, "--docx", out, "--template", tmp_path / "house.docx")
    assert proc.returncode == 2
    assert str(tmp_path / "house.docx") in proc.stderr
    assert "not a Word document (.docx)" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_a_spreadsheet_as_template_is_a_clear_error(tmp_path):
    """A zip package that is not a Word document: the workbook appraise writes."""
    book = tmp_path / "book.xlsx"
    assert run_cli("export", THURROCK, "--xlsx", book).returncode == 0
    template = tmp_path / "house.docx"
    template.write_bytes(book.read_bytes())
    proc = run_cli("report", THURROCK, "--docx", tmp_path / "paper.docx", "--template", template)
    assert proc.returncode == 2
    assert f"{template}: not a Word document (.docx)" in proc.stderr


def test_output_names_and_options_are_checked(tmp_path):
    proc = run_cli("report", THURROCK)
    assert proc.returncode == 2 and "--docx OUT.docx and/or --pdf OUT.pdf" in proc.stderr
    proc = run_cli("report", THURROCK, "--docx", tmp_path / "paper.doc")
    assert proc.returncode == 2 and "--docx names a file ending in .docx" in proc.stderr
    proc = run_cli("report", THURROCK, "--docx", tmp_path / "missing" / "paper.docx")
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    proc = run_cli("report", tmp_path / "nothing.yaml", "--docx", tmp_path / "paper.docx")
    assert proc.returncode == 2 and "file not found" in proc.stderr


def test_text_from_the_files_is_written_as_text(tmp_path):
    """Markup, field codes and characters XML cannot hold, in names and notes: shown as text."""
    hostile = '<w:p><w:r><w:t>injected</w:t></w:r></w:p> & {{ jinja }} =cmd|"/c calc"!A1 \x07'
    data = portfolio_data(
        portfolio=f"Portfolio {hostile}",
        description=f"Description </w:t>{hostile}",
        interventions=[
            intervention(
                name=f"Service {hostile}",
                description="A line\nand another",
                effect={"success_rate": 0.16, "note": f"Note ]]> {hostile}"},
            )
        ],
    )
    from appraise.model.save import to_yaml

    (tmp_path / "hostile.yaml").write_text(to_yaml(data))
    document = report(tmp_path, str(tmp_path / "hostile.yaml"))
    text = "\n".join(p.text for p in document.paragraphs)
    shown = hostile.replace("\x07", "")
    assert f"Appraisal: Portfolio {shown}" in text
    assert f"Service {shown}" in text
    assert f"Note ]]> {shown}" in text
    assert "injected" not in {p.text for p in document.paragraphs}  # no paragraph was made


def test_a_portfolio_too_large_for_a_paper_is_refused(tmp_path):
    items = [intervention(id=f"svc-{k}", name=f"Service {k}") for k in range(101)]
    from appraise.model.save import to_yaml

    (tmp_path / "large.yaml").write_text(to_yaml(portfolio_data(interventions=items)))
    proc = run_cli("report", tmp_path / "large.yaml", "--docx", tmp_path / "paper.docx")
    assert proc.returncode == 2
    assert "101 interventions are too many for a committee paper" in proc.stderr


def test_pdf_without_libreoffice_is_a_clear_error(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no soffice on it
    out = tmp_path / "paper.pdf"
    proc = subprocess.run(
        [
            str(APPRAISE),
            "report",
            str(THURROCK),
            "--pdf",
            str(out),
            "--docx",
            str(tmp_path / "p.docx"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    assert f"{out}: LibreOffice is not installed" in proc.stderr
    assert not out.exists() and not (tmp_path / "p.docx").exists()  # nothing half-done


@pytest.mark.slow
def test_pdf_reads_the_same_figures(tmp_path, thurrock_json):
    require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    out = tmp_path / "paper.pdf"
    proc = run_cli("report", THURROCK, "--pdf", out)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        [pdftotext, "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    mst = by_id(thurrock_json, "edge-of-care-mst")
    # The summary table: the first table of the appendix.
    captions = [m.start() for m in re.finditer(r"Table \d+:", text)]
    start = text.index("Appendix: the appraisal in full")
    first = next(i for i, at in enumerate(captions) if at > start)
    summary = text[captions[first] : captions[first + 1]]
    line = next(x for x in summary.splitlines() if x.strip().startswith("Edge-of-care service"))
    assert MST_NET in line and MST_CASHABLE in line
    assert pounds(MST_NET) == round(mst["net_savings"])
    assert pounds(MST_CASHABLE) == round(mst["cashable_net_savings"])
    digest = hashlib.sha256(THURROCK.read_bytes()).hexdigest()
    assert digest in re.sub(r"\s+", "", text)  # the footer's full hash, however it wraps


# ---------------------------------------------------------------------------------------------
# The app
# ---------------------------------------------------------------------------------------------


def test_the_app_makes_the_paper_that_appraise_report_makes_of_its_yaml(tmp_path, monkeypatch):
    import io

    from streamlit.testing.v1 import AppTest

    from appraise.ui import session

    monkeypatch.chdir(ROOT)  # the app names files relative to where it runs, as `make app` does
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.radio(key="page").set_value("Export").run()
    assert "Committee paper (Word)" not in [b.label for b in at.get("download_button")]
    at.button(key="make-paper").click().run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    assert "Committee paper (Word)" in [b.label for b in at.get("download_button")]
    made = Document(io.BytesIO(at.session_state["paper"].docx))
    # Its identity is the YAML download's; appraise report on that file gives the same figures.
    text = session.yaml_text(at.session_state["loaded"])
    (tmp_path / "thurrock-2017.yaml").write_text(text, encoding="utf-8")
    assert made.core_properties.identifier == hashlib.sha256(text.encode()).hexdigest()
    cli = report(tmp_path, str(tmp_path / "thurrock-2017.yaml"))
    assert cli.core_properties.identifier == made.core_properties.identifier

    def summary(document: Any) -> list[dict[str, str]]:
        return rows_of(next(b for b in blocks_under(document, "Summary") if isinstance(b, Table)))

    assert summary(made) == summary(cli)
    assert summary(made)[0]["Net savings"] == MST_NET


def test_the_log_gives_each_money_input_the_price_year_the_file_gives_it(tmp_path):
    """examples/thurrock-2017-uprated.yaml: MST's £2,285 is in 2009-10 prices (Cary et al.,
    2013), uprated to the file's price base, 2024-25; the paper says so."""
    document = report(tmp_path, str(EXAMPLES / "thurrock-2017-uprated.yaml"))
    logged = {
        r["Input"].split("\n")[1]: r
        for b in blocks_under(document, "Assumptions log")
        if isinstance(b, Table)
        for r in rows_of(b)
    }
    cost = logged["edge-of-care-mst.unit_cost.amount"]
    assert (cost["Value"], cost["Price year"]) == ("£2,285", "2009-10")
    methods = " ".join(b.text for b in blocks_under(document, "Methods and conventions"))
    assert "every figure is in 2024-25 prices" in methods
    assert "£2,285.00 in 2009-10 prices x 1.4770" in methods


def test_a_file_of_options_is_never_added_up(tmp_path):
    """examples/edge-of-care-options.yaml: MST, FFT or doing nothing. The paper ranks the options
    as `appraise evaluate` does and shows no portfolio total."""
    document = report(tmp_path, str(EXAMPLES / "edge-of-care-options.yaml"))
    evaluated = json.loads(
        run_cli("evaluate", EXAMPLES / "edge-of-care-options.yaml", "--format", "json").stdout
    )
    tables = [b for b in blocks_under(document, "Summary") if isinstance(b, Table)]
    assert "Portfolio total" not in [r["Intervention"] for r in rows_of(tables[0])]
    options = rows_of(tables[1])
    expected = sorted(evaluated["options"], key=lambda o: o["rank"])
    assert [r["Option"] for r in options] == [o["name"] for o in expected]
    assert [pounds(r["NPV over 5 years"]) for r in options] == [round(o["npv"]) for o in expected]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "The options" in headings and "The portfolio" not in headings

"""The committee paper from the app's Export page: the paper `appraise report` makes, with the
claims and actuals open on the Verify page and the programme open on the Programme page, in
Word and PDF (issue 24, item 5)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from streamlit.testing.v1 import AppTest

from appraise.ui import paper, session
from tests.conftest import require_tool, run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CLAIMS = EXAMPLES / "thurrock-2017-claims.yaml"
ACTUALS = EXAMPLES / "thurrock-2018-actuals.yaml"
PROGRAMME = EXAMPLES / "thurrock-programme-illustration.yaml"
PROGRAMME_SHOWN = "examples/thurrock-programme-illustration.yaml"  # as the app names it


def _app_with_files(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app on its default portfolio (Thurrock 2017), with the example claims and actuals
    uploaded on the Verify page and the example programme chosen on the Programme page, on the
    Export page."""
    monkeypatch.chdir(ROOT)  # the app names files relative to where it runs, as `make app` does
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.session_state["claims-file"] = (CLAIMS.name, CLAIMS.read_bytes())  # as uploaded
    at.session_state["actuals-file"] = (ACTUALS.name, ACTUALS.read_bytes())
    at.session_state["programme-file"] = (PROGRAMME_SHOWN, PROGRAMME.read_bytes(), str(EXAMPLES))
    at.radio(key="page").set_value("Export").run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    return at


def _text(document: Any) -> list[str]:
    """Every paragraph and every table cell of a document, in order."""
    out = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            out += [cell.text for row in block.rows for cell in row.cells]
        else:
            out.append(block.text)
    return out


def _downloads(at: AppTest) -> dict[str, Any]:
    return {b.label: b for b in at.get("download_button")}


def test_the_app_paper_is_appraise_reports_with_the_sessions_claims_actuals_and_programme(
    tmp_path, monkeypatch
):
    # Without LibreOffice there is no PDF: the page says why, and still offers the Word file.
    monkeypatch.setattr("appraise.paper.pdf.soffice", lambda: None)
    at = _app_with_files(monkeypatch)
    shown = " ".join(t.value for t in at.text)
    for name in (CLAIMS.name, ACTUALS.name, PROGRAMME.name):
        assert name in shown
    at.button(key="make-paper").click().run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert "Committee paper (Word)" in _downloads(at)
    assert "Committee paper (PDF)" not in _downloads(at)
    assert any("LibreOffice is not installed" in w.value for w in at.warning)
    made = at.session_state[paper.PAPER]
    document = Document(io.BytesIO(made.docx))

    # `appraise report` of the YAML the page offers, with the same files, named as in the app.
    text = session.yaml_text(at.session_state["loaded"])
    (tmp_path / "thurrock-2017.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "examples").mkdir()
    for file in (CLAIMS, ACTUALS):
        shutil.copy(file, tmp_path / file.name)
    for file in (PROGRAMME, *EXAMPLES.glob("thurrock-2017-baseline.yaml"), *EXAMPLES.glob("*.csv")):
        shutil.copy(file, tmp_path / "examples" / file.name)
    proc = run_cli(
        "report",
        "thurrock-2017.yaml",
        "--claims",
        CLAIMS.name,
        "--actuals",
        ACTUALS.name,
        "--programme",
        PROGRAMME_SHOWN,
        "--docx",
        "paper.docx",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    cli = Document(str(tmp_path / "paper.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    for section in ("Claims checked", "Programme: Thurrock prevention programme (illustration)"):
        assert section in headings
    assert "Realised against planned" in headings
    assert _text(document) == _text(cli)

    # A file changed on another page makes the paper stale: it is no longer offered.
    at.session_state["claims-file"] = None
    at.run()
    assert "Committee paper (Word)" not in _downloads(at)


def test_a_broken_claims_file_is_named_and_no_paper_is_offered(monkeypatch):
    at = _app_with_files(monkeypatch)
    at.session_state["claims-file"] = ("broken.yaml", b"claims: [1, 2")
    at.button(key="make-paper").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("broken.yaml" in e.value for e in at.error), [e.value for e in at.error]
    assert "Committee paper (Word)" not in _downloads(at)


@pytest.mark.slow
def test_the_app_makes_the_paper_as_a_pdf_too(monkeypatch, tmp_path):
    require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    at = _app_with_files(monkeypatch)
    at.button(key="make-paper").click().run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    downloads = _downloads(at)
    assert {"Committee paper (Word)", "Committee paper (PDF)"} <= set(downloads)
    made = at.session_state[paper.PAPER]
    assert made.pdf.startswith(b"%PDF")
    (tmp_path / "paper.pdf").write_bytes(made.pdf)
    text = subprocess.run(
        [pdftotext, "-layout", str(tmp_path / "paper.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Claims checked" in text
    assert "Thurrock prevention programme (illustration)" in text

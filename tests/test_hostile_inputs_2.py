"""Hostile files, second round (issue 20): each finding of the campaign rebuilt and refused with
exit 2 (or its output sanitised), no secret of the machine in any message.

The app's findings are in tests/test_hostile_app.py (and the browser's in
tests/test_hostile_browser.py); how fast each refusal comes is measured by
benchmarks/refusals.py, not asserted here.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from appraise.errors import InputError
from appraise.model import limits, reading
from appraise.workbook.source import fingerprint, source_text
from tests.conftest import EXAMPLES, ROOT, require_tool, run_cli, thurrock_in
from tests.helpers import intervention, portfolio_data
from tests.hostile_files import hostile_template, recording_server
from tests.test_hostile_inputs import HANG, PASSWD_TEXT, baseline, refused, write

SECRET = "SECRET-MARKER-20"  # what a file outside the folder holds, and no message may show
CLI = str(Path(sys.executable).parent / "appraise")


def run(*args: Any, cwd: Path = ROOT, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=HANG, **kwargs
    )


def no_secret(text: str) -> None:
    assert SECRET not in text, text
    for line in PASSWD_TEXT:
        assert line not in text, text


# ---------------------------------------------------------------------------------------------
# Disclosure: one way to open a referenced file
# ---------------------------------------------------------------------------------------------


def test_a_price_index_csv_outside_the_folder_is_refused_without_its_content(tmp_path):
    (tmp_path / "secret.csv").write_text(f"financial_year,index\n{SECRET},1\n")
    inner = tmp_path / "cases"
    inner.mkdir()
    for spec in ("../secret.csv", {"csv": "/etc/passwd"}, str(tmp_path / "secret.csv")):
        path = write(inner, portfolio_data(price_index={"health": spec}))
        err = refused("evaluate", path, fragments=("price_index.health: a",))
        no_secret(err)
        assert "a file may name only files in its own folder" in err
    # Allowed to read /etc, the index reader says what is wrong without quoting a line of it.
    path = write(inner, portfolio_data(price_index={"health": {"csv": "/etc/passwd"}}))
    err = refused("evaluate", path, "--allow-path", "/etc", fragments=("/etc/passwd: header",))
    no_secret(err)


def test_messages_name_files_as_the_user_did_never_the_folder_resolved(tmp_path):
    inner = tmp_path / "cases"
    inner.mkdir()
    write(inner, portfolio_data(price_index={"health": "../outside.csv"}))
    proc = run("evaluate", "cases/portfolio.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert "cases/portfolio.yaml: price_index.health: a path that leaves its folder" in proc.stderr
    assert str(tmp_path) not in proc.stderr  # no absolute path of the machine


def _hard_linked(tmp_path: Path, name: str, content: str) -> Path:
    """A file outside the folder `inside/`, hard-linked into it as `name`."""
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    inside = tmp_path / "inside"
    inside.mkdir(exist_ok=True)
    secret = outside / f"secret-{name}"
    secret.write_text(content)
    os.link(secret, inside / name)
    return inside


HARD_LINK = "names (hard links): a file named by another file must have one"


def test_a_hard_link_to_a_file_outside_is_refused_for_every_kind_of_reference(tmp_path):
    text = f"{SECRET}: [root:x:0:0]\nyear,children_in_care,child_population\n"
    inside = _hard_linked(tmp_path, "linked.yaml", text)
    os.link(tmp_path / "outside" / "secret-linked.yaml", inside / "linked.csv")
    cases = {
        "baseline": portfolio_data(baseline="linked.yaml"),
        "history": portfolio_data(baseline=baseline("linked.csv")),
        "price_index": portfolio_data(price_index={"health": "linked.csv"}),
    }
    for field, data in cases.items():
        path = write(inside, data, f"{field}.yaml")
        err = refused("evaluate", path, fragments=(HARD_LINK,))
        no_secret(err)
    claim = {"id": "c", "intervention": "pause", "metric": "cost", "value": 1}
    claims = write(inside, {"portfolio": "linked.yaml", "claims": [claim]}, "claims.yaml")
    no_secret(refused("verify", claims, fragments=(HARD_LINK,)))
    actuals = inside / "actuals.csv"
    actuals.write_text(
        "# portfolio: linked.yaml\nintervention,period,cases,outcomes_averted,spend\nx,2018,1,0,1\n"
    )
    no_secret(refused("track", actuals, fragments=(HARD_LINK,)))
    programme = yaml.safe_load((EXAMPLES / "east-sussex-thrive-programme.yaml").read_text())
    programme["actuals"] = "linked.yaml"
    no_secret(refused("programme", write(inside, programme, "p1.yaml"), fragments=(HARD_LINK,)))
    programme = yaml.safe_load((EXAMPLES / "thurrock-programme-illustration.yaml").read_text())
    programme["programme"]["projection"]["forecast"] = "linked.yaml"
    no_secret(refused("programme", write(inside, programme, "p2.yaml"), fragments=(HARD_LINK,)))


SYSTEM = "is a system file (/proc, /sys or /dev)"


@pytest.mark.parametrize(
    "command",
    [
        ("evaluate",),
        ("validate",),
        ("simulate",),
        ("verify",),
        ("track",),
        ("forecast",),
        ("programme",),
        ("export", "--xlsx", "{out}.xlsx"),
        ("report", "--docx", "{out}.docx"),
    ],
)
def test_dev_stdin_is_refused_as_the_file_argument(tmp_path, command):
    secret = tmp_path / "given.yaml"
    secret.write_text(f"portfolio: {SECRET}\nroot:x:0:0: 1\n")
    args = [a.format(out=tmp_path / "out") for a in command[1:]]
    for name in ("/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"):
        with secret.open() as given:
            proc = run(command[0], name, *args, stdin=given)
        assert proc.returncode == 2, (command, name, proc.stderr)
        assert SYSTEM in proc.stderr
        no_secret(proc.stderr + proc.stdout)
    # Nor through a link of the user's own to it.
    (tmp_path / "link.yaml").symlink_to("/dev/stdin")
    with secret.open() as given:
        proc = run(command[0], tmp_path / "link.yaml", *args, stdin=given)
    assert proc.returncode == 2 and SYSTEM in proc.stderr
    assert not list(tmp_path.glob("out*"))


def test_a_link_swapped_in_between_the_check_and_the_read_is_never_followed(tmp_path, monkeypatch):
    outside = tmp_path / "outside.csv"
    outside.write_text(f"year,children_in_care,child_population\n{SECRET},1,1\n")
    folder = tmp_path / "cases"
    folder.mkdir()
    history = folder / "history.csv"
    history.write_text("year,children_in_care,child_population\n2015,200,40000\n")
    (folder / "data").mkdir()
    checked = reading.real_path

    def swap_after_check(path: Any) -> str:
        real = checked(path)  # the check passes: the file is inside the folder, ordinary
        if Path(real).name == "history.csv":
            history.unlink()
            history.symlink_to(outside)  # ...then a link to the secret takes its place
        if Path(real).parent.name == "data":
            (folder / "data").rename(folder / "data-old")
            (folder / "data").symlink_to(tmp_path, target_is_directory=True)
        return real

    monkeypatch.setattr(reading, "real_path", swap_after_check)
    referrer = str(folder / "portfolio.yaml")
    for ref in ("history.csv", "data/outside.csv"):
        if ref.startswith("data/"):
            (folder / "data" / "outside.csv").write_text("year\n")
        with pytest.raises(InputError) as exc:
            reading.read_reference(ref, referrer, "baseline")
        assert "changed while being opened" in str(exc.value)
        assert SECRET not in str(exc.value)


def test_a_file_is_read_once_and_the_bytes_hashed_are_the_bytes_parsed(tmp_path, monkeypatch):
    """Exporting while the portfolio file changes once recorded the SHA-256 of another version."""
    from appraise.model import reading as module

    path = thurrock_in(tmp_path)
    reads: list[str] = []
    real = module._read_once

    def counted(target: Any, *args: Any, **kwargs: Any) -> bytes:
        reads.append(Path(target).name)
        data = real(target, *args, **kwargs)
        if Path(target).name == path.name:  # the file changes just after it is read
            path.write_text(path.read_text().replace("Thurrock", "Changed"))
        return data

    monkeypatch.setattr(module, "_read_once", counted)
    from typer.testing import CliRunner

    from appraise.cli import app

    book = tmp_path / "out.xlsx"
    result = CliRunner().invoke(app, ["export", str(path), "--xlsx", str(book)])
    assert result.exit_code == 0, result.output
    assert reads.count(path.name) == 1
    about = load_workbook(book)["About"]
    shown = " ".join(str(c.value) for row in about.iter_rows() for c in row if c.value)
    recorded = re.search(r"sha256 ([0-9a-f]{64})", shown).group(1)
    original = (EXAMPLES / "thurrock-2017.yaml").read_bytes()
    assert recorded == hashlib.sha256(original).hexdigest()


# ---------------------------------------------------------------------------------------------
# Templates: styles, page set-up and header and footer text only
# ---------------------------------------------------------------------------------------------


def _parts(docx: Path) -> dict[str, str]:
    with zipfile.ZipFile(docx) as package:
        return {n: package.read(n).decode("utf-8", "replace") for n in package.namelist()}


def test_a_template_keeps_only_styles_page_set_up_and_header_and_footer_text(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG " + SECRET.encode())
    template = hostile_template(tmp_path / "house.docx", "http://127.0.0.1:9", secret)
    out = tmp_path / "paper.docx"
    proc = run("report", EXAMPLES / "thurrock-2017.yaml", "--docx", out, "--template", template)
    assert proc.returncode == 0, proc.stderr
    parts = _parts(out)
    everything = "\n".join(parts.values())
    assert not any("vbaProject" in name for name in parts)
    assert 'TargetMode="External"' not in everything
    for word in ("INCLUDEPICTURE", "INCLUDETEXT", "DDEAUTO", "attachedTemplate", "altChunk"):
        assert word not in everything, word
    assert "INCLUDED RESULT" not in everything  # a field's result is dropped with the field
    assert "127.0.0.1" not in everything and "file:///" not in everything
    assert "w:object" not in everything and SECRET not in everything
    from docx import Document
    from docx.shared import Pt

    document = Document(str(out))
    assert document.styles["Heading 1"].font.size == Pt(23)
    assert document.sections[0].header.paragraphs[0].text == "House header"
    assert document.sections[0].footer.paragraphs[0].text == "House footer"
    assert "Body text of the template" not in everything
    notice = proc.stderr
    assert f"note: template {template}: took its styles" in notice
    for dropped in (
        "macros (vbaProject.bin)",
        "external link: an attached template",
        "external link: a picture",
        "external link: an imported document (altChunk)",
        "external link: an OLE object",
        "external link: a hyperlink",
        "fields (INCLUDEPICTURE, INCLUDETEXT, DDEAUTO",
        "pictures and objects in headers or footers",
    ):
        assert dropped in notice, (dropped, notice)


def test_a_template_with_a_megabyte_and_a_half_of_styles_is_read_in_bounded_time(tmp_path):
    from docx import Document

    base = Document()
    buffer = io.BytesIO()
    base.save(buffer)
    many = "".join(
        f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="S{k}"><w:name w:val="Style {k}"/>'
        f'<w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="{k % 7}0" w:after="120"/>'
        f'<w:ind w:left="{k % 5}00" w:right="0"/></w:pPr><w:rPr><w:rFonts w:ascii="Arial" '
        f'w:hAnsi="Arial"/><w:sz w:val="{20 + k % 10}"/></w:rPr></w:style>'
        for k in range(4_500)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/styles.xml":
                data = data.decode().replace("</w:styles>", many + "</w:styles>").encode()
                assert len(data) > 1.5 * 10**6
            target.writestr(info, data)
    template = tmp_path / "house.docx"
    template.write_bytes(out.getvalue())
    paper = tmp_path / "paper.docx"
    proc = run("report", EXAMPLES / "thurrock-2017.yaml", "--docx", paper, "--template", template)
    assert proc.returncode == 0, proc.stderr
    assert "Style 4000" not in _parts(paper)["word/styles.xml"]  # only the styles the paper uses
    (tmp_path / "too-many.docx").write_bytes(_more_styles(out.getvalue(), 6_000))
    refused(
        "report",
        EXAMPLES / "thurrock-2017.yaml",
        "--docx",
        tmp_path / "p2.docx",
        "--template",
        tmp_path / "too-many.docx",
        fragments=("styles; a template may define at most 5,000",),
    )


def _more_styles(data: bytes, n: int) -> bytes:
    extra = "".join(
        f'<w:style w:type="character" w:styleId="X{k}"><w:name w:val="X {k}"/></w:style>'
        for k in range(n)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "word/styles.xml":
                part = part.decode().replace("</w:styles>", extra + "</w:styles>").encode()
            target.writestr(info, part)
    return out.getvalue()


@pytest.mark.slow
def test_making_the_pdf_from_a_hostile_template_opens_no_connection(tmp_path):
    require_tool("soffice")
    with recording_server() as (url, requests):
        template = hostile_template(tmp_path / "house.docx", url)
        out = tmp_path / "paper.pdf"
        proc = run("report", EXAMPLES / "thurrock-2017.yaml", "--pdf", out, "--template", template)
        assert proc.returncode == 0, proc.stderr
        time.sleep(1)
        assert requests == []
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_libreoffice_itself_neither_fetches_nor_runs_what_a_document_holds(tmp_path):
    """Without the template's sanitising, LibreOffice alone, as appraise runs it, fetched the
    remote header picture: its own settings now block every link and disable macros."""
    require_tool("soffice")
    from appraise.paper.pdf import docx_to_pdf, profile_settings

    settings = profile_settings()
    for setting in ("DisableMacrosExecution", "BlockUntrustedRefererLinks", "ooInetProxyType"):
        assert setting in settings
    with recording_server() as (url, requests):
        raw = hostile_template(tmp_path / "house.docx", url).read_bytes()
        pdf = docx_to_pdf(raw, tmp_path / "out.pdf")
        time.sleep(1)
        assert requests == []
    assert pdf.startswith(b"%PDF")


# ---------------------------------------------------------------------------------------------
# Imports that verify
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def exported(tmp_path) -> Path:
    book = tmp_path / "book.xlsx"
    proc = run_cli("export", thurrock_in(tmp_path), "--xlsx", book)
    assert proc.returncode == 0, proc.stderr
    return book


def _column(book: Any, header: str) -> int:
    """The Inputs column headed `header` (the header row is row 3)."""
    return next(c.column for c in book["Inputs"][3] if c.value == header)


def _inputs_row(book: Any, key: str) -> int:
    ws, column = book["Inputs"], _column(book, "Key")
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, column).value == key)


def test_a_key_on_two_rows_is_refused(tmp_path, exported):
    book = load_workbook(exported)
    ws = book["Inputs"]
    r = _inputs_row(book, "pause.timing.benefit_years")
    ws.cell(ws.max_row + 2, _column(book, "Key")).value = "pause.timing.benefit_years"
    ws.cell(ws.max_row, _column(book, "Value")).value = 5
    book.save(exported)
    err = refused("import-xlsx", exported, "-o", tmp_path / "back.yaml")
    assert f"the key 'pause.timing.benefit_years' is on two rows ({r} and" in err
    assert not (tmp_path / "back.yaml").exists()


def _forge_hidden(path: Path, change: Any) -> None:
    """Edit the portfolio file on the hidden sheet and record its new hash, as an attacker can."""
    book = load_workbook(path)
    sheet = book["Portfolio file"]
    rows = [sheet.cell(r, 1).value for r in range(3, sheet.max_row + 1)]
    data = json.loads("\n".join(str(r or "") for r in rows))
    text = change(data)
    for r in range(3, sheet.max_row + 1):
        sheet.cell(r, 1).value = sheet.cell(r, 2).value = None
    sheet.cell(3, 1).value = text
    found = [(sheet.cell(r, 1).value, sheet.cell(r, 2).value) for r in range(3, sheet.max_row + 1)]
    sheet.cell(2, 2).value = fingerprint(source_text(found))
    book.save(path)


def test_hidden_data_changed_without_an_inputs_edit_is_refused(tmp_path, exported):
    def five_years(data: dict[str, Any]) -> str:
        pause = next(i for i in data["interventions"] if i["id"] == "pause")
        pause["timing"]["benefit_years"] = 5
        return json.dumps(data)

    _forge_hidden(exported, five_years)
    row = _inputs_row(load_workbook(exported), "pause.timing.benefit_years")
    err = refused("import-xlsx", exported, "-o", tmp_path / "back.yaml")
    assert "was changed after export" in err and f"Inputs!B{row} shows 1, it says 5" in err
    assert not (tmp_path / "back.yaml").exists()


def test_edits_outside_inputs_are_refused_by_sheet_and_cell(tmp_path, exported):
    clean = run("import-xlsx", exported, "-o", tmp_path / "same.yaml")
    assert clean.returncode == 0 and "outside the inputs" not in clean.stderr, clean.stderr
    # A sheet's protection removed changes no figure: the import goes ahead, and says so.
    book = load_workbook(exported)
    book["Summary"].protection.sheet = False
    book.save(exported)
    proc = run("import-xlsx", exported, "-o", tmp_path / "unprotected.yaml")
    assert proc.returncode == 0, proc.stderr
    assert "Summary: its protection was removed" in proc.stderr
    # A formula replaced by a number, or changed, is refused, each cell named.
    ws = book["Calculations"]
    first, second = [c for row in ws.iter_rows() for c in row if str(c.value).startswith("=")][:2]
    was = first.value
    first.value, second.value = 12345, "=1+1"
    book.save(exported)
    err = refused("import-xlsx", exported, "-o", tmp_path / "back.yaml")
    assert f"Calculations!{first.coordinate}" in err and f"the formula {was}" in err
    assert "found 12345" in err
    assert f"Calculations!{second.coordinate}" in err and "found the formula =1+1" in err
    assert "changed outside the inputs" in err
    assert not (tmp_path / "back.yaml").exists()


def test_a_huge_integer_in_the_hidden_portfolio_file_is_exit_2(tmp_path, exported):
    def huge(data: dict[str, Any]) -> str:
        return json.dumps(data).replace('"horizon_years": 5', '"horizon_years": ' + "9" * 5000)

    _forge_hidden(exported, huge)
    refused("import-xlsx", exported, "-o", tmp_path / "back.yaml", fragments=("cannot be read",))


def _set_cell_xml(path: Path, sheet_part: str, address: str, xml: str) -> None:
    """Replace the cell `address` of a sheet part by `xml`, as another program may write it."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == sheet_part:
                text = data.decode()
                text, n = re.subn(rf'<c r="{address}"[^>]*?(/>|>.*?</c>)', xml, text, count=1)
                assert n == 1
                data = text.encode()
            target.writestr(info, data)
    path.write_bytes(out.getvalue())


def test_a_formula_in_an_input_cell_is_refused_never_its_saved_result(tmp_path, exported):
    row = _inputs_row(load_workbook(exported), "discount_rate")
    with zipfile.ZipFile(exported) as package:
        sheet = next(
            n
            for n in package.namelist()
            if n.startswith("xl/worksheets/sheet") and b">discount_rate<" in package.read(n)
        )
    _set_cell_xml(exported, sheet, f"B{row}", f'<c r="B{row}"><f>0.035</f><v>0.9</v></c>')
    err = refused("import-xlsx", exported, "-o", tmp_path / "back.yaml")
    assert f"Inputs!B{row}: Discount rate: holds a formula (=0.035)" in err


def test_an_inputs_sheet_of_millions_of_cells_is_refused_before_it_is_read(tmp_path, exported):
    with zipfile.ZipFile(exported) as package:
        sheet = next(
            n
            for n in package.namelist()
            if n.startswith("xl/worksheets/sheet") and b">discount_rate<" in package.read(n)
        )
    rows = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in "IJKLMNOPQR") + "</row>"
        for r in range(2_000, 40_000)
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(exported) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == sheet:
                data = data.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
            target.writestr(info, data)
    exported.write_bytes(out.getvalue())
    refused(
        "import-xlsx",
        exported,
        "-o",
        tmp_path / "back.yaml",
        fragments=("Inputs!: holds more than",),
    )


# ---------------------------------------------------------------------------------------------
# Numbers read as YAML 1.2 reads them
# ---------------------------------------------------------------------------------------------


def test_yaml_numbers_are_read_as_yaml_1_2_reads_them(tmp_path):
    text = yaml.safe_dump(portfolio_data(), sort_keys=False)
    path = tmp_path / "p.yaml"
    path.write_text(text.replace("eligible: 1355", "eligible: 01355"))  # YAML 1.1: octal 749
    proc = run("evaluate", path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["interventions"][0]["reach"] == pytest.approx(135.5)
    for written, value in (("0o2513", 1355), ("0x54B", 1355), ("+1355", 1355)):
        path.write_text(text.replace("eligible: 1355", f"eligible: {written}"))
        proc = run("evaluate", path, "--format", "json")
        assert json.loads(proc.stdout)["interventions"][0]["reach"] == pytest.approx(value / 10)
    for written in ("0b10101001011", "22:35", "1_355"):  # binary, sexagesimal, underscores
        path.write_text(text.replace("eligible: 1355", f"eligible: {written}"))
        err = refused("evaluate", path, fragments=("reach.eligible: expected a number",))
        assert repr(written) in err


def test_a_mapping_with_keys_of_mixed_kinds_is_exit_2_naming_the_field(tmp_path):
    # Sorting the keys {1, "a"} to list them raised TypeError (exit 1) before this was fixed.
    text = yaml.safe_dump(portfolio_data(), sort_keys=False)
    path = tmp_path / "p.yaml"
    for written, shown in (
        ("{1: 2, a: 3}", "got keys ['1', 'a']"),
        ("{1: 2, dist: normal, mean: 1, sd: 1}", "got ['1', 'mean', 'sd']"),
        ("{null: 1, low: 1, high: 2}", "got keys ['None', 'high', 'low']"),
    ):
        path.write_text(text.replace("eligible: 1355", f"eligible: {written}"))
        refused("evaluate", path, fragments=(f"{path}: ", "reach.eligible: ", shown))
    data = portfolio_data(optimism_bias={1: 0.5, "2": 0.4})
    refused("validate", write(tmp_path, data), fragments=("optimism_bias[1].[key]: expected text",))


# ---------------------------------------------------------------------------------------------
# Outputs: text is text
# ---------------------------------------------------------------------------------------------

FORMULA_LIKE = ("=1+1", "+1 note", "-2 note", "@SUM(A1)", "\tTAB", "\rCR")


def test_every_text_cell_a_spreadsheet_would_read_as_a_formula_has_the_quote_prefix(tmp_path):
    item = intervention(name='=HYPERLINK("http://127.0.0.1:9","x")', notes="+1 note")
    item["unit_cost"]["note"] = "@SUM(A1)"
    item["effect"]["note"] = "-2 note"
    data = portfolio_data(
        portfolio="=1+2 name _x003D_", description="\tTAB " + "x" * 31_000, interventions=[item]
    )
    book = tmp_path / "out.xlsx"
    assert run("export", write(tmp_path, data), "--xlsx", book).returncode == 0
    workbook = load_workbook(book)
    found = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "s" and str(cell.value)[:1] in (
                    "=",
                    "+",
                    "-",
                    "@",
                    "\t",
                    "\r",
                ):
                    found += 1
                    assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    assert found >= 6  # Inputs notes, the names on every sheet
    hidden = workbook["Portfolio file"]
    markers = [c for row in hidden.iter_rows(min_col=2, max_col=2) for c in row if c.value == "+"]
    assert markers and all(c.quotePrefix for c in markers)  # a line continued on the next row
    with zipfile.ZipFile(book) as package:
        core = package.read("docProps/core.xml").decode()
    assert "_x005F_x003D_" in core and not re.search(r"(?<!_x005F)_x003D_", core)


def test_markdown_output_shows_images_links_and_html_as_text(tmp_path):
    thurrock_in(tmp_path)
    hostile = "![x](http://127.0.0.1:9/x.png) [Sign in](https://example.org) <img src=x>"
    claims = {
        "portfolio": "thurrock-2017.yaml",
        "claims": [
            {"id": "c", "intervention": "pause", "metric": "cost", "value": 1, "quote": hostile}
        ],
    }
    data = yaml.safe_load((tmp_path / "thurrock-2017.yaml").read_text())
    data["portfolio"] = hostile
    write(tmp_path, data, "thurrock-2017.yaml")
    out = run("verify", write(tmp_path, claims, "claims.yaml"), "--format", "markdown").stdout
    programme = yaml.safe_load((EXAMPLES / "east-sussex-thrive-programme.yaml").read_text())
    programme["programme"]["name"] = hostile
    programme["actuals"] = yaml.safe_load(
        (EXAMPLES / "east-sussex-thrive-actuals.yaml").read_text()
    )["actuals"]
    out += run("programme", write(tmp_path, programme, "p.yaml"), "--format", "markdown").stdout
    assert not re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", out), out  # no [text](url) link
    assert not re.search(r"(?<!\\)<img", out) and "\\<img src=x\\>" in out
    assert "http://127" not in out and "https://example" not in out  # no bare autolink either


def test_control_and_bidi_characters_are_shown_not_sent_to_the_terminal(tmp_path):
    path = write(tmp_path, portfolio_data(portfolio="Evil \x1b[2J\x07 \u202eexe.txt"))
    proc = run("evaluate", path)
    assert proc.returncode == 0
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in proc.stdout
    assert "Evil \\x1b[2J\\x07 U+202Eexe.txt" in proc.stdout
    bad = write(tmp_path, portfolio_data(interventions=[intervention(id="x\x1b[31m")]), "b.yaml")
    proc = run("evaluate", bad)
    assert proc.returncode == 2 and "\x1b" not in proc.stderr and "\\x1b" in proc.stderr


def test_rejected_values_are_shown_exactly(tmp_path):
    item = intervention(
        unit_cost={"amount": 1_000_000_000.5, "per": "case"}, effect={"success_rate": 1.0000000001}
    )
    err = refused("evaluate", write(tmp_path, portfolio_data(interventions=[item])))
    assert (
        "must not be above 1,000,000,000 (£1 billion for one case or outcome) (got 1000000000.5)"
        in err
    )
    assert "success_rate: must be between 0 and 1 (got 1.0000000001)" in err


def pauses(path: Path, count: int, **settings: Any) -> Path:
    """A portfolio of `count` library Pause services (`use: pause`), written without building
    thousands of dicts to dump."""
    items = "\n".join(f"  - {{use: pause, id: p{i}}}" for i in range(count))
    text = yaml.safe_dump(portfolio_data(interventions=[], **settings), sort_keys=False)
    path.write_text(text.replace("interventions: []", "interventions:\n" + items))
    return path


def test_a_workbook_never_runs_past_excels_last_column(tmp_path):
    from appraise.workbook.writer import EXCEL_COLUMNS, Sheet, render

    wide = Sheet("Calculations")
    wide.put(1, EXCEL_COLUMNS + 1, 1.0)
    with pytest.raises(ValueError, match="past Excel's last cell XFD1048576"):
        render([wide])
    # At the most interventions a portfolio may hold, export says why it writes no workbook.
    path = pauses(tmp_path / "many.yaml", limits.MAX_INTERVENTIONS)
    refused(
        "export",
        path,
        "--xlsx",
        tmp_path / "many.xlsx",
        fragments=("holds 20,000 interventions; a workbook holds at most 5,000",),
    )
    assert not (tmp_path / "many.xlsx").exists()


def test_a_workbook_is_bounded_by_interventions_times_years(tmp_path):
    """5,000 interventions over 60 years would be some 35 million cells (about 25 GB to export):
    refused before any is validated, with the horizon that would fit. 1,000 over 30 years is the
    most the bound allows at that size."""
    bound = limits.MAX_WORKBOOK_INTERVENTION_YEARS
    limits.check_workbook("p.yaml", 1_000, bound // 1_000)  # within: no error
    with pytest.raises(InputError, match="horizon_years"):
        limits.check_workbook("p.yaml", 1_000, bound // 1_000 + 1)
    limits.check_workbook("p.yaml", 1_000, "thirty")  # not a number: the schema refuses it
    path = pauses(tmp_path / "long.yaml", 2_000, horizon_years=60)
    refused(
        "export",
        path,
        "--xlsx",
        tmp_path / "long.xlsx",
        fragments=(
            "horizon_years: 2,000 interventions over 60 years is more than the 30,000",
            "over at most 15 years",
        ),
    )
    assert not (tmp_path / "long.xlsx").exists()


# ---------------------------------------------------------------------------------------------
# Crashes, odd figures and slow refusals
# ---------------------------------------------------------------------------------------------

TABLE = "| a | b |\n|---|---|\n| 1 | 2 |\n"


def test_markdown_tables_and_a_long_name_make_a_paper(tmp_path):
    item = intervention(name=TABLE + "A service", notes=TABLE)
    item["unit_cost"]["note"] = TABLE
    data = portfolio_data(portfolio="N" * 300, description=TABLE, interventions=[item])
    out = tmp_path / "paper.docx"
    proc = run("report", write(tmp_path, data), "--docx", out)
    assert proc.returncode == 0, proc.stderr
    from docx import Document

    assert Document(str(out)).core_properties.title.endswith("\N{HORIZONTAL ELLIPSIS}")


def test_a_unit_cost_of_minus_zero_is_zero_and_its_return_is_said(tmp_path):
    item = intervention(unit_cost={"amount": -0.0, "per": "case"})
    path = write(tmp_path, portfolio_data(interventions=[item]))
    proc = run("evaluate", path)
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout.split("\n\n")[1]
    assert "n/a" not in table and "infinite (no cost)" in table
    assert "-0.0" not in run("evaluate", path, "--format", "json").stdout


def test_refusals_at_the_bounds_come_before_the_work(tmp_path):
    uses = "\n".join(f"  - {{use: pause, id: p{i}}}" for i in range(limits.MAX_INTERVENTIONS))
    ranged = "\n".join(
        f"  - {{use: pause, id: p{i}, effect: {{per_case: {{low: 0.1, central: 0.2, high: 0.3}}}}}}"
        for i in range(limits.MAX_INTERVENTIONS)
    )
    text = yaml.safe_dump(portfolio_data(interventions=[]), sort_keys=False)
    plain = tmp_path / "plain.yaml"
    plain.write_text(text.replace("interventions: []", "interventions:\n" + uses))
    ranges = tmp_path / "ranges.yaml"
    ranges.write_text(text.replace("interventions: []", "interventions:\n" + ranged))
    refused("simulate", plain, "--draws", "10001", fragments=("10,001 draws x 20,000",))
    refused("sensitivity", ranges, fragments=("20,000 inputs are given as a range",))
    refused(
        "report", plain, "--docx", tmp_path / "missing" / "p.docx", fragments=("does not exist",)
    )


def test_a_forecast_of_a_hundred_years_runs(tmp_path):
    data = portfolio_data(
        baseline={**baseline("h.csv"), "years": 100, "scenarios": [{"name": "Flat"}]}
    )
    path = write(tmp_path, data)
    proc = run("forecast", path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["scenarios"][0]["years"]) == 101
    data["baseline"]["years"] = 101
    refused("forecast", write(tmp_path, data), fragments=("baseline.years",))


# ---------------------------------------------------------------------------------------------
# Faults: nothing half-written, nothing left behind
# ---------------------------------------------------------------------------------------------


def _limited(blocks: int) -> Any:
    import resource

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (blocks, blocks))

    return apply


def test_import_onto_a_full_disk_is_exit_2_and_keeps_the_previous_file(tmp_path, exported):
    previous = tmp_path / "back.yaml"
    previous.write_text("previous: file\n")
    # A file-size limit (ulimit -f): the kernel refuses the write past it.
    proc = run("import-xlsx", exported, "-o", previous, preexec_fn=_limited(1024))
    assert proc.returncode == 2, proc.stderr
    assert "cannot write file: the file would be larger than the file-size limit" in proc.stderr
    assert previous.read_text() == "previous: file\n"
    # A full disk: the write fails with ENOSPC half-way.
    script = (
        "import errno, os, sys\n"
        "real = os.write\n"
        "def full(fd, data):\n"
        "    if len(data) > 100: raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "    return real(fd, data)\n"
        "import appraise.model.save as save\n"
        "save.os = type(os)('os'); save.os.__dict__.update(os.__dict__); save.os.write = full\n"
        "from appraise.cli import main\n"
        "sys.argv = ['appraise'] + sys.argv[1:]\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, "import-xlsx", str(exported), "-o", str(previous)],
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert proc.returncode == 2, proc.stderr
    assert "cannot write file: the disk is full" in proc.stderr
    assert previous.read_text() == "previous: file\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_export_under_a_file_size_limit_reports_it(tmp_path):
    out = tmp_path / "o.xlsx"
    proc = run("export", EXAMPLES / "thurrock-2017.yaml", "--xlsx", out, preexec_fn=_limited(4096))
    assert proc.returncode == 2, proc.stderr
    assert "file-size limit (ulimit -f)" in proc.stderr
    assert not out.exists() and not list(tmp_path.iterdir())


def test_a_run_that_fails_writes_none_of_its_outputs(tmp_path, monkeypatch):
    from appraise.paper import report

    monkeypatch.setattr(report, "docx_to_pdf", lambda data, out: b"%PDF- made")
    paper = report.paper_from_files(EXAMPLES / "thurrock-2017.yaml", draws=100)
    docx = tmp_path / "paper.docx"
    with pytest.raises(InputError, match="cannot write file"):
        report.write_paper(
            paper, docx, Path("/sys/appraise-paper.pdf")
        )  # unwritable, even for root
    assert not docx.exists() and not list(tmp_path.iterdir())


def test_a_killed_export_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "o.xlsx"
    script = (
        "import os, signal, sys\n"
        "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from appraise.cli import main\n"
        "sys.argv = ['appraise'] + sys.argv[1:]\n"
        "main()\n"
    )
    command = [sys.executable, "-c", script, "export", str(EXAMPLES / "thurrock-2017.yaml")]
    proc = subprocess.run([*command, "--xlsx", str(target)], capture_output=True, timeout=HANG)
    assert proc.returncode == -signal.SIGKILL
    assert not target.exists()
    # Killed outright, nothing can tidy up at that moment: the temporary file had no name (where
    # the system allows it), or the next write beside it removes what the dead run left.
    assert run("export", EXAMPLES / "thurrock-2017.yaml", "--xlsx", target).returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == ["o.xlsx"]


def _office_processes(marker: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            line = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if marker in line and "soffice" in line:
            found.append(line)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_stopping_report_pdf_stops_libreoffice_and_removes_its_folder(tmp_path, how):
    require_tool("soffice")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    out = tmp_path / "paper.pdf"
    proc = subprocess.Popen(
        [CLI, "report", str(EXAMPLES / "thurrock-2017.yaml"), "--pdf", str(out)],
        env={**os.environ, "TMPDIR": str(temporary)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + HANG
    while not _office_processes(str(temporary)) and time.monotonic() < deadline:
        assert proc.poll() is None, "report ended before LibreOffice started"
        time.sleep(0.1)
    proc.send_signal(how)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 30
    while (_office_processes(str(temporary)) or list(temporary.iterdir())) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.2)
    assert _office_processes(str(temporary)) == []
    assert list(temporary.iterdir()) == []
    assert not out.exists()


@pytest.mark.slow
def test_report_pdf_with_its_temporary_folder_full_is_exit_2(tmp_path):
    require_tool("soffice")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    out = tmp_path / "paper.pdf"
    proc = subprocess.run(
        [CLI, "report", str(EXAMPLES / "thurrock-2017.yaml"), "--pdf", str(out)],
        env={**os.environ, "TMPDIR": str(temporary)},
        capture_output=True,
        text=True,
        timeout=HANG,
        preexec_fn=_limited(64 * 1024),
    )
    assert proc.returncode == 2, proc.stderr
    assert "LibreOffice's temporary folder" in proc.stderr and "TMPDIR" in proc.stderr
    assert not out.exists() and list(temporary.iterdir()) == []


def test_the_error_for_a_full_disk_says_so():
    from appraise.model.save import write_error

    for code, says in (
        (errno.ENOSPC, "the disk is full"),
        (errno.EFBIG, "file-size limit"),
        (errno.EDQUOT, "quota"),
    ):
        assert says in str(write_error("out.yaml", OSError(code, os.strerror(code))))

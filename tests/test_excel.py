"""The appraisal workbook as written: formulas not numbers, one shape per line, text kept as text,
atomic export, and `import-xlsx` reading the Inputs sheet back. (The LibreOffice recalculation
tests are in test_excel_libreoffice.py.)"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.formula.tokenizer import Token, Tokenizer

from appraise.engine.results import INTERVENTION_KEYS
from appraise.errors import InputError
from appraise.model.load import detect_kind, portfolio_from_data, read_yaml
from appraise.model.save import portfolio_to_data
from appraise.workbook import export as excel
from appraise.workbook import returned
from appraise.workbook.export import export_workbook, workbook_bytes
from appraise.workbook.importing import import_workbook
from appraise.workbook.inputs import INPUT_HEADERS, ROW_HEADERS
from appraise.workbook.summary import FIGURES, SUMMARY_KEYS
from appraise.workbook.writer import Formula, Sheet, read_text, render, safe_title
from tests.conftest import EXAMPLES, THURROCK
from tests.helpers import LOCAL_SOURCE, intervention, portfolio_data, summary_keys

TAB_ORDER = [
    "About",
    "Inputs",
    "Outcomes",
    "Calculations",
    "Summary",
    "Cash flows",
    "Evidence",
    "Indices",
    "Checks",
    "Integrity",
    "Portfolio file",
    "Formula check",
]
# A portfolio with a baseline (the Thurrock example names thurrock-2017-baseline.yaml) has a
# Forecast sheet after Cash flows; `--claims` adds Claims check after it (and, hidden, the claims
# file it comes from after the portfolio file).
FORECAST_TABS = [*TAB_ORDER[:6], "Forecast", *TAB_ORDER[6:]]
CLAIMS_TABS = [
    *FORECAST_TABS[:7],
    "Claims check",
    *FORECAST_TABS[7:-1],
    "Claims file",
    "Formula check",
]
# The issue's Summary header: `appraise evaluate` JSON keys, plus npv and payback_year.
REQUIRED_SUMMARY_KEYS = (  # noqa: SIM905 (the issue's list, as it reads there)
    "id name reach cost outcomes_averted gross_savings net_savings cashable_gross_savings "
    "cashable_net_savings roi break_even_outcomes break_even_success_rate npv payback_year"
).split()
INJECTED_NAME = '=HYPERLINK("http://x","y")'
INJECTED_DESCRIPTION = "@SUM(1+1)*cmd|' /C calc'!A0"
INJECTED_OUTCOME = "+1-2 =cost"


def example_portfolios() -> list[Path]:
    """Every examples/*.yaml that is a portfolio (others may be claims, actuals, ...)."""
    return [p for p in sorted(EXAMPLES.glob("*.yaml")) if detect_kind(read_yaml(p)) == "portfolio"]


def load_example(path: Path = THURROCK) -> Any:
    from appraise.model.load import load_portfolio

    return load_portfolio(path)


def write_book(portfolio: Any, folder: Path, name: str) -> Path:
    """Export a portfolio (given as a Portfolio or as file data) to folder/name.xlsx."""
    if isinstance(portfolio, dict):
        portfolio = portfolio_from_data(portfolio, f"{name}.yaml")
    return export_workbook(portfolio, folder / f"{name}.xlsx")


KEY = INPUT_HEADERS.index("Key")  # the Key column, counted from 0


def input_cell(ws: Any, key: str) -> Any:
    """The Value cell of the Inputs row whose Key column holds `key`."""
    for row in ws.iter_rows(min_row=4):
        if row[KEY].value == key:
            return row[1]
    raise KeyError(key)


def input_row(ws: Any, key: str) -> dict[str, Any]:
    """The Inputs row whose Key column holds `key`, by column header."""
    r = input_cell(ws, key).row
    return {header: ws.cell(r, c).value for c, header in enumerate(INPUT_HEADERS, 1)}


def set_input(book: Path, key: str, value: float, out: Path | None = None) -> Path:
    """Change one input cell with openpyxl, as a finance officer's edit (saved to `out`)."""
    wb = load_workbook(book)
    input_cell(wb["Inputs"], key).value = value
    out = out or book
    wb.save(out)
    return out


def injection_portfolio() -> dict[str, Any]:
    """A portfolio whose user-supplied text would be formulas if written naively."""
    outcomes = {
        "thing": {
            "name": INJECTED_OUTCOME,
            "components": [{"name": "-care =1+1", "cost": 1000, "cashable": True}],
            "sources": ["local-test-source"],
        }
    }
    item = intervention(
        name=INJECTED_NAME,
        description=INJECTED_DESCRIPTION,
        averts="thing",
        reach={"count": 10},
    )
    return portfolio_data(interventions=[item], outcomes=outcomes)


@pytest.fixture(scope="module")
def thurrock_book() -> Any:
    """The Thurrock example's workbook as written (formulas, no calculated values)."""
    return load_workbook(io.BytesIO(workbook_bytes(load_example())))


def formulas(ws: Any) -> list[tuple[str, str]]:
    return [
        (c.coordinate, c.value)
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.data_type == "f"
    ]


# ---------------------------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------------------------


def test_sheets_in_the_issue_order_with_the_portfolio_file_hidden(thurrock_book):
    assert thurrock_book.sheetnames == FORECAST_TABS
    states = {ws.title: ws.sheet_state for ws in thurrock_book.worksheets}
    assert states.pop("Portfolio file") == "hidden"
    assert states.pop("Formula check") == "hidden"  # every formula worked out again (Integrity)
    assert set(states.values()) == {"visible"}


def test_summary_header_is_the_evaluate_json_keys(thurrock_book):
    header = summary_keys(thurrock_book["Summary"])
    assert header == list(SUMMARY_KEYS)
    assert set(header) <= set(INTERVENTION_KEYS)
    # every key the issue names, in the JSON's order
    assert [k for k in header if k in REQUIRED_SUMMARY_KEYS] == REQUIRED_SUMMARY_KEYS
    ids = [thurrock_book["Summary"].cell(r, 1).value for r in range(2, 8)]
    assert ids == [
        "edge-of-care-mst",
        "pause",
        "steps-expansion",
        "dv-perpetrator-expansion",
        "parenting-capacity-expansion",
        "total",
    ]


@pytest.mark.parametrize("sheet", ["Summary", "Calculations"])
def test_summary_and_calculations_numbers_are_all_formulas(thurrock_book, sheet):
    ws = thurrock_book[sheet]
    typed = [
        c.coordinate
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, int | float) and not isinstance(c.value, bool)
    ]
    assert typed == []
    # five interventions: every Summary figure, and thirty-odd Calculations lines each
    assert len(formulas(ws)) >= 5 * (len(FIGURES) if sheet == "Summary" else 30)


ALLOWED_LITERALS = {0.0, 1.0, 12.0, 100.0}


def literals(wb: Any) -> set[float]:
    """Every number typed into a formula of the workbook; fails on one not allowed."""
    seen = set()
    for ws in wb.worksheets:
        for coordinate, formula in formulas(ws):
            for token in Tokenizer(formula).items:
                if token.type == Token.OPERAND and token.subtype == Token.NUMBER:
                    assert float(token.value) in ALLOWED_LITERALS, (ws.title, coordinate, formula)
                    seen.add(float(token.value))
    return seen


def test_no_formula_contains_a_numeric_literal_other_than_0_1_12_100(thurrock_book):
    seen = literals(thurrock_book)
    assert seen <= ALLOWED_LITERALS and {0.0, 1.0, 12.0} <= seen  # the check saw real formulas


def shape(formula: str) -> str:
    """A formula with its references blanked: other sheets' cells, then this column's rows."""
    formula = re.sub(r"('[^']+'|[A-Za-z]+)!\$[A-Z]+\$\d+", "X!ref", formula)
    return re.sub(r"\$?\b[A-Z]{1,3}(\$?\d+)\b", r"C\1", formula)


def test_each_calculation_line_has_one_formula_shape_across_interventions(thurrock_book):
    ws = thurrock_book["Calculations"]
    lines = 0
    for row in ws.iter_rows(min_row=5, min_col=4):
        cells = [c.value for c in row if c.data_type == "f"]
        if not cells:
            continue
        lines += 1
        assert len(cells) == 5, row[0].row
        assert len({shape(f) for f in cells}) == 1, [row[0].row, cells]
    assert lines >= 30


def test_calculation_formulas_point_only_at_inputs_outcomes_or_earlier_rows(thurrock_book):
    ws = thurrock_book["Calculations"]
    for coordinate, formula in formulas(ws):
        row = int(re.sub(r"[A-Z]", "", coordinate))
        for sheet in re.findall(r"('[^']+'|[A-Za-z]+)!", formula):
            assert sheet.strip("'") in ("Inputs", "Outcomes", "Indices"), (coordinate, formula)
        local = re.sub(r"('[^']+'|[A-Za-z]+)!\$[A-Z]+\$\d+", "", formula)
        for ref_row in re.findall(r"\b[A-Z]{1,3}(\d+)\b", local):
            assert int(ref_row) < row, (coordinate, formula)


def test_inputs_sheet_holds_values_only_with_a_key_per_input(thurrock_book):
    ws = thurrock_book["Inputs"]
    assert formulas(ws) == []
    # label, value, unit, owner; where the value came from (status, source, locator); note; key
    header = ["Input", "Value", "Unit", "Belongs to", "Status", "Source", "Locator", "Note", "Key"]
    assert [c.value for c in ws[3]] == header
    assert ROW_HEADERS == INPUT_HEADERS  # the order `inputs_sheet` gives a row's cells in
    keys = [r[KEY].value for r in ws.iter_rows(min_row=4) if r[KEY].value]
    assert len(keys) == len(set(keys))
    # Each input's provenance (docs/provenance.md): MST's treated risk is APHR 2017's figure for
    # the US trial, cited to section 2.3.3 with the report's words.
    row = input_row(ws, "edge-of-care-mst.effect.treated_risk")
    assert (row["Status"], row["Source"], row["Locator"]) == (
        "cited",
        "Thurrock Council (2017)",
        "section 2.3.3",
    )
    assert "from 30% to 14%" in row["Note"]
    bias = {
        header[c]: cell.value for c, cell in enumerate(ws[input_cell(ws, "optimism_bias.NE").row])
    }
    assert (bias["Status"], bias["Source"]) == ("assumed", "appraise (docs/defaults.md)")
    # The MST success rate of Thurrock's Table 7 comes from the trial's 30% and 14% placement rates.
    assert input_cell(ws, "edge-of-care-mst.effect.baseline_risk").value == 0.30
    assert input_cell(ws, "edge-of-care-mst.effect.treated_risk").value == 0.14
    assert input_cell(ws, "outcomes.lac_year.derive.weekly_placement_cost").value == 1072
    assert input_cell(ws, "discount_rate").value == 0.035


def test_formats_panes_and_a4_landscape(thurrock_book):
    summary = thurrock_book["Summary"]
    header = summary_keys(summary)
    net = summary.cell(2, header.index("net_savings") + 1)
    rate = summary.cell(2, header.index("break_even_success_rate") + 1)
    assert "£" in net.number_format and "#,##0" in net.number_format
    assert rate.number_format.endswith("%")  # MST's break-even is a success rate
    for ws in thurrock_book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
    for title, pane in (("Summary", "C2"), ("Inputs", "B4"), ("Calculations", "D4")):
        assert thurrock_book[title].freeze_panes == pane
    # wide enough to read: every header key, and the longest id ("parenting-capacity-expansion")
    from openpyxl.utils import get_column_letter

    for c, key in enumerate(header, 1):
        assert summary.column_dimensions[get_column_letter(c)].width >= len(key), key
    assert summary.column_dimensions["A"].width >= len("parenting-capacity-expansion")
    assert summary.column_dimensions["B"].width >= 30


def test_summary_has_a_bar_chart_of_net_savings():
    raw = zipfile.ZipFile(io.BytesIO(workbook_bytes(load_example())))
    charts = [raw.read(n).decode() for n in raw.namelist() if n.startswith("xl/charts/chart")]
    bars = [xml for xml in charts if "<barChart>" in xml]  # the other: Forecast's line chart
    assert len(bars) == 1
    xml = bars[0]
    column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[SUMMARY_KEYS.index("net_savings")]
    assert "<barChart>" in xml and '<barDir val="bar" />' in xml
    assert f"<val><numRef><f>'Summary'!${column}$2:${column}$6</f>" in xml  # net_savings
    assert "<cat><strRef><f>'Summary'!$A$2:$A$6</f>" in xml  # labelled by id


# ---------------------------------------------------------------------------------------------
# Safety
# ---------------------------------------------------------------------------------------------


def test_text_from_the_users_file_is_text_never_a_formula():
    data = workbook_bytes(portfolio_from_data(injection_portfolio(), "inject.yaml"))
    wb = load_workbook(io.BytesIO(data))
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value in (INJECTED_NAME, INJECTED_DESCRIPTION):
                    found.setdefault(c.value, []).append((ws.title, c.data_type))
                if c.data_type == "f":
                    assert "HYPERLINK" not in c.value and "SUM(1+1)" not in c.value
    assert {(t, d) for t, d in found[INJECTED_NAME]} >= {("Summary", "s"), ("Calculations", "s")}
    assert found[INJECTED_DESCRIPTION] == [("Calculations", "s")]
    # In the file itself: inline strings, and no <f> element holds the text.
    raw = zipfile.ZipFile(io.BytesIO(data))
    sheets = "".join(raw.read(n).decode() for n in raw.namelist() if "worksheets/sheet" in n)
    assert "<f>=HYPERLINK" not in sheets and "<f>HYPERLINK" not in sheets
    assert '<t xml:space="preserve">=HYPERLINK(&quot;' in sheets or (
        '<t xml:space="preserve">=HYPERLINK("http://x","y")</t>' in sheets
    )


def test_plain_strings_are_text_and_only_formula_objects_are_formulas():
    sheet = Sheet("S")
    sheet.put(1, 1, "=1+1")
    sheet.put(2, 1, Formula("1+1"))
    sheet.put(3, 1, "tab\there\x01bell")
    sheet.put(4, 1, "Excel reads _x0041_ as A unless escaped")
    data = render([sheet])
    ws = load_workbook(io.BytesIO(data))["S"]
    assert (ws["A1"].value, ws["A1"].data_type) == ("=1+1", "s")
    assert (ws["A2"].value, ws["A2"].data_type) == ("=1+1", "f")
    # a control character XML cannot hold is replaced
    assert ws["A3"].value == "tab\there\N{REPLACEMENT CHARACTER}bell"
    # _x0041_ is written as _x005F_x0041_ (OOXML's escape), and read back as typed
    assert (
        "_x005F_x0041_"
        in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    )
    assert read_text(ws["A4"].value) == "Excel reads _x0041_ as A unless escaped"


def test_import_keeps_text_that_looks_like_an_excel_escape(tmp_path):
    data = portfolio_data(description="reads _x0041_ literally: =1+1")
    imported = import_workbook(write_book(data, tmp_path, "p"))
    assert imported.data["description"] == "reads _x0041_ literally: =1+1"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Cash flows", "Cash flows"),
        ("a/b:c*d?e[f]g\\h", "a b c d e f g h"),
        ("'quoted'", "quoted"),
        ("x" * 40, "x" * 31),
        ("", "Sheet"),
        ("History", "History (2)"),
    ],
)
def test_sheet_titles_are_sanitised(name, expected):
    assert safe_title(name) == expected


def test_sheet_titles_are_unique_case_insensitively():
    assert safe_title("Summary", {"summary"}) == "Summary (2)"
    assert safe_title("y" * 31, {"y" * 31}) == "y" * 27 + " (2)"


def test_a_failed_export_leaves_the_existing_file_untouched(tmp_path, monkeypatch):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"the user's previous workbook")

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise RuntimeError("disk full halfway")

    monkeypatch.setattr(excel, "render", broken)
    with pytest.raises(RuntimeError):
        export_workbook(load_example(), target)
    assert target.read_bytes() == b"the user's previous workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]  # no temporary file left


def test_export_refuses_a_name_that_is_not_xlsx(tmp_path):
    with pytest.raises(InputError, match=r"must end in \.xlsx"):
        export_workbook(load_example(), tmp_path / "book.xls")


# ---------------------------------------------------------------------------------------------
# import-xlsx
# ---------------------------------------------------------------------------------------------


def uncertain_portfolio() -> dict[str, Any]:
    item = intervention(effect={"success_rate": {"low": 0.1, "central": 0.16, "high": 0.2}})
    return portfolio_data(interventions=[item])


def test_import_of_an_unedited_workbook_gives_back_the_portfolio(tmp_path):
    data = uncertain_portfolio()
    original = portfolio_from_data(data, "p.yaml")
    imported = import_workbook(write_book(original, tmp_path, "p"))
    assert imported.changes == [] and imported.warnings == []
    assert imported.data == portfolio_to_data(original)  # the distribution is kept


def test_import_writes_an_edited_input_as_a_plain_number_and_says_so(tmp_path):
    book = write_book(uncertain_portfolio(), tmp_path, "p")
    set_input(book, "svc.effect.success_rate", 0.2)
    set_input(book, "svc.reach.proportion", 0.05)
    imported = import_workbook(book)
    item = imported.data["interventions"][0]
    # The triangular distribution is dropped: the imported file holds the plain number, marked
    # edited by the workbook import, with the range it replaced (docs/provenance.md).
    rate = item["effect"]["success_rate"]
    assert rate["value"] == 0.2
    assert rate["edited"]["by"] == "workbook import"
    assert rate["edited"]["was"] == {"low": 0.1, "central": 0.16, "high": 0.2}
    assert (
        rate["edited"]["note"]
        == f"cell Inputs!{input_cell(load_workbook(book)['Inputs'], 'svc.effect.success_rate').coordinate}"
    )
    assert item["reach"]["proportion"]["value"] == 0.05
    assert len(imported.changes) == 2
    at = input_cell(load_workbook(book)["Inputs"], "svc.effect.success_rate").coordinate
    assert imported.warnings == [
        "interventions[0].effect.success_rate: had a triangular distribution; its value was "
        f"changed on the workbook (Inputs!{at}), so the imported file holds the plain number 0.2"
    ]


def test_import_maps_the_switches_back_to_settings(tmp_path):
    book = write_book(portfolio_data(), tmp_path, "p")
    for key, value in (
        ("cashable_method", 1),
        ("perspective", 1),
        ("apply_optimism_bias", 1),
        ("optimism_bias.3", 0.25),
        ("svc.timing.cohorts", 2),
        ("outcomes.dv_incident.components[1].cashable", 1),
        ("discount_rate", 0.05),
    ):
        set_input(book, key, value)
    data = import_workbook(book).data
    assert data["cashable_method"] == "pro_rata"
    assert data["perspective"] == "public_sector"
    assert data["apply_optimism_bias"] is True
    assert data["optimism_bias"]["3"]["value"] == 0.25
    assert (
        data["optimism_bias"]["3"]["edited"]["was"]["assumed"]["by"]
        == "appraise (docs/defaults.md)"
    )
    assert data["interventions"][0]["timing"]["cohorts"] == 2
    assert data["outcomes"]["dv_incident"]["components"][1]["cashable"] is True
    assert data["discount_rate"]["value"] == 0.05
    assert data["discount_rate"]["edited"]["was"]["cited"]["source"] == "green-book-2022"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("fixed:svc.reach_offset", 5, "{at}: Places already provided .* is fixed"),
        ("fixed:cox_factor", 1.7, "{at}: Cox factor.* is fixed"),
        ("cashable_method", 0.5, "{at}: Cashable convention.*: must be 1 or 0"),
        ("svc.timing.cohorts", 1.5, "{at}: .*must be a whole number"),
        ("svc.effect.success_rate", "high", "{at}: .*expected a number, got 'high'"),
        (
            "svc.effect.success_rate",
            1.5,
            r"interventions\[0\]\.effect\.success_rate \({at}\): must be between 0 and 1",
        ),
    ],
)
def test_import_refuses_edits_the_file_cannot_hold(tmp_path, key, value, message):
    book = set_input(write_book(portfolio_data(), tmp_path, "p"), key, value)
    at = "Inputs!" + input_cell(load_workbook(book)["Inputs"], key).coordinate
    with pytest.raises(InputError, match=message.format(at=at)) as caught:
        import_workbook(book)
    assert len(caught.value.problems) == 1


def test_import_xlsx_command_writes_a_portfolio_that_loads(tmp_path, cli):
    book = set_input(
        write_book(uncertain_portfolio(), tmp_path, "p"), "svc.effect.success_rate", 0.2
    )
    code, out, err = cli("import-xlsx", book, "--out", tmp_path / "edited.yaml")
    assert code == 0, err
    assert "1 input changed" in out and "interventions[0].effect.success_rate: 0.16 -> 0.2" in out
    assert "note: interventions[0].effect.success_rate: had a triangular distribution" in err
    text = (tmp_path / "edited.yaml").read_text()
    assert text.startswith("# Imported by appraise import-xlsx from p.xlsx")
    reloaded = portfolio_from_data(yaml.safe_load(text), "edited.yaml")
    assert reloaded.interventions[0].effect.success_rate == 0.2


def test_import_xlsx_rejects_what_is_not_an_exported_workbook(tmp_path, cli):
    code, _, err = cli("import-xlsx", THURROCK, "--out", tmp_path / "x.yaml")
    assert code == 2 and "not an .xlsx workbook" in err and "Traceback" not in err
    other = tmp_path / "other.xlsx"
    render([Sheet("Data")])  # a workbook, but not one of ours
    other.write_bytes(render([Sheet("Data")]))
    code, _, err = cli("import-xlsx", other, "--out", tmp_path / "x.yaml")
    assert code == 2 and "no sheet named 'Portfolio file'" in err
    code, _, err = cli("import-xlsx", other, "--out", tmp_path / "x.txt")
    assert code == 2 and "must end in .yaml" in err


def test_import_refuses_a_workbook_too_large_to_be_ours(tmp_path, monkeypatch):
    book = write_book(portfolio_data(), tmp_path, "p")
    monkeypatch.setattr(returned, "MAX_WORKBOOK_BYTES", book.stat().st_size - 1)
    with pytest.raises(InputError, match="file is larger than"):
        import_workbook(book)


def test_export_command(tmp_path, cli):
    code, out, err = cli("export", THURROCK, "--xlsx", tmp_path / "t.xlsx")
    assert code == 0, err
    assert out.startswith(f"wrote {tmp_path / 't.xlsx'}: 5 interventions over 5 years")
    assert load_workbook(tmp_path / "t.xlsx").sheetnames == FORECAST_TABS
    code, _, err = cli("export", THURROCK, "--xlsx", tmp_path / "missing" / "t.xlsx")
    assert code == 2 and "does not exist" in err


def test_every_example_portfolio_exports(tmp_path):
    examples = example_portfolios()
    assert THURROCK in examples and len(examples) >= 2
    for path in examples:
        portfolio = load_example(path)
        wb = load_workbook(write_book(portfolio, tmp_path, path.stem))
        tabs = TAB_ORDER if portfolio.baseline is None else FORECAST_TABS
        if portfolio.options is not None:  # an Options sheet follows Summary (docs/options.md)
            tabs = [*tabs[:5], "Options", *tabs[5:]]
        if any(i.unit_cost.form == "staff" for i in portfolio.interventions):
            tabs = [*tabs[:3], "Staffing", *tabs[3:]]  # staffed services: after Outcomes
        assert wb.sheetnames == tabs
    assert load_workbook(write_book(portfolio_data(), tmp_path, "p")).sheetnames == TAB_ORDER


def test_local_source_used_by_helpers_is_cited_on_the_evidence_sheet(tmp_path):
    wb = load_workbook(write_book(portfolio_data(), tmp_path, "p"))
    ids = [r[0].value for r in wb["Evidence"].iter_rows(min_row=3)]
    assert LOCAL_SOURCE["id"] in ids


def test_formulas_qualified_for_the_formula_check_as_the_tokenizer_reads_them(thurrock_book):
    # The Formula check writes each formula again on its own sheet, each reference qualified by
    # the sheet it came from; a regular expression does it (fast), checked here against
    # openpyxl's tokenizer on every formula of a real export.
    from appraise.workbook.formulas import qualify
    from appraise.workbook.writer import quote_title

    seen = 0
    for ws in thurrock_book.worksheets:
        for _, formula in formulas(ws):
            prefix = quote_title(ws.title)
            expected = "".join(
                prefix + t.value
                if t.type == Token.OPERAND and t.subtype == Token.RANGE and "!" not in t.value
                else t.value
                for t in Tokenizer(formula).items
            )
            assert qualify(formula[1:], ws.title) == expected, (ws.title, formula)
            seen += 1
    assert seen > 1000

"""The committee paper as a council's cabinet paper: its sections in order, the `paper:` block
or a visible placeholder for each, DRAFT, and the financial implications by year read back from
the docx against the engine's own lines (those the workbook's Cash flows sheet writes)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from docx.table import Table

from appraise.engine.figures import FIGURES
from appraise.model.load import evidence_for, load_portfolio
from appraise.model.schema import DESIGN_NAMES
from appraise.paper.council import INVESTMENT, PLACEHOLDER, SECTIONS, YEAR_FIGURES
from appraise.workbook.book import Book
from tests.conftest import EXAMPLES, THURROCK, run_cli
from tests.test_paper import blocks_under, heading_level, pounds, rows_of

MARK = PLACEHOLDER.split("{")[0]  # "[TO BE COMPLETED BY THE COUNCIL: "
# The engine's line of years behind each column of the table (appraise.engine.results.YEAR_KEYS).
LINE_OF = {
    "cost": "year_cost",
    "gross_savings": "year_gross_savings",
    "net_savings": "year_net_savings",
    "cashable_gross_savings": "year_cashable_gross_savings",
    "cost_avoidance_savings": "year_cost_avoidance_savings",
    "capacity_savings": "year_capacity_savings",
    "recurring_savings": "year_recurring_savings",
    "one_off_savings": "year_one_off_savings",
    "cumulative_net": "year_cumulative_net",
}


def paper(tmp_path: Path, file: Path, *args: str) -> Any:
    out = tmp_path / "paper.docx"
    proc = run_cli("report", file, "--docx", out, *args)
    assert proc.returncode == 0, proc.stderr
    return Document(str(out))


@pytest.fixture(scope="module")
def thurrock(tmp_path_factory) -> Any:
    return paper(tmp_path_factory.mktemp("council"), THURROCK)


def headings(document: Any) -> list[str]:
    return [b.text for b in document.iter_inner_content() if heading_level(b) == 1]


def text_under(document: Any, title: str) -> str:
    out = []
    for b in blocks_under(document, title):
        if isinstance(b, Table):
            out += [c.text for row in b.rows for c in row.cells]
        else:
            out.append(b.text)
    return " ".join(out)


def test_sections_in_a_cabinet_papers_order_then_the_appendices(thurrock):
    found = headings(thurrock)
    assert found[: len(SECTIONS)] == list(SECTIONS)
    assert found[len(SECTIONS)] == "Appendix: the appraisal in full"
    assert "Summary" in found[len(SECTIONS) :]
    # The header block comes first, under the title: committee, date, author, portfolio
    # holder, wards, key decision, forward plan, open or exempt, and the two sign-offs.
    first = next(b for b in thurrock.iter_inner_content() if isinstance(b, Table))
    items = [r.cells[0].text for r in first.rows]
    for item in ("Committee", "Date", "Report author", "Portfolio holder", "Wards affected"):
        assert item in items
    assert {"Key decision", "Forward plan reference", "Open or exempt"} <= set(items)


def test_a_silent_file_shows_a_placeholder_for_each_councils_section(thurrock):
    # thurrock-2017.yaml has no `paper:` block: nothing of the council's is invented.
    for title in (
        "Purpose",
        "Recommendations",
        "Background",
        "Legal implications",
        "Equalities implications",
        "Other implications",
        "Monitoring",
        "Background papers",
        "Risks",
    ):
        assert MARK in text_under(thurrock, title), title
    first = next(b for b in thurrock.iter_inner_content() if isinstance(b, Table))
    for row in first.rows[1:]:
        assert row.cells[1].text.startswith(MARK), row.cells[0].text


def financial_table(document: Any) -> dict[str, dict[str, str]]:
    """The financial implications table: each line's row, keyed by year (and "Total")."""
    table = next(
        b for b in blocks_under(document, "Financial implications") if isinstance(b, Table)
    )
    return {r[""]: r for r in rows_of(table)}


def test_financial_implications_by_year_equal_the_engines_cash_flow_lines(thurrock):
    rows = financial_table(thurrock)
    portfolio = load_portfolio(THURROCK)
    book = Book.of(portfolio, evidence_for(portfolio))
    titles = [INVESTMENT if k == "cost" else FIGURES[k].title for k in YEAR_FIGURES]
    assert list(rows) == titles
    years = [f"Year {t + 1}" for t in range(5)]
    assert list(rows[INVESTMENT]) == ["", *years, "Total"]
    compared = 0
    for key, title in zip(YEAR_FIGURES, titles, strict=True):
        line = book.value_of(LINE_OF[key], "total")  # as the Cash flows sheet writes it
        for t, year in enumerate(years):
            assert pounds(rows[title][year]) == round(line[t]), (key, year)
            compared += 1
        if key != "cumulative_net":
            assert pounds(rows[title]["Total"]) == round(sum(line)), key
    assert compared == 9 * 5
    # The classes and the recurrences each add up to gross savings, year by year.
    for year in [*years, "Total"]:
        gross = pounds(rows["Gross savings"][year])
        classes = sum(pounds(rows[FIGURES[k].title][year]) for k in YEAR_FIGURES[3:6])
        assert abs(classes - gross) <= 2
        recur = sum(pounds(rows[FIGURES[k].title][year]) for k in YEAR_FIGURES[6:8])
        assert abs(recur - gross) <= 1


def test_financial_years_label_the_years_where_the_file_starts(tmp_path):
    data = yaml.safe_load(THURROCK.read_text())
    data.pop("baseline")
    data["start"] = "2018-04"
    file = tmp_path / "started.yaml"
    file.write_text(yaml.safe_dump(data))
    rows = financial_table(paper(tmp_path, file))
    assert list(rows[INVESTMENT])[1:] == [
        "2018-19",
        "2019-20",
        "2020-21",
        "2021-22",
        "2022-23",
        "Total",
    ]


def test_the_councils_block_fills_its_sections_and_draft_marks_the_paper(tmp_path):
    data = yaml.safe_load(THURROCK.read_text())
    data["paper"] = {
        "committee": "Cabinet",
        "key_decision": True,
        "access": "open",
        "recommendations": ["Agree the invest-to-save proposal."],
        "risks": [
            {
                "risk": "Referrals fall short of reach",
                "likelihood": "medium",
                "impact": "high",
                "mitigation": "Monthly referral review",
                "owner": "Head of early help",
            }
        ],
    }
    file = tmp_path / "thurrock-2017.yaml"
    for name in ("thurrock-2017-baseline.yaml", "thurrock-lac-2011-2017.csv"):
        if (EXAMPLES / name).exists():
            (tmp_path / name).write_bytes((EXAMPLES / name).read_bytes())
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    document = paper(tmp_path, file, "--draft")
    assert document.paragraphs[0].text.startswith("DRAFT: ")
    assert "DRAFT." in document.sections[0].footer.paragraphs[-1].text
    assert "1. Agree the invest-to-save proposal." in text_under(document, "Recommendations")
    register = next(b for b in blocks_under(document, "Risks") if isinstance(b, Table))
    assert rows_of(register)[0] == {
        "Risk": "Referrals fall short of reach",
        "Likelihood": "medium",
        "Impact": "high",
        "Mitigation": "Monthly referral review",
        "Owner": "Head of early help",
    }
    first = next(b for b in document.iter_inner_content() if isinstance(b, Table))
    details = {r.cells[0].text: r.cells[1].text for r in first.rows}
    assert (details["Committee"], details["Key decision"], details["Open or exempt"]) == (
        "Cabinet",
        "Yes",
        "Open",
    )
    assert details["Date"].startswith(MARK)  # still silent, still marked


def test_a_bad_paper_block_exits_2_naming_file_field_and_value(tmp_path):
    data = yaml.safe_load(THURROCK.read_text())
    data.pop("baseline", None)
    data["paper"] = {
        "risks": [
            {"risk": "x", "likelihood": "severe", "impact": "high", "mitigation": "m", "owner": "o"}
        ]
    }
    file = tmp_path / "bad.yaml"
    file.write_text(yaml.safe_dump(data))
    proc = run_cli("report", file, "--docx", tmp_path / "p.docx")
    assert proc.returncode == 2
    assert "bad.yaml" in proc.stderr
    assert "paper.risks[0].likelihood" in proc.stderr and "severe" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "p.docx").exists()


# ---------------------------------------------------------------------------------------------
# One vocabulary of savings: the registry's (appraise.engine.figures)
# ---------------------------------------------------------------------------------------------

# Words that make "savings" a term of its own: each such term must be a registry figure's.
QUALIFIERS = {
    "net", "gross", "cashable", "cash-releasing", "care", "recurring", "one-off", "cumulative",
    "discounted", "annual", "yearly", "total", "non-cashable", "realised", "planned",
}  # fmt: skip
# The sections appraise writes wholly.
OWN_SECTIONS = (
    *(s for s in SECTIONS if s not in ("Background", "Evidence")),
    "Summary",
    "The portfolio",
    "Uncertainty",
    "The cost of doing nothing",
)
# Sections that also quote the file's own notes and its sources, whose words are theirs: checked
# with every text of the file and of its evidence taken out first (`own_words`).
QUOTING_SECTIONS = ("Evidence", "The interventions", "Assumptions log")


def _strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [t for v in data.values() for t in _strings(v)]
    if isinstance(data, list):
        return [t for v in data for t in _strings(v)]
    return []


def own_words(text: str, file: Path) -> str:
    """`text` without any text the portfolio file, the library entries it uses or its evidence
    hold (their notes, quotes and source descriptions): what is left is appraise's own wording."""
    portfolio = load_portfolio(file)
    quoted = _strings(yaml.safe_load(file.read_text(encoding="utf-8")))
    quoted += _strings(portfolio.model_dump())  # with the library entries it uses
    quoted += [t for e in evidence_for(portfolio).values() for t in _strings(e.model_dump())]
    text = re.sub(r"\s+", " ", text)
    for quote in sorted({re.sub(r"\s+", " ", q).strip() for q in quoted}, key=len, reverse=True):
        if len(quote) >= 12:
            text = text.replace(quote, " ")
    return text


def registry_terms() -> set[str]:
    """'net savings', 'cash-releasing savings', ...: the last two words of each registry title
    that names savings."""
    out = set()
    for f in FIGURES.values():
        words = f.title.lower().split(" (")[0].split(",")[0].split()
        if "savings" in words:
            at = words.index("savings")
            out.add(" ".join(words[max(at - 1, 0) : at + 1]))
    return out


def savings_terms(text: str) -> set[str]:
    return {
        f"{m.group(1).lower()} {m.group(2).lower()}"
        for m in re.finditer(r"\b([A-Za-z-]+) (savings?)\b", text)
        if m.group(1).lower() in QUALIFIERS
    }


def test_the_registry_has_the_terms_a_council_books_by():
    assert {"net savings", "gross savings", "cash-releasing savings"} <= registry_terms()
    assert {"recurring savings", "one-off savings"} <= registry_terms()
    # The check can fail: the forecast's old words are caught.
    assert savings_terms("Net saving; Cashable care saving") - registry_terms() == {
        "net saving",
        "care saving",
    }


@pytest.mark.parametrize(
    "args",
    [
        (str(THURROCK),),
        (
            str(EXAMPLES / "thurrock-2017-uncertain.yaml"),
            "--baseline",
            str(EXAMPLES / "thurrock-2017-baseline.yaml"),
        ),
    ],
    ids=["thurrock", "uncertain"],
)
def test_no_section_uses_a_savings_term_outside_the_registry(tmp_path, args):
    args = tuple(map(Path, args))
    document = paper(tmp_path, *args)
    found = headings(document)
    allowed = registry_terms()
    for title in OWN_SECTIONS:
        if title not in found:
            continue
        stray = savings_terms(text_under(document, title)) - allowed
        assert not stray, (title, stray)
    for title in QUOTING_SECTIONS:
        assert title in found
        stray = savings_terms(own_words(text_under(document, title), args[0])) - allowed
        assert not stray, (title, stray)


def test_the_options_paper_shows_no_total_across_options(tmp_path):
    document = paper(tmp_path, EXAMPLES / "edge-of-care-options.yaml")
    for title in ("Options considered", "Financial implications", "Summary", "The options"):
        for block in blocks_under(document, title):
            if isinstance(block, Table):
                cells = [c.text for row in block.rows for c in row.cells]
                assert not any(c.strip().lower() in ("total", "portfolio total") for c in cells)
    assert "never added up" in text_under(document, "Financial implications")


def test_a_range_whose_central_value_is_one_end_is_flagged(tmp_path):
    # FFT's success rate: uniform from 0 to 16% with central 0 (edge-of-care-options.yaml).
    document = paper(tmp_path, EXAMPLES / "edge-of-care-options.yaml")
    flag = "the central value, 0%, is the bottom of its range (0% to 16%)"
    assert flag in text_under(document, "Risks")
    assert flag in text_under(document, "Uncertainty")
    assert (
        "Multisystemic Therapy: Success rate"
        not in text_under(document, "Risks").split("Ranges whose central value")[-1]
    )  # MST's range (0 to 32%, central 16%) is not one-sided


def test_the_evidence_table_names_each_design_in_plain_words(thurrock):
    (table,) = [b for b in blocks_under(thurrock, "Evidence") if isinstance(b, Table)]
    designs = {row["Intervention"]: row["Design"] for row in rows_of(table)}
    assert set(designs.values()) <= {*DESIGN_NAMES.values(), "Not stated"}
    assert designs["Pause"] == DESIGN_NAMES["before_after"]  # interventions/pause.yaml
    assert not any("_" in d for d in designs.values())


def test_each_source_is_described_once_and_the_interventions_refer_back(thurrock):
    found = [p.text for p in thurrock.paragraphs if p.text.startswith("Found: ")]
    assert found and len(found) == len(set(found))  # five interventions cite one report
    assert all(text in text_under(thurrock, "Evidence") for text in found)
    interventions = text_under(thurrock, "The interventions")
    assert "Found: " not in interventions
    assert interventions.count("(each described under Evidence, Sources)") == 5
    assert "Thurrock Council (2017)" in interventions

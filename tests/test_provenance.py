"""Provenance a finance officer can rely on (docs/provenance.md).

Every figure in `examples/`, `interventions/` and `evidence/` is cited (with its locator, and the
report's exact words where the report is shipped as text in evidence/texts/), derived (a formula
that gives its value) or assumed (whose judgement and why). The audit that checks this is shown
to fail on each kind of fault it exists to catch. Each input's provenance reaches the JSON, and
the registry reads it from the input's one declaration rather than re-deriving it.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from appraise.engine.params import build
from appraise.errors import InputError
from appraise.model.audit import Texts, audit_file, normalise
from appraise.model.load import evidence_for, load_evidence, load_portfolio, portfolio_from_data
from appraise.model.provenance import (
    Provenance,
    edited_data,
    evaluate_formula,
    provenance_of,
    reproduces,
)
from appraise.model.save import portfolio_to_data
from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.helpers import intervention, portfolio_data

LIBRARY = [
    *sorted(EXAMPLES.glob("*.yaml")),
    *sorted((ROOT / "interventions").glob("*.yaml")),
    *sorted((ROOT / "evidence").glob("*.yaml")),
]
PORTFOLIOS = [
    p for p in sorted(EXAMPLES.glob("*.yaml")) if "interventions:" in p.read_text(encoding="utf-8")
]


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts.of(load_evidence(), ROOT / "evidence")


# ---------------------------------------------------------------------------------------------
# The audit over everything shipped, and the audit failing where it should
# ---------------------------------------------------------------------------------------------


def test_the_four_council_reports_are_shipped_as_text(texts):
    assert set(texts.by_id) == {
        "thurrock-aphr-2017",
        "east-sussex-thrive-2014",
        "east-sussex-thrive-2012",
        "suffolk-meic-2016",
    }
    readme = (ROOT / "evidence" / "texts" / "README.md").read_text(encoding="utf-8")
    for key in texts.by_id:
        assert f"`{key}.txt`" in readme


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_quote_citation_and_derivation_in_the_library_checks_out(path, texts):
    assert [str(p) for p in audit_file(path, texts)] == []


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "example.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_audit_fails_on_a_misquote(tmp_path, texts):
    # APHR 2017 section 2.3.3 says "£2,285 per participant"; "per family" is not its words.
    path = write(
        tmp_path,
        "cost:\n"
        "  value: 2285\n"
        "  cited:\n"
        "    source: thurrock-aphr-2017\n"
        "    at: section 2.3.3\n"
        '    quote: "found that the intervention cost £2,285 per family to implement"\n',
    )
    (problem,) = audit_file(path, texts)
    assert problem.path == "cost.cited.quote"
    assert "not found word for word in the text of thurrock-aphr-2017" in problem.message
    # The same words, as the report has them, pass (typographic quotes and line breaks aside).
    fixed = path.read_text(encoding="utf-8").replace("per family", "per\n      participant")
    assert audit_file(write(tmp_path, fixed), texts) == []


def test_the_audit_fails_on_words_in_quotation_marks_in_a_comment_or_note(tmp_path, texts):
    # The THRIVE 2014 report's words are "reduced demand and use of more cost-effective
    # options"; the example once quoted "reduced demand and cheaper options".
    path = write(
        tmp_path,
        "# costs fell from “reduced demand and cheaper options” together\n"
        "sources: [east-sussex-thrive-2014]\n"
        'note: costs fell "as a result of reduced demand and use of more cost-effective options"\n',
    )
    (problem,) = audit_file(path, texts)
    assert problem.path == "comment at line 1"
    assert problem.value == "reduced demand and cheaper options"


def test_the_audit_fails_on_a_citation_without_a_locator(tmp_path, texts):
    path = write(tmp_path, "rate: {value: 0.16, cited: {source: swenson-2010}}\n")
    (problem,) = audit_file(path, texts)
    assert (problem.path, problem.message) == (
        "rate.cited",
        "cited without a locator (at: table, section, page or paragraph)",
    )


def test_the_audit_fails_on_a_shipped_report_cited_without_its_words(tmp_path, texts):
    path = write(tmp_path, "rate: {value: 66, cited: {source: thurrock-aphr-2017, at: Table 10}}\n")
    (problem,) = audit_file(path, texts)
    assert "without the words it comes from" in problem.message


def test_the_audit_fails_on_a_wrong_derivation(tmp_path, texts):
    # 345 children in care at 82 per 10,000 is 42,073 children, not the 42,700 once used.
    good = (
        "population:\n"
        "  value: 42073\n"
        "  derived:\n"
        "    formula: children / rate * 10000\n"
        "    from: {children: 345, rate: 82}\n"
    )
    assert audit_file(write(tmp_path, good), texts) == []
    (problem,) = audit_file(write(tmp_path, good.replace("42073", "42700")), texts)
    assert problem.path == "population.derived.formula"
    assert problem.message == "gives 42,073.2, not the value 42,700"


def test_a_derived_figure_reproduces_to_the_digits_it_is_written_to():
    # APHR 2017: 35 weeks x £1,072 / 0.53 = £70,792.4528...
    result = evaluate_formula(
        "weeks * weekly / (1 - share)", {"weeks": 35, "weekly": 1072, "share": 0.47}
    )
    assert reproduces(70792.45, result) and reproduces(70792, result)
    assert not reproduces(70792.4, result) and not reproduces(70800, result)
    for bad in ("__import__('os')", "weeks ** 2", "max(weeks)", "weeks.real", "1 / 0"):
        with pytest.raises(ValueError):
            evaluate_formula(bad, {"weeks": 35})


def test_a_file_with_a_wrong_derivation_is_refused_with_its_field_path():
    item = intervention(
        effect={
            "success_rate": {
                "value": 0.2,
                "derived": {"formula": "averted / served", "from": {"averted": 3, "served": 10}},
            }
        }
    )
    with pytest.raises(InputError) as caught:
        portfolio_from_data(portfolio_data(interventions=[item]), "p.yaml")
    (problem,) = caught.value.problems
    assert problem.path == "interventions[0].effect.success_rate.derived.formula"
    assert "the formula averted / served gives 0.3, not the value 0.2" in problem.message


def test_the_normalised_text_ignores_only_whitespace_and_typographic_quotes():
    assert normalise("the ‘edge’  of\n“care”") == "the 'edge' of \"care\""
    assert normalise("2 – 3") != normalise("2 - 3")  # a dash is a character of the quote


# ---------------------------------------------------------------------------------------------
# What the examples state
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PORTFOLIOS, ids=lambda p: p.name)
def test_every_input_of_every_example_says_where_it_came_from(path):
    portfolio = load_portfolio(path)
    model = build(portfolio, evidence_for(portfolio))
    for p in model.params:
        assert p.provenance.status != "not stated", p.key
        if p.provenance.status == "cited":
            assert p.provenance.at, p.key


def test_step_down_json_gives_each_inputs_provenance_staffing_and_success_rate_assumed():
    proc = run_cli("evaluate", EXAMPLES / "step-down.yaml", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    inputs = {i["key"]: i for i in json.loads(proc.stdout)["inputs"]}
    for key in (
        "step-down-team.unit_cost.staff[0].fte",
        "step-down-team.unit_cost.staff[0].salary",
        "step-down-team.unit_cost.staff[0].on_costs",
        "step-down-team.unit_cost.non_staff",
        "step-down-team.effect.success_rate",
    ):
        provenance = inputs[key]["provenance"]
        assert provenance["status"] == "assumed", key
        assert provenance["by"] and provenance["why"], key
    # The weekly prices are cited to their rows of the GMCA database, New Economy (2015).
    residential = inputs["placements.residential.weekly_cost"]["provenance"]
    assert residential["status"] == "cited"
    assert residential["citation"] == "New Economy (2015)"
    assert residential["at"].startswith("item gmca:SS3.1")
    for i in inputs.values():
        if i["provenance"]["status"] == "cited":
            assert i["provenance"]["at"], i["key"]


def test_the_table_output_marks_each_inputs_provenance():
    proc = run_cli("evaluate", EXAMPLES / "step-down.yaml")
    lines = proc.stdout.splitlines()
    assert any(
        line.startswith("Inputs the file gives (C cited, D derived, A assumed") for line in lines
    )
    assert any(line.startswith("A  step-down-team.effect.success_rate") for line in lines)
    assert any(line.startswith("C  placements.foster.weekly_cost") for line in lines)


def test_an_input_with_no_status_is_cited_only_for_its_own_figure():
    # The intervention cites a source for its effect (effect_sources): the effect is cited
    # (without a locator, which the JSON shows); its reach, which no source is named for, is
    # not stated, whatever the intervention's sources say.
    item = intervention(effect={"success_rate": 0.16})
    item["evidence"]["effect_sources"] = item["evidence"]["sources"][:1]
    model = build(
        portfolio := portfolio_from_data(portfolio_data(interventions=[item]), "p.yaml"),
        evidence_for(portfolio),
    )
    by_key = {p.key: p.provenance for p in model.params}
    effect = by_key[f"{item['id']}.effect.success_rate"]
    assert (effect.status, effect.sources, effect.at) == (
        "cited",
        tuple(item["evidence"]["sources"][:1]),
        None,
    )
    reach = [k for k in by_key if ".reach." in k and not k.endswith("per_case")]
    assert all(by_key[k].status == "not stated" for k in reach)
    # A default the file leaves out takes its declaration's provenance.
    assert by_key[f"{item['id']}.timing.cost_months"].status == "assumed"
    assert by_key["discount_rate"].at.startswith("Annex A6")


def test_thurrock_population_is_derived_from_the_reports_count_and_rate():
    # APHR 2017 prints no child population: 345 children in care at 31 March 2017 (Table 3) at
    # 82 per 10,000 (section 1.1.1) is 42,073 children.
    portfolio = load_portfolio(EXAMPLES / "thurrock-2017.yaml")
    population = portfolio.baseline.child_population.value
    provenance = provenance_of(population)
    assert population == 42073 and provenance.status == "derived"
    names = dict(provenance.inputs)
    assert (names["children_in_care"], names["rate_per_10k"]) == (345, 82)
    assert provenance_of(names["children_in_care"]).at.startswith("section 1.1.1 and Table 3")


def test_a_file_written_back_keeps_every_provenance():
    portfolio = load_portfolio(EXAMPLES / "east-sussex-thrive.yaml")
    again = portfolio_from_data(portfolio_to_data(portfolio), "again.yaml")
    before = build(portfolio, evidence_for(portfolio)).params
    after = build(again, evidence_for(again)).params
    assert [(p.key, p.provenance) for p in after] == [(p.key, p.provenance) for p in before]


# ---------------------------------------------------------------------------------------------
# Edits keep what they replaced
# ---------------------------------------------------------------------------------------------


def test_an_edit_keeps_the_value_and_provenance_it_replaced():
    portfolio = load_portfolio(EXAMPLES / "thurrock-2017.yaml")
    model = build(portfolio, evidence_for(portfolio))
    proportion = model.param("edge-of-care-mst.reach.proportion")
    data = portfolio_to_data(portfolio)
    data["interventions"][0]["reach"]["proportion"] = edited_data(
        0.05, proportion.traced, "app", "examples/thurrock-2017.yaml"
    )
    edited = build(p := portfolio_from_data(data, "edited.yaml"), evidence_for(p))
    after = edited.param("edge-of-care-mst.reach.proportion").provenance
    assert (after.status, after.by, after.file) == ("edited", "app", "examples/thurrock-2017.yaml")
    assert float(after.was) == 0.10
    assert after.was_provenance == proportion.provenance
    assert after.was_provenance.by.startswith("Thurrock Council")
    # Edited again, it still names what the file said; set back, the file's figure returns.
    again = edited_data(0.07, edited.param("edge-of-care-mst.reach.proportion").traced, "app")
    assert again["edited"]["was"]["value"] == 0.10
    back = edited_data(0.10, edited.param("edge-of-care-mst.reach.proportion").traced, "app")
    assert back == {"value": 0.10, **proportion.provenance.to_file()}


def test_a_claims_files_assumption_is_reported_as_an_edit():
    proc = run_cli("verify", EXAMPLES / "thurrock-2017-claims.yaml", "--format", "json")
    data = json.loads(proc.stdout)
    (lac,) = data["assume"]
    provenance = lac["provenance"]
    assert (provenance["status"], provenance["by"]) == ("edited", "claims assume")
    assert provenance["was"] == pytest.approx(35 * 1072 / 0.53)
    assert provenance["was_provenance"]["status"] == "derived"


# ---------------------------------------------------------------------------------------------
# Where it lives
# ---------------------------------------------------------------------------------------------


def test_no_function_in_the_parameter_registry_is_longer_than_80_lines():
    for name in ("params.py", "walk.py", "registry.py"):
        tree = ast.parse((ROOT / "appraise" / "engine" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 80, f"{name}: {node.name} is {length} lines"


def test_provenance_is_part_of_an_inputs_declaration():
    from appraise.model.numbers import input_of
    from appraise.model.schema import Portfolio, Timing

    assert input_of(Timing, "cost_months").basis.status == "assumed"
    assert input_of(Portfolio, "discount_rate").basis == Provenance(
        "cited", ("green-book-2022",), "Annex A6 (discounting), paragraphs A6.5 to A6.8"
    )


# ---------------------------------------------------------------------------------------------
# One meaning per rating; words that follow the evidence
# ---------------------------------------------------------------------------------------------


def test_each_rating_has_one_meaning_the_guidebooks_own_words():
    from appraise.model import ratings
    from appraise.model.schema import DEFAULT_OPTIMISM_BIAS, RATINGS

    assert RATINGS == ratings.CODES == ("4+", "4", "3+", "3", "2+", "2", "NL2", "NE")
    ne = ratings.rating("NE")
    assert ne.name == "found not to be effective"
    assert "has found no evidence of improving one of our child outcomes" in ne.meaning
    assert ne.basis.sources == ("eif-guidebook",) and ne.basis.quote == ne.meaning
    assert DEFAULT_OPTIMISM_BIAS["NE"] == 1.0  # found not to work: no credit when applied
    assert [r.code for r in ratings.REGISTRY if r.evidence_based] == ["4+", "4", "3+", "3"]
    # Nowhere else gives NE another meaning.
    texts = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *LIBRARY]
    for path in texts:
        text = " ".join(path.read_text(encoding="utf-8").split())
        for wrong in ("NE (no evidence)", "NE no evidence", "NE: no evidence"):
            assert wrong not in text, path
    legend = ratings.legend()
    assert "NE found not to be effective" in legend


def two_services(tmp_path: Path) -> Path:
    """A cited effect rated 3, and the same effect from a service a rigorous study found not to
    work (NE), each paying for itself; the first with a finding against its effect."""
    cited = {"source": "thurrock-aphr-2017", "at": "section 2.3.3"}
    supported = intervention(
        id="cited-service",
        name="Cited service",
        effect={"success_rate": {"value": 0.16, "cited": cited}},
        evidence={
            "rating": "3",
            "sources": ["thurrock-aphr-2017", "fonagy-2018"],
            "against": [
                {"source": "fonagy-2018", "found": "The UK trial found no reduction in placement."}
            ],
        },
    )
    ne = intervention(
        id="ne-service",
        name="Service found not effective",
        effect={"success_rate": {"value": 0.16, "cited": cited}},
        evidence={"rating": "NE", "sources": ["thurrock-aphr-2017"]},
    )
    data = portfolio_data(interventions=[supported, ne], evidence={})
    path = tmp_path / "two.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def paper_text(path: Path, out: Path) -> str:
    from docx import Document

    proc = run_cli("report", path, "--docx", out)
    assert proc.returncode == 0, proc.stderr
    document = Document(str(out))
    return "\n".join(p.text for p in document.paragraphs)


def test_the_paper_says_the_evidence_supports_only_a_cited_effect_rated_3_or_above(tmp_path):
    text = paper_text(two_services(tmp_path), tmp_path / "two.docx")
    assert (
        "1 of 2 pays for itself in a year at the success rate the evidence supports: "
        "Cited service." in text
    )
    assert (
        "1 of 2 pays for itself in a year on the assumed success rate: Service found not effective."
        in text
    )
    cited, _, ne = text.partition("Service found not effective\n")
    # Each section's break-even says which it is.
    assert (
        "The evidence supports 16.00%"
        in text.split("Cited service\n", 1)[1].split("Service found not effective", 1)[0]
    )
    section = text.split("Id ne-service", 1)[1]
    assert "On the assumed success rate of 16.00% (not a cited effect rated 3 or above)" in section
    assert "The evidence supports" not in section
    assert "Evidence rating NE (found not to be effective)" in text
    # The finding against the effect is in the intervention's own section, not only in Methods.
    own = text.split("Id cited-service", 1)[1].split("Id ne-service", 1)[0]
    assert "A finding against this effect" in own
    assert "The UK trial found no reduction in placement." in own


def test_msts_uk_trial_finding_is_in_msts_own_section(tmp_path):
    text = paper_text(EXAMPLES / "thurrock-2017.yaml", tmp_path / "t.docx")
    mst = text.split("Id edge-of-care-mst", 1)[1].split("Id pause", 1)[0]
    assert "A finding against this effect" in mst
    assert "The UK START trial of standard MST" in mst
    assert "Fonagy et al. (2018)" in mst
    # Pause's effect is derived from the report's figures but rated 2: an assumed rate.
    pause = text.split("Id pause", 1)[1].split("Id steps-expansion", 1)[0]
    assert "On the assumed success rate" in pause


# ---------------------------------------------------------------------------------------------
# An edit in the app reaches the workbook and the paper
# ---------------------------------------------------------------------------------------------


def test_an_edit_in_the_app_shows_as_edited_in_the_workbook_and_the_paper(tmp_path, monkeypatch):
    import io

    from docx import Document
    from openpyxl import load_workbook
    from streamlit.testing.v1 import AppTest

    from appraise.workbook.inputs import INPUT_HEADERS

    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("APPRAISE_WORKSPACE", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.radio(key="page").set_value("Intervention").run()
    at.number_input(key="edit:0:interventions[0].reach.proportion").set_value(5.0).run()
    assert not at.exception and not at.error
    badges = " ".join(m.value for m in at.markdown)
    assert "edited" in badges
    from appraise.ui import downloads, paper, session

    loaded = at.session_state["loaded"]
    view_model = session.evaluate(loaded.key, loaded.name).appraisal.model
    edited = view_model.param("edge-of-care-mst.reach.proportion").provenance
    assert (edited.status, edited.by, edited.file, float(edited.was)) == (
        "edited",
        "app",
        "examples/thurrock-2017.yaml",
        0.10,
    )

    class View:  # what the Export page's downloads read
        pass

    view = View()
    view.loaded = loaded
    view.appraisal = session.evaluate(loaded.key, loaded.name).appraisal
    book = load_workbook(io.BytesIO(downloads.workbook(view)))
    sheet = book["Inputs"]
    header = [c.value for c in sheet[3]]
    assert tuple(header[: len(INPUT_HEADERS)]) == INPUT_HEADERS
    col = {h: i for i, h in enumerate(header)}
    (row,) = [
        [c.value for c in r]
        for r in sheet.iter_rows(min_row=4)
        if r[col["Key"]].value == "edge-of-care-mst.reach.proportion"
    ]
    assert row[col["Value"]] == 0.05
    assert row[col["Status"]] == "edited"
    assert "was 0.1" in row[col["Source"]]
    assert "Thurrock Council (APHR 2017, section 2.3.3)" in row[col["Source"]]

    document = Document(io.BytesIO(paper.paper(view)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "thurrock-2017.yaml is an edited copy of examples/thurrock-2017.yaml: 1 input(s)" in text
    assert (
        "Edge-of-care service based on Multisystemic Therapy: Proportion of eligible cases served: now 5%, was 10%"
        in text
    )
    log = [
        [c.text for c in r.cells]
        for t in document.tables
        for r in t.rows
        if r.cells[0].text.endswith("edge-of-care-mst.reach.proportion")
    ]
    (logged,) = log
    assert logged[4] == "edited"
    assert "was 0.1" in logged[5]

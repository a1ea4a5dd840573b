"""`appraise report`: read the files, gather the figures, write the .docx and the PDF.

The output names are checked first, then everything is read and checked, and the PDF converted,
before anything is written; both files are then written together (each to a temporary file,
renamed only when both are on disk), so a failure leaves no half-written paper and no half of one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from appraise.analyses.uncertainty import DEFAULT_DRAWS
from appraise.model.identity import run_identity
from appraise.model.load import load_baseline, portfolio_from_data, read_bytes
from appraise.model.save import write_all
from appraise.model.yamltext import parse_yaml
from appraise.paper.content import DEFAULT_SEED, Paper, gather
from appraise.paper.document import paper_docx
from appraise.paper.outputs import check_outputs
from appraise.paper.pdf import docx_to_pdf
from appraise.paper.template import Template, load_template


def paper_from_files(
    file: str | Path,
    *,
    claims: str | Path | None = None,
    actuals: str | Path | None = None,
    baseline: str | Path | None = None,
    programme: str | Path | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
) -> Paper:
    """The paper of the portfolio `file`, with a claims check, tracking against actuals, a
    forecast against another baseline and a programme report where their files are given.
    The portfolio is parsed from the very bytes its identity hashes."""
    content = read_bytes(file)
    identity = run_identity(file, content, today)
    portfolio = portfolio_from_data(parse_yaml(content, str(file)), str(file))
    checked = tracked = programme_data = None
    # Each file's modules are loaded only when it is given: a paper without them starts sooner.
    if claims is not None:
        from appraise.analyses.verify import check_claims

        checked = check_claims(claims, portfolio, file)
    if actuals is not None:
        from appraise.analyses.track import track
        from appraise.model.files import load_actuals

        tracked = track(load_actuals(actuals), portfolio).to_data()
    if programme is not None:
        from appraise.analyses.programme import report as programme_report
        from appraise.model.programme import load_programme

        programme_data = programme_report(load_programme(programme)).to_data()
    return gather(
        portfolio,
        identity,
        claims=checked,
        tracking=tracked,
        baseline=load_baseline(baseline) if baseline is not None else None,
        baseline_file=str(baseline or ""),
        programme=programme_data,
        draws=draws,
        seed=seed,
    )


def write_paper(
    paper: Paper,
    docx: str | Path | None = None,
    pdf: str | Path | None = None,
    template: Template | str | Path | None = None,
    draft: bool = False,
) -> list[Path]:
    """Write the paper as .docx and/or PDF; the files written. Both are made first and then
    written together (`appraise.model.save.write_all`): a run that fails writes neither."""
    docx_path, pdf_path = check_outputs(docx, pdf)
    if template is not None and not isinstance(template, Template):
        template = load_template(template)
    data = paper_docx(paper, template, draft)
    outputs: list[tuple[Path, bytes]] = []
    if docx_path is not None:
        outputs.append((docx_path, data))
    if pdf_path is not None:
        outputs.append((pdf_path, docx_to_pdf(data, pdf_path)))
    return write_all(outputs)

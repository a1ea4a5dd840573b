"""`appraise report`: read the files, gather the figures, write the .docx and the PDF.

The output names are checked first, then everything is read and checked, and the PDF converted,
before anything is written; both files are then written together (each to a temporary file,
renamed only when both are on disk), so a failure leaves no half-written paper and no half of one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from appraise.analyses.programme import report as programme_report
from appraise.analyses.track import track
from appraise.analyses.uncertainty import DEFAULT_DRAWS
from appraise.analyses.verify import check_claims
from appraise.errors import InputError
from appraise.model.files import load_actuals
from appraise.model.identity import run_identity
from appraise.model.load import load_baseline, portfolio_from_data, read_bytes
from appraise.model.programme import load_programme
from appraise.model.save import write_all
from appraise.model.yamltext import parse_yaml
from appraise.paper.content import DEFAULT_SEED, Paper, gather
from appraise.paper.document import paper_docx
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
    checked = check_claims(claims, portfolio, file) if claims is not None else None
    tracked = track(load_actuals(actuals), portfolio).to_data() if actuals is not None else None
    programme_data = (
        programme_report(load_programme(programme)).to_data() if programme is not None else None
    )
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


def _suffix(path: Path | None, suffix: str, option: str) -> None:
    if path is not None and path.suffix.lower() != suffix:
        raise InputError.one(str(path), "", f"{option} names a file ending in {suffix}")


def check_outputs(
    docx: str | Path | None, pdf: str | Path | None
) -> tuple[Path | None, Path | None]:
    """The files to write, checked before any work is done (a name, a folder that exists): a
    paper that cannot be written is refused in a moment, not after its figures are computed."""
    docx_path = Path(docx) if docx is not None else None
    pdf_path = Path(pdf) if pdf is not None else None
    if docx_path is None and pdf_path is None:
        raise InputError.one(
            "appraise report", "", "name a file to write: --docx OUT.docx and/or --pdf OUT.pdf"
        )
    _suffix(docx_path, ".docx", "--docx")
    _suffix(pdf_path, ".pdf", "--pdf")
    for path in (docx_path, pdf_path):
        if path is not None and not (path.parent if str(path.parent) else Path(".")).is_dir():
            raise InputError.one(str(path), "", f"folder {str(path.parent)!r} does not exist")
        if path is not None and path.is_dir():
            raise InputError.one(str(path), "", "is a folder, not a file")
    return docx_path, pdf_path


def write_paper(
    paper: Paper,
    docx: str | Path | None = None,
    pdf: str | Path | None = None,
    template: Template | str | Path | None = None,
) -> list[Path]:
    """Write the paper as .docx and/or PDF; the files written. Both are made first and then
    written together (`appraise.model.save.write_all`): a run that fails writes neither."""
    docx_path, pdf_path = check_outputs(docx, pdf)
    if template is not None and not isinstance(template, Template):
        template = load_template(template)
    data = paper_docx(paper, template)
    outputs: list[tuple[Path, bytes]] = []
    if docx_path is not None:
        outputs.append((docx_path, data))
    if pdf_path is not None:
        outputs.append((pdf_path, docx_to_pdf(data, pdf_path)))
    return write_all(outputs)

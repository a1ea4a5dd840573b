"""The committee paper on the Export page: what `appraise report FILE --claims C --actuals A
--programme P --docx/--pdf` makes, of the portfolio open in the app (with its edits) and of the
claims, actuals and programme open on the Verify and Programme pages.

The paper is made when asked (a few seconds) and its bytes are kept in the session, then offered
by plain download buttons: a download made on click (a callable) can be dropped by another
session's clean-up before the browser fetches it. The bytes are offered only while the portfolio
and the other pages' files are those it was made from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from appraise.errors import InputError
from appraise.model.identity import RunIdentity
from appraise.ui import claims, programme, session
from appraise.ui.layout import View
from appraise.ui.text import plain

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PAPER = "paper"  # session state: `Made`


@dataclass(frozen=True)
class Files:
    """The files the other pages hold, which the paper reports on as `appraise report` does."""

    claims: tuple[str, bytes] | None = None  # (name, content), from the Verify page
    actuals: tuple[str, bytes] | None = None  # (name, content), from the Verify page
    programme: tuple[str, bytes, str | None] | None = None  # (name, content, folder or None)
    programme_actuals: tuple[str, bytes] | None = None  # the Programme page's own actuals

    def described(self) -> list[str]:
        """What the paper takes from the other pages, one line each, for the page to say."""
        return [
            f"{what}: {chosen[0]}"
            for what, chosen in (
                ("Claims (Verify page)", self.claims),
                ("Actuals (Verify page)", self.actuals),
                ("Programme (Programme page)", self.programme),
                ("Programme actuals (Programme page)", self.programme_actuals),
            )
            if chosen is not None
        ]


def session_files() -> Files:
    """The claims, actuals and programme open on the Verify and Programme pages now."""
    return Files(
        claims.chosen(claims.CLAIMS),
        claims.chosen(claims.ACTUALS),
        st.session_state.get(programme.CHOSEN),
        st.session_state.get(programme.ACTUALS),
    )


@dataclass(frozen=True)
class Made:
    """A paper made: what it was made from, its Word bytes, its PDF bytes or why there are none."""

    key: tuple[str, Files]
    docx: bytes
    pdf: bytes | None
    pdf_problem: str = ""


def run_of(view: View) -> RunIdentity:
    """The identity of the YAML the Export page offers (the workbook and the paper carry it)."""
    from appraise.model.identity import run_identity

    return run_identity(yaml_name(view), session.yaml_text(view.loaded).encode("utf-8"))


def yaml_name(view: View) -> str:
    """The file name of the YAML download: the open file's stem + .yaml."""
    return stem(view.loaded.name) + ".yaml"


def stem(name: str) -> str:
    """A file name's stem, without its folders ('portfolio' for none)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] or "portfolio"


def paper_of(view: View, files: Files | None = None) -> Any:
    """The paper (`appraise.paper.content.Paper`) of the edited portfolio, as `appraise report`
    gathers it from the YAML the page offers, with the claims checked, the actuals tracked and
    the programme reported where `files` holds them. InputError for a file that does not read."""
    from appraise.analyses.programme import report as programme_report
    from appraise.analyses.track import track
    from appraise.analyses.verify import ClaimsCheck, verify
    from appraise.model.files import claims_from_text
    from appraise.model.programme import programme_from_text
    from appraise.paper.content import gather
    from appraise.ui.runs import actuals_of

    files = files or Files()
    model = view.appraisal.model
    portfolio = model.portfolio
    identity = run_of(view)
    checked = None
    if files.claims is not None:
        name, content = files.claims
        read = claims_from_text(content, name, None)
        # Checked against the open portfolio, as the Verify page checks it; the paper names the
        # file the claims were written for where it is another.
        named = read.portfolio
        other = None if named is None or Path(named).name == identity.file else named
        text = content.decode("utf-8-sig", "replace")
        checked = ClaimsCheck(verify(read, portfolio), read, identity.file, other, text)
    tracking = None
    if files.actuals is not None:
        tracking = track(actuals_of(*files.actuals), portfolio).to_data()
    programme_data = None
    if files.programme is not None:
        name, content, folder = files.programme
        extra = files.programme_actuals
        read_programme = programme_from_text(
            content,
            name,
            Path(folder) if folder else None,
            None if extra is None else (extra[1], extra[0]),
        )
        programme_data = programme_report(read_programme).to_data()
    return gather(
        portfolio,
        identity,
        model.evidence,
        claims=checked,
        tracking=tracking,
        programme=programme_data,
    )


def paper(view: View, files: Files | None = None) -> bytes:
    """The committee paper's Word bytes, as `appraise report --docx` makes them."""
    from appraise.paper.document import paper_docx

    return paper_docx(paper_of(view, files))


def make(view: View, files: Files) -> Made:
    """The paper in Word and, where LibreOffice converts it, PDF (else the reason there is none)."""
    from appraise.paper.pdf import docx_to_pdf

    docx = paper(view, files)
    try:
        pdf = docx_to_pdf(docx, stem(view.loaded.name) + "-paper.pdf")
    except InputError as error:
        return Made((view.loaded.key, files), docx, None, "\n".join(str(p) for p in error.problems))
    return Made((view.loaded.key, files), docx, pdf)


def paper_section(view: View) -> None:
    """The committee paper: made on request (a few seconds: draws, tornado, a chart each, the
    PDF), then offered for download while the portfolio and the other pages' files stay as they
    were when it was made."""
    st.subheader("Committee paper")
    st.caption(
        "A cabinet or committee paper, in Word and PDF, as `appraise report FILE --docx --pdf` "
        "makes it from the YAML download: header, purpose, recommendations, options, financial "
        "implications by year, every intervention with its break-even chart and sources, "
        "risks, every assumption. It reports on the claims and actuals open on the Verify page "
        "and the programme open on the Programme page (`--claims`, `--actuals`, `--programme`)."
    )
    files = session_files()
    taken = files.described()
    st.text(
        "With " + "; ".join(taken) + "."
        if taken
        else "No claims, actuals or programme are open: the paper has no sections for them."
    )
    key = (view.loaded.key, files)
    if st.button("Make the committee paper", key="make-paper"):
        with st.spinner("Making the paper (Word, then PDF)..."):
            try:
                st.session_state[PAPER] = make(view, files)
            except InputError as error:
                st.error(plain("\n".join(str(p) for p in error.problems)))
    made = st.session_state.get(PAPER)
    if not isinstance(made, Made) or made.key != key:
        return
    name = stem(view.loaded.name) + "-paper"
    left, right = st.columns(2)
    left.download_button(
        "Committee paper (Word)", made.docx, file_name=f"{name}.docx", mime=DOCX, key="paper-docx"
    )
    if made.pdf is not None:
        right.download_button(
            "Committee paper (PDF)",
            made.pdf,
            file_name=f"{name}.pdf",
            mime="application/pdf",
            key="paper-pdf",
        )
    else:
        right.warning(plain("No PDF: " + made.pdf_problem))

"""The app's frame: page set-up, the sidebar (pages, opening a portfolio, edits) and dispatch."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from appraise.errors import InputError
from appraise.model.reading import uploads
from appraise.ui import inputs, session
from appraise.ui.layout import MAX_STYLED_COLUMNS, TABLES_SHOWN
from appraise.ui.pages import PAGES, Page, View
from appraise.ui.text import plain

# Tiles that fit their text: a figure shrinks with the column rather than being cut to "£1,2…",
# and a long label wraps; in a table of figures (`layout.show_table`) they are right-aligned and
# never wrapped. The page's own style, no text from a file.
FIT_TILES = """<style>
[data-testid="stMetricValue"] { font-size: clamp(1.05rem, 1.9vw, 2.1rem); }
[data-testid="stMetricValue"] div, [data-testid="stMetricLabel"] p {
  white-space: normal; overflow: visible; text-overflow: clip; }
{FIGURE_RULES}
</style>"""
FIT_TILES = FIT_TILES.replace(
    "{FIGURE_RULES}",
    "\n".join(
        f'[class*="st-key-figure-table-"][class*="-x{n}-"] td:nth-child({n}), '
        f'[class*="st-key-figure-table-"][class*="-x{n}-"] th:nth-child({n}), '
        f'[class*="st-key-figure-table-"][class*="-x{n}-"] td:nth-child({n}) * '
        # Streamlit's own table style wraps cells; a wrapped "-£1,108,277" splits at the minus.
        "{ text-align: right !important; white-space: nowrap !important; }"
        for n in range(1, MAX_STYLED_COLUMNS + 1)
    ),
)
STARTED = "started"
PAGE = "page"
EXAMPLE = "example"
UPLOAD = "upload"


def start(argv: Sequence[str]) -> None:
    """Open the portfolio named on the command line (or the Thurrock example) once a session."""
    if st.session_state.get(STARTED):
        return
    st.session_state[STARTED] = True
    if argv:
        session.open_file(argv[0])
    else:
        session.open_example(session.relative(session.DEFAULT_PORTFOLIO))


def _example_chosen() -> None:
    shown = st.session_state.get(EXAMPLE)
    if shown:
        session.open_example(shown)
    st.session_state[EXAMPLE] = None  # a chooser, not a state: the same example can be reopened


def _uploaded() -> None:
    files = st.session_state.get(UPLOAD) or []
    if files:
        session.open_uploads([(upload.name, upload.getvalue()) for upload in files])


def sidebar() -> Page:
    """The page menu and the ways to open a portfolio; returns the page chosen."""
    with st.sidebar:
        st.markdown("## appraise")
        st.caption("Invest-to-save appraisal for children's social care")
        titles = [p.title for p in PAGES]
        chosen = st.radio("Page", titles, key=PAGE, bind="query-params")
        st.divider()
        loaded = session.current()
        if loaded is not None:
            st.markdown(f"**Open:** {plain(loaded.name)}")
            edits = len(session.edited_values(loaded)) if loaded.edited else 0
            if edits:
                st.caption(f"{edits} input{'s' if edits != 1 else ''} edited (not saved)")
                st.button("Discard edits", on_click=session.discard_edits, key="discard")
        examples = session.example_portfolios()
        st.selectbox(
            "Open an example",
            [session.relative(p) for p in examples],
            index=None,
            placeholder="Choose an example",
            key=EXAMPLE,
            on_change=_example_chosen,
        )
        st.file_uploader(
            "Open a portfolio file",
            type=["yaml", "yml", "csv"],
            accept_multiple_files=True,
            key=UPLOAD,
            on_change=_uploaded,
            help="Checked exactly as `appraise validate` checks it; nothing is written. Upload "
            "with it the baseline or history files it names: the app reads no other file.",
        )
        st.caption(f"Saved files go to {plain(session.workspace())}.")
    return PAGES[titles.index(chosen)] if chosen in titles else PAGES[0]


def show_load_problems() -> None:
    """The last file that failed to open, one line per problem as the CLI prints them."""
    failed = session.load_problems()
    if failed is None:
        return
    name, problems = failed
    loaded = session.current()
    still = f" Still showing {loaded.name}." if loaded else ""
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    inputs.problems_box(f"Could not open {name}: {count}.{still}", problems)


def _sign_in() -> tuple[bool, str | None]:
    """(whether .streamlit/secrets.toml asks for sign-in, the provider to use): an `[auth]`
    section asks for it (docs/deploying.md); a named `[auth.NAME]` provider is used if there is
    exactly one."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets file: the app runs for one person, on their own machine
        return False, None
    if auth is None:
        return False, None
    named = [k for k, v in auth.items() if hasattr(v, "items")]
    return True, named[0] if len(named) == 1 else None


def signed_in() -> bool:
    """Whether the app may be shown: sign-in is not asked for, or the user has signed in (with
    the council's identity provider, through Streamlit's OIDC `st.login`)."""
    required, provider = _sign_in()
    if not required:
        return True
    if st.user.get("is_logged_in"):
        with st.sidebar:
            st.caption(f"Signed in as {plain(st.user.get('email') or st.user.get('name') or '')}")
            if st.button("Sign out", key="sign-out"):
                st.logout()
        return True
    st.title("appraise")
    st.write("Sign in with your organisation's account to use the app.")
    if st.button("Sign in", key="sign-in"):
        st.login(provider) if provider else st.login()
    return False


def main(argv: Sequence[str] = ()) -> None:
    """Run one pass of the app (Streamlit reruns it on every interaction)."""
    st.set_page_config(
        page_title="appraise: invest-to-save appraisal", page_icon="£", layout="wide"
    )
    if not signed_in():
        return
    st.html(FIT_TILES)
    st.session_state[TABLES_SHOWN] = 0
    start(argv)
    page = sidebar()
    show_load_problems()
    loaded = session.current()
    if loaded is None:
        st.info("Open a portfolio file or choose an example in the sidebar.")
        return
    try:
        # A page reads no file of the server: the portfolio is self-contained data, and any
        # file it still named would be looked for among the bundled examples only.
        with uploads({}, session.BUNDLED):
            page.render(View(loaded, loaded.evaluation()))
    except InputError as error:  # e.g. a simulation over the work budget: one line a problem
        inputs.problems_box("Could not show this page", [str(p) for p in error.problems])

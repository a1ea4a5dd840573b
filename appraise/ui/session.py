"""The app's session: the portfolio being edited, how it is opened, edited, run and saved.

The edited portfolio is kept as fully resolved file data (`portfolio_to_data`: no `use:` entries),
so every field path in `Model.params` exists in it. It is stored as canonical JSON text, which is
both the one source of truth and the cache key: an edit is applied with `save.set_at`, validated
by `portfolio_from_data` exactly as a file is, and appraised once per distinct text.

The app may serve a team: an uploaded file may name only files uploaded with it or the bundled
examples (`appraise.model.reading.uploads`), nothing else on the server's disk, and Save writes
only into the workspace folder (`APPRAISE_WORKSPACE`, by default ~/appraise-workspace).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import streamlit as st

from appraise.errors import InputError, Problem
from appraise.model.limits import MAX_FILE_BYTES
from appraise.model.load import ROOT, detect_kind, parse_yaml, portfolio_from_data, read_yaml
from appraise.model.numbers import Dist
from appraise.model.pricing import inline_indices
from appraise.model.provenance import edited_data, is_figure_form
from appraise.model.reading import uploads
from appraise.model.save import portfolio_to_data, set_at, to_yaml, write_atomic
from appraise.ui.runs import Evaluation, canonical, evaluate

EXAMPLES = ROOT / "examples"
DEFAULT_PORTFOLIO = EXAMPLES / "thurrock-2017.yaml"
# Folders the app never writes to: the examples, and the library the loader reads every file of.
READ_ONLY = (EXAMPLES, ROOT / "interventions", ROOT / "evidence")

# Folders an uploaded file may name files in, besides the files uploaded with it.
BUNDLED = (EXAMPLES,)
# Files uploaded together: a portfolio, its baseline and a history CSV need three.
MAX_UPLOADS = 20
WORKSPACE_VARIABLE = "APPRAISE_WORKSPACE"

LOADED = "loaded"
LOAD_PROBLEMS = "load_problems"
EDIT_PROBLEMS = "edit_problems"
SAVED = "saved_files"  # the files this session has saved: Save may replace them without asking


@dataclass(frozen=True)
class Loaded:
    """The portfolio in this session: where it came from, as loaded and as edited."""

    name: str  # the file name problems are reported against
    original: str  # canonical JSON of the file data as loaded
    key: str  # canonical JSON of the file data with the user's edits
    generation: int  # bumped on every load or discard, so widgets start from the new data

    @property
    def data(self) -> dict[str, Any]:
        """A fresh copy of the edited file data."""
        return json.loads(self.key)

    @property
    def edited(self) -> bool:
        return self.key != self.original

    def evaluation(self) -> Evaluation:
        return evaluate(self.key, self.name)


@st.cache_data(show_spinner=False)
def _files_in(folder: str, kind: str, stamp: tuple[tuple[str, float], ...]) -> list[str]:
    """The YAML files of `folder` of one kind (portfolio, programme...): read again only when a
    file's name or time (`stamp`) changes."""
    found = []
    for name, _ in stamp:
        try:
            found_kind = detect_kind(read_yaml(Path(folder) / name))
        except InputError:
            continue
        if found_kind == kind:
            found.append(name)
    return found


def stamp_of(folder: Path) -> tuple[tuple[str, float], ...]:
    """Each YAML file of `folder` with its modification time (what a cached read is keyed on)."""
    return tuple(sorted((p.name, p.stat().st_mtime) for p in folder.glob("*.yaml")))


def examples_of(kind: str) -> list[Path]:
    """The files in examples/ of one kind."""
    return [EXAMPLES / name for name in _files_in(str(EXAMPLES), kind, stamp_of(EXAMPLES))]


def relative(path: Path) -> str:
    """A bundled file as the app names it, `examples/thurrock-2017.yaml`, wherever the app runs
    from: never a folder of the server."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def bundled(shown: str) -> Path:
    """The bundled file the app names `shown` (`relative`'s inverse); InputError for anything
    else (a name typed into the page is never a path on the server)."""
    path = ROOT / shown
    if not any(path.resolve().is_relative_to(b.resolve()) for b in BUNDLED):
        raise InputError.one(shown, "", "not a bundled example")
    return path


def example_portfolios() -> list[Path]:
    """The portfolio files in examples/ (not its claims, actuals or baseline files)."""
    return examples_of("portfolio")


def current() -> Loaded | None:
    """The portfolio in this session, or None if none has opened successfully."""
    return st.session_state.get(LOADED)


def _install(raw: Any, name: str) -> Loaded:
    portfolio = portfolio_from_data(raw, name)
    # The data must stand alone: an index read from an uploaded CSV is kept as its values, since
    # the upload is gone by the next run and the app reads no file then (`reading.uploads`).
    key = canonical(inline_indices(portfolio, portfolio_to_data(portfolio)))
    evaluate(key, name)  # a resolved portfolio re-validates; fail here, not on the first page
    before = current()
    loaded = Loaded(name, key, key, (before.generation + 1) if before else 0)
    st.session_state[LOADED] = loaded
    st.session_state[LOAD_PROBLEMS] = None
    st.session_state[EDIT_PROBLEMS] = {}
    return loaded


def _opening(name: str, action: Any) -> Loaded | None:
    """Run a load; on bad input remember its problems (shown by the page) and keep what was open."""
    try:
        return action()
    except InputError as error:
        st.session_state[LOAD_PROBLEMS] = (name, [str(p) for p in error.problems])
        st.session_state[EDIT_PROBLEMS] = {}
        return None


def open_file(path: str | Path) -> Loaded | None:
    """Open a portfolio file on disk (the one named when the app was started); None (problems
    recorded) if it is invalid."""
    return _opening(str(path), lambda: _install(read_yaml(path), str(path)))


def open_example(shown: str) -> Loaded | None:
    """Open a bundled example by the name the app shows (`examples/...`): the files it names are
    read among the bundled files, and every message names them so, not by a server path."""

    def action() -> Loaded:
        with uploads({}, BUNDLED):
            return _install(read_yaml(bundled(shown)), shown)

    return _opening(shown, action)


def open_upload(content: bytes, name: str) -> Loaded | None:
    """Open uploaded YAML the way the CLI opens a file; None (problems recorded) if invalid."""
    return open_uploads([(name, content)])


def open_uploads(files: Sequence[tuple[str, bytes]]) -> Loaded | None:
    """Open the portfolio among files uploaded together, as the CLI opens a file; the files it
    names are read from the others (or the bundled examples), never from the server's disk.
    None (problems recorded) if it is invalid."""
    # A browser sends whatever name it likes ("/etc/p.yaml"): only its last part is a name, and
    # uploads share one folder of their own, so a file names the others by that part alone.
    named = [(upload_name(name), content) for name, content in files]
    shown = ", ".join(name for name, _ in named) or "(no file)"

    def action() -> Loaded:
        if len(files) > MAX_UPLOADS:
            raise InputError.one(shown, "", f"upload at most {MAX_UPLOADS} files together")
        by_name: dict[str, bytes] = {}
        for name, content in named:
            if len(content) > MAX_FILE_BYTES:  # refused before any work is done on it
                raise InputError.one(name, "", f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
            by_name[name] = content
        name, raw = _portfolio_among(by_name)
        chosen.append(name)
        with uploads(by_name, BUNDLED):
            return _install(raw, name)

    chosen: list[str] = []
    loaded = _opening(shown, action)
    failed = load_problems()
    if loaded is None and chosen and failed is not None:
        st.session_state[LOAD_PROBLEMS] = (chosen[0], failed[1])  # "Could not open NAME"
    return loaded


def upload_name(name: str) -> str:
    """The name an uploaded file is known by: the last part of what the browser sent, without
    control characters (never a path on the server)."""
    last = PurePosixPath(name).name
    return "".join(c for c in last if c.isprintable()).strip() or "upload"


# What each kind of file is, and where in the app it goes (`load.detect_kind`'s kinds).
WHERE_IT_GOES = {
    "portfolio": "a portfolio: open it with 'Open a portfolio file' in the sidebar",
    "programme": "a programme file: open it on the Programme page",
    "programme-actuals": "a programme's actuals: upload it on the Programme page, beside its "
    "programme",
    "claims": "a claims file: check it on the Verify page",
    "actuals": "a file of realised savings (actuals): upload it on the Verify page",
    "baseline": "a baseline (the cost of doing nothing): upload it together with the portfolio "
    "that names it",
    "intervention": "a library intervention, not a portfolio: a portfolio names it under "
    "interventions (`use: ID`); the Build page adds it",
    "evidence": "an evidence entry: a portfolio holds its own sources under `evidence:`",
    "csv": "a CSV file: an actuals CSV goes on the Verify page; a history CSV is uploaded "
    "together with the portfolio whose baseline names it",
}


def kind_of(name: str, content: bytes) -> str | None:
    """The kind of an uploaded file (a key of `WHERE_IT_GOES`); None if the app cannot tell
    (unreadable, or of no kind it knows: its own checks then say what is wrong)."""
    if name.lower().endswith(".csv"):
        return "csv"
    try:
        kind = detect_kind(parse_yaml(content, name))
    except InputError:
        return None
    return None if kind == "unknown" else kind


def misplaced(name: str, content: bytes, wanted: Sequence[str]) -> str | None:
    """A problem line if an uploaded file is of a kind other than `wanted`, saying what it is
    and where it goes; None if it is wanted (or of no kind the app can tell)."""
    kind = kind_of(name, content)
    if kind is None or kind in wanted:
        return None
    return f"{name}: is {WHERE_IT_GOES[kind]}"


def _portfolio_among(files: dict[str, bytes]) -> tuple[str, Any]:
    """(name, parsed data) of the portfolio among uploaded files: the only YAML file, or else the
    last one added that reads as a portfolio (the uploader keeps earlier files: a new portfolio
    added to it is the one wanted, and the others stay at hand for it to name)."""
    yamls = [n for n in files if n.lower().endswith((".yaml", ".yml"))]
    if len(yamls) == 1:
        raw = parse_yaml(files[yamls[0]], yamls[0])
        kind = detect_kind(raw)
        if kind not in ("portfolio", "unknown"):
            raise InputError.one(yamls[0], "", f"is {WHERE_IT_GOES[kind]}")
        return yamls[0], raw
    for name in reversed(yamls):
        raw = parse_yaml(files[name], name)
        if detect_kind(raw) == "portfolio":
            return name, raw
    if len(files) == 1:
        (name,) = files
        kind = kind_of(name, files[name])
        if kind is not None:
            raise InputError.one(name, "", f"is {WHERE_IT_GOES[kind]}")
    raise InputError.one(", ".join(files), "", "none of these files is a portfolio")


def load_problems() -> tuple[str, list[str]] | None:
    """The file that last failed to open and one line per problem, as the CLI prints them."""
    return st.session_state.get(LOAD_PROBLEMS)


def edit_problems(path: str) -> list[str]:
    """Problems with the last rejected edit at `path`."""
    return st.session_state.get(EDIT_PROBLEMS, {}).get(path, [])


def edited(loaded: Loaded, path: str, value: Any) -> tuple[str, Any]:
    """Where to write an edit of field `path` to `value`, and what: an input of the registry
    (or a distribution's `.central`) becomes `edited`, keeping the value and provenance it
    replaced and naming the file it was loaded from (docs/provenance.md); a setting is written
    as it is."""
    model = evaluate(loaded.key, loaded.name).appraisal.model
    target = path.removesuffix(".central")
    param = next((p for p in model.params if p.path == target), None)
    if param is None:
        return path, value
    new = value
    if path != target and isinstance(param.value, Dist):  # the range kept, its central moved
        new = {**param.value.to_data(), "central": value}
    return target, edited_data(new, param.traced, "app", loaded.name)


def refuse(path: str, problems: list[str]) -> None:
    """Record why a value typed into the field at `path` was not applied (shown under it)."""
    st.session_state[LOAD_PROBLEMS] = None
    st.session_state[EDIT_PROBLEMS] = {path: problems}


def edit(path: str, value: Any) -> list[str]:
    """Set the input at field `path`; returns the problems (and changes nothing) if it is invalid."""
    loaded = current()
    assert loaded is not None, "edit() needs an open portfolio"
    data = loaded.data
    where, written = edited(loaded, path, value)
    set_at(data, where, written)
    key = canonical(data)
    st.session_state[LOAD_PROBLEMS] = None  # only the last action's problems are shown
    try:
        evaluate(key, loaded.name)
    except InputError as error:
        problems = [str(p) for p in error.problems]
        st.session_state[EDIT_PROBLEMS] = {path: problems}
        return problems
    st.session_state[LOADED] = Loaded(loaded.name, loaded.original, key, loaded.generation)
    st.session_state[EDIT_PROBLEMS] = {}
    return []


def rebuild(data: dict[str, Any]) -> list[str]:
    """Replace the portfolio's structure (an intervention or outcome added, removed, renamed; a
    range set): the problems, changing nothing, if the result is invalid; else [] once it is the
    portfolio being edited (Discard edits goes back to the file as loaded). `use:` entries are
    resolved from the library, as a file's are."""
    loaded = current()
    assert loaded is not None, "rebuild() needs an open portfolio"
    st.session_state[LOAD_PROBLEMS] = None
    try:
        with uploads({}, BUNDLED):
            portfolio = portfolio_from_data(data, loaded.name)
            key = canonical(inline_indices(portfolio, portfolio_to_data(portfolio)))
            evaluate(key, loaded.name)
    except InputError as error:
        return [str(p) for p in error.problems]
    st.session_state[LOADED] = Loaded(loaded.name, loaded.original, key, loaded.generation + 1)
    st.session_state[EDIT_PROBLEMS] = {}
    return []


def open_data(raw: Any, name: str) -> Loaded | None:
    """Open portfolio data made in the app (a new portfolio) as if read from file `name`."""
    return _opening(name, lambda: _install(raw, name))


def discard_edits() -> None:
    """Go back to the portfolio as loaded (widgets start again from its values)."""
    loaded = current()
    if loaded is not None:
        st.session_state[LOADED] = Loaded(
            loaded.name, loaded.original, loaded.original, loaded.generation + 1
        )
        st.session_state[EDIT_PROBLEMS] = {}


def changes(before: Any, after: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """(field path, value as loaded, value now) for every value that differs; a value written
    with its provenance (`{value: ..., edited: ...}`) is one value."""
    if is_figure_form(before) or is_figure_form(after):
        return [] if before == after else [(path, before, after)]
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for k in dict.fromkeys([*before, *after]):
            sub = f"{path}.{k}" if path else str(k)
            out += changes(before.get(k), after.get(k), sub)
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        pairs = enumerate(zip(before, after, strict=True))
        return [x for i, (b, a) in pairs for x in changes(b, a, f"{path}[{i}]")]
    return [] if before == after else [(path, before, after)]


def edited_values(loaded: Loaded) -> list[tuple[str, Any, Any]]:
    """The user's edits: field path, value as loaded, value now."""
    return changes(json.loads(loaded.original), loaded.data)


def yaml_text(loaded: Loaded) -> str:
    """The edited portfolio as a YAML file (every intervention written out in full)."""
    return to_yaml(loaded.data)


def workspace() -> Path:
    """The one folder Save writes into (`APPRAISE_WORKSPACE`, or appraise-workspace in the home
    folder of the user the app runs as)."""
    named = os.environ.get(WORKSPACE_VARIABLE, "").strip()
    return Path(named).expanduser() if named else Path.home() / "appraise-workspace"


MAX_SAVE_NAME = 255  # bytes of a file name: what Linux file systems take


def save(target: str, overwrite: bool = False) -> Path:
    """Write the edited portfolio to a YAML file in the workspace (atomically); InputError if
    refused. A file this session did not save is replaced only if `overwrite`. No message names
    a folder of the server: the user knows the workspace only as "the workspace"."""
    loaded = current()
    assert loaded is not None, "save() needs an open portfolio"
    name = target.strip()
    if not name:
        raise InputError.one("(no file name)", "", "type a file name to save to, e.g. my-case.yaml")
    shown = name if len(name) <= 80 else name[:77] + "..."
    if "\x00" in name or not name.isprintable():
        raise InputError.one(shown, "", "a file name cannot hold control characters")
    path = Path(name).expanduser()
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise InputError.one(shown, "", "a portfolio file name must end in .yaml or .yml")
    if len(path.name) > MAX_SAVE_NAME or len(path.name.encode("utf-8")) > 250:
        raise InputError.one(shown, "", f"a file name may have at most {MAX_SAVE_NAME} characters")
    folder = workspace()
    path = path if path.is_absolute() else folder / path
    try:
        resolved = path.resolve()
        for bundled in READ_ONLY:
            if resolved.is_relative_to(bundled.resolve()):
                raise InputError.one(
                    shown,
                    "",
                    f"the app does not write into {bundled.name}/ (the bundled "
                    f"{'examples' if bundled == EXAMPLES else 'library'}); choose another name",
                )
        if not resolved.is_relative_to(folder.resolve()) or resolved == folder.resolve():
            raise InputError.one(
                shown,
                "",
                "the app saves only into its workspace folder: give a file name (the workspace "
                f"is set by {WORKSPACE_VARIABLE})",
            )
        if resolved.is_dir():
            raise InputError.one(shown, "", "is a folder, not a file")
        saved: set[str] = st.session_state.setdefault(SAVED, set())
        if resolved.exists() and not overwrite and str(resolved) not in saved:
            raise InputError.one(shown, "", "file already exists; tick 'overwrite' to replace it")
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError.one(shown, "", f"cannot save: {exc.strerror}") from None
    try:
        write_atomic(path, yaml_text(loaded))
    except InputError as exc:  # its messages name the file by its path on the server
        raise InputError([Problem(shown, "", p.message) for p in exc.problems]) from None
    saved.add(str(resolved))
    return resolved.relative_to(folder.resolve())  # as the user knows it: within the workspace

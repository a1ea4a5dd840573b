"""Hostile files in the app (issue 20): an uploaded file names only uploads and bundled files,
whatever it names and whatever its own name; long names and formula-like text do no harm; no
traceback and no folder of the server in any message. (The same in a real browser:
tests/test_hostile_browser.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from tests.conftest import EXAMPLES, ROOT
from tests.helpers import portfolio_data
from tests.test_hostile_inputs import PASSWD_TEXT

SECRET = "SECRET-MARKER-20"


@pytest.fixture
def beside_the_app(monkeypatch, tmp_path) -> Path:
    """The app run from a folder of its own (as a server would run it), with a secret CSV beside
    app.py that no upload may read."""
    folder = tmp_path / "server"
    folder.mkdir()
    shutil.copy(ROOT / "app.py", folder / "app.py")
    (folder / "local-secret.csv").write_text(
        f"financial_year,index\n2016-17,{SECRET}\n2017-18,1\n# root:x:0:0:root:/root:/bin/bash\n"
    )
    monkeypatch.chdir(folder)
    monkeypatch.setenv("APPRAISE_WORKSPACE", str(tmp_path / "workspace"))
    return folder


def _app(folder: Path) -> AppTest:
    at = AppTest.from_file(str(folder / "app.py"), default_timeout=120).run()
    assert not at.exception
    return at


def _shown(at: AppTest) -> str:
    parts = [e.value for e in at.error] + [m.value for m in at.markdown]
    parts += [e.value for e in at.exception]
    return "\n".join(parts)


def _clean(shown: str, folder: Path) -> None:
    assert SECRET not in shown, shown
    for line in PASSWD_TEXT:
        assert line not in shown, shown
    assert str(folder) not in shown and str(ROOT) not in shown, shown  # no folder of the server
    assert "Traceback" not in shown


@pytest.mark.parametrize(
    ("name", "spec"),
    [
        ("upload.yaml", "local-secret.csv"),
        ("upload.yaml", {"csv": "local-secret.csv"}),
        ("upload.yaml", {"csv": "/etc/passwd"}),
        ("upload.yaml", "../../../../../../etc/passwd.csv"),
        ("/etc/p.yaml", {"csv": "passwd"}),
        ("../../p.yaml", {"csv": "local-secret.csv"}),
    ],
)
def test_an_uploaded_price_index_names_only_uploads_and_bundled_files(beside_the_app, name, spec):
    at = _app(beside_the_app)
    data = portfolio_data(price_year=2017, price_index={"health": spec})
    data["outcomes"]["dv_incident"]["components"][1]["price_year"] = 2016  # the index is used
    text = yaml.safe_dump(data, sort_keys=False).encode()
    at.sidebar.file_uploader[0].upload(name, text, "application/x-yaml").run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _shown(at)
    assert "price_index.health: " in shown
    assert "in the app a file may name only files uploaded with it" in shown or (
        "no file of this name was uploaded with it" in shown
    )
    _clean(shown, beside_the_app)
    for page in ("Portfolio", "Export"):  # and nothing on any page reads it later
        at.radio(key="page").set_value(page).run()
        _clean(_shown(at), beside_the_app)


def test_an_uploaded_price_index_csv_uploaded_with_it_is_read_and_kept_as_values(beside_the_app):
    at = _app(beside_the_app)
    data = portfolio_data(price_year=2017, price_index={"health": "mine.csv"})
    data["outcomes"]["dv_incident"]["components"][1]["price_year"] = 2016
    index = b"financial_year,index\n2016-17,98\n2017-18,100\n"
    uploader = at.sidebar.file_uploader[0]
    uploader.upload("p.yaml", yaml.safe_dump(data, sort_keys=False).encode(), "application/x-yaml")
    uploader.upload("mine.csv", index, "text/csv").run()
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Test portfolio"
    at.radio(key="page").set_value("Export").run()  # later runs read no file: the values stay
    assert not at.error and not at.exception


def test_a_long_name_makes_a_paper_and_a_long_file_name_saves(beside_the_app):
    at = _app(beside_the_app)
    text = yaml.safe_dump(portfolio_data(portfolio="N" * 300), sort_keys=False).encode()
    at.sidebar.file_uploader[0].upload("long.yaml", text, "application/x-yaml").run()
    at.radio(key="page").set_value("Export").run()
    at.button(key="make-paper").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any(b.label == "Committee paper (Word)" for b in at.get("download_button"))
    name = "a" * 245 + ".yaml"  # 250 characters: a valid file name
    at.text_input(key="save-as").set_value(name)
    at.button(key="save").click().run()
    assert not at.error, [e.value for e in at.error]
    assert (beside_the_app.parent / "workspace" / name).is_file()
    for too_long in ("b" * 300 + ".yaml", "c" * 260 + "/" + "d" * 300 + ".yaml"):
        at.text_input(key="save-as").set_value(too_long)
        at.button(key="save").click().run()
        assert not at.exception, [e.value for e in at.exception]
        shown = _shown(at)
        assert "a file name may have at most 255 characters" in shown
        _clean(shown, beside_the_app)
        assert str(beside_the_app.parent) not in shown


def test_the_programme_tables_download_formula_like_text_as_text(beside_the_app):
    at = _app(beside_the_app)
    at.radio(key="page").set_value("Programme").run()
    data: Any = yaml.safe_load((EXAMPLES / "suffolk-meic.yaml").read_text())
    evil = '=HYPERLINK("http://127.0.0.1:9/x","click")'
    for target in data["programme"]["savings_targets"]:
        target["workstream"] = evil
    for saving in (data.get("actuals") or {}).get("savings", []):
        saving["workstream"] = evil
    text = yaml.safe_dump(data, sort_keys=False).encode()
    at.file_uploader(key="programme-upload:0").upload("p.yaml", text, "application/x-yaml").run()
    assert not at.exception, [e.value for e in at.exception]
    cells = [str(v) for frame in at.dataframe for v in frame.value.to_numpy().ravel()]
    assert any(evil in c for c in cells)
    assert not any(c.startswith("=") for c in cells)  # "Download as CSV" writes what is shown
    assert f"'{evil}" in cells

"""Hostile uploads in a real browser (issue 20): `streamlit run` from a folder of its own, with
a secret file beside app.py, driven with Debian's Chromium by Playwright (as
tests/test_browser.py drives the app).

A portfolio whose `price_index` names /etc/passwd or the file beside app.py is refused in a plain
alert, with neither the file's content nor a folder of the server on the page; a file whose name
is Markdown (an image, a link) is named as text, and the browser fetches nothing from the host
it names.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.helpers import portfolio_data
from tests.hostile_files import recording_server
from tests.test_browser import (
    MST,
    TIMEOUT_MS,
    WIDTH,
    browser,  # noqa: F401  (fixture)
    chromium,  # noqa: F401  (fixture)
    fresh,
    row,
    settled,
    sidebar,
    streamlit_app,
)
from tests.test_hostile_inputs import PASSWD_TEXT

pytestmark = pytest.mark.slow

SECRET = "SECRET-MARKER-20"


@pytest.fixture(scope="module")
def server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:  # noqa: F811
    """The app served from its own folder (app.py and a secret CSV beside it): URL and folder."""
    folder = tmp_path_factory.mktemp("server")
    shutil.copy(ROOT / "app.py", folder / "app.py")
    (folder / "local-secret.csv").write_text(
        f"financial_year,index\n2016-17,{SECRET}\n2017-18,1\n# root:x:0:0:root:/root:/bin/bash\n"
    )
    log = folder / "streamlit.log"
    options = ("--client.showErrorDetails", "false")
    with streamlit_app(folder / "app.py", folder, log, *options) as url:
        yield url, folder


@pytest.fixture
def page(browser, server):  # noqa: F811
    context = browser.new_context(viewport={"width": WIDTH, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto(server[0])
    row(tab, MST, table=0).wait_for()
    settled(tab)
    yield tab, requests
    context.close()


def upload(tab, name: str, data: dict) -> None:
    text = yaml.safe_dump(data, sort_keys=False).encode()
    sidebar(tab).locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": "application/x-yaml", "buffer": text}]
    )


def refusal(tab, heading: str) -> str:
    """The text of the alert that starts with `heading`, once its problem lines are drawn."""
    alert = fresh(tab).get_by_role("alert").filter(has_text=heading)
    alert.locator("code").wait_for()
    settled(tab)
    return alert.inner_text()


def _indexed(spec: object) -> dict:
    data = portfolio_data(price_year=2017, price_index={"health": spec})
    data["outcomes"]["dv_incident"]["components"][1]["price_year"] = 2016
    return data


@pytest.mark.parametrize(
    "spec",
    [{"csv": "/etc/passwd"}, "local-secret.csv", {"csv": "../../../../../etc/passwd"}],
    ids=["etc-passwd", "beside-app-py", "dot-dot"],
)
def test_a_price_index_naming_a_server_file_is_refused_plainly_in_chromium(page, server, spec):
    tab, _ = page
    upload(tab, "upload.yaml", _indexed(spec))
    shown = refusal(tab, "Could not open upload.yaml")
    assert "upload.yaml: price_index.health:" in shown
    whole = tab.locator("body").inner_text()
    for text in (SECRET, *PASSWD_TEXT, str(server[1]), str(ROOT)):
        assert text not in whole, text
    # Still showing the example, which the refusal did not replace.
    assert row(tab, MST, table=0).count() == 1


def test_markdown_in_an_uploaded_files_name_is_text_and_fetches_nothing(page):
    tab, requests = page
    with recording_server() as (url, received):
        host = url.removeprefix("http://")
        # No "/" (a file name has none: it would be a folder); a browser reads "\" as one in a URL.
        there = f"http:\\\\{host}"
        name = f"![x]({there}\\x.png) [Sign in again]({there}\\login) <img src={there}\\y.png>.yaml"
        upload(tab, name, {"portfolio": [1, 2]})  # not a portfolio: refused, and named
        shown = refusal(tab, "Could not open")
        assert "[Sign in again]" in shown and "![x]" in shown  # the name as written
        assert not fresh(tab).locator(f'a[href*="{host}"], img[src*="{host}"]').count()
        tab.wait_for_timeout(1000)
        assert received == []
        assert not [r for r in requests if host in r]

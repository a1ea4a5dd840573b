"""Hostile files rebuilt for the tests: a Word template carrying everything a template must not
pass on (issue 20), and a local HTTP server that records every request it gets."""

from __future__ import annotations

import http.server
import io
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from docx import Document

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MS = "http://schemas.microsoft.com/office/2006/relationships"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# One pixel of PNG: what a header picture embedded in the template holds.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _picture(rid: str, how: str) -> str:
    """A drawing whose picture is `r:link` (outside the file) or `r:embed` (a part of it)."""
    return (
        '<w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
        'wordprocessingDrawing"><wp:extent cx="95250" cy="95250"/><wp:docPr id="9" name="logo"/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData'
        ' uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic xmlns:pic='
        '"http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="9"'
        ' name="logo"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:'
        f'{how}="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm>'
        '<a:off x="0" y="0"/><a:ext cx="95250" cy="95250"/></a:xfrm><a:prstGeom prst="rect"/>'
        "</pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )


def _rel(rid: str, kind: str, target: str, external: bool = True, ns: str = R) -> str:
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rid}" Type="{ns}/{kind}" Target="{target}"{mode}/>'


def hostile_template(path: Path, url: str, secret: Path | None = None) -> Path:
    """A .docx template with macros, remote pictures (over `url`, and `file://` at `secret`), an
    attached remote template, hyperlinks, altChunk, an OLE object, INCLUDEPICTURE, INCLUDETEXT
    and DDEAUTO fields, and plain header and footer text ("House header", "House footer") in
    styles it defines ("House Heading" size 23)."""
    from docx.shared import Pt

    base = Document()
    style = base.styles["Heading 1"]
    style.font.size = Pt(23)
    base.sections[0].header.paragraphs[0].text = "House header"
    base.sections[0].footer.paragraphs[0].text = "House footer"
    base.add_paragraph("Body text of the template")
    buffer = io.BytesIO()
    base.save(buffer)
    secret_url = secret.as_uri() if secret else "file:///etc/passwd"
    fields = (
        f'<w:p><w:fldSimple w:instr=" INCLUDEPICTURE &quot;{url}/field.png&quot; \\d ">'
        "<w:r><w:t>picture field</w:t></w:r></w:fldSimple></w:p>"
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
        f' INCLUDETEXT "{url}/included.txt" </w:instrText></w:r><w:r><w:fldChar '
        'w:fldCharType="separate"/></w:r><w:r><w:t>INCLUDED RESULT</w:t></w:r><w:r><w:fldChar '
        'w:fldCharType="end"/></w:r></w:p>'
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
        ' DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe" </w:instrText></w:r><w:r>'
        '<w:fldChar w:fldCharType="end"/></w:r></w:p>'
        '<w:p><w:hyperlink r:id="rIdLink"><w:r><w:t>House link</w:t></w:r></w:hyperlink></w:p>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/header1.xml":
                text = data.decode()
                extra = (
                    f"<w:p>{_picture('rIdRemote', 'link')}{_picture('rIdLocal', 'link')}"
                    f"{_picture('rIdEmbedded', 'embed')}</w:p>{fields}"
                )
                data = text.replace("</w:hdr>", extra + "</w:hdr>").encode()
            elif info.filename == "word/_rels/document.xml.rels":
                rels = (
                    _rel("rIdVba", "vbaProject", "vbaProject.bin", False, MS)
                    + _rel("rIdChunk", "aFChunk", f"{url}/chunk.html")
                    + _rel("rIdOle", "oleObject", f"{url}/object.bin")
                    + _rel("rIdBodyLink", "hyperlink", f"{url}/body")
                )
                data = data.decode().replace("</Relationships>", rels + "</Relationships>").encode()
            elif info.filename == "word/document.xml":
                body = (
                    '<w:altChunk r:id="rIdChunk"/><w:p><w:r><w:object><o:OLEObject xmlns:o='
                    '"urn:schemas-microsoft-com:office:office" Type="Link" ProgID="Word.Document"'
                    ' r:id="rIdOle"/></w:object></w:r></w:p>'
                )
                data = data.decode().replace("<w:body>", "<w:body>" + body).encode()
            elif info.filename == "word/settings.xml":
                data = (
                    data.decode()
                    .replace("<w:zoom", '<w:attachedTemplate r:id="rIdTpl"/><w:zoom', 1)
                    .encode()
                )
            target.writestr(info, data)
        header_rels = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns='
            '"http://schemas.openxmlformats.org/package/2006/relationships">'
            + _rel("rIdRemote", "image", f"{url}/header.png")
            + _rel("rIdLocal", "image", secret_url)
            + _rel("rIdEmbedded", "image", "media/logo.png", False)
            + _rel("rIdLink", "hyperlink", f"{url}/link")
            + "</Relationships>"
        )
        target.writestr("word/_rels/header1.xml.rels", header_rels)
        target.writestr("word/media/logo.png", PNG)
        target.writestr(
            "word/_rels/settings.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns='
            '"http://schemas.openxmlformats.org/package/2006/relationships">'
            + _rel("rIdTpl", "attachedTemplate", f"{url}/house.dotm")
            + "</Relationships>",
        )
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro project: AutoOpen")
    path.write_bytes(out.getvalue())
    return path


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802  (the standard library's name)
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    do_HEAD = do_GET
    do_OPTIONS = do_GET
    do_PROPFIND = do_GET

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def recording_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 (a free port): its URL and the list of paths requested."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.requests  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()

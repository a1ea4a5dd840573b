"""A council's Word template, taken apart: only its styles, page set-up and plain header and
footer text reach the paper.

A template is a user's file like any other, and a Word file can carry much more than looks:
macros (`vbaProject.bin`), links that Word or LibreOffice follow when the file is opened (a
header picture on a web server or `file:///` on the machine, an attached template `.dotm`,
`altChunk` imports, frames), fields that fetch or run something when updated (`INCLUDEPICTURE`,
`INCLUDETEXT`, `DDEAUTO`), embedded objects (OLE, ActiveX), fonts and building blocks. None of it is
copied: the paper is a new document from python-docx's own package, into which this module puts

- the template's styles (those the paper uses, with every style they are based on), its default
  fonts and spacing, its theme's colours and fonts and the numbering its list styles use;
- its page set-up (size, margins, orientation, columns, a different first page);
- the text of its headers and footers, paragraph by paragraph, in their styles and alignment
  (no pictures, no fields, no links);

and `Template.dropped` lists what was left behind, for the user to read. The package is bounded
before it is unpacked (parts, total size, each part read), and each part is parsed by lxml
without a DTD, entities or the network.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from appraise.errors import InputError
from appraise.model.reading import read_file
from appraise.paper.text import clean

MAX_TEMPLATE_BYTES = 20 * 2**20  # the .docx file: logos make a template a few MiB at most
MAX_TEMPLATE_PARTS = 2_000
MAX_TEMPLATE_UNPACKED = 200 * 2**20
MAX_PART_BYTES = 8 * 2**20  # one part read (styles, numbering, theme, a header, the body)
MAX_STYLES = 5_000  # style definitions: Word's own template has about 400 (most latent)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_W = f"{{{W}}}"
_R = f"{{{R}}}"

# The styles the paper uses (appraise.paper.word), matched without regard to case as Word writes
# built-in names in lower case ("heading 1").
PAPER_STYLES = {
    "normal",
    "title",
    "subtitle",
    "heading 1",
    "heading 2",
    "heading 3",
    "caption",
    "list bullet",
    "header",
    "footer",
    "table grid",
    "strong",
    "table text",
    "table heading",
    "table text small",
    "table heading small",
    "default paragraph font",
    "normal table",
    "no list",
}
# Page set-up kept from the template's last section, in the order the schema wants them.
PAGE_SETUP = (
    "pgSz",
    "pgMar",
    "pgNumType",
    "cols",
    "vAlign",
    "titlePg",
    "textDirection",
    "bidi",
    "rtlGutter",
    "docGrid",
)
# What relationship types are called in the notice.
_LINK_KINDS = {
    "image": "a picture",
    "hyperlink": "a hyperlink",
    "attachedTemplate": "an attached template",
    "aFChunk": "an imported document (altChunk)",
    "oleObject": "an OLE object",
    "frame": "a frame",
    "subDocument": "a subdocument",
    "package": "an embedded package",
}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class Paragraph:
    """A header or footer paragraph as text: its style (a name), alignment and text."""

    style: str | None
    align: str | None
    text: str


@dataclass
class Template:
    """What a template gives the paper, and what it carried that was dropped."""

    file: str
    styles: list[Any] = field(default_factory=list)  # w:style elements kept
    defaults: Any = None  # w:docDefaults
    numbering: bytes | None = None
    theme: bytes | None = None
    page: list[Any] = field(default_factory=list)  # sectPr children kept (PAGE_SETUP)
    first_page: bool = False
    even_and_odd: bool = False
    headers: dict[str, list[Paragraph]] = field(default_factory=dict)  # "default", "first"...
    footers: dict[str, list[Paragraph]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)

    @property
    def notice(self) -> str:
        """One line for the user: what the paper took from the template and what it left."""
        kept = "its styles, page set-up and header and footer text"
        if not self.dropped:
            return f"template {self.file}: took {kept}"
        return f"template {self.file}: took {kept}; dropped {'; '.join(self.dropped)}"


class _Package:
    """The template's zip, read part by part within the limits."""

    def __init__(self, data: bytes, file: str):
        self.file = file
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            parts = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, EOFError):
            raise InputError.one(
                file, "", "not a Word document (.docx): it is not a zip package"
            ) from None
        if len(parts) > MAX_TEMPLATE_PARTS:
            raise InputError.one(
                file,
                "",
                f"has {len(parts):,} parts; a Word template has at most {MAX_TEMPLATE_PARTS:,}",
            )
        unpacked = sum(p.file_size for p in parts)
        if unpacked > MAX_TEMPLATE_UNPACKED:
            raise InputError.one(
                file,
                "",
                f"unpacks to {unpacked / 2**20:,.0f} MiB; a template may unpack to "
                f"{MAX_TEMPLATE_UNPACKED // 2**20} MiB",
            )
        self.names = {p.filename: p for p in parts}

    def raw(self, name: str) -> bytes | None:
        info = self.names.get(name)
        if info is None:
            return None
        if info.file_size > MAX_PART_BYTES:
            raise InputError.one(
                self.file,
                "",
                f"its part {name[:60]!r} is {info.file_size / 2**20:,.1f} MiB; a template's "
                f"parts are read up to {MAX_PART_BYTES // 2**20} MiB each",
            )
        try:
            return self.zip.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise InputError.one(self.file, "", f"a damaged part ({exc})") from None

    def xml(self, name: str) -> Any:
        data = self.raw(name)
        if data is None:
            return None
        try:
            root = etree.fromstring(data, _parser())
        except etree.XMLSyntaxError as exc:
            raise InputError.one(
                self.file, "", f"its part {name[:60]!r} is not well-formed XML ({exc.msg})"
            ) from None
        if root.getroottree().docinfo.doctype:
            raise InputError.one(
                self.file, "", f"its part {name[:60]!r} has a DTD, which no Word file has"
            )
        return root

    def rels(self, part: str) -> dict[str, tuple[str, str, bool]]:
        """rId -> (type's last word, target part name or URL, external) of a part's rels."""
        path = PurePosixPath(part)
        root = self.xml(str(path.parent / "_rels" / f"{path.name}.rels"))
        out: dict[str, tuple[str, str, bool]] = {}
        if root is None:
            return out
        for rel in root.iter(f"{{{PKG}}}Relationship"):
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            target = rel.get("Target") or ""
            external = rel.get("TargetMode") == "External"
            if not external:
                target = str(_join(path.parent, target))
            out[rel.get("Id") or ""] = (kind, target, external)
        return out


def _join(folder: PurePosixPath, target: str) -> PurePosixPath:
    """A relationship's target as a part name (targets are relative to the source's folder)."""
    parts: list[str] = [] if target.startswith("/") else list(folder.parts)
    for piece in target.lstrip("/").split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


def _text_of(root: Any) -> str:
    """The plain text of a paragraph: its runs' text, tabs and breaks, without any field (the
    code of a complex field and its result alike) and without text in shapes or pictures."""
    out: list[str] = []
    depth = 0  # inside a complex field (between its begin and end)
    for node in root.iter():
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == f"{_W}fldChar":
            kind = node.get(f"{_W}fldCharType")
            depth += 1 if kind == "begin" else -1 if kind == "end" else 0
            depth = max(depth, 0)
            continue
        if depth or _inside(node, ("fldSimple", "drawing", "pict", "object", "txbxContent")):
            continue
        if tag == f"{_W}t":
            out.append(node.text or "")
        elif tag == f"{_W}tab":
            out.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
    return clean("".join(out))


def _inside(node: Any, names: tuple[str, ...]) -> bool:
    wanted = {f"{_W}{n}" for n in names} | {"{urn:schemas-microsoft-com:vml}shape"}
    parent = node.getparent()
    while parent is not None:
        if parent.tag in wanted:
            return True
        parent = parent.getparent()
    return False


_FIELD_NAME = re.compile(r"\s*([A-Za-z]+)")


def _fields(root: Any) -> list[str]:
    """The name of every field in a part (`INCLUDEPICTURE`), simple or complex."""
    codes = [n.get(f"{_W}instr") or "" for n in root.iter(f"{_W}fldSimple")]
    codes += [n.text or "" for n in root.iter(f"{_W}instrText")]
    names = []
    for code in codes:
        found = _FIELD_NAME.match(code)
        if found:
            names.append(found.group(1).upper())
    return names


def load_template(path: str | Path) -> Template:
    """Read a template file once (at most MAX_TEMPLATE_BYTES) and take it apart."""
    return read_template(read_file(path, MAX_TEMPLATE_BYTES), str(path))


def read_template(data: bytes, file: str) -> Template:
    """Take a template apart (see the module docstring); InputError if it is not a Word file."""
    package = _Package(data, file)
    template = Template(file)
    dropped: Counter[str] = Counter()
    fields: list[str] = []
    main = _main_part(package)
    rels = package.rels(main)
    by_kind: dict[str, str] = {}
    for kind, target, external in rels.values():
        if not external:
            by_kind.setdefault(kind, target)
    _survey(package, dropped)
    body = package.xml(main)
    if body is None or body.tag != f"{_W}document":
        raise InputError.one(
            file, "", "not a Word document (.docx): its main part is not a Word document"
        )
    section = None
    if body is not None:
        found = body.find(f"{_W}body")
        if found is not None and len(found):
            section = found[-1] if found[-1].tag == f"{_W}sectPr" else None
            content = [c for c in found if c.tag != f"{_W}sectPr"]
            if any(_text_of(c) for c in content) or any(
                c.tag == f"{_W}tbl" or _has_object(c) for c in content
            ):
                dropped["the body (text, tables and pictures: the paper writes its own)"] += 1
            fields += _fields(found)
    if section is not None:
        _read_section(package, section, rels, template, dropped, fields)
    used = {
        p.style for paras in (*template.headers.values(), *template.footers.values()) for p in paras
    }
    _read_styles(package, by_kind.get("styles"), template, used - {None})
    _read_numbering(package, by_kind.get("numbering"), template)
    theme = package.xml(by_kind["theme"]) if "theme" in by_kind else None
    if theme is not None:
        for node in list(theme.iter()):  # a picture fill refers to a part: not copied
            if any(key.startswith(_R) for key in node.attrib) and node.getparent() is not None:
                node.getparent().remove(node)
        template.theme = etree.tostring(theme, xml_declaration=True, encoding="UTF-8")
    settings = package.xml(by_kind["settings"]) if "settings" in by_kind else None
    if settings is not None:
        template.even_and_odd = settings.find(f"{_W}evenAndOddHeaders") is not None
    template.dropped = _notice(dropped, fields)
    return template


def _main_part(package: _Package) -> str:
    for kind, target, external in package.rels("").values():
        if kind == "officeDocument" and not external:
            return target
    raise InputError.one(
        package.file, "", "not a Word document (.docx): it has no main document part"
    )


def _survey(package: _Package, dropped: Counter[str]) -> None:
    """Count what the package holds that is never copied: macros, embedded objects and fonts,
    building blocks, and every link out of the file (in any part)."""
    for name in package.names:
        low = name.lower()
        if low.endswith("vbaproject.bin") or low.endswith("vbadata.xml"):
            dropped["macros (vbaProject.bin)"] += 1
        elif "/embeddings/" in low or "/activex/" in low:
            dropped["embedded objects (OLE, ActiveX)"] += 1
        elif "/fonts/" in low and low.endswith((".odttf", ".ttf")):
            dropped["embedded fonts"] += 1
        elif "/glossary/" in low and low.endswith("document.xml"):
            dropped["building blocks (glossary)"] += 1
    for name in package.names:
        if not name.endswith(".rels"):
            continue
        folder = PurePosixPath(name).parent.parent
        source = str(folder / PurePosixPath(name).name.removesuffix(".rels"))
        for kind, _, external in package.rels(source).values():
            if external:
                what = _LINK_KINDS.get(kind, f"a link ({kind[:30]})")
                dropped[f"external link: {what}"] += 1


def _has_object(node: Any) -> bool:
    objects = (
        f"{_W}drawing",
        f"{_W}pict",
        f"{_W}object",
        "{urn:schemas-microsoft-com:office:office}OLEObject",
    )
    return any(n.tag in objects for n in node.iter())


def _style_name(style: Any) -> str:
    name = style.find(f"{_W}name")
    return (name.get(f"{_W}val") if name is not None else "") or ""


def _read_styles(
    package: _Package, part: str | None, template: Template, used: set[str | None]
) -> None:
    """The paper's styles, those the header and footer paragraphs use (`used`, by id), every
    style they rest on, and the document defaults."""
    root = package.xml(part) if part else None
    if root is None:
        return
    styles = root.findall(f"{_W}style")
    if len(styles) > MAX_STYLES:
        raise InputError.one(
            package.file,
            "",
            f"defines {len(styles):,} styles; a template may define at most {MAX_STYLES:,}",
        )
    by_id = {s.get(f"{_W}styleId"): s for s in styles}
    wanted = [
        s
        for s in styles
        if _style_name(s).lower() in PAPER_STYLES
        or s.get(f"{_W}default") in ("1", "true")
        or s.get(f"{_W}styleId") in used
    ]
    keep: dict[str, Any] = {}
    while wanted:
        style = wanted.pop()
        ident = style.get(f"{_W}styleId") or ""
        if ident in keep:
            continue
        keep[ident] = style
        for link in ("basedOn", "link", "next"):
            ref = style.find(f"{_W}{link}")
            target = by_id.get(ref.get(f"{_W}val")) if ref is not None else None
            if target is not None:
                wanted.append(target)
    template.styles = [_without_links(copy.deepcopy(s)) for s in keep.values()]
    defaults = root.find(f"{_W}docDefaults")
    template.defaults = _without_links(copy.deepcopy(defaults)) if defaults is not None else None


def _without_links(node: Any) -> Any:
    """The element with every attribute that points at another part (r:id, r:embed) removed."""
    for item in node.iter():
        for key in [k for k in item.attrib if k.startswith(_R)]:
            del item.attrib[key]
    return node


def _read_numbering(package: _Package, part: str | None, template: Template) -> None:
    """The list definitions, without picture bullets (pictures are parts: not copied)."""
    uses = any(s.find(f".//{_W}numPr") is not None for s in template.styles)
    root = package.xml(part) if part and uses else None
    if root is None:
        for style in template.styles:  # a list style with no list definition: a plain style
            for numbering in style.findall(f".//{_W}numPr"):
                numbering.getparent().remove(numbering)
        return
    for tag in ("numPicBullet", "lvlPicBulletId"):
        for node in list(root.iter(f"{_W}{tag}")):
            node.getparent().remove(node)
    template.numbering = etree.tostring(_without_links(root), encoding="UTF-8")


def _read_section(
    package: _Package,
    section: Any,
    rels: dict[str, tuple[str, str, bool]],
    template: Template,
    dropped: Counter[str],
    fields: list[str],
) -> None:
    """Page set-up and the header and footer texts of the template's last section."""
    for tag in PAGE_SETUP:
        node = section.find(f"{_W}{tag}")
        if node is not None:
            template.page.append(_without_links(copy.deepcopy(node)))
    template.first_page = section.find(f"{_W}titlePg") is not None
    for reference, into in (
        ("headerReference", template.headers),
        ("footerReference", template.footers),
    ):
        for ref in section.findall(f"{_W}{reference}"):
            kind = ref.get(f"{_W}type") or "default"
            found = rels.get(ref.get(f"{_R}id") or "")
            if found is None or found[2]:
                continue
            root = package.xml(found[1])
            if root is None:
                continue
            fields += _fields(root)
            pictures = sum(
                1 for n in root.iter() if n.tag in (f"{_W}drawing", f"{_W}pict", f"{_W}object")
            )
            if pictures:
                dropped["pictures and objects in headers or footers"] += pictures
            into[kind] = [
                _paragraph(p) for p in root.iter(f"{_W}p") if not _inside(p, ("txbxContent",))
            ]


def _paragraph(node: Any) -> Paragraph:
    props = node.find(f"{_W}pPr")
    style = align = None
    if props is not None:
        found = props.find(f"{_W}pStyle")
        style = found.get(f"{_W}val") if found is not None else None
        jc = props.find(f"{_W}jc")
        align = jc.get(f"{_W}val") if jc is not None else None
    return Paragraph(style, align, _text_of(node))


def _notice(dropped: Counter[str], fields: list[str]) -> list[str]:
    out = [f"{what} ({n})" if n > 1 else what for what, n in sorted(dropped.items())]
    if fields:
        names = ", ".join(dict.fromkeys(fields))
        out.append(f"fields ({names})")
    return out


# ---------------------------------------------------------------------------------------------
# Into the paper
# ---------------------------------------------------------------------------------------------


def apply_template(document: Any, template: Template) -> None:
    """Put what `template` gives into a new python-docx document (its own package: nothing else
    of the template's file is in it)."""
    from docx.oxml import OxmlElement, parse_xml

    styles = document.styles.element
    if template.defaults is not None:
        old = styles.find(f"{_W}docDefaults")
        if old is not None:
            styles.remove(old)
        styles.insert(0, parse_xml(etree.tostring(template.defaults)))
    names = {_style_name(s).lower() for s in template.styles}
    ids = {s.get(f"{_W}styleId") for s in template.styles}
    given_defaults = {s.get(f"{_W}type") for s in template.styles if s.get(f"{_W}default")}
    lists = template.numbering is not None and "list bullet" in names
    for style in list(styles.findall(f"{_W}style")):
        if _style_name(style).lower() in names or style.get(f"{_W}styleId") in ids:
            styles.remove(style)
        elif style.get(f"{_W}type") in given_defaults and style.get(f"{_W}default"):
            del style.attrib[f"{_W}default"]
    for style in template.styles:
        kept = copy.deepcopy(style)
        if not lists:  # the paper's own list definitions stay; the template's do not come
            for numbering in kept.findall(f".//{_W}numPr"):
                numbering.getparent().remove(numbering)
        styles.append(parse_xml(etree.tostring(kept)))
    if lists:
        document.part.numbering_part._element = parse_xml(template.numbering)
    if template.theme is not None:
        for rel in document.part.rels.values():
            if rel.reltype.endswith("/theme") and not rel.is_external:
                rel.target_part._blob = template.theme
    section = document.sections[0]
    setup = section._sectPr
    for child in list(setup):
        if etree.QName(child).localname in PAGE_SETUP:
            setup.remove(child)
    for node in template.page:
        setup.append(parse_xml(etree.tostring(node)))
    section.different_first_page_header_footer = template.first_page
    document.settings.odd_and_even_pages_header_footer = template.even_and_odd
    known = {s.style_id for s in document.styles}
    for parts, kinds, fallback in (
        (template.headers, ("header", "first_page_header", "even_page_header"), "Header"),
        (template.footers, ("footer", "first_page_footer", "even_page_footer"), "Footer"),
    ):
        for kind, attribute in zip(("default", "first", "even"), kinds, strict=True):
            paragraphs = parts.get(kind)
            if paragraphs is None:
                continue
            target = getattr(section, attribute)
            target.is_linked_to_previous = False
            element = target._element
            for child in list(element):
                element.remove(child)
            for given in paragraphs or [Paragraph(None, None, "")]:
                paragraph = target.add_paragraph()
                if given.style in known:
                    paragraph._p.style = given.style
                elif fallback in {s.name for s in document.styles}:
                    paragraph.style = document.styles[fallback]
                if given.align and re.fullmatch(r"[A-Za-z]{1,20}", given.align):
                    jc = OxmlElement("w:jc")
                    jc.set(f"{_W}val", given.align)
                    paragraph._p.get_or_add_pPr().append(jc)
                if given.text:
                    paragraph.add_run(given.text)

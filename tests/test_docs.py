"""The README and docs/ say each thing once, and every link in them leads somewhere.

The README keeps the first screen and short task-oriented sections; the depth lives in docs/ and
is linked, not repeated (issue 11). A paragraph copied from one page into another drifts the day
one copy is edited, so no prose paragraph (nor any long run of its words) may appear twice.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]

# Shorter text (a caption, "Details: docs/x.md") may fairly recur; a paragraph this long is prose.
MIN_CHARS = 120
# Twenty words in the same order are a copy, not a turn of phrase (a stock phrase such as "with
# the file, the field path and the rejected value" is fourteen).
RUN_WORDS = 20

FENCE = re.compile(r"^\s*(```|~~~)")
LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
INLINE_CODE = re.compile(r"`+[^`]*`+")


@dataclass(frozen=True)
class Block:
    """A unit of prose: a paragraph, a list item or a quoted paragraph, whitespace normalised."""

    path: Path
    line: int
    text: str

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def prose_blocks(path: Path) -> list[Block]:
    """Paragraphs and list items of a Markdown file, without code, tables or headings."""
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    in_fence = False
    in_comment = False
    after_blank = True

    def close() -> None:
        nonlocal current
        if current:
            blocks.append(Block(path, start, " ".join(" ".join(current).split())))
        current = []

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if FENCE.match(raw):
            close()
            in_fence = not in_fence
            after_blank = False
            continue
        if in_fence:
            continue
        if raw.lstrip().startswith("<!--"):  # an HTML comment (an example's setup) is not prose
            close()
            in_comment = "-->" not in raw
            continue
        if in_comment:
            in_comment = "-->" not in raw
            continue
        line = raw.rstrip()
        stripped = line.lstrip()
        if not stripped:
            close()
            after_blank = True
            continue
        was_after_blank, after_blank = after_blank, False
        if stripped.startswith(">"):  # a quoted paragraph is prose like any other
            stripped = stripped.lstrip(">").strip()
            if not stripped:
                close()
                continue
        if stripped.startswith(("#", "|")) or stripped.startswith("!["):
            close()  # headings, table rows and pictures are not prose
            continue
        if was_after_blank and line.startswith("    ") and not current:
            continue  # an indented code block (a formula on a line of its own)
        if LIST_ITEM.match(stripped):
            close()
            stripped = LIST_ITEM.sub("", stripped, count=1)
        if not current:
            start = number
        current.append(stripped)
    close()
    return blocks


def repeated(items: dict[str, list[Block]]) -> list[str]:
    return [
        " and ".join(b.where() for b in where) + f": {text[:100]}..."
        for text, where in items.items()
        if len(where) > 1
    ]


def all_blocks() -> list[Block]:
    return [block for page in PAGES for block in prose_blocks(page)]


def test_no_paragraph_appears_twice_in_the_readme_and_docs():
    seen: dict[str, list[Block]] = defaultdict(list)
    for block in all_blocks():
        if len(block.text) >= MIN_CHARS:
            seen[block.text].append(block)
    duplicates = repeated(seen)
    assert not duplicates, "paragraphs written twice (link to one instead):\n" + "\n".join(
        duplicates
    )


def test_no_run_of_twenty_words_appears_in_two_paragraphs():
    """A paragraph copied with a word changed is still a copy: its long runs of words give it away."""
    seen: dict[str, list[Block]] = defaultdict(list)
    for block in all_blocks():
        words = block.text.split()
        for start in range(len(words) - RUN_WORDS + 1):
            run = " ".join(words[start : start + RUN_WORDS])
            if block not in seen[run]:
                seen[run].append(block)
    copies: dict[tuple[Block, ...], str] = {}
    for run, where in seen.items():
        if len(where) > 1:
            copies.setdefault(tuple(where), run)  # one example run per pair of paragraphs
    found = [" and ".join(b.where() for b in where) + f": {run}" for where, run in copies.items()]
    assert not found, "runs of words written twice (link to one instead):\n" + "\n".join(found)


def test_the_paragraph_splitter_finds_prose_and_skips_code_tables_and_headings(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "# A heading\n\nFirst paragraph,\nwrapped.\n\n```\ncode\n```\n\n| a | b |\n|---|---|\n\n"
        "- an item\n  continued\n- another\n\n> quoted\n> text\n\n    indented code\n",
        encoding="utf-8",
    )
    found = [(b.line, b.text) for b in prose_blocks(page)]
    assert found == [
        (3, "First paragraph, wrapped."),
        (13, "an item continued"),
        (15, "another"),
        (17, "quoted text"),
    ]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    counts: dict[str, int] = defaultdict(int)
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and line.startswith("#"):
            base = slug(line.lstrip("#"))
            found.add(base if counts[base] == 0 else f"{base}-{counts[base]}")
            counts[base] += 1
    return found


def links(path: Path) -> list[tuple[int, str]]:
    """Every link and picture target outside code, with its line number (a link may wrap)."""
    prose: list[str] = []
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
        prose.append("" if in_fence or FENCE.match(line) else line)
    # Inline code is blanked but its line breaks kept, so line numbers stay right.
    text = INLINE_CODE.sub(lambda m: "\n" * m.group().count("\n"), "\n".join(prose))
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in LINK.finditer(text)]


def test_every_relative_link_in_the_readme_and_docs_leads_to_a_file_and_heading_that_exist():
    broken = []
    for page in PAGES:
        for number, target in links(page):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # https:, mailto:: outside the repository
            file_part, _, anchor = target.partition("#")
            destination = (page.parent / file_part).resolve() if file_part else page
            where = f"{page.relative_to(ROOT)}:{number}: {target}"
            if not destination.is_file():
                broken.append(f"{where} (no such file)")
            elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
                broken.append(f"{where} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_the_readme_links_every_docs_page():
    linked = {
        (README.parent / target.partition("#")[0]).resolve()
        for _, target in links(README)
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target)
    }
    missing = [p.name for p in PAGES[1:] if p.resolve() not in linked]
    assert not missing, f"docs pages the README does not link: {missing}"


def test_the_readme_quick_start_is_the_two_commands():
    text = README.read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make app" in quick_start
    assert "make test" in quick_start

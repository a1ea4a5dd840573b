"""Text from a user's file, shown as text.

Streamlit renders Markdown in titles, captions, tables, widget labels and messages. A name,
description or note from an uploaded file must not become a link, an image the browser fetches
from anywhere, HTML, or a formula: `plain` escapes what could. Emphasis is left alone: it changes
no more than how a word looks.
"""

from __future__ import annotations

import re
from typing import Any

# Links and images start with "[", autolinks with "<", maths is "$".
_SPECIAL = re.compile(r"([\\\[\]<>$])")
# GitHub-flavoured Markdown also links bare addresses ("http://", "www.", "name@host") after
# escapes are read, so a backslash cannot stop it: an invisible word joiner (U+2060) inside each
# breaks the pattern and changes nothing on screen.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)")
WORD_JOINER = "\N{WORD JOINER}"


def plain(text: Any) -> str:
    """`text` escaped so that Streamlit's Markdown shows it as written, and never as a link, an
    image, HTML or maths."""
    return _AUTOLINK.sub(WORD_JOINER, _SPECIAL.sub(r"\\\1", str(text)))


def fenced(lines: list[str]) -> str:
    """Lines as a Markdown code block, fenced with more backticks than any run inside them, so
    that no line can close the block and be read as Markdown."""
    body = "\n".join(lines)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


def code(text: Any) -> str:
    """`text` as an inline code span (shown exactly, no Markdown inside), delimited by more
    backticks than any run within it."""
    body = str(text).replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    ticks = "`" * (longest + 1)
    return f"{ticks} {body} {ticks}" if longest else f"`{body}`"

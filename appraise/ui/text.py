"""Text from a user's file, shown as text.

Streamlit renders Markdown in titles, captions, tables, widget labels and messages. A name,
description or note from an uploaded file must not become a link, an image the browser fetches
from anywhere, HTML, or a formula: `plain` escapes what could. Emphasis is left alone: it changes
no more than how a word looks.
"""

from __future__ import annotations

import re
from typing import Any

# Links and images start with "[", autolinks with "<", e-mail autolinks hold "@", maths is "$".
_SPECIAL = re.compile(r"([\\\[\]<>$@])")
# Bare addresses that GitHub-flavoured Markdown turns into links: "http://", "www.".
_AUTOLINK = re.compile(r"(?i)(?<=:)//|(?<=www)\.")


def plain(text: Any) -> str:
    """`text` escaped so that Streamlit's Markdown shows it exactly, and never as a link."""
    escaped = _SPECIAL.sub(r"\\\1", str(text))
    return _AUTOLINK.sub(lambda m: "".join("\\" + c for c in m.group(0)), escaped)


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

"""Text from a user's file, made safe to place in a Word document or a rendered chart."""

from __future__ import annotations

import re
from typing import Any

# Characters XML 1.0 cannot hold: python-docx refuses a run holding one, and vl-convert aborts
# the whole process on a chart label holding one. Dropped; nothing else is changed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: object) -> str:
    """Text as a document can hold it: characters XML cannot carry are dropped."""
    return NOT_XML.sub("", str(text))


PROPERTY_LIMIT = 255  # characters: Word's limit on a document property (title, comments)


def property_text(text: object) -> str:
    """Text for a document property: cleaned, and cut to Word's 255 characters with an ellipsis
    (a 300-character portfolio name makes the paper, not an error)."""
    text = clean(text)
    return (
        text
        if len(text) <= PROPERTY_LIMIT
        else text[: PROPERTY_LIMIT - 1] + "\N{HORIZONTAL ELLIPSIS}"
    )


def clean_all(value: Any) -> Any:
    """Every string in nested lists and dicts (keys too) cleaned; other values as they are."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean_all(k): clean_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_all(v) for v in value]
    return value

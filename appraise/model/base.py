"""What every file model shares: strict pydantic models, slugs, and one-of-several forms."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PAYER = re.compile(r"^[a-z][a-z0-9_]*$")


class Base(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)


Text = Annotated[str, Field(min_length=1)]


def check_slug(v: str, what: str) -> str:
    if not SLUG.match(v):
        raise ValueError(
            f"{what} must be lower-case letters, digits, '-' or '_', starting with a letter or "
            f"digit (got {v!r})"
        )
    return v


def one_form(model: BaseModel, forms: dict[str, tuple[str, ...]], what: str) -> str:
    """Return the name of the single form whose keys are all present; reject mixtures."""
    given = {k for k in forms_keys(forms) if getattr(model, k) is not None}
    for name, keys in forms.items():
        if given == set(keys):
            return name
    options = " or ".join("{" + ", ".join(k) + "}" for k in forms.values())
    got = "{" + ", ".join(sorted(given)) + "}" if given else "nothing"
    raise ValueError(f"{what} takes {options}; got {got}")


def forms_keys(forms: dict[str, tuple[str, ...]]) -> set[str]:
    return {k for keys in forms.values() for k in keys}

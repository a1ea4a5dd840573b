"""What every file model shares: strict pydantic models, slugs, and one-of-several forms."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from appraise.model.numbers import declared_basis
from appraise.model.provenance import attach, provenance_of

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PAYER = re.compile(r"^[a-z][a-z0-9_]*$")


class Base(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)

    @model_validator(mode="after")
    def _defaults_carry_their_basis(self) -> Base:
        """A numeric input left at its default carries the provenance its declaration gives the
        default (`Input.basis`), so it keeps it when the model is written out and read back."""
        for name in type(self).model_fields:
            if name in self.model_fields_set:
                continue
            basis = declared_basis(type(self), name)
            value = getattr(self, name)
            if basis is not None and value is not None and provenance_of(value) is None:
                object.__setattr__(self, name, attach(value, basis))
        return self


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

"""What every file model shares: strict pydantic models, slugs, and one-of-several forms."""

from __future__ import annotations

import re
from contextvars import ContextVar
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from appraise.model.memo import ByText
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
        bases = _declared_bases(type(self))
        if not bases:
            return self
        given, values = self.__pydantic_fields_set__, self.__dict__
        for name, basis in bases:
            if name in given:
                continue
            value = values[name]
            if value is not None and provenance_of(value) is None:
                object.__setattr__(self, name, _defaulted(value, basis))
        return self


_DEFAULTED: dict[tuple[int, float], Any] = {}


def _defaulted(value: Any, basis: Any) -> Any:
    """`value` carrying `basis`: for a plain number, made once per declaration and value (each of
    10,000 interventions leaves the same few fields at their defaults), the bases being
    declarations that live as long as their classes; a number so carried is never changed."""
    if type(value) is not float:
        return attach(value, basis)
    key = (id(basis), value)
    found = _DEFAULTED.get(key)
    if found is None or found.provenance is not basis:
        found = _DEFAULTED[key] = attach(value, basis)
    return found


def made_once() -> Any:
    """A validator for a part of an intervention that many interventions write alike (an effect,
    a unit cost, the evidence, the timing), set last in its class (`_made_once = made_once()`),
    so that it holds the class's other validators: the part is validated once per distinct text
    (`ByText`), and the model then made is given to each intervention that writes it the same
    way (10,000 interventions made from a few templates validate a few of each, not 10,000)."""

    def _made_once(cls: type, data: Any, handler: Any) -> Any:
        if data.__class__ is not dict or _BY_INIT.get():
            return handler(data)
        return _SHARED.get(data, cls, lambda: handler(data))

    return model_validator(mode="wrap")(classmethod(_made_once))  # type: ignore[arg-type]


_SHARED = ByText(kept=4096)

# Set while a model is made by calling its class (`Timing(**fields)`): pydantic then fills in
# the instance being made and cannot hand back a shared one (it would come out empty).
_BY_INIT: ContextVar[bool] = ContextVar("appraise_made_by_init", default=False)


class Shared(Base):
    """A part made once per distinct text when read from file data (`made_once`); made by
    calling its class, it is made afresh."""

    def __init__(self, /, **data: Any) -> None:
        token = _BY_INIT.set(True)
        try:
            super().__init__(**data)
        finally:
            _BY_INIT.reset(token)

    # Pydantic's own mark for an __init__ that only wraps its own (RootModel's is marked so):
    # unmarked, `model_validate` would make every part through this __init__, sharing none, and
    # call it with the file's keys as keywords (a key that is not text a TypeError, not a
    # refusal naming it).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]


@cache
def _declared_bases(model: type[BaseModel]) -> tuple[tuple[str, Any], ...]:
    """The fields of `model` whose declaration gives their default a basis, with it: found once
    per class, not once per instance (10,000 interventions make 80,000 instances)."""
    found = ((name, declared_basis(model, name)) for name in model.model_fields)
    return tuple((name, basis) for name, basis in found if basis is not None)


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
    # Asked for again and again of the same model (a shared effect, 10,000 times): kept with
    # the model itself, so that its id stands for it while kept (a model is never changed).
    kept = _FORMS.get((id(model), id(forms)))
    if kept is not None and kept[0] is model and kept[1] is forms:
        return kept[2]
    keys, shapes = _shapes(forms)
    values = model.__dict__  # a model's fields (getattr for each took a tenth of building 10,000)
    given = frozenset(k for k in keys if values[k] is not None)
    name = shapes.get(given)
    if name is not None:
        if len(_FORMS) >= _FORMS_KEPT:
            _FORMS.clear()
        _FORMS[(id(model), id(forms))] = (model, forms, name)
        return name
    options = " or ".join("{" + ", ".join(k) + "}" for k in forms.values())
    got = "{" + ", ".join(sorted(given)) + "}" if given else "nothing"
    raise ValueError(f"{what} takes {options}; got {got}")


_FORMS: dict[tuple[int, int], tuple[BaseModel, dict[str, tuple[str, ...]], str]] = {}
# More than a portfolio of MAX_INTERVENTIONS (20,000) asks of: each one's reach (a part of its own,
# not shared) is asked for its form when validated and again when built; with fewer kept, 10,000
# were let go between the two and worked out again (0.03 s, benchmarks/load.py).
_FORMS_KEPT = 65_536


def forms_keys(forms: dict[str, tuple[str, ...]]) -> set[str]:
    return {k for keys in forms.values() for k in keys}


_SHAPES: dict[int, tuple[Any, tuple[str, ...], dict[frozenset[str], str]]] = {}


def _shapes(forms: dict[str, tuple[str, ...]]) -> tuple[tuple[str, ...], dict[frozenset[str], str]]:
    """Every key of `forms`, and each form by the set of its keys (the first form, where two
    have the same keys): worked out once per table of forms, not once per `one_form` (a form is
    asked for hundreds of thousands of times at 10,000 interventions)."""
    found = _SHAPES.get(id(forms))
    if found is None or found[0] is not forms:
        shapes: dict[frozenset[str], str] = {}
        for name, keys in forms.items():
            shapes.setdefault(frozenset(keys), name)
        found = _SHAPES[id(forms)] = (forms, tuple(sorted(forms_keys(forms))), shapes)
    return found[1], found[2]

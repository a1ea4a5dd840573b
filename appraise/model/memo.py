"""What reading file data makes, kept by the data's text: a portfolio's interventions repeat the
same few figures and parts, which are then read once, not once an intervention
(benchmarks/load.py: 10,000 interventions from five templates)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class ByText:
    """Values made from file data, kept by the data's text (`repr`), which tells file data apart
    exactly (1 from 1.0 and True, key order included). What is kept is never changed once made,
    so sharing it is safe. A refusal is not kept: each raises again, naming its own field. At
    most `kept` values are held (all let go when full)."""

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self.found: dict[tuple[Hashable, str], Any] = {}

    def get(self, data: Any, kind: Hashable, make: Callable[[], Any]) -> Any:
        """The value `make()` gives for `data` of `kind`, made the first time only."""
        try:
            key = (kind, repr(data))
        except ValueError:  # an integer too long to write out: made, uncached, to refuse it
            return make()
        found = self.found.get(key)
        if found is None:
            found = make()
            if len(self.found) >= self.kept:
                self.found.clear()
            self.found[key] = found
        return found

"""What reading file data makes, kept by the data's text: a portfolio's interventions repeat the
same few figures and parts, which are then read once, not once an intervention
(benchmarks/load.py: 10,000 interventions from five templates)."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Hashable
from typing import Any


def text_of(data: Any) -> bytes:
    """File data written out exactly: its pickle, which tells data apart as `repr` does (1 from
    1.0 and True, text from a date, key order included) in a third of the time (54,000 parts at
    10,000 interventions). Data written alike may still come out apart (pickle writes an object
    met twice as a reference to the first): then it is read twice, never mistaken."""
    return pickle.dumps(data, pickle.HIGHEST_PROTOCOL)


class ByText:
    """Values made from file data, kept by the data's text (`text_of`), which tells file data
    apart exactly. What is kept is never changed once made, so sharing it is safe. A refusal is
    not kept: each raises again, naming its own field. At most `kept` values are held (all let
    go when full)."""

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self.found: dict[tuple[Hashable, bytes], Any] = {}

    def get(self, data: Any, kind: Hashable, make: Callable[[], Any]) -> Any:
        """The value `make()` gives for `data` of `kind`, made the first time only."""
        try:
            key = (kind, text_of(data))
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return make()  # not file data (an object made in code): made, uncached
        found = self.found.get(key)
        if found is None:
            found = make()
            if len(self.found) >= self.kept:
                self.found.clear()
            self.found[key] = found
        return found

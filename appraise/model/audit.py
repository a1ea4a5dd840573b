"""Checking the provenance a file states against the source texts the project ships.

`audit_file` reads a YAML file (an example, a library intervention, an evidence entry) and finds:

- every quotation (words in double quotation marks, in a value or a comment, and every `quote:`)
  in a file that cites a source shipped as text (`Evidence.text`) that is not in that text word
  for word (whitespace and typographic quotation marks aside);
- every figure cited (`cited:`) without a locator (`at:`), or cited to a shipped text without the
  words it comes from (`quote:`);
- every derived figure whose formula does not give its value.

`tests/test_provenance.py` runs it over `examples/`, `interventions/` and `evidence/`, so none of
these can be shipped (docs/provenance.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appraise.errors import Problem, join_path
from appraise.model.provenance import (
    CITED,
    DERIVED,
    EDITED,
    evaluate_formula,
    is_figure_form,
    reproduces,
)
from appraise.model.reading import read_file
from appraise.model.schema import Evidence
from appraise.model.yamltext import parse_yaml

# Typographic quotation marks read as plain ones; every run of whitespace as one space.
_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "‘": "'", "’": "'", "‚": "'"})
_QUOTED = re.compile(r'"([^"]+)"')
MIN_QUOTE_CHARS = 3  # "a" in quotation marks is a term, not a quotation
# Keys whose text is not prose: a quotation in them is not one of the file's quotations.
NOT_PROSE = {"quote", "formula", "url", "text", "id", "source", "also", "item"}


def normalise(text: str) -> str:
    """Text compared for quotation: typographic quotes plain, whitespace one space."""
    return " ".join(text.translate(_MARKS).split())


def quotations(text: str) -> list[str]:
    """The words in double quotation marks (plain or typographic) in a piece of prose."""
    return [
        q.strip() for q in _QUOTED.findall(normalise(text)) if len(q.strip()) >= MIN_QUOTE_CHARS
    ]


@dataclass(frozen=True)
class Texts:
    """The shipped source texts, normalised, by evidence id."""

    by_id: Mapping[str, str]

    @classmethod
    def of(cls, evidence: Mapping[str, Evidence], folder: Path) -> Texts:
        found = {}
        for key, entry in evidence.items():
            if entry.text:
                found[key] = normalise(read_file(folder / entry.text).decode("utf-8-sig"))
        return cls(found)

    def holds(self, source: str, words: str) -> bool:
        return normalise(words) in self.by_id.get(source, "")


def comments(raw: str) -> list[tuple[int, str]]:
    """(first line, text) of each block of comment lines: a `#` at a line's start or after a
    space, outside double-quoted text (a quotation may run across the lines of one block)."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(raw.splitlines(), start=1):
        found = _comment(line)
        if found is None:
            if current:
                blocks.append((start, " ".join(current)))
            current = []
            continue
        if not current:
            start = number
        current.append(found)
    if current:
        blocks.append((start, " ".join(current)))
    return blocks


def _comment(line: str) -> str | None:
    inside = False
    for k, char in enumerate(line):
        if char == '"':
            inside = not inside
        elif char == "#" and not inside and (k == 0 or line[k - 1] in " \t"):
            return line[k + 1 :].strip()
    return None


def strings(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path, text) of every string value of parsed YAML."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, (*path, key))
    elif isinstance(data, list):
        for k, value in enumerate(data):
            yield from strings(value, (*path, k))
    elif isinstance(data, str):
        yield path, data


def figures(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], dict]]:
    """(path, figure) of every value written with its provenance (`{value: ..., cited: ...}`),
    the figures inside a derivation's `from` and an edit's `was` included."""
    if is_figure_form(data):
        yield path, data
        derived = data.get(DERIVED)
        if isinstance(derived, dict) and isinstance(derived.get("from"), dict):
            for name, value in derived["from"].items():
                yield from figures(value, (*path, DERIVED, "from", name))
        edited = data.get(EDITED)
        if isinstance(edited, dict):
            yield from figures(edited.get("was"), (*path, EDITED, "was"))
        yield from figures(data.get("value"), (*path, "value"))
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from figures(value, (*path, key))
    elif isinstance(data, list):
        for k, value in enumerate(data):
            yield from figures(value, (*path, k))


def _number(value: Any) -> float | None:
    """A figure's number: itself, its `value`, or a range's central value."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        if "value" in value:
            return _number(value["value"])
        if "central" in value:
            return _number(value["central"])
    return None


def _figure_problems(file: str, at: str, figure: dict, texts: Texts) -> list[Problem]:
    out = []
    cited = figure.get(CITED)
    if isinstance(cited, dict):
        source = cited.get("source")
        if not cited.get("at"):
            out.append(
                Problem(
                    file,
                    f"{at}.cited",
                    "cited without a locator (at: table, section, page or paragraph)",
                )
            )
        if source in texts.by_id:
            quote = cited.get("quote")
            if not quote:
                out.append(
                    Problem(
                        file,
                        f"{at}.cited",
                        f"cites the text of {source} without the words it comes from (quote:)",
                    )
                )
            elif not texts.holds(source, str(quote)):
                out.append(
                    Problem(
                        file,
                        f"{at}.cited.quote",
                        f"not found word for word in the text of {source}",
                        quote,
                    )
                )
    derived = figure.get(DERIVED)
    if isinstance(derived, dict):
        out += _derivation_problems(file, at, figure, derived)
    return out


def _derivation_problems(file: str, at: str, figure: dict, derived: dict) -> list[Problem]:
    value = _number(figure.get("value"))
    names = {str(k): _number(v) for k, v in (derived.get("from") or {}).items()}
    formula = str(derived.get("formula", ""))
    if value is None or any(v is None for v in names.values()):
        return [
            Problem(
                file, f"{at}.derived", "a derivation needs a number and numbers to derive it from"
            )
        ]
    try:
        result = evaluate_formula(formula, {k: v for k, v in names.items() if v is not None})
    except ValueError as exc:
        return [Problem(file, f"{at}.derived.formula", str(exc), formula)]
    if not reproduces(value, result):
        return [
            Problem(
                file,
                f"{at}.derived.formula",
                f"gives {result:,.6g}, not the value {value:,.6g}",
                formula,
            )
        ]
    return []


def cited_texts(data: Any, texts: Texts) -> set[str]:
    """The shipped texts a file cites: every evidence id with a text that it names."""
    return {text for _, text in strings(data) if text in texts.by_id}


def audit_data(file: str, raw: str, data: Any, texts: Texts) -> list[Problem]:
    """The provenance problems of one file's text `raw`, parsed as `data`."""
    problems: list[Problem] = []
    for path, figure in figures(data):
        problems += _figure_problems(file, join_path(path) or "(top)", figure, texts)
    cites = cited_texts(data, texts)
    if not cites:
        return problems
    named = ", ".join(sorted(cites))
    for path, text in strings(data):
        last = path[-1] if path else ""
        if (last in NOT_PROSE and last != "quote") or CITED in path:
            continue  # a citation's quote is checked against its own source, above
        quoted = [text.strip()] if last == "quote" else quotations(text)
        for q in quoted:
            if not any(texts.holds(s, q) for s in cites):
                problems.append(
                    Problem(
                        file,
                        join_path(path),
                        f"quoted, but not found word for word in the text of {named}",
                        q,
                    )
                )
    for line, text in comments(raw):
        for q in quotations(text):
            if not any(texts.holds(s, q) for s in cites):
                problems.append(
                    Problem(
                        file,
                        f"comment at line {line}",
                        f"quoted, but not found word for word in the text of {named}",
                        q,
                    )
                )
    return problems


def audit_file(path: str | Path, texts: Texts) -> list[Problem]:
    """The provenance problems of one YAML file (see the module doc)."""
    raw = read_file(path).decode("utf-8-sig")
    return audit_data(str(path), raw, parse_yaml(raw.encode("utf-8"), str(path)), texts)

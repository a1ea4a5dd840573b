"""The layout the issues ask for: each formula defined once, layers without cycles.

- The workbook package holds layout only: no formula text it writes multiplies or divides (the
  arithmetic comes from the line definitions, `appraise.engine.lines` and `.care`, rendered).
- `lint-imports` (run by `make test` too) keeps the layers contract and finds no import cycle.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

WORKBOOK = ROOT / "appraise" / "workbook"
# A * or / beside a cell reference, a {placeholder} or a bracket: arithmetic written as formula text.
ARITHMETIC = re.compile(
    r"(?:\}|\$?\b[A-Z]{1,3}\$?\d+\b|\))\s*[*/]\s*(?:\{|\$?\b[A-Z]{1,3}\$?\d+\b|\(|[A-Z]+\()"
)


def _texts(path: Path) -> list[tuple[int, str]]:
    """Every string (and f-string) in a module that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    out = []
    for node in ast.walk(tree):
        if id(node) in docstrings:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{x}" for v in node.values)
            out.append((node.lineno, text))
    return out


def test_the_workbook_package_writes_no_multiplication_or_division():
    found = [
        f"{path.name}:{line}: {text}"
        for path in sorted(WORKBOOK.glob("*.py"))
        for line, text in _texts(path)
        if ARITHMETIC.search(text)
    ]
    assert found == []


def test_the_check_itself_would_catch_a_formula_written_by_hand():
    assert ARITHMETIC.search("{weeks}*{weekly}")
    assert ARITHMETIC.search("C12/(1-C13)")
    assert ARITHMETIC.search("SUMIF($A$1:$A$9,{x})*D5")
    assert not ARITHMETIC.search("£ per outcome / year")


def test_layers_and_no_import_cycles():
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run(
        [str(lint), "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 2 kept, 0 broken." in proc.stdout

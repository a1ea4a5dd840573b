"""Every `$` example in README.md and docs/ runs, and prints what the page shows (issue 26).

Sybil finds the examples: each fenced block (no language, or `console`) whose first line starts
with `$ `. A block's commands run one after another in one bash session (so `echo $?` sees the
command before it), in a folder of its own holding `examples/`, `benchmarks/` and `.venv` as the
project folder does, with the project's `appraise` first on PATH. What each prints (stderr with
stdout, as a terminal shows them) must be the lines under it, to the character; a line `...`
stands for any run of lines the page leaves out. A changed output fails the test: edit the page,
or run `python tests/test_docs_examples.py` to write every command's output into its page (blocks
with `...` are left to be edited by hand) and read the diff before committing it.

An HTML comment just above a block, `<!-- example setup: COMMANDS -->`, is run first in the same
folder (what the page's reader would already have: a workbook exported, a cell edited), its
output not shown. A benchmark or a test run prints timings that differ on every machine: such a
command must run and succeed, its output is not compared. A test run shown on a page runs with
`--collect-only` (the tests it names must exist): the suite runs those tests itself, and running
them again inside this one would double the slowest of them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sybil import Sybil
from sybil.parsers.markdown.lexers import FencedCodeBlockLexer

from tests.conftest import require_tool

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PROMPT = "$ "
GAP = "..."
# What changes from run to run, not from the code: the date a paper was made.
VOLATILE = [(re.compile(r"(appraise \d+\.\d+\.\d+), \d{4}-\d{2}-\d{2}"), r"\1, DATE")]
# Examples that write a PDF need LibreOffice: slow, and failing under CI=true without it.
NEEDS_LIBREOFFICE = "--pdf"
TIMEOUT_S = 600
SETUP = re.compile(r"<!--\s*example setup:((?:(?!-->).)*)-->\s*\Z", re.DOTALL)
# Commands whose output is timings: run, must succeed, output not compared.
VARIES = re.compile(r"^(CI=true )?\.venv/bin/python (benchmarks/|-m pytest )")
PYTEST = re.compile(r"^(CI=true )?\.venv/bin/python -m pytest ")
MARK = "@@appraise-docs-step@@"
SETUP_FAILED = 97


@dataclass(frozen=True)
class Step:
    command: str
    expected: list[str]


@dataclass(frozen=True)
class Example:
    page: Path
    line: int
    steps: tuple[Step, ...]
    setup: str = ""
    start: int = 0  # where the block's text starts and ends in the page
    end: int = 0

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def _steps(source: str) -> tuple[Step, ...]:
    steps: list[Step] = []
    for line in source.splitlines():
        if line.startswith(PROMPT):
            steps.append(Step(line[len(PROMPT) :], []))
        elif steps:
            steps[-1].expected.append(line.rstrip())
    return tuple(steps)


def examples() -> list[Example]:
    """The `$` examples of every page, found by Sybil's Markdown code-block lexer."""
    lexer = FencedCodeBlockLexer(language=r"(?:console|shell|)")
    found = []
    for page in PAGES:
        document = Sybil(parsers=[lambda d: ()]).parse(page)
        for region in lexer(document):
            source = region.lexemes["source"]
            if source.startswith(PROMPT):
                line = document.text.count("\n", 0, region.start) + 1
                before = SETUP.search(document.text[: region.start])
                setup = before.group(1).strip() if before else ""
                found.append(Example(page, line, _steps(source), setup, region.start, region.end))
    return found


def matches(expected: list[str], shown: list[str]) -> bool:
    """Whether `shown` is `expected`, each `...` line standing for any run of lines."""
    if not expected:
        return not shown
    head, rest = expected[0], expected[1:]
    if head == GAP:
        return any(matches(rest, shown[i:]) for i in range(len(shown) + 1))
    return bool(shown) and shown[0] == head and matches(rest, shown[1:])


def _normal(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        for pattern, replacement in VOLATILE:
            line = pattern.sub(replacement, line)
        out.append(line.rstrip())
    while out and not out[-1]:
        out.pop()
    return out


def run(example: Example, folder: Path) -> list[tuple[list[str], int]]:
    """Run a block's setup, then its commands in one bash session: each command's lines and
    exit status."""
    for name in ("examples", "benchmarks", "tests", "pyproject.toml"):
        (folder / name).symlink_to(ROOT / name)
    (folder / ".venv").symlink_to(Path(sys.executable).parent.parent)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("APPRAISE_DEBUG", None)
    env["PYTHONUNBUFFERED"] = "1"  # stdout and stderr in the order a terminal shows them
    script = ["status=0"]
    if example.setup:
        script.append(f"( set -e\n{example.setup}\n) || exit {SETUP_FAILED}")
    for step in example.steps:
        command = step.command + (" --collect-only" if PYTEST.match(step.command) else "")
        # The command's status is put back after the marker, for a following `echo $?`.
        script.append(
            f"printf '\\n{MARK}\\n'; (exit $status)\n{{ {command}\n}} 2>&1\n"
            f'status=$?; echo "{MARK} $status"'
        )
    proc = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    failed = proc.returncode == SETUP_FAILED
    assert not failed, f"{example.id}: the setup failed:\n{proc.stdout}{proc.stderr}"
    parts = proc.stdout.split(f"\n{MARK}\n")[1:]
    out = []
    for part in parts:
        body, _, status = part.rpartition(f"{MARK} ")
        out.append((body.splitlines(), int(status.strip())))
    assert len(out) == len(example.steps), proc.stdout + proc.stderr
    return out


def varies(step: Step) -> bool:
    return bool(VARIES.match(step.command))


ALL = examples()


def test_the_pages_have_examples():
    assert len(ALL) >= 20, [e.id for e in ALL]


def _slow(e: Example) -> bool:
    return NEEDS_LIBREOFFICE in str(e.steps) or any(varies(s) for s in e.steps)


@pytest.mark.parametrize(
    "example",
    [pytest.param(e, marks=[pytest.mark.slow] if _slow(e) else []) for e in ALL],
    ids=[e.id for e in ALL],
)
def test_example_prints_what_the_page_shows(example: Example, tmp_path: Path):
    if NEEDS_LIBREOFFICE in str(example.steps):
        require_tool("soffice")
    for step, (lines, status) in zip(example.steps, run(example, tmp_path), strict=True):
        if varies(step):
            assert status == 0, f"{example.id}: `{step.command}` failed:\n" + "\n".join(lines)
            continue
        shown = _normal(lines)
        assert matches(_normal(step.expected), shown), (
            f"{example.id}: `{step.command}` printed\n" + "\n".join(shown)
        )


def regenerate() -> None:
    """Write each command's output into its page, for blocks the test can compare in full."""
    import tempfile

    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for example in sorted(
            (e for e in ALL if e.page == page), key=lambda e: e.start, reverse=True
        ):
            steps = example.steps
            if any(GAP in s.expected or varies(s) for s in steps):
                continue
            with tempfile.TemporaryDirectory() as folder:
                ran = run(example, Path(folder))
            body = "".join(
                PROMPT + s.command + "\n" + "".join(line.rstrip() + "\n" for line in lines)
                for s, (lines, _) in zip(steps, ran, strict=True)
            )
            block = text[example.start : example.end]
            first = block.index("\n") + 1
            fence = block.rstrip().rsplit("\n", 1)[1]
            new = block[:first] + body + fence + block[len(block.rstrip()) :]
            text = text[: example.start] + new + text[example.end :]
        page.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    regenerate()

"""The typer application and what every command shares: input errors, output, formats."""

from __future__ import annotations

import atexit
import enum
import inspect
import os
import signal
import sys
import threading
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import typer

from appraise.errors import InputError

app = typer.Typer(
    name="appraise",
    help="Invest-to-save appraisal for children's social care: evaluate, simulate, export, verify.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])

# `appraise validate` dispatches on the kind of file (see load.detect_kind); each command module
# registers a checker for the kinds it owns, returning a one-line summary or raising InputError.
VALIDATORS: dict[str, Callable[[Any], str]] = {}


class Format(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class TableOrJson(enum.StrEnum):
    table = "table"
    json = "json"


def fail(error: InputError) -> None:
    """Print one line per problem to stderr and exit 2."""
    for problem in error.problems:
        note(str(problem))
    raise typer.Exit(2)


def note(text: str) -> None:
    """A line for the user on stderr (a problem, a note), its control and bidi characters shown
    rather than acted on (`appraise.display.terminal_text`)."""
    from appraise.display import terminal_text

    typer.echo(terminal_text(text), err=True)


ALLOW_PATH = typer.Option(
    None,
    "--allow-path",
    help="A folder that the files you name may refer into (repeatable). Without it, a file may "
    "name only files in its own folder or below (a `baseline:`, `history:` or `portfolio:`).",
    show_default=False,
)


def guarded(func: F) -> F:
    """Run a command; an InputError prints its problems and exits 2, never a traceback.

    Every guarded command also takes `--allow-path DIR`, which widens where file references may
    point (see `appraise.model.reading`) for that run.
    """

    @wraps(func)
    def wrapper(*args: Any, allow_path: list[Path] | None = None, **kwargs: Any) -> Any:
        RAN.append(func.__name__)
        # Imported here, not above: `appraise --help` and an argument refused by typer load
        # none of the model (start-up under 0.3 s, benchmarks/startup.py).
        from appraise.model.reading import allowing
        from appraise.model.save import DISK_ERRORS, write_error

        try:
            with allowing(allow_path or ()):
                return func(*args, **kwargs)
        except InputError as error:
            fail(error)
        except OSError as exc:
            # A full disk or a file-size limit met by a library's own temporary file (openpyxl
            # writes each sheet to one): the user's to fix, so exit 2 saying which, no traceback.
            if exc.errno not in DISK_ERRORS:
                raise
            fail(write_error("appraise (a temporary file)", exc))

    signature = inspect.signature(func)
    extra = inspect.Parameter(
        "allow_path",
        inspect.Parameter.KEYWORD_ONLY,
        default=ALLOW_PATH,
        annotation=list[Path] | None,
    )
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), extra]
    )
    wrapper.__annotations__ = {**func.__annotations__, "allow_path": list[Path] | None}
    return wrapper  # type: ignore[return-value]


def one_blas_thread() -> None:
    """Called by a command before numpy loads: OpenBLAS starts a thread for each core as it loads
    (0.04 s of `appraise validate`'s 0.35 s here), for matrix products that, at the sizes
    `validate` and `evaluate` make, it runs on one thread anyway. A user's own setting is kept."""
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def emit(text: str) -> None:
    """Write command output to stdout (ending with one newline). A name from a file may hold ESC
    or U+202E: shown as `\\x1b` or `U+202E`, never sent to the terminal as they are."""
    from appraise.display import terminal_text

    text = terminal_text(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


# The commands run in this process (by function name), and those that only read files and print:
# once one of these has returned, what it wrote is written when stdout is flushed.
RAN: list[str] = []
PRINT_ONLY = frozenset({"evaluate", "validate", "list_library"})
# Whether this process is the `appraise` command (`main`), not a caller of the app (tests).
CONSOLE: list[bool] = []


def _exit_now(code: int) -> None:
    """End the process with `code` without the interpreter's teardown, where that only frees
    memory: after `--help`, an argument error or a command that only prints (`PRINT_ONLY`),
    with no other thread running. Tearing down numpy, pydantic and the rest takes 0.05 s of every
    command's 0.3 s, and a tenth of a second more after 10,000 interventions
    (benchmarks/startup.py, benchmarks/load.py). Output is flushed and the exit functions run
    (temporary folders left to them are removed) first; returns, for the ordinary exit, if
    anything is still to be done or flushing fails (a closed pipe is reported as it always is)."""
    if threading.active_count() > 1 or not all(name in PRINT_ONLY for name in RAN):
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # ValueError: a stream already closed
        return
    atexit._run_exitfuncs()
    os._exit(code)


def finished() -> None:
    """Called by a command that only prints, once its output is written: run as the `appraise`
    command, the process ends here (`_exit_now`), before what the command made is freed one
    object at a time (a tenth of a second after 10,000 interventions, benchmarks/load.py);
    called in-process (tests) or with anything still to do, returns."""
    if CONSOLE:
        _exit_now(0)


def _terminated(signum: int, frame: Any) -> None:
    # As for Ctrl-C: unwind, so that a write in progress removes its temporary file.
    raise SystemExit(128 + signum)


def main() -> None:
    """Console entry point: unexpected errors become one line (APPRAISE_DEBUG=1 for a traceback)."""
    # SIGTERM and SIGHUP (a closed terminal) unwind as Ctrl-C does, removing temporary files and
    # stopping LibreOffice. Past a file-size limit (`ulimit -f`) the kernel would kill the process
    # with SIGXFSZ mid-write; ignored, the write fails with EFBIG and is reported (exit 2).
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGHUP, _terminated)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    CONSOLE.append(True)  # this process is the `appraise` command: `finished` may end it
    try:
        app()
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            _exit_now(stop.code or 0)
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug, not a user error: say so in one line
        if os.environ.get("APPRAISE_DEBUG"):
            raise
        note(f"appraise: internal error: {type(exc).__name__}: {exc}")
        note("(set APPRAISE_DEBUG=1 to see the traceback, and please report it)")
        sys.exit(1)
    finally:
        CONSOLE.clear()

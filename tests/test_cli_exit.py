"""How the `appraise` process ends (issue 27, start-up): after `--help`, an argument error or a
command that only reads and prints, without the interpreter's teardown (`_exit_now`), its output
flushed and its exit functions run; after anything else, or with another thread running, as
Python always ends. Run as a user runs it, the output and exit codes are those the command
gives in-process."""

from __future__ import annotations

import atexit
import json
import threading

import pytest

from appraise.cli import _app
from tests.conftest import EXAMPLES, THURROCK, run_cli
from tests.helpers import intervention, portfolio_data


class Ended(Exception):
    pass


@pytest.fixture
def ending(monkeypatch):
    """`_exit_now` with os._exit recorded (raising `Ended`) instead of ending pytest."""
    ended: list[int] = []

    def fake_exit(code: int) -> None:
        ended.append(code)
        raise Ended

    monkeypatch.setattr(_app.os, "_exit", fake_exit)
    monkeypatch.setattr(_app, "RAN", [])
    return ended


@pytest.mark.parametrize("ran", [[], ["evaluate"], ["validate"], ["list_library"]])
def test_ends_at_once_after_help_an_argument_error_or_a_printing_command(ending, ran):
    _app.RAN[:] = ran
    called = []
    atexit.register(called.append, "exit function")
    try:
        with pytest.raises(Ended):
            _app._exit_now(2)
    finally:
        atexit.unregister(called.append)
    assert ending == [2]
    assert called == ["exit function"]  # run before the process ends


@pytest.mark.parametrize("ran", [["export"], ["new"], ["evaluate", "report_command"]])
def test_a_command_that_writes_files_ends_as_python_ends(ending, ran):
    _app.RAN[:] = ran
    _app._exit_now(0)
    assert ending == []


def test_with_another_thread_running_the_process_ends_as_python_ends(ending):
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        _app._exit_now(0)
    finally:
        stop.set()
        other.join()
    assert ending == []


def test_a_guarded_command_says_it_ran(cli, monkeypatch):
    monkeypatch.setattr(_app, "RAN", [])
    code, _, _ = cli("validate", THURROCK)
    assert code == 0
    assert _app.RAN == ["validate"]


def test_output_and_exit_codes_are_those_given_in_process(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("portfolio: x\ninterventions: 3\n", encoding="utf-8")
    for args in (
        ("evaluate", THURROCK),
        ("evaluate", THURROCK, "--format", "json"),
        ("validate", THURROCK),
        ("validate", bad),
        ("evaluate", EXAMPLES / "no-such-file.yaml"),
        ("report", "--bogus"),
    ):
        done = run_cli(*args)
        code, out, err = cli(*args)
        assert (done.returncode, done.stdout) == (code, out), args
        assert done.stderr.strip() == err.strip(), args
    assert json.loads(run_cli("evaluate", THURROCK, "--format", "json").stdout)["interventions"]
    shown = run_cli("--help")  # in-process, the program's name and the width differ
    assert shown.returncode == 0 and "Usage: appraise" in shown.stdout
    assert "evaluate" in shown.stdout.rsplit("Commands:", 1)[1]


def test_finished_ends_the_process_only_as_the_appraise_command(ending, monkeypatch):
    _app.RAN[:] = ["evaluate"]
    monkeypatch.setattr(_app, "CONSOLE", [])
    _app.finished()  # in-process (a test, a caller of the app): carries on
    assert ending == []
    monkeypatch.setattr(_app, "CONSOLE", [True])
    with pytest.raises(Ended):
        _app.finished()
    assert ending == [0]


def test_a_large_table_is_written_whole_before_the_process_ends(tmp_path, cli):
    """Ended from inside the command, the process has flushed every line of a table longer
    than a pipe's buffer (3,000 interventions: more than a megabyte)."""
    items = [intervention(id=f"svc-{i}", reach={"count": 10 + i % 90}) for i in range(3_000)]
    path = tmp_path / "large.json"
    path.write_text(json.dumps(portfolio_data(interventions=items)), encoding="utf-8")
    done = run_cli("evaluate", path)
    code, out, _ = cli("evaluate", path)
    assert done.returncode == code == 0
    assert len(done.stdout) > 2**20
    assert done.stdout == out

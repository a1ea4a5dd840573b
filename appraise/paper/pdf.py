"""The paper as PDF: LibreOffice (headless) converts the .docx, as Word would print it.

LibreOffice runs as a guarded child:

- in a private profile that disables macros (`DisableMacrosExecution`, security level "very
  high"), blocks every link a document makes to a picture or file outside it
  (`BlockUntrustedRefererLinks`), never updates links, and sends any network request it would
  still make to a proxy that does not exist (port 1 of 0.0.0.0), so that opening a document
  reaches nothing outside the machine or on it;
- in its own process group, under a small watchdog process that holds a pipe from appraise: if
  appraise ends in any way (an error, Ctrl-C, SIGTERM, even SIGKILL), the pipe closes and the
  watchdog kills LibreOffice's whole group and removes its temporary folder;
- within a time limit, its temporary folder (profile, the .docx, the PDF) removed when it is
  done. A temporary folder that cannot be made or written (TMPDIR on a full disk) is an
  InputError saying so (exit 2).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from appraise.errors import InputError
from appraise.model.save import write_error

TIMEOUT = 300  # seconds: a long paper takes LibreOffice 5-20 s on two cores

# LibreOffice's own settings (registrymodifications.xcu of the private profile).
_SETTINGS = {
    "/org.openoffice.Office.Common/Security/Scripting": {
        "DisableMacrosExecution": "true",
        "MacroSecurityLevel": "3",  # very high: only signed macros from trusted places
        "BlockUntrustedRefererLinks": "true",  # no picture or file a document links to
    },
    "/org.openoffice.Office.Writer/Content/Update": {"Link": "0"},  # never update links
    "/org.openoffice.Office.Calc/Content/Update": {"Link": "0"},
    "/org.openoffice.Inet/Settings": {
        "ooInetProxyType": "1",  # a manual proxy, for every address, that answers nothing
        "ooInetHTTPProxyName": "0.0.0.0",
        "ooInetHTTPProxyPort": "1",
        "ooInetHTTPSProxyName": "0.0.0.0",
        "ooInetHTTPSProxyPort": "1",
        "ooInetFTPProxyName": "0.0.0.0",
        "ooInetFTPProxyPort": "1",
        "ooInetNoProxy": "",
    },
}


def profile_settings(extra: dict[str, dict[str, str]] | None = None) -> str:
    """registrymodifications.xcu for a private LibreOffice profile: the settings above and any
    `extra` ones (the workbook recalculation adds its own)."""
    items = []
    for path, props in {**_SETTINGS, **(extra or {})}.items():
        for name, value in props.items():
            items.append(
                f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
                f"<value>{value}</value></prop></item>"
            )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items '
        'xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        + "\n".join(items)
        + "\n</oor:items>\n"
    )


# The watchdog: runs LibreOffice in a process group of its own and waits for it or for the pipe
# from appraise to close (appraise ended), whichever comes first; then kills the whole group and,
# if appraise is gone, removes the temporary folder itself. Standard library only (python -I).
_WATCHDOG = r"""
import os, shutil, signal, subprocess, sys, threading
folder, command = sys.argv[1], sys.argv[2:]
child = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
orphaned = threading.Event()
def stop(*_):
    orphaned.set()
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except OSError:
        pass
for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(number, stop)
def watch():
    while sys.stdin.buffer.read(1):
        pass
    stop()
threading.Thread(target=watch, daemon=True).start()
code = child.wait()
try:
    os.killpg(child.pid, signal.SIGKILL)  # what LibreOffice left running
except OSError:
    pass
if orphaned.is_set():
    shutil.rmtree(folder, ignore_errors=True)
sys.exit(code)
"""


def soffice() -> str | None:
    """Path of LibreOffice's command-line program, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def run_office(
    arguments: list[str], folder: Path, out: str | Path, timeout: float = TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run LibreOffice (`soffice ARGUMENTS`, headless, in a private profile inside `folder`)
    under the watchdog; its output is what it printed. InputError naming `out` on a time-out."""
    program = soffice()
    assert program is not None
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(
        profile_settings(), encoding="utf-8"
    )
    command = [
        program,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        *arguments,
    ]
    log = folder / "soffice.log"
    # LibreOffice's own temporary files go into `folder` too (removed with it), and any proxy
    # the environment names is replaced by the one that answers nothing.
    dead = "http://0.0.0.0:1"
    env = {
        **os.environ,
        "TMPDIR": str(folder),
        **{name: dead for name in ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy")},
        **{name.upper(): dead for name in ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy")},
        "no_proxy": "",
        "NO_PROXY": "",
    }
    with log.open("wb") as output:
        watchdog = subprocess.Popen(
            [sys.executable, "-I", "-c", _WATCHDOG, str(folder), *command],
            env=env,
            stdin=subprocess.PIPE,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches appraise, which stops it in order
        )
        try:
            code = watchdog.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise InputError.one(
                str(out), "", f"LibreOffice did not finish the PDF within {timeout:.0f} seconds"
            ) from None
        finally:
            if watchdog.stdin is not None:
                watchdog.stdin.close()  # the watchdog kills LibreOffice's group if still running
            try:
                watchdog.wait(timeout=10)
            except subprocess.TimeoutExpired:
                watchdog.kill()
                watchdog.wait()
    said = log.read_text(encoding="utf-8", errors="replace")
    return subprocess.CompletedProcess(command, code, said, "")


def docx_to_pdf(docx: bytes, out: str | Path) -> bytes:
    """PDF bytes of a .docx, converted by LibreOffice (see the module docstring). InputError
    naming `out` where LibreOffice is not installed, fails or cannot have its temporary folder."""
    if soffice() is None:
        raise InputError.one(
            str(out),
            "",
            "LibreOffice is not installed, and it makes the PDF (`soffice --headless "
            "--convert-to pdf`): install it (Debian: apt-get install libreoffice-writer-nogui) "
            "or write the Word file with --docx",
        )
    try:
        folder = Path(tempfile.mkdtemp(prefix="appraise-pdf-"))
    except OSError as exc:
        raise _temporary_error(out, exc) from None
    try:
        source = folder / "paper.docx"
        try:
            source.write_bytes(docx)
        except OSError as exc:
            raise _temporary_error(out, exc) from None
        proc = run_office(
            ["--convert-to", "pdf:writer_pdf_Export", "--outdir", str(folder), str(source)],
            folder,
            out,
        )
        pdf = folder / "paper.pdf"
        if not pdf.exists():
            said = [line for line in proc.stdout.strip().splitlines() if "javaldx" not in line]
            raise InputError.one(
                str(out),
                "",
                f"LibreOffice did not write the PDF (exit {proc.returncode}"
                + (f": {said[-1][:200]}" if said else "")
                + "); is its Writer installed (Debian: libreoffice-writer-nogui), and is there "
                "room in the temporary folder (TMPDIR)?",
            )
        return pdf.read_bytes()
    except OSError as exc:
        raise _temporary_error(out, exc) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _temporary_error(out: str | Path, exc: OSError) -> InputError:
    why = write_error("", exc).problems[0].message.removeprefix("cannot write file: ")
    where = os.environ.get("TMPDIR") or tempfile.gettempdir()
    return InputError.one(
        str(out),
        "",
        f"cannot make the PDF: LibreOffice's temporary folder in {where} (TMPDIR) cannot be "
        f"written: {why}",
    )

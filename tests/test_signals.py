"""SIGTERM, SIGHUP and a killed parent: workers stop, temporary files go (issue 13, items 8, 13).

Every signal is sent once a process has announced the point under test (see
``signalhelpers``), so no outcome here depends on how busy the machine is.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from qiappraise.base import yamlio

from .signalhelpers import EXAMPLES, SAFETY_NET, Exits, cohort, finish, linux_only, reached, start

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
STOPS = [
    pytest.param(signal.SIGTERM, 143, id="SIGTERM"),
    pytest.param(signal.SIGHUP, 129, id="SIGHUP"),
]
#: Above batch.POOL_THRESHOLD, so that workers score them.
COHORT = 30


def _batch_at_first_report(
    tmp_path: Path, *, session: bool = False, json_out: bool = True
) -> tuple[subprocess.Popen[bytes], Exits]:
    """``batch --out --json -j 2``, with both workers waiting at their first report's rename."""
    folder = cohort(tmp_path / "cohort", COHORT)
    (tmp_path / "out.json").write_text("the old export")
    args = ["batch", folder, "--out", tmp_path / "review", "-j", "2"]
    if json_out:
        args += ["--json", tmp_path / "out.json"]
    proc = start(args, "write:*.html", session=session)
    workers = reached(proc, count=2)
    assert proc.pid not in workers  # the reports are written in the workers
    return proc, Exits(workers)


def _nothing_left(tmp_path: Path, exits: Exits) -> None:
    try:
        assert exits.running() == []  # the parent waited for its workers
    finally:
        exits.close()
    assert [p.name for p in tmp_path.rglob("*.tmp")] == []
    assert (tmp_path / "out.json").read_text() == "the old export"
    # Both workers were stopped before renaming their first report.
    assert list((tmp_path / "review").glob("*.html")) == []


@linux_only
@pytest.mark.parametrize(("signum", "code"), STOPS)
def test_batch_stops_its_workers_and_removes_temporary_files(
    tmp_path: Path, signum: int, code: int
) -> None:
    proc, exits = _batch_at_first_report(tmp_path)
    proc.send_signal(signum)  # to the parent only, as `kill` and `timeout` do
    stderr = finish(proc)
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == "terminated"
    _nothing_left(tmp_path, exits)


@linux_only
@pytest.mark.parametrize(("signum", "code"), STOPS)
def test_batch_stops_when_its_process_group_is_signalled(
    tmp_path: Path, signum: int, code: int
) -> None:
    # A closed terminal hangs up its whole process group; a service manager
    # terminates every process: the workers get the signal too.
    proc, exits = _batch_at_first_report(tmp_path, session=True)
    os.killpg(proc.pid, signum)
    stderr = finish(proc)
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    _nothing_left(tmp_path, exits)


@linux_only
def test_workers_stop_when_batch_is_killed(tmp_path: Path) -> None:
    # SIGKILL leaves the parent no clean-up: its end of the workers' pipe
    # closes with it, and each worker unwinds (removing its temporary file)
    # and exits instead of waiting for work forever.
    proc, exits = _batch_at_first_report(tmp_path, json_out=False)
    proc.kill()
    finish(proc)
    try:
        # Immediate in practice; the safety net is for a broken build.
        assert exits.running(wait=SAFETY_NET) == []
    finally:
        exits.close()
    assert [p.name for p in (tmp_path / "review").rglob("*.tmp")] == []


@pytest.mark.parametrize(("signum", "code"), STOPS)
@pytest.mark.parametrize(
    ("point", "whole_new"), [("start", False), ("write", False), ("written", True)]
)
def test_report_on_sigterm_keeps_the_old_file_or_writes_a_whole_one(
    tmp_path: Path, signum: int, code: int, point: str, whole_new: bool
) -> None:
    out = tmp_path / "report.html"
    out.write_text("the old report")
    proc = start(["report", EXAMPLES[0], "--format", "html", "-o", out], point)
    reached(proc)
    proc.send_signal(signum)
    stderr = finish(proc)
    assert proc.returncode == code, stderr
    assert stderr.splitlines()[-1] == "terminated"
    text = out.read_text(encoding="utf-8")
    if whole_new:
        assert text.rstrip().endswith("</html>")
    else:
        assert text == "the old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_an_interrupt_as_the_temporary_file_is_created_leaves_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under load, a stop signal often lands while the open of the temporary
    # file waits on a busy folder: the handler then runs as the open returns,
    # before anyone has been given the name (tempfile.mkstemp leaked it).
    real_open = os.open

    def open_then_interrupt(path: str, *args: int) -> int:
        fd = real_open(path, *args)
        os.close(fd)
        raise KeyboardInterrupt

    monkeypatch.setattr(yamlio.os, "open", open_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        yamlio.write_text(tmp_path / "report.html", "new")
    assert list(tmp_path.iterdir()) == []


def _ignore_sighup() -> None:
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


def test_an_ignored_sighup_stays_ignored() -> None:
    # `nohup qiappraise batch ...` must outlive the terminal.
    proc = start(["score", EXAMPLES[0]], "start", preexec_fn=_ignore_sighup)
    reached(proc)
    proc.send_signal(signal.SIGHUP)  # discarded by the kernel: the process ignores it
    # Were SIGHUP caught, its handler would run first (lower signal numbers
    # first) and ignore further signals while cleaning up: exit 129.
    proc.send_signal(signal.SIGTERM)
    stderr = finish(proc)
    assert proc.returncode == 143, stderr


def test_the_handlers_come_before_anything_but_the_entry_point() -> None:
    # Before entry.main() runs, an interrupt is Python's (a traceback, exit 1):
    # the console script imports nothing of ours but the package (and the
    # version it reads from base), the cli package (its __init__ is a
    # docstring), entry and signals. Modules built into the interpreter (gc)
    # are not counted: importing one reads no file.
    code = (
        "import json, sys\n"
        "before = set(sys.modules)\n"
        "import qiappraise.cli.entry\n"
        "new = set(sys.modules) - before - set(sys.builtin_module_names)\n"
        "print(json.dumps(sorted(new)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(result.stdout) == [
        "qiappraise",
        "qiappraise.base",
        "qiappraise.base.version",
        "qiappraise.cli",
        "qiappraise.cli.entry",
        "qiappraise.cli.signals",
    ]

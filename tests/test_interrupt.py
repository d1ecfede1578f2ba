"""Interruption and a hostile file system: nothing partial, nothing earlier lost."""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

import pexpect
import pytest
import yaml
from typer.testing import CliRunner

from qiappraise.base import yamlio
from qiappraise.cli.app import app

from .signalhelpers import (
    EXAMPLES,
    EXE,
    SAFETY_NET,
    Exits,
    cohort,
    finish,
    linux_only,
    reached,
    start,
)


def _no_temp_files(folder: Path) -> None:
    leftovers = [p.name for p in folder.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.slow
@linux_only
@pytest.mark.parametrize("target", ["parent", "group"])
def test_sigint_during_batch_out_leaves_only_whole_reports(tmp_path: Path, target: str) -> None:
    folder = cohort(tmp_path / "cohort", 400)
    out = tmp_path / "review"
    out.mkdir()
    keep = out / "notes.txt"
    keep.write_text("the supervisor's own notes")
    proc = start(
        ["batch", folder, "--out", out, "--jobs", "2", "--force"],
        "batch-running",
        session=target == "group",
    )
    # The parent waits here with the first chunk's reports written, while
    # the workers go on with theirs.
    reached(proc)
    exits = Exits(_children(proc.pid))
    if target == "group":
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal: the workers get it too
    else:
        proc.send_signal(signal.SIGINT)
    stderr = finish(proc)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    try:
        assert exits.running() == []  # stopped, and waited for, before the parent exits
    finally:
        exits.close()
    reports = list(out.glob("*.html"))
    assert 0 < len(reports) < 400
    for report in reports:
        text = report.read_text(encoding="utf-8")
        assert text.rstrip().endswith("</html>"), report.name  # whole, never half-written
    _no_temp_files(out)
    assert keep.read_text() == "the supervisor's own notes"


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    assert found, "batch started no workers"
    return found


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "whole_new"), [("start", False), ("write", False), ("written", True)]
)
def test_sigint_during_report_keeps_the_old_file_or_writes_a_whole_one(
    tmp_path: Path, point: str, whole_new: bool
) -> None:
    # Interrupted once our handler is in place (start), with the new report
    # whole but not yet renamed (write), and just after the rename (written).
    # Before entry.main() runs, an interrupt is Python's: see test_signals.
    out = tmp_path / "report.html"
    out.write_text("the old report")
    proc = start(["report", EXAMPLES[0], "--format", "html", "-o", out], point)
    reached(proc)
    proc.send_signal(signal.SIGINT)
    stderr = finish(proc)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1] == "interrupted"
    text = out.read_text(encoding="utf-8")
    if whole_new:
        assert text.rstrip().endswith("</html>")
    else:
        assert text == "the old report"
    _no_temp_files(tmp_path)


@pytest.mark.slow
def test_sigint_during_appraise_keeps_every_answer(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", NO_COLOR="1", TERM="xterm")
    child = pexpect.spawn(
        EXE,
        ["appraise", str(target)],
        env=env,
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=SAFETY_NET,
    )
    child.expect("Project title")
    child.send("Signals\r")
    for _ in range(5):
        child.expect(r"\(type \? for help")
        child.send("\r")
    child.expect("What first set this project going")
    child.send("\x1b[B\x1b[B\r")  # the third choice
    child.expect("Does your aim name")
    child.kill(signal.SIGINT)  # a real signal, not a typed Ctrl-C
    child.expect("the project details and 1 answer given are saved")
    child.expect("continue with: qiappraise appraise")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["project"]["title"] == "Signals"
    assert data["answers"] == {"purpose_driver": "professional-concern"}
    _no_temp_files(tmp_path)
    assert not list(tmp_path.glob(".*.lock"))


# --- the file system refuses ------------------------------------------------------


def _invoke(*args: str | Path) -> object:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_read_only_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root can write anywhere, so the refusal is simulated where it would happen.
    real_open = os.open

    def refuse(path: str, *args: int) -> int:
        if str(path).endswith(".tmp"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(path, *args)

    monkeypatch.setattr(yamlio.os, "open", refuse)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", str(EXAMPLES[0]), "-f", "html", "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {out}: cannot write: permission denied for this folder"
    assert not out.exists()


def test_full_disk_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r.html"
    out.write_text("the old report")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(yamlio.os, "fsync", full)
    result = CliRunner().invoke(app, ["report", str(EXAMPLES[0]), "-f", "html", "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {out}: cannot write: No space left on device"
    assert out.read_text() == "the old report"
    _no_temp_files(tmp_path)


def test_full_disk_during_batch_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(yamlio.os, "fsync", full)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["batch", *map(str, EXAMPLES), "--jobs", "1", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.output
    _no_temp_files(tmp_path)
    # Nothing could be written, so the folder this run made is gone again.
    assert not out.exists()

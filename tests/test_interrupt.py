"""Interruption and a hostile file system: nothing partial, nothing earlier lost."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest
import yaml
from typer.testing import CliRunner

from qiappraise import yamlio
from qiappraise.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXE = str(Path(sys.executable).parent / "qiappraise")
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def _no_temp_files(folder: Path) -> None:
    leftovers = [p.name for p in folder.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.slow
def test_sigint_during_batch_out_leaves_only_whole_reports(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    for i in range(400):
        shutil.copy(EXAMPLES[i % 4], cohort / f"p{i:03}.yaml")
    out = tmp_path / "review"
    out.mkdir()
    keep = out / "notes.txt"
    keep.write_text("the supervisor's own notes")
    proc = subprocess.Popen(
        [EXE, "batch", str(cohort), "--out", str(out), "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Wait until some reports exist, then interrupt mid-run.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.html"))) < 20:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    reports = list(out.glob("*.html"))
    assert 0 < len(reports) <= 400
    for report in reports:
        text = report.read_text(encoding="utf-8")
        assert text.rstrip().endswith("</html>"), report.name  # whole, never half-written
    _no_temp_files(out)
    assert keep.read_text() == "the supervisor's own notes"


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.05, 0.15, 0.3])
def test_sigint_during_report_keeps_the_old_file_or_writes_a_whole_one(
    tmp_path: Path, delay: float
) -> None:
    out = tmp_path / "report.html"
    out.write_text("the old report")
    proc = subprocess.Popen(
        [EXE, "report", str(EXAMPLES[0]), "--format", "html", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert "Traceback" not in stderr
    text = out.read_text(encoding="utf-8")
    if proc.returncode == 0:
        assert text.rstrip().endswith("</html>")
    else:
        # 130: interrupted and said so. -SIGINT: the signal came before Python had
        # installed its handler, so the process never started its work.
        assert proc.returncode in (130, -signal.SIGINT), stderr
        assert text == "the old report" or text.rstrip().endswith("</html>")
    _no_temp_files(tmp_path)


@pytest.mark.slow
def test_sigint_during_appraise_keeps_every_answer(tmp_path: Path) -> None:
    target = tmp_path / "p.yaml"
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", NO_COLOR="1", TERM="xterm")
    child = pexpect.spawn(
        EXE, ["appraise", str(target)], env=env, dimensions=(24, 80), encoding="utf-8", timeout=15
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
    def refuse(*args: object, **kwargs: object) -> object:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(yamlio.tempfile, "mkstemp", refuse)
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

"""Faults at the edges (issue 13, items 7b, 9, 10, 11 and 15): special files,
unreadable folders, closed or full output, non-finite numbers, and errors that
must name the right thing.

Each test drove the tool to a hang, a traceback, exit 70, a silent pass or a
misleading message before its fix. Hangs are caught by a subprocess timeout
that is only a safety net (generous, never reached when the tool is right):
the assertions are on exit codes and messages, never on timing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest
from typer.testing import CliRunner

from qiappraise.base.yamlio import read_text
from qiappraise.cli.app import app
from qiappraise.rubric.model import Choice
from qiappraise.rubric.read import find_rubric

from .checkhelpers import ENV, EXAMPLES, STEPPING_STONE, run
from .conftest import MINI_FULL, MINI_RUBRIC

EXE = str(Path(sys.executable).parent / "qiappraise")
SAFETY_NET = 120  # seconds: only reached if the tool hangs, which is the failure
fifos = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
posix = pytest.mark.skipif(os.name != "posix", reason="shell redirections are POSIX")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV or ENV[k] is not None}
    env.update({k: v for k, v in ENV.items() if v is not None})
    return env


def _cli(
    *args: str | Path, cwd: Path, stdout: int | IO[str] = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *map(str, args)],
        cwd=cwd,
        env=_env(),
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=SAFETY_NET,
    )


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in (result.stderr or "") + (result.stdout or "")
    assert "internal error" not in (result.stderr or "")


# -- 9: FIFOs (and other files that are not regular) -------------------------


@pytest.fixture
def with_fifo(tmp_path: Path) -> Path:
    """tmp/good.yaml, tmp/fifo.yaml (a FIFO no one writes to), tmp/cohort/{good,pipe}.yaml."""
    shutil.copy(STEPPING_STONE, tmp_path / "good.yaml")
    os.mkfifo(tmp_path / "fifo.yaml")
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    shutil.copy(STEPPING_STONE, cohort / "good.yaml")
    os.mkfifo(cohort / "pipe.yaml")
    return tmp_path


@fifos
@pytest.mark.parametrize(
    "args",
    [
        ["score", "fifo.yaml"],
        ["report", "fifo.yaml"],
        ["compare", "fifo.yaml", "good.yaml"],
        ["compare", "good.yaml", "fifo.yaml"],
        ["rubric", "validate", "fifo.yaml"],
        ["score", "good.yaml", "--rubric", "fifo.yaml"],
        ["check", "good.yaml", "--rubric", "fifo.yaml"],
        ["check", "fifo.yaml"],
        ["check", "good.yaml", "--config", "fifo.yaml"],
        ["batch", "fifo.yaml"],
    ],
    ids=" ".join,
)
def test_an_explicit_fifo_is_an_error_not_a_hang(with_fifo: Path, args: list[str]) -> None:
    result = _cli(*args, cwd=with_fifo)
    assert result.returncode == 2, result.stderr
    assert "fifo.yaml" in result.stderr + result.stdout
    assert "is a FIFO (named pipe), not a regular file" in result.stderr + result.stdout
    _no_traceback(result)


@fifos
def test_check_passes_over_a_fifo_in_a_folder_with_a_note(with_fifo: Path) -> None:
    result = _cli("check", "cohort", cwd=with_fifo)
    assert result.returncode == 0, result.stderr
    assert "cohort/good.yaml: passed" in result.stdout
    assert "note: cohort/pipe.yaml: skipped, a FIFO (named pipe), not a regular file" in (
        result.stderr
    )


@fifos
@pytest.mark.parametrize("given", ["cohort", "cohort/*.yaml"])
def test_batch_passes_over_a_fifo_in_a_folder_with_a_note(with_fifo: Path, given: str) -> None:
    result = _cli("batch", given, "--json", "-", cwd=with_fifo)
    assert result.returncode == 0, result.stderr
    assert "note: skipped cohort/pipe.yaml: a FIFO (named pipe), not a regular file" in (
        result.stderr
    )
    assert "1 scored, 0 failed, 1 skipped" in result.stderr


def test_a_character_device_is_refused_without_reading_it() -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    # /dev/zero never ends: reading it would stop only at the size limit.
    with pytest.raises(Exception) as info:
        read_text("/dev/zero")
    assert str(info.value) == (
        "/dev/zero: is a character device, not a regular file; expected a YAML file"
    )


# -- 7b: a folder that cannot be read ------------------------------------------


@pytest.fixture
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp/cohort/good.yaml beside tmp/cohort/locked/, which cannot be listed.

    Root may list any folder whatever its mode, so the refusal is made where
    the walk asks for it (os.scandir), as the kernel would make it.
    """
    cohort = tmp_path / "cohort"
    (cohort / "locked").mkdir(parents=True)
    shutil.copy(STEPPING_STONE, cohort / "good.yaml")
    shutil.copy(STEPPING_STONE, cohort / "locked" / "hidden-proposal.yaml")
    real = os.scandir
    denied = str(cohort / "locked")

    def scandir(path: str = ".") -> object:
        if os.path.abspath(os.fspath(path)) == denied:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.chdir(tmp_path)
    return cohort


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github", "gitlab"])
def test_check_reports_an_unreadable_folder_in_every_format(locked: Path, fmt: str) -> None:
    result = run("check", "cohort", "-f", fmt)
    assert result.exit_code == 2, result.output
    assert "locked" in result.stdout, result.stdout
    assert "cannot read this folder: permission denied" in result.stdout + result.stderr


def test_batch_reports_an_unreadable_folder(locked: Path) -> None:
    result = CliRunner().invoke(app, ["batch", "cohort"], env=ENV, terminal_width=100)
    assert result.exit_code == 2, result.output
    assert "error: cohort/locked: cannot read this folder: permission denied" in result.stderr


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root lists folders whatever their mode"
)
def test_check_with_a_really_unreadable_folder(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    (cohort / "locked").mkdir(parents=True)
    shutil.copy(STEPPING_STONE, cohort / "good.yaml")
    (cohort / "locked").chmod(0)
    try:
        result = _cli("check", "cohort", cwd=tmp_path)
    finally:
        (cohort / "locked").chmod(0o755)
    assert result.returncode == 2, result.stdout
    assert "cohort/locked" in result.stdout


# -- 10: non-finite numbers in a rubric ------------------------------------------


@pytest.fixture
def inf_rubric(tmp_path: Path) -> Path:
    text = MINI_RUBRIC.read_text(encoding="utf-8")
    marked = "{value: need, label: A need, points: 2,"
    assert marked in text
    path = tmp_path / "inf.yaml"
    path.write_text(text.replace(marked, marked.replace("2,", ".inf,")), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["rubric", "validate", "{rubric}"],
        ["score", "{proposal}", "--rubric", "{rubric}", "-f", "json"],
        ["check", "{proposal}", "--rubric", "{rubric}"],
        ["batch", "{proposal}", "--rubric", "{rubric}", "--json", "-"],
    ],
    ids=lambda a: a[0],
)
def test_a_rubric_with_infinite_points_is_refused(
    inf_rubric: Path, args: list[str], tmp_path: Path
) -> None:
    shutil.copy(MINI_FULL, tmp_path / "full.yaml")
    argv = [a.format(rubric="inf.yaml", proposal="full.yaml") for a in args]
    result = _cli(*argv, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "inf.yaml:35: sections[0].questions[0].choices[1].points: .inf is not a number" in (
        result.stderr + result.stdout
    )
    assert "NaN" not in result.stdout and "nan" not in result.stdout
    _no_traceback(result)


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_the_rubric_model_refuses_non_finite_numbers(value: float) -> None:
    with pytest.raises(ValueError, match="finite number"):
        Choice(value="x", label="X", points=value)


# -- 10: standard output closed or full ------------------------------------------


def test_closed_stdout_is_an_error_not_a_silent_success(tmp_path: Path) -> None:
    shutil.copy(STEPPING_STONE, tmp_path / "good.yaml")
    for args in (["score", "good.yaml"], ["check", "good.yaml"], ["--version"]):
        result = subprocess.run(
            ["sh", "-c", 'exec "$0" "$@" >&-', EXE, *args],
            cwd=tmp_path,
            env=_env(),
            capture_output=False,
            stderr=subprocess.PIPE,
            text=True,
            timeout=SAFETY_NET,
        )
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("error: standard output is closed"), result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize(
    "args",
    [
        ["score", "good.yaml"],
        ["score", "good.yaml", "-f", "json"],
        ["check", "good.yaml"],
        ["--version"],
        ["--help"],
    ],
    ids=" ".join,
)
def test_a_full_device_is_one_line_and_exit_2(tmp_path: Path, args: list[str]) -> None:
    shutil.copy(STEPPING_STONE, tmp_path / "good.yaml")
    with open("/dev/full", "w") as full:
        result = _cli(*args, cwd=tmp_path, stdout=full)
    assert result.returncode == 2, result.stderr
    assert result.stderr == "error: cannot write to standard output: No space left on device\n"


# -- 11: a reader that left ---------------------------------------------------------


@posix
@pytest.mark.parametrize(
    "args",
    [
        ["score", "good.yaml"],
        ["score", "good.yaml", "-f", "json"],
        ["check", "good.yaml"],
        ["check", "good.yaml", "-f", "sarif"],
        ["batch", "good.yaml", "--json", "-"],
        ["rubric", "show"],
        ["--help"],
        ["--version"],
    ],
    ids=" ".join,
)
def test_a_closed_pipe_ends_quietly_with_141(tmp_path: Path, args: list[str]) -> None:
    shutil.copy(STEPPING_STONE, tmp_path / "good.yaml")
    # The reading end is closed before the tool starts, so its first write
    # fails: the same as `| head -c 10` once head has left, without the race.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = _cli(*args, cwd=tmp_path, stdout=write_end)
    finally:
        os.close(write_end)
    assert result.returncode == 141, result.stderr
    assert result.stderr == ""


# -- 15: errors that name the right thing ---------------------------------------------


def test_a_missing_rubric_file_names_the_option_not_the_proposal(tmp_path: Path) -> None:
    shutil.copy(STEPPING_STONE, tmp_path / "good.yaml")
    missing = tmp_path / "nonexistent.yaml"
    result = run("check", tmp_path / "good.yaml", "--rubric", missing)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: --rubric: {missing}: no such file"
    assert "good.yaml" not in result.stdout + result.stderr
    scored = run("score", tmp_path / "good.yaml", "--rubric", missing)
    assert scored.stderr.strip() == f"error: --rubric: {missing}: no such file"


_PAIR = [
    str(EXAMPLES / "poverty-screening.yaml"),
    str(EXAMPLES / "reviews" / "poverty-screening.supervisor.yaml"),
]


@pytest.mark.parametrize(
    "args",
    [
        ["score", str(STEPPING_STONE)],
        ["report", str(STEPPING_STONE)],
        ["check", str(STEPPING_STONE)],
        ["batch", str(STEPPING_STONE)],
        ["moderate", *_PAIR],
        ["agreement", *_PAIR],
    ],
    ids=lambda c: c[0],
)
def test_rubric_takes_an_id_in_every_command(args: list[str]) -> None:
    # QIAPPRAISE_RUBRIC serves appraise and init, which take an id, as well as
    # these, which took only a file: an id set there broke them.
    by_env = run(*args, env={"QIAPPRAISE_RUBRIC": "critical-engagement"})
    assert by_env.exit_code in (0, 1), by_env.stdout + by_env.stderr  # 1: found wanting
    by_file = run(*args, "--rubric", find_rubric("critical-engagement"))
    assert (by_env.exit_code, by_env.stdout) == (by_file.exit_code, by_file.stdout)
    unknown = run(*args, "--rubric", "critical-engagment")
    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == (
        "error: --rubric: unknown rubric 'critical-engagment'; known rubrics: "
        "critical-engagement (or give a rubric file with --rubric)"
    )


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("a: 1\n".encode("utf-32"), "UTF-32"),  # native order, with its mark
        (b"\xff\xfe\x00\x00" + "a: 1\n".encode("utf-32-le"), "UTF-32"),
        (b"\x00\x00\xfe\xff" + "a: 1\n".encode("utf-32-be"), "UTF-32"),
        (b"\xff\xfe" + "a: 1\n".encode("utf-16-le"), "UTF-16"),
        (b"\xfe\xff" + "a: 1\n".encode("utf-16-be"), "UTF-16"),
    ],
    ids=["utf-32", "utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"],
)
def test_utf32_is_told_from_utf16(tmp_path: Path, raw: bytes, said: str) -> None:
    path = tmp_path / "wide.yaml"
    path.write_bytes(raw)
    with pytest.raises(Exception) as info:
        read_text(path)
    assert str(info.value) == f"{path}: is saved as {said}; save it as UTF-8"

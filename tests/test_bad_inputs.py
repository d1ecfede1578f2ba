"""The bad-input corpus (tests/bad_inputs/) through every command that reads files.

Each broken or hostile file must give exit code 2 and error lines that name
the file (and the line where one is known), never a traceback; no output file
may be half-written and nothing else in an output folder may change.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from typer.testing import CliRunner

from qiappraise.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "bad_inputs"
GOOD = ROOT / "examples" / "cypic.yaml"
EXE = str(Path(sys.executable).parent / "qiappraise")

STATIC = sorted(p.name for p in CORPUS.glob("*.yaml"))


def test_corpus_is_large_enough() -> None:
    assert len(STATIC) + len(DYNAMIC) >= 40


def _fifty_megabytes(folder: Path) -> Path:
    path = folder / "huge.yaml"
    with path.open("w") as fh:
        fh.write(
            "rubric: {id: critical-engagement, version: 1.0.0}\nproject: {title: x}\nnotes:\n  general: |\n"
        )
        line = "    " + "z" * 95 + "\n"
        for _ in range(50 * 1024 * 1024 // len(line)):
            fh.write(line)
    return path


def _directory(folder: Path) -> Path:
    path = folder / "folder.yaml"
    path.mkdir()
    return path


def _missing(folder: Path) -> Path:
    return folder / "missing.yaml"


DYNAMIC = {"huge.yaml": _fifty_megabytes, "folder.yaml": _directory, "missing.yaml": _missing}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    files = {name: shutil.copy(CORPUS / name, folder / name) for name in STATIC}
    for name, make in DYNAMIC.items():
        files[name] = make(folder)
    return {k: Path(v) for k, v in files.items()}


ALL = STATIC + sorted(DYNAMIC)


def _errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


def _assert_clear_error(result: object, path: Path, *, command: str) -> None:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    stdout: str = result.stdout  # type: ignore[attr-defined]
    assert result.exit_code == 2, f"{command} {path.name}: exit {result.exit_code}\n{stderr}"  # type: ignore[attr-defined]
    assert "Traceback" not in stderr + stdout
    assert "internal error" not in stderr
    lines = [ln for ln in _errors(stderr) if ln.startswith("error:")]
    assert lines, f"{command} {path.name}: no error line in {stderr!r}"
    for line in lines:
        assert str(path) in line or path.name in line, f"{command}: {line!r} does not name the file"


def _invoke(*args: str | Path) -> object:
    return CliRunner().invoke(app, [str(a) for a in args], terminal_width=200)


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize(
    "command", ["score", "score-json", "report", "batch", "compare-old", "compare-new"]
)
def test_reading_commands(corpus: dict[str, Path], name: str, command: str) -> None:
    path = corpus[name]
    argv: list[str | Path] = {
        "score": ["score", path],
        "score-json": ["score", path, "--format", "json"],
        "report": ["report", path],
        "batch": ["batch", path],
        "compare-old": ["compare", path, GOOD],
        "compare-new": ["compare", GOOD, path],
    }[command]
    result = _invoke(*argv)
    _assert_clear_error(result, path, command=command)
    if command == "score-json":
        # One whole array of what could be scored: here, nothing. A folder is
        # refused before anything is scored (it names `batch` instead).
        expected = "" if path.is_dir() else "[]\n"
        assert result.stdout == expected  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ALL)
def test_check(corpus: dict[str, Path], name: str) -> None:
    path = corpus[name]
    result = _invoke("check", path, "--output-format", "json")
    assert result.exit_code == 2, result.stdout  # type: ignore[attr-defined]
    assert "Traceback" not in result.stdout + result.stderr  # type: ignore[attr-defined]
    assert str(path) in result.stdout + result.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ALL)
def test_rubric_validate(corpus: dict[str, Path], name: str) -> None:
    path = corpus[name]
    result = _invoke("rubric", "validate", path)
    assert result.exit_code == 2
    out = result.stdout + result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in out
    assert all(str(path) in line for line in _errors(out)), out


@pytest.fixture
def out_folder(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "keep.html").write_text("a report from last week")
    (folder / "index.html").write_text("last week's cohort")
    yield folder


def _unchanged(folder: Path) -> None:
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "keep.html"]
    assert (folder / "keep.html").read_text() == "a report from last week"
    assert (folder / "index.html").read_text() == "last week's cohort"


@pytest.mark.parametrize("name", ALL)
def test_writing_commands_leave_outputs_alone(
    corpus: dict[str, Path], name: str, out_folder: Path
) -> None:
    path = corpus[name]
    result = _invoke("report", path, "--format", "html", "-o", out_folder / "keep.html")
    _assert_clear_error(result, path, command="report -o")
    _unchanged(out_folder)
    # --force: even allowed into a folder of the user's, a bad input writes nothing.
    result = _invoke("batch", path, "--out", out_folder, "--force")
    _assert_clear_error(result, path, command="batch --out")
    _unchanged(out_folder)


@pytest.mark.slow
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    shutil.copy(GOOD, path)
    path.chmod(0o000)
    tmp_path.chmod(0o755)
    cmd = [EXE, "score", str(path)]
    if os.geteuid() == 0:
        # Root reads anything, so the real refusal needs another user. Only the
        # opening of files runs as nobody (effective ids, switched back after):
        # the checkout itself may sit in a folder only root can enter.
        code = (
            "import os, sys\n"
            "real_open = os.open\n"
            "def open_as_nobody(*args, **kwargs):\n"
            "    os.setegid(65534); os.seteuid(65534)\n"
            "    try:\n"
            "        return real_open(*args, **kwargs)\n"
            "    finally:\n"
            "        os.seteuid(0); os.setegid(0)\n"
            "os.open = open_as_nobody\n"
            "from qiappraise.cli.entry import main\n"
            f"sys.argv = ['qiappraise', 'score', {str(path)!r}]\n"
            "main()\n"
        )
        cmd = [sys.executable, "-c", code]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd="/")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"error: {path}: permission denied: cannot read this file"


@pytest.mark.slow
@pytest.mark.parametrize("name", [*[n for n in ALL if n != "missing.yaml"][::4], "missing.yaml"])
def test_appraise_answers(corpus: dict[str, Path], name: str, tmp_path: Path) -> None:
    """`appraise --answers BAD` stops before the first question, saving nothing."""
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", NO_COLOR="1", TERM="xterm")
    child = pexpect.spawn(
        EXE,
        ["appraise", "new.yaml", "--answers", str(corpus[name])],
        cwd=str(tmp_path),
        env=env,
        dimensions=(24, 200),
        encoding="utf-8",
        timeout=30,
    )
    child.expect(pexpect.EOF)
    child.close()
    output = child.before or ""
    assert child.exitstatus == 2, output
    assert "Traceback" not in output
    assert f"error: {corpus[name]}" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no proposal, no lock left

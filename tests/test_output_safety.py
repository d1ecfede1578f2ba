"""Outputs never replace inputs, special files are written into, and batch --out
keeps to a folder of its own (issue 13, items 3, 4 and 12).

FIFOs are read by a thread while a second write end, held by the test, stops
the reader from seeing end-of-file before the command has run: nothing waits
on a clock, and a command that never opens the FIFO fails the test instead of
hanging it.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from qiappraise.base import yamlio
from qiappraise.base.errors import UsageError
from qiappraise.base.outpaths import MARKER, InputGuard, claim_folder, read_marker
from qiappraise.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).parent / "fixtures" / "check" / "cases"
ENV = {
    "COLUMNS": "200",
    "NO_COLOR": "1",
    "QIAPPRAISE_RUBRIC": None,
    "QIAPPRAISE_CONFIG": None,
    "QIAPPRAISE_TEMPLATE_DIR": None,
    "QIAPPRAISE_OUTPUT_FORMAT": None,
    "GITHUB_ACTIONS": None,
    "GITHUB_STEP_SUMMARY": None,
    "SOURCE_DATE_EPOCH": "1700000000",
}
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="no /proc/self/fd")


def invoke(*args: str | Path, **env: str) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={**ENV, **env})


def proposal(folder: Path, name: str = "p.yaml", case: str = "evidenced-reform.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(CASES / case, folder / name))


def refused(result: Result, shown: str) -> None:
    """Exit 2 with one error line that names the output given."""
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert shown in lines[0] and "overwrite" in lines[0], lines


# --- item 3: an output never replaces an input ---------------------------------


def _spellings(tmp_path: Path, target: Path) -> dict[str, Path]:
    (tmp_path / "sub").mkdir(exist_ok=True)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    hard = tmp_path / "hard.yaml"
    os.link(target, hard)
    return {
        "same": target,
        "dotted": tmp_path / "sub" / ".." / "." / target.name,
        "symlink": link,
        "hard link": hard,
    }


@pytest.mark.parametrize("spelling", ["same", "dotted", "symlink", "hard link"])
def test_report_refuses_to_overwrite_its_proposal(tmp_path: Path, spelling: str) -> None:
    p = proposal(tmp_path)
    before = p.read_bytes()
    target = _spellings(tmp_path, p)[spelling]
    refused(invoke("report", p, "-o", target), str(target))
    assert p.read_bytes() == before and not Path(p).is_symlink()
    assert target.read_bytes() == before  # the link or the other name is untouched too


def test_report_refuses_its_rubric_and_templates(tmp_path: Path) -> None:
    p = proposal(tmp_path)
    rubric = Path(shutil.copy(ROOT / "rubrics" / "critical-engagement.yaml", tmp_path / "r.yaml"))
    before = rubric.read_bytes()
    refused(invoke("report", p, "--rubric", rubric, "-o", rubric), str(rubric))
    assert rubric.read_bytes() == before
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "report.md.j2").write_text("{{ appraisal.project.title }}\n")
    (templates / "_part.j2").write_text("included\n")
    for name in ("report.md.j2", "_part.j2"):
        result = invoke("report", p, "--template-dir", templates, "-o", templates / name)
        refused(result, name)
    assert (templates / "_part.j2").read_text() == "included\n"
    # A new file is no input: writing one beside the proposal still works.
    assert invoke("report", p, "-o", tmp_path / "p.md").exit_code == 0


def test_check_refuses_its_proposal_config_and_step_summary(tmp_path: Path) -> None:
    p = proposal(tmp_path, "c.yaml")
    before = p.read_bytes()
    refused(invoke("check", p, "-o", p), str(p))
    assert p.read_bytes() == before
    config = tmp_path / ".qiappraise.yaml"
    config.write_text("fail-under: 10\n")
    refused(invoke("check", p, "-f", "json", "-o", config), str(config))  # found by search
    explicit = tmp_path / "policy.yaml"
    explicit.write_text("fail-under: 10\n")
    refused(invoke("check", p, "--config", explicit, "-o", explicit), str(explicit))
    assert config.read_text() == explicit.read_text() == "fail-under: 10\n"
    result = invoke("check", p, "-f", "github", GITHUB_STEP_SUMMARY=str(p))
    assert result.exit_code == 2 and "refusing to overwrite" in result.stderr
    assert p.read_bytes() == before


@pytest.mark.parametrize("option", ["--csv", "--json"])
def test_batch_exports_refuse_a_proposal(tmp_path: Path, option: str) -> None:
    p = proposal(tmp_path, "b.yaml")
    before = p.read_bytes()
    refused(invoke("batch", p, option, p), str(p))
    assert p.read_bytes() == before
    (tmp_path / "sub").mkdir()
    refused(invoke("batch", tmp_path, option, tmp_path / "sub" / ".." / "b.yaml"), "b.yaml")
    assert p.read_bytes() == before


def test_batch_reports_refuse_a_proposal_even_with_force(tmp_path: Path) -> None:
    # An explicit file is scored whatever its name: here, the cohort report's.
    out = tmp_path / "out"
    p = proposal(out, "index.html")
    before = p.read_bytes()
    refused(invoke("batch", p, "--out", out, "--force"), "index.html")
    assert p.read_bytes() == before and not (out / MARKER).exists()


def test_schema_refuses_its_rubric(tmp_path: Path) -> None:
    rubric = Path(shutil.copy(ROOT / "rubrics" / "critical-engagement.yaml", tmp_path / "r.yaml"))
    before = rubric.read_bytes()
    refused(invoke("schema", "--rubric", str(rubric), "-o", rubric), str(rubric))
    assert rubric.read_bytes() == before


def test_guard_compares_files_not_names(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    a.write_text("x")
    guard = InputGuard([a, None, tmp_path / "missing.yaml"], [tmp_path / "templates"])
    guard.check(tmp_path / "b.yaml", "-o")  # does not exist: fine
    (tmp_path / "b.yaml").write_text("y")
    guard.check(tmp_path / "b.yaml", "-o")  # another file: fine
    with pytest.raises(UsageError, match="the same file as"):
        guard.check(f"{tmp_path}/./a.yaml", "-o")


# --- item 4: special files are written into, never replaced --------------------


@contextmanager
def reading(read_fd: int, keeper: int) -> Iterator[bytearray]:
    """Collect what is written to the pipe or FIFO ``read_fd`` until the block ends.

    ``keeper``, a write end the test holds, is closed only then, so the reader
    cannot see end-of-file before the command has had its turn, however the
    threads are scheduled.
    """
    os.set_blocking(read_fd, True)
    data = bytearray()

    def drain() -> None:
        while chunk := os.read(read_fd, 65536):
            data.extend(chunk)

    thread = threading.Thread(target=drain, daemon=True)
    thread.start()
    try:
        yield data
    finally:
        os.close(keeper)
        thread.join(timeout=60)
        os.close(read_fd)
    assert not thread.is_alive()


def fifo(path: Path) -> tuple[int, int]:
    """A new FIFO at ``path``: its read end, and a write end to keep it open."""
    os.mkfifo(path)
    read_fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # needs no writer
    return read_fd, os.open(path, os.O_WRONLY)  # a reader exists: returns at once


@needs_fifo
@pytest.mark.parametrize("command", ["report", "check", "batch-json", "batch-csv"])
def test_a_fifo_is_written_into_not_replaced(tmp_path: Path, command: str) -> None:
    p = proposal(tmp_path / "in")
    argv: list[str | Path] = {
        "report": ["report", p, "-f", "html", "-o"],
        "check": ["check", p, "-f", "json", "-o"],
        "batch-json": ["batch", p, "--json"],
        "batch-csv": ["batch", p, "--csv"],
    }[command]
    assert invoke(*argv, tmp_path / "regular").exit_code == 0
    target = tmp_path / "out.fifo"
    with reading(*fifo(target)) as data:
        result = invoke(*argv, target)
    assert result.exit_code == 0, (result.stderr, result.exception)
    assert stat.S_ISFIFO(os.lstat(target).st_mode), "the FIFO was replaced by a file"
    assert bytes(data) == (tmp_path / "regular").read_bytes()
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


@needs_fifo
def test_a_symlink_to_a_fifo_is_written_through(tmp_path: Path) -> None:
    p = proposal(tmp_path / "in")
    real = tmp_path / "real.fifo"
    (tmp_path / "link").symlink_to(real)
    with reading(*fifo(real)) as data:
        result = invoke("report", p, "-o", tmp_path / "link")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "link").is_symlink() and stat.S_ISFIFO(os.stat(real).st_mode)
    assert data.startswith(b"# ")  # the Markdown report's heading


@needs_proc
def test_a_proc_fd_link_to_a_pipe_is_written_into(tmp_path: Path) -> None:
    """What ``>(...)`` and ``/dev/stdout`` on a pipe give: /proc/self/fd/N."""
    p = proposal(tmp_path)
    r, w = os.pipe()
    with reading(r, w) as data:
        result = invoke("batch", p, "--json", f"/proc/self/fd/{w}")
    assert result.exit_code == 0, result.stderr
    assert b'"summary"' in data


@needs_proc
def test_a_proc_fd_link_to_a_file_adds_to_that_file(tmp_path: Path) -> None:
    """``-o /dev/stdout > out.md``: the file the shell opened gets the report.

    Before, the link itself was renamed over (as root: /dev/stdout became a
    regular file); here a link in the test's folder stands in for /dev/stdout.
    """
    p = proposal(tmp_path)
    out = tmp_path / "out.md"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    stdout = tmp_path / "stdout"
    stdout.symlink_to(f"/proc/self/fd/{fd}")
    try:
        os.write(fd, b"before\n")
        result = invoke("report", p, "-o", stdout)
    finally:
        os.close(fd)
    assert result.exit_code == 0, result.stderr
    assert stdout.is_symlink()
    text = out.read_text(encoding="utf-8")
    assert text.startswith("before\n# ") and len(text) > 200


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_dev_null_stays_a_device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Run as root, the old code renamed a file over /dev/null: make that rename
    # fail loudly here instead of happening.
    real_replace = os.replace

    def replace(src: str, dst: str | Path) -> None:
        if not str(dst).startswith(str(tmp_path)):
            raise AssertionError(f"would replace {dst}")
        real_replace(src, dst)

    monkeypatch.setattr(yamlio.os, "replace", replace)
    p = proposal(tmp_path)
    for argv in (["batch", p, "--json", "/dev/null"], ["report", p, "-o", "/dev/null"]):
        result = invoke(*argv)
        assert result.exit_code == 0, (result.stderr, result.exception)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_symlink_to_a_file_is_replaced_not_followed(tmp_path: Path) -> None:
    """Unchanged behaviour, documented: the link becomes the report; its target stays."""
    p = proposal(tmp_path)
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("someone else's file")
    link = tmp_path / "report.md"
    link.symlink_to(elsewhere)
    assert invoke("report", p, "-o", link).exit_code == 0
    assert not link.is_symlink() and link.read_text().startswith("# ")
    assert elsewhere.read_text() == "someone else's file"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")
def test_writing_into_a_folder_is_still_an_error(tmp_path: Path) -> None:
    p = proposal(tmp_path)
    (tmp_path / "d").mkdir()
    result = invoke("report", p, "-o", tmp_path / "d")
    assert result.exit_code == 2 and "cannot write" in result.stderr


# --- item 12: batch --out keeps to a folder of its own ---------------------------


def _users_folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir(parents=True)
    (out / "notes.html").write_text("my notes")
    (out / "index.html").write_text("my index")
    return out


def test_out_refuses_a_users_folder(tmp_path: Path) -> None:
    p = proposal(tmp_path / "in")
    out = _users_folder(tmp_path)
    result = invoke("batch", p, "--out", out)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "did not write" in lines[0] and "--force" in lines[0], lines
    assert sorted(os.listdir(out)) == ["index.html", "notes.html"]
    assert (out / "index.html").read_text() == "my index"


def test_force_writes_into_it_and_deletes_nothing(tmp_path: Path) -> None:
    p = proposal(tmp_path / "in")
    out = _users_folder(tmp_path)
    result = invoke("batch", p, "--out", out, "--force")
    assert result.exit_code == 0, result.stderr
    assert (out / "notes.html").read_text() == "my notes"
    assert "</html>" in (out / "index.html").read_text()  # --force: replaced by name
    assert read_marker(out) == {"index.html", "p.html"}
    # Now the folder is batch's: a second run needs no --force, and still
    # leaves the user's other file alone.
    assert invoke("batch", p, "--out", out).exit_code == 0
    assert (out / "notes.html").read_text() == "my notes"


def test_a_previous_result_is_rewritten_but_a_users_file_is_not(tmp_path: Path) -> None:
    p = proposal(tmp_path / "in")
    out = tmp_path / "out"
    assert invoke("batch", p, "--out", out).exit_code == 0
    assert invoke("batch", p, "--out", out).exit_code == 0
    (out / "notes.txt").write_text("mine")
    assert invoke("batch", p, "--out", out).exit_code == 0
    # A new proposal whose report name the user has taken meanwhile.
    q = proposal(tmp_path / "in", "q.yaml", "stepping-stone.yaml")
    (out / "q.html").write_text("also mine")
    result = invoke("batch", p, q, "--out", out)
    assert result.exit_code == 2 and "q.html" in result.stderr and "--force" in result.stderr
    assert (out / "q.html").read_text() == "also mine"
    assert (out / "notes.txt").read_text() == "mine"


def test_an_empty_folder_is_used_and_left_empty_when_nothing_is_scored(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("project: {title: [unclosed\n")
    out = tmp_path / "out"
    out.mkdir()
    assert invoke("batch", bad, "--out", out).exit_code == 2
    assert os.listdir(out) == []
    users = _users_folder(tmp_path / "u")
    assert invoke("batch", bad, "--out", users, "--force").exit_code == 2
    assert sorted(os.listdir(users)) == ["index.html", "notes.html"]
    p = proposal(tmp_path / "in")
    assert invoke("batch", p, "--out", out).exit_code == 0
    assert sorted(os.listdir(out)) == [MARKER, "index.html", "p.html"]


@needs_fifo
def test_out_never_writes_over_a_special_file(tmp_path: Path) -> None:
    p = proposal(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "p.html")
    result = invoke("batch", p, "--out", out, "--force")
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    assert stat.S_ISFIFO(os.lstat(out / "p.html").st_mode)
    # Nor through a link to one, nor where the marker goes (nor is it read: no hang).
    os.rename(out / "p.html", tmp_path / "elsewhere.fifo")
    (out / "p.html").symlink_to(tmp_path / "elsewhere.fifo")
    result = invoke("batch", p, "--out", out, "--force")
    assert result.exit_code == 2 and "p.html exists and is not a regular file" in result.stderr
    (out / "p.html").unlink()
    os.mkfifo(out / MARKER)
    for force in ([], ["--force"]):
        result = invoke("batch", p, "--out", out, *force)
        assert result.exit_code == 2, result.stderr
    assert "not a regular file" in result.stderr and stat.S_ISFIFO(os.lstat(out / MARKER).st_mode)


def test_a_marker_that_is_not_ours_is_no_marker(tmp_path: Path) -> None:
    (tmp_path / MARKER).write_text("index.html\n")
    (tmp_path / "index.html").write_text("mine")
    assert read_marker(tmp_path) is None
    with pytest.raises(UsageError, match="--force"):
        claim_folder(tmp_path, ["index.html"])

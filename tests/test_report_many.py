"""`report` with several files or a folder: one report each in -o DIR, as batch --out writes them."""

from __future__ import annotations

import shutil
from pathlib import Path

from .test_cli_core import run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def test_a_folder_makes_one_report_per_proposal(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for f in EXAMPLES[:3]:
        shutil.copyfile(f, folder / f.name)
    out = tmp_path / "reports"
    result = run("report", folder, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.glob("*.html")) == sorted(
        f"{f.stem}.html" for f in EXAMPLES[:3]
    )
    assert not (out / "index.html").exists()  # no cohort report: that is batch's
    assert "wrote 3 reports to" in result.stderr
    assert result.stdout == ""  # and no cohort table


def test_several_files_in_markdown(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = run("report", EXAMPLES[0], EXAMPLES[1], "-o", out, "--format", "md")
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in out.glob("*.md"))
    assert names == sorted(f"{f.stem}.md" for f in EXAMPLES[:2])
    # Each is the report `report FILE` writes alone.
    alone = run("report", EXAMPLES[0], "--format", "md")
    assert (out / f"{EXAMPLES[0].stem}.md").read_text() == alone.stdout


def test_several_files_need_a_folder(tmp_path: Path) -> None:
    result = run("report", EXAMPLES[0], EXAMPLES[1])
    assert result.exit_code == 2
    assert (
        "several files makes a report per proposal: give a folder for them with -o DIR"
        in result.stderr
    )
    alone = run("report", tmp_path)
    assert alone.exit_code == 2
    assert f"{tmp_path}: a folder makes a report per proposal" in alone.stderr


def test_a_bad_file_is_reported_and_the_rest_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rubric: {id: critical-engagement, version: 2.0.0}\nproject: []\n")
    out = tmp_path / "reports"
    result = run("report", EXAMPLES[0], bad, "-o", out)
    assert result.exit_code == 2
    # Named by the path below the files' common folder, as batch --out names them.
    assert [p.name.endswith(f"{EXAMPLES[0].stem}.html") for p in out.glob("*.html")] == [True]
    assert "bad.yaml:2" in result.stderr


def test_a_folder_of_someone_elses_files_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = run("report", EXAMPLES[0], EXAMPLES[1], "-o", out)
    assert result.exit_code == 2
    assert (out / "notes.txt").read_text() == "keep me"
    assert "--force" in result.stderr

"""discover: files, folders (recursive), globs with **, duplicates, hostile names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qiappraise.base.discover import expand, relative_names, walk


def _tree(root: Path, names: list[str]) -> None:
    for name in names:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("project: {title: x}\n", encoding="utf-8")


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _tree(
        tmp_path,
        [
            "cohort/b.yaml",
            "cohort/a.yml",
            "cohort/deep/er/c.yaml",
            "cohort/notes.txt",
            "cohort/.git/config.yaml",
            "cohort/node_modules/x.yaml",
            "cohort/with space/é -dash.yaml",
        ],
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_folder_is_searched_recursively_and_sorted(tree: Path) -> None:
    d = expand(["cohort"])
    assert [f.path for f in d.files] == [
        "cohort/a.yml",
        "cohort/b.yaml",
        "cohort/deep/er/c.yaml",
        "cohort/with space/é -dash.yaml",
    ]
    assert d.errors == () and d.duplicates == ()


def test_globs_and_duplicates(tree: Path) -> None:
    d = expand(["cohort/**/*.yaml", "cohort", "cohort/b.yaml", "./cohort/../cohort/b.yaml"])
    paths = [f.path for f in d.files]
    # A pattern is taken at its word (node_modules included); a folder search skips it.
    assert paths == [
        "cohort/b.yaml",
        "cohort/deep/er/c.yaml",
        "cohort/node_modules/x.yaml",
        "cohort/with space/é -dash.yaml",
        "cohort/a.yml",
    ]
    # Three from the folder, b.yaml twice more: each with where it was first found.
    assert d.duplicates == (
        ("cohort/b.yaml", "cohort/b.yaml"),
        ("cohort/deep/er/c.yaml", "cohort/deep/er/c.yaml"),
        ("cohort/with space/é -dash.yaml", "cohort/with space/é -dash.yaml"),
        ("cohort/b.yaml", "cohort/b.yaml"),
        ("cohort/b.yaml", "cohort/b.yaml"),
    )


def test_symlink_to_same_file_is_scored_once(tree: Path) -> None:
    os.symlink(tree / "cohort" / "b.yaml", tree / "link.yaml")
    d = expand(["link.yaml", "cohort/b.yaml"])
    assert [f.path for f in d.files] == ["link.yaml"]
    assert d.duplicates == (("cohort/b.yaml", "link.yaml"),)


def test_missing_inputs_are_errors(tree: Path) -> None:
    d = expand(["nope.yaml", "cohort/*.json", "cohort/notes.txt"])
    assert [f.path for f in d.files] == ["cohort/notes.txt"]  # named explicitly: kept
    assert d.errors == (
        ("nope.yaml", "no such file or folder"),
        ("cohort/*.json", "pattern matches no files"),
    )


def test_relative_names_from_the_common_folder(tree: Path) -> None:
    d = expand(["cohort"])
    assert relative_names(d.files) == [
        "a.yml",
        "b.yaml",
        "deep/er/c.yaml",
        "with space/é -dash.yaml",
    ]


def test_a_pattern_does_not_search_installed_packages(tree: Path) -> None:
    (tree / "cohort" / "venv" / "lib").mkdir(parents=True)
    (tree / "cohort" / "venv" / "lib" / "pkg.yaml").write_text("a: 1\n", encoding="utf-8")
    d = expand(["cohort/*"])
    assert not [f for f in d.files if "venv" in f.path]
    assert [f for f in d.files if f.path == "cohort/b.yaml"]


def test_the_walk_keeps_os_walk_order_and_does_not_follow_folder_links(tmp_path: Path) -> None:
    _tree(tmp_path, ["z.yaml", "a/y.yaml", "a/b/x.yaml", "c/w.yaml", "a.yaml"])
    os.symlink(tmp_path / "c", tmp_path / "link")
    expected = []
    for root, dirs, files in os.walk(tmp_path):
        dirs.sort()
        expected += [os.path.join(root, f) for f in sorted(files)]
    assert walk(str(tmp_path)).files == expected


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_found_in_a_folder_is_passed_over_with_a_note(tree: Path) -> None:
    # Reading it would block until some other process wrote to it: forever.
    os.mkfifo(tree / "cohort" / "pipe.yaml")
    os.symlink(tree / "cohort" / "pipe.yaml", tree / "cohort" / "link-to-pipe.yaml")
    os.symlink(tree / "cohort" / "gone.yaml", tree / "cohort" / "dangling.yaml")
    found = walk("cohort")
    why = "a FIFO (named pipe), not a regular file"
    assert found.passed_over == [
        (os.path.join("cohort", "link-to-pipe.yaml"), why),
        (os.path.join("cohort", "pipe.yaml"), why),
    ]
    # A dangling link is read, and reported as missing: it may be a proposal.
    assert os.path.join("cohort", "dangling.yaml") in found.files
    d = expand(["cohort"])
    assert ("cohort/pipe.yaml", why) in d.passed_over
    assert "cohort/pipe.yaml" not in [f.path for f in d.files]
    assert expand(["cohort/p*.yaml"]).passed_over == (("cohort/pipe.yaml", why),)
    assert expand(["cohort/p*.yaml"]).errors == ()


def test_a_folder_that_cannot_be_listed_is_an_error(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its files are unknown, so the run is incomplete (issue 13, item 7b): it
    was passed over silently, and `check .` passed."""
    real = os.scandir
    locked = os.path.join("cohort", "deep")

    def scandir(path: str = ".") -> object:
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = walk("cohort")
    assert found.unreadable == [(locked, "cannot read this folder: permission denied")]
    assert os.path.join(locked, "er", "c.yaml") not in found.files
    d = expand(["cohort"])
    assert d.errors == (("cohort/deep", "cannot read this folder: permission denied"),)
    assert [f.path for f in d.files] == [
        "cohort/a.yml",
        "cohort/b.yaml",
        "cohort/with space/é -dash.yaml",
    ]
    whole = expand([locked])  # the folder named itself: one error, not two
    assert whole.errors == (("cohort/deep", "cannot read this folder: permission denied"),)

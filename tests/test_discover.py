"""discover: files, folders (recursive), globs with **, duplicates, hostile names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qiappraise.discover import expand, relative_names


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

"""outpaths: report names are safe, unique and stay inside the output folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qiappraise.base.errors import UsageError
from qiappraise.base.outpaths import inside, slug, stem_for, unique_stems


@pytest.mark.parametrize(
    ("relative", "stem"),
    [
        ("cohort/Alice Smith.yaml", "cohort--alice-smith"),
        ("../../etc/passwd", "etc--passwd"),
        ("/abs/olute.yml", "abs--olute"),
        ("--rm -rf.yaml", "rm-rf"),
        ("Zoë/naïve café.yaml", "zoe--naive-cafe"),
        ("..yaml", "proposal"),
        ("日本語.yaml", "proposal"),
        ("con.yaml", "proposal-con"),
        ("a\\b.yaml", "a--b"),
    ],
)
def test_stems(relative: str, stem: str) -> None:
    assert stem_for(relative) == stem


def test_collisions_get_a_hash_and_index_is_reserved() -> None:
    names = unique_stems(["a b.yaml", "a-b.yaml", "A_B.yaml", "index.yaml", "x/y.yaml"])
    values = list(names.values())
    assert len({v.lower() for v in values}) == 5
    assert names["x/y.yaml"] == "x--y"
    assert names["index.yaml"].startswith("index-") and len(names["index.yaml"]) == 14
    # Deterministic whatever the order given.
    assert unique_stems(list(reversed(list(names)))) == names


@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=20))
def test_stems_are_always_safe_and_distinct(relatives: list[str]) -> None:
    names = unique_stems(relatives)
    stems = list(names.values())
    assert len({s.lower() for s in stems}) == len(stems)
    for s in stems:
        assert s and len(s) <= 80
        assert s == slug(s.replace("--", "/").replace("/", "-")) or "--" in s
        assert not s.startswith(("-", ".")) and "/" not in s and ".." not in s
        assert s.lower() != "index"


def test_inside_refuses_escapes(tmp_path: Path) -> None:
    assert inside(tmp_path, "a.html") == tmp_path / "a.html"
    for bad in ("../a.html", "/etc/x", "..", "", "a/b"):
        with pytest.raises(UsageError):
            inside(tmp_path, bad)
    outside = tmp_path.parent / "outside-target.html"
    (tmp_path / "l.html").symlink_to(outside)
    target = inside(tmp_path, "l.html")
    assert not target.is_symlink() and not outside.exists()

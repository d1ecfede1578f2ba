"""Write the snapshots of the bundled rubrics (``rubric.snapshot``), for developers.

Run after editing a bundled rubric or the rubric model::

    .venv/bin/python -m qiappraise.rubric.freeze

Each bundled rubric is validated afresh and its snapshot written; snapshots of
texts no longer bundled are removed. ``tests/test_snapshot.py`` fails until
this has been run.
"""

from __future__ import annotations

from pathlib import Path

from ..base.resources import rubrics_dir
from . import snapshot
from .read import read_rubric


def write_all() -> list[Path]:
    """Validate every bundled rubric and write its snapshot; remove stale ones."""
    snapshot.SNAPSHOT_DIR.mkdir(exist_ok=True)
    written: list[Path] = []
    for path in sorted(rubrics_dir().glob("*.yaml")):
        loaded = read_rubric(path, snapshot=False)
        target = snapshot.path_for(loaded.sha256)
        target.write_text(snapshot.encode(loaded.rubric, loaded.sha256), encoding="utf-8")
        written.append(target)
    for old in snapshot.SNAPSHOT_DIR.glob("*.json"):
        if old not in written:
            old.unlink()
    return written


if __name__ == "__main__":
    for written in write_all():
        print(written)

"""The appraisal a review reviews: read, validated, and hashed as it is now.

Used by ``review`` (interactive) and by ``init --review`` (a skeleton to fill
in by hand), so it lives here rather than with the interactive session.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import UsageError
from ..proposal.model import PROJECT_KEYS, Proposal
from ..rubric.read import LoadedRubric


@dataclass(frozen=True)
class ReviewedFile:
    """The appraisal under review, as it is now."""

    path: Path
    proposal: Proposal
    sha256: str  # of the file's bytes

    @property
    def answers(self) -> dict[str, Any]:
        return self.proposal.answers

    @property
    def notes(self) -> dict[str, str]:
        return self.proposal.notes

    @property
    def waivers(self) -> list[dict[str, str]]:
        """Its waivers as a file writes them."""
        return [w.as_data() for w in self.proposal.waivers]

    def project(self) -> dict[str, Any]:
        """The project's details as a file writes them (empty ones left out)."""
        p = self.proposal.project
        values = {key: getattr(p, key) for key in PROJECT_KEYS}
        return {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in values.items()
            if value not in ("", ())
        }


def read_reviewed(
    path: Path, rubric_path: str | Path | None = None
) -> tuple[ReviewedFile, LoadedRubric]:
    """Read and validate the appraisal to review, and the rubric it answers."""
    from .pipeline import resolve

    proposal, loaded = resolve(path, rubric_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if proposal.is_review:
        raise UsageError(
            f"{path} is itself a review (it has reviews:); review the appraisal it reviews"
        )
    return ReviewedFile(path, proposal, digest), loaded


def relative(target: Path, folder: Path) -> str:
    """``target`` as ``reviews.file`` writes it: relative to ``folder`` when the two
    share more than the root (so the pair can move together), else absolute."""
    a, b = os.path.abspath(target), os.path.abspath(folder)
    try:
        common = os.path.commonpath([a, b])
    except ValueError:  # another drive on Windows: no relative path exists
        common = ""
    if not common or common == os.path.dirname(common):  # nothing shared but the root
        return Path(a).as_posix()
    return Path(os.path.relpath(a, b)).as_posix()

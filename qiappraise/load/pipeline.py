"""From a path to an appraisal: find the rubric a proposal names, load, score."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..base.errors import InputError, ProblemsError, UsageError
from ..base.yamlio import Located
from ..proposal import model as _proposal
from ..proposal.model import Proposal
from ..rubric.model import Rubric
from ..rubric.read import LoadedRubric, find_rubric
from ..scoring.appraisal import Appraisal
from ..scoring.score import score
from .rubric import load_rubric


def load_proposal(path: str | Path, rubric: Rubric) -> Proposal:
    """Read ``path`` and check its answers against ``rubric``."""
    return _proposal.validate(_proposal.read(path), rubric)


def rubric_file(
    located: Located, rubric_id: str, finder: Callable[[str], Path] = find_rubric
) -> Path:
    """The file of the rubric a proposal names; an unknown id is the proposal's error."""
    try:
        return finder(rubric_id)
    except UsageError as exc:
        raise located.error(("rubric", "id"), f"rubric.id: {exc}") from None


def load_rubric_option(rubric_path: str | Path) -> LoadedRubric:
    """The rubric given with ``--rubric``: a file that cannot be read is the
    option's error, never the proposal's (a missing rubric file was reported
    as "proposal.yaml:1: no such file")."""
    try:
        return load_rubric(rubric_path)
    except ProblemsError:
        raise  # a broken rubric: each problem already names the rubric file and line
    except InputError as exc:
        raise UsageError(f"--rubric: {exc}") from None


def resolve(
    path: str | Path, rubric_path: str | Path | None = None
) -> tuple[Proposal, LoadedRubric]:
    """The proposal at ``path`` and the rubric it answers (or ``rubric_path``)."""
    located = _proposal.read(path)
    if rubric_path is not None:
        loaded = load_rubric_option(rubric_path)
    else:
        loaded = load_rubric(rubric_file(located, _proposal.rubric_ref(located).id))
    return _proposal.validate(located, loaded.rubric), loaded


def appraise_file(path: str | Path, rubric_path: str | Path | None = None) -> Appraisal:
    """Load and score one proposal file."""
    proposal, loaded = resolve(path, rubric_path)
    return score(loaded.rubric, proposal, sha256=loaded.sha256)

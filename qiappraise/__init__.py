"""qiappraise: critically appraise quality improvement projects.

The library API: load a rubric and a proposal and score it (docs/library.md
also renders a report).

    >>> from qiappraise import load_rubric, load_proposal, score
    >>> loaded = load_rubric("rubrics/critical-engagement.yaml")
    >>> proposal = load_proposal("examples/cypic.yaml", loaded.rubric)
    >>> appraisal = score(loaded.rubric, proposal, sha256=loaded.sha256)
    >>> appraisal.band.id
    'reform'

A second rater's appraisal of the same project (a review) is moderated
against the first with ``moderate(rubric, first, second)``.
"""

from .base.version import __version__

__all__ = [
    "Appraisal",
    "InputError",
    "LoadedRubric",
    "Moderation",
    "Proposal",
    "QiAppraiseError",
    "Rubric",
    "__version__",
    "load_proposal",
    "load_rubric",
    "moderate",
    "score",
]

# Not typing.TYPE_CHECKING: importing typing took most of the time between
# Python's start-up and entry.main(), where an interrupt is Python's to report.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .base.errors import InputError, QiAppraiseError
    from .load.pipeline import load_proposal
    from .load.rubric import load_rubric
    from .proposal.model import Proposal
    from .raters.moderation import Moderation, moderate
    from .rubric.model import Rubric
    from .rubric.read import LoadedRubric
    from .scoring.appraisal import Appraisal
    from .scoring.score import score

# Lazy attributes keep `qiappraise --version` from importing pydantic and friends.
_LAZY = {
    "Appraisal": "scoring.appraisal",
    "InputError": "base.errors",
    "QiAppraiseError": "base.errors",
    "load_proposal": "load.pipeline",
    "Moderation": "raters.moderation",
    "moderate": "raters.moderation",
    "Proposal": "proposal.model",
    "Rubric": "rubric.model",
    "LoadedRubric": "rubric.read",
    "load_rubric": "load.rubric",
    "score": "scoring.score",
}


def __getattr__(name: str) -> "Any":
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'qiappraise' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{module}", __name__), name)

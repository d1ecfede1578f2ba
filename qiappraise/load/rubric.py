"""Loading a rubric: read and validate it, lint it, and remember the result.

Reading is ``qiappraise.rubric.read``; linting (``lint``) scores answer
combinations, so it and this module sit above scoring.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..base.errors import ProblemsError
from ..rubric.read import LoadedRubric, read_rubric

#: SHA-256 of rubric texts known to lint clean: the bundled rubrics as
#: released. Linting tries answer combinations to prove each finding can fire,
#: a third of the time `score` spends on its own work; for these exact bytes
#: the answer is already known. Any edit changes the hash, and the rubric is
#: linted again. tests/test_rubric_lint.py checks this list against the
#: bundled files, so it cannot go stale unnoticed.
LINTED_CLEAN = frozenset(
    {
        "1b4f3d541fef3016c4172fb2c9bfe6f749602456072c8ac52e0a205525ab429f",  # critical-engagement 2.0.0
    }
)


def load_rubric(path: str | Path, *, lint: bool = True, trust_known: bool = True) -> LoadedRubric:
    """Read, validate and (by default) lint a rubric file; raise on any problem.

    ``trust_known=False`` lints even a text listed in ``LINTED_CLEAN``.
    """
    p = Path(path)
    try:
        stat = p.stat()
        key = (str(p.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (str(p), 0, 0)
    return _load_cached(key, str(path), lint, trust_known)


@lru_cache(maxsize=16)
def _load_cached(
    _key: tuple[str, int, int], path: str, lint: bool, trust_known: bool = True
) -> LoadedRubric:
    loaded = read_rubric(path)
    if lint and not (trust_known and loaded.sha256 in LINTED_CLEAN):
        from .lint import lint as run_lint

        problems = run_lint(loaded)
        if problems:
            raise ProblemsError(problems)
    return loaded

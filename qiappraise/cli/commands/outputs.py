"""The inputs each command's outputs must not replace (see outpaths.InputGuard)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from ...base.outpaths import InputGuard

PathLike = str | os.PathLike[str] | None


def guard(
    files: Iterable[PathLike],
    *,
    rubrics: bool = True,
    template_dir: PathLike = None,
    templates: bool = False,
) -> InputGuard:
    """A guard over ``files``, plus the rubric files a rubric id may be looked up
    in (``rubrics``) and the template folders (``templates``)."""
    inputs = list(files)
    folders: list[PathLike] = []
    if rubrics:
        from ...rubric.read import bundled_rubrics

        inputs += bundled_rubrics()
    if templates:
        from ...base.resources import templates_dir

        folders += [template_dir, templates_dir()]
    return InputGuard(inputs, folders)

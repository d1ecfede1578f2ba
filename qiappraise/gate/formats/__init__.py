"""Output formats of ``qiappraise check``: one registry, one module per format.

Each formatter takes the :class:`~qiappraise.gate.verdict.CheckReport` and returns
text; only ``text`` uses colour, and only when asked. To add a format, add a
module with ``render(report, color)`` and an entry in ``FORMATS``.
"""

from __future__ import annotations

from collections.abc import Callable

from ..verdict import CheckReport
from . import github, gitlab, jsondoc, junit, sarif, text

Formatter = Callable[[CheckReport, bool], str]

FORMATS: dict[str, Formatter] = {
    "text": text.render,
    "json": jsondoc.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
    "gitlab": gitlab.render,
}

__all__ = ["FORMATS", "Formatter"]

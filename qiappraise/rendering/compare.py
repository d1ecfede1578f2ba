"""``compare --format md``: what changed between two versions, as Markdown."""

from __future__ import annotations

from ..scoring.compare import LEVEL_WORDS, Comparison
from .report import environment, generated_date, render_template, tidy_markdown


def render_markdown(c: Comparison, *, template_dir: str | None = None) -> str:
    """``compare --format md``, through the sandboxed ``compare.md.j2``."""
    ctx = {"c": c, "levels": LEVEL_WORDS, "generated": generated_date()}
    return tidy_markdown(render_template(environment(template_dir), "compare.md.j2", ctx))

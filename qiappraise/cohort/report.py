"""Rendering a cohort through the sandboxed templates (``cohort.md.j2``, ``cohort.html.j2``)."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from ..base.errors import UsageError
from ..rendering.report import environment, generated_date, render_template, tidy_markdown
from . import charts as cohort_charts
from .aggregate import Cohort

FORMATS: dict[str, str] = {"md": "cohort.md.j2", "html": "cohort.html.j2"}
#: How many findings the report lists, and how many projects for each.
TOP_FINDINGS = 10
PROJECTS_PER_FINDING = 25


def render(c: Cohort, fmt: str = "html", *, template_dir: str | Path | None = None) -> str:
    """The cohort report as Markdown (``md``) or HTML (``html``)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown report format {fmt!r}; allowed: {', '.join(FORMATS)}")
    ctx = {
        "c": c,
        "generated": generated_date(),
        "top": TOP_FINDINGS,
        "list_limit": PROJECTS_PER_FINDING,
        # A band's place from repair (1) to reform, so the table sorts by band in that order.
        "band_rank": {b.id: i for i, b in enumerate(c.bands, start=1)},
        "charts": {
            "histogram": Markup(cohort_charts.histogram(c)),
            "dimensions": Markup(cohort_charts.dimension_shares(c)),
        },
    }
    text = render_template(environment(template_dir), FORMATS[fmt], ctx)
    return tidy_markdown(text) if fmt == "md" else text

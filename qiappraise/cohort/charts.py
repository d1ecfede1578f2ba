"""Inline SVG charts for the cohort report: the score histogram and dimension shares.

Like ``rendering.charts``, each chart is a self-contained ``<svg role="img">`` with a
title and a description in words, and the report gives the same numbers in
a table. Text is escaped here because the result is inserted unescaped.
"""

from __future__ import annotations

from html import escape

from ..rendering.charts import ACCENT, FILL, INK, MUTED, svg
from .aggregate import Cohort


def histogram(c: Cohort, chart_id: str = "chart-scores") -> str:
    """One bar per 10-point score bin, its count written above it.

    The provisional scores in a bin (floors: required questions unanswered)
    are the top of its bar, drawn hollow with a dashed edge, so the picture
    does not depend on colour; the description counts them in words.
    """
    floors = any(b.provisional for b in c.bins)
    width, height, left, top, bottom = 640, 260, 40, 24, 40
    plot_h = height - top - bottom
    height += 26 if floors else 0  # room for the legend
    n = len(c.bins)
    slot = (width - left - 10) / max(n, 1)
    peak = max((b.count for b in c.bins), default=0) or 1
    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
        f'stroke="{INK}" stroke-width="1"/>'
    ]
    for i, b in enumerate(c.bins):
        h = plot_h * b.count / peak
        x = left + i * slot + 4
        y = top + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot - 8:.1f}" height="{h:.1f}" '
            f'fill="{FILL}" stroke="{ACCENT}" stroke-width="1.5"/>'
        )
        if b.provisional:
            ph = plot_h * b.provisional / peak
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot - 8:.1f}" height="{ph:.1f}" '
                f'fill="#ffffff" stroke="{ACCENT}" stroke-width="1.5" stroke-dasharray="4 3"/>'
            )
        parts.append(
            f'<text x="{x + (slot - 8) / 2:.1f}" y="{y - 5:.1f}" text-anchor="middle" '
            f'font-size="12" fill="{INK}">{b.count}</text>'
        )
        parts.append(
            f'<text x="{x + (slot - 8) / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'font-size="11" fill="{MUTED}">{b.label}</text>'
        )
    axis_y = top + plot_h + 34
    parts.append(
        f'<text x="{left + (width - left) / 2:.1f}" y="{axis_y}" text-anchor="middle" '
        f'font-size="12" fill="{INK}">Critical-engagement score</text>'
    )
    if floors:
        parts.append(
            f'<rect x="{left}" y="{axis_y + 8}" width="14" height="12" fill="#ffffff" '
            f'stroke="{ACCENT}" stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{left + 20}" y="{axis_y + 19}" font-size="12" fill="{INK}">'
            "provisional: required questions unanswered, so the score is a floor</text>"
        )
    words = (
        ", ".join(
            f"{b.count} scored {b.label}"
            + (f" ({b.provisional} provisional)" if b.provisional else "")
            for b in c.bins
            if b.count
        )
        or "no scores yet"
    )
    return svg(
        chart_id,
        width,
        height,
        "Distribution of scores",
        f"Number of projects in each 10-point score band: {words}.",
        "".join(parts),
    )


def dimension_shares(c: Cohort, chart_id: str = "chart-dimension-shares") -> str:
    """A horizontal bar per dimension: primary and secondary shares, stacked."""
    label_w, bar_w, row_h, top = 150, 400, 28, 10
    width = label_w + bar_w + 70
    height = top + row_h * len(c.dimensions) + 30
    parts = []
    for i, d in enumerate(c.dimensions):
        y = top + i * row_h
        total = d.total or 1
        pw = bar_w * d.primary / total
        sw = bar_w * d.secondary / total
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(d.label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="18" fill="none" '
            f'stroke="{MUTED}" stroke-width="1"/>'
            f'<rect x="{label_w}" y="{y + 4}" width="{pw:.1f}" height="18" fill="{ACCENT}"/>'
            f'<rect x="{label_w + pw:.1f}" y="{y + 4}" width="{sw:.1f}" height="18" '
            f'fill="{FILL}" stroke="{ACCENT}" stroke-width="1"/>'
            f'<text x="{label_w + bar_w + 8}" y="{y + 17}" font-size="12" '
            f'fill="{INK}">{d.share:.0%}</text>'
        )
    legend_y = top + row_h * len(c.dimensions) + 12
    parts.append(
        f'<rect x="{label_w}" y="{legend_y}" width="14" height="12" fill="{ACCENT}"/>'
        f'<text x="{label_w + 20}" y="{legend_y + 11}" font-size="12" fill="{INK}">primary</text>'
        f'<rect x="{label_w + 100}" y="{legend_y}" width="14" height="12" fill="{FILL}" '
        f'stroke="{ACCENT}" stroke-width="1"/>'
        f'<text x="{label_w + 120}" y="{legend_y + 11}" font-size="12" fill="{INK}">'
        "secondary</text>"
    )
    words = "; ".join(
        f"{d.label}: {d.addressed} of {d.total} ({d.share:.0%}), {d.primary} as primary"
        + (f", {d.unknown} not known yet" if d.unknown else "")
        for d in c.dimensions
    )
    return svg(
        chart_id,
        width,
        height,
        "Share of projects addressing each dimension of quality",
        f"Projects serving each dimension as primary or secondary: {words}.",
        "".join(parts),
    )

"""Inline SVG charts for HTML reports, drawn from appraisal values.

Each chart is a self-contained ``<svg role="img">`` with a ``<title>`` and a
``<desc>`` that says in words what it shows; reports also give the numbers in
a table, so nothing depends on seeing the picture. Colour is never the only
carrier of meaning: bands are labelled, levels are drawn as distances.
Text is escaped here because the result is inserted unescaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from ..scoring.appraisal import Appraisal, SectionResult

LEVEL_VALUE = {"none": 0, "unknown": 0, "secondary": 1, "primary": 2}
#: How each level reads in words (in the picture and in its description).
LEVEL_TEXT = {
    "primary": "primary",
    "secondary": "secondary",
    "none": "not addressed",
    "unknown": "not known yet",
}
INK = "#1f2933"
MUTED = "#52606d"
ACCENT = "#0b5cad"
FILL = "#d7e6f7"


def svg(chart_id: str, width: int, height: int, title: str, desc: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" id="{chart_id}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def radar(a: Appraisal, chart_id: str = "chart-dimensions") -> str:
    """Each dimension as an axis: centre = not addressed, middle ring = secondary, edge = primary.

    A dimension not known yet (a question that could raise it is unanswered)
    sits at the centre as a hollow point, and its label says so.
    """
    dims = a.dimensions
    size, cx, cy, r = 480, 240.0, 180.0, 110.0
    n = max(len(dims), 3)
    parts: list[str] = []
    for ring in (1, 2):
        pts = []
        for i in range(n):
            ang = -math.pi / 2 + 2 * math.pi * i / n
            pts.append(
                f"{_n(cx + r * ring / 2 * math.cos(ang))},{_n(cy + r * ring / 2 * math.sin(ang))}"
            )
        parts.append(
            f'<polygon points="{" ".join(pts)}" fill="none" stroke="{MUTED}" '
            f'stroke-width="1" stroke-dasharray="{"3 3" if ring == 1 else "0"}"/>'
        )
    shape = []
    hollow = []
    for i, d in enumerate(dims):
        ang = -math.pi / 2 + 2 * math.pi * i / n
        ex, ey = cx + r * math.cos(ang), cy + r * math.sin(ang)
        parts.append(
            f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(ex)}" y2="{_n(ey)}" stroke="{MUTED}" stroke-width="1"/>'
        )
        value = LEVEL_VALUE.get(d.level, 0)
        px, py = cx + r * value / 2 * math.cos(ang), cy + r * value / 2 * math.sin(ang)
        shape.append(f"{_n(px)},{_n(py)}")
        hollow.append(d.level == "unknown")
        lx, ly = cx + (r + 18) * math.cos(ang), cy + (r + 18) * math.sin(ang)
        anchor = "middle" if abs(math.cos(ang)) < 0.3 else ("start" if math.cos(ang) > 0 else "end")
        level_text = LEVEL_TEXT.get(d.level, d.level)
        parts.append(
            f'<text x="{_n(lx)}" y="{_n(ly)}" text-anchor="{anchor}" font-size="12" fill="{INK}">'
            f"{escape(d.label)}"
            f'<tspan x="{_n(lx)}" dy="14" font-size="11" fill="{MUTED}">{level_text}</tspan></text>'
        )
    parts.append(
        f'<polygon points="{" ".join(shape)}" fill="{FILL}" fill-opacity="0.7" '
        f'stroke="{ACCENT}" stroke-width="2"/>'
    )
    for point, unknown in zip(shape, hollow, strict=True):
        x, y = point.split(",")
        fill = "#ffffff" if unknown else ACCENT
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="3.5" fill="{fill}" stroke="{ACCENT}" stroke-width="1.5"/>'
        )
    served = [f"{d.label}: {LEVEL_TEXT.get(d.level, d.level)}" for d in dims]
    desc = (
        "Radar chart of the dimensions of quality. Centre means not addressed (or not "
        "known yet), the dashed middle ring secondary, the outer ring primary. "
        + "; ".join(served)
        + "."
    )
    return svg(
        chart_id, size, 360, "Dimensions of quality this project serves", desc, "".join(parts)
    )


def spectrum(
    a: Appraisal, bands: Sequence[tuple[str, float, float]], chart_id: str = "chart-spectrum"
) -> str:
    """The repair-reform bar (the article's Figure 1) with the project's position marked.

    ``bands`` is (label, start, end) for each band, positions 0..1.
    """
    width, left, right, top, height = 640, 20.0, 620.0, 46.0, 34.0
    span = right - left
    parts: list[str] = []
    shades = ["#eef2f6", "#dde6ef", "#c9d6e5", "#b6c7db"]
    for i, (label, start, end) in enumerate(bands):
        x0, x1 = left + span * start, left + span * end
        parts.append(
            f'<rect x="{_n(x0)}" y="{_n(top)}" width="{_n(x1 - x0)}" height="{_n(height)}" '
            f'fill="{shades[i % len(shades)]}" stroke="{MUTED}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_n((x0 + x1) / 2)}" y="{_n(top + height + 17)}" text-anchor="middle" '
            f'font-size="13" font-weight="bold" fill="{INK}">{escape(label)}</text>'
        )
    parts.append(
        f'<text x="{_n(left)}" y="{_n(top + height + 36)}" font-size="11" fill="{MUTED}">'
        "0: repairs the status quo</text>"
    )
    parts.append(
        f'<text x="{_n(right)}" y="{_n(top + height + 36)}" text-anchor="end" font-size="11" '
        f'fill="{MUTED}">1: reforms the system</text>'
    )
    parts.append(
        f'<text x="{_n(left + span / 2)}" y="{_n(top + height + 52)}" text-anchor="middle" '
        # Not "better" to the right: both ends can be good QI (the article's Conclusion).
        f'font-size="11" fill="{MUTED}">what the project sets out to change, not how good it is</text>'
    )
    if a.position is None:
        desc = "The project has no position on the spectrum yet: no answer places it."
    else:
        x = left + span * a.position
        parts.append(
            f'<path d="M {_n(x - 8)} {_n(top - 16)} L {_n(x + 8)} {_n(top - 16)} L {_n(x)} {_n(top - 2)} Z" '
            f'fill="{ACCENT}"/>'
        )
        parts.append(
            f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(top + height)}" '
            f'stroke="{ACCENT}" stroke-width="3"/>'
        )
        anchor = "start" if a.position < 0.15 else ("end" if a.position > 0.85 else "middle")
        parts.append(
            f'<text x="{_n(x)}" y="{_n(top - 22)}" text-anchor="{anchor}" font-size="12" '
            f'font-weight="bold" fill="{INK}">this project: {a.position:.2f}</text>'
        )
        band = a.band.label if a.band else ""
        desc = (
            "Spectrum from repair (0) to reform (1), in bands: "
            + ", ".join(f"{label} {start:.2f} to {end:.2f}" for label, start, end in bands)
            + f". This project sits at {a.position:.2f}, in the {band} band."
        )
    return svg(
        chart_id, width, 140, "Position on the repair to reform spectrum", desc, "".join(parts)
    )


def sections(a: Appraisal, chart_id: str = "chart-sections") -> str:
    """A horizontal bar per section, 0-100, with the value written at its end.

    A section of weight 0 places the project and earns no points: it has no
    bar, only those words, so it cannot be read as a score of nothing.
    """
    rows = a.sections
    label_w, bar_w, row_h = 230.0, 300.0, 28.0
    # Room after the bar for "100 (capped)" and "not scored" at 12px.
    width, height = 640, int(24 + row_h * len(rows))
    parts: list[str] = []
    for tick in (0, 50, 100):
        x = label_w + bar_w * tick / 100
        parts.append(
            f'<line x1="{_n(x)}" y1="4" x2="{_n(x)}" y2="{height - 18}" stroke="{MUTED}" '
            f'stroke-width="1" stroke-dasharray="2 3"/>'
            f'<text x="{_n(x)}" y="{height - 4}" text-anchor="middle" font-size="10" fill="{MUTED}">{tick}</text>'
        )
    for i, s in enumerate(rows):
        y = 6 + i * row_h
        title = s.title if len(s.title) <= 34 else s.title[:33] + "…"
        parts.append(
            f'<text x="{_n(label_w - 8)}" y="{_n(y + 15)}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(title)}</text>'
        )
        if not s.weight:
            # A white ground keeps the words clear of the dashed ticks behind them.
            parts.append(
                f'<rect x="{_n(label_w)}" y="{_n(y + 3)}" width="{_n(bar_w * 0.93)}" '
                f'height="16" fill="#ffffff"/>'
                f'<text x="{_n(label_w + 8)}" y="{_n(y + 15)}" font-size="12" fill="{MUTED}">'
                f"{_UNSCORED}</text>"
            )
            continue
        parts.append(
            f'<rect x="{_n(label_w)}" y="{_n(y + 3)}" width="{_n(bar_w)}" height="16" '
            f'fill="none" stroke="{MUTED}" stroke-width="1"/>'
        )
        if s.score is not None:
            parts.append(
                f'<rect x="{_n(label_w)}" y="{_n(y + 3)}" width="{_n(bar_w * s.score / 100)}" '
                f'height="16" fill="{ACCENT}"/>'
            )
        value = "not scored" if s.score is None else f"{s.score:.0f}"
        if s.caps:
            value += " (capped)"
        parts.append(
            f'<text x="{_n(label_w + bar_w + 8)}" y="{_n(y + 15)}" font-size="12" fill="{INK}">{value}</text>'
        )
    desc = (
        "Bar chart of section scores out of 100: "
        + "; ".join(f"{s.title} {_section_value(s)}" for s in rows)
        + "."
    )
    return svg(chart_id, width, height, "Score by section", desc, "".join(parts))


_UNSCORED = "places the project, earns no points"


def _section_value(s: SectionResult) -> str:
    if not s.weight:
        return _UNSCORED
    return "not scored" if s.score is None else f"{s.score:.0f}"

"""The calibration report (``calibration.md.j2``, ``calibration.html.j2``) and the CSV of `agreement`.

Reports render through the same sandboxed environment as every other report
(:func:`qiappraise.rendering.report.environment`), so a user's ``--template-dir`` is confined and
bounded here too. The CSV follows :mod:`qiappraise.base.csvsafe`: UTF-8 with a byte-order
mark, CRLF line ends, and text a spreadsheet would run as a formula
neutralised.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ..base.csvsafe import BOM, neutralise
from ..base.errors import UsageError
from ..rendering.report import environment, generated_date, render_template, tidy_markdown
from .agreement import AGENDA, Agreement, Figure, figure_text, percent_text

FORMATS: dict[str, str] = {"md": "calibration.md.j2", "html": "calibration.html.j2"}

CSV_COLUMNS = (
    "question",
    "section",
    "prompt",
    "type",
    "ordered",
    "statistic",
    "method",
    "value",
    "ci95_low",
    "ci95_high",
    "n",
    "raters",
    "categories",
    "dropped",
    "percent_agreement",
    "rank",
    "reason",
    "caution",
    "reflect",
)


def render(
    g: Agreement,
    fmt: str = "html",
    *,
    agenda: int = AGENDA,
    template_dir: str | Path | None = None,
) -> str:
    """The calibration report as Markdown (``md``) or HTML (``html``)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown report format {fmt!r}; allowed: {', '.join(FORMATS)}")
    env = environment(template_dir)
    env.filters.update(coef=figure_text, percent=percent_text)
    ranked = g.ranking()
    ctx: dict[str, Any] = {
        "g": g,
        "agenda": ranked[:agenda],
        "rank": {q.spec.id: i + 1 for i, q in enumerate(ranked)},
        "cautions": [c for c in (g.band.caution, g.score.caution) if c],
        "question_cautions": [q for q in g.questions if q.figure and q.figure.caution],
        "generated": generated_date(),
    }
    text = render_template(env, FORMATS[fmt], ctx)
    return tidy_markdown(text) if fmt == "md" else text


def to_csv(g: Agreement) -> str:
    """One row per question, rubric order, BOM first."""
    ranked = g.ranking()
    rank = {q.spec.id: i + 1 for i, q in enumerate(ranked)}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for q in g.questions:
        f = q.figure
        writer.writerow(
            [
                q.spec.id,
                neutralise(q.spec.section),
                neutralise(q.spec.prompt),
                q.spec.type,
                "yes" if q.spec.order is not None else "no",
                *_figure_cells(f),
                rank.get(q.spec.id, ""),
                neutralise(q.reason or ""),
                neutralise(f.caution or "") if f else "",
                neutralise(q.spec.reflect),
            ]
        )
    return BOM + buf.getvalue()


def _figure_cells(f: Figure | None) -> list[str | int]:
    if f is None:
        return ["", "", "", "", "", 0, "", "", "", ""]
    low, high = f.ci95 if f.ci95 else (None, None)
    return [
        f.statistic,
        f.method,
        _num(f.value),
        _num(low),
        _num(high),
        f.n,
        f.raters,
        "" if f.categories is None else f.categories,
        f.dropped,
        _num(f.percent_agreement),
    ]


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"

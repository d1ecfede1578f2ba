"""Rendering a moderation through the sandboxed templates (``moderation.md.j2``, ``moderation.html.j2``).

The same environment as the appraisal report (``rendering.report.environment``): the
bounded sandbox, ``StrictUndefined``, the Markdown escaping filters, HTML
autoescaping, and ``--template-dir`` overriding templates by name, falling
back to the bundled ones.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import Any

from ..base.errors import UsageError
from ..rendering.report import environment, generated_date, render_template, tidy_markdown
from ..scoring.appraisal import FindingResult
from .moderation import Moderation, QuestionModeration, Rating

FORMATS: dict[str, str] = {"md": "moderation.md.j2", "html": "moderation.html.j2"}

#: ``moderation.AGREEMENT_LEVELS`` in words for people, in that order.
AGREEMENT_WORDS: dict[str, str] = {
    "same": "same",
    "adjacent": "adjacent (one step apart)",
    "apart": "apart",
    "one-answered": "answered by one rater only",
    "neither-answered": "answered by neither rater",
    "not-compared": "free text, not compared",
}

#: ``proposal.RATER_ROLES`` as a reader would name them.
ROLE_WORDS: dict[str, str] = {
    "self": "self-appraisal",
    "supervisor": "supervisor",
    "peer": "peer",
    "assessor": "assessor",
}


def render(m: Moderation, fmt: str = "md", *, template_dir: str | Path | None = None) -> str:
    """The moderation report as Markdown (``md``) or HTML (``html``)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown report format {fmt!r}; allowed: {', '.join(FORMATS)}")
    text = render_template(environment(template_dir), FORMATS[fmt], context(m))
    return tidy_markdown(text) if fmt == "md" else text


def context(m: Moderation) -> dict[str, Any]:
    """What the moderation templates see: ``m`` plus views derived from it."""
    a = m.first.appraisal
    return {
        "m": m,
        "project": a.project,
        "rubric": a.rubric,
        "raters": (m.first, m.second),
        "who": raters_named(m),
        "levels": AGREEMENT_WORDS,
        "summary": m.summary(),
        # Moderation counts two blanks as the same answer; the reader should know how many.
        "disagreements": m.disagreements(),
        "not_accepted": m.not_accepted(),
        "other_comments": m.other_comments(),
        "only": (_findings(m.first, m.only_first), _findings(m.second, m.only_second)),
        "change": m.reviewed_changed,
        "by_section": by_section(m.questions),
        "generated": generated_date(),
    }


def raters_named(m: Moderation) -> tuple[str, str]:
    """How the report names each rater: name and role, told apart if they read the same."""
    first, second = _named(m.first), _named(m.second)
    if first == second:
        return f"{first}, rater 1", f"{second}, rater 2"
    return first, second


def _named(r: Rating) -> str:
    role = ROLE_WORDS.get(r.role, r.role)
    return f"{r.name} ({role})" if r.name else role[:1].upper() + role[1:]


def by_section(
    questions: tuple[QuestionModeration, ...],
) -> list[tuple[str, list[QuestionModeration]]]:
    """The questions grouped by section, in the rubric's order (Jinja's groupby sorts)."""
    return [(title, list(qs)) for title, qs in groupby(questions, key=lambda q: q.section)]


def _findings(r: Rating, ids: tuple[str, ...]) -> list[FindingResult]:
    by_id = {f.id: f for f in r.appraisal.findings}
    return [by_id[i] for i in ids if i in by_id]

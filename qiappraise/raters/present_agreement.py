"""Rich presentation for `agreement`: the headline figures, every question, then the agenda.

Only the CLI calls this. Figures are words and numbers, never colour alone;
an undefined figure reads ``n/a`` with its reason beside it.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..rendering.present import hanging
from .agreement import AGENDA, Agreement, Figure, QuestionAgreement, figure_text, percent_text
from .interrater import ICC_MIN_TARGETS, ONE_CATEGORY, kappa_min_units

SYMBOL = {"kappa": "kappa", "icc": "ICC"}


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _value(f: Figure) -> str:
    text = f"{SYMBOL[f.statistic]} {figure_text(f.value)}"
    if f.ci95 is not None:
        text += f" (95% CI {figure_text(f.ci95[0])} to {figure_text(f.ci95[1])})"
    return text


def _note(f: Figure) -> str:
    """Why a figure is n/a, or that it rests on few projects (the source is given below)."""
    if f.reason == ONE_CATEGORY:
        return "every answer the same: kappa is undefined"
    if f.reason:
        return f.reason
    if f.caution:
        least = ICC_MIN_TARGETS if f.statistic == "icc" else kappa_min_units(f.categories or 0)
        return f"caution: fewer than {least} projects"
    if f.ci_reason:
        return f"no interval: {f.ci_reason}"
    return ""


def _who(g: Agreement) -> str:
    counts = ", ".join(
        f"{projects} with {raters} raters" if len(g.raters) > 1 else f"{raters} raters each"
        for raters, projects in g.raters
    )
    roles = ", ".join(f"{n} {role}" for role, n in g.roles)
    return f"{_plural(g.projects, 'project')} ({counts}); raters: {roles}"


def agreement(console: Console, g: Agreement, *, agenda: int = AGENDA) -> None:
    """`agreement` on the terminal."""
    console.print(Text("Agreement between raters", style="bold"))
    console.print(Text(f"{g.rubric.title} ({g.rubric.id} {g.rubric.version})", style="dim"))
    hanging(console, "Compared:  ", _who(g))
    left = [f"{_plural(g.single, 'project')} with one rater"]
    if g.self_projects_left_out:
        left.append(
            f"{_plural(g.self_projects_left_out, 'project')} with more than one "
            "self-appraisal and no review saying which is rated"
        )
    if g.self_versions_left_out:
        left.append(
            f"{_plural(g.self_versions_left_out, 'other self-appraisal')} beside the one a "
            "review rates"
        )
    if g.failures:
        left.append(f"{_plural(len(g.failures), 'file')} that failed")
    hanging(console, "Left out:  ", "; ".join(left))
    hanging(console, "Method:    ", g.method_reason)
    console.print()
    band = f"{_value(g.band)}, n {g.band.n}"
    if g.band_share is not None:
        band += (
            f"; every rater placed it in the same band in {g.band_agree} of "
            f"{g.band_projects} projects ({percent_text(g.band_share)})"
        )
    if g.band.reason:
        band += f" ({g.band.reason})"
    hanging(console, "Band:      ", band)
    score = f"{_value(g.score)}, n {g.score.n} projects x {g.slots} raters"
    if g.score.reason or g.score.ci_reason:
        score += f" ({g.score.reason or g.score.ci_reason})"
    hanging(console, "Score:     ", score)
    for f in (g.band, g.score):
        if f.caution:
            hanging(console, "Caution:   ", f.caution, style="yellow")
    console.print()
    console.print(_table(g))
    flagged = [q for q in g.questions if q.figure is not None and q.figure.caution]
    if flagged:
        fewest = min(flagged, key=lambda q: q.figure.n if q.figure else 0)
        assert fewest.figure is not None
        hanging(
            console,
            "Caution:   ",
            f"{_plural(len(flagged), 'question figure')} "
            f"{'rests' if len(flagged) == 1 else 'rest'} on fewer projects than advised; "
            f"for example {fewest.spec.id}: {fewest.figure.caution}",
            style="yellow",
        )
    console.print()
    _agenda(console, g, agenda)


def _table(g: Agreement) -> Table:
    table = Table(title="Every question, in rubric order", title_justify="left", expand=False)
    table.add_column("Question", ratio=3, overflow="fold")
    table.add_column("Agreement", no_wrap=True)
    table.add_column("n", justify="right")
    table.add_column("Same answer", justify="right")
    table.add_column("Note", ratio=2, overflow="fold")
    for q in g.questions:
        label = Text(q.spec.prompt)
        label.append(f" {q.spec.id}", style="dim")
        f = q.figure
        if f is None:
            table.add_row(label, "not compared", "", "", Text(q.not_compared or "", style="dim"))
            continue
        table.add_row(
            label,
            _value(f),
            str(f.n),
            percent_text(f.percent_agreement),
            Text(_note(f), style="dim"),
        )
    return table


def _agenda(console: Console, g: Agreement, limit: int) -> None:
    items: tuple[QuestionAgreement, ...] = g.agenda(limit)
    console.print(Text("Calibration agenda: the questions raters disagree on most", style="bold"))
    if not items:
        console.print("Raters agree on every question compared: nothing to calibrate.")
        return
    for i, q in enumerate(items, 1):
        f = q.figure
        assert f is not None
        hanging(console, f"{i:>2}. ", f"{q.spec.prompt} ({q.spec.id})")
        figures = f"{_value(f)}; same answer {percent_text(f.percent_agreement)}; n {f.n}"
        hanging(console, "    ", figures, style="dim")
        if f.caution:
            hanging(console, "    ", f"caution: {f.caution}", style="dim")
        if q.spec.reflect:
            hanging(console, "    Reflect: ", q.spec.reflect)

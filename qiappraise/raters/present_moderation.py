"""Rich presentation for `moderate`: two raters side by side, disagreements first.

Only the CLI calls this. Agreement is spelled out in words (same, adjacent,
apart), never carried by colour alone.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ..base.textcheck import visible
from ..rendering.present import hanging
from .moderation import Moderation, QuestionModeration, Rating


def _who(r: Rating) -> str:
    name = f"{r.name}, " if r.name else ""
    return f"{name}{r.role}"


def _score(r: Rating) -> str:
    a = r.appraisal
    shown = "n/a" if a.score is None else f"{a.score:.1f}"
    return shown + (" (provisional)" if a.provisional else "")


def _band(r: Rating) -> str:
    a = r.appraisal
    if a.band is None:
        return "not placed"
    return f"{a.band.label} ({a.position:.2f})" if a.position is not None else a.band.label


def _moves(q: QuestionModeration) -> str:
    parts = []
    if q.moves_score:
        parts.append(f"score {q.moves_score:+.1f}")
    if q.moves_position:
        parts.append(f"position {q.moves_position:+.2f}")
    return ", ".join(parts) if parts else "moves neither score nor position"


def moderation(console: Console, m: Moderation, *, limit: int | None = 10) -> None:
    """`moderate` on the terminal: the headline, then the agenda for the conversation."""
    a, b = m.first, m.second
    console.print(Text(a.appraisal.project.title or "(untitled)", style="bold"))
    console.print(Text(f"1: {visible(a.file)} ({_who(a)})", style="dim"))
    console.print(Text(f"2: {visible(b.file)} ({_who(b)})", style="dim"))
    console.print()
    diff = m.score_difference
    console.print(
        Text(
            f"Score: {_score(a)} | {_score(b)}"
            + ("" if diff is None else f" (difference {diff:+.1f})")
        )
    )
    agree = m.bands_agree
    verdict = "bands agree" if agree else ("bands differ" if agree is False else "not both placed")
    console.print(Text(f"Band:  {_band(a)} | {_band(b)} ({verdict})"))
    counts = m.summary()
    console.print(
        Text(
            f"Answers: {counts['same']} same, {counts['adjacent']} adjacent, "
            f"{counts['apart']} apart, {counts['one-answered']} answered by one rater only, "
            f"{counts['neither-answered']} by neither"
            + (f", {counts['not-compared']} free text" if counts["not-compared"] else "")
        )
    )
    change = m.reviewed_changed
    if change is not None:
        console.print()
        console.print(
            Text(
                f"warning: {visible(a.file)} changed after it was reviewed "
                f"(SHA-256 {change.actual[:12]}…, the review saw {change.recorded[:12]}…)",
                style="bold",
            )
        )
        if change.answers is None:
            console.print(
                Text("  the review did not record what it saw (reviews.seen)", style="dim")
            )
        elif not change.answers and not change.notes:
            console.print(
                Text(
                    "  the answers and notes are as the review saw them; "
                    "something else in the file changed",
                    style="dim",
                )
            )
        else:
            for c in change.answers:
                hanging(console, "  ", f"{c.prompt}: {c.old} → {c.new}", "dim")
            for c in change.notes or ():
                hanging(console, "  ", f"note on {c.prompt}: {c.old} → {c.new}", "dim")
    disagreements = m.disagreements()
    console.print()
    console.print(Text(f"To discuss ({len(disagreements)}), what moves most first", style="bold"))
    if not disagreements:
        console.print("  The raters gave the same answers.")
    shown = disagreements if limit is None else disagreements[:limit]
    for q in shown:
        hanging(console, "  ", f"{q.prompt} [{q.agreement}; {_moves(q)}]")
        hanging(console, "    1: ", q.answers[0])
        hanging(console, "    2: ", q.answers[1])
        if q.comment:
            hanging(console, "    comment: ", q.comment, "dim")
        if q.reflect:
            hanging(console, "    ask: ", q.reflect, "italic")
    if len(shown) < len(disagreements):
        console.print(
            Text(
                f"  … and {len(disagreements) - len(shown)} more (--all shows every one)",
                style="dim",
            )
        )
    others = m.other_comments()
    if others:
        console.print()
        console.print(Text(f"Other comments ({len(others)})", style="bold"))
        for q in others:
            hanging(console, "  ", f"{q.prompt} ({q.answers[0]})")
            hanging(console, "    comment: ", q.comment, "dim")
    refused = m.not_accepted()
    if refused:
        console.print()
        console.print(Text(f"Not accepted without evidence ({len(refused)})", style="bold"))
        for q in refused:
            hanging(console, "  ", f"{q.prompt}: {q.answers[0]}")
    if m.only_first or m.only_second:
        console.print()
        console.print(Text("Findings raised for one rater only", style="bold"))
        titles = {f.id: f.title for r in (a, b) for f in r.appraisal.findings}
        for n, ids in ((1, m.only_first), (2, m.only_second)):
            for fid in ids:
                hanging(console, f"  {n}: ", f"{fid} {titles.get(fid, '')}".rstrip())

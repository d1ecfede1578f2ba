"""Rich presentation of appraisals and rubrics on the terminal.

Only the CLI calls this. Nothing here decides anything: it shows values that
``scoring`` computed. Colour is never the only carrier of meaning (a band is
named, a severity is spelled out), so the output reads the same with NO_COLOR.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..base.textcheck import visible
from ..proposal.answers import ANSWERED, NOT_ANSWERED, NOT_SURE, PENDING
from ..rubric.model import Rubric
from ..scoring.appraisal import Appraisal, FindingResult, QuestionResult, SectionResult

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
LEVEL_MARK = {
    "primary": "●● primary",
    "secondary": "●○ secondary",
    "none": "○○ not addressed",
    # None so far, and a question that could raise it is unanswered.
    "unknown": "?? not known yet",
}


def bar(value: float | None, width: int = 20) -> str:
    """A text bar for a 0-100 value; readable without colour."""
    if value is None:
        return "·" * width
    filled = round(width * max(0.0, min(100.0, value)) / 100)
    return "█" * filled + "░" * (width - filled)


def spectrum_line(position: float | None, width: int = 41) -> str:
    """repair ├────●────┤ reform, with the project's position marked."""
    if position is None:
        return "repair ├" + "─" * width + "┤ reform"
    at = round(position * (width - 1))
    cells = ["─"] * width
    cells[at] = "●"
    return "repair ├" + "".join(cells) + "┤ reform"


def fmt_score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def hung(lead: str, text: str, style: str = "") -> Table:
    """``lead`` then ``text``, whose wrapped lines stay indented under its start."""
    grid = Table.grid(padding=0)
    grid.add_column(no_wrap=True)
    grid.add_column()
    grid.add_row(Text(lead, style=style), Text(text, style=style))
    return grid


def hanging(console: Console, lead: str, text: str, style: str = "") -> None:
    """Print ``hung(lead, text, style)``."""
    console.print(hung(lead, text, style))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


#: Longest a question's prompt is when it names the question in a list.
PROMPT_SHOWN = 60
#: Lists longer than this name sections and counts instead of every question.
NAMED_AT_MOST = 4


def short(text: str, width: int = PROMPT_SHOWN) -> str:
    """``text`` on one line, cut at a word (with "…") beyond ``width``."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    head = text[: width - 1]
    space = head.rfind(" ")
    if space > width // 3:  # a word longer than that is cut where it must be
        head = head[:space]
    return head.rstrip(" ,;:-") + "…"


def which(a: Appraisal, ids: Sequence[str]) -> str:
    """Questions as a person knows them: their prompts (quoted, shortened), or, for
    a long list, how many in each section. Ids are for JSON and `rubric show`."""
    prompts = {q.id: q.prompt for s in a.sections for q in s.questions}
    if len(ids) <= NAMED_AT_MOST:
        return "; ".join(f"“{short(prompts.get(i, i))}”" for i in ids)
    counts = [
        (s.title, sum(1 for q in s.questions if q.id in ids))
        for s in a.sections
        if any(q.id in ids for q in s.questions)
    ]
    return f"{len(ids)} questions: " + ", ".join(f"{n} in {title}" for title, n in counts)


def _humane(band_id: str) -> str:
    return band_id.replace("-", " ").capitalize()


def appraisal(
    console: Console,
    a: Appraisal,
    *,
    reasons: int = 3,
    band_labels: Mapping[str, str] | None = None,
) -> None:
    """The summary `score` prints for one proposal.

    ``band_labels`` (band id -> label) names the team's own placement; without
    it, a placement in another band than the computed one is its id in words.
    """
    title = Text(a.project.title or "(untitled)", style="bold")
    console.print(title)
    meta = " · ".join(x for x in (a.project.lead, a.project.setting, a.project.date) if x)
    # The file name is the one text here no loader checked: shown, never obeyed.
    console.print(Text(visible(a.file) + (f" · {meta}" if meta else ""), style="dim"))
    if a.rater_words:
        # A review's figures are the reviewer's, not the team's: say whose they are.
        console.print(Text(f"Appraised by {visible(a.rater_words)}", style="bold"))
    console.print(
        Text(
            f"Rubric {a.rubric.id} {a.rubric.version} (sha256 {a.rubric.sha256[:12]})", style="dim"
        )
    )
    console.print()

    questions = {q.id: q for s in a.sections for q in s.questions}
    headline = Text()
    headline.append("Critical engagement: ", style="bold")
    headline.append("not scored yet" if a.score is None else f"{a.score:.0f}/100")
    if a.provisional and a.score is not None:
        headline.append(" (provisional)", style="yellow")
    headline.append("   Band: ", style="bold")
    headline.append(a.band.label if a.band else "not placed (no answers place it yet)")
    if a.position is not None:
        headline.append(f" (position {a.position:.2f})")
    console.print(headline)
    if a.self_placement is not None:
        # Beside the computed band: the team's own answer, which moves nothing.
        labels = dict(band_labels or {})
        if a.band is not None:
            labels.setdefault(a.band.id, a.band.label)
        mine = labels.get(a.self_placement) or _humane(a.self_placement)
        if a.band is None:
            also = ""
        elif a.band.id == a.self_placement:
            also = " (the same band as the answers give)"
        else:
            also = f" (the answers give {a.band.label})"
        hanging(console, "  ", f"{a.author.capitalize()}'s own placement: {mine}{also}")
    console.print("  " + spectrum_line(a.position))
    toward_reform = [r for r in a.reasons if r.pull > 0.5][:reasons]
    toward_repair = [r for r in a.reasons if r.pull < 0.5][:reasons]
    for label, group in (("towards reform", toward_reform), ("towards repair", toward_repair)):
        if group:
            console.print(Text(f"  Pulling {label}:", style="dim"))
            for r in group:
                q = questions.get(r.question)
                answer = (
                    f"claimed {q.claimed}, counted as {r.answer}" if q and q.claimed else r.answer
                )
                hanging(
                    console,
                    "    - ",
                    f"{short(r.prompt)} — {answer} ({r.pull:.2f}, weight {r.weight:g})",
                )
    unplaced = [
        q.id
        for q in questions.values()
        if q.feeds == "position" and q.status in (NOT_ANSWERED, NOT_SURE)
    ]
    if a.band is not None and unplaced:
        hanging(
            console,
            "  ",
            f"Placed without {_count(len(unplaced), 'answer')} that would place it: "
            + which(a, unplaced),
            "dim",
        )
    _statuses(console, a, list(questions.values()))
    if a.ignored:
        hanging(
            console,
            "  ",
            "Ignored (answered, but the question does not apply): " + which(a, a.ignored),
            "dim",
        )
    console.print()

    # The bar repeats the score: on a narrow terminal it shrinks, then goes,
    # before the section titles have to wrap.
    bar_width = 20 if console.width >= 90 else (10 if console.width >= 72 else 0)
    table = Table(title="Sections", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Section")
    table.add_column("Weight", justify="right")
    table.add_column("Score", justify="right")
    if bar_width:
        table.add_column("", no_wrap=True)
    table.add_column("Answered", justify="right")
    # "Not sure" is not an answer: it earns nothing, and is counted apart.
    if a.unsure:
        table.add_column("Not sure", justify="right")
    for s in a.sections:
        score_text = fmt_score(s.score) + (" (capped)" if s.caps else "")
        cells = [s.title, f"{s.weight:g}%", score_text]
        cells += [bar(s.score, bar_width)] if bar_width else []
        applicable = [q for q in s.questions if q.applies]
        answered = sum(1 for q in applicable if q.status in (ANSWERED, PENDING))
        cells.append(f"{answered}/{len(applicable)}")
        if a.unsure:
            unsure = sum(1 for q in applicable if q.status == NOT_SURE)
            cells.append(str(unsure) if unsure else "")
        table.add_row(*cells)
    console.print(table)
    console.print()

    dims = Table(
        title="Dimensions of quality", title_justify="left", show_edge=False, pad_edge=False
    )
    dims.add_column("Dimension")
    dims.add_column("Level")
    for d in a.dimensions:
        style = "dim" if d.level in ("none", "unknown") else ""
        dims.add_row(Text(d.label), Text(LEVEL_MARK.get(d.level, d.level), style=style))
    console.print(dims)
    console.print()

    active = a.active_findings()
    waived = [f for f in a.findings if f.waived is not None]
    # Raised by the answers, and open (not ruled out yet) are told apart: an
    # open finding is a question to answer, not a verdict on the project.
    raised = [f for f in active if not f.open_on]
    still_open = [f for f in active if f.open_on]
    console.print(Text(f"Findings raised by the answers ({len(raised)})", style="bold"))
    if not raised:
        console.print("  None raised.")
    for f in raised:
        finding(console, f)
    if still_open:
        console.print()
        console.print(
            Text(
                f"Not ruled out yet ({len(still_open)}): answer these to settle them", style="bold"
            )
        )
        for f in still_open:
            line = Text("  ")
            line.append(f"{f.severity.upper():7}", style=SEVERITY_STYLE.get(f.severity, ""))
            line.append(f" {f.id} {f.title}?", style="bold")
            console.print(line)
            console.print(
                Padding(Text(f"answer: {which(a, f.open_on)}", style="yellow"), (0, 0, 0, 10))
            )
    for f in waived:
        console.print(Text(f"  WAIVED  {f.id} {f.title}: {f.waived}", style="dim"))
    for w in a.unused_waivers:
        console.print(Text(f"  note: waiver for {w} matches no finding raised", style="yellow"))


def finding(console: Console, f: FindingResult) -> None:
    """One finding the answers raise: severity, id and title, message, suggestion, details."""
    line = Text("  ")
    line.append(f"{f.severity.upper():7}", style=SEVERITY_STYLE.get(f.severity, ""))
    line.append(f" {f.id} {f.title}", style="bold")
    console.print(line)
    body: list[Text | Table] = [Text(f.message)]
    body.append(Text("→ " + f.suggestion, style="italic"))
    # After the suggestion, which speaks of the questions listed with it.
    body += [hung("- ", d) for d in f.details]
    console.print(Padding(Group(*body), (0, 0, 0, 10)))


def _earned(a: Appraisal, s: SectionResult) -> str:
    """What a section has earned so far, in words."""
    if s.score is None:
        if not any(q.feeds == "position" for q in s.questions):
            return "nothing scored yet" if s.maximum else "earns no points"
        if a.band is None:
            return "places the project: not placed yet"
        return f"places the project: {a.band.label} (position {a.position:.2f} so far)"
    points = _points(s.earned, s.maximum)
    # The reason is the rubric's sentence; the line around it brings its own full stop.
    caps = "".join(f"; capped at {c.max:g}: {c.reason.strip().rstrip('.')}" for c in s.caps)
    return f"{s.score:.0f}/100 ({points}{caps})"


def section_feedback(
    console: Console, a: Appraisal, section_id: str, findings: Sequence[FindingResult]
) -> None:
    """A line or two as a section ends: what it earned, and the findings it raised."""
    s = a.section(section_id)
    left = sum(1 for q in s.questions if q.id in a.missing)
    open_ = f"; {_count(left, 'required question')} still open" if left else ""
    console.print()
    console.print(Text(f"End of {s.title}: {_earned(a, s)}{open_}.", style="bold"))
    if findings:
        raised = "; ".join(f"{f.id} {f.title} ({f.severity})" for f in findings)
        hanging(console, "  ", f"Raised: {raised}")
    else:
        hanging(console, "  ", "No findings raised by this section's answers.", "dim")


def section_detail(
    console: Console, a: Appraisal, section_id: str, findings: Sequence[FindingResult]
) -> None:
    """More on a section just ended: every answer and what it counts for, and its findings."""
    s = a.section(section_id)
    for q in s.questions:
        if not q.applies:
            continue
        hanging(console, "  - ", q.prompt)
        hanging(console, "      ", f"{_answer(q)} · {_counts(q)}", "dim")
        if q.note:
            hanging(console, "      ", f"note: {q.note}", "italic")
    for f in findings:
        finding(console, f)
    console.print()


def _answer(q: QuestionResult) -> str:
    if q.claimed:
        return f"claimed {q.claimed}, counted as {q.display or 'nothing'}"
    if q.status == NOT_SURE:
        return "not sure"
    return short(q.display, 200) if q.answered and q.display else "not answered"


def _counts(q: QuestionResult) -> str:
    if q.feeds == "position":
        return "places nothing" if q.pull is None else f"places it at {q.pull:.2f}"
    if q.feeds == "profile" or q.earned is None:
        return "profile only, no points"
    return _points(q.earned, q.maximum)


def _points(earned: float, maximum: float) -> str:
    return f"{earned:g} of {maximum:g} point{'s' * (maximum != 1)}"


def _statuses(console: Console, a: Appraisal, questions: Sequence[QuestionResult]) -> None:
    """Provisional, not answered, not sure and claimed without evidence, said plainly."""
    if a.provisional:
        n = len(a.missing)
        they = ("they count", "they are") if n != 1 else ("it counts", "it is")
        hanging(
            console,
            "  ",
            f"Provisional: {_count(n, 'required question')} unanswered; {they[0]} as 0, "
            f"so the score can only rise as {they[1]} answered.",
            "yellow",
        )
    # Every unanswered question that counts: required ones, and optional ones
    # that would earn points (they count as 0 too).
    unanswered = [
        q.id
        for q in questions
        if q.status == NOT_ANSWERED and (q.id in a.missing or q.earned is not None)
    ]
    if unanswered:
        hanging(
            console,
            "  ",
            "Not answered (scored ones count as 0): " + which(a, unanswered),
            "yellow",
        )
    unsure = [q for q in questions if q.status == NOT_SURE]
    if unsure:
        hanging(
            console, "  ", "Not sure (counted as not answered): " + which(a, [q.id for q in unsure])
        )
    pending = [q for q in questions if q.status == PENDING]
    if pending:
        hanging(
            console,
            "  ",
            "Answered, but whether it applies waits on an unanswered question: "
            + which(a, [q.id for q in pending]),
            "dim",
        )
    claimed = [q for q in questions if q.unevidenced]
    if claimed:
        console.print(Text("  Claimed without evidence (add a note saying what backs it):"))
        for q in claimed:
            counted = q.display or "nothing"
            hanging(
                console, "    - ", f"{short(q.prompt)} — claimed {q.claimed}, counted as {counted}"
            )


def rubric_summary(console: Console, r: Rubric, path: str, sha256: str) -> None:
    """`rubric show`: the rubric's structure, question by question."""
    console.print(Text(f"{r.title}", style="bold"))
    console.print(Text(f"{r.id} {r.version} · {visible(path)} · sha256 {sha256[:12]}", style="dim"))
    console.print(r.summary.strip())
    console.print()
    for s in r.sections:
        console.print(Text(f"{s.title} [{s.id}] weight {s.weight:g}%", style="bold"))
        table = Table(show_header=True, show_edge=False, pad_edge=False, box=None)
        table.add_column("id", no_wrap=True)
        table.add_column("type", no_wrap=True)
        table.add_column("prompt")
        for q in s.questions:
            flag = "" if q.required else " (optional)"
            cond = " [conditional]" if q.when is not None else ""
            table.add_row(q.id, q.type, q.prompt + flag + cond)
        console.print(Padding(table, (0, 0, 0, 2)))
        console.print()
    console.print(Text(f"Findings ({len(r.findings)})", style="bold"))
    for f in r.findings:
        console.print(f"  {f.id} {f.severity:7} {f.title}")

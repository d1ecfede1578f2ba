"""The interactive appraisal: leads a user through a session, step by step.

The loop asks the first open step, saves after every answer, shows help on
request and goes back on request; once everything that applies is answered it
offers the review screen (by section, so it fits an 80x24 terminal) until the
user finishes. Prompts come from ``prompts``; state lives in ``session``.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

import questionary
from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from ..proposal.answers import fallback, has_evidence, why_not_evidence
from ..proposal.model import NOTE_LIMIT
from ..rendering import present
from ..rendering.present import short as cut
from ..rubric.model import ChoiceQuestion, ScaleQuestion, YesNoQuestion
from ..rubric.questions import kind
from . import prompts
from .prompts import BACK, HELP, NOWHERE, STYLE, Action
from .session import META_FIELDS, Session, Step, parse_meta

FINISH = "finish"
_META = {f.key: f for f in META_FIELDS}
#: Widest a review entry is (an 80-column terminal, less the pointer).
ENTRY_WIDTH = 74
#: What a shortened prompt keeps at least, beside a long answer.
PROMPT_ROOM = 20

S = TypeVar("S", bound=Session)
S_contra = TypeVar("S_contra", bound=Session, contravariant=True)


class Flow(Protocol[S_contra]):
    """What a kind of session does around each question it asks.

    ``appraise`` asks for evidence after a claim, offers a note after any
    answer and sums up each section as it ends; ``review`` shows the other
    rater's answer before, and asks for a note and a comment after.
    """

    #: The prompts offer the note key (the flow's ``after`` then asks for one).
    offers_note: bool

    def before(self, session: S_contra, qid: str, console: Console) -> None:
        """Shown above the question, each time it is asked."""

    def after(
        self, session: S_contra, qid: str, console: Console, *, note_wanted: bool
    ) -> bool | Action:
        """Follow-up prompts once an answer is saved; True when the session changed.

        ``BACK`` (a lone ``<`` in a note or comment box) asks for the question
        again, its answer kept.
        """

    def section_done(self, session: S_contra, section_id: str, console: Console) -> None:
        """The user has answered their way out of a section."""


class Appraise:
    """``appraise``'s side of each question (one per run: it remembers what it told)."""

    offers_note = True

    def __init__(self) -> None:
        self.told: set[tuple[str, tuple[str, ...]]] = set()

    def before(self, session: Session, qid: str, console: Console) -> None:
        return None

    def after(
        self, session: Session, qid: str, console: Console, *, note_wanted: bool
    ) -> bool | Action:
        if _unevidenced_claim(session, qid):
            return _ask_evidence(session, qid, console)
        if note_wanted or (session.asks_for_note(qid) and not session.notes.get(qid)):
            return _ask_note(session, qid, asked_by_rubric=not note_wanted)
        return False

    def section_done(self, session: Session, section_id: str, console: Console) -> None:
        """What the section earned and the findings it raised; a key shows more."""
        a = session.appraisal()
        asked = {q.id for q in a.section(section_id).questions}
        findings = []
        for f in a.active_findings():
            here = tuple(q for q in f.concerns if q in asked)
            if f.open_on or not here or (f.id, here) in self.told:
                continue
            self.told.add((f.id, here))
            findings.append(f)
        present.section_feedback(console, a, section_id, findings)
        more = prompts.ask_key(
            "Enter to go on, m for more on this section", {"m": True, "M": True}, False
        )
        if more:
            present.section_detail(console, a, section_id, findings)
            # The detail is longer than a terminal: wait, or the next section's
            # first question scrolls it away before it can be read.
            prompts.ask_key("Enter to go on", {}, None)


def run(session: S, console: Console, flow: Flow[S] | None = None) -> None:
    """Ask until the user finishes at the review screen. Raises KeyboardInterrupt/EOFError."""
    how: Flow[Any] = flow if flow is not None else Appraise()
    idx = session.first_open()
    reviewing = idx is None
    shown_section: str | None = None
    while True:
        steps = session.steps()
        if idx is None or idx >= len(steps):
            picked = review(session, console)
            if picked is None:
                return
            idx, reviewing = picked, True
            shown_section = None
            steps = session.steps()
        step = steps[idx]
        shown_section = _header(session, step, console, shown_section)
        if step.is_question:
            how.before(session, step.key, console)
        note = prompts.NoteKey() if how.offers_note and step.is_question else None
        result = _ask(session, step, can_go_back=idx > 0, note=note)
        if result is HELP:
            show_help(session, step, console)
            continue
        if result is NOWHERE:
            console.print(
                Text("This is the first question: there is nothing to go back to.", style="italic")
            )
            continue
        if result is BACK:
            idx = max(0, idx - 1)
            continue
        dropped = session.set_answer(step, result)
        session.save()
        if step.key == "team" and not step.is_question and isinstance(result, list) and result:
            # How the names were split is not visible in the echo of what was typed.
            console.print(Text(f"  Saved as {len(result)}: " + " · ".join(result), style="dim"))
        wanted = note is not None and note.pressed
        then = (
            how.after(session, step.key, console, note_wanted=wanted) if step.is_question else False
        )
        if then:
            session.save()
        if dropped:
            console.print(
                Text(
                    "No longer relevant after that answer, so removed: "
                    + _quoted(session, dropped),
                    style="italic",
                )
            )
        if then is BACK:
            continue  # the same question again, starting from the answer just saved
        idx = _next_open(session, step) if not reviewing else session.first_open()
        if not reviewing and step.is_question and _leaves_section(session, step, idx):
            how.section_done(session, session.rubric.section_of[step.key], console)


def _quoted(session: Session, qids: list[str]) -> str:
    """Questions named for a person: their prompts, quoted and shortened."""
    return "; ".join(f"“{cut(session.question(q).prompt)}”" for q in qids)


def _leaves_section(session: Session, step: Step, idx: int | None) -> bool:
    """The next step asked is not in ``step``'s section (or there is none)."""
    steps = session.steps()
    if idx is None or idx >= len(steps) or not steps[idx].is_question:
        return True
    return session.rubric.section_of[steps[idx].key] != session.rubric.section_of[step.key]


def _unevidenced_claim(session: Session, qid: str) -> bool:
    q = session.question(qid)
    value = session.answers.get(qid)
    if value is None or has_evidence(session.notes.get(qid)):
        return False
    lower = fallback(q, value)
    return not (lower == value and type(lower) is type(value))


def _ask_evidence(session: Session, qid: str, console: Console) -> bool | Action:
    """After a claim that needs evidence, ask what backs it; True when a note was added.

    Without a note the claim counts as the level below (answers.fallback), so
    the trainee is told so here rather than finding out from the report.
    """
    q = session.question(qid)
    lower = fallback(q, session.answers[qid])
    k = kind(q)
    counted = k.display(q, lower) if lower is not None else "not answered"
    console.print(
        Text(
            f"That answer is a claim a supervisor would want evidence for. Without a note "
            f"it counts as: {counted}.",
            style="italic",
        )
    )
    note = prompts.ask_after(
        "What backs it? One sentence will do (Enter to skip for now):",
        session.notes.get(qid, ""),
        limit=NOTE_LIMIT,
    )
    if isinstance(note, Action) or not note:
        return note or False
    session.set_note(qid, note)
    if why := why_not_evidence(note):
        console.print(
            Text(
                f"That note is kept, but it is not evidence ({why}): the claim still "
                f"counts as: {counted}.",
                style="italic",
            )
        )
    return True


def _ask_note(session: Session, qid: str, *, asked_by_rubric: bool) -> bool | Action:
    """A note on the answer just given: asked for with the note key, or by the rubric."""
    message = (
        "The question asks for a note (Enter to leave it for now):"
        if asked_by_rubric
        else "Your note on this answer (Enter to leave it empty):"
    )
    before = session.notes.get(qid, "")
    note = prompts.ask_after(message, before, limit=NOTE_LIMIT)
    if isinstance(note, Action):
        return note
    session.set_note(qid, note)
    return session.notes.get(qid, "") != before


def _next_open(session: Session, after: Step) -> int | None:
    """The first unanswered step after ``after`` (or any unanswered one)."""
    steps = session.steps()
    start = steps.index(after) + 1 if after in steps else 0
    for i in range(start, len(steps)):
        if not session.is_answered(steps[i]):
            return i
    return session.first_open()


def _header(session: Session, step: Step, console: Console, shown: str | None) -> str | None:
    si, sn, qi, qn, title = session.position(step)
    if not step.is_question:
        if shown != "meta":
            console.print()
            console.print(Text("Project details", style="bold"))
            console.print("A few facts about the project before the questions.")
        pos = [f.key for f in META_FIELDS].index(step.key) + 1
        console.print(Text(f"Project details · {pos} of {len(META_FIELDS)}", style="dim"))
        return "meta"
    section_id = session.rubric.section_of[step.key]
    if shown != section_id:
        section = next(s for s in session.rubric.sections if s.id == section_id)
        console.print()
        console.print(Text(f"Section {si} of {sn}: {title}", style="bold"))
        why = section.why.strip() + (f" ({section.cite})" if section.cite else "")
        console.print(Padding(Text(why), (0, 0, 0, 2)))
    answered = len(session.answers)
    console.print(
        Text(
            f"Section {si} of {sn}: {title} · question {qi} of {qn} · {answered} answered so far",
            style="dim",
        )
    )
    return section_id


def _ask(
    session: Session, step: Step, *, can_go_back: bool, note: prompts.NoteKey | None = None
) -> Any:
    if step.is_question:
        q = session.question(step.key)
        return prompts.ask(q, session.default(step.key), can_go_back=can_go_back, note=note)
    field = _META[step.key]

    def validate(text: str) -> bool | str:
        if text.strip() in ("?", "<"):
            return True
        try:
            parse_meta(field.key, text)
        except ValueError as exc:
            return str(exc)
        return True

    raw = prompts.ask_meta(
        field.prompt, session.meta_default(step), validate, can_go_back=can_go_back
    )
    if raw in (HELP, BACK, NOWHERE):
        return raw
    return parse_meta(field.key, raw)


def show_help(session: Session, step: Step, console: Console) -> None:
    """The rationale, citation and the meaning of each answer, for the current step."""
    console.print()
    if not step.is_question:
        field = _META[step.key]
        console.print(Text(field.prompt, style="bold"))
        console.print(
            Padding(field.help or "Optional: press Enter to leave it empty.", (0, 0, 0, 2))
        )
        return
    q = session.question(step.key)
    console.print(Text(f"Why we ask: {q.prompt}", style="bold"))
    if q.help:
        console.print(Padding(Text(q.help.strip()), (0, 0, 0, 2)))
    if q.cite:
        console.print(Padding(Text(f"Source: {q.cite}", style="italic"), (0, 0, 0, 2)))
    meanings = _meanings(q) if isinstance(q, (ChoiceQuestion, ScaleQuestion, YesNoQuestion)) else []
    if meanings:
        console.print(Padding(Text("What the answers mean:", style="bold"), (0, 0, 0, 2)))
        for label, meaning in meanings:
            present.hanging(console, "  - ", f"{label}: {meaning}")
    console.print()


def _meanings(q: ChoiceQuestion | ScaleQuestion | YesNoQuestion) -> list[tuple[str, str]]:
    """Each answer with what the rubric says it means: its descriptor, its feedback,
    and whether it is a claim that needs a note. Answers the rubric says nothing
    more about are left out: the list above the prompt already names them."""
    out = []
    for c in q.choices_:
        said = [t.strip() for t in (c.descriptor, c.feedback) if t.strip()]
        if c.evidence:
            said.append("A claim: say in a note what backs it, or it counts as the level below.")
        if said:
            out.append((c.label, " ".join(said)))
    return out


def review(session: Session, console: Console) -> int | None:
    """Pick a section, then an answer to change; None when the user finishes."""
    while True:
        missing = session.missing_required()
        groups = _groups(session)
        choices = [questionary.Choice("Finish and see the summary", value=FINISH)]
        for title, items in groups:
            done = sum(1 for _, s in items if session.has_value(s))
            choices.append(
                questionary.Choice(f"{title} ({done} of {len(items)} answered)", value=title)
            )
        console.print()
        if missing:
            console.print(
                Text("Still unanswered (required): " + _quoted(session, missing), style="bold")
            )
        picked = prompts.run(
            questionary.select(
                "Review: choose a section to change an answer, or finish",
                choices=choices,
                style=STYLE,
                instruction="(arrow keys, Enter)",
            )
        )
        if picked == FINISH:
            return None
        items = dict(groups)[picked]
        back = "<- Back to the sections"
        step_choices = [
            questionary.Choice(entry(session, s), value=i, description=_described(session, s))
            for i, s in items
        ] + [questionary.Choice(back, value=back)]
        chosen = prompts.run(
            questionary.select(
                f"{picked}: which answer do you want to change?",
                choices=step_choices,
                style=STYLE,
                instruction="(answer · question; arrow keys, Enter)",
            )
        )
        if chosen != back:
            return int(chosen)


def entry(session: Session, step: Step, width: int = ENTRY_WIDTH) -> str:
    """A review line: the answer first, then the question, shortened to what is left."""
    answer = " ".join((session.display(step) or "(not answered)").split())
    mark = " [+ note]" if step.is_question and session.notes.get(step.key) else ""
    room = width - len(answer) - len(mark) - 3
    if room < PROMPT_ROOM:
        answer = cut(answer, width - PROMPT_ROOM - len(mark) - 3)
        room = PROMPT_ROOM
    return f"{answer}{mark} · {cut(_label(session, step), room)}"


def _described(session: Session, step: Step) -> str | None:
    """Shown below the list for the entry under the pointer: the note, in full."""
    if not step.is_question:
        return None
    note = session.notes.get(step.key)
    return f"note: {cut(note, 150)}" if note else None


def _groups(session: Session) -> list[tuple[str, list[tuple[int, Step]]]]:
    steps = session.steps()
    groups: dict[str, list[tuple[int, Step]]] = {}
    for i, s in enumerate(steps):
        title = "Project details" if not s.is_question else session.position(s)[4]
        groups.setdefault(title, []).append((i, s))
    return list(groups.items())


def _label(session: Session, step: Step) -> str:
    if not step.is_question:
        return _META[step.key].prompt
    return session.question(step.key).prompt

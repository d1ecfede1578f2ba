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

from . import prompts
from .answers import fallback, has_evidence
from .prompts import BACK, HELP, STYLE
from .questions import kind
from .rubric import ChoiceQuestion, ScaleQuestion
from .session import META_FIELDS, Session, Step, parse_meta

FINISH = "finish"
_META = {f.key: f for f in META_FIELDS}

S = TypeVar("S", bound=Session)
S_contra = TypeVar("S_contra", bound=Session, contravariant=True)


class Flow(Protocol[S_contra]):
    """What a kind of session does around each question it asks.

    ``appraise`` asks for evidence after a claim; ``review`` shows the other
    rater's answer before, and asks for a note and a comment after.
    """

    def before(self, session: S_contra, qid: str, console: Console) -> None:
        """Shown above the question, each time it is asked."""

    def after(self, session: S_contra, qid: str, console: Console) -> bool:
        """Follow-up prompts once an answer is saved; True when the session changed."""


class _Appraise:
    def before(self, session: Session, qid: str, console: Console) -> None:
        return None

    def after(self, session: Session, qid: str, console: Console) -> bool:
        return _ask_evidence(session, qid, console)


APPRAISE: Flow[Session] = _Appraise()


def run(session: S, console: Console, flow: Flow[S] = APPRAISE) -> None:
    """Ask until the user finishes at the review screen. Raises KeyboardInterrupt/EOFError."""
    steps = session.steps()
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
        step = steps[idx]
        shown_section = _header(session, step, idx, console, shown_section)
        if step.is_question:
            flow.before(session, step.key, console)
        result = _ask(session, step, can_go_back=idx > 0)
        if result is HELP:
            show_help(session, step, console)
            continue
        if result is BACK:
            idx = max(0, idx - 1)
            continue
        dropped = session.set_answer(step, result)
        session.save()
        if step.is_question and flow.after(session, step.key, console):
            session.save()
        if dropped:
            console.print(
                Text(
                    "No longer relevant after that answer, so removed: " + ", ".join(dropped),
                    style="italic",
                )
            )
        idx = _next_open(session, step) if not reviewing else session.first_open()


def _ask_evidence(session: Session, qid: str, console: Console) -> bool:
    """After a claim that needs evidence, ask what backs it; True when a note was added.

    Without a note the claim counts as the level below (answers.fallback), so
    the trainee is told so here rather than finding out from the report.
    """
    q = session.question(qid)
    value = session.answers.get(qid)
    if value is None or has_evidence(session.notes.get(qid)):
        return False
    lower = fallback(q, value)
    if lower == value and type(lower) is type(value):
        return False  # not a claim
    k = kind(q)
    counted = k.display(q, lower) if lower is not None else "not answered"
    console.print(
        Text(
            f"That answer is a claim a supervisor would want evidence for. Without a note "
            f"it counts as: {counted}.",
            style="italic",
        )
    )

    note = prompts.ask_line("What backs it? One sentence is enough (Enter to leave it for now):")
    if not note:
        return False
    session.notes[qid] = note
    return True


def _next_open(session: Session, after: Step) -> int | None:
    """The first unanswered step after ``after`` (or any unanswered one)."""
    steps = session.steps()
    start = steps.index(after) + 1 if after in steps else 0
    for i in range(start, len(steps)):
        if not session.is_answered(steps[i]):
            return i
    return session.first_open()


def _header(
    session: Session, step: Step, idx: int, console: Console, shown: str | None
) -> str | None:
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


def _ask(session: Session, step: Step, *, can_go_back: bool) -> Any:
    if step.is_question:
        q = session.question(step.key)
        return prompts.ask(q, session.default(step.key), can_go_back=can_go_back)
    field = _META[step.key]

    def validate(text: str) -> bool | str:
        if text.strip() in ("?", "<"):
            return True
        try:
            parse_meta(field.key, text)
        except ValueError as exc:
            return str(exc)
        return True

    raw = prompts.ask_meta(field.prompt, session.display(step), validate, can_go_back=can_go_back)
    if raw is HELP or raw is BACK:
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
    if isinstance(q, (ChoiceQuestion, ScaleQuestion)):
        for c in q.choices_:
            line = f"- {c.label}" + (f": {c.descriptor}" if c.descriptor else "")
            console.print(Padding(Text(line), (0, 0, 0, 2)))
    console.print()


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
            console.print(Text(f"Still unanswered (required): {', '.join(missing)}", style="bold"))
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
            questionary.Choice(
                _shorten(f"{_label(session, s)}: {session.display(s) or '(not answered)'}"), value=i
            )
            for i, s in items
        ] + [questionary.Choice(back, value=back)]
        chosen = prompts.run(
            questionary.select(
                f"{picked}: which answer do you want to change?",
                choices=step_choices,
                style=STYLE,
                instruction="(arrow keys, Enter)",
            )
        )
        if chosen != back:
            return int(chosen)


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


def _shorten(text: str, width: int = 72) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

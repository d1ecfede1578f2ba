"""The interactive review: the prompts ``review`` adds to the appraisal's loop.

``appraise.run`` walks the rubric (sections, help, back, review screen,
autosave); :class:`ReviewFlow` shows the reviewed answer and note above each
question, and afterwards settles the note (theirs accepted, not accepted, or
the reviewer's own) and offers a comment. State lives in ``review_session``.
"""

from __future__ import annotations

import questionary
from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from ..proposal.answers import fallback, is_claim, why_not_evidence
from ..proposal.model import NOTE_LIMIT, RATER_ROLES
from ..rubric.questions import kind
from . import prompts
from .prompts import BACK, STYLE, Action
from .review_session import DEFAULT_ROLE, LIST_TYPES, ReviewSession

#: Longest note shown above a question, in characters: the list must still fit 80x24.
NOTE_SHOWN = 320
NAME_LIMIT = 200  # as the proposal loader allows

ACCEPT, REFUSE, OWN = "accept", "refuse", "own"


class ReviewFlow:
    """The review's side of each question (see ``interactive.Flow``)."""

    #: A review asks for the reviewer's note itself, where one is due.
    offers_note = False

    def before(self, session: ReviewSession, qid: str, console: Console) -> None:
        q = session.question(qid)
        theirs = session.source.answers.get(qid)
        shown = "(not answered)" if theirs is None else kind(q).display(q, theirs)
        console.print(Padding(Text(f"Their answer: {shown}"), (0, 0, 0, 2)))
        note = " ".join(session.source.notes.get(qid, "").split())
        if note:
            cut = note if len(note) <= NOTE_SHOWN else note[: NOTE_SHOWN - 1] + "…"
            console.print(Padding(Text(f"Their note: {cut}", style="italic"), (0, 0, 0, 2)))
        # Enter picks the highlighted answer: say what it keeps, or that a
        # blank cannot be kept, so no answer is recorded by a reflex.
        if theirs is not None and q.type == "long_text":
            hint = "Esc then Enter keeps their answer (and its note); edit it to change it."
        elif theirs is not None and q.type in ("text", "number"):
            hint = "Enter keeps their answer (and its note); edit it to change it."
        elif theirs is not None:
            hint = "Enter keeps their answer (and its note); choose another to change it."
        elif q.type in LIST_TYPES:
            hint = (
                "They left it blank: choose your own answer (or 'not sure', where the "
                "list offers it); Enter on Help shows what the answers mean."
            )
        else:
            return  # a blank text, number or tick list stays blank on Enter
        console.print(Padding(Text(hint, style="dim"), (0, 0, 0, 2)))

    def after(
        self, session: ReviewSession, qid: str, console: Console, *, note_wanted: bool = False
    ) -> bool | Action:
        went: Action | None = None
        if session.unevidenced_claim(qid):
            went = _settle_claim(session, qid, console)
        elif session.answers.get(qid) is not None and not session.accepted(qid):
            went = _own_note(session, qid, console)
        if went is BACK:
            return BACK
        comment = prompts.ask_after(
            "Comment to them on their answer (Enter for none):",
            session.comments.get(qid, ""),
            limit=NOTE_LIMIT,
        )
        if isinstance(comment, Action):
            return comment
        session.set_comment(qid, comment)
        return True

    def section_done(self, session: ReviewSession, section_id: str, console: Console) -> None:
        """Nothing: a reviewer sees the two appraisals side by side at the end (moderate)."""


def _counted(session: ReviewSession, qid: str) -> str:
    """What the review's answer counts as without a note."""
    q = session.question(qid)
    lower = fallback(q, session.answers[qid])
    return kind(q).display(q, lower) if lower is not None else "not answered"


def _settle_claim(session: ReviewSession, qid: str, console: Console) -> Action | None:
    """An accepted claim they gave no evidence for: accept it, refuse it, or back it.

    BACK when the reviewer goes back from their note: nothing is settled yet.
    """
    counted = _counted(session, qid)
    console.print(
        Text(
            f"They give no evidence for this claim: without a note it counts as: {counted}.",
            style="italic",
        )
    )
    choices = [
        questionary.Choice("Accept it as they gave it", value=ACCEPT),
        questionary.Choice("Not accepted without evidence", value=REFUSE),
        questionary.Choice("Accept it: I know what backs it (add my note)", value=OWN),
    ]
    current = REFUSE if qid in session.not_accepted else OWN if session.own_note(qid) else ACCEPT
    picked = prompts.run(
        questionary.select(
            "Do you accept this claim?",
            choices=choices,
            default=next(c for c in choices if c.value == current),
            use_shortcuts=True,
            instruction="(arrow keys or number, Enter)",
            style=STYLE,
        )
    )
    if picked == REFUSE:
        session.refuse(qid)
        return None
    note = ""
    if picked == OWN:
        given = prompts.ask_after(
            "Your note: what backs it? (Enter for none)", session.own_note(qid), limit=NOTE_LIMIT
        )
        if isinstance(given, Action):
            return given
        note = given
    session.accept(qid)
    if note:
        session.set_note(qid, note)
        _not_evidence(session, qid, note, console)
    return None


def _not_evidence(session: ReviewSession, qid: str, note: str, console: Console) -> None:
    """Say so when the reviewer's note on a claim backs nothing."""
    why = why_not_evidence(note)
    if why and is_claim(session.question(qid), session.answers[qid]):
        console.print(
            Text(
                f"That note is kept, but it is not evidence ({why}): your answer counts "
                f"as: {_counted(session, qid)}.",
                style="italic",
            )
        )


def _own_note(session: ReviewSession, qid: str, console: Console) -> Action | None:
    """A changed answer: the reviewer's note on their own answer (BACK: none given)."""
    if is_claim(session.question(qid), session.answers[qid]):
        console.print(
            Text(
                f"Your answer is a claim: without a note it counts as: {_counted(session, qid)}.",
                style="italic",
            )
        )
    note = prompts.ask_after(
        "Your note: what you read or assume (Enter for none):",
        session.own_note(qid),
        limit=NOTE_LIMIT,
    )
    if isinstance(note, Action):
        return note
    session.set_note(qid, note)
    if note:
        _not_evidence(session, qid, note, console)
    return None


def ask_rater(session: ReviewSession) -> None:
    """Who is reviewing: a name, and a role (supervisor unless they say otherwise)."""
    name = prompts.ask_line(
        "Your name, as the reviewer:", session.rater.get("name", ""), limit=NAME_LIMIT
    )
    roles = list(RATER_ROLES[1:])  # a review is never a self-appraisal
    choices = [questionary.Choice(r, value=r) for r in roles]
    role = prompts.run(
        questionary.select(
            "Your role in this review:",
            choices=choices,
            default=choices[roles.index(DEFAULT_ROLE)],
            use_shortcuts=True,
            instruction="(arrow keys or number, Enter)",
            style=STYLE,
        )
    )
    session.rater = {"name": name, "role": str(role)}

"""The state of a review: another rater's appraisal of a proposal, without prompting.

A review walks the rubric as ``appraise`` does, but each question starts from
the reviewed (the trainee's) answer, so Enter accepts it. Accepting an answer
unchanged accepts the trainee's note with it; a claim the trainee gave no
evidence for may instead be marked not accepted (``reviews.not_accepted``),
and then counts, in the review, as the level below. The review records which
file it reviews and what that file said (``reviews.sha256``, ``reviews.seen``),
so ``moderate`` can name later edits. ``review`` adds the prompts;
``load.reviewed`` reads the file under review.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.errors import UsageError
from ..base.yamlio import dump, read_text
from ..load.reviewed import ReviewedFile, relative
from ..proposal import model as _proposal
from ..proposal.answers import has_evidence, is_claim
from ..rubric.model import Rubric
from .session import Session, Step, leading_comments, put_text

#: Question types asked as a list, one entry highlighted from the start.
LIST_TYPES = frozenset({"choice", "scale", "yes_no"})

#: The role a review's rater has unless they say otherwise.
DEFAULT_ROLE = "supervisor"


def _same(a: Any, b: Any) -> bool:
    """Two answers are the same (a multiple choice in any order)."""
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return bool(a == b) and type(a) is type(b)


@dataclass
class ReviewSession(Session):
    """A review in progress; ``reviewed`` is the appraisal it reviews."""

    reviewed: ReviewedFile | None = None
    rater: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    not_accepted: list[str] = field(default_factory=list)
    #: What the review file said of the file it reviews when it was read (None: new).
    recorded: _proposal.Reviewed | None = None

    @property
    def source(self) -> ReviewedFile:
        assert self.reviewed is not None, "a review session always has the file it reviews"
        return self.reviewed

    # --- what to ask ---------------------------------------------------------

    def steps(self) -> list[Step]:
        """Only the questions: the project's details are the reviewed file's."""
        return [s for s in super().steps() if s.is_question]

    def default(self, qid: str) -> Any:
        """The review's answer when given, else the reviewed one: Enter accepts it.

        On a list the trainee left blank there is nothing to accept, and the
        list would open on its first answer, which a reflex Enter records
        (for a yes/no, "Yes": a claim). It opens on Help instead, so Enter
        never records an answer nobody chose.
        """
        mine = self.answers.get(qid)
        if mine is not None:
            return mine
        theirs = self.source.answers.get(qid)
        if theirs is None and self.question(qid).type in LIST_TYPES:
            from .prompts import HELP

            return HELP
        return theirs

    @property
    def rater_given(self) -> bool:
        return self.rater.get("role") in _proposal.RATER_ROLES[1:]

    def accepted(self, qid: str) -> bool:
        """The review gives the reviewed answer, unchanged."""
        theirs, mine = self.source.answers.get(qid), self.answers.get(qid)
        return theirs is not None and mine is not None and _same(theirs, mine)

    def unevidenced_claim(self, qid: str) -> bool:
        """An accepted answer that is a claim the reviewed file gives no evidence for."""
        return (
            self.accepted(qid)
            and is_claim(self.question(qid), self.answers[qid])
            and not has_evidence(self.source.notes.get(qid))
        )

    def own_note(self, qid: str) -> str:
        """The review's note on ``qid`` when it is the reviewer's own, not the one accepted."""
        note = self.notes.get(qid, "")
        return "" if note == self.source.notes.get(qid, "") else note

    # --- changing it -----------------------------------------------------------

    def set_answer(self, step: Step, value: Any) -> list[str]:
        """Record an answer; a new one settles the note (accepted: theirs; changed: none yet)."""
        before = self.answers.get(step.key)
        dropped = super().set_answer(step, value)
        for qid in dropped:
            self.notes.pop(qid, None)
            self._accept_claim(qid)
        # Going back and pressing Enter on the same answer keeps what was decided.
        if before is None or value is None or not _same(before, value):
            if self.accepted(step.key):
                self.accept(step.key)
            else:
                self._accept_claim(step.key)
                if self.notes.get(step.key) == self.source.notes.get(step.key):
                    self.notes.pop(step.key, None)  # their note backs their answer, not this one
        return dropped

    def accept(self, qid: str) -> None:
        """Accept the reviewed answer with its note, as the reviewed file gives them."""
        self._accept_claim(qid)
        self.set_note(qid, self.source.notes.get(qid, ""))

    def refuse(self, qid: str) -> None:
        """Mark an accepted claim as not accepted without evidence: it keeps no note."""
        self.notes.pop(qid, None)
        if qid not in self.not_accepted:
            self.not_accepted.append(qid)

    def _accept_claim(self, qid: str) -> None:
        if qid in self.not_accepted:
            self.not_accepted.remove(qid)

    def set_comment(self, qid: str, text: str) -> None:
        put_text(self.comments, qid, text)

    def reopen_changed(self) -> list[str]:
        """Questions whose reviewed answer or note changed since the review recorded
        them (``seen``), and which the review had accepted: their answers are
        removed, so they are asked again from the new answer. Returns the ids."""
        if self.recorded is None or self.recorded.seen_answers is None:
            return []
        then_answers = self.recorded.seen_answers
        then_notes = self.recorded.seen_notes  # None: not recorded, so not compared
        src = self.source
        changed = [
            qid
            for qid in self.rubric.questions
            if not _same(then_answers.get(qid), src.answers.get(qid))
            or (then_notes is not None and then_notes.get(qid) != src.notes.get(qid))
        ]
        reopened = [
            qid
            for qid in changed
            if qid in self.answers
            and then_answers.get(qid) is not None
            and _same(then_answers[qid], self.answers[qid])
        ]
        for qid in reopened:
            self.answers.pop(qid)
            self.notes.pop(qid, None)
            self._accept_claim(qid)
        return reopened

    def display(self, step: Step) -> str:
        """An answer for the review screen, marked when it is not the reviewed one."""
        shown = super().display(step)
        qid = step.key
        if qid in self.not_accepted:
            return f"{shown} [not accepted without evidence]"
        if shown and not self.accepted(qid):
            theirs = self.source.answers.get(qid)
            q = self.question(qid)
            was = "not answered" if theirs is None else _kind_display(q, theirs)
            return f"{shown} [changed; was: {was}]"
        return shown

    # --- as a review file -------------------------------------------------------------

    def to_data(self) -> dict[str, Any]:
        """The review as plain data, in the order the example review has it."""
        base = super().to_data()
        src = self.source
        # notes: {} says there were none; left out, it would say "not recorded".
        # Likewise waivers: [] (check --require-review compares them).
        seen = {"answers": dict(src.answers), "notes": dict(src.notes), "waivers": src.waivers}
        reviews: dict[str, Any] = {
            "file": relative(src.path, self.path.parent),
            "sha256": src.sha256,
            "seen": seen,
        }
        order = list(self.rubric.questions)
        refused = [q for q in order if q in self.not_accepted and q in self.answers]
        if refused:
            reviews["not_accepted"] = refused
        data: dict[str, Any] = {
            "rater": {k: self.rater[k] for k in ("name", "role") if self.rater.get(k)},
            "reviews": reviews,
            **base,
        }
        if self.comments:
            ranked = sorted(self.comments, key=lambda k: order.index(k) if k in order else -1)
            data["comments"] = {k: self.comments[k] for k in ranked}
        return data

    def render(self) -> str:
        header = (
            "# Written by `qiappraise review`; edit by hand, or run it again with the same "
            "files to continue.\n"
        )
        if self.modeline:
            header = self.modeline + "\n" + header
        return header + dump(self.to_data())

    def comments_dropped(self) -> list[str]:
        """Comments of the reviewer's own that saving would drop: a review skeleton's
        own comments (``init --review``) are no loss."""
        from ..proposal.skeleton import review_skeleton
        from .session import dropped_comments

        if not self.original:
            return []
        ours = ""
        if (r := self.recorded) is not None:
            ours = review_skeleton(
                self.rubric,
                schema_ref="",
                reviewed=r.file,
                sha256=r.sha256 or "",
                answers=r.seen_answers or {},
                notes=r.seen_notes or {},
                waivers=[w.as_data() for w in r.seen_waivers or ()],
                project=dict(self.project),
            )
        return dropped_comments(self.original, self.render(), ours)


def _kind_display(q: Any, value: Any) -> str:
    from ..rubric.questions import kind

    return kind(q).display(q, value)


def new(rubric: Rubric, path: Path, reviewed: ReviewedFile) -> ReviewSession:
    """A new review of ``reviewed``, to be saved at ``path``."""
    return ReviewSession(rubric=rubric, path=path, reviewed=reviewed, project=reviewed.project())


def from_file(rubric: Rubric, path: Path, reviewed: ReviewedFile) -> ReviewSession:
    """A review continuing the review file at ``path``, which must review ``reviewed``.

    A review skeleton from ``init --review`` whose rater role is still blank
    is read as well: the role is asked before the questions.
    """
    located = _proposal.read(path)
    data = located.data
    if "reviews" not in data:
        raise UsageError(
            f"-o {path}: an appraisal, not a review (it has no reviews:); give another file"
        )
    rater = data.get("rater")
    blank_role = rater is None or (isinstance(rater, dict) and rater.get("role") is None)
    if blank_role:
        patched = dict(rater or {}, role=DEFAULT_ROLE)
        located = dataclasses.replace(located, data={**data, "rater": patched})
    p = _proposal.validate(located, rubric)
    assert p.reviews is not None
    target = p.reviews.path(path)
    if not _same_file(target, reviewed.path):
        raise UsageError(
            f"-o {path}: this review reviews {p.reviews.file}, not {reviewed.path}; "
            "give another file"
        )
    modeline, _ = leading_comments(path)
    raw_project = data.get("project") or {}
    return ReviewSession(
        rubric=rubric,
        path=path,
        reviewed=reviewed,
        modeline=modeline,
        original=read_text(path),
        project={k: v for k, v in raw_project.items() if v is not None},
        answers={qid: p.answers[qid] for qid in rubric.questions if qid in p.answers},
        notes=dict(p.notes),
        waivers=[dict(w) for w in data.get("waivers") or [] if isinstance(w, dict)],
        rater={} if blank_role else {"name": p.rater.name, "role": p.rater.role},
        comments=dict(p.comments),
        not_accepted=list(p.reviews.not_accepted),
        recorded=p.reviews,
    )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)

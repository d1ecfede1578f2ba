"""Two appraisals of one project side by side: where raters differ, and how much it matters.

A supervisor's review is an appraisal of the same project with the same
rubric (``proposal.Reviewed``). Moderation is not a verdict on who is right:
it lists the answers the raters gave, how far apart they are, and puts the
disagreements that move the score or the position most first, each with the
rubric's reflective question, as the agenda for a conversation.

Pure: proposals and appraisals in, a frozen :class:`Moderation` out.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import UsageError
from ..proposal.model import Proposal
from ..rubric.model import ChoiceQuestion, QuestionT, Rubric, ScaleQuestion
from ..scoring.appraisal import Appraisal, QuestionResult
from ..scoring.compare import AnswerChange, compare
from ..scoring.score import DIMENSION_LEVELS, score

#: How close two answers are. ``adjacent`` only for ordered answers (a scale,
#: or a ladder of choices); ``one-answered``: one rater left it unanswered;
#: ``neither-answered``: both did, which is no agreement (two blanks counted as
#: "same" made raters look closer than they are); ``not-compared``: free
#: text, which raters word differently by nature.
AGREEMENT_LEVELS = ("same", "adjacent", "apart", "one-answered", "neither-answered", "not-compared")


def ladder(q: QuestionT) -> tuple[str, ...] | None:
    """The answers of ``q`` in order, lowest first, when they are ordered; else None.

    A scale's levels are ordered by definition. The choices of a single-choice
    question form a ladder when each earns different points (a score
    question), places the project at a different point between repair and
    reform (a position question), or gives one dimension of quality a
    different level (a profile question: not addressed, secondary, primary):
    then one step apart is "adjacent" and quadratic weights mean something.
    "Not sure" is off the ladder.
    """
    if isinstance(q, ScaleQuestion):
        return tuple(c.value for c in q.levels if not c.unsure)
    if not isinstance(q, ChoiceQuestion) or q.type != "choice":
        return None
    steps = [c for c in q.choices if not c.unsure]
    if len(steps) < 3:  # two answers are simply the same or not
        return None
    dims = {d for c in steps for d in c.dimensions}
    if q.feeds == "score":
        keys: list[float] = [c.points or 0.0 for c in steps]
    elif q.feeds == "position" and all(isinstance(c.spectrum, (int, float)) for c in steps):
        keys = [float(c.spectrum) for c in steps]  # type: ignore[arg-type]
    elif q.feeds == "profile" and len(dims) == 1:
        # One dimension's place in the project (primary, secondary, not
        # addressed): primary against secondary is one step, not "apart".
        (dim,) = dims
        keys = [float(DIMENSION_LEVELS[c.dimensions.get(dim, "none")]) for c in steps]
    else:
        return None
    if len(set(keys)) != len(keys):
        return None
    return tuple(c.value for _, c in sorted(zip(keys, steps, strict=True), key=lambda kc: kc[0]))


def agreement(q: QuestionT, a: QuestionResult, b: QuestionResult) -> str:
    """How close the two raters' answers to ``q`` are: one of AGREEMENT_LEVELS."""
    if q.type in ("text", "long_text"):
        return "not-compared"
    if a.answered != b.answered:
        return "one-answered"
    if not a.answered:
        return "neither-answered"
    if _key(a.value) == _key(b.value):
        return "same"
    steps = ladder(q)
    if (
        steps is not None
        and a.value in steps
        and b.value in steps
        and abs(steps.index(a.value) - steps.index(b.value)) == 1
    ):
        return "adjacent"
    return "apart"


def _key(value: Any) -> Any:
    return frozenset(value) if isinstance(value, (tuple, list)) else value


@dataclass(frozen=True)
class Rating:
    """One rater's appraisal, as moderation shows it."""

    file: str
    name: str
    role: str
    appraisal: Appraisal


@dataclass(frozen=True)
class QuestionModeration:
    id: str
    prompt: str
    section: str
    feeds: str
    ordered: bool
    agreement: str
    answers: tuple[str, str]  # as each rater gave it ("(not answered)" when not)
    values: tuple[Any, Any]  # as in the files; None when not answered
    counted: tuple[
        str, str
    ]  # what each answer counts as (a claim without evidence: the level below)
    notes: tuple[str, str]
    comment: str  # the second rater's comment on the first's answer
    reflect: str
    not_accepted: bool  # the reviewer did not accept this claim without evidence
    #: How far the first rater's score and position move if only this answer
    #: were the second rater's: None where either is not placed or scored.
    moves_score: float | None
    moves_position: float | None

    @property
    def disagrees(self) -> bool:
        return self.agreement in ("adjacent", "apart", "one-answered")

    @property
    def weight(self) -> float:
        """Score points (0-100) and position (0-1) on one scale, for ordering."""
        return max(abs(self.moves_score or 0.0) / 100, abs(self.moves_position or 0.0))


@dataclass(frozen=True)
class ReviewedChange:
    """The reviewed file's bytes differ from those the review recorded."""

    recorded: str  # the SHA-256 in the review
    actual: str  # of the file now
    #: What changed since the review, when the review recorded what it saw
    #: (``reviews.seen``); None when it did not.
    answers: tuple[AnswerChange, ...] | None
    notes: tuple[AnswerChange, ...] | None


@dataclass(frozen=True)
class Moderation:
    rubric: Rubric
    first: Rating
    second: Rating
    questions: tuple[QuestionModeration, ...]  # rubric order; those that apply for either
    only_first: tuple[str, ...]  # finding ids raised for one rater only
    only_second: tuple[str, ...]
    reviewed_changed: ReviewedChange | None = None
    #: The second reviews the first (``reviews``), or they share ``project.id``.
    link: str = "reviews"

    @property
    def bands_agree(self) -> bool | None:
        a, b = self.first.appraisal.band, self.second.appraisal.band
        if a is None or b is None:
            return None
        return a.id == b.id

    @property
    def score_difference(self) -> float | None:
        a, b = self.first.appraisal.score, self.second.appraisal.score
        return None if a is None or b is None else round(b - a, 1)

    @property
    def position_difference(self) -> float | None:
        a, b = self.first.appraisal.position, self.second.appraisal.position
        return None if a is None or b is None else round(b - a, 3)

    def disagreements(self) -> tuple[QuestionModeration, ...]:
        """The questions answered differently, those that move most first."""
        found = [q for q in self.questions if q.disagrees]
        return tuple(sorted(found, key=lambda q: -q.weight))

    def not_accepted(self) -> tuple[QuestionModeration, ...]:
        return tuple(q for q in self.questions if q.not_accepted)

    def other_comments(self) -> tuple[QuestionModeration, ...]:
        """Comments on answers the raters do not differ on: they are for the meeting too."""
        return tuple(
            q for q in self.questions if q.comment and not q.disagrees and not q.not_accepted
        )

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(AGREEMENT_LEVELS, 0)
        for q in self.questions:
            counts[q.agreement] += 1
        return counts


def linked(first: Proposal, second: Proposal) -> str | None:
    """How two proposals are known to appraise one project, or None.

    ``reviews``: one reviews the other's file; ``project.id``: they share an id;
    ``same file reviewed``: both review one file.
    """
    if _reviews(second, first.file) or _reviews(first, second.file):
        return "reviews"
    if first.project.id and first.project.id == second.project.id:
        return "project.id"
    if first.reviews is not None and second.reviews is not None:
        a, b = first.reviews.path(first.file), second.reviews.path(second.file)
        if _same(a, b):
            return "same file reviewed"
    return None


def _unlinked(first: Proposal, second: Proposal) -> str:
    """Why two files cannot be moderated, saying what each review does name."""
    for review in (second, first):
        if review.reviews is None:
            continue
        target = review.reviews.path(review.file)
        if not target.exists():
            return (
                f"{review.file}: reviews.file: {review.reviews.file}: no such file "
                f"(relative to the review's folder, {Path(review.file).parent})"
            )
        return (
            f"{review.file} reviews {target}, not {first.file if review is second else second.file}: "
            f"moderate it against the file it reviews"
        )
    return (
        f"{first.file} and {second.file} are not known to appraise one project: "
        "a review names the file it reviews (reviews: {file: ...}), or both give "
        "the same project.id"
    )


def _reviews(review: Proposal, file: str) -> bool:
    return review.reviews is not None and _same(review.reviews.path(review.file), Path(file))


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def moderate(
    rubric: Rubric,
    first: Proposal,
    second: Proposal,
    *,
    sha256: str = "",
    first_bytes_sha256: str | None = None,
) -> Moderation:
    """Moderate ``second``'s appraisal of the project ``first`` appraises.

    ``first_bytes_sha256``: the SHA-256 of ``first``'s file now, checked
    against what ``second`` recorded when it reviewed it.
    """
    link = linked(first, second)
    if link is None:
        raise UsageError(_unlinked(first, second))
    a = score(rubric, first, sha256=sha256)
    b = score(rubric, second, sha256=sha256)
    b_results = {q.id: q for s in b.sections for q in s.questions}
    not_accepted = set(second.reviews.not_accepted) if second.reviews else set()
    questions = []
    for section in a.sections:
        for qa in section.questions:
            qb = b_results[qa.id]
            if not (qa.applies or qb.applies):
                continue
            q = rubric.questions[qa.id]
            level = agreement(q, qa, qb)
            moves: tuple[float | None, float | None] = (0.0, 0.0)
            if level in ("adjacent", "apart", "one-answered"):
                moves = _moves(rubric, first, second, qa.id, a, sha256)
            questions.append(
                QuestionModeration(
                    id=qa.id,
                    prompt=qa.prompt,
                    section=section.title,
                    feeds=qa.feeds,
                    ordered=ladder(q) is not None,
                    agreement=level,
                    answers=(_given(qa), _given(qb)),
                    values=(qa.value if qa.answered else None, qb.value if qb.answered else None),
                    counted=(qa.display, qb.display),
                    notes=(qa.note, qb.note),
                    comment=second.comments.get(qa.id, ""),
                    # A question without a reflective prompt of its own takes
                    # its section's first: every disagreement has one to ask.
                    reflect=qa.reflect or next(iter(section.reflect), ""),
                    not_accepted=qa.id in not_accepted,
                    moves_score=moves[0],
                    moves_position=moves[1],
                )
            )
    a_found = {f.id for f in a.active_findings()}
    b_found = {f.id for f in b.active_findings()}
    return Moderation(
        rubric=rubric,
        first=_rating(first, a),
        second=_rating(second, b),
        questions=tuple(questions),
        only_first=tuple(f.id for f in a.active_findings() if f.id not in b_found),
        only_second=tuple(f.id for f in b.active_findings() if f.id not in a_found),
        reviewed_changed=_changed(rubric, first, second, a, sha256, first_bytes_sha256),
        link=link,
    )


def _rating(p: Proposal, a: Appraisal) -> Rating:
    return Rating(file=p.file, name=p.rater.name or _self_name(p), role=p.rater.role, appraisal=a)


def _self_name(p: Proposal) -> str:
    return p.project.lead if p.rater.role == "self" else ""


def _given(q: QuestionResult) -> str:
    """The answer as the rater gave it: a claim shows as claimed, not as counted."""
    if not q.answered:
        return "(not answered)"
    return q.claimed or q.display


def _moves(
    rubric: Rubric, first: Proposal, second: Proposal, qid: str, base: Appraisal, sha256: str
) -> tuple[float | None, float | None]:
    """What taking the second rater's answer (and note) to ``qid`` alone does to the first's result."""
    answers = dict(first.answers)
    notes = dict(first.notes)
    if qid in second.answers:
        answers[qid] = second.answers[qid]
    else:
        answers.pop(qid, None)
    if qid in second.notes:
        notes[qid] = second.notes[qid]
    else:
        notes.pop(qid, None)
    swapped = score(rubric, dataclasses.replace(first, answers=answers, notes=notes), sha256=sha256)
    d_score = (
        round(swapped.score - base.score, 1)
        if swapped.score is not None and base.score is not None
        else None
    )
    d_position = (
        round(swapped.position - base.position, 3)
        if swapped.position is not None and base.position is not None
        else None
    )
    return d_score, d_position


def _changed(
    rubric: Rubric,
    first: Proposal,
    second: Proposal,
    a: Appraisal,
    sha256: str,
    actual: str | None,
) -> ReviewedChange | None:
    reviewed = second.reviews
    if reviewed is None or reviewed.sha256 is None or actual is None:
        return None
    if not _same(reviewed.path(second.file), Path(first.file)) or reviewed.sha256 == actual:
        return None
    if reviewed.seen_answers is None:
        return ReviewedChange(reviewed.sha256, actual, None, None)
    # Notes the review did not record are taken as they are now: "changed
    # from no note" for every note would bury the answers that did change.
    seen_notes = reviewed.seen_notes
    then = dataclasses.replace(
        first,
        answers=dict(reviewed.seen_answers),
        notes=dict(first.notes if seen_notes is None else seen_notes),
    )
    diff = compare(score(rubric, then, sha256=sha256), a)
    return ReviewedChange(
        reviewed.sha256, actual, diff.answers, None if seen_notes is None else diff.notes
    )


def document(m: Moderation) -> dict[str, Any]:
    """The moderation as a JSON-ready value (``moderate --format json``), schema version 1."""
    a, b = m.first.appraisal, m.second.appraisal
    change = m.reviewed_changed
    return {
        "schema_version": 1,
        "rubric": {"id": m.rubric.id, "version": m.rubric.version},
        "project": {"title": a.project.title, "id": a.project.id or None},
        "link": m.link,
        "raters": [_rater(r) for r in (m.first, m.second)],
        "score": {
            "values": [a.score, b.score],
            "difference": m.score_difference,
            "provisional": [a.provisional, b.provisional],
        },
        "band": {
            "values": [a.band.id if a.band else None, b.band.id if b.band else None],
            "agree": m.bands_agree,
        },
        "position": {"values": [a.position, b.position], "difference": m.position_difference},
        "questions": [_question(q) for q in m.questions],
        "disagreements": [q.id for q in m.disagreements()],
        "not_accepted": [q.id for q in m.not_accepted()],
        "other_comments": [q.id for q in m.other_comments()],
        "findings": {"only_first": list(m.only_first), "only_second": list(m.only_second)},
        "reviewed_changed": None
        if change is None
        else {
            "recorded_sha256": change.recorded,
            "actual_sha256": change.actual,
            "answers": None if change.answers is None else [_change(c) for c in change.answers],
            "notes": None if change.notes is None else [_change(c) for c in change.notes],
        },
        "summary": m.summary(),
    }


def _rater(r: Rating) -> dict[str, Any]:
    return {"file": r.file, "name": r.name or None, "role": r.role}


def _question(q: QuestionModeration) -> dict[str, Any]:
    return {
        "id": q.id,
        "prompt": q.prompt,
        "feeds": q.feeds,
        "ordered": q.ordered,
        "agreement": q.agreement,
        "answers": list(q.answers),
        "values": [list(v) if isinstance(v, tuple) else v for v in q.values],
        "counted": list(q.counted),
        "notes": list(q.notes),
        "comment": q.comment or None,
        "reflect": q.reflect or None,
        "not_accepted": q.not_accepted,
        "moves": {"score": q.moves_score, "position": q.moves_position},
    }


def _change(c: AnswerChange) -> dict[str, str]:
    return {"question": c.question, "old": c.old, "new": c.new}


def order(first: Proposal, second: Proposal) -> tuple[Proposal, Proposal]:
    """The reviewed appraisal first, its review second, whatever order they were given."""
    if _reviews(first, second.file) and not _reviews(second, first.file):
        return second, first
    return first, second

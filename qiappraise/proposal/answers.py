"""What each answer counts as: applicability, "not sure" and claims without evidence.

Scoring reads a proposal's answers through ``resolve``, which settles, for every
question in rubric order:

* whether it applies: yes, no, or *not known* (its ``when`` reads a question
  whose answer is not known), in Kleene's three values (``conditions.Known``);
* its status: answered, not answered, "not sure", or not known whether it applies;
* the value it counts as: a claim that needs evidence (``evidence: true`` on a
  choice) with no note behind it counts as the level below and is remembered
  as claimed.

The rules here are the ones docs/scoring.md states in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..rubric.conditions import Known, predicate3
from ..rubric.model import Choice, QuestionT, Rubric

#: Statuses of a question in a result.
ANSWERED = "answered"
NOT_ANSWERED = "not-answered"
NOT_SURE = "not-sure"
#: Answered, but whether the question applies depends on an answer not known yet.
PENDING = "pending"

_ASSUMED = "assumed:"


def has_evidence(note: str | None) -> bool:
    """A note backs a claim, unless it is empty, has no word in it, or says the answer is assumed.

    "No word": nothing but punctuation and symbols (".", "-", "<", "?"), which
    says nothing a supervisor could check.
    """
    return not why_not_evidence(note)


def why_not_evidence(note: str | None) -> str:
    """Why ``note`` backs no claim, in words for the person who wrote it ("" when it does)."""
    if not note or not note.strip():
        return "it is empty"
    if not any(ch.isalnum() for ch in note):
        return "it has no word in it"
    if note.strip().casefold().startswith(_ASSUMED):
        return "it begins Assumed:"
    return ""


@dataclass(frozen=True)
class Resolved:
    """The answers as scoring counts them."""

    #: Answers that count, after claims without evidence fall a level (rubric order).
    counted: dict[str, Any]
    #: Whether each question applies: True, False, or None (not known yet).
    applies: dict[str, bool | None]
    #: Status of each question (see the constants above).
    status: dict[str, str]
    #: Questions whose answer is not known: unanswered while they may apply, "not sure",
    #: or pending. Conditions on them are unknown.
    unknown: frozenset[str]
    #: For each claim without evidence, the value claimed (the counted value is lower).
    claimed: dict[str, Any]


def _unsure(q: QuestionT, value: Any) -> bool:
    if q.type == "multi":
        return any(q.choice_by_value.get(v, _NONE).unsure for v in value)
    if isinstance(value, (str, bool)):
        key = ("yes" if value else "no") if isinstance(value, bool) else value
        return q.choice_by_value.get(key, _NONE).unsure
    return False


# Built without validation (the values are plainly valid): validating would
# build Choice's validator at import, which a run on a snapshot never needs.
_NONE = Choice.model_construct({"value", "label"}, value="none", label="")


_FINITE = frozenset({"choice", "scale", "multi", "yes_no"})
_SAME = object()  # the answer counts as given


def _meaning(q: QuestionT, value: Any, evidenced: bool) -> tuple[bool, Any]:
    """(is it "not sure", what it counts as: _SAME or the level below)."""
    if _unsure(q, value):
        return True, _SAME
    if evidenced:
        return False, _SAME
    lower = fallback(q, value)
    if lower == value and type(lower) is type(value):
        return False, _SAME
    return False, lower


def fallback(q: QuestionT, value: Any) -> Any:
    """What a claim without evidence counts as: the level below (None: nothing)."""
    if q.type == "multi":
        kept = [v for v in value if not q.choice_by_value.get(v, _NONE).evidence]
        if kept:
            return kept
        # Every item was a claim: count the answer the rubric names for that
        # (e.g. "not looked at yet"), so it is a definite answer, not a blank.
        for v in value:
            lower = q.choice_by_value.get(v, _NONE).without_evidence
            if lower is not None:
                return [lower]
        return None
    if q.type == "yes_no":
        return False if value is True and q.choices_[0].evidence else value
    if not isinstance(value, str):
        return value
    choice = q.choice_by_value.get(value)
    if choice is None or not choice.evidence:
        return value
    if choice.without_evidence is not None:
        return choice.without_evidence
    # The nearest level below that is not itself a claim: a claim never props up another.
    below = None
    for c in q.choices_:
        if c.value == value:
            break
        if not c.unsure and not c.evidence:
            below = c.value
    return below


def is_claim(q: QuestionT, value: Any) -> bool:
    """``value`` claims something that needs evidence (without it, it counts lower)."""
    lower = fallback(q, value)
    return lower != value or type(lower) is not type(value)


def resolve(
    rubric: Rubric,
    answers: Mapping[str, Any],
    notes: Mapping[str, str],
    memo: dict[Any, tuple[bool, Any]] | None = None,
) -> Resolved:
    """The answers as scoring counts them.

    ``memo`` (per rubric, from the caller) remembers what each answer to each
    question means: batches see the same answers thousands of times.
    """
    counted: dict[str, Any] = {}
    applies: dict[str, bool | None] = {}
    status: dict[str, str] = {}
    unknown: set[str] = set()
    claimed: dict[str, Any] = {}
    known = Known(counted, unknown, rubric.level_rank)
    for qid, q in rubric.questions.items():
        fits = True if q.when is None else predicate3(q.when)(known)
        applies[qid] = fits
        value = answers.get(qid)
        if fits is False:
            status[qid] = ANSWERED if value is not None else NOT_ANSWERED
            continue
        if value is None:
            status[qid] = NOT_ANSWERED
            unknown.add(qid)
            continue
        if fits is None:
            status[qid] = PENDING
            unknown.add(qid)
            continue
        finite = q.type in _FINITE
        evidenced = not finite or has_evidence(notes.get(qid))
        meant = None
        if finite and memo is not None:
            key = (qid, type(value), tuple(value) if isinstance(value, list) else value, evidenced)
            meant = memo.get(key)
            if meant is None:
                meant = memo[key] = _meaning(q, value, evidenced)
        elif finite:
            meant = _meaning(q, value, evidenced)
        if meant is not None and meant[0]:
            status[qid] = NOT_SURE
            unknown.add(qid)
            continue
        status[qid] = ANSWERED
        if meant is not None and meant[1] is not _SAME:
            claimed[qid] = value
            value = meant[1]
        if value is None:
            unknown.add(qid)  # the whole claim fell away: as good as unanswered
            continue
        counted[qid] = value
    return Resolved(counted, applies, status, frozenset(unknown), claimed)
